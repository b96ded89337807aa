//! The hidden API (`stasis::__delegate`, `stasis_delegate::__private`) misused from safe code
//! (issue 9, "Trust"): items that are `pub` only for the macros' expansions can still be
//! called by anyone, in an order or from a place the macros never would. Each may give a
//! wrong result or a documented panic, never undefined behaviour.

use std::cell::Cell;
use std::convert::Infallible;
use std::rc::Rc;

use stasis::__delegate::{Begin, begin_send, outcome};
use stasis::{CloseError, Generator, State, Step, from_coroutine, from_iter, yield_from};

std::thread_local! {
    /// The address of a local of the delegating body, taken by that body (a forged marker).
    static MARKER: Cell<usize> = const { Cell::new(0) };
    /// What the forged `begin_send` found: `Some(true)`: adopted.
    static ADOPTED: Cell<Option<bool>> = const { Cell::new(None) };
}

/// A sub-generator that, on its first resume, starts a `yield from` of its own with
/// `begin_send` and the marker its delegator left in `MARKER`: a marker of the *delegator's*
/// body, while that delegator's own `begin_send` is handing this generator up.
struct Forger {
    resumed: bool,
}

impl Generator for Forger {
    type Yield = u32;
    type Return = ();
    type Error = Infallible;

    fn resume(&mut self, (): ()) -> Step<u32, (), Infallible> {
        if std::mem::replace(&mut self.resumed, true) {
            return Step::Complete(());
        }
        let begin = begin_send::<(), _>(from_iter([7u32, 8]), MARKER.get());
        ADOPTED.set(Some(matches!(begin, Begin::Adopted(..))));
        Step::Yielded(1)
    }
    fn throw(&mut self, err: Infallible) -> Step<u32, (), Infallible> {
        match err {}
    }
    fn close(&mut self) -> Result<Option<()>, CloseError<u32, Infallible>> {
        self.resumed = true;
        Ok(None)
    }
    fn state(&self) -> State {
        if self.resumed { State::Suspended } else { State::Created }
    }
}

/// A `begin_send` run by the sub-generator that another `begin_send` is starting (so from
/// inside that hand-up, while it holds the driver's inbox as `&mut`), with a marker forged to
/// lie in the delegating body, must not reach that inbox a second time: two live `&mut` of
/// one `Adoption` is undefined behaviour under both Stacked and Tree Borrows, whatever it
/// happens to compute. Nothing shows it to ASan (the second hand-up only appends to the same
/// `Vec`), so the test asserts what the fix changes: the forged start finds no context (the
/// hand-up took it) and drives as a root of its own, instead of being adopted.
#[test]
fn a_begin_send_nested_in_a_hand_up_with_a_forged_marker_is_not_adopted() {
    ADOPTED.set(None);
    // `middle` is adopted by the root's driver, so its `yield_from!` hands `Forger` up.
    let middle = from_coroutine(
        #[coroutine]
        || {
            let anchor = 0u8;
            MARKER.set(std::ptr::addr_of!(anchor).addr());
            let outcome = yield_from!(Forger { resumed: false });
            // Held across the yields above: `anchor` lives in this coroutine's state.
            let _ = std::hint::black_box(&anchor);
            outcome.unwrap()
        },
    );
    let mut root = from_coroutine(
        #[coroutine]
        || yield_from!(middle).unwrap(),
    );
    assert_eq!(root.resume(()), Step::Yielded(1));
    assert_eq!(ADOPTED.get(), Some(false), "the forged begin_send was adopted");
    assert_eq!(root.resume(()), Step::Complete(()));
}

/// Reading a cell that holds no outcome (a `yield from` that a driver has not finished) is a
/// caller bug with a panic that says so, not an internal error.
#[test]
#[should_panic(expected = "called before the delegation finished")]
fn outcome_of_an_unfinished_delegation_is_a_documented_panic() {
    let cell = Rc::new(Cell::new(None::<Result<(), stasis::Thrown<Infallible>>>));
    let _ = outcome(&cell);
}
