//! [`count`](crate::count): an endless arithmetic sequence.

use core::convert::Infallible;
use core::ops::Add;

use stasis_core::{Generator, Step};

use crate::forward::plain_source;
use crate::util::iterator_for;

/// Yields `start, start + step, start + 2 * step, ...` forever (Python's `itertools.count`).
///
/// A stasis generator (`Generator<()>`, never returns); combine it with the adaptors, for
/// example [`islice`](crate::GeneratorExt::islice).
///
/// Each value is computed when it is pulled, from the one before: every value `T` can hold is
/// yielded, the largest included, before any addition overflows. Python's integers have no
/// largest value; a Rust `T` does, and the pull *after* it runs `T`'s `+` past its range:
///
/// # Panics
///
/// On the pull after the largest value, for the primitive integers: with overflow checks on
/// (debug builds, the default for tests), that pull panics with "attempt to add with overflow",
/// the largest value having been yielded. Release builds without overflow checks wrap, as `+`
/// does there; when a stream may reach the end of its type, bound it (for example
/// [`gen_take`](crate::GeneratorExt::gen_take)) or count in a wider type.
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
    Count { value: Some(start), step, started: false }
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
    /// Before the first pull, the first value; then the value last yielded (`step` is added on
    /// the next pull); `None` once closed.
    value: Option<T>,
    step: T,
    started: bool,
}

impl<T: Clone + Add<Output = T>> Generator<()> for Count<T> {
    type Yield = T;
    type Return = Infallible;
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<T, Infallible> {
        match self.value.take() {
            Some(v) => {
                // Add on the pull after a value, not before yielding it: `count(i64::MAX, 1)`
                // yields `i64::MAX` first.
                let v = if self.started { v + self.step.clone() } else { v };
                self.started = true;
                self.value = Some(v.clone());
                Step::Yielded(v)
            }
            None => Step::Exhausted,
        }
    }

    plain_source!(value);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.value.is_some() { (usize::MAX, None) } else { (0, Some(0)) }
    }
}

iterator_for!([T] Count<T>);
