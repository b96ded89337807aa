//! The state-machine backend: nightly `#[coroutine]` closures (`core::ops::Coroutine`) behind the
//! generator protocol.
//!
//! A compiler-generated coroutine is a state machine: no stack of its own, a resume is a
//! function call (about 1 ns), but it can only yield from its own body, not from functions it
//! calls. This module adds what `core::ops::Coroutine` lacks for Python's protocol:
//! - a completed coroutine reports [`Step::Exhausted`] instead of panicking on the next resume;
//! - the state (created, suspended, closed), and `Closed` after a panic in the body;
//! - `close()` drops the coroutine, so the destructors of the locals it holds (its `finally`
//!   guards) run;
//! - with [`ThrowingStateMachine`], `throw` and `close` reach the body as `Err` values at its
//!   `yield`, where `?` propagates them.
//!
//! Plain coroutines plug in with one call, [`from_coroutine`]; a `static` (self-borrowing)
//! coroutine is `!Unpin`, so pin it first: `from_coroutine(Box::pin(c))`.
//!
//! Delegation (`stasis-delegate`'s `yield_from!`) is flat: the outermost delegating body
//! drives the innermost delegate directly (design and diagram in `machine/delegate.rs` and in
//! `stasis-delegate`'s crate docs). What it costs the plain path: one thread-local load and a
//! predicted branch per resume, no store (the context is null outside a publishing resume; a
//! plain resume nested in one hides it); a resume by a delegation driver publishes one.

use core::convert::Infallible;
use core::fmt;
use core::ops::{Coroutine, CoroutineState};
use core::pin::Pin;
use core::ptr;
use std::iter::FusedIterator;

use crate::protocol::{CloseError, Generator, State, Step, Thrown};

#[doc(hidden)]
pub mod delegate;

use crate::protocol::AdoptToken;
pub(crate) use delegate::Adoption;
use delegate::{CONTEXT, Context};

/// A state machine's frame: its coroutine, `None` once the generator is closed, and whether
/// it started. (Not to be confused with the stackful backend's `Slot`, the reserved bytes at
/// the top of a generator stack through which inputs cross a switch.)
struct Frame<C> {
    coroutine: Option<C>,
    started: bool,
}

/// Closes the frame if the body panics during a resume (the coroutine is poisoned then).
struct PanicGuard<'a, C>(&'a mut Option<C>);

impl<C> Drop for PanicGuard<'_, C> {
    fn drop(&mut self) {
        *self.0 = None;
    }
}

/// Puts back the [`Context`] a plain resume nested in a publishing one hid, when it returns
/// or unwinds.
struct Restore(*const Context);

impl Drop for Restore {
    #[inline(always)]
    fn drop(&mut self) {
        CONTEXT.set(self.0);
    }
}

/// Held around every resume of a stackful generator (`Slot::transmit`): its body runs on
/// another stack and can switch back out (`Co::yield_`) from inside a state machine it
/// resumes, with that resume's [`Restore`] or [`Clear`] still pending on its stack. So the
/// body never sees its resumer's context (as a plain resume), and whatever it leaves in
/// `CONTEXT` when it switches out stays with it: the resumer's context is put back. Without
/// this a suspended body could later put back a context whose resume had returned (dangling)
/// or leave its own published after switching out. A load and a branch on each side when no
/// context is published.
pub(crate) struct StackSwitch(*const Context);

impl StackSwitch {
    #[inline(always)]
    pub(crate) fn enter() -> Self {
        let outer = CONTEXT.get();
        if !outer.is_null() {
            CONTEXT.set(ptr::null());
        }
        StackSwitch(outer)
    }
}

impl Drop for StackSwitch {
    #[inline(always)]
    fn drop(&mut self) {
        if CONTEXT.get() != self.0 {
            CONTEXT.set(self.0);
        }
    }
}

/// Clears the [`Context`] a resume published, when it returns or unwinds.
///
/// Null, not the previous value: a context is only needed at the start of a delegation or of
/// a close cascade, both of which read it before they resume anything, and null is never
/// dangling. (The one thing lost: a body that, in the same resume, starts a second delegation
/// after a nested publishing resume returned, or after one it handed up (which takes the
/// context: `delegate::adopter`) finished at its start, delegates as a root of its own: correct, one
/// level more per item.) Saves the load of the previous value and a register to keep it in.
struct Clear;

impl Drop for Clear {
    #[inline(always)]
    fn drop(&mut self) {
        CONTEXT.set(ptr::null());
    }
}

impl<C> Frame<C> {
    fn new(coroutine: C) -> Self {
        Frame { coroutine: Some(coroutine), started: false }
    }

    /// A plain resume: the body sees no [`Context`] (not its resumer's, see `delegate.rs`).
    /// On top of the coroutine's own resume, one thread-local load and a branch, no store:
    /// outside a publishing resume the context is already null (publishing resumes clear it
    /// afterwards), and only a resume nested in one has to hide it.
    #[inline]
    fn resume<A>(&mut self, arg: A) -> Option<CoroutineState<C::Yield, C::Return>>
    where
        C: Coroutine<A> + Unpin,
    {
        // Nested in a publishing resume (a body resuming a generator it holds while a driver
        // or a `close()` resumes it): null for this resume, the outer context back afterwards
        // (also on unwind), so the outer body can still find it. No call on either path,
        // so a loop that resumes an inlined coroutine can keep its state in registers.
        if CONTEXT.get().is_null() {
            return self.resume_here(arg);
        }
        let _restore = Restore(CONTEXT.replace(ptr::null()));
        self.resume_here(arg)
    }

    /// Resumes the coroutine with `arg`, telling its body `context` for the duration of this
    /// resume (null again when it returns or unwinds, see [`Clear`]).
    #[inline]
    fn resume_with<A>(
        &mut self,
        arg: A,
        context: *const Context,
    ) -> Option<CoroutineState<C::Yield, C::Return>>
    where
        C: Coroutine<A> + Unpin,
    {
        CONTEXT.set(context);
        let _clear = Clear;
        self.resume_here(arg)
    }

    #[inline(always)]
    fn resume_here<A>(&mut self, arg: A) -> Option<CoroutineState<C::Yield, C::Return>>
    where
        C: Coroutine<A> + Unpin,
    {
        self.coroutine.as_ref()?;
        // Stored once: a store on every resume costs the tightest loops a cycle.
        if !self.started {
            self.started = true;
        }
        let guard = PanicGuard(&mut self.coroutine);
        let state = match guard.0 {
            Some(coroutine) => Pin::new(coroutine).resume(arg),
            None => unreachable!("checked above"),
        };
        core::mem::forget(guard);
        if let CoroutineState::Complete(_) = state {
            self.coroutine = None;
        }
        Some(state)
    }

    /// Where the coroutine's state lives (its locals held across a `yield` are in there): a
    /// delegation accepts a [`Context`] only from the generator whose bytes hold it.
    fn bytes(&self) -> (usize, usize) {
        (ptr::from_ref(&self.coroutine).addr(), size_of::<Option<C>>())
    }

    fn state(&self) -> State {
        match (&self.coroutine, self.started) {
            (None, _) => State::Closed,
            (Some(_), false) => State::Created,
            (Some(_), true) => State::Suspended,
        }
    }

    fn is_suspended(&self) -> bool {
        self.coroutine.is_some() && self.started
    }
}

/// A generator from a nightly coroutine (`#[coroutine]` closure) that cannot be thrown into.
///
/// Build it with [`from_coroutine`]. `close()` (and drop) drop the coroutine, running the
/// destructors of the locals it holds at its current `yield`.
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # use stasis_core as stasis;
/// use stasis::{from_coroutine, Generator, Step};
///
/// let mut g = from_coroutine(#[coroutine] || {
///     yield 1;
///     yield 2;
///     "Done!"
/// });
/// assert_eq!(g.resume(()), Step::Yielded(1));
/// assert_eq!(g.resume(()), Step::Yielded(2));
/// assert_eq!(g.resume(()), Step::Complete("Done!"));
/// assert_eq!(g.resume(()), Step::Exhausted);
/// ```
#[must_use = "generators do nothing unless resumed"]
pub struct StateMachine<C: Coroutine<()>> {
    frame: Frame<C>,
    outcome: Option<<C as Coroutine<()>>::Return>,
}

/// Wraps a nightly coroutine as a [`Generator`]. One call, no boxing.
///
/// The coroutine must be `Unpin`: closures without `static` are; pin a `static` one with
/// `Box::pin` first. Use [`from_throwing_coroutine`] for a body that handles `throw`/`close`.
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # use stasis_core as stasis;
/// let squares = stasis::from_coroutine(#[coroutine] || {
///     for x in 1..=4u32 {
///         yield x * x;
///     }
/// });
/// assert_eq!(squares.collect::<Vec<_>>(), [1, 4, 9, 16]);
/// ```
pub fn from_coroutine<C>(coroutine: C) -> StateMachine<C>
where
    C: Coroutine<()> + Unpin,
{
    StateMachine { frame: Frame::new(coroutine), outcome: None }
}

/// Wraps a nightly coroutine that takes send values (`#[coroutine] |first: S| { let x = yield v; }`).
///
/// The `Iterator`-free sibling of [`from_coroutine`] for coroutines resumed with `S != ()`.
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # use stasis_core as stasis;
/// use stasis::{Generator, Step};
///
/// let mut running_sum = stasis::from_sending_coroutine(#[coroutine] |first: i32| {
///     let mut total = first;
///     loop {
///         total += yield total;
///     }
/// });
/// assert_eq!(running_sum.resume(5), Step::Yielded(5));
/// assert_eq!(running_sum.resume(7), Step::Yielded(12));
/// ```
pub fn from_sending_coroutine<C, S>(coroutine: C) -> SendingStateMachine<C, S>
where
    C: Coroutine<S> + Unpin,
{
    SendingStateMachine { frame: Frame::new(coroutine), _send: core::marker::PhantomData }
}

impl<C: Coroutine<()> + Unpin> StateMachine<C> {
    /// The return value kept by `Iterator::next` when the body returned (readable once).
    ///
    /// # Examples
    ///
    /// ```
    /// #![feature(coroutines, stmt_expr_attributes)]
    /// # use stasis_core as stasis;
    /// let mut g = stasis::from_coroutine(#[coroutine] || { yield 1; "Done!" });
    /// assert_eq!(g.by_ref().count(), 1);
    /// assert_eq!(g.take_return(), Some("Done!"));
    /// ```
    pub fn take_return(&mut self) -> Option<C::Return> {
        self.outcome.take()
    }
}

impl<C: Coroutine<()> + Unpin> Generator<()> for StateMachine<C> {
    type Yield = C::Yield;
    type Return = C::Return;
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, arg: ()) -> Step<C::Yield, C::Return> {
        plain_step(self.frame.resume(arg))
    }

    fn throw(&mut self, err: Infallible) -> Step<C::Yield, C::Return> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<C::Return>, CloseError<C::Yield, Infallible>> {
        self.frame.coroutine = None;
        Ok(None)
    }

    fn state(&self) -> State {
        self.frame.state()
    }

    fn __resume_adopted(
        &mut self,
        arg: (),
        up: &mut Adoption<(), C::Yield>,
        _: AdoptToken,
    ) -> Step<C::Yield, C::Return> {
        let context = up.publish(self.frame.bytes());
        plain_step(self.frame.resume_with(arg, context))
    }
}

/// A coroutine's step as a [`Step`] of a generator that cannot raise.
#[inline(always)]
fn plain_step<Y, R, E>(state: Option<CoroutineState<Y, R>>) -> Step<Y, R, E> {
    match state {
        Some(CoroutineState::Yielded(y)) => Step::Yielded(y),
        Some(CoroutineState::Complete(r)) => Step::Complete(r),
        None => Step::Exhausted,
    }
}

impl<C: Coroutine<()> + Unpin> Iterator for StateMachine<C> {
    type Item = C::Yield;

    #[inline]
    fn next(&mut self) -> Option<C::Yield> {
        match self.resume(()) {
            Step::Yielded(y) => Some(y),
            Step::Complete(r) => {
                self.outcome = Some(r);
                None
            }
            Step::Raised(t) => match t.error() {
                Some(never) => match never {},
                None => None,
            },
            Step::Exhausted => None,
        }
    }
}

impl<C: Coroutine<()> + Unpin> FusedIterator for StateMachine<C> {}

impl<C: Coroutine<()>> fmt::Debug for StateMachine<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateMachine").field("state", &self.frame.state()).finish_non_exhaustive()
    }
}

/// A generator from a nightly coroutine resumed with values of type `S` (Python's `send`).
///
/// Built with [`from_sending_coroutine`].
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # use stasis_core as stasis;
/// use stasis::{Generator, State};
/// let mut g = stasis::from_sending_coroutine(#[coroutine] |x: u8| { yield x; });
/// assert_eq!(g.state(), State::Created);
/// ```
#[must_use = "generators do nothing unless resumed"]
pub struct SendingStateMachine<C, S> {
    frame: Frame<C>,
    _send: core::marker::PhantomData<fn(S)>,
}

impl<C: Coroutine<S> + Unpin, S> Generator<S> for SendingStateMachine<C, S> {
    type Yield = C::Yield;
    type Return = C::Return;
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<C::Yield, C::Return> {
        plain_step(self.frame.resume(arg))
    }

    fn throw(&mut self, err: Infallible) -> Step<C::Yield, C::Return> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<C::Return>, CloseError<C::Yield, Infallible>> {
        self.frame.coroutine = None;
        Ok(None)
    }

    fn state(&self) -> State {
        self.frame.state()
    }

    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, C::Yield>,
        _: AdoptToken,
    ) -> Step<C::Yield, C::Return> {
        let context = up.publish(self.frame.bytes());
        plain_step(self.frame.resume_with(arg, context))
    }
}

impl<C, S> fmt::Debug for SendingStateMachine<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendingStateMachine")
            .field("state", &self.frame.state())
            .finish_non_exhaustive()
    }
}

/// A generator from a nightly coroutine that handles Python's `throw` and `close`.
///
/// The coroutine is resumed with `Result<S, Thrown<E>>`: `Ok(sent)` for `resume(sent)`,
/// `Err(Thrown::Error(e))` for `throw(e)`, `Err(Thrown::Exit)` for `close()`. It returns
/// `Result<R, Thrown<E>>`, so `let x = (yield v)?;` re-raises whatever it does not handle.
/// Build it with [`from_throwing_coroutine`].
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # use stasis_core as stasis;
/// use stasis::{from_throwing_coroutine, Generator, Step, Thrown};
///
/// let mut g = from_throwing_coroutine(#[coroutine] |_first: Result<(), Thrown<&str>>| {
///     loop {
///         match yield "waiting" {
///             Ok(()) => {}
///             Err(Thrown::Error(e)) => (yield e)?,
///             Err(exit) => return Err(exit),
///         }
///     }
///     #[allow(unreachable_code)]
///     Ok(())
/// });
/// assert_eq!(g.resume(()), Step::Yielded("waiting"));
/// assert_eq!(g.throw("oops"), Step::Yielded("oops"));
/// assert_eq!(g.close(), Ok(None));
/// ```
#[must_use = "generators do nothing unless resumed"]
pub struct ThrowingStateMachine<C, S, E> {
    frame: Frame<C>,
    _io: core::marker::PhantomData<fn(S, E)>,
}

/// Wraps a nightly coroutine that receives `Result<S, Thrown<E>>` and returns
/// `Result<R, Thrown<E>>`: the state-machine generator that can be thrown into and can observe
/// `close()`.
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # use stasis_core as stasis;
/// use stasis::{from_throwing_coroutine, Generator, Step, Thrown};
///
/// let mut g = from_throwing_coroutine(#[coroutine] |_: Result<(), Thrown<String>>| {
///     let () = (yield 1)?; // re-raises what it does not handle
///     Ok("finished")
/// });
/// assert_eq!(g.resume(()), Step::Yielded(1));
/// assert_eq!(g.throw("bad".to_string()), Step::Raised(Thrown::Error("bad".to_string())));
/// assert_eq!(g.resume(()), Step::Exhausted);
/// ```
pub fn from_throwing_coroutine<C, S, E, R>(coroutine: C) -> ThrowingStateMachine<C, S, E>
where
    C: Coroutine<Result<S, Thrown<E>>, Return = Result<R, Thrown<E>>> + Unpin,
{
    ThrowingStateMachine { frame: Frame::new(coroutine), _io: core::marker::PhantomData }
}

impl<C, S, E, R> ThrowingStateMachine<C, S, E>
where
    C: Coroutine<Result<S, Thrown<E>>, Return = Result<R, Thrown<E>>> + Unpin,
{
    /// Resumes the body with `input`, telling it `context` (null: a plain resume).
    #[inline]
    fn drive(
        &mut self,
        input: Result<S, Thrown<E>>,
        context: *const Context,
    ) -> Step<C::Yield, R, E> {
        let state = if context.is_null() {
            self.frame.resume(input)
        } else {
            self.frame.resume_with(input, context)
        };
        match state {
            Some(CoroutineState::Yielded(y)) => Step::Yielded(y),
            Some(CoroutineState::Complete(Ok(r))) => Step::Complete(r),
            Some(CoroutineState::Complete(Err(t))) => Step::Raised(t),
            None => Step::Exhausted,
        }
    }

    /// `throw(err)`, telling the body `context`.
    fn throw_with(&mut self, err: E, context: *const Context) -> Step<C::Yield, R, E> {
        if self.frame.is_suspended() {
            return self.drive(Err(Thrown::Error(err)), context);
        }
        self.frame.coroutine = None;
        Step::Raised(Thrown::Error(err))
    }
}

impl<C, S, E, R> Generator<S> for ThrowingStateMachine<C, S, E>
where
    C: Coroutine<Result<S, Thrown<E>>, Return = Result<R, Thrown<E>>> + Unpin,
{
    type Yield = C::Yield;
    type Return = R;
    type Error = E;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<C::Yield, R, E> {
        self.drive(Ok(arg), ptr::null())
    }

    fn throw(&mut self, err: E) -> Step<C::Yield, R, E> {
        self.throw_with(err, ptr::null())
    }

    fn close(&mut self) -> Result<Option<R>, CloseError<C::Yield, E>> {
        if !self.frame.is_suspended() {
            self.frame.coroutine = None;
            return Ok(None);
        }
        // Published to this body only, for this resume: where its `yield_from_throwing!`
        // hands over an exit its delegate ignored (see `hand_off_ignored_exit`).
        let closing = Context::closing(self.frame.bytes());
        match self.drive(Err(Thrown::Exit), &raw const closing) {
            Step::Yielded(y) if closing.ignored() => {
                // The body's `yield from` handed over the value its delegate yielded instead
                // of closing: finish the close, so the body unwinds as CPython's delegator
                // does on its `RuntimeError`, and report it.
                match self.drive(Err(Thrown::Exit), ptr::null()) {
                    Step::Yielded(again) => Err(CloseError::IgnoredExit(again)),
                    Step::Complete(r) => Ok(Some(r)),
                    Step::Raised(Thrown::Error(e)) => Err(CloseError::Raised(e)),
                    Step::Raised(Thrown::Exit | Thrown::Runtime(_)) | Step::Exhausted => {
                        Err(CloseError::IgnoredExit(y))
                    }
                }
            }
            Step::Yielded(y) => Err(CloseError::IgnoredExit(y)),
            Step::Complete(r) => Ok(Some(r)),
            Step::Raised(Thrown::Error(e)) => Err(CloseError::Raised(e)),
            Step::Raised(Thrown::Runtime(r)) => Err(CloseError::Runtime(r)),
            Step::Raised(Thrown::Exit) | Step::Exhausted => Ok(None),
        }
    }

    fn state(&self) -> State {
        self.frame.state()
    }

    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<E>>,
        up: &mut Adoption<Result<S, Thrown<E>>, C::Yield>,
        _: AdoptToken,
    ) -> (Step<C::Yield, R, E>, bool) {
        match input {
            Ok(sent) => {
                let context = up.publish(self.frame.bytes());
                (self.drive(Ok(sent), context), false)
            }
            Err(Thrown::Error(err)) => {
                let context = up.publish(self.frame.bytes());
                (self.throw_with(err, context), false)
            }
            exit @ Err(Thrown::Exit) => crate::protocol::forward_closing(self, exit),
            // The protocol cannot throw a runtime error into a generator: it stays the caller's.
            Err(Thrown::Runtime(r)) => (Step::Raised(Thrown::Runtime(r)), false),
        }
    }
}

impl<C, S, E> Drop for ThrowingStateMachine<C, S, E> {
    fn drop(&mut self) {
        // Python's finalizer would throw GeneratorExit in; the coroutine's Resume type is only
        // known through the `Generator` impl, so drop runs the destructors of its live locals
        // (the same `finally` guards) without a last resume.
        self.frame.coroutine = None;
    }
}

impl<C, S, E> fmt::Debug for ThrowingStateMachine<C, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThrowingStateMachine")
            .field("state", &self.frame.state())
            .finish_non_exhaustive()
    }
}
