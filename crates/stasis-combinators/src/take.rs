//! [`Take`]: yields at most `n` values, then stops without pulling more.

use stasis_core::{CloseError, Generator, State, Step};

use crate::util::iterator_for;

/// Yields at most `n` values (Python's `islice(it, n)`), and never pulls an item it will not
/// yield: after the `n`th value it completes without resuming the source, which stays
/// suspended (resume it again through `&mut` if you kept it). Built by
/// [`GeneratorExt::gen_take`](crate::GeneratorExt::gen_take).
///
/// - **send**: forwarded, one to one.
/// - **return value**: `Some(r)` when the source returned `r` first, `None` when the limit
///   stopped it.
/// - **throw / close / state**: forwarded while the limit is not reached; afterwards `Take` is
///   [`State::Closed`] and does not touch the source.
///
/// # Examples
///
/// ```
/// use stasis_combinators::{GeneratorExt, count};
/// use stasis_core::{Generator, Step};
///
/// let mut naturals = count(1, 1);
/// let mut first = (&mut naturals).gen_take(2);
/// assert_eq!(first.resume(()), Step::Yielded(1));
/// assert_eq!(first.resume(()), Step::Yielded(2));
/// assert_eq!(first.resume(()), Step::Complete(None)); // the limit, not the source
/// assert_eq!(naturals.resume(()), Step::Yielded(3)); // nothing was pulled past the limit
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
#[derive(Debug)]
pub struct Take<G> {
    source: G,
    remaining: usize,
    finished: bool,
}

impl<G> Take<G> {
    pub(crate) fn new(source: G, n: usize) -> Self {
        Take { source, remaining: n, finished: false }
    }

    #[inline]
    fn count<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, Option<R>, E> {
        match step {
            Step::Yielded(y) => {
                self.remaining -= 1;
                Step::Yielded(y)
            }
            Step::Complete(r) => {
                self.finished = true;
                Step::Complete(Some(r))
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

    /// Whether the limit is reached (reports the end once).
    #[inline]
    fn at_limit<Y, R, E>(&mut self) -> Option<Step<Y, Option<R>, E>> {
        if self.finished {
            return Some(Step::Exhausted);
        }
        if self.remaining == 0 {
            self.finished = true;
            return Some(Step::Complete(None));
        }
        None
    }
}

impl<S, G: Generator<S>> Generator<S> for Take<G> {
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, Self::Return, G::Error> {
        if let Some(end) = self.at_limit() {
            return end;
        }
        let step = self.source.resume(arg);
        self.count(step)
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, Self::Return, G::Error> {
        if self.finished || self.remaining == 0 {
            self.finished = true;
            return Step::Raised(stasis_core::Thrown::Error(err));
        }
        let step = self.source.throw(err);
        self.count(step)
    }

    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<G::Yield, G::Error>> {
        if self.finished {
            return Ok(None);
        }
        self.finished = true;
        Ok(self.source.close()?.map(Some))
    }

    #[inline]
    fn state(&self) -> State {
        if self.finished { State::Closed } else { self.source.state() }
    }
}

iterator_for!([G] Take<G>);
