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

/// A length hint of at most `n` values.
#[inline]
pub(crate) fn cap_hint((lo, hi): (usize, Option<usize>), n: usize) -> (usize, Option<usize>) {
    (lo.min(n), Some(hi.map_or(n, |h| h.min(n))))
}

/// The length hint of one generator's values followed by another's.
#[inline]
pub(crate) fn add_hints(
    a: (usize, Option<usize>),
    b: (usize, Option<usize>),
) -> (usize, Option<usize>) {
    let hi = match (a.1, b.1) {
        (Some(x), Some(y)) => x.checked_add(y),
        _ => None,
    };
    (a.0.saturating_add(b.0), hi)
}

/// The length hint of two generators pulled in lockstep until either ends.
#[inline]
pub(crate) fn min_hints(
    a: (usize, Option<usize>),
    b: (usize, Option<usize>),
) -> (usize, Option<usize>) {
    let hi = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    };
    (a.0.min(b.0), hi)
}

/// The length hint of `islice` having pulled `pulled` values, yielding next the one at index
/// `next`, then every `step`th before `stop`, over a source that has `source` values left.
pub(crate) fn islice_hint(
    source: (usize, Option<usize>),
    pulled: usize,
    next: usize,
    stop: Option<usize>,
    step: usize,
) -> (usize, Option<usize>) {
    // Values yielded out of `m` more from the source.
    let gap = next.saturating_sub(pulled);
    let yields = |m: usize| if m <= gap { 0 } else { (m - gap - 1) / step + 1 };
    let cap = stop.map(|stop| if next < stop { (stop - next - 1) / step + 1 } else { 0 });
    let lo = yields(source.0);
    let hi = source.1.map(yields);
    match cap {
        Some(cap) => (lo.min(cap), Some(hi.map_or(cap, |h| h.min(cap)))),
        None => (lo, hi),
    }
}

/// Implements `Iterator` and `FusedIterator` (every stasis generator is fused by contract:
/// after its end, `resume` gives `Exhausted` forever) for an adaptor whose `Generator<()>` impl
/// exists and cannot raise (`Error = Infallible`): `next` is `resume(())` keeping only yielded
/// values, `size_hint` is [`Generator::length_hint`](stasis_core::Generator::length_hint). An
/// adaptor over a source that can raise is not an `Iterator`, so that an error cannot end a
/// `collect()` silently: it is iterated with `Generator::try_iter`, which yields `Result`
/// items.
///
/// `iterator_for!([generics] Type, ErrorType)` (and `error: ErrorType` after `keep_return`)
/// is the arm the others expand to, with `Infallible`.
macro_rules! iterator_for {
    // `size_hint` and `fold` of every arm's `Iterator` impl.
    (@hint_and_fold) => {
        #[inline]
        fn size_hint(&self) -> (usize, Option<usize>) {
            <Self as stasis_core::Generator<()>>::length_hint(self)
        }

        #[inline]
        fn fold<FoldAcc, FoldFn>(mut self, init: FoldAcc, f: FoldFn) -> FoldAcc
        where
            FoldFn: FnMut(FoldAcc, Self::Item) -> FoldAcc,
        {
            crate::util::fold_yields(&mut self, init, f)
        }
    };
    ([$($generics:tt)*] $ty:ty) => {
        crate::util::iterator_for!([$($generics)*] $ty, ::core::convert::Infallible);
    };
    // The same, keeping the return value in the adaptor's `ret` field (of type
    // `Option<$ret>`) for `take_return`, whose doctest is built from `$example`.
    ([$($generics:tt)*] $ty:ty, keep_return: $ret:ty, $example:literal) => {
        crate::util::iterator_for!(
            [$($generics)*] $ty,
            keep_return: $ret,
            error: ::core::convert::Infallible,
            $example
        );
    };
    ([$($generics:tt)*] $ty:ty, keep_return: $ret:ty, error: $err:ty, $example:literal) => {
        impl<$($generics)*> Iterator for $ty
        where
            Self: stasis_core::Generator<(), Return = $ret, Error = $err>,
        {
            type Item = <Self as stasis_core::Generator<()>>::Yield;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                match stasis_core::Generator::resume(self, ()) {
                    stasis_core::Step::Complete(r) => {
                        self.ret = Some(r);
                        None
                    }
                    step => step.into_next(),
                }
            }

            // `fold` consumes `self`: the return value has no one to go to.
            crate::util::iterator_for!(@hint_and_fold);
        }

        impl<$($generics)*> core::iter::FusedIterator for $ty
        where
            Self: stasis_core::Generator<(), Return = $ret, Error = $err>,
        {
        }

        impl<$($generics)*> $ty {
            #[doc = concat!(
                "The return value, kept when `Iterator::next` reached the end (readable ",
                "once), as [`Gen::take_return`](stasis_core::Gen::take_return) keeps it: a ",
                "`for` loop or `by_ref()` pipeline loses nothing.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{GeneratorExt, from_iter};\n",
                "let mut adaptor = ", $example, ";\n",
                "assert!(adaptor.take_return().is_none()); // not ended yet\n",
                "adaptor.by_ref().for_each(drop);\n",
                "assert!(adaptor.take_return().is_some());\n",
                "assert!(adaptor.take_return().is_none()); // taken\n```"
            )]
            pub fn take_return(&mut self) -> Option<$ret> {
                self.ret.take()
            }
        }
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

            crate::util::iterator_for!(@hint_and_fold);
        }

        impl<$($generics)*> core::iter::FusedIterator for $ty
        where
            Self: stasis_core::Generator<(), Error = $err>,
        {
        }
    };
}

pub(crate) use iterator_for;

/// The hidden first line of a generated doc example: it maps the facade's paths (`stasis::..`,
/// what a user writes and what the facade's pages show) to this crate and `stasis-core`.
macro_rules! doc_example_prelude {
    () => {
        "# mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }\n"
    };
}

pub(crate) use doc_example_prelude;

/// Gives an adaptor `get_ref`, `get_mut` and `into_inner` for the generator(s) it wraps
/// (futures' `delegate_access_inner!`), each with a doctest built from `$example`, an
/// expression building the adaptor over `from_iter` sources. Two-source adaptors give tuples.
macro_rules! delegate_access_inner {
    ([$($generics:tt)*] $ty:ty, $field:ident: $inner:ty, $example:literal) => {
        impl<$($generics)*> $ty {
            #[doc = concat!(
                "The wrapped generator.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{Generator, GeneratorExt, State, from_iter};\n",
                "let adaptor = ", $example, ";\n",
                "assert_eq!(adaptor.get_ref().state(), State::Created);\n```"
            )]
            pub fn get_ref(&self) -> &$inner {
                &self.$field
            }

            #[doc = concat!(
                "The wrapped generator, mutably. Resuming it directly bypasses the adaptor ",
                "(a value pulled this way never passes through it).\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{Generator, GeneratorExt, State, from_iter};\n",
                "let mut adaptor = ", $example, ";\n",
                "let _ = adaptor.get_mut().close();\n",
                "assert_eq!(adaptor.get_ref().state(), State::Closed);\n```"
            )]
            pub fn get_mut(&mut self) -> &mut $inner {
                &mut self.$field
            }

            #[doc = concat!(
                "The wrapped generator, given back; what the adaptor held (a buffered ",
                "value, a running total) is dropped.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{Generator, GeneratorExt, State, from_iter};\n",
                "let adaptor = ", $example, ";\n",
                "assert_eq!(adaptor.into_inner().state(), State::Created);\n```"
            )]
            pub fn into_inner(self) -> $inner {
                self.$field
            }
        }
    };
    ([$($generics:tt)*] $ty:ty, ($a:ident: $ta:ty, $b:ident: $tb:ty), $example:literal) => {
        impl<$($generics)*> $ty {
            #[doc = concat!(
                "Both wrapped generators.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{Generator, GeneratorExt, State, from_iter};\n",
                "let adaptor = ", $example, ";\n",
                "assert_eq!(adaptor.get_ref().1.state(), State::Created);\n```"
            )]
            pub fn get_ref(&self) -> (&$ta, &$tb) {
                (&self.$a, &self.$b)
            }

            #[doc = concat!(
                "Both wrapped generators, mutably. Resuming them directly bypasses the ",
                "adaptor.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{Generator, GeneratorExt, State, from_iter};\n",
                "let mut adaptor = ", $example, ";\n",
                "let _ = adaptor.get_mut().1.close();\n",
                "assert_eq!(adaptor.get_ref().1.state(), State::Closed);\n```"
            )]
            pub fn get_mut(&mut self) -> (&mut $ta, &mut $tb) {
                (&mut self.$a, &mut self.$b)
            }

            #[doc = concat!(
                "Both wrapped generators, given back.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::{Generator, GeneratorExt, State, from_iter};\n",
                "let adaptor = ", $example, ";\n",
                "assert_eq!(adaptor.into_inner().0.state(), State::Created);\n```"
            )]
            pub fn into_inner(self) -> ($ta, $tb) {
                (self.$a, self.$b)
            }
        }
    };
}

pub(crate) use delegate_access_inner;
