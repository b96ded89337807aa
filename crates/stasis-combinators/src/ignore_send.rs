//! [`IgnoreSend`](crate::IgnoreSend): a generator that takes no sends (`S = ()`) accepts any send type and drops
//! the values.

use core::fmt;
use core::marker::PhantomData;

use stasis_core::{Generator, Step};

use crate::forward::{adaptor_api, forward};

/// Makes a generator with `S = ()` a `Generator<S2>` that drops every value sent to it and
/// resumes the source with `()`. Built by
/// [`GeneratorExt::gen_ignore_send`](crate::GeneratorExt::gen_ignore_send).
///
/// Dropping data is the caller's explicit choice here, as the name says. Python does not drop
/// it: `yield from` a plain iterator raises `AttributeError` when a value other than `None`
/// is sent. [`gen_refuse_send`](crate::GeneratorExt::gen_refuse_send) does that (an error, not
/// lost data), and is the one to use when a sent value must not vanish.
///
/// - **send**: dropped; the source is resumed with `()`.
/// - **return value / throw / close / state**: the source's, unchanged.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Generator, Step};
/// let mut g = from_iter(["a", "b"]).gen_ignore_send::<i64>();
/// assert_eq!(g.resume(10), Step::Yielded("a"));
/// assert_eq!(g.resume(20), Step::Yielded("b")); // 20 went nowhere, on purpose
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct IgnoreSend<G, S2, Ret> {
    source: G,
    _send: PhantomData<fn(S2)>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, S2, Ret> IgnoreSend<G, S2, Ret> {
    pub(crate) fn new(source: G) -> Self {
        IgnoreSend { source, _send: PhantomData, ret: None }
    }
}

impl<G: Generator<()>, S2> Generator<S2> for IgnoreSend<G, S2, G::Return> {
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, _dropped: S2) -> Step<G::Yield, G::Return, G::Error> {
        self.source.resume(())
    }

    forward!(throw, close, state, length_hint);
}

adaptor_api!([G, S2, Ret] IgnoreSend<G, S2, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_ignore_send::<()>()");

impl<G: fmt::Debug, S2, Ret> fmt::Debug for IgnoreSend<G, S2, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IgnoreSend").field("source", &self.source).finish()
    }
}
