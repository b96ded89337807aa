//! [`Skip`](crate::Skip): drops the first `n` values.

use stasis_core::{Generator, Step};

use crate::forward::{adaptor_api, forward, pull_from, pull_until};

/// Drops the first `n` values the source yields, pulling them on the first resume (Python's
/// `islice(it, n, None)`). Built by [`GeneratorExt::gen_skip`](crate::GeneratorExt::gen_skip).
///
/// - **send**: the first resume's value starts the source; skipped values are answered with
///   `S::default()`; afterwards sends are forwarded one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded to the source.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// assert_eq!(from_iter(1..=5).gen_skip(3).collect::<Vec<_>>(), [4, 5]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
#[derive(Debug)]
pub struct Skip<G, Ret> {
    source: G,
    to_skip: usize,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, Ret> Skip<G, Ret> {
    pub(crate) fn new(source: G, n: usize) -> Self {
        Skip { source, to_skip: n, ret: None }
    }
}

/// Whether a value is passed on: not while some remain to be skipped (counting this one).
#[inline]
fn accept(to_skip: &mut usize) -> bool {
    if *to_skip == 0 {
        return true;
    }
    *to_skip -= 1;
    false
}

impl<S: Default, G: Generator<S>> Generator<S> for Skip<G, G::Return> {
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, G::Error> {
        pull_from(&mut self.source, arg, |_| accept(&mut self.to_skip))
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        let step = self.source.throw(err);
        pull_until(&mut self.source, step, |_| accept(&mut self.to_skip))
    }

    forward!(close, state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.source.length_hint();
        (lo.saturating_sub(self.to_skip), hi.map(|h| h.saturating_sub(self.to_skip)))
    }
}

adaptor_api!([G, Ret] Skip<G, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_skip(1)");
