//! [`Pairwise`](crate::Pairwise): overlapping pairs of consecutive values.

use core::fmt;

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Yields overlapping pairs `(a, b), (b, c), ...` of consecutive values (Python's
/// `itertools.pairwise`); a source with fewer than two values yields nothing. It holds one
/// value, the last one seen. Built by [`GeneratorExt::pairwise`](crate::GeneratorExt::pairwise).
///
/// - **send**: the first resume pulls two values, the first with the sent value and the second
///   with `S::default()`; afterwards one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded; a value the source yields while ignoring `close()`
///   is paired with the last value (if `Pairwise` never saw one, it is kept as the first of the
///   next pair and `close` reports `Ok(None)` with the source still suspended).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let pairs = from_iter([1, 2, 3]).pairwise();
/// assert_eq!(pairs.collect::<Vec<_>>(), [(1, 2), (2, 3)]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Pairwise<G, Y, Ret> {
    source: G,
    last: Option<Y>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, Y, Ret> Pairwise<G, Y, Ret> {
    pub(crate) fn new(source: G) -> Self {
        Pairwise { source, last: None, ret: None }
    }
}

impl<G, Y: Clone, Ret> Pairwise<G, Y, Ret> {
    #[inline]
    fn pair<S: Default>(
        &mut self,
        mut step: Step<Y, G::Return, G::Error>,
    ) -> Step<(Y, Y), G::Return, G::Error>
    where
        G: Generator<S, Yield = Y>,
    {
        if self.last.is_none() {
            match step {
                Step::Yielded(y) => {
                    self.last = Some(y);
                    step = self.source.resume(S::default());
                }
                end => return end.map_yield(|_| unreachable!("matched above")),
            }
        }
        step.map_yield(|y| {
            let prev = self.last.replace(y.clone()).expect("set above");
            (prev, y)
        })
    }
}

impl<S, G, Y> Generator<S> for Pairwise<G, Y, G::Return>
where
    S: Default,
    G: Generator<S, Yield = Y>,
    Y: Clone,
{
    type Yield = (Y, Y);
    type Return = G::Return;
    type Error = G::Error;

    forward!(resume(S), throw => pair);

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<(Y, Y), G::Error>> {
        match self.source.close() {
            Ok(r) => Ok(r),
            Err(CloseError::Raised(e)) => Err(CloseError::Raised(e)),
            Err(CloseError::Runtime(r)) => Err(CloseError::Runtime(r)),
            Err(CloseError::IgnoredExit(y)) => match self.last.replace(y.clone()) {
                Some(prev) => Err(CloseError::IgnoredExit((prev, y))),
                None => Ok(None),
            },
        }
    }

    forward!(state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.source.length_hint();
        if self.last.is_some() {
            (lo, hi)
        } else {
            (lo.saturating_sub(1), hi.map(|h| h.saturating_sub(1)))
        }
    }
}

adaptor_api!([G, Y, Ret] Pairwise<G, Y, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).pairwise()");

impl<G: fmt::Debug, Y: fmt::Debug, Ret> fmt::Debug for Pairwise<G, Y, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pairwise").field("source", &self.source).field("last", &self.last).finish()
    }
}
