//! Small helpers shared by the adaptors: `Iterator::next` in terms of `resume`, close-result
//! mapping, and the macro that gives every `S = ()` adaptor its `Iterator` impl.

use core::fmt;

use stasis_core::{CloseError, Generator, Step};

/// `Iterator::next` for a generator that cannot be thrown into: the yielded value, `None`
/// when it finished, a panic if an exit or a runtime error leaves it (see `Step::into_next`).
#[inline]
pub(crate) fn next_yield<G>(g: &mut G) -> Option<G::Yield>
where
    G: Generator<()> + ?Sized,
    G::Error: fmt::Display,
{
    g.resume(()).into_next()
}

/// `Iterator::fold` for a generator, with the first resume peeled off the loop: once the
/// source is known to be suspended, the optimizer can drop its "not started yet" test from the
/// loop (an inlined state-machine source otherwise keeps it as a loop-carried select).
#[inline]
pub(crate) fn fold_yields<G, A, F>(g: &mut G, init: A, mut f: F) -> A
where
    G: Generator<()> + ?Sized,
    G::Error: fmt::Display,
    F: FnMut(A, G::Yield) -> A,
{
    let mut acc = match g.resume(()).into_next() {
        Some(y) => f(init, y),
        None => return init,
    };
    loop {
        match g.resume(()) {
            Step::Yielded(y) => acc = f(acc, y),
            step => {
                let _ = step.into_next();
                return acc;
            }
        }
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
        Err(CloseError::Runtime(r)) => Err(CloseError::Runtime(r)),
    }
}

/// Implements `Iterator` for an adaptor whose `Generator<()>` impl exists and cannot raise
/// (`Error = Infallible`): `next` is `resume(())` keeping only yielded values. An adaptor over
/// a source that can raise is not an `Iterator`, so that an error cannot end a `collect()`
/// silently: it is iterated with `Generator::try_iter`, which yields `Result` items.
///
/// `iterator_for!([generics] Type, ErrorType)` names another error type an iterator may drive:
/// one whose only values are raised by the adaptor itself, never by its source (`Tee`'s
/// `TeeError<Infallible>`: re-entering the tee), which `next` panics on as it does on the exit.
macro_rules! iterator_for {
    ([$($generics:tt)*] $ty:ty) => {
        crate::util::iterator_for!([$($generics)*] $ty, ::core::convert::Infallible);
    };
    ([$($generics:tt)*] $ty:ty, $err:ty) => {
        impl<$($generics)*> Iterator for $ty
        where
            Self: stasis_core::Generator<(), Error = $err>,
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
