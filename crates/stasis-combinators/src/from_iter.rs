//! [`from_iter`](crate::from_iter): any iterator as a generator.

use core::convert::Infallible;

use stasis_core::{Generator, Step};

use crate::forward::plain_source;
use crate::util::iterator_for;

/// Wraps any iterable as a stasis generator (`Generator<()>`, returns `()`), so the protocol
/// adaptors, [`push`](crate::push) pipelines and everything written against [`Generator`](stasis_core::Generator) can
/// use it. `close()` drops the iterator.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Generator, Step};
/// let mut g = from_iter(vec!["a", "b"]);
/// assert_eq!(g.resume(()), Step::Yielded("a"));
/// assert_eq!(g.resume(()), Step::Yielded("b"));
/// assert_eq!(g.resume(()), Step::Complete(()));
/// assert_eq!(g.resume(()), Step::Exhausted);
/// ```
pub fn from_iter<I: IntoIterator>(iterable: I) -> FromIter<I::IntoIter> {
    FromIter { iter: Some(iterable.into_iter()), started: false }
}

/// The generator [`from_iter`](crate::from_iter) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, State};
/// let g = stasis::from_iter(0..3);
/// assert_eq!(g.state(), State::Created);
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
#[derive(Debug, Clone)]
pub struct FromIter<I> {
    iter: Option<I>,
    started: bool,
}

impl<I: Iterator> Generator<()> for FromIter<I> {
    type Yield = I::Item;
    type Return = ();
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<I::Item, ()> {
        let Some(iter) = &mut self.iter else { return Step::Exhausted };
        self.started = true;
        match iter.next() {
            Some(v) => Step::Yielded(v),
            None => {
                self.iter = None;
                Step::Complete(())
            }
        }
    }

    plain_source!(iter);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        self.iter.as_ref().map_or((0, Some(0)), Iterator::size_hint)
    }
}

iterator_for!([I] FromIter<I>);
