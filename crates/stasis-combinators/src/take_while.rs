//! [`TakeWhile`](crate::TakeWhile): yields values while a predicate holds.

use core::fmt;

use stasis_core::{Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Yields values while the predicate returns `true`, then stops (Python's
/// `itertools.takewhile`). Like CPython it consumes the first value that fails the predicate:
/// that value is not yielded, but it is kept, and [`TakeWhile::take_rejected`](crate::TakeWhile::take_rejected) gives it back.
/// Built by [`GeneratorExt::gen_take_while`](crate::GeneratorExt::gen_take_while).
///
/// - **send**: forwarded, one to one.
/// - **return value**: `Some(r)` when the source returned `r`, `None` when the predicate
///   ended it (the source stays suspended).
/// - **throw / close / state**: forwarded until the end; afterwards [`State::Closed`](stasis_core::State::Closed).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let mut small = from_iter([1, 4, 6, 2]).gen_take_while(|x: &i32| *x < 5);
/// assert_eq!(small.by_ref().collect::<Vec<_>>(), [1, 4]);
/// assert_eq!(small.take_rejected(), Some(6));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct TakeWhile<G, P, Y, Ret> {
    source: G,
    pred: P,
    rejected: Option<Y>,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, P, Y, Ret> TakeWhile<G, P, Y, Ret> {
    pub(crate) fn new(source: G, pred: P) -> Self {
        TakeWhile { source, pred, rejected: None, finished: false, ret: None }
    }

    /// The value that failed the predicate and ended the adaptor, once.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let mut tw = from_iter([1, 9]).gen_take_while(|x: &i32| *x < 5);
    /// assert_eq!(tw.take_rejected(), None);
    /// assert_eq!(tw.by_ref().count(), 1);
    /// assert_eq!(tw.take_rejected(), Some(9));
    /// ```
    pub fn take_rejected(&mut self) -> Option<Y> {
        self.rejected.take()
    }

    #[inline]
    fn check<R, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, Option<R>, E>
    where
        P: FnMut(&Y) -> bool,
    {
        match step {
            Step::Yielded(y) => {
                if (self.pred)(&y) {
                    Step::Yielded(y)
                } else {
                    self.finished = true;
                    self.rejected = Some(y);
                    Step::Complete(None)
                }
            }
            other => {
                self.finished = true;
                other.map_return(Some)
            }
        }
    }
}

impl<S, G, P, Y> Generator<S> for TakeWhile<G, P, Y, Option<G::Return>>
where
    G: Generator<S, Yield = Y>,
    P: FnMut(&Y) -> bool,
{
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    forward!(resume(S), throw => check, unless finished);

    forward!(finishing_close, finishing_state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished { (0, Some(0)) } else { (0, self.source.length_hint().1) }
    }
}

adaptor_api!([G, P, Y, Ret] TakeWhile<G, P, Y, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_take_while(|x| *x < 2)");

impl<G: fmt::Debug, P, Y: fmt::Debug, Ret> fmt::Debug for TakeWhile<G, P, Y, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TakeWhile")
            .field("source", &self.source)
            .field("rejected", &self.rejected)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
