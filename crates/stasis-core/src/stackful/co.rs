//! The yield handle, [`Co`](crate::Co): what a body holds to yield, to receive what the consumer sends,
//! throws or closes with, and to raise (Python's `raise`).
//!
//! A `Co` is built once per body, on the generator stack, by `Gen::on_stack`'s base closure;
//! the body only ever borrows it. [`Co::raise`](crate::Co::raise) stores the [`Thrown`](crate::Thrown) in the `Co` and unwinds
//! with the private [`RaiseToken`], which that base closure catches (and only that payload).
//!
//! Owns: [`Co`](crate::Co)'s fields, the plain suspension (`suspend`, [`Co::yield_`](crate::Co::yield_), [`Co::try_yield`](crate::Co::try_yield))
//! and raising. May not touch: the wire encoding (it goes through [`Slot::receive`]), the
//! delegation fields of the slot (`delegate.rs`, which also holds [`Co::delegate`](crate::Co::delegate)), or the
//! `Gen` (a body never sees it).

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use corosensei::Yielder;

use super::delegate::{EntryPtr, NOT_WAITING};
use super::generator::{Local, ThreadBound};
use super::slot::{Input, Now, Out, Slot, Unwinding, Wire};
#[cfg(doc)]
use super::{delegate::Driving, generator::Gen};
#[cfg(doc)]
use crate::protocol::{CloseError, Generator, Step};
use crate::protocol::{State, Thrown};

/// The unwinding payload of [`Co::raise`](crate::Co::raise); the thrown value itself waits in [`Co`](crate::Co).
pub(super) struct RaiseToken;

/// The yield handle a stackful body receives: pass `&Co` down into ordinary functions and yield
/// from any depth.
///
/// `Y` is what the body yields, `S` what `resume`/`send` delivers, `E` what `throw` delivers.
///
/// # Examples
///
/// Yielding from a recursive helper, with no generator object per level:
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Co, Gen};
///
/// fn walk(co: &Co<u32>, depth: u32) {
///     if depth == 0 {
///         return;
///     }
///     walk(co, depth - 1);
///     co.yield_(depth);
/// }
///
/// let g = Gen::new(|co, ()| walk(co, 4));
/// assert_eq!(g.collect::<Vec<_>>(), [1, 2, 3, 4]);
/// ```
pub struct Co<Y, S = (), E = Infallible> {
    /// The yielder of the coroutine this handle belongs to.
    pub(super) yielder: Local<*const Yielder<Wire<S>, Out<Y>>>,
    /// This generator's [`Slot`], at the top of its stack.
    pub(super) slot: Local<NonNull<Slot<Y, S, E>>>,
    /// The vector of the last delegation this body drove, kept for the next one (see
    /// [`Driving`]).
    pub(super) spare_stack: Local<Cell<Vec<EntryPtr<Y, S, E>>>>,
    /// A value being raised by [`Co::raise`](crate::Co::raise) while the stack unwinds to the base.
    pub(super) pending: Local<Cell<Option<Thrown<E>>>>,
    /// Values yielded by destructors during a panic of the body itself or while an error
    /// stasis raises unwinds it, in order, to be handed out once that unwinding is caught or
    /// reaches the base (see `Co::defer`, `Now::Raised`).
    /// A `RefCell`, not a `Cell`: the base reads whether it is empty without a store, so a
    /// body that deferred nothing (every body but a few) finishes as fast as before.
    pub(super) deferred: Local<RefCell<Vec<Y>>>,
    /// `Some(())` as an `S` when `S` is `()`, else `None`: what [`Co::yield_`](crate::Co::yield_) returns when it
    /// cannot suspend (see `Co::yield_while_unwinding`). Chosen by `Gen::on_stack`, where
    /// `S: 'static` lets it compare types.
    pub(super) unit_send: fn() -> Option<S>,
    /// Neither `Send` nor `Sync` (see [`ThreadBound`](crate::ThreadBound)); the other fields are [`Local`].
    pub(super) _thread: PhantomData<ThreadBound>,
}

/// `Some(())` as an `S` when `S` is `()`, else `None` (see [`Co::unit_send`]).
pub(super) fn unit_send<S: 'static>() -> Option<S> {
    let mut unit = Some(());
    (&mut unit as &mut dyn std::any::Any).downcast_mut::<Option<S>>()?.take()
}

impl<Y, S, E> Co<Y, S, E> {
    #[inline(always)]
    pub(super) fn suspend(&self, out: Out<Y>) -> Input<S, E> {
        // SAFETY: a `Co` is only ever created by `Gen::on_stack` inside the coroutine's base
        // closure, from the `&Yielder` that closure received, and the body only gets a `&Co`
        // borrowed from that frame (the closure bound is higher-ranked, so the reference cannot
        // escape). The yielder outlives the base frame, hence every `&Co`.
        let yielder = unsafe { &**self.yielder };
        let slot = self.slot();
        // A no-op on `yield_`'s fast path, which has just seen `No` there.
        if slot.unwinding.get() == Unwinding::Resumed {
            slot.unwinding.set(Unwinding::No);
        }
        let wire = yielder.suspend(out);
        self.slot().receive(wire)
    }

    /// What `throw` or `close` delivered at a plain yield.
    #[cold]
    fn interruption(input: Input<S, E>) -> Thrown<E> {
        match input {
            Input::Throw(err) => Thrown::Error(err),
            Input::Close => Thrown::Exit,
            Input::Send(_) | Input::Resume { .. } => unreachable!("{NOT_WAITING}"),
        }
    }

    /// Yields `value` to the consumer and returns what it sends next (Python's
    /// `received = yield value`).
    ///
    /// If the consumer throws an error or closes the generator while it waits here, the error
    /// (or [`Thrown::Exit`](crate::Thrown::Exit)) is raised at once with [`Co::raise`](crate::Co::raise): the body unwinds, destructors
    /// run, and the consumer gets the error back. Use [`Co::try_yield`](crate::Co::try_yield) to handle it instead.
    ///
    /// # In a destructor (Python's `finally: yield`)
    ///
    /// A destructor that runs while the body unwinds (`close()`, an unhandled `throw()`,
    /// [`Co::raise`](crate::Co::raise), dropping the generator, or a panic of the body
    /// itself) should not suspend: the
    /// unwinding is not finished, so the consumer would find its thread panicking
    /// (`std::thread::panicking()`, poisoned locks), and nothing may unwind out of that
    /// destructor (an exit raised there would abort the process).
    ///
    /// - With a send type of `()`, `yield_` there returns at once without suspending.
    ///   [`Co::try_yield`](crate::Co::try_yield) does the same with any send type (it returns
    ///   `Err(Thrown::Exit)`): use it in destructors. What becomes of the value depends on the
    ///   unwinding:
    ///   - during [`Generator::close`](crate::Generator::close) (the exit it raises), the value
    ///     is not handed out, but `close()` reports the first such value as
    ///     [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit), as CPython's `close()`
    ///     raises "generator ignored GeneratorExit" (the generator then ends closed, where
    ///     CPython leaves it suspended inside the `finally`); a drop drops it;
    ///   - while an error propagates ([`Co::raise`](crate::Co::raise) of an error, an unhandled
    ///     `throw()`, an error raised while handling the exit of a `close()`, or the exit of
    ///     [`Generator::throw_exit`](crate::Generator::throw_exit) or of a body that raises it
    ///     itself), or during a panic of the body itself (below), the value waits until the
    ///     unwinding reached the body's base, and goes out then as an ordinary yield, before
    ///     the error (or the panic) goes on at the next resume: CPython's `finally: yield` while
    ///     an exception propagates yields, then raises the exception at the next `next()`
    ///     (`throw(e)` returns the value, `close()` during an error reports it as
    ///     `IgnoredExit` and leaves the generator suspended, as CPython does). A close or a drop
    ///     at that value ends the generator and drops the error; a throw raises its error
    ///     instead (CPython replaces the exception at the `finally`'s yield). Values yielded in
    ///     order come out in order; what is sent to them is dropped. One difference: the code
    ///     after the yield in that destructor, and the destructors that run after it, have run
    ///     by the time the consumer sees the value (CPython runs them at the next resume).
    /// - With another send type, `yield_` has no value to return without suspending, so it
    ///   suspends there, in the middle of the unwinding (avoid it). Until the consumer sends a
    ///   value, std counts that unfinished unwinding on the consumer's thread
    ///   (`std::thread::panicking()` is true). `close()` and `throw()` cannot resume the body
    ///   there: they return [`RuntimeError::SuspendedInDestructor`](crate::RuntimeError::SuspendedInDestructor) and leave it suspended (CPython
    ///   would raise at that yield). A sent value resumes it: `yield_` returns it, and the
    ///   destructor and the unwinding go on. Dropping the generator instead leaks its stack
    ///   (the rest of its destructors never run), leaves the thread panicking for good, and
    ///   prints a message on stderr (CPython's "Exception ignored").
    ///
    /// During a panic of the body itself (not one of the consumer's: a generator resumed from a
    /// destructor while the consumer's thread panics yields as usual), the value of a `yield_`
    /// with a send type of `()` (or of a [`Co::try_yield`](crate::Co::try_yield)) waits in the
    /// same way, and the panic goes on at the resume after the last one. If the body catches
    /// the panic (or the error's unwinding, with a catch-all), the waiting values go out before
    /// anything it yields or returns next. With another send type, `yield_` suspends mid-unwind
    /// as above.
    ///
    /// To yield in a `finally` with CPython's exact behaviour, write it as code after
    /// `try_yield` instead of a destructor:
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{CloseError, Gen, Generator, State};
    ///
    /// let mut g = Gen::<&str>::new(|co, ()| {
    ///     let outcome = co.try_yield("working"); // try:
    ///     co.yield_("cleaning up"); // finally: (it may yield, as in Python)
    ///     if let Err(exit) = outcome {
    ///         co.raise(exit); // re-raise what the `try` got
    ///     }
    /// });
    /// assert_eq!(g.next(), Some("working"));
    /// assert_eq!(g.close(), Err(CloseError::IgnoredExit("cleaning up")));
    /// assert_eq!(g.state(), State::Suspended); // as in CPython: still inside the `finally`
    /// assert_eq!(g.close(), Ok(None)); // the `finally` re-raises the exit
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step};
    ///
    /// let mut echo = Gen::<String, (), String>::new(|co, first| {
    ///     let mut got = first;
    ///     loop {
    ///         got = co.yield_(got.to_uppercase());
    ///     }
    /// });
    /// assert_eq!(echo.resume("hi".into()), Step::Yielded("HI".into()));
    /// assert_eq!(echo.resume("there".into()), Step::Yielded("THERE".into()));
    /// ```
    // `always` in optimised builds: with `panicking()` beside the slot check, plain `#[inline]`
    // left `yield_` out of line in some bodies, which cost a switch's return-address prediction
    // (chain hop 7.2 -> 22 ns, create pooled 30 -> 56 ns in the benches). Not in debug builds,
    // where forced inlining grows every recursive body's frame (384 bytes per level of an
    // in-order walk instead of 96: `tests/it/delegation.rs` checks the documented figure).
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(debug_assertions, inline)]
    #[doc(alias = "yield")]
    pub fn yield_(&self, value: Y) -> S {
        if self.slot().unwinding.get() != Unwinding::No || std::thread::panicking() {
            return self.yield_while_unwinding(value);
        }
        // Two arms, not four: one compare on the hot path instead of a jump table.
        match self.suspend(MaybeUninit::new(value)) {
            Input::Send(sent) => sent,
            interrupted => self.raise(Self::interruption(interrupted)),
        }
    }

    /// Yields `value` and returns what comes back: `Ok(sent)`, or `Err` with the error thrown in
    /// by [`Generator::throw`](crate::Generator::throw) or [`Thrown::Exit`](crate::Thrown::Exit) from [`Generator::close`](crate::Generator::close). The body may
    /// handle it and go on, or re-raise it with [`Co::raise`](crate::Co::raise).
    ///
    /// After an `Exit`, yielding again makes `close()` fail with
    /// [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit), as in Python.
    ///
    /// In a destructor that runs while the body unwinds, it does not suspend: it returns
    /// `Err(Thrown::Exit)` at once. `close()` reports the value as
    /// [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit); while an error or a panic of
    /// the body itself propagates, the value goes out once the body is unwound, before the error
    /// or the panic goes on (see "In a destructor" on [`Co::yield_`](crate::Co::yield_)). That is
    /// the way to yield from a `Drop` guard:
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{CloseError, Co, Gen, Generator, Step, Thrown};
    ///
    /// struct Finally<'a>(&'a Co<u32>);
    /// impl Drop for Finally<'_> {
    ///     fn drop(&mut self) {
    ///         let _ = self.0.try_yield(99); // Python: `finally: yield 99`
    ///     }
    /// }
    ///
    /// let mut g = Gen::new(|co, ()| {
    ///     let _finally = Finally(co);
    ///     co.yield_(1);
    /// });
    /// assert_eq!(g.next(), Some(1));
    /// assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
    /// assert!(!std::thread::panicking());
    ///
    /// // An error propagating through it: the value comes first, as in CPython.
    /// let mut g = Gen::<u32>::throwing::<&str>(|co, ()| {
    ///     struct Finally<'a>(&'a Co<u32, (), &'static str>);
    ///     impl Drop for Finally<'_> {
    ///         fn drop(&mut self) {
    ///             let _ = self.0.try_yield(99);
    ///         }
    ///     }
    ///     let _finally = Finally(co);
    ///     co.yield_(1);
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.throw("boom"), Step::Yielded(99)); // the `finally` yields...
    /// assert_eq!(g.resume(()), Step::Raised(Thrown::Error("boom"))); // ...then the error
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<&str>::throwing::<String>(|co, ()| loop {
    ///     match co.try_yield("waiting") {
    ///         Ok(()) => {}
    ///         Err(Thrown::Error(msg)) => {
    ///             co.yield_("handled");
    ///             let _ = msg;
    ///         }
    ///         Err(exit) => co.raise(exit),
    ///     }
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded("waiting"));
    /// assert_eq!(g.throw("oops".into()), Step::Yielded("handled"));
    /// assert_eq!(g.close(), Ok(None));
    /// ```
    #[cfg_attr(not(debug_assertions), inline(always))] // as `yield_`
    #[cfg_attr(debug_assertions, inline)]
    pub fn try_yield(&self, value: Y) -> Result<S, Thrown<E>> {
        if self.slot().unwinding.get() != Unwinding::No || std::thread::panicking() {
            return self.try_yield_while_unwinding(value);
        }
        match self.suspend(MaybeUninit::new(value)) {
            Input::Send(sent) => Ok(sent),
            interrupted => Err(Self::interruption(interrupted)),
        }
    }

    /// Raises `thrown` out of the body (Python's `raise`): the generator stack unwinds, running
    /// destructors, and the consumer's current `resume`/`throw` returns [`Step::Raised`](crate::Step::Raised) (a
    /// `close()` in progress returns `Ok` for [`Thrown::Exit`](crate::Thrown::Exit)).
    ///
    /// A destructor that yields on the way (Python's `finally: yield`, spelled with
    /// [`Co::try_yield`](crate::Co::try_yield), or [`Co::yield_`](crate::Co::yield_) with a send
    /// type of `()`) does not suspend mid-unwind: its value goes out once the body is unwound,
    /// and `Step::Raised` comes at the resume after it, as CPython yields from the `finally`
    /// and raises at the next `next()`. Only the exit of a `close()` differs: `close()` reports
    /// that value as [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit). See "In a
    /// destructor" on [`Co::yield_`](crate::Co::yield_).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<i32>::throwing::<&str>(|co, ()| {
    ///     co.yield_(1);
    ///     co.raise(Thrown::Error("boom"))
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Raised(Thrown::Error("boom")));
    /// assert_eq!(g.resume(()), Step::Exhausted);
    /// ```
    pub fn raise(&self, thrown: Thrown<E>) -> ! {
        // The exit of a `close()` (which publishes `ignored_out` while it runs) reports what a
        // destructor yields as `IgnoredExit`; anything else raised lets it go out first.
        let defer = !matches!(thrown, Thrown::Exit) || self.slot().ignored_out.get().is_null();
        self.pending.set(Some(thrown));
        self.slot().start_unwinding(RaiseToken, defer)
    }

    /// Whether the thread is unwinding this generator's stack, which stasis started to unwind
    /// (the slot's `unwinding` is set): a yield now comes from a destructor run by that
    /// unwinding (Python's `finally: yield`). Suspending there would hand the consumer a
    /// thread that is still panicking (std's panic count is per thread, and the unwinding is
    /// only finished on this stack): `panicking()` would be true on its side, a `Mutex` it
    /// unlocks would be poisoned, and a later exit raised into that destructor would abort
    /// the process ("panic in a destructor during cleanup"). If the body caught the
    /// unwinding (a catch-all), it yields as usual from now on: the thread is no longer
    /// panicking, or, for an unwinding started while it already was (the consumer's own
    /// panic), the body dropped its payload (see `Unwinding::Tracked`).
    ///
    /// A body that caught such an unwinding and keeps its payload (or re-raises it later) is
    /// still taken for an unwinding body until it drops it.
    #[cold]
    pub(super) fn unwinding_now(&self) -> bool {
        self.slot().unwinding_now() != Now::Calm
    }

    /// A value yielded by a destructor during a panic of the body itself (`Now::Own`): it
    /// cannot go out now (the consumer would find its thread panicking), so it waits in the
    /// `Co` and goes out, in order, before anything else the body yields once it caught that
    /// panic, or, if the panic reaches the base, before it goes on to the consumer (see
    /// `Co::hand_out_deferred`). CPython's `finally: yield` yields while the exception
    /// propagates and raises it at the next resume.
    #[cold]
    fn defer(&self, value: Y) {
        self.deferred.borrow_mut().push(value);
        self.slot().unwinding.set(Unwinding::Own);
    }

    /// What a destructor yields while it runs for a yield that cannot suspend (see
    /// `unwinding_now`): reported to `close()` ([`Now::Ours`]), or kept to go out after the
    /// unwinding (a panic of the body itself, [`Now::Own`]; an error stasis raises,
    /// [`Now::Raised`]: the slot already says so, and stays as it is).
    #[cold]
    fn set_aside(&self, value: Y, now: Now) {
        match now {
            Now::Ours => self.ignore(value),
            Now::Own => self.defer(value),
            Now::Raised => self.deferred.borrow_mut().push(value),
            Now::Calm => unreachable!("a calm yield suspends"),
        }
    }

    /// Hands out, one suspension each, the values that wait in the `Co` (see `Co::defer`),
    /// dropping what is sent back (the yields that produced them returned long ago). A throw
    /// or a close at one of them drops the rest and comes back as its [`Thrown`](crate::Thrown),
    /// for the caller to raise where CPython would have raised it: at the `finally`'s yield,
    /// long passed, so at the caller's yield (or, at the base, out of the body).
    #[cold]
    pub(super) fn hand_out_deferred(&self) -> Result<(), Thrown<E>> {
        let deferred = self.deferred.take();
        let mut values = deferred.into_iter();
        for value in values.by_ref() {
            match self.suspend(MaybeUninit::new(value)) {
                Input::Send(_) => {}
                interrupted => return Err(Self::interruption(interrupted)),
            }
        }
        // Gives the (empty) vector back to be reused by the next panic.
        self.deferred.replace(values.collect());
        Ok(())
    }

    /// [`Co::try_yield`](crate::Co::try_yield) while the thread is panicking or this stack may
    /// be unwinding (see `unwinding_now`).
    #[cold]
    fn try_yield_while_unwinding(&self, value: Y) -> Result<S, Thrown<E>> {
        match self.slot().unwinding_now() {
            Now::Calm => {
                self.hand_out_deferred()?;
                match self.suspend(MaybeUninit::new(value)) {
                    Input::Send(sent) => Ok(sent),
                    interrupted => Err(Self::interruption(interrupted)),
                }
            }
            now => {
                self.set_aside(value, now);
                Err(Thrown::Exit)
            }
        }
    }

    /// A value yielded by a destructor while the body unwinds, which is not handed out (see
    /// `unwinding_now`): `close()` reports the first one as [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit) (as
    /// CPython's close reports "generator ignored GeneratorExit"); otherwise it is dropped.
    #[cold]
    fn ignore(&self, value: Y) {
        let out = self.slot().ignored_out.get();
        if out.is_null() {
            return drop(value);
        }
        // SAFETY: `Gen::close` (or a `GenEntry` closing this generator) published `out`, a
        // local of its frame, which is blocked in the resume that is unwinding this body, and
        // unpublishes it (also when unwinding) before that frame ends; only this stack and
        // that frame use it, one at a time.
        let out = unsafe { &mut *out };
        if out.is_none() {
            *out = Some(value);
        }
    }

    /// [`Co::yield_`](crate::Co::yield_) while the thread is panicking or this stack may be
    /// unwinding (see `unwinding_now`).
    #[cold]
    fn yield_while_unwinding(&self, value: Y) -> S {
        let now = self.slot().unwinding_now();
        if now == Now::Calm {
            // Nothing unwinds this stack (or the body caught it): a plain yield, after the
            // values destructors yielded during a panic the body caught.
            if let Err(thrown) = self.hand_out_deferred() {
                drop(value);
                self.raise(thrown);
            }
            return match self.suspend(MaybeUninit::new(value)) {
                Input::Send(sent) => sent,
                interrupted => self.raise(Self::interruption(interrupted)),
            };
        }
        if let Some(unit) = (self.unit_send)() {
            self.set_aside(value, now);
            return unit;
        }
        // A destructor run by an unwinding (ours, or a panic of the body itself), and a send
        // type other than `()`: there is no
        // value to return without suspending, and nothing may unwind out of this destructor
        // (the process would abort). So it suspends, and only a sent value can resume it: the
        // flag makes `Slot::transmit` refuse a throw or a close, and `Gen`'s drop leave the
        // stack as it is. Meanwhile std's panic count on this thread includes this unfinished
        // unwinding (documented on `yield_`: use `try_yield` in destructors).
        let slot = self.slot();
        slot.suspended_in_unwind.set(true);
        Slot::<Y, S, E>::count_stuck(1);
        // The consumer that sends the value finds its thread panicking (this very
        // unwinding): not a sign that it panics itself (`Unwinding::Resumed`).
        let unwinding = slot.unwinding.get();
        let input = self.suspend(MaybeUninit::new(value));
        slot.unwinding.set(unwinding);
        Slot::<Y, S, E>::count_stuck(-1);
        slot.suspended_in_unwind.set(false);
        match input {
            Input::Send(sent) => sent,
            // Refused by `Slot::transmit`; the drop never resumes such a body.
            Input::Throw(_) | Input::Close | Input::Resume { .. } => {
                unreachable!(
                    "stasis bug: a body suspended in a destructor mid-unwind was resumed without a value"
                )
            }
        }
    }

    /// The state of this handle's generator, seen from inside its body: always
    /// [`State::Running`](crate::State::Running).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, State};
    /// let mut g = Gen::new(|co, ()| co.yield_(co.state()));
    /// assert_eq!(g.next(), Some(State::Running));
    /// ```
    pub fn state(&self) -> State {
        State::Running
    }

    #[inline(always)]
    pub(super) fn slot(&self) -> &Slot<Y, S, E> {
        // SAFETY: the slot is at the top of this generator's stack, which outlives the body
        // (hence every `&Co`); only `Cell` methods touch it, on this thread.
        unsafe { self.slot.as_ref() }
    }
}

impl<Y, S, E> fmt::Debug for Co<Y, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Co").finish_non_exhaustive()
    }
}
