//! [`cycle`](crate::cycle): a generator's values, repeated forever.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::util::{delegate_access_inner, iterator_for};

/// Yields the values of `source` while saving them; when `source` ends, yields the saved values
/// again and again, forever (Python's `itertools.cycle`). An empty source ends the cycle with
/// its return value. The saved copy is the whole first pass: for a long source, prefer
/// re-creating it.
///
/// A free function rather than a method: `Iterator::cycle` (which clones the iterator instead
/// of saving values) would clash.
///
/// - **send**: none (`Generator<()>`).
/// - **return value**: the source's, only when it yielded nothing.
/// - **throw / close / state**: forwarded during the first pass; afterwards `throw` raises
///   and ends the cycle, `close` drops the saved values.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, cycle, from_iter};
/// let abc = cycle(from_iter("abc".chars()));
/// assert_eq!(abc.gen_take(7).collect::<String>(), "abcabca");
/// ```
pub fn cycle<G>(source: G) -> Cycle<G>
where
    G: Generator<()>,
    G::Yield: Clone,
{
    Cycle { source, saved: Vec::new(), replay: None }
}

/// The generator [`cycle`](crate::cycle) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{cycle, from_iter};
/// use stasis::{Generator, Step};
/// let mut none = cycle(from_iter(Vec::<u8>::new()));
/// assert_eq!(none.resume(()), Step::Complete(()));
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
pub struct Cycle<G: Generator<()>> {
    source: G,
    saved: Vec<G::Yield>,
    /// The index of the next saved value once the source has ended; `None` in the first pass,
    /// `Some(usize::MAX)` once closed.
    replay: Option<usize>,
}

const CLOSED: usize = usize::MAX;

impl<G> Generator<()> for Cycle<G>
where
    G: Generator<()>,
    G::Yield: Clone,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<G::Yield, G::Return, G::Error> {
        match self.replay {
            None => {
                let step = self.source.resume(());
                self.first_pass(step)
            }
            Some(CLOSED) => Step::Exhausted,
            Some(i) => {
                let v = self.saved[i].clone();
                self.replay = Some((i + 1) % self.saved.len());
                Step::Yielded(v)
            }
        }
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        match self.replay {
            None => {
                let step = self.source.throw(err);
                self.first_pass(step)
            }
            Some(_) => {
                self.replay = Some(CLOSED);
                self.saved = Vec::new();
                Step::Raised(Thrown::Error(err))
            }
        }
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        let first_pass = self.replay.is_none();
        self.replay = Some(CLOSED);
        self.saved = Vec::new();
        if first_pass { self.source.close() } else { Ok(None) }
    }

    fn state(&self) -> State {
        match self.replay {
            None => self.source.state(),
            Some(CLOSED) => State::Closed,
            Some(_) => State::Suspended,
        }
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        match self.replay {
            Some(CLOSED) => (0, Some(0)),
            Some(_) if self.saved.is_empty() => (0, Some(0)),
            Some(_) => (usize::MAX, None),
            None => match self.source.length_hint() {
                _ if !self.saved.is_empty() => (usize::MAX, None),
                (0, Some(0)) => (0, Some(0)),
                (0, _) => (0, None),
                _ => (usize::MAX, None),
            },
        }
    }
}

impl<G> Cycle<G>
where
    G: Generator<()>,
    G::Yield: Clone,
{
    fn first_pass(
        &mut self,
        step: Step<G::Yield, G::Return, G::Error>,
    ) -> Step<G::Yield, G::Return, G::Error> {
        match step {
            Step::Yielded(y) => {
                self.saved.push(y.clone());
                Step::Yielded(y)
            }
            Step::Complete(_) | Step::Exhausted if !self.saved.is_empty() => {
                self.replay = Some(1 % self.saved.len());
                Step::Yielded(self.saved[0].clone())
            }
            end => {
                self.replay = Some(CLOSED);
                end
            }
        }
    }
}

iterator_for!([G: Generator<()>] Cycle<G>);

delegate_access_inner!([G: Generator<()>] Cycle<G>, source: G, "stasis::cycle(from_iter([1, 2]))");

impl<G: Generator<()> + fmt::Debug> fmt::Debug for Cycle<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cycle")
            .field("source", &self.source)
            .field("saved", &self.saved.len())
            .finish_non_exhaustive()
    }
}
