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
//! | `g.throw(GeneratorExit)`        | [`Generator::throw_exit`](crate::Generator::throw_exit)                 |
//! | `list(g)` (raises on an error)  | `g.try_iter().collect::<Result<Vec<_>, _>>()` ([`Generator::try_iter`](crate::Generator::try_iter)) |
//! | `for x in g: ...` then `StopIteration.value` | [`Generator::run_to_end`](crate::Generator::run_to_end) |
//! | `RuntimeError` / `ValueError` raised by the runtime itself | [`Thrown::Runtime`](crate::Thrown::Runtime) with a [`RuntimeError`](crate::RuntimeError) |

use core::convert::Infallible;
use core::fmt;

#[cfg(feature = "nightly")]
use crate::machine::Adoption;
#[cfg(feature = "nightly")]
pub(crate) use sealed::AdoptToken;

/// The seal on the delegation drivers' hidden methods of [`Generator`].
#[cfg(feature = "nightly")]
mod sealed {
    /// Proof that a call of `Generator::__resume_adopted` or `__forward_adopted` comes from
    /// stasis's own drivers: their last parameter. Public, as the trait's signature must be,
    /// but in a private module and with a private field, so code outside stasis-core can
    /// neither name it nor make one: it can neither call those methods nor override them.
    /// An override that forwarded them to a generator which can also be resumed some other
    /// way (a `Gen` the type shares) would let a driver resume a frame while that frame has
    /// lent the generator out, an aliasing violation reachable from safe code
    /// (`tests/ui/override_resume_adopted.rs`).
    #[allow(unreachable_pub)] // reachable in signatures, nameable nowhere outside the crate
    #[derive(Clone, Copy, Debug)]
    pub struct AdoptToken(pub(crate) ());
}

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
#[doc(alias = "StopIteration")]
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
    /// [`Co::raise`](crate::Co::raise), [`Thrown::Exit`](crate::Thrown::Exit) re-raised after
    /// an ignored `close()`, or a [`Thrown::Runtime`](crate::Thrown::Runtime) error (one the
    /// runtime raised at a `yield from` that the body did not handle, or a call on a running
    /// generator through a shared handle). The generator is closed afterwards (except after
    /// [`RuntimeError::AlreadyExecuting`](crate::RuntimeError::AlreadyExecuting), which did not
    /// reach it).
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

    /// The return value, if the body returned (Python's `StopIteration.value`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Step;
    /// assert_eq!(Step::<i32, &str>::Complete("done").returned(), Some("done"));
    /// assert_eq!(Step::<i32, &str>::Yielded(3).returned(), None);
    /// ```
    #[doc(alias = "StopIteration")]
    pub fn returned(self) -> Option<R> {
        match self {
            Step::Complete(r) => Some(r),
            _ => None,
        }
    }

    /// The exception that left the body, if one did.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Step, Thrown};
    /// let raised = Step::<i32, (), &str>::Raised(Thrown::Error("boom"));
    /// assert_eq!(raised.raised(), Some(Thrown::Error("boom")));
    /// assert_eq!(Step::<i32, (), &str>::Exhausted.raised(), None);
    /// ```
    pub fn raised(self) -> Option<Thrown<E>> {
        match self {
            Step::Raised(t) => Some(t),
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
/// use stasis::{RuntimeError, Thrown};
/// let t: Thrown<&str> = Thrown::Error("bad input");
/// assert_eq!(t.to_string(), "bad input");
/// assert_eq!(Thrown::<&str>::Exit.to_string(), "GeneratorExit");
/// let r = Thrown::<&str>::Runtime(RuntimeError::IgnoredExit);
/// assert_eq!(r.to_string(), "generator ignored GeneratorExit");
/// ```
#[doc(alias = "GeneratorExit")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Thrown<E> {
    /// Python's `GeneratorExit`: the consumer called `close()` (or dropped the generator).
    #[doc(alias = "GeneratorExit")]
    Exit,
    /// An error thrown in by [`Generator::throw`](crate::Generator::throw) or raised by the body itself.
    Error(E),
    /// An error the runtime itself raised (CPython's `RuntimeError` / `ValueError` /
    /// `AttributeError` from the interpreter): a delegate ignored `GeneratorExit`, a generator
    /// was re-entered while running, and the like. Like any exception, a body may catch it at
    /// the `yield from` where it arrives and go on, or re-raise it with
    /// [`Co::raise`](crate::Co::raise).
    Runtime(RuntimeError),
}

/// An error raised by the generator runtime itself, not by a body: the ones CPython's
/// interpreter raises around generators. The messages are CPython's.
///
/// It reaches a body as [`Thrown::Runtime`](crate::Thrown::Runtime) at the `yield from` (or `yield`) where it happened,
/// and a consumer as [`Step::Raised`](crate::Step::Raised)`(Thrown::Runtime(..))` or [`CloseError::Runtime`](crate::CloseError::Runtime).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator, RuntimeError, Step, Thrown};
///
/// // A sub-generator that ignores GeneratorExit: its delegator sees a RuntimeError at its
/// // `yield from`, which it may catch (CPython: `except RuntimeError`).
/// let mut parent = Gen::<&str, &str>::new(|co, ()| {
///     let mut stubborn = Gen::<&str>::new(|co, ()| {
///         let _ = co.try_yield("sub");
///         co.yield_("sub ignored the exit");
///     });
///     match co.delegate(&mut stubborn, ()) {
///         Err(Thrown::Runtime(RuntimeError::IgnoredExit)) => "caught",
///         _ => "other",
///     }
/// });
/// assert_eq!(parent.resume(()), Step::Yielded("sub"));
/// assert_eq!(parent.close(), Ok(Some("caught")));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum RuntimeError {
    /// A delegate asked to close yielded instead (CPython's `RuntimeError`, raised in the
    /// delegator at its `yield from`).
    #[error("generator ignored GeneratorExit")]
    IgnoredExit,
    /// A generator was resumed, thrown into or closed while it was running: it delegates to
    /// itself, directly or through a loop of shared handles (`stasis::delegate::Shared`;
    /// CPython's `ValueError`).
    #[error("generator already executing")]
    AlreadyExecuting,
    /// `yield from` a generator that had already finished: its return value was reported
    /// before (CPython's `yield from` gives `None` there; a Rust return type has no `None`,
    /// so the delegator gets this error to handle instead). Check `state()` before delegating,
    /// or handle it at the `yield from`.
    #[error(
        "yield from a generator that had already finished: its return value was already \
         reported, so there is none to give (check `state()` before delegating)"
    )]
    AlreadyFinished,
    /// A value other than `S::default()` (Python's `None`) was sent while the generator was in
    /// `yield from` of a plain iterator, which has no `send` (CPython's `AttributeError`).
    /// Raised in the delegator at its `yield from`, so that the value is not lost silently.
    #[error("'iterator' object has no attribute 'send'")]
    SendToIterator,
    /// A `tee` cursor (`stasis-combinators`' `gen_tee`) was resumed, or thrown into, while its
    /// shared source was running, for a value the source has not yielded yet: the source's own
    /// body read a cursor of its own tee ahead of what it has produced (CPython's
    /// `RuntimeError`). A source may read through its own tee only values another cursor has
    /// already pulled (CPython's "running after its own tail"). The cursor that met it is
    /// closed; the source goes on.
    #[error("cannot re-enter the tee iterator")]
    TeeReentered,
    /// `close()` or `throw()` of a stackful generator whose body is suspended at a
    /// [`Co::yield_`](crate::Co::yield_) in a destructor, in the middle of an unwinding stasis
    /// started (an earlier `close()`, an unhandled `throw()`, [`Co::raise`](crate::Co::raise)):
    /// Python's `finally: yield`, written as a `Drop` guard with a send type other than `()`. CPython would raise the exception at that
    /// yield; Rust cannot leave a destructor by unwinding while it unwinds (the process would
    /// abort), so the generator is not resumed and stays suspended there. Only
    /// [`Generator::resume`](crate::Generator::resume) can let it finish: the destructor
    /// goes on with the sent value, and the unwinding with it. Dropping it instead leaks its
    /// stack. See "In a destructor" on [`Co::yield_`](crate::Co::yield_) for how to write
    /// such a `finally` so that this cannot happen.
    #[error(
        "generator suspended in a destructor that yielded while its body unwound: it cannot be \
         closed or thrown into there, only sent a value to finish (in destructors, yield with \
         `try_yield`, or give the generator a send type of `()`)"
    )]
    SuspendedInDestructor,
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
            Thrown::Exit | Thrown::Runtime(_) => None,
            Thrown::Error(e) => Some(e),
        }
    }

    /// Converts the error with `f`, keeping [`Thrown::Exit`](crate::Thrown::Exit) and [`Thrown::Runtime`](crate::Thrown::Runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Thrown;
    /// assert_eq!(Thrown::Error(7).map_err(|e| e + 1), Thrown::Error(8));
    /// assert_eq!(Thrown::<i32>::Exit.map_err(|e| e + 1), Thrown::Exit);
    /// ```
    pub fn map_err<E2>(self, f: impl FnOnce(E) -> E2) -> Thrown<E2> {
        match self {
            Thrown::Exit => Thrown::Exit,
            Thrown::Error(e) => Thrown::Error(f(e)),
            Thrown::Runtime(r) => Thrown::Runtime(r),
        }
    }
}

impl<E> From<RuntimeError> for Thrown<E> {
    fn from(err: RuntimeError) -> Self {
        Thrown::Runtime(err)
    }
}

impl<E: fmt::Display> fmt::Display for Thrown<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Thrown::Exit => f.write_str("GeneratorExit"),
            Thrown::Error(e) => e.fmt(f),
            Thrown::Runtime(r) => r.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Thrown<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Thrown::Exit => None,
            Thrown::Error(e) => Some(e),
            Thrown::Runtime(r) => Some(r),
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
    /// The runtime raised an error while closing (for example
    /// [`RuntimeError::AlreadyExecuting`](crate::RuntimeError::AlreadyExecuting): closing a generator from inside its own body).
    #[error(transparent)]
    Runtime(RuntimeError),
}

impl<Y, E> CloseError<Y, E> {
    /// Maps the value a generator yielded instead of closing, keeping the other outcomes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::CloseError;
    /// let e = CloseError::<i32, ()>::IgnoredExit(2).map_ignored(|y| y * 10);
    /// assert_eq!(e, CloseError::IgnoredExit(20));
    /// ```
    pub fn map_ignored<Y2>(self, f: impl FnOnce(Y) -> Y2) -> CloseError<Y2, E> {
        match self {
            CloseError::IgnoredExit(y) => CloseError::IgnoredExit(f(y)),
            CloseError::Raised(e) => CloseError::Raised(e),
            CloseError::Runtime(r) => CloseError::Runtime(r),
        }
    }
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
/// - a panic in the body propagates to the caller and leaves the generator
///   [`State::Closed`](crate::State::Closed);
/// - one exception to "closed after `Raised`": a call that cannot reach the generator because
///   it is running ([`RuntimeError::AlreadyExecuting`](crate::RuntimeError::AlreadyExecuting),
///   through a shared handle) raises at the caller and leaves the generator as it was, as
///   CPython's `ValueError` does.
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
#[must_use = "generators do nothing unless resumed"]
pub trait Generator<S = ()> {
    /// The type of values the body yields.
    type Yield;
    /// The type of the body's return value.
    type Return;
    /// The error type `throw` accepts ([`Infallible`](std::convert::Infallible) when the generator cannot be thrown into).
    type Error;

    /// Resumes the body, delivering `arg` as the value of the `yield` it is suspended at (or, on
    /// the first resume, as the body's argument). Python's `send(arg)`; `next()` is
    /// `resume(())`. [`Generator::send`](crate::Generator::send) is the same method under
    /// Python's name.
    #[doc(alias("send", "next", "__next__"))]
    fn resume(&mut self, arg: S) -> Step<Self::Yield, Self::Return, Self::Error>;

    /// Raises `err` at the `yield` where the body is suspended (Python's `throw`). The body may
    /// handle it and yield again ([`Step::Yielded`](crate::Step::Yielded)) or return ([`Step::Complete`](crate::Step::Complete)); if it does
    /// not, the generator is closed and the error comes back in [`Step::Raised`](crate::Step::Raised).
    fn throw(&mut self, err: Self::Error) -> Step<Self::Yield, Self::Return, Self::Error>;

    /// Python's `close()`: raises [`Thrown::Exit`](crate::Thrown::Exit) at the suspended `yield`, so the body unwinds
    /// (destructors and `finally` guards run). Returns the body's return value if it caught the
    /// exit and returned one (as Python 3.13 does), `Ok(None)` otherwise.
    ///
    /// If the body yields instead (it caught the exit, or a `finally` yields), `close` returns
    /// [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit) with that value and the
    /// generator stays suspended there, as in CPython: the next resume goes on from it, a
    /// second `close` raises the exit there again. A stackful `Drop` guard that yields (Python's
    /// `finally: yield`) counts: see "In a destructor" on [`Co::yield_`](crate::Co::yield_).
    #[allow(clippy::type_complexity)] // spelled out so the docs show what close() gives
    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<Self::Yield, Self::Error>>;

    /// Where the generator is in its life (Python's `inspect.getgeneratorstate(g)`).
    #[doc(alias("getgeneratorstate", "gi_running", "gi_suspended"))]
    fn state(&self) -> State;

    /// Support for `stasis-delegate`'s `yield_from!`; not a public API. [`Generator::resume`](crate::Generator::resume)
    /// by a delegation driver that may adopt the delegations the body starts (see
    /// `machine.rs`). Only the state machines do more than `resume`. Sealed: its last
    /// parameter is an [`AdoptToken`](sealed::AdoptToken) that only stasis can make or name.
    #[cfg(feature = "nightly")]
    #[doc(hidden)]
    #[inline]
    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, Self::Yield>,
        _: AdoptToken,
    ) -> Step<Self::Yield, Self::Return, Self::Error> {
        let _ = up;
        self.resume(arg)
    }

    /// Support for `stasis-delegate`'s `yield_from_throwing!`; not a public API. PEP 380's
    /// forwarding of what a throwing delegator's `yield` received ([`forward_closing`]), by a
    /// delegation driver that may adopt the delegations the body starts. Only
    /// [`ThrowingStateMachine`](crate::ThrowingStateMachine) does more than forward. Sealed
    /// as `__resume_adopted` is.
    #[cfg(feature = "nightly")]
    #[doc(hidden)]
    #[inline]
    #[allow(clippy::type_complexity)]
    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<Self::Error>>,
        up: &mut Adoption<Result<S, Thrown<Self::Error>>, Self::Yield>,
        _: AdoptToken,
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

    /// Python's `g.send(arg)`: the same as [`Generator::resume`](crate::Generator::resume), under Python's name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step};
    /// let mut doubler = Gen::<i32, (), i32>::new(|co, mut x| loop {
    ///     x = co.yield_(x * 2);
    /// });
    /// assert_eq!(doubler.send(3), Step::Yielded(6));
    /// assert_eq!(doubler.send(5), Step::Yielded(10));
    /// ```
    #[inline]
    fn send(&mut self, arg: S) -> Step<Self::Yield, Self::Return, Self::Error> {
        self.resume(arg)
    }

    /// Python's `g.throw(GeneratorExit)`: raises [`Thrown::Exit`](crate::Thrown::Exit) at the suspended `yield`,
    /// as [`Generator::close`](crate::Generator::close) does, but reports what the body does as `throw` would: if it
    /// handles the exit and yields, that value comes back as [`Step::Yielded`](crate::Step::Yielded) (the generator
    /// stays suspended; `close` would fail with [`CloseError::IgnoredExit`](crate::CloseError::IgnoredExit) instead); if it
    /// lets the exit propagate, [`Step::Raised`](crate::Step::Raised)`(Thrown::Exit)`; if it returns,
    /// [`Step::Complete`](crate::Step::Complete). On a generator that has not started or has finished, the body does
    /// not run: the generator is closed and the exit comes back as `Raised(Thrown::Exit)`.
    ///
    /// The provided method is written in terms of `close`; stackful generators override it
    /// so that an exit ignored deeper in a `yield from` chain raises
    /// [`RuntimeError::IgnoredExit`](crate::RuntimeError::IgnoredExit) in the delegator, as in CPython.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<&str>::new(|co, ()| {
    ///     if let Err(Thrown::Exit) = co.try_yield("first") {
    ///         co.yield_("saw the exit");
    ///     }
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded("first"));
    /// assert_eq!(g.throw_exit(), Step::Yielded("saw the exit"));
    /// assert_eq!(g.throw_exit(), Step::Raised(Thrown::Exit));
    /// ```
    #[doc(alias = "GeneratorExit")]
    fn throw_exit(&mut self) -> Step<Self::Yield, Self::Return, Self::Error> {
        match self.close() {
            Ok(Some(r)) => Step::Complete(r),
            Ok(None) => Step::Raised(Thrown::Exit),
            Err(CloseError::IgnoredExit(y)) => Step::Yielded(y),
            Err(CloseError::Raised(e)) => Step::Raised(Thrown::Error(e)),
            Err(CloseError::Runtime(r)) => Step::Raised(Thrown::Runtime(r)),
        }
    }

    /// Runs the generator to its end, handing every yielded value to `each`, and returns its
    /// return value (Python's `for x in g: each(x)` followed by `StopIteration.value`, or
    /// `result = yield from g` at the top level). Each resume sends `S::default()` (Python's
    /// `next`). An exception that leaves the body comes back as `Err`; a generator that had
    /// already finished gives `Err(Thrown::Runtime(RuntimeError::AlreadyFinished))`.
    ///
    /// # Errors
    ///
    /// The [`Thrown`](crate::Thrown) that left the body, or [`RuntimeError::AlreadyFinished`](crate::RuntimeError::AlreadyFinished).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator};
    /// let g = Gen::new(|co, ()| {
    ///     co.yield_(1);
    ///     co.yield_(2);
    ///     "lines read: 2"
    /// });
    /// let mut seen = Vec::new();
    /// assert_eq!(g.run_to_end(|x| seen.push(x)), Ok("lines read: 2"));
    /// assert_eq!(seen, [1, 2]);
    /// ```
    #[doc(alias = "StopIteration", alias = "drain")]
    fn run_to_end(
        mut self,
        mut each: impl FnMut(Self::Yield),
    ) -> Result<Self::Return, Thrown<Self::Error>>
    where
        Self: Sized,
        S: Default,
    {
        loop {
            match self.resume(S::default()) {
                Step::Yielded(y) => each(y),
                Step::Complete(r) => return Ok(r),
                Step::Raised(t) => return Err(t),
                Step::Exhausted => return Err(Thrown::Runtime(RuntimeError::AlreadyFinished)),
            }
        }
    }

    /// A lossless iterator over the generator: its items are `Ok(value)` for each yielded
    /// value, then one `Err(thrown)` if an exception leaves the body, then nothing (Python's
    /// `list(g)` raises that exception). `collect::<Result<Vec<_>, _>>()` gives either every
    /// value or the error. The return value is kept for [`TryIter::take_return`](crate::TryIter::take_return).
    ///
    /// Use it for a generator whose error type is not [`Infallible`](core::convert::Infallible): those are not
    /// [`Iterator`](core::iter::Iterator)s, so that an error cannot end an iteration silently.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Thrown};
    ///
    /// let g = Gen::<i32>::throwing::<&str>(|co, ()| {
    ///     co.yield_(1);
    ///     co.raise(Thrown::Error("boom"))
    /// });
    /// assert_eq!(g.try_iter().collect::<Result<Vec<_>, _>>(), Err(Thrown::Error("boom")));
    ///
    /// let ok = Gen::<i32>::throwing::<&str>(|co, ()| co.yield_(1));
    /// assert_eq!(ok.try_iter().collect::<Result<Vec<_>, _>>(), Ok(vec![1]));
    /// ```
    #[doc(alias = "list")]
    fn try_iter(self) -> TryIter<Self>
    where
        Self: Sized + Generator<()>,
    {
        TryIter { generator: self, returned: None, done: false }
    }
}

/// The iterator of [`Generator::try_iter`](crate::Generator::try_iter): `Ok` for each yielded value, then at most one
/// `Err` with the exception that left the body, then `None` for ever.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator};
/// let mut it = Gen::new(|co, ()| { co.yield_(1); "done" }).try_iter();
/// assert_eq!(it.next(), Some(Ok(1)));
/// assert_eq!(it.next(), None);
/// assert_eq!(it.take_return(), Some("done"));
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
#[derive(Debug)]
pub struct TryIter<G: Generator> {
    generator: G,
    returned: Option<G::Return>,
    done: bool,
}

impl<G: Generator> TryIter<G> {
    /// The generator's return value, once the iteration has ended with it (readable once).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator};
    /// let mut it = Gen::new(|co, ()| { co.yield_('a'); 3 }).try_iter();
    /// assert_eq!(it.by_ref().count(), 1);
    /// assert_eq!(it.take_return(), Some(3));
    /// assert_eq!(it.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<G::Return> {
        self.returned.take()
    }

    /// The generator, to resume or inspect it directly.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, State};
    /// let it = Gen::new(|co, ()| co.yield_(1)).try_iter();
    /// assert_eq!(it.into_inner().state(), State::Created);
    /// ```
    pub fn into_inner(self) -> G {
        self.generator
    }
}

impl<G: Generator> Iterator for TryIter<G> {
    type Item = Result<G::Yield, Thrown<G::Error>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.generator.resume(()) {
            Step::Yielded(y) => return Some(Ok(y)),
            Step::Complete(r) => self.returned = Some(r),
            Step::Raised(t) => {
                self.done = true;
                return Some(Err(t));
            }
            Step::Exhausted => {}
        }
        self.done = true;
        None
    }
}

impl<G: Generator> core::iter::FusedIterator for TryIter<G> {}

impl<Y, R, E: fmt::Display> Step<Y, R, E> {
    /// `Iterator::next`'s view of a step: the yielded value, or `None` when the generator
    /// finished. For the `Iterator` impls of generators whose own error type is
    /// [`Infallible`](core::convert::Infallible) (only the exit or a runtime error can leave them): a generator that can
    /// raise errors of its own is iterated with [`Generator::try_iter`](crate::Generator::try_iter) instead.
    ///
    /// # Panics
    ///
    /// On [`Step::Raised`](crate::Step::Raised): [`Thrown::Exit`](crate::Thrown::Exit) (the body raised the exit itself) or a
    /// [`Thrown::Runtime`](crate::Thrown::Runtime) error. An iterator cannot report an error, and ending early would
    /// lose it silently; iterate with [`Generator::try_iter`](crate::Generator::try_iter) to get it as a value.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Step;
    /// assert_eq!(Step::<i32, ()>::Yielded(1).into_next(), Some(1));
    /// assert_eq!(Step::<i32, ()>::Complete(()).into_next(), None);
    /// ```
    #[inline]
    #[track_caller]
    pub fn into_next(self) -> Option<Y> {
        match self {
            Step::Yielded(y) => Some(y),
            Step::Complete(_) | Step::Exhausted => None,
            Step::Raised(t) => raised_while_iterating(t),
        }
    }
}

#[cold]
#[track_caller]
fn raised_while_iterating<E: fmt::Display>(t: Thrown<E>) -> ! {
    panic!(
        "a generator raised `{t}` while driven as an Iterator, which cannot report it; \
         iterate with `try_iter()` to receive it as an `Err` item"
    )
}

/// Support for `stasis-delegate`'s macros; not a public API. PEP 380's forwarding of what a
/// throwing delegator's `yield` received: `Ok(v)` is sent to `sub`, `Err(Thrown::Error(e))`
/// thrown into it, `Err(Thrown::Exit)` closes it. The flag says whether the value yielded is
/// one `sub` yielded instead of closing (its delegator then sees [`Thrown::Exit`](crate::Thrown::Exit), as CPython's
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
            Err(CloseError::Runtime(r)) => (Step::Raised(Thrown::Runtime(r)), false),
            Err(CloseError::IgnoredExit(y)) => (Step::Yielded(y), true),
        },
        // The protocol cannot throw a runtime error into `sub`: it stays the delegator's.
        Err(Thrown::Runtime(r)) => (Step::Raised(Thrown::Runtime(r)), false),
    }
}

/// `Generator` for a pointer to a generator (`&mut G`, `Box<G>`): every method, the defaulted
/// ones included, goes to the generator pointed at, so a wrapper loses nothing (state
/// machines stay adoptable, `length_hint` stays exact).
macro_rules! forward_generator {
    ($($ptr:ty),*) => {$(
        impl<S, G: Generator<S> + ?Sized> Generator<S> for $ptr {
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
            fn throw_exit(&mut self) -> Step<G::Yield, G::Return, G::Error> {
                (**self).throw_exit()
            }

            #[cfg(feature = "nightly")]
            #[inline]
            fn __resume_adopted(
                &mut self,
                arg: S,
                up: &mut Adoption<S, G::Yield>,
                token: AdoptToken,
            ) -> Step<G::Yield, G::Return, G::Error> {
                (**self).__resume_adopted(arg, up, token)
            }

            #[cfg(feature = "nightly")]
            #[inline]
            fn __forward_adopted(
                &mut self,
                input: Result<S, Thrown<G::Error>>,
                up: &mut Adoption<Result<S, Thrown<G::Error>>, G::Yield>,
                token: AdoptToken,
            ) -> (Step<G::Yield, G::Return, G::Error>, bool) {
                (**self).__forward_adopted(input, up, token)
            }

            #[inline]
            fn length_hint(&self) -> (usize, Option<usize>) {
                (**self).length_hint()
            }

            #[inline]
            fn state(&self) -> State {
                (**self).state()
            }
        }
    )*};
}

forward_generator!(&mut G, Box<G>);
