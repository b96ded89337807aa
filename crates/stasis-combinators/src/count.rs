//! [`count`](crate::count): an endless arithmetic sequence.

use core::convert::Infallible;
use core::ops::Add;

use stasis_core::{CloseError, Generator, State, Step};

use crate::util::iterator_for;

/// Yields `start, start + step, start + 2 * step, ...` forever (Python's `itertools.count`).
///
/// A stasis generator (`Generator<()>`, never returns); combine it with the adaptors, for
/// example [`islice`](crate::GeneratorExt::islice). Integer overflow panics in debug builds,
/// as `+` does.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, count};
/// let mut counter = count(10, 5);
/// assert_eq!((&mut counter).gen_take(4).collect::<Vec<_>>(), [10, 15, 20, 25]);
/// assert_eq!(counter.next(), Some(30));
/// ```
pub fn count<T: Clone + Add<Output = T>>(start: T, step: T) -> Count<T> {
    Count { next: Some(start), step, started: false }
}

/// The generator [`count`](crate::count) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, State};
/// let mut c = stasis::count(0u8, 1);
/// assert_eq!(c.state(), State::Created);
/// assert_eq!(c.next(), Some(0));
/// assert_eq!(c.state(), State::Suspended);
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
#[derive(Debug, Clone)]
pub struct Count<T> {
    next: Option<T>,
    step: T,
    started: bool,
}

impl<T: Clone + Add<Output = T>> Generator<()> for Count<T> {
    type Yield = T;
    type Return = Infallible;
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<T, Infallible> {
        match self.next.take() {
            Some(v) => {
                self.started = true;
                self.next = Some(v.clone() + self.step.clone());
                Step::Yielded(v)
            }
            None => Step::Exhausted,
        }
    }

    fn throw(&mut self, err: Infallible) -> Step<T, Infallible> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<Infallible>, CloseError<T, Infallible>> {
        self.next = None;
        Ok(None)
    }

    fn state(&self) -> State {
        match (&self.next, self.started) {
            (None, _) => State::Closed,
            (Some(_), false) => State::Created,
            (Some(_), true) => State::Suspended,
        }
    }
}

iterator_for!([T] Count<T>);
