//! [`End`]: how a source ended, kept by an adaptor that saw the end before it could report it
//! (a short batch still to hand out, a group in progress, a tee buffer other cursors still read).

use core::convert::Infallible;

use stasis_core::{CloseError, Step, Thrown};

/// Every outcome of a [`Step`](stasis_core::Step) but `Yielded`: what a finished source reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End<R, E> {
    /// [`Step::Complete`](stasis_core::Step::Complete).
    Complete(R),
    /// [`Step::Raised`](stasis_core::Step::Raised).
    Raised(Thrown<E>),
    /// [`Step::Exhausted`](stasis_core::Step::Exhausted).
    Exhausted,
}

impl<R, E> End<R, E> {
    /// Splits a step into the value it yielded (`Ok`) or the end it reports (`Err`).
    #[inline]
    pub(crate) fn split<Y>(step: Step<Y, R, E>) -> Result<Y, Self> {
        match step {
            Step::Yielded(y) => Ok(y),
            Step::Complete(r) => Err(End::Complete(r)),
            Step::Raised(t) => Err(End::Raised(t)),
            Step::Exhausted => Err(End::Exhausted),
        }
    }

    /// The step that reports this end.
    #[inline]
    pub(crate) fn step<Y>(self) -> Step<Y, R, E> {
        match self {
            End::Complete(r) => Step::Complete(r),
            End::Raised(t) => Step::Raised(t),
            End::Exhausted => Step::Exhausted,
        }
    }

    /// `close()` of an adaptor holding this end, not reported yet: the source has finished, so
    /// nothing runs; a return value not reported yet is what `close()` returns (as a
    /// generator that catches the exit and returns does).
    pub(crate) fn close<Y>(self) -> Result<Option<R>, CloseError<Y, E>> {
        match self {
            End::Complete(r) => Ok(Some(r)),
            End::Raised(_) | End::Exhausted => Ok(None),
        }
    }
}

impl<R> End<R, Infallible> {
    /// An end that carries no error (a return or exhaustion), under any error type.
    pub(crate) fn widen<E>(self) -> End<R, E> {
        match self {
            End::Complete(r) => End::Complete(r),
            End::Raised(Thrown::Exit) => End::Raised(Thrown::Exit),
            End::Raised(Thrown::Error(never)) => match never {},
            End::Raised(Thrown::Runtime(r)) => End::Raised(Thrown::Runtime(r)),
            End::Exhausted => End::Exhausted,
        }
    }
}

/// `throw(err)` into an adaptor whose source has already finished: nothing runs, the error
/// comes straight back (the protocol's rule for a finished generator).
#[inline]
pub(crate) fn raised<Y, R, E>(err: E) -> Step<Y, R, E> {
    Step::Raised(Thrown::Error(err))
}
