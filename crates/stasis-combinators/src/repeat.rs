//! [`repeat`](crate::repeat) and [`repeat_n`](crate::repeat_n): one value, again and again.

use core::convert::Infallible;

use stasis_core::{Generator, Step};

use crate::forward::plain_source;
use crate::util::iterator_for;

/// Yields clones of `value` forever (Python's `itertools.repeat(value)`).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, repeat};
/// assert_eq!(repeat('x').gen_take(3).collect::<String>(), "xxx");
/// ```
pub fn repeat<T: Clone>(value: T) -> Repeat<T> {
    Repeat { value: Some(value), remaining: None, started: false }
}

/// Yields clones of `value` `n` times (Python's `itertools.repeat(value, n)`).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::repeat_n;
/// assert_eq!(repeat_n(7, 2).collect::<Vec<_>>(), [7, 7]);
/// ```
pub fn repeat_n<T: Clone>(value: T, n: usize) -> Repeat<T> {
    Repeat { value: Some(value), remaining: Some(n), started: false }
}

/// The generator [`repeat`](crate::repeat) and [`repeat_n`](crate::repeat_n) return.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, Step};
/// let mut r = stasis::repeat_n("a", 1);
/// assert_eq!(r.resume(()), Step::Yielded("a"));
/// assert_eq!(r.resume(()), Step::Complete(()));
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
#[derive(Debug, Clone)]
pub struct Repeat<T> {
    value: Option<T>,
    remaining: Option<usize>,
    started: bool,
}

impl<T: Clone> Generator<()> for Repeat<T> {
    type Yield = T;
    type Return = ();
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<T, ()> {
        let Some(value) = &self.value else { return Step::Exhausted };
        self.started = true;
        match &mut self.remaining {
            Some(0) => {
                self.value = None;
                Step::Complete(())
            }
            Some(n) => {
                *n -= 1;
                Step::Yielded(value.clone())
            }
            None => Step::Yielded(value.clone()),
        }
    }

    plain_source!(value);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        match (&self.value, self.remaining) {
            (None, _) => (0, Some(0)),
            (Some(_), Some(n)) => (n, Some(n)),
            (Some(_), None) => (usize::MAX, None),
        }
    }
}

iterator_for!([T] Repeat<T>);
