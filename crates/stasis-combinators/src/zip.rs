//! [`Zip`](crate::Zip): pairs the values of two generators, stopping at the shorter.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

use crate::forward::adaptor_api;

/// Which source ended a [`Zip`](crate::Zip), with its return value.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::combinators::ZipEnd;
/// use stasis::{Generator, Step};
/// let mut z = from_iter([1]).gen_zip(from_iter(["a", "b"]));
/// assert_eq!(z.resume(()), Step::Yielded((1, "a")));
/// assert_eq!(z.resume(()), Step::Complete(ZipEnd::First(())));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZipEnd<RA, RB> {
    /// The first source returned this value.
    First(RA),
    /// The second source returned this value.
    Second(RB),
}

/// Pairs the values of two generators until either ends (Python's `zip(a, b)`). Built by
/// [`GeneratorExt::gen_zip`](crate::GeneratorExt::gen_zip).
///
/// Each resume pulls `first`, then `second`, like CPython. So when `second` ends first, the
/// value just pulled from `first` has no partner: Python drops it (`zip(long, short)` loses one
/// item of `long`). Here it is kept for [`Zip::take_unpaired`](crate::Zip::take_unpaired). Put the shorter source first to
/// pull nothing extra.
///
/// - **send**: none: `Zip` is a `Generator<()>` (which source should get it?).
/// - **return value**: [`ZipEnd`](crate::ZipEnd): which source ended and its return value.
/// - **throw**: goes to `first`; if `first` handles it and yields, `second` is pulled for the
///   partner. **close**: closes both. **state**: `first`'s until the end.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let mut long = from_iter(1..=5);
/// let pairs: Vec<_> = (&mut long).gen_zip(from_iter(["a", "b"])).collect();
/// assert_eq!(pairs, [(1, "a"), (2, "b")]);
/// assert_eq!(long.next(), Some(4)); // 3 was pulled before "short" ran out
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Zip<A, B, YA, Ret> {
    first: A,
    second: B,
    unpaired: Option<YA>,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<A, B, YA, Ret> Zip<A, B, YA, Ret> {
    pub(crate) fn new(first: A, second: B) -> Self {
        Zip { first, second, unpaired: None, finished: false, ret: None }
    }

    /// The value pulled from `first` that found no partner because `second` ended (Python
    /// loses it), once.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let mut z = from_iter([1, 2, 3]).gen_zip(from_iter(["a"]));
    /// assert_eq!(z.by_ref().count(), 1);
    /// assert_eq!(z.take_unpaired(), Some(2));
    /// ```
    pub fn take_unpaired(&mut self) -> Option<YA> {
        self.unpaired.take()
    }
}

impl<A, B, Ret> Zip<A, B, A::Yield, Ret>
where
    A: Generator<()>,
    B: Generator<(), Error = A::Error>,
{
    fn partner(
        &mut self,
        step: Step<A::Yield, A::Return, A::Error>,
    ) -> Step<(A::Yield, B::Yield), ZipEnd<A::Return, B::Return>, A::Error> {
        let a = match step {
            Step::Yielded(a) => a,
            end => {
                self.finished = true;
                return end.map_return(ZipEnd::First).map_yield(|_| unreachable!());
            }
        };
        match self.second.resume(()) {
            Step::Yielded(b) => Step::Yielded((a, b)),
            end => {
                self.finished = true;
                self.unpaired = Some(a);
                end.map_return(ZipEnd::Second).map_yield(|_| unreachable!())
            }
        }
    }
}

impl<A, B> Generator<()> for Zip<A, B, A::Yield, ZipEnd<A::Return, B::Return>>
where
    A: Generator<()>,
    B: Generator<(), Error = A::Error>,
{
    type Yield = (A::Yield, B::Yield);
    type Return = ZipEnd<A::Return, B::Return>;
    type Error = A::Error;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<Self::Yield, Self::Return, A::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        let step = self.first.resume(());
        self.partner(step)
    }

    fn throw(&mut self, err: A::Error) -> Step<Self::Yield, Self::Return, A::Error> {
        if self.finished {
            return Step::Raised(stasis_core::Thrown::Error(err));
        }
        let step = self.first.throw(err);
        self.partner(step)
    }

    /// Closes `first`, then `second` (even if closing `first` failed); the first failure is
    /// reported. When both sources ignore `close()`, their values are reported as a pair in
    /// [`CloseError::IgnoredExit`](stasis_core::CloseError::IgnoredExit); when only `first` does, its value is kept for
    /// [`Zip::take_unpaired`](crate::Zip::take_unpaired); when only `second` does, its value has no partner and is dropped.
    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<Self::Yield, A::Error>> {
        self.finished = true;
        let a = self.first.close();
        let b = self.second.close();
        let mut result = Ok(None);
        match a {
            Ok(Some(r)) => result = Ok(Some(ZipEnd::First(r))),
            Ok(None) => {}
            Err(CloseError::Raised(e)) => result = Err(CloseError::Raised(e)),
            Err(CloseError::Runtime(r)) => result = Err(CloseError::Runtime(r)),
            Err(CloseError::IgnoredExit(y)) => self.unpaired = Some(y),
        }
        match b {
            Ok(Some(r)) if matches!(result, Ok(None)) => result = Ok(Some(ZipEnd::Second(r))),
            Err(CloseError::Raised(e)) if result.is_ok() => result = Err(CloseError::Raised(e)),
            Err(CloseError::Runtime(r)) if result.is_ok() => result = Err(CloseError::Runtime(r)),
            Err(CloseError::IgnoredExit(yb)) if result.is_ok() => {
                if let Some(ya) = self.unpaired.take() {
                    result = Err(CloseError::IgnoredExit((ya, yb)));
                }
            }
            _ => {}
        }
        result
    }

    fn state(&self) -> State {
        if self.finished { State::Closed } else { self.first.state() }
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished {
            return (0, Some(0));
        }
        crate::util::min_hints(self.first.length_hint(), self.second.length_hint())
    }
}

adaptor_api!([A, B, YA, Ret] Zip<A, B, YA, Ret>, keep_return: Ret, (first: A, second: B), "from_iter([1]).gen_zip(from_iter([2]))");

impl<A: fmt::Debug, B: fmt::Debug, YA, Ret> fmt::Debug for Zip<A, B, YA, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Zip")
            .field("first", &self.first)
            .field("second", &self.second)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
