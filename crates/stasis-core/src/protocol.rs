//! The generator protocol: Python's `next` / `send` / `throw` / `close` / state, as one Rust trait.
//!
//! Every backend (stackful [`Gen`](crate::Gen), state machine [`StateMachine`](crate::StateMachine),
//! [`ThrowingStateMachine`](crate::ThrowingStateMachine)) and every combinator or delegation
//! helper speaks this protocol and nothing else. This module is meant to stay small and stable.
//!
//! | Python                          | Rust                                            |
//! |---------------------------------|-------------------------------------------------|
//! | `next(g)`                       | `g.resume(())` (or `Iterator::next`)            |
//! | `g.send(v)`                     | `g.resume(v)`                                   |
//! | value of `yield`                | [`Step::Yielded`](crate::Step::Yielded)                               |
//! | `StopIteration(value)`          | [`Step::Complete`](crate::Step::Complete) (reported once)              |
//! | `StopIteration` afterwards      | [`Step::Exhausted`](crate::Step::Exhausted)                             |
//! | an exception leaving the body   | [`Step::Raised`](crate::Step::Raised)                                |
//! | `g.throw(e)`                    | [`Generator::throw`](crate::Generator::throw)                            |
//! | `g.close()`                     | [`Generator::close`](crate::Generator::close)                            |
//! | `inspect.getgeneratorstate(g)`  | [`Generator::state`](crate::Generator::state)                            |

use core::convert::Infallible;
use core::fmt;

#[cfg(feature = "nightly")]
use crate::machine::Adoption;

/// The outcome of resuming a generator (with `resume` or `throw`).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator, Step};
///
/// let mut g = Gen::<_, &str>::new(|co, ()| {
///     co.yield_(1);
///     "done"
/// });
/// assert_eq!(g.resume(()), Step::Yielded(1));
/// assert_eq!(g.resume(()), Step::Complete("done"));
/// assert_eq!(g.resume(()), Step::Exhausted);
/// ```
#[must_use = "a step may carry the generator's return value or an error"]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step<Y, R, E = Infallible> {
    /// The body yielded a value and is suspended at that `yield`.
    Yielded(Y),
    /// The body returned this value (Python's `StopIteration.value`). Reported exactly once; the
    /// generator is closed afterwards.
    #[doc(alias = "StopIteration")]
    Complete(R),
    /// An exception left the body: a thrown error it did not handle, an error it raised with
    /// [`Co::raise`](crate::Co::raise), or [`Thrown::Exit`](crate::Thrown::Exit) re-raised after an ignored `close()`.
    /// The generator is closed afterwards.
    Raised(Thrown<E>),
    /// The generator had already finished (Python's bare `StopIteration`); resuming it is a
    /// harmless no-op.
    Exhausted,
}

impl<Y, R, E> Step<Y, R, E> {
    /// The yielded value, if the body yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Step;
    /// assert_eq!(Step::<i32, ()>::Yielded(3).yielded(), Some(3));
    /// assert_eq!(Step::<i32, ()>::Exhausted.yielded(), None);
    /// ```
    pub fn yielded(self) -> Option<Y> {
        match self {
            Step::Yielded(y) => Some(y),
            _ => None,
        }
    }

    /// Whether this step leaves the generator suspended (only [`Step::Yielded`](crate::Step::Yielded) does).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Step;
    /// assert!(Step::<i32, ()>::Yielded(3).is_yielded());
    /// assert!(!Step::<i32, ()>::Complete(()).is_yielded());
    /// ```
    pub fn is_yielded(&self) -> bool {
        matches!(self, Step::Yielded(_))
    }

    /// Maps the yielded value, leaving every other outcome as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Step;
    /// assert_eq!(Step::<i32, ()>::Yielded(3).map_yield(|y| y * 2), Step::Yielded(6));
    /// ```
    pub fn map_yield<Y2>(self, f: impl FnOnce(Y) -> Y2) -> Step<Y2, R, E> {
        match self {
            Step::Yielded(y) => Step::Yielded(f(y)),
            Step::Complete(r) => Step::Complete(r),
            Step::Raised(t) => Step::Raised(t),
            Step::Exhausted => Step::Exhausted,
        }
    }

    /// Maps the return value, leaving every other outcome as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Step;
    /// assert_eq!(Step::<(), i32>::Complete(3).map_return(|r| r + 1), Step::Complete(4));
    /// ```
    pub fn map_return<R2>(self, f: impl FnOnce(R) -> R2) -> Step<Y, R2, E> {
        match self {
            Step::Yielded(y) => Step::Yielded(y),
            Step::Complete(r) => Step::Complete(f(r)),
            Step::Raised(t) => Step::Raised(t),
            Step::Exhausted => Step::Exhausted,
        }
    }
}

/// What `throw()` and `close()` deliver into a suspended body, and what leaves it in
/// [`Step::Raised`](crate::Step::Raised).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::Thrown;
/// let t: Thrown<&str> = Thrown::Error("bad input");
/// assert_eq!(t.to_string(), "bad input");
/// assert_eq!(Thrown::<&str>::Exit.to_string(), "GeneratorExit");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Thrown<E> {
    /// Python's `GeneratorExit`: the consumer called `close()` (or dropped the generator).
    #[doc(alias = "GeneratorExit")]
    Exit,
    /// An error thrown in by [`Generator::throw`](crate::Generator::throw) or raised by the body itself.
    Error(E),
}

impl<E> Thrown<E> {
    /// The error, if this is not [`Thrown::Exit`](crate::Thrown::Exit).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Thrown;
    /// assert_eq!(Thrown::Error(7).error(), Some(7));
    /// assert_eq!(Thrown::<i32>::Exit.error(), None);
    /// ```
    pub fn error(self) -> Option<E> {
        match self {
            Thrown::Exit => None,
            Thrown::Error(e) => Some(e),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Thrown<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Thrown::Exit => f.write_str("GeneratorExit"),
            Thrown::Error(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Thrown<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Thrown::Exit => None,
            Thrown::Error(e) => Some(e),
        }
    }
}

/// Where a generator is in its life (Python's `inspect.getgeneratorstate`).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator, State};
///
/// let mut g = Gen::<i32>::new(|co, ()| {
///     assert_eq!(co.state(), State::Running);
///     co.yield_(1);
/// });
/// assert_eq!(g.state(), State::Created);
/// let _ = g.resume(());
/// assert_eq!(g.state(), State::Suspended);
/// let _ = g.resume(());
/// assert_eq!(g.state(), State::Closed);
/// ```
#[doc(alias = "getgeneratorstate")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Built, body not started (`GEN_CREATED`).
    Created,
    /// The body is executing (`GEN_RUNNING`); only observable from inside it.
    Running,
    /// Stopped at a `yield` (`GEN_SUSPENDED`).
    Suspended,
    /// Finished: returned, raised, panicked or closed (`GEN_CLOSED`).
    Closed,
}

impl State {
    /// CPython's name for the state, as `inspect.getgeneratorstate` prints it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// assert_eq!(stasis::State::Created.python_name(), "GEN_CREATED");
    /// ```
    pub fn python_name(self) -> &'static str {
        match self {
            State::Created => "GEN_CREATED",
            State::Running => "GEN_RUNNING",
            State::Suspended => "GEN_SUSPENDED",
            State::Closed => "GEN_CLOSED",
        }
    }
}

/// Why [`Generator::close`](crate::Generator::close) failed.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator, CloseError};
///
/// let mut stubborn = Gen::<&str>::new(|co, ()| {
///     let _ = co.try_yield("first");   // close() arrives here as Err(Thrown::Exit)...
///     co.yield_("again");              // ...and the body yields anyway
/// });
/// let _ = stubborn.resume(());
/// let err = stubborn.close().unwrap_err();
/// assert_eq!(err.to_string(), "generator ignored GeneratorExit");
/// assert!(matches!(err, CloseError::IgnoredExit("again")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseError<Y, E> {
    /// The body yielded again instead of finishing (Python's
    /// `RuntimeError("generator ignored GeneratorExit")`). The value it yielded is kept here; the
    /// generator stays suspended at that yield.
    #[error("generator ignored GeneratorExit")]
    IgnoredExit(Y),
    /// The body raised a different error while closing; the generator is closed.
    #[error("generator raised an error while closing")]
    Raised(E),
}

/// Python's generator protocol.
///
/// `S` is the type `send` delivers (`()` for a plain iterator-like generator). Implemented by
/// [`Gen`](crate::Gen) (stackful), [`StateMachine`](crate::StateMachine) and
/// [`ThrowingStateMachine`](crate::ThrowingStateMachine) (nightly coroutines), by `&mut G` and
/// `Box<G>`, and by every combinator of `stasis-combinators`.
///
/// Rules every implementation follows (the CPython conformance suite checks them):
/// - after [`Step::Complete`](crate::Step::Complete) or [`Step::Raised`](crate::Step::Raised), `resume` gives [`Step::Exhausted`](crate::Step::Exhausted) forever;
/// - `throw` into a generator that has not started, or has finished, closes it without running
///   the body and gives the error back as [`Step::Raised`](crate::Step::Raised);
/// - `close` of a generator that has not started, or has finished, is a no-op returning `Ok(None)`;
/// - a panic in the body propagates to the caller and leaves the generator [`State::Closed`](crate::State::Closed).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator, Step, Thrown};
///
/// // A running average: send numbers in, get the average so far out.
/// let mut avg = Gen::<Option<i64>, (), i64>::new(|co, _first| {
///     let (mut total, mut count) = (0, 0);
///     let mut value = co.yield_(None);
///     loop {
///         total += value;
///         count += 1;
///         value = co.yield_(Some(total / count));
///     }
/// });
/// assert_eq!(avg.resume(0), Step::Yielded(None)); // prime it (Python: next(avg))
/// assert_eq!(avg.resume(10), Step::Yielded(Some(10)));
/// assert_eq!(avg.resume(20), Step::Yielded(Some(15)));
/// assert_eq!(avg.close(), Ok(None));
/// ```
pub trait Generator<S = ()> {
    /// The type of values the body yields.
    type Yield;
    /// The type of the body's return value.
    type Return;
    /// The error type `throw` accepts ([`Infallible`](std::convert::Infallible) when the generator cannot be thrown into).
    type Error;

    /// Resumes the body, delivering `arg` as the value of the `yield` it is suspended at (or, on
    /// the first resume, as the body's argument). Python's `send(arg)`; `next()` is
    /// `resume(())`.
    #[doc(alias("send", "next", "__next__"))]
    fn resume(&mut self, arg: S) -> Step<Self::Yield, Self::Return, Self::Error>;

    /// Raises `err` at the `yield` where the body is suspended (Python's `throw`). The body may
    /// handle it and yield again ([`Step::Yielded`](crate::Step::Yielded)) or return ([`Step::Complete`](crate::Step::Complete)); if it does
    /// not, the generator is closed and the error comes back in [`Step::Raised`](crate::Step::Raised).
    fn throw(&mut self, err: Self::Error) -> Step<Self::Yield, Self::Return, Self::Error>;

    /// Python's `close()`: raises [`Thrown::Exit`](crate::Thrown::Exit) at the suspended `yield`, so the body unwinds
    /// (destructors and `finally` guards run). Returns the body's return value if it caught the
    /// exit and returned one (as Python 3.13 does), `Ok(None)` otherwise.
    #[allow(clippy::type_complexity)] // spelled out so the docs show what close() gives
    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<Self::Yield, Self::Error>>;

    /// Where the generator is in its life (Python's `inspect.getgeneratorstate(g)`).
    #[doc(alias("getgeneratorstate", "gi_running", "gi_suspended"))]
    fn state(&self) -> State;

    /// Support for `stasis-delegate`'s `yield_from!`; not a public API. [`Generator::resume`]
    /// by a delegation driver that may adopt the delegations the body starts (see
    /// `machine.rs`). Only the state machines do more than `resume`.
    #[cfg(feature = "nightly")]
    #[doc(hidden)]
    #[inline]
    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, Self::Yield>,
    ) -> Step<Self::Yield, Self::Return, Self::Error> {
        let _ = up;
        self.resume(arg)
    }

    /// Support for `stasis-delegate`'s `yield_from_throwing!`; not a public API. PEP 380's
    /// forwarding of what a throwing delegator's `yield` received ([`forward_closing`]), by a
    /// delegation driver that may adopt the delegations the body starts. Only
    /// [`ThrowingStateMachine`](crate::ThrowingStateMachine) does more than forward.
    #[cfg(feature = "nightly")]
    #[doc(hidden)]
    #[inline]
    #[allow(clippy::type_complexity)]
    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<Self::Error>>,
        up: &mut Adoption<Result<S, Thrown<Self::Error>>, Self::Yield>,
    ) -> (Step<Self::Yield, Self::Return, Self::Error>, bool) {
        let _ = up;
        forward_closing(self, input)
    }

    /// Bounds on how many more values it will yield (Python's `__length_hint__`), in the shape
    /// of [`Iterator::size_hint`](std::iter::Iterator::size_hint): `(lower, Some(upper))`, or `(lower, None)` when there is no
    /// known upper bound. A hint for preallocation, not a promise unsafe code may rely on. The
    /// default, `(0, None)`, is right for any generator; adaptors and sources that know better
    /// say so, and their `Iterator::size_hint` reports it. (Not named `size_hint`: every
    /// `S = ()` generator is also an `Iterator`, and two methods of one name would make each
    /// `g.size_hint()` ambiguous, E0034.)
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator};
    /// let g = Gen::<u8>::new(|co, ()| co.yield_(1));
    /// assert_eq!(g.length_hint(), (0, None));
    /// ```
    #[doc(alias = "__length_hint__")]
    #[doc(alias = "size_hint")]
    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        (0, None)
    }
}

/// Support for `stasis-delegate`'s macros; not a public API. PEP 380's forwarding of what a
/// throwing delegator's `yield` received: `Ok(v)` is sent to `sub`, `Err(Thrown::Error(e))`
/// thrown into it, `Err(Thrown::Exit)` closes it. The flag says whether the value yielded is
/// one `sub` yielded instead of closing (its delegator then sees [`Thrown::Exit`], as CPython's
/// sees a `RuntimeError`).
#[cfg(feature = "nightly")]
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn forward_closing<S, G: Generator<S> + ?Sized>(
    sub: &mut G,
    input: Result<S, Thrown<G::Error>>,
) -> (Step<G::Yield, G::Return, G::Error>, bool) {
    match input {
        Ok(sent) => (sub.resume(sent), false),
        Err(Thrown::Error(e)) => (sub.throw(e), false),
        Err(Thrown::Exit) => match sub.close() {
            Ok(_) => (Step::Raised(Thrown::Exit), false),
            Err(CloseError::Raised(e)) => (Step::Raised(Thrown::Error(e)), false),
            Err(CloseError::IgnoredExit(y)) => (Step::Yielded(y), true),
        },
    }
}

impl<S, G: Generator<S> + ?Sized> Generator<S> for &mut G {
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, G::Error> {
        (**self).resume(arg)
    }

    #[inline]
    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        (**self).throw(err)
    }

    #[inline]
    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        (**self).close()
    }

    #[inline]
    fn state(&self) -> State {
        (**self).state()
    }

    #[cfg(feature = "nightly")]
    #[inline]
    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, G::Yield>,
    ) -> Step<G::Yield, G::Return, G::Error> {
        (**self).__resume_adopted(arg, up)
    }

    #[cfg(feature = "nightly")]
    #[inline]
    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<G::Error>>,
        up: &mut Adoption<Result<S, Thrown<G::Error>>, G::Yield>,
    ) -> (Step<G::Yield, G::Return, G::Error>, bool) {
        (**self).__forward_adopted(input, up)
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        (**self).length_hint()
    }
}

impl<S, G: Generator<S> + ?Sized> Generator<S> for Box<G> {
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, G::Error> {
        (**self).resume(arg)
    }

    #[inline]
    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        (**self).throw(err)
    }

    #[inline]
    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        (**self).close()
    }

    #[inline]
    fn state(&self) -> State {
        (**self).state()
    }

    #[cfg(feature = "nightly")]
    #[inline]
    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, G::Yield>,
    ) -> Step<G::Yield, G::Return, G::Error> {
        (**self).__resume_adopted(arg, up)
    }

    #[cfg(feature = "nightly")]
    #[inline]
    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<G::Error>>,
        up: &mut Adoption<Result<S, Thrown<G::Error>>, G::Yield>,
    ) -> (Step<G::Yield, G::Return, G::Error>, bool) {
        (**self).__forward_adopted(input, up)
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        (**self).length_hint()
    }
}
