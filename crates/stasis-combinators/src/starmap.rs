//! [`Starmap`](crate::Starmap): calls a function with the fields of each yielded tuple as its arguments.

use core::fmt;

use stasis_core::{CloseError, Generator, Step};

use crate::forward::{adaptor_api, forward};
use crate::util::map_close;

/// A tuple whose fields can be the arguments of `F` (Python's `f(*args)`), for tuples of 1 to
/// 6 fields. [`Starmap`](crate::Starmap) calls through it.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::combinators::StarArgs;
/// let mut add = |a: i32, b: i32| a + b;
/// assert_eq!((2, 3).call_with(&mut add), 5);
/// ```
pub trait StarArgs<F> {
    /// What `F` returns.
    type Output;

    /// Calls `f` with the fields as arguments.
    fn call_with(self, f: &mut F) -> Self::Output;
}

macro_rules! star_args {
    ($(($($name:ident),+)),+ $(,)?) => {$(
        impl<Func, Out, $($name),+> StarArgs<Func> for ($($name,)+)
        where
            Func: FnMut($($name),+) -> Out,
        {
            type Output = Out;

            #[inline]
            #[allow(non_snake_case)]
            fn call_with(self, f: &mut Func) -> Out {
                let ($($name,)+) = self;
                f($($name),+)
            }
        }
    )+};
}

star_args!((A), (A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, G));

/// Calls a function with the fields of each yielded tuple as its arguments and yields the
/// result (Python's `itertools.starmap(f, it)`). Built by
/// [`GeneratorExt::starmap`](crate::GeneratorExt::starmap).
///
/// - **send**: forwarded, one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded; a value yielded while ignoring `close()` is mapped
///   too.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let powers = from_iter([(2u32, 5u32), (3, 2), (10, 3)]).starmap(u32::pow);
/// assert_eq!(powers.collect::<Vec<_>>(), [32, 9, 1000]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Starmap<G, F, Ret> {
    source: G,
    f: F,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, Ret> Starmap<G, F, Ret> {
    pub(crate) fn new(source: G, f: F) -> Self {
        Starmap { source, f, ret: None }
    }
}

impl<S, G, F> Generator<S> for Starmap<G, F, G::Return>
where
    G: Generator<S>,
    G::Yield: StarArgs<F>,
{
    type Yield = <G::Yield as StarArgs<F>>::Output;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<Self::Yield, G::Return, G::Error> {
        self.source.resume(arg).map_yield(|args| args.call_with(&mut self.f))
    }

    fn throw(&mut self, err: G::Error) -> Step<Self::Yield, G::Return, G::Error> {
        self.source.throw(err).map_yield(|args| args.call_with(&mut self.f))
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<Self::Yield, G::Error>> {
        map_close(self.source.close(), |args| args.call_with(&mut self.f))
    }

    forward!(state, length_hint);
}

adaptor_api!([G, F, Ret] Starmap<G, F, Ret>, keep_return: Ret, source: G, "from_iter([(1, 2)]).starmap(|a: i32, b: i32| a + b)");

impl<G: fmt::Debug, F, Ret> fmt::Debug for Starmap<G, F, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Starmap").field("source", &self.source).finish_non_exhaustive()
    }
}
