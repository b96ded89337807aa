//! State-machine delegation (`yield_from!`, `yield_from_throwing!`): the outermost body keeps
//! the stack of active delegates and resumes the innermost one directly, so chains of any
//! depth run in constant native stack; the ignored-exit hand-off belongs to the generator
//! whose `close()` asked for it.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use stasis::{
    CloseError, Gen, Generator, State, Step, Thrown, YieldFrom, from_coroutine,
    from_sending_coroutine, from_throwing_coroutine, yield_from, yield_from_throwing,
};

use crate::support::{Finally, log};

type Input = Result<(), Thrown<String>>;

/// A throwing sub-generator that yields 1 and then ignores the exit it is closed with.
fn ignores_exit() -> impl Generator<Yield = u32, Return = (), Error = String> {
    from_throwing_coroutine(
        #[coroutine]
        |_: Input| {
            let _ = yield 1; // swallows the exit
            let _ = yield 2;
            Ok(())
        },
    )
}

/// Issue 9 A6: a body that, while handling its own exit, steps another generator whose
/// `yield_from_throwing!` sees its sub-generator ignore an exit (sent to it as data) must not
/// make the outer `close()` believe that hand-off was its own.
#[test]
fn an_ignored_exit_handed_off_inside_another_generator_is_not_taken_by_the_outer_close() {
    let mut outer = from_throwing_coroutine(
        #[coroutine]
        |_: Input| {
            // Plain resumes of a generator whose resume type carries an exit as data.
            let mut inner = from_sending_coroutine(
                #[coroutine]
                |_: Input| {
                    let _ = yield_from_throwing!(ignores_exit());
                    let _ = yield 7;
                },
            );
            let mut got = yield 0;
            let mut exits = 0;
            loop {
                if let Err(Thrown::Exit) = got {
                    exits += 1;
                    if exits == 1 {
                        // Handling its own exit: step `inner`, sending it an exit as data.
                        assert_eq!(inner.resume(Ok(())), Step::Yielded(1));
                        assert_eq!(inner.resume(Err(Thrown::Exit)), Step::Yielded(2));
                    }
                    got = yield 99 + exits; // ignores its own exit
                } else {
                    got = yield 0;
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        },
    );
    assert_eq!(outer.resume(()), Step::Yielded(0));
    assert_eq!(outer.close(), Err(CloseError::IgnoredExit(100)));
    assert_eq!(outer.state(), State::Suspended);
}
