//! [`MapErr`](crate::MapErr): changes a generator's error type, so it can sit in a chain with another one.

use core::fmt;

use stasis_core::{CloseError, Generator, Step, Thrown};

use crate::forward::{adaptor_api, forward};

/// Changes the error type of a generator from `E` to `E2` with a function applied to every
/// error that leaves it. Built by [`GeneratorExt::gen_map_err`](crate::GeneratorExt::gen_map_err)
/// and, for an `Infallible` source (into any error type), by
/// [`GeneratorExt::gen_err_into`](crate::GeneratorExt::gen_err_into).
///
/// Every level of a `yield from` chain has one error type; this is how a generator with
/// another one (such as [`from_iter`](crate::from_iter)'s `Infallible`) joins a chain.
///
/// - **send / state / return value**: the source's, unchanged.
/// - **errors out**: a `Raised` error, and an error raised while closing, go through the
///   function.
/// - **throw**: an `E2` cannot be raised inside a body written for `E`, which therefore cannot
///   catch it: as in Python when a generator does not catch what is thrown into it, the body is
///   unwound (the source is closed: its destructors and `finally` guards run) and the error
///   comes back in `Raised`. Python's `yield from` of a plain iterator, which has no `throw`,
///   raises the error in the delegator the same way. If the source's cleanup yields (it
///   ignored the exit), that value is yielded and the error is raised when the cleanup ends;
///   if the cleanup raises, that error replaces the thrown one; if the body caught the exit
///   and returned, that is `Complete` (Python's `except: return r`).
/// - **close**: forwarded.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Generator, Step, Thrown};
///
/// // `from_iter` cannot fail (`Error = Infallible`); a chain with `String` errors can take it.
/// let mut g = from_iter([1, 2]).gen_err_into::<String>();
/// assert_eq!(g.resume(()), Step::Yielded(1));
/// assert_eq!(g.throw("stop".to_string()), Step::Raised(Thrown::Error("stop".to_string())));
/// assert_eq!(g.resume(()), Step::Exhausted);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct MapErr<G, F, E2, Ret> {
    source: G,
    f: F,
    /// An error thrown in while the source's cleanup yielded: raised when the source finishes.
    pending: Option<E2>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, E2, Ret> MapErr<G, F, E2, Ret> {
    pub(crate) fn new(source: G, f: F) -> Self {
        MapErr { source, f, pending: None, ret: None }
    }

    #[inline]
    fn map<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, R, E2>
    where
        F: FnMut(E) -> E2,
    {
        match step {
            Step::Yielded(y) => Step::Yielded(y),
            // The body caught the exit and returned: Python's `except E2: return r`.
            Step::Complete(r) => {
                self.pending = None;
                Step::Complete(r)
            }
            // A new error replaces the one waiting, as an exception raised in `finally` does.
            Step::Raised(Thrown::Error(e)) => {
                self.pending = None;
                Step::Raised(Thrown::Error((self.f)(e)))
            }
            Step::Raised(Thrown::Exit) | Step::Exhausted if self.pending.is_some() => {
                Step::Raised(Thrown::Error(self.pending.take().expect("tested in the guard")))
            }
            Step::Raised(Thrown::Exit) => Step::Raised(Thrown::Exit),
            Step::Raised(Thrown::Runtime(r)) => {
                self.pending = None;
                Step::Raised(Thrown::Runtime(r))
            }
            Step::Exhausted => Step::Exhausted,
        }
    }
}

impl<S, G, F, E2> Generator<S> for MapErr<G, F, E2, G::Return>
where
    G: Generator<S>,
    F: FnMut(G::Error) -> E2,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = E2;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, E2> {
        let step = self.source.resume(arg);
        self.map(step)
    }

    fn throw(&mut self, err: E2) -> Step<G::Yield, G::Return, E2> {
        match self.source.close() {
            Ok(None) => Step::Raised(Thrown::Error(err)),
            Ok(Some(r)) => Step::Complete(r),
            Err(CloseError::Raised(e)) => Step::Raised(Thrown::Error((self.f)(e))),
            Err(CloseError::Runtime(r)) => Step::Raised(Thrown::Runtime(r)),
            Err(CloseError::IgnoredExit(y)) => {
                self.pending = Some(err);
                Step::Yielded(y)
            }
        }
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, E2>> {
        self.pending = None;
        match self.source.close() {
            Ok(r) => Ok(r),
            Err(CloseError::IgnoredExit(y)) => Err(CloseError::IgnoredExit(y)),
            Err(CloseError::Raised(e)) => Err(CloseError::Raised((self.f)(e))),
            Err(CloseError::Runtime(r)) => Err(CloseError::Runtime(r)),
        }
    }

    forward!(state, length_hint);
}

adaptor_api!([G, F, E2, Ret] MapErr<G, F, E2, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_map_err(|e| e)");

impl<G: fmt::Debug, F, E2, Ret> fmt::Debug for MapErr<G, F, E2, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapErr").field("source", &self.source).finish_non_exhaustive()
    }
}
