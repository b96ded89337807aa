//! [`Map`](crate::Map): applies a function to every yielded value.

use core::fmt;

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};
use crate::util::map_close;

/// Applies a function to every value the source yields. Built by
/// [`GeneratorExt::gen_map`](crate::GeneratorExt::gen_map).
///
/// - **send**: forwarded, one to one (a value sent to `Map` reaches the source's `yield`).
/// - **return value**: the source's, unchanged ([`map_return`](crate::GeneratorExt::map_return)
///   maps it).
/// - **throw / close / state**: forwarded to the source; a value the source yields while
///   ignoring `close()` is mapped too.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::GeneratorExt;
/// use stasis::{Gen, Generator, Step};
///
/// let mut doubled = Gen::new(|co, ()| {
///     co.yield_(1);
///     co.yield_(2);
///     "done"
/// })
/// .gen_map(|x: i32| x * 2);
/// assert_eq!(doubled.resume(()), Step::Yielded(2));
/// assert_eq!(doubled.resume(()), Step::Yielded(4));
/// assert_eq!(doubled.resume(()), Step::Complete("done"));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Map<G, F, Ret> {
    source: G,
    f: F,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, Ret> Map<G, F, Ret> {
    pub(crate) fn new(source: G, f: F) -> Self {
        Map { source, f, ret: None }
    }
}

impl<S, G, F, T> Generator<S> for Map<G, F, G::Return>
where
    G: Generator<S>,
    F: FnMut(G::Yield) -> T,
{
    type Yield = T;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<T, G::Return, G::Error> {
        self.source.resume(arg).map_yield(&mut self.f)
    }

    fn throw(&mut self, err: G::Error) -> Step<T, G::Return, G::Error> {
        self.source.throw(err).map_yield(&mut self.f)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<T, G::Error>> {
        map_close(self.source.close(), &mut self.f)
    }

    forward!(state, length_hint);
}

adaptor_api!([G, F, Ret] Map<G, F, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_map(|x| x + 1)");

impl<G: fmt::Debug, F, Ret> fmt::Debug for Map<G, F, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map").field("source", &self.source).finish_non_exhaustive()
    }
}
