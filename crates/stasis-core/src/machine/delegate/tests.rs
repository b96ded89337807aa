//! Unit tests of the context publishing (they read `CONTEXT`).

use core::cell::RefCell;
use core::convert::Infallible;
use std::rc::Rc;

use super::CONTEXT;
use crate::{Co, Gen, Generator, Step, Thrown, from_coroutine, from_throwing_coroutine};

/// A stackful body that switches out (`co.yield_`) from inside a state machine it resumes
/// must leave the thread's context as it found it, and must not find, when resumed later, a
/// context published by a resume that has returned since (it would be dangling: here the one
/// `close()` keeps in its frame).
#[test]
fn a_stackful_switch_inside_a_state_machine_leaves_no_context_behind() {
    let inner = Rc::new(RefCell::new(Gen::new(|co: &Co<i32>, ()| {
        let mut m = from_coroutine(
            #[coroutine]
            move || {
                co.yield_(1);
                yield 0;
            },
        );
        assert_eq!(m.resume(()), Step::Yielded(0));
        co.yield_(2);
    })));
    let shared = inner.clone();
    let mut outer = from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<Infallible>>| {
            let exit = yield 0;
            assert!(matches!(exit, Err(Thrown::Exit)));
            // Resumed by `close()`, which publishes a context for this resume.
            assert_eq!(shared.borrow_mut().resume(()), Step::Yielded(1));
            Ok::<(), Thrown<Infallible>>(())
        },
    );
    assert_eq!(outer.resume(()), Step::Yielded(0));
    assert_eq!(outer.close(), Ok(Some(())));
    drop(outer);
    assert!(CONTEXT.get().is_null(), "close() left its context published");
    assert_eq!(inner.borrow_mut().resume(()), Step::Yielded(2));
    assert!(CONTEXT.get().is_null(), "the stackful body put back a context that is gone");
}
