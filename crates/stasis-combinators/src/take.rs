//! [`Take`](crate::Take): yields at most `n` values, then stops without pulling more.

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Yields at most `n` values (Python's `islice(it, n)`), and never pulls an item it will not
/// yield: after the `n`th value it completes without resuming the source, which stays
/// suspended (resume it again through `&mut` if you kept it). Built by
/// [`GeneratorExt::gen_take`](crate::GeneratorExt::gen_take).
///
/// - **send**: forwarded, one to one.
/// - **return value**: `Some(r)` when the source returned `r` first, `None` when the limit
///   stopped it.
/// - **throw / close / state**: forwarded while the limit is not reached; afterwards `Take` is
///   [`State::Closed`](stasis_core::State::Closed) and does not touch the source.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, count};
/// use stasis::{Generator, Step};
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
pub struct Take<G, Ret> {
    source: G,
    remaining: usize,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, Ret> Take<G, Ret> {
    pub(crate) fn new(source: G, n: usize) -> Self {
        Take { source, remaining: n, finished: false, ret: None }
    }

    /// The end of the source (returned value, error or exhaustion): no more pulls.
    #[cold]
    fn source_ended<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, Option<R>, E> {
        self.finished = true;
        self.remaining = 0;
        step.map_return(Some)
    }

    /// `remaining` is 0: the limit is reached (reported once), or the adaptor has finished.
    #[cold]
    fn at_limit<Y, R, E>(&mut self) -> Step<Y, Option<R>, E> {
        if self.finished {
            return Step::Exhausted;
        }
        self.finished = true;
        Step::Complete(None)
    }
}

impl<S, G: Generator<S>> Generator<S> for Take<G, Option<G::Return>> {
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, Self::Return, G::Error> {
        // `remaining` is 0 once finished, so the hot path tests one counter, as std's `Take`.
        if self.remaining == 0 {
            return self.at_limit();
        }
        match self.source.resume(arg) {
            Step::Yielded(y) => {
                self.remaining -= 1;
                Step::Yielded(y)
            }
            end => self.source_ended(end),
        }
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, Self::Return, G::Error> {
        if self.remaining == 0 {
            self.finished = true;
            return Step::Raised(stasis_core::Thrown::Error(err));
        }
        match self.source.throw(err) {
            Step::Yielded(y) => {
                self.remaining -= 1;
                Step::Yielded(y)
            }
            end => self.source_ended(end),
        }
    }

    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<G::Yield, G::Error>> {
        if self.finished {
            return Ok(None);
        }
        self.finished = true;
        self.remaining = 0;
        Ok(self.source.close()?.map(Some))
    }

    forward!(finishing_state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        crate::util::cap_hint(self.source.length_hint(), self.remaining)
    }
}

adaptor_api!([G, Ret] Take<G, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_take(1)");
