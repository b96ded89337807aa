//! [`Enumerate`](crate::Enumerate): pairs every yielded value with its index.

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};
use crate::util::map_close;

/// Pairs every yielded value with its index, counting from a start value (Python's
/// `enumerate(it, start)`). Built by [`GeneratorExt::gen_enumerate`](crate::GeneratorExt::gen_enumerate)
/// and [`GeneratorExt::enumerate_from`](crate::GeneratorExt::enumerate_from).
///
/// - **send**: forwarded, one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded; values yielded after a `throw` are numbered too.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let numbered = from_iter(["x", "y"]).enumerate_from(10);
/// assert_eq!(numbered.collect::<Vec<_>>(), [(10, "x"), (11, "y")]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
#[derive(Debug)]
pub struct Enumerate<G, Ret> {
    source: G,
    index: usize,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, Ret> Enumerate<G, Ret> {
    pub(crate) fn new(source: G, start: usize) -> Self {
        Enumerate { source, index: start, ret: None }
    }

    #[inline]
    fn number<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<(usize, Y), R, E> {
        step.map_yield(|y| {
            let i = self.index;
            self.index += 1;
            (i, y)
        })
    }
}

impl<S, G: Generator<S>> Generator<S> for Enumerate<G, G::Return> {
    type Yield = (usize, G::Yield);
    type Return = G::Return;
    type Error = G::Error;

    forward!(resume(S), throw => number);

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<Self::Yield, G::Error>> {
        let index = self.index;
        map_close(self.source.close(), |y| (index, y))
    }

    forward!(state, length_hint);
}

adaptor_api!([G, Ret] Enumerate<G, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_enumerate()");
