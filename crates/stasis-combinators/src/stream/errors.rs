//! [`StopOnError`](crate::stream::StopOnError) and [`SkipErrors`](crate::stream::SkipErrors): the caller's choice for error items.

use core::fmt;

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Yields the `Ok` values of a generator of `Result`s and ends at the first `Err`, which
/// becomes the return value: `Complete(Err(e))`; a source that ends without error returns
/// `Complete(Ok(r))`. Built by [`GeneratorExt::stop_on_error`](crate::GeneratorExt::stop_on_error).
///
/// - **send**: forwarded, one to one.
/// - **return value**: `Ok(source's)`, or `Err(first error)`.
/// - **throw / close / state**: forwarded until an error item ends it (then `Closed`; the
///   source is left as it is).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::stream::lines;
/// use stasis::GeneratorExt;
/// use stasis::{Generator, Step};
/// let mut ok = lines(&b"a\nb\n"[..]).stop_on_error();
/// assert_eq!(ok.by_ref().collect::<Vec<_>>(), ["a", "b"]);
/// assert!(matches!(ok.resume(()), Step::Exhausted));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
#[derive(Debug)]
pub struct StopOnError<G, Ret> {
    source: G,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, Ret> StopOnError<G, Ret> {
    pub(crate) fn new(source: G) -> Self {
        StopOnError { source, finished: false, ret: None }
    }

    #[inline]
    fn split<T, E, R, X>(&mut self, step: Step<Result<T, E>, R, X>) -> Step<T, Result<R, E>, X> {
        match step {
            Step::Yielded(Ok(t)) => Step::Yielded(t),
            Step::Yielded(Err(e)) => {
                self.finished = true;
                Step::Complete(Err(e))
            }
            Step::Complete(r) => {
                self.finished = true;
                Step::Complete(Ok(r))
            }
            Step::Raised(t) => {
                self.finished = true;
                Step::Raised(t)
            }
            Step::Exhausted => {
                self.finished = true;
                Step::Exhausted
            }
        }
    }
}

impl<S, G, T, E> Generator<S> for StopOnError<G, Result<G::Return, E>>
where
    G: Generator<S, Yield = Result<T, E>>,
{
    type Yield = T;
    type Return = Result<G::Return, E>;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<T, Self::Return, G::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        let step = self.source.resume(arg);
        self.split(step)
    }

    fn throw(&mut self, err: G::Error) -> Step<T, Self::Return, G::Error> {
        if self.finished {
            return Step::Raised(stasis_core::Thrown::Error(err));
        }
        let step = self.source.throw(err);
        self.split(step)
    }

    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<T, G::Error>> {
        if self.finished {
            return Ok(None);
        }
        self.finished = true;
        match self.source.close() {
            Ok(r) => Ok(r.map(Ok)),
            Err(CloseError::Raised(e)) => Err(CloseError::Raised(e)),
            Err(CloseError::Runtime(r)) => Err(CloseError::Runtime(r)),
            Err(CloseError::IgnoredExit(Ok(t))) => Err(CloseError::IgnoredExit(t)),
            Err(CloseError::IgnoredExit(Err(e))) => Ok(Some(Err(e))),
        }
    }

    forward!(finishing_state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished { (0, Some(0)) } else { (0, self.source.length_hint().1) }
    }
}

adaptor_api!([G, Ret] StopOnError<G, Ret>, keep_return: Ret, source: G, "from_iter([Ok::<i32, &str>(1)]).stop_on_error()");

/// Yields the `Ok` values of a generator of `Result`s and hands each `Err` to a callback
/// before pulling on. Built by [`GeneratorExt::skip_errors`](crate::GeneratorExt::skip_errors).
///
/// - **send**: the pull after an error is answered with `S::default()`; otherwise one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::stream::lines;
/// use stasis::GeneratorExt;
/// let mut bad_lines = Vec::new();
/// let good: Vec<String> = lines(&b"a\n\xff\nc\n"[..]).skip_errors(|e| bad_lines.push(e.line())).collect();
/// assert_eq!(good, ["a", "c"]);
/// assert_eq!(bad_lines, [2]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct SkipErrors<G, F, Ret> {
    source: G,
    on_error: F,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, Ret> SkipErrors<G, F, Ret> {
    pub(crate) fn new(source: G, on_error: F) -> Self {
        SkipErrors { source, on_error, ret: None }
    }

    #[inline]
    fn sift<S: Default, T, E>(
        &mut self,
        mut step: Step<Result<T, E>, G::Return, G::Error>,
    ) -> Step<T, G::Return, G::Error>
    where
        G: Generator<S, Yield = Result<T, E>>,
        F: FnMut(E),
    {
        loop {
            match step {
                Step::Yielded(Ok(t)) => return Step::Yielded(t),
                Step::Yielded(Err(e)) => {
                    (self.on_error)(e);
                    step = self.source.resume(S::default());
                }
                Step::Complete(r) => return Step::Complete(r),
                Step::Raised(t) => return Step::Raised(t),
                Step::Exhausted => return Step::Exhausted,
            }
        }
    }
}

impl<S, G, T, E, F> Generator<S> for SkipErrors<G, F, G::Return>
where
    S: Default,
    G: Generator<S, Yield = Result<T, E>>,
    F: FnMut(E),
{
    type Yield = T;
    type Return = G::Return;
    type Error = G::Error;

    forward!(resume(S), throw => sift);

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<T, G::Error>> {
        match self.source.close() {
            Ok(r) => Ok(r),
            Err(CloseError::Raised(e)) => Err(CloseError::Raised(e)),
            Err(CloseError::Runtime(r)) => Err(CloseError::Runtime(r)),
            Err(CloseError::IgnoredExit(Ok(t))) => Err(CloseError::IgnoredExit(t)),
            Err(CloseError::IgnoredExit(Err(e))) => {
                (self.on_error)(e);
                Ok(None)
            }
        }
    }

    forward!(state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        (0, self.source.length_hint().1)
    }
}

adaptor_api!([G, F, Ret] SkipErrors<G, F, Ret>, keep_return: Ret, source: G, "from_iter([Ok::<i32, &str>(1)]).skip_errors(drop)");

impl<G: fmt::Debug, F, Ret> fmt::Debug for SkipErrors<G, F, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SkipErrors").field("source", &self.source).finish_non_exhaustive()
    }
}
