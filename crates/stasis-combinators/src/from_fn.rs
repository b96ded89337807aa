//! [`from_fn`](crate::from_fn): a generator from a closure called at each resume.

use core::convert::Infallible;
use core::fmt;

use stasis_core::{Generator, Step};

use crate::forward::plain_source;
use crate::util::iterator_for;

/// A generator that calls `f(sent)` at each resume: `Some(v)` yields `v`, `None` ends it. The
/// closure receives what `resume` sends, so it can be a push consumer as well as a source.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::from_fn;
/// use stasis::{Generator, Step};
///
/// let mut n = 0;
/// let countdown = from_fn(move |()| {
///     n += 1;
///     (n <= 3).then_some(n)
/// });
/// assert_eq!(countdown.collect::<Vec<_>>(), [1, 2, 3]);
///
/// let mut doubler = from_fn(|x: i32| Some(x * 2));
/// assert_eq!(doubler.resume(21), Step::Yielded(42));
/// ```
pub fn from_fn<S, T, F: FnMut(S) -> Option<T>>(f: F) -> FromFn<F> {
    FromFn { f: Some(f), started: false }
}

/// The generator [`from_fn`](crate::from_fn) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, State};
/// let mut g = stasis::from_fn(|()| None::<u8>);
/// assert_eq!(g.state(), State::Created);
/// assert_eq!(g.next(), None);
/// assert_eq!(g.state(), State::Closed);
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
pub struct FromFn<F> {
    f: Option<F>,
    started: bool,
}

impl<S, T, F: FnMut(S) -> Option<T>> Generator<S> for FromFn<F> {
    type Yield = T;
    type Return = ();
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<T, ()> {
        let Some(f) = &mut self.f else { return Step::Exhausted };
        self.started = true;
        match f(arg) {
            Some(v) => Step::Yielded(v),
            None => {
                self.f = None;
                Step::Complete(())
            }
        }
    }

    plain_source!(f);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.f.is_some() { (0, None) } else { (0, Some(0)) }
    }
}

iterator_for!([F] FromFn<F>);

impl<F> fmt::Debug for FromFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromFn").field("finished", &self.f.is_none()).finish_non_exhaustive()
    }
}
