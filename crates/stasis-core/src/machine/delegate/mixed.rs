//! Mixed chains: a stackful body's `yield from` ([`Co::delegate`](crate::Co::delegate)) handed
//! up to the state-machine driver that adopted its generator, so that one root drives the
//! innermost generator of the whole chain, whatever the backend of each level (see "Mixed
//! chains" in the module docs of `machine/delegate.rs`).
//!
//! Owns: [`Lent`] (the sub-generator a suspended stackful frame lends to a driver, behind a
//! raw pointer) and [`Lease`] (that frame's side of the loan), and [`lend`]. May not touch:
//! the stackful frame's waiting (`stackful/delegate.rs`, `Co::lend`), the driver.

use core::cell::Cell;
use core::convert::Infallible;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::rc::Rc;

use super::{Adoption, Begin, Context, SendEntry, ThrowEntry, adoption_of, hand_up};
use crate::protocol::{AdoptToken, CloseError, Generator, State, Step, Thrown};

/// A sub-generator lent by a stackful body waiting in `Co::delegate` to the driver that
/// adopted its generator: the entry's `sub`, behind a pointer into that body's frame. Every
/// use checks that the loan still runs (the frame is still waiting, see [`Lease`]); a loan
/// that ended behaves as a closed generator, so no use outlives the frame.
pub(crate) struct Lent<G: Generator<S>, S> {
    sub: NonNull<G>,
    alive: Rc<Cell<bool>>,
    _send: PhantomData<fn(S)>,
}

/// The lending frame's side of a [`Lent`]: ends the loan when dropped (when the frame stops
/// waiting, also by unwinding), before that frame can touch or drop the sub-generator again.
pub(crate) struct Lease(Rc<Cell<bool>>);

impl Drop for Lease {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl<G: Generator<S>, S> Lent<G, S> {
    /// The sub-generator, while the loan runs.
    #[inline(always)]
    fn get(&mut self) -> Option<&mut G> {
        if !self.alive.get() {
            return None;
        }
        // The lending frame ends only by returning or unwinding, both of which drop the lease
        // first (a local of that frame), or never (its stack leaked by `Gen`'s drop: the
        // memory stays, and the frame never runs again).
        // SAFETY: `lend`'s contract: while the loan runs (`alive`, cleared by the `Lease`
        // before the lending frame touches `sub` again or ends), `sub` is valid and reached
        // through no other pointer. One provenance: the pointer derived from the `&mut`
        // parameter of `Co::lend`, which that frame does not use while the loan runs (Stacked
        // Borrows: nothing pops its tag; Tree Borrows: a child of that protected parameter,
        // so every access through the loan is a child access, never a foreign one). The
        // `&mut` made here lives for one call through `&mut self`, and `Lent` is the only
        // holder (a call through it reaches this `Lent` again only through the driver, busy
        // in that call), so no two are alive at once.
        Some(unsafe { self.sub.as_mut() })
    }
}

impl<S, G: Generator<S>> Generator<S> for Lent<G, S> {
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, G::Error> {
        self.get().map_or(Step::Exhausted, |sub| sub.resume(arg))
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        match self.get() {
            Some(sub) => sub.throw(err),
            None => Step::Raised(Thrown::Error(err)),
        }
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        self.get().map_or(Ok(None), |sub| sub.close())
    }

    fn state(&self) -> State {
        if !self.alive.get() {
            return State::Closed;
        }
        // SAFETY: as in `Lent::get`; a shared reference for one call, while no `&mut` from
        // `get` is alive (both need a borrow of `self`).
        unsafe { self.sub.as_ref() }.state()
    }

    #[inline]
    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, G::Yield>,
        token: AdoptToken,
    ) -> Step<G::Yield, G::Return, G::Error> {
        self.get().map_or(Step::Exhausted, |sub| sub.__resume_adopted(arg, up, token))
    }

    #[inline]
    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<G::Error>>,
        up: &mut Adoption<Result<S, Thrown<G::Error>>, G::Yield>,
        token: AdoptToken,
    ) -> (Step<G::Yield, G::Return, G::Error>, bool) {
        match self.get() {
            Some(sub) => sub.__forward_adopted(input, up, token),
            None => (Step::Exhausted, false),
        }
    }
}

impl<G: Generator<S>, S> Drop for Lent<G, S> {
    /// A driver drops its entries innermost first (when it is dropped, or pops a finished or
    /// abandoned one): closing the lent sub-generator here keeps that order for a stackful
    /// level, whose own frame would otherwise drop it only when it unwinds, after its
    /// delegator's entry went. Closing a finished generator does nothing. The close runs body
    /// code (a `Gen`'s, a `yield_from_throwing!` level's): dropped while a panic unwinds (the
    /// driver's root dropped during a panic, or unwound by one), a panic of that code is
    /// reported and dropped, as `Gen`'s drop does, since leaving a drop then aborts. While
    /// the thread's thread-locals are destroyed it runs no body code (the sub-generator may
    /// hold a borrow of one already gone, issue 9 A1): the sub-generator is left to the
    /// lending frame, whose `Gen` is dropped next (the driver's entry right below this one,
    /// or a frame below) and, then, unwinds its body without resuming it, dropping the
    /// sub-generator on the way (its own drop runs no body code then either).
    fn drop(&mut self) {
        let Some(sub) = self.get() else { return };
        if crate::stackful::destroying_thread_locals() {
            return;
        }
        if std::thread::panicking() {
            crate::stackful::close_while_panicking(|| drop(sub.close()));
        } else {
            let _ = sub.close();
        }
    }
}

/// Hands `sub`, the sub-generator of a stackful body's `yield from`, up to the state-machine
/// driver whose adoption `context` is, started with `first`: the driver then resumes it
/// directly, and the body waits for its outcome in the cell. `Err(first)`: the adoption is
/// not of these types (the body drives `sub` itself).
///
/// # Safety
///
/// `sub` must be valid for reads and writes, and reached through no other pointer, until the
/// returned [`Lease`] is dropped (or until `lend` returns `Err` or unwinds: the `Lent` it made
/// is dropped by then, and may close `sub` while it is); the caller drops the lease before it
/// touches `sub` again, and drops it if its frame unwinds.
/// `context` must be what `Adoption::publish` gave the `__resume_adopted` /
/// `__forward_adopted` call whose resume runs the caller, which is blocked in that resume.
#[allow(clippy::type_complexity)]
pub(crate) unsafe fn lend<G, S>(
    sub: NonNull<G>,
    first: S,
    context: *const Context,
) -> Result<(Begin<Infallible, G::Yield, G::Return, G::Error>, Lease), S>
where
    G: Generator<S> + 'static,
    S: 'static,
    G::Yield: 'static,
    G::Return: 'static,
    G::Error: 'static,
{
    let alive = Rc::new(Cell::new(true));
    let lent = Lent { sub, alive: alive.clone(), _send: PhantomData };
    let cell = Rc::new(Cell::new(None));
    // SAFETY: our contract: `context` is alive, its publisher blocked (see `adoption_of`).
    if let Some(up) = unsafe { adoption_of::<S, G::Yield>(context) } {
        let entry = Box::new(SendEntry { sub: lent, first: Some(first), cell: cell.clone() });
        return Ok((hand_up(up, entry, cell), Lease(alive)));
    }
    // SAFETY: as above.
    if let Some(up) = unsafe { adoption_of::<Result<S, Thrown<G::Error>>, G::Yield>(context) } {
        let entry = Box::new(ThrowEntry { sub: lent, first: Some(first), cell: cell.clone() });
        return Ok((hand_up(up, entry, cell), Lease(alive)));
    }
    // Not lent: nothing may close `sub` on the way out.
    alive.set(false);
    Err(first)
}
