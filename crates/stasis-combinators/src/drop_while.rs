//! [`DropWhile`](crate::DropWhile): drops values while a predicate holds, then yields everything.

use core::fmt;

use stasis_core::{Generator, Step};

use crate::forward::{adaptor_api, forward, pull_from, pull_until};

/// Drops values while the predicate returns `true`, then yields every value, calling the
/// predicate no more after its first `false` (Python's `itertools.dropwhile`). Built by
/// [`GeneratorExt::drop_while`](crate::GeneratorExt::drop_while).
///
/// - **send**: dropped values are answered with `S::default()`; once dropping is over, sends
///   are forwarded one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded to the source.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let rest = from_iter([1, 3, 6, 2, 7]).drop_while(|x: &i32| *x < 5);
/// assert_eq!(rest.collect::<Vec<_>>(), [6, 2, 7]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct DropWhile<G, P, Ret> {
    source: G,
    pred: P,
    dropping: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, P, Ret> DropWhile<G, P, Ret> {
    pub(crate) fn new(source: G, pred: P) -> Self {
        DropWhile { source, pred, dropping: true, ret: None }
    }
}

/// Whether a value is passed on: the first the predicate refuses and every one after it.
#[inline]
fn accept<Y>(dropping: &mut bool, pred: &mut impl FnMut(&Y) -> bool, y: &Y) -> bool {
    if *dropping && pred(y) {
        return false;
    }
    *dropping = false;
    true
}

impl<S, G, P> Generator<S> for DropWhile<G, P, G::Return>
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
        pull_from(&mut self.source, arg, |y| accept(&mut self.dropping, &mut self.pred, y))
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        let step = self.source.throw(err);
        pull_until(&mut self.source, step, |y| accept(&mut self.dropping, &mut self.pred, y))
    }

    forward!(close, state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.source.length_hint();
        if self.dropping { (0, hi) } else { (lo, hi) }
    }
}

adaptor_api!([G, P, Ret] DropWhile<G, P, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).drop_while(|x| *x < 2)");

impl<G: fmt::Debug, P, Ret> fmt::Debug for DropWhile<G, P, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DropWhile")
            .field("source", &self.source)
            .field("dropping", &self.dropping)
            .finish_non_exhaustive()
    }
}
