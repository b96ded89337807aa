//! [`MapReturn`](crate::MapReturn): applies a function to the source's return value.

use core::fmt;

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Applies a function to the source's return value (Python's `StopIteration.value`), once.
/// Built by [`GeneratorExt::map_return`](crate::GeneratorExt::map_return).
///
/// - **send**: forwarded, one to one.
/// - **return value**: `f(source's return value)`; also when `close()` makes the source return.
/// - **throw / close / state**: forwarded to the source.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::GeneratorExt;
/// use stasis::{Gen, Generator, Step};
///
/// let mut g = Gen::new(|co, ()| {
///     co.yield_(1);
///     41
/// })
/// .map_return(|r| r + 1);
/// assert_eq!(g.resume(()), Step::Yielded(1));
/// assert_eq!(g.resume(()), Step::Complete(42));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct MapReturn<G, F, Ret> {
    source: G,
    f: Option<F>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, Ret> MapReturn<G, F, Ret> {
    pub(crate) fn new(source: G, f: F) -> Self {
        MapReturn { source, f: Some(f), ret: None }
    }

    fn apply<R, R2>(&mut self, r: R) -> Option<R2>
    where
        F: FnOnce(R) -> R2,
    {
        self.f.take().map(|f| f(r))
    }
}

impl<S, G, F, R2> Generator<S> for MapReturn<G, F, R2>
where
    G: Generator<S>,
    F: FnOnce(G::Return) -> R2,
{
    type Yield = G::Yield;
    type Return = R2;
    type Error = G::Error;

    forward!(resume(S), throw => finish);

    fn close(&mut self) -> Result<Option<R2>, CloseError<G::Yield, G::Error>> {
        match self.source.close()? {
            Some(r) => Ok(self.apply(r)),
            None => Ok(None),
        }
    }

    forward!(state, length_hint);
}

impl<G, F, Ret> MapReturn<G, F, Ret> {
    #[inline]
    fn finish<Y, R, R2, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, R2, E>
    where
        F: FnOnce(R) -> R2,
    {
        match step {
            Step::Yielded(y) => Step::Yielded(y),
            Step::Complete(r) => match self.apply(r) {
                Some(r2) => Step::Complete(r2),
                None => Step::Exhausted,
            },
            Step::Raised(t) => Step::Raised(t),
            Step::Exhausted => Step::Exhausted,
        }
    }
}

adaptor_api!([G, F, Ret] MapReturn<G, F, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).map_return(|()| 0)");

impl<G: fmt::Debug, F, Ret> fmt::Debug for MapReturn<G, F, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapReturn").field("source", &self.source).finish_non_exhaustive()
    }
}
