//! [`Compress`](crate::Compress): yields the values whose selector is `true`.

use core::fmt;

use stasis_core::{Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Yields the values whose matching selector is `true`, stopping when either the values or the
/// selectors run out (Python's `itertools.compress(data, selectors)`). Built by
/// [`GeneratorExt::compress`](crate::GeneratorExt::compress).
///
/// Each step pulls a value, then its selector, as CPython does: when the selectors run out
/// first, the value just pulled is dropped (as in Python).
///
/// - **send**: a sent value goes to the source's `yield` that produced the last value passed
///   on; values not selected are answered with `S::default()` (Python's `next`).
/// - **return value**: `Some(source's)` when the source ended first, `None` when the
///   selectors did.
/// - **throw / close / state**: forwarded to the source until the end (a value the source
///   yields after a `throw` is selected too); `Closed` afterwards.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let picked = from_iter("ABCDEF".chars()).compress([true, false, true, false, true, true]);
/// assert_eq!(picked.collect::<String>(), "ACEF");
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Compress<G, I, Ret> {
    source: G,
    selectors: I,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, I, Ret> Compress<G, I, Ret> {
    pub(crate) fn new(source: G, selectors: I) -> Self {
        Compress { source, selectors, finished: false, ret: None }
    }

    #[inline]
    fn select<S: Default>(
        &mut self,
        mut step: Step<G::Yield, G::Return, G::Error>,
    ) -> Step<G::Yield, Option<G::Return>, G::Error>
    where
        G: Generator<S>,
        I: Iterator<Item = bool>,
    {
        loop {
            match step {
                Step::Yielded(y) => match self.selectors.next() {
                    Some(true) => return Step::Yielded(y),
                    Some(false) => step = self.source.resume(S::default()),
                    None => {
                        self.finished = true;
                        return Step::Complete(None);
                    }
                },
                end => {
                    self.finished = true;
                    return end.map_return(Some);
                }
            }
        }
    }
}

impl<S, G, I> Generator<S> for Compress<G, I, Option<G::Return>>
where
    S: Default,
    G: Generator<S>,
    I: Iterator<Item = bool>,
{
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    forward!(resume(S), throw => select, unless finished);

    forward!(finishing_close, finishing_state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished {
            return (0, Some(0));
        }
        let hi = crate::util::min_hints(self.source.length_hint(), self.selectors.size_hint()).1;
        (0, hi)
    }
}

adaptor_api!([G, I, Ret] Compress<G, I, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).compress([true, false])");

impl<G: fmt::Debug, I, Ret> fmt::Debug for Compress<G, I, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compress")
            .field("source", &self.source)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
