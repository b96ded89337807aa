//! Behaviour of the state-machine backend beyond the conformance scenarios: panics, drop,
//! `static` (self-borrowing) coroutines, sizes.
#![feature(coroutines, stmt_expr_attributes)]

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use stasis_core::{Generator, State, Step, Thrown, from_coroutine, from_throwing_coroutine};

struct Guard(Rc<Cell<u32>>);
impl Drop for Guard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn panic_in_body_reaches_the_caller_and_closes_the_generator() {
    let mut g = from_coroutine(
        #[coroutine]
        || {
            yield 1;
            panic!("body failed");
        },
    );
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.resume(()), Step::Exhausted);
}

#[test]
fn close_and_drop_run_the_destructors_of_live_locals() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    let mut g = from_coroutine(
        #[coroutine]
        move || {
            let _g = Guard(d);
            yield 1;
            yield 2;
        },
    );
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.close(), Ok(None));
    assert_eq!(drops.get(), 1);
    assert_eq!(g.state(), State::Closed);

    let d = drops.clone();
    let mut g = from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<()>>| {
            let _g = Guard(d);
            (yield 1)?;
            Ok(())
        },
    );
    assert_eq!(g.resume(()), Step::Yielded(1));
    drop(g);
    assert_eq!(drops.get(), 2);
}

#[test]
fn static_coroutines_plug_in_once_pinned() {
    let g = from_coroutine(Box::pin(
        #[coroutine]
        static || {
            let data = [1, 2, 3];
            for x in &data {
                // A borrow of a local held across `yield`: needs a `static` coroutine.
                yield *x;
            }
        },
    ));
    assert_eq!(g.collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn a_state_machine_is_as_small_as_its_coroutine_plus_a_few_bytes() {
    let c = #[coroutine]
    || {
        yield 1u64;
    };
    let inner = std::mem::size_of_val(&c);
    let g = from_coroutine(c);
    assert!(std::mem::size_of_val(&g) <= inner + 32, "{} vs {inner}", std::mem::size_of_val(&g));
}
