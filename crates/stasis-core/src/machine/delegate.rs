//! Flat `yield from` for state machines: the machinery behind `stasis-delegate`'s
//! `yield_from!` and `yield_from_throwing!` (hidden items; the user-facing description is in
//! `stasis-delegate`'s crate docs, section 4). What this file owns: the context a state
//! machine publishes for one resume of its body, the root's driver, and the entries; `mixed.rs`
//! owns a stackful body's loan of its sub-generator to a driver ("Mixed chains" below).
//!
//! ```text
//!  consumer ── R.resume(v) ──▶ R's body, suspended in yield_from!(a): SendRoot / ThrowRoot
//!                                sub = a (typed)   driver.entries = [ b's entry, c's entry ]
//!                                c_entry.step(v, &mut driver.up) ──▶ c.__resume_adopted(v, up)
//!  a's body: waits in yield_from!(b) for its outcome cell (resumed once, when b is done)
//!  b's body: waits in yield_from!(c) for its outcome cell
//!  c's body: yields ◀── one coroutine resume, whatever the depth
//! ```
//!
//! - **Who drives**: a body whose `yield from` starts while no [`Adoption`] is published for
//!   it (a plain resume shows it none) is the *root*: it keeps its own sub-generator typed and
//!   a [`Driver`] (a stack of [`Entry`]s, each owning one deeper sub-generator) in its state,
//!   and re-yields the items of the innermost, so an item costs one resume of the root's body
//!   plus one of the innermost, whatever the depth.
//! - **Adoption**: the root resumes a sub-generator with the hidden
//!   [`Generator::__resume_adopted`] / [`Generator::__forward_adopted`], which a state machine
//!   implements by publishing the driver's [`Adoption`] in the thread-local `CONTEXT` for
//!   exactly that resume. A `yield from` that starts in that body finds it ([`begin_send`],
//!   [`begin_throw`]) and, instead of driving, starts its entry and hands it up (into the
//!   adoption's inbox, which the driver moves onto its stack): nesting stays flat. The body
//!   suspends with the first item of the new delegate (a state machine cannot suspend without
//!   a value) and is resumed only when that delegate is done, its outcome in a cell the entry
//!   shares with it.
//! - **Identity**: a context is published around one resume of one coroutine and cleared to
//!   null right after it (also when the body panics), and a plain resume nested in it hides it
//!   for its duration (null, put back afterwards; outside a publishing resume the context is
//!   already null, so a plain resume only loads and tests it), so a
//!   generator resumed by the body sees its own context, never its resumer's. A delegation
//!   accepts a context only if one of its locals lies in the bytes of the coroutine the context
//!   was published for, and an adoption only if its `TypeId` matches (so a mismatch is never
//!   undefined behaviour); it takes the adoption (`CONTEXT` null for the rest of that resume),
//!   so no code its start runs reaches it again, whatever marker it forges. A coroutine resumed with `core::ops::Coroutine::resume` directly (no
//!   stasis wrapper) and stored inside another generator's state can still see that
//!   generator's context: run delegating bodies through `from_coroutine` and its siblings.
//! - **Finishing, closing, panics**: when the top entry finishes, the driver pops it and wakes
//!   the entry below (its body reads the outcome). A `close()` of the root cascades: the top is
//!   closed, each delegator sees the outcome at its `yield from`, innermost first; a level that
//!   yields instead of finishing ignored the exit (also when the value comes from a delegation
//!   it started while handling the exit, which goes first): it is dropped, its delegator sees
//!   [`RuntimeError::IgnoredExit`] (CPython's `RuntimeError`), and the root's `close()` reports `CloseError::IgnoredExit` with the
//!   value, handed to that very `close()` through the [`Context`] it published (the root reads
//!   it right after its `yield`, before anything else runs). Dropping the root (its body
//!   dropped, or unwinding from a panic) drops the entries innermost first, each while the
//!   levels below it are already gone, so no drop recurses through the chain (and if one
//!   entry's drop panics, the rest still go innermost first). An entry dropped before its
//!   sub-generator finished leaves [`Thrown::Exit`] in its delegator's cell, so a delegator
//!   that is still resumed afterwards (closed by a stackful level ending its loan, or by a
//!   stackful body that caught a panic above a state machine it hosts) unwinds at its `yield
//!   from` instead of finding no outcome.
//!
//! ## Mixed chains: one stack for both backends
//!
//! ```text
//!  consumer ── R.resume(v) ──▶ R (state machine), in yield_from!(g): SendRoot { sub: g, driver }
//!                                driver.entries = [ m's entry, h's entry, n's entry ]  (n on top)
//!  g (Gen): waits in co.yield_from(m): m lent to R's driver (Lent: a pointer into g's frame)
//!  m (state machine): waits in yield_from!(h) for its cell
//!  h (Gen): waits in co.yield_from(n): n lent
//!  n: yields ◀── n.__resume_adopted(v, up) ◀── R's driver: one resume, whatever the depth
//!
//!  consumer ── G.resume(v) ──▶ G (Gen), driving: stack = [ ObjEntry(m, SendHost), Hosted(h's
//!                                entry), Hosted(n's entry) ]: its Entry::run steps n directly
//! ```
//!
//! - **State machine above, stackful below**: `Gen` implements [`Generator::__resume_adopted`]
//!   and [`Generator::__forward_adopted`] too: it puts the driver's adoption in its slot for
//!   that resume (`Slot::adoption`, cleared by a guard when the resume ends; not in the
//!   thread-local `CONTEXT`, which a stackful body never sees, so no guard left pending on a
//!   suspended stack can hold it). A `Co::delegate` that starts in the body finds it there
//!   (`Co::lend`, `lend`), hands its sub-generator up as an entry whose
//!   `sub` is a `mixed::Lent` (a pointer into the body's frame, which stays suspended until
//!   the entry is gone), starts it, and suspends with its first item; the driver wakes it once
//!   the entry finished and its outcome is in the cell. The `mixed::Lease` the frame holds
//!   ends the loan when it stops waiting (woken, closed or unwound), after which the `Lent`
//!   acts as a closed generator, so no use outlives the frame; dropping a `Lent` while the
//!   loan runs closes the sub-generator (innermost first, as the driver drops entries), with
//!   a panic of that close reported and dropped when the drop happens during a panic (as
//!   `Gen`'s drop does), and not at all while the thread's thread-locals are destroyed (the
//!   lending frame unwinds it then without running its body).
//! - **Stackful above, state machine below**: the stackful driver resumes a generator object
//!   (`ObjEntry`) with an adoption of its own published (`stackful/delegate/host.rs`):
//!   `yield_from!`'s when it cannot be thrown into (`E` is `Infallible`), else
//!   `yield_from_throwing!`'s. What is handed up to it joins the stackful driver's stack as
//!   hosted entries (boxes it owns; they step with adoptions of their own, so deeper levels of
//!   either backend join too), and `Entry::run` steps the top one per item as any entry. A
//!   woken delegator reads its cell; while the chain closes, a `yield_from!` level is closed
//!   instead (it cannot take an exit at its `yield from`: a plain state machine closes by
//!   being dropped). A panic in a hosted entry drops the hosted entries innermost first and
//!   continues in the delegator of the entry that hosted them.
//! - **What it costs**: nothing on the plain resume paths (`Gen::resume` and a state
//!   machine's `resume` are unchanged; `Slot::transmit` is the same code). A stackful driver
//!   resuming a state machine (an item of a `Gen` delegating to a state machine) now
//!   publishes an adoption around each resume, as a state-machine driver does: 1.5 ns more
//!   per item (`mixed_reverse/1`, 5.55 ns → 7.03 ns, run back to back with the code before),
//!   and a state machine driving a `Gen` publishes in its slot (`mixed/1`, 6.43 → 7.02 ns).
//!   Without it, a state machine below a `Gen` would be a root of its own and every level
//!   below it (a `Gen` below it included) one more hop per item (`mixed_reverse/1000`, 16.0
//!   ns then, 9.9 ns now; `mixed/1000`, 16.7 ns then, 5.9 ns now). What is left above an
//!   item delegated from `Gen` to `Gen` (`object`, 4.6 ns) at the end of a mixed chain under
//!   a stackful root: the hosted entry's dynamic step, the loan's check and the adoption
//!   published for the innermost `Gen`. AdoptToken such a `Gen` as a stackful `GenEntry`
//!   would remove them, at the price of a second hand-up protocol in `Co::lend` (not done).
//!   A `Co::delegate` whose send type is neither
//!   `()` nor known to be `Default` (only `Co::yield_from` knows that) hosts nothing: the
//!   driver has no value to wake a waiting state machine with.
//! - **What a loan of a stackful level gives up**: a panic deep in a chain that a state
//!   machine drives drops the levels (innermost first): a `Gen` level is closed, so its
//!   `yield from` sees the exit, not the panic (its destructors run either way, and the
//!   panic reaches the consumer from the root, as in a chain of state machines).
//!
//! [`Generator::__resume_adopted`]: crate::Generator::__resume_adopted
//! [`Generator::__forward_adopted`]: crate::Generator::__forward_adopted

// Hidden support items, used only by the macros' expansions.
#![allow(missing_debug_implementations)]

// Safe code can call every `pub` item here (`stasis::__delegate`, `stasis_delegate::__private`)
// in any order, from anywhere; each is sound under any such use (issue 9's hidden-API audit,
// `tests/it/hidden_api.rs`):
// - `begin_send` / `begin_throw` / `forward_reyield` / `ThrowRoot::step`: a marker only selects
//   the context published for the resume running now (alive) or none; `adopter` takes it, so
//   no second `&mut Adoption` (see there). A forged marker gives a wrong chain, not UB.
// - `SendRoot` / `ThrowRoot` (from `begin_*`): own their sub-generator, entries and inbox; no
//   pointer into them outlives a call (`publish` is re-derived per resume), so they may move;
//   `!Send` (their entries hold `Rc`s).
// - `Adoption`, `Context`, `Driver`, `SendEntry`, `ThrowEntry`: private fields and no public
//   constructor or method, so safe code can name them but never get one (a `&mut Adoption`
//   reaches only `Generator::__resume_adopted`, sealed by `AdoptToken`).
// - `Entry`: implementing it gives nothing: no public item accepts an entry.
// - `Begin`, `Rooted`, `Progress`, `Driven`, `Outcome`: plain data.
// - `outcome`, `start_reyield`, `already_finished`, `forward_closing`: safe code over public
//   methods and a `Cell` (`outcome` panics on an empty cell, documented).

use core::any::TypeId;
use core::cell::Cell;
use core::convert::Infallible;
use core::ptr;
use std::rc::Rc;

pub use crate::protocol::forward_closing;
use crate::protocol::{AdoptToken, Generator, RuntimeError, State, Step, Thrown};

std::thread_local! {
    /// What the wrapper that is resuming a coroutine tells its body: null, or a `Context`
    /// that lives as long as that resume runs (set by `Frame::resume_with`, null again right
    /// after; a plain resume run meanwhile, or a stackful generator's, hides it and puts it back, a publishing one
    /// replaces it and clears it).
    pub(super) static CONTEXT: Cell<*const Context> = const { Cell::new(ptr::null()) };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The first field of an [`Adoption`] whose type has this `TypeId`.
    Adoption(TypeId),
    /// Published by `ThrowingStateMachine::close` for its first resume.
    Closing,
}

/// What a wrapper publishes for one resume of its coroutine (see the module docs).
#[doc(hidden)]
#[repr(C)]
pub struct Context {
    kind: Kind,
    /// The coroutine's bytes: address and length.
    start: usize,
    len: usize,
    /// With `Kind::Closing`: set when this body hands over a value a level of its chain
    /// yielded instead of closing ([`ThrowRoot::step`]).
    ignored: Cell<bool>,
}

impl Context {
    pub(super) fn closing((start, len): (usize, usize)) -> Self {
        Context { kind: Kind::Closing, start, len, ignored: Cell::new(false) }
    }

    pub(super) fn ignored(&self) -> bool {
        self.ignored.get()
    }

    /// Whether the local at `marker` lives in the coroutine this context was published for.
    fn holds(&self, marker: usize) -> bool {
        marker.wrapping_sub(self.start) < self.len
    }

    /// The context published for the coroutine holding `marker`, if any.
    fn current(marker: usize) -> Option<*const Context> {
        let context = CONTEXT.get();
        if context.is_null() {
            return None;
        }
        // SAFETY: a non-null `CONTEXT` points to the `Context` of a publishing resume call
        // that still runs: `Frame::resume_with` clears it when that resume returns or unwinds;
        // a plain resume nested in it hides it and puts it back (also on unwind) while it runs;
        // a publishing one nested in it replaces it and clears it in turn; a stackful resume
        // hides it from its body and puts it back when the body switches out
        // (`machine::StackSwitch`), so a guard pending on a suspended stack only puts back a
        // context published on that stack by a frame still suspended below it. So the context
        // is alive, and it is only read, through a shared reference ending with this statement.
        // Stacked and Tree Borrows: the pointer is derived from the publisher's reference
        // (shared for `Closing`, the `&mut Adoption` parameter for adoptions), which that frame
        // does not use while the resume runs, so a read through it is allowed.
        let holds = unsafe { (*context).holds(marker) };
        holds.then_some(context)
    }
}

/// A driver's inbox for the delegations the bodies it resumes start (see the module docs).
#[doc(hidden)]
#[repr(C)]
pub struct Adoption<In, Y> {
    /// Must stay the first field: published as a pointer to the whole `Adoption`.
    context: Context,
    /// Entries handed up during the current step, innermost last.
    incoming: Vec<Box<dyn Entry<In, Y>>>,
    /// What a delegator is resumed with when its delegate is done (Python's `None`: the
    /// root's `S::default()`), and what a delegate starts with unless it brings its own
    /// first value. Kept here so that an entry needs no `Default` of its own: a stackful
    /// body's `Co::delegate` hands up entries for any send type.
    wake: fn() -> In,
}

impl<In: 'static, Y: 'static> Adoption<In, Y> {
    /// An empty inbox whose delegators are woken with `wake()` (a driver's, or a stackful
    /// driver's hosting a state machine: `stackful/delegate/host.rs`).
    pub(crate) fn new(wake: fn() -> In) -> Self {
        Adoption {
            context: Context {
                kind: Kind::Adoption(TypeId::of::<Self>()),
                start: 0,
                len: 0,
                ignored: Cell::new(false),
            },
            incoming: Vec::new(),
            wake,
        }
    }
}

impl<In, Y> Adoption<In, Y> {
    /// Whether entries were handed up during the last step.
    #[inline(always)]
    pub(crate) fn has_incoming(&self) -> bool {
        !self.incoming.is_empty()
    }

    /// Takes the entries handed up during the last step, outermost first.
    pub(crate) fn take_incoming(&mut self) -> Vec<Box<dyn Entry<In, Y>>> {
        std::mem::take(&mut self.incoming)
    }

    /// Drops the entries handed up during the last step, innermost first.
    pub(crate) fn drop_incoming(&mut self) {
        drop_innermost_first(&mut self.incoming);
    }

    /// What a delegator waiting for its delegate is resumed with (Python's `None`).
    pub(crate) fn wake_input(&self) -> In {
        (self.wake)()
    }

    /// The function giving [`Adoption::wake_input`], for another inbox of the same driver.
    pub(crate) fn wake_fn(&self) -> fn() -> In {
        self.wake
    }

    /// The pointer a state machine publishes for one resume of the coroutine whose bytes are
    /// `bytes`. Derived from `&mut self` as a whole, so it may be cast back to the `Adoption`.
    pub(crate) fn publish(&mut self, (start, len): (usize, usize)) -> *const Context {
        self.context.start = start;
        self.context.len = len;
        ptr::from_mut(self).cast::<Context>().cast_const()
    }
}

/// The adoption published for the coroutine holding `marker`, with this very type. Taken:
/// `CONTEXT` is null from here on in this resume, so nothing reaches the adoption through it
/// while the `&mut` returned is alive (see below).
fn adopter<'a, In: 'static, Y: 'static>(marker: usize) -> Option<&'a mut Adoption<In, Y>> {
    let context = Context::current(marker)?;
    // SAFETY: `context` is alive, and was published by the `__resume_adopted` /
    // `__forward_adopted` call resuming this coroutine, which is blocked in that resume (see
    // `Context::current`).
    let up = unsafe { adoption_of(context) }?;
    // The start that `up` is used for runs code of the sub-generator (its `state`, its
    // `resume` through the default `__resume_adopted`) before any resume that publishes
    // replaces the context. Left published, a `begin_send` / `begin_throw` /
    // `forward_reyield` of that code whose marker is forged to lie in this body (an address
    // of one of its locals: safe code can take it) would reach the adoption through
    // `CONTEXT` again, a second `&mut` (or a read through the parent pointer) beside `up`:
    // undefined behaviour under Stacked and Tree Borrows (`tests/it/hidden_api.rs`). Null,
    // as a publishing resume leaves it when it returns (see `machine::Clear`): a second
    // delegation this body starts in the same resume drives as a root. One store, once per
    // adopted delegation.
    CONTEXT.set(ptr::null());
    Some(up)
}

/// `context` as the adoption it is the first field of, if it has this very type.
///
/// # Safety
///
/// `context` must be alive, published by the `__resume_adopted` / `__forward_adopted` call
/// whose resume runs the caller (so that call is blocked, not using its `&mut Adoption`).
unsafe fn adoption_of<'a, In: 'static, Y: 'static>(
    context: *const Context,
) -> Option<&'a mut Adoption<In, Y>> {
    // SAFETY: `context` is alive (our contract); reading its `kind` is a plain read.
    let kind = unsafe { (*context).kind };
    if kind != Kind::Adoption(TypeId::of::<Adoption<In, Y>>()) {
        return None;
    }
    // The reference made below does not outlive that resume: the start it is used for runs
    // to its end before the body can suspend (what it resumes is `'static`, as every
    // sub-generator of a delegation is, so it cannot hold the `Co` of a stackful body it runs
    // on, the only thing that switches that stack out; a stackful sub-generator switches only
    // its own stack and comes back). Nothing else reaches the adoption through `context`
    // while it lives: `adopter` takes `CONTEXT` (a start of the code it runs, even with a
    // forged marker, finds none), and a stackful body's slot is reached only through its
    // `Co`, which that `'static` code cannot hold.
    // SAFETY: the kind says `context` is the first field of an `Adoption<In, Y>` (`repr(C)`;
    // `TypeId` compared, so the types are exactly these) and the pointer was derived from a
    // `&mut Adoption<In, Y>` as a whole (`Adoption::publish`), so it may be cast back and
    // written through. That `&mut` belongs to the `__resume_adopted` / `__forward_adopted`
    // call resuming this coroutine, which does not touch it until the resume returns: the
    // reference made here is a child of it (Tree Borrows) / sits above it (Stacked Borrows),
    // and is the only one used meanwhile (only by `begin` / `lend`, for the start of one
    // delegation; the bodies that start resumes see contexts of their own, derived from it).
    Some(unsafe { &mut *context.cast::<Adoption<In, Y>>().cast_mut() })
}

/// One step of an [`Entry`].
#[doc(hidden)]
pub enum Progress<Y> {
    /// The sub-generator yielded.
    Yielded(Y),
    /// The sub-generator yielded this instead of closing.
    IgnoredExit(Y),
    /// The sub-generator returned or raised; the outcome is in the delegator's cell.
    Finished,
}

/// One active delegation: a sub-generator, and the cell its delegator reads the outcome from.
/// `In` is what the delegator's `yield` receives; built by the macros of `stasis-delegate`.
#[doc(hidden)]
pub trait Entry<In, Y> {
    /// Starts the sub-generator (Python's `next(sub)`).
    fn start(&mut self, up: &mut Adoption<In, Y>) -> Progress<Y>;
    /// Forwards what the delegator's `yield` received (PEP 380).
    fn step(&mut self, input: In, up: &mut Adoption<In, Y>) -> Progress<Y>;
    /// Resumes the sub-generator, whose own delegate finished: its `yield from` reads the
    /// outcome and goes on.
    fn wake(&mut self, up: &mut Adoption<In, Y>) -> Progress<Y>;
    /// The sub-generator yielded while being closed: its delegator sees
    /// [`RuntimeError::IgnoredExit`] (CPython's `RuntimeError`).
    fn abandon(&mut self);
    /// Closes the sub-generator (its `close()`), the outcome in the delegator's cell: the exit,
    /// or what it raised while closing, or [`Progress::IgnoredExit`]. For a stackful driver
    /// hosting the entry (a driver of state machines closes through `step` or drops).
    fn close(&mut self) -> Progress<Y>;
}

/// The outcome cell an entry shares with its delegator.
pub type Outcome<R, E> = Rc<Cell<Option<Result<R, Thrown<E>>>>>;

/// The driver of a root body: its stack of entries, innermost last.
#[doc(hidden)]
pub struct Driver<In, Y> {
    entries: Vec<Box<dyn Entry<In, Y>>>,
    up: Adoption<In, Y>,
}

/// What [`Driver::step`] gives the root's `yield from`.
#[doc(hidden)]
pub enum Driven<Y> {
    /// Yield this.
    Yielded(Y),
    /// The root's own delegate finished (outcome in its cell); with the value a level yielded
    /// instead of closing, if one did.
    Done(Option<Y>),
}

impl<In: 'static, Y: 'static> Driver<In, Y> {
    fn new(wake: fn() -> In) -> Self {
        Driver { entries: Vec::new(), up: Adoption::new(wake) }
    }
}

/// The wake input of a `yield_from_throwing!` driver: `Ok(S::default())`.
pub(crate) fn ok_default<S: Default, E>() -> Result<S, Thrown<E>> {
    Ok(S::default())
}

impl<In, Y> Driver<In, Y> {
    /// Moves the entries handed up during the last step onto the stack.
    #[inline(always)]
    fn absorb(&mut self) {
        if !self.up.incoming.is_empty() {
            self.take_incoming();
        }
    }

    /// Out of line: rare (once per delegation), and inlined its registers would be saved and
    /// restored on every resume of the root's body.
    #[cold]
    #[inline(never)]
    fn take_incoming(&mut self) {
        self.entries.append(&mut self.up.incoming);
    }

    /// Forwards `input` (what the root's `yield` received) to the innermost delegate, then
    /// finishes and wakes delegators until one yields or the root's own delegate is done.
    /// `closing`: `input` closes the chain (CPython's `gen_close` cascade).
    #[inline]
    pub fn step(&mut self, input: In, closing: bool) -> Driven<Y> {
        let stepped = self.entries.len();
        let Some(top) = self.entries.last_mut() else { return Driven::Done(None) };
        let progress = top.step(input, &mut self.up);
        self.absorb();
        match progress {
            Progress::Yielded(y) if !closing => Driven::Yielded(y),
            progress => self.settle(progress, closing, stepped),
        }
    }

    /// `progress` came from the step of entry `stepped - 1`: the top one, or one below the
    /// delegations it handed up during that step.
    #[cold]
    fn settle(
        &mut self,
        mut progress: Progress<Y>,
        closing: bool,
        mut stepped: usize,
    ) -> Driven<Y> {
        let mut ignored = None;
        loop {
            match progress {
                Progress::Yielded(y) if !closing => return Driven::Yielded(y),
                Progress::Yielded(y) | Progress::IgnoredExit(y) => {
                    // This level yielded while the chain closes: it ignored the exit, whether
                    // the value is its own or comes from a delegation it started while
                    // handling the exit (CPython: `except GeneratorExit: yield from other()`,
                    // which stays suspended in it). What it started goes first (innermost
                    // first: the level is left waiting in its `yield from`, as CPython leaves
                    // it); its delegator sees `RuntimeError::IgnoredExit`; it is dropped
                    // (closed again) below, never resumed with that error itself.
                    ignored = Some(y);
                    while self.entries.len() > stepped {
                        drop(self.entries.pop());
                    }
                    if let Some(top) = self.entries.last_mut() {
                        top.abandon();
                    }
                }
                Progress::Finished => {}
            }
            drop(self.entries.pop());
            stepped = self.entries.len();
            let Some(top) = self.entries.last_mut() else { return Driven::Done(ignored) };
            progress = top.wake(&mut self.up);
            self.absorb();
        }
    }
}

impl<In, Y> Drop for Driver<In, Y> {
    fn drop(&mut self) {
        // Innermost first: every level's live locals are dropped before its delegator's, and
        // a level is dropped after the one it waits for, so no drop recurses down the chain.
        drop_innermost_first(&mut self.up.incoming);
        drop_innermost_first(&mut self.entries);
    }
}

/// Drops the entries of a stack, innermost (last) first. If one's drop panics (a level that
/// runs body code when dropped: a stackful one, or a loan that closes its sub-generator), the
/// rest still go innermost first while that panic unwinds, not in the order the `Vec`'s own
/// drop would take (outermost first: a level closed while the delegate it waits for is still
/// there). A second panic then aborts, as any drop panicking during unwinding does; `Gen`
/// and `mixed::Lent` catch theirs then. Rare: once per chain dropped, no cost per item.
fn drop_innermost_first<T>(entries: &mut Vec<T>) {
    /// Finishes the loop while a panic of one entry's drop unwinds.
    struct Rest<'a, T>(&'a mut Vec<T>);
    impl<T> Drop for Rest<'_, T> {
        fn drop(&mut self) {
            drop_innermost_first(self.0);
        }
    }
    while let Some(entry) = entries.pop() {
        let rest = Rest(entries);
        drop(entry);
        core::mem::forget(rest);
    }
}

/// How a `yield from` starts.
#[doc(hidden)]
pub enum Begin<Root, Y, R, E> {
    /// The sub-generator finished at once.
    Finished(Result<R, Thrown<E>>),
    /// A driver adopted it: yield this first item; when resumed, the outcome is in the cell.
    Adopted(Y, Outcome<R, E>),
    /// This body is the root: yield this first item, then drive with the root.
    Root(Root, Y),
}

/// What a root's step gives its `yield from`.
#[doc(hidden)]
pub enum Rooted<Y, R, E> {
    /// Yield this.
    Yielded(Y),
    /// The delegation is over: the `yield from` evaluates to `Ok` of this.
    Complete(R),
    /// The delegation is over: the `yield from` evaluates to `Err` of this.
    Raised(Thrown<E>),
    /// A level yielded this instead of closing: yield it (handed to the `close()` resuming
    /// this body, if that is what resumed it), then evaluate to
    /// `Err(Thrown::Runtime(RuntimeError::IgnoredExit))`.
    Ignored(Y),
}

/// A sub-generator's step as a [`Rooted`] (variant for variant, so that the hot path of a
/// depth-1 delegation converts nothing).
#[inline(always)]
fn rooted<Y, R, E>(step: Step<Y, R, E>) -> Rooted<Y, R, E> {
    match step {
        Step::Yielded(y) => Rooted::Yielded(y),
        Step::Complete(r) => Rooted::Complete(r),
        Step::Raised(t) => Rooted::Raised(t),
        Step::Exhausted => Rooted::Raised(already_finished()),
    }
}

/// Hands an entry up to `up`, below whatever its start hands up in turn.
fn hand_up<In, Y, R, E>(
    up: &mut Adoption<In, Y>,
    mut entry: Box<dyn Entry<In, Y>>,
    cell: Outcome<R, E>,
) -> Begin<Infallible, Y, R, E> {
    let at = up.incoming.len();
    match entry.start(up) {
        Progress::Yielded(y) | Progress::IgnoredExit(y) => {
            up.incoming.insert(at, entry);
            Begin::Adopted(y, cell)
        }
        Progress::Finished => Begin::Finished(outcome(&cell)),
    }
}

/// `Begin<Infallible, ..>` (never a root) as any `Begin`.
fn widen<Root, Y, R, E>(begin: Begin<Infallible, Y, R, E>) -> Begin<Root, Y, R, E> {
    match begin {
        Begin::Finished(o) => Begin::Finished(o),
        Begin::Adopted(y, cell) => Begin::Adopted(y, cell),
        Begin::Root(never, _) => match never {},
    }
}

/// The root of a `yield_from!` chain: its own sub-generator, typed, and the driver of the
/// levels below it.
#[doc(hidden)]
pub struct SendRoot<G, S: 'static>
where
    G: Generator<S>,
    G::Yield: 'static,
{
    // Dropped first: the levels below `sub` go before it (innermost first).
    driver: Driver<S, G::Yield>,
    sub: G,
}

/// Starts `yield_from!(sub)` in the body holding the local at `marker`. Sound for any
/// `marker`, from anywhere: it only selects the context published for the resume running now
/// (alive, see `Context::current`), or none (then this start is a root of its own); a wrong
/// one gives a wrong chain, never a dangling or second `&mut` (`adopter` takes the context).
#[doc(hidden)]
#[allow(clippy::type_complexity)]
// Not inlined: once per delegation, and inlined it would swell the frame (saved registers,
// stack) of every resume of the body that holds it.
#[inline(never)]
pub fn begin_send<S, G>(
    sub: G,
    marker: usize,
) -> Begin<SendRoot<G, S>, G::Yield, G::Return, G::Error>
where
    S: Default + 'static,
    G: Generator<S> + 'static,
    G::Yield: 'static,
{
    if sub.state() == State::Closed {
        return Begin::Finished(Err(already_finished()));
    }
    if let Some(up) = adopter::<S, G::Yield>(marker) {
        let cell = Rc::new(Cell::new(None));
        let entry = Box::new(SendEntry { sub, first: None, cell: cell.clone() });
        return widen(hand_up(up, entry, cell));
    }
    let mut root = SendRoot { driver: Driver::new(S::default), sub };
    let first = root.own(S::default());
    started(root, first)
}

/// How a root's start (its first step) begins its `yield from`.
fn started<Root, Y, R, E>(root: Root, first: Rooted<Y, R, E>) -> Begin<Root, Y, R, E> {
    match first {
        Rooted::Yielded(y) | Rooted::Ignored(y) => Begin::Root(root, y),
        Rooted::Complete(r) => Begin::Finished(Ok(r)),
        Rooted::Raised(t) => Begin::Finished(Err(t)),
    }
}

impl<G, S: Default + 'static> SendRoot<G, S>
where
    G: Generator<S>,
    G::Yield: 'static,
{
    /// Resumes the root's own sub-generator.
    #[inline(always)]
    fn own(&mut self, sent: S) -> Rooted<G::Yield, G::Return, G::Error> {
        let step = self.sub.__resume_adopted(sent, &mut self.driver.up, AdoptToken(()));
        self.driver.absorb();
        rooted(step)
    }

    /// Forwards what the root's `yield` received to the innermost active generator. `marker`
    /// is unused (the macros pass it to either root, see [`ThrowRoot::step`]).
    #[inline]
    pub fn step(&mut self, sent: S, marker: usize) -> Rooted<G::Yield, G::Return, G::Error> {
        let _ = marker;
        if self.driver.entries.is_empty() {
            return self.own(sent);
        }
        match self.driver.step(sent, false) {
            Driven::Yielded(y) => Rooted::Yielded(y),
            Driven::Done(_) => self.own(S::default()),
        }
    }
}

/// The root of a `yield_from_throwing!` chain (see [`SendRoot`]).
#[doc(hidden)]
pub struct ThrowRoot<G, S: 'static>
where
    G: Generator<S>,
    G::Yield: 'static,
    G::Error: 'static,
{
    // Dropped first: the levels below `sub` go before it (innermost first).
    driver: Driver<Result<S, Thrown<G::Error>>, G::Yield>,
    sub: G,
}

/// Starts `yield_from_throwing!(sub)` in the body holding the local at `marker` (sound for
/// any `marker`, as [`begin_send`]).
#[doc(hidden)]
#[allow(clippy::type_complexity)]
// Not inlined: once per delegation, and inlined it would swell the frame (saved registers,
// stack) of every resume of the body that holds it.
#[inline(never)]
pub fn begin_throw<S, G>(
    sub: G,
    marker: usize,
) -> Begin<ThrowRoot<G, S>, G::Yield, G::Return, G::Error>
where
    S: Default + 'static,
    G: Generator<S> + 'static,
    G::Yield: 'static,
    G::Error: 'static,
{
    if sub.state() == State::Closed {
        return Begin::Finished(Err(already_finished()));
    }
    if let Some(up) = adopter::<Result<S, Thrown<G::Error>>, G::Yield>(marker) {
        let cell = Rc::new(Cell::new(None));
        let entry = Box::new(ThrowEntry { sub, first: None, cell: cell.clone() });
        return widen(hand_up(up, entry, cell));
    }
    let mut root = ThrowRoot { driver: Driver::new(ok_default::<S, G::Error>), sub };
    let first = root.own(Ok(S::default()), false);
    started(root, first)
}

impl<G, S: Default + 'static> ThrowRoot<G, S>
where
    G: Generator<S>,
    G::Yield: 'static,
    G::Error: 'static,
{
    /// Forwards `input` to the root's own sub-generator; `closing`: the chain is closing, so
    /// a yield is an ignored exit.
    #[inline(always)]
    fn own(
        &mut self,
        input: Result<S, Thrown<G::Error>>,
        closing: bool,
    ) -> Rooted<G::Yield, G::Return, G::Error> {
        let (step, ignored) =
            self.sub.__forward_adopted(input, &mut self.driver.up, AdoptToken(()));
        self.driver.absorb();
        match step {
            Step::Yielded(y) if ignored || closing => Rooted::Ignored(y),
            step => rooted(step),
        }
    }

    /// Forwards what the root's `yield` received (PEP 380) to the innermost active generator.
    /// Must be called right after that `yield`: it reads the context `close()` published.
    /// `marker`: the address of a local of the body, taken after that `yield` (the generator
    /// may have moved since the delegation began: it is `Unpin`). Sound for any `marker`,
    /// called from anywhere, as [`forward_reyield`] (a wrong one gives a wrong result).
    #[inline]
    pub fn step(
        &mut self,
        input: Result<S, Thrown<G::Error>>,
        marker: usize,
    ) -> Rooted<G::Yield, G::Return, G::Error> {
        if matches!(input, Err(Thrown::Exit)) {
            return self.close(input, marker);
        }
        if self.driver.entries.is_empty() {
            return self.own(input, false);
        }
        match self.driver.step(input, false) {
            Driven::Yielded(y) => Rooted::Yielded(y),
            Driven::Done(_) => self.own(Ok(S::default()), false),
        }
    }

    /// The close cascade (`input` is the exit).
    #[cold]
    fn close(
        &mut self,
        input: Result<S, Thrown<G::Error>>,
        marker: usize,
    ) -> Rooted<G::Yield, G::Return, G::Error> {
        // Read before anything else runs in this resume: the context of whoever resumed us.
        let context = Context::current(marker);
        let rooted = if self.driver.entries.is_empty() {
            self.own(input, true)
        } else {
            match self.driver.step(input, true) {
                Driven::Yielded(y) => Rooted::Ignored(y),
                Driven::Done(ignored) => match (self.own(Ok(S::default()), true), ignored) {
                    (Rooted::Complete(_) | Rooted::Raised(_), Some(y)) => Rooted::Ignored(y),
                    (rooted, _) => rooted,
                },
            }
        };
        if let (Rooted::Ignored(_), Some(context)) = (&rooted, context) {
            // SAFETY: `context` was published by the resume of this body that is running now
            // (read right after its `yield`), so it is alive; only read / set through `Cell`
            // (see `Context::current`).
            let context = unsafe { &*context };
            if context.kind == Kind::Closing {
                context.ignored.set(true);
            }
        }
        rooted
    }
}

/// PEP 380's forwarding for the re-yielding form (`yield_from_throwing!(reyield sub)`), run
/// by the body holding the local at `marker` (its address taken after that `yield`: the
/// generator may have moved since the delegation began) right after its `yield`: as [`forward_closing`],
/// and if `sub` ignored an exit that a `close()` of this very body sent, tells that `close()`
/// (through the context it published, read before anything else runs) so that it reports
/// `CloseError::IgnoredExit` once the body unwound. Needs no `'static`. Sound for any
/// `marker`: a forged one can at worst flag the `close()` running now (a `Cell`), which then
/// resumes its body once more with the exit: a wrong result, not undefined behaviour.
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn forward_reyield<S, G: Generator<S>>(
    sub: &mut G,
    input: Result<S, Thrown<G::Error>>,
    marker: usize,
) -> (Step<G::Yield, G::Return, G::Error>, bool) {
    let context = if matches!(input, Err(Thrown::Exit)) { Context::current(marker) } else { None };
    let (step, ignored) = forward_closing(sub, input);
    if let (true, Some(context)) = (ignored, context) {
        // SAFETY: `context` was published by the resume of this body that is running now
        // (read right after its `yield`, before `forward_closing` resumed anything), so it
        // is alive; only read / set through `Cell` (see `Context::current`).
        let context = unsafe { &*context };
        if context.kind == Kind::Closing {
            context.ignored.set(true);
        }
    }
    (step, ignored)
}

/// Starts the sub-generator of the re-yielding form (Python's `next(sub)`).
#[doc(hidden)]
pub fn start_reyield<S: Default, G: Generator<S>>(
    sub: &mut G,
) -> Step<G::Yield, G::Return, G::Error> {
    if sub.state() == State::Closed {
        return Step::Raised(already_finished());
    }
    sub.resume(S::default())
}

/// What a `yield from` gives when its sub-generator had already finished (at the start, or
/// behind the delegator's back): CPython's `yield from` gives `None`, a Rust return value has
/// none, so the delegator gets this error to handle.
#[doc(hidden)]
#[cold]
pub fn already_finished<E>() -> Thrown<E> {
    Thrown::Runtime(RuntimeError::AlreadyFinished)
}

/// Reads the outcome a delegation left in its cell. Sound under any use (a `Cell` of an
/// owned value); the macros call it once, when the driver resumes a body whose delegation
/// finished (the cell is filled then, or by the entry's drop: see [`abandoned`]).
///
/// # Panics
///
/// If the cell holds no outcome: a caller bug, from a call other than the macros' (a cell
/// read twice, or before the delegation finished).
#[doc(hidden)]
pub fn outcome<R, E>(cell: &Outcome<R, E>) -> Result<R, Thrown<E>> {
    cell.take().unwrap_or_else(|| no_outcome())
}

#[cold]
#[inline(never)]
fn no_outcome() -> ! {
    panic!(
        "stasis::__delegate::outcome called before the delegation finished (or twice): a \
         misuse of a hidden API, which only the `yield_from!` macros may call"
    )
}

/// Records a sub-generator's step in the entry's cell.
#[inline]
fn settle<Y, R, E>(step: Step<Y, R, E>, cell: &Outcome<R, E>) -> Progress<Y> {
    match step {
        Step::Yielded(y) => Progress::Yielded(y),
        Step::Complete(r) => {
            cell.set(Some(Ok(r)));
            Progress::Finished
        }
        Step::Raised(t) => {
            cell.set(Some(Err(t)));
            Progress::Finished
        }
        Step::Exhausted => {
            cell.set(Some(Err(already_finished())));
            Progress::Finished
        }
    }
}

/// What [`Entry::close`] gives for the sub-generator's `close()`.
fn closed<Y, R, E>(
    closed: Result<Option<R>, crate::protocol::CloseError<Y, E>>,
    cell: &Outcome<R, E>,
) -> Progress<Y> {
    use crate::protocol::CloseError;
    let thrown = match closed {
        Ok(_) => Thrown::Exit,
        Err(CloseError::Raised(e)) => Thrown::Error(e),
        Err(CloseError::Runtime(r)) => Thrown::Runtime(r),
        Err(CloseError::IgnoredExit(y)) => {
            cell.set(Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit))));
            return Progress::IgnoredExit(y);
        }
    };
    cell.set(Some(Err(thrown)));
    Progress::Finished
}

/// What an entry dropped before its sub-generator finished leaves its delegator: the exit,
/// as if the sub-generator had been closed (CPython's `gen_close` of the delegate; dropping a
/// state machine is its close). A delegator still waiting for it (its `yield from` holds the
/// other `Rc` of the cell) reads an outcome when it is next resumed, never an empty cell: the
/// one resume it can still get is a close by whoever holds it (a stackful level's loan ending,
/// `mixed::Lent`'s drop, or a stackful driver's body resuming a state machine whose hosted
/// entries a panic dropped), which then unwinds it at its `yield from`. Once per delegation
/// (when an entry is dropped), never on an item's path.
fn abandoned<R, E>(cell: &Outcome<R, E>) {
    if Rc::strong_count(cell) > 1 {
        let outcome = cell.take().unwrap_or(Err(Thrown::Exit));
        cell.set(Some(outcome));
    }
}

/// The entry of `yield_from!`: the sub-generator gets what the delegator's `yield` received.
#[doc(hidden)]
pub struct SendEntry<G: Generator<S>, S> {
    sub: G,
    /// What `sub` starts with; `None`: the driver's wake input (Python's `None`).
    first: Option<S>,
    cell: Outcome<G::Return, G::Error>,
}

impl<G: Generator<S>, S> Drop for SendEntry<G, S> {
    fn drop(&mut self) {
        abandoned(&self.cell);
    }
}

impl<S, G: Generator<S>> Entry<S, G::Yield> for SendEntry<G, S> {
    fn start(&mut self, up: &mut Adoption<S, G::Yield>) -> Progress<G::Yield> {
        if self.sub.state() == State::Closed {
            self.cell.set(Some(Err(already_finished())));
            return Progress::Finished;
        }
        let first = self.first.take().unwrap_or_else(up.wake);
        self.step(first, up)
    }

    #[inline]
    fn step(&mut self, input: S, up: &mut Adoption<S, G::Yield>) -> Progress<G::Yield> {
        settle(self.sub.__resume_adopted(input, up, AdoptToken(())), &self.cell)
    }

    fn wake(&mut self, up: &mut Adoption<S, G::Yield>) -> Progress<G::Yield> {
        self.step((up.wake)(), up)
    }

    fn abandon(&mut self) {
        self.cell.set(Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit))));
    }

    fn close(&mut self) -> Progress<G::Yield> {
        closed(self.sub.close(), &self.cell)
    }
}

/// The entry of `yield_from_throwing!`: PEP 380's forwarding of send, throw and close.
#[doc(hidden)]
pub struct ThrowEntry<G: Generator<S>, S> {
    sub: G,
    /// What `sub` starts with; `None`: the driver's wake input (Python's `None`).
    first: Option<S>,
    cell: Outcome<G::Return, G::Error>,
}

impl<G: Generator<S>, S> Drop for ThrowEntry<G, S> {
    fn drop(&mut self) {
        abandoned(&self.cell);
    }
}

type ThrowIn<S, G> = Result<S, Thrown<<G as Generator<S>>::Error>>;

impl<S, G: Generator<S>> Entry<ThrowIn<S, G>, G::Yield> for ThrowEntry<G, S> {
    fn start(&mut self, up: &mut Adoption<ThrowIn<S, G>, G::Yield>) -> Progress<G::Yield> {
        if self.sub.state() == State::Closed {
            self.cell.set(Some(Err(already_finished())));
            return Progress::Finished;
        }
        let first = self.first.take().map_or_else(up.wake, Ok);
        self.step(first, up)
    }

    #[inline]
    fn step(
        &mut self,
        input: ThrowIn<S, G>,
        up: &mut Adoption<ThrowIn<S, G>, G::Yield>,
    ) -> Progress<G::Yield> {
        match self.sub.__forward_adopted(input, up, AdoptToken(())) {
            (Step::Yielded(y), true) => Progress::IgnoredExit(y),
            (step, _) => settle(step, &self.cell),
        }
    }

    fn wake(&mut self, up: &mut Adoption<ThrowIn<S, G>, G::Yield>) -> Progress<G::Yield> {
        self.step((up.wake)(), up)
    }

    fn abandon(&mut self) {
        self.cell.set(Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit))));
    }

    fn close(&mut self) -> Progress<G::Yield> {
        closed(self.sub.close(), &self.cell)
    }
}

mod mixed;
pub(crate) use mixed::lend;

// Out of line: `yield` is gated while parsing, before `cfg(test)` strips an inline module.
#[cfg(test)]
mod tests;
