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

/// `Iterator::fold` for a generator, with the first resume peeled off the loop: once the
/// source is known to be suspended, the optimizer can drop its "not started yet" test from the
/// loop (an inlined state-machine source otherwise keeps it as a loop-carried select).
#[inline]
pub(crate) fn fold_yields<G, A, F>(g: &mut G, init: A, mut f: F) -> A
where
    G: Generator<()> + ?Sized,
    F: FnMut(A, G::Yield) -> A,
{
    let mut acc = match g.resume(()) {
        Step::Yielded(y) => f(init, y),
        Step::Complete(_) | Step::Raised(_) | Step::Exhausted => return init,
    };
    while let Step::Yielded(y) = g.resume(()) {
        acc = f(acc, y);
    }
    acc
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

            #[inline]
            fn fold<FoldAcc, FoldFn>(mut self, init: FoldAcc, f: FoldFn) -> FoldAcc
            where
                FoldFn: FnMut(FoldAcc, Self::Item) -> FoldAcc,
            {
                crate::util::fold_yields(&mut self, init, f)
            }
        }
    };
}

pub(crate) use iterator_for;
