//! Small helpers shared by the adaptors: `Iterator::next` in terms of `resume`, close-result
//! mapping, and the macro that gives every `S = ()` adaptor its `Iterator` impl.

use stasis_core::{CloseError, Generator, Step};

/// `Iterator::next` for a generator: the yielded value, `None` on every other outcome.
#[inline]
pub(crate) fn next_yield<G: Generator<()> + ?Sized>(g: &mut G) -> Option<G::Yield> {
    match g.resume(()) {
        Step::Yielded(y) => Some(y),
        Step::Complete(_) | Step::Raised(_) | Step::Exhausted => None,
    }
}

/// Maps the value a source yielded while ignoring `close()` (the only yielded value a close
/// result can carry).
#[inline]
pub(crate) fn map_close<Y, Y2, R, E>(
    result: Result<Option<R>, CloseError<Y, E>>,
    f: impl FnOnce(Y) -> Y2,
) -> Result<Option<R>, CloseError<Y2, E>> {
    match result {
        Ok(r) => Ok(r),
        Err(CloseError::IgnoredExit(y)) => Err(CloseError::IgnoredExit(f(y))),
        Err(CloseError::Raised(e)) => Err(CloseError::Raised(e)),
    }
}

/// Implements `Iterator` (and `FusedIterator`) for an adaptor whose `Generator<()>` impl exists:
/// `next` is `resume(())` keeping only yielded values.
macro_rules! iterator_for {
    ([$($generics:tt)*] $ty:ty) => {
        impl<$($generics)*> Iterator for $ty
        where
            Self: stasis_core::Generator<()>,
        {
            type Item = <Self as stasis_core::Generator<()>>::Yield;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                crate::util::next_yield(self)
            }
        }
    };
}

pub(crate) use iterator_for;
