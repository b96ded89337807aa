//! [`Filter`](crate::Filter) and [`FilterFalse`](crate::FilterFalse): yield only the values a predicate accepts (or rejects).

use core::fmt;

use stasis_core::{Generator, Step};

use crate::forward::{adaptor_api, forward, pull_from, pull_until};

/// Yields only the values for which the predicate returns `true` (Python's `filter`). Built by
/// [`GeneratorExt::gen_filter`](crate::GeneratorExt::gen_filter).
///
/// - **send**: a sent value goes to the source's `yield` that produced the last value `Filter`
///   passed on; rejected values are answered with `S::default()` (Python's `next`, which is
///   `send(None)`).
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded to the source (after a `throw`, values the source
///   yields are filtered too; a value yielded while ignoring `close()` is reported unfiltered).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let evens = from_iter(1..=6).gen_filter(|x: &i32| x % 2 == 0);
/// assert_eq!(evens.collect::<Vec<_>>(), [2, 4, 6]);
/// ```
///
/// `KEEP` is what the predicate must answer for a value to be yielded: `true` here, `false`
/// for [`FilterFalse`](crate::FilterFalse).
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Filter<G, P, Ret, const KEEP: bool = true> {
    source: G,
    pred: P,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

/// Yields only the values for which the predicate returns `false` (Python's
/// `itertools.filterfalse`): a [`Filter`](crate::Filter) with the answer reversed, the same protocol. Built by
/// [`GeneratorExt::filter_false`](crate::GeneratorExt::filter_false).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::combinators::FilterFalse;
/// use stasis::{GeneratorExt, from_iter};
/// let odds: FilterFalse<_, _, _> = from_iter(1..=6).filter_false(|x: &i32| x % 2 == 0);
/// assert_eq!(odds.collect::<Vec<_>>(), [1, 3, 5]);
/// ```
pub type FilterFalse<G, P, Ret> = Filter<G, P, Ret, false>;

impl<G, P, Ret, const KEEP: bool> Filter<G, P, Ret, KEEP> {
    pub(crate) fn new(source: G, pred: P) -> Self {
        Filter { source, pred, ret: None }
    }
}

impl<S, G, P, const KEEP: bool> Generator<S> for Filter<G, P, G::Return, KEEP>
where
    S: Default,
    G: Generator<S>,
    P: FnMut(&G::Yield) -> bool,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, G::Error> {
        pull_from(&mut self.source, arg, |y| (self.pred)(y) == KEEP)
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        let step = self.source.throw(err);
        pull_until(&mut self.source, step, |y| (self.pred)(y) == KEEP)
    }

    forward!(close, state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        (0, self.source.length_hint().1)
    }
}

adaptor_api!([G, P, Ret, const KEEP: bool] Filter<G, P, Ret, KEEP>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_filter(|x| x % 2 == 0)");

impl<G: fmt::Debug, P, Ret, const KEEP: bool> fmt::Debug for Filter<G, P, Ret, KEEP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(if KEEP { "Filter" } else { "FilterFalse" })
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}
