//! [`chain_from_iterable`](crate::chain_from_iterable): the values of each generator an iterator gives, one after another.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::util::iterator_for;

/// Yields every value of each generator `generators` gives, in turn, taking the next
/// generator from the iterator only when the one before has finished (Python's
/// `itertools.chain.from_iterable(gens)`, and `chain(a, b, c, ...)` of more than two sources
/// of one type: pass an array). Sources of different types chain with
/// [`gen_chain`](crate::GeneratorExt::gen_chain).
///
/// - **send**: forwarded to the generator currently running; each next one is started with
///   `S::default()`, as [`Chain`](crate::Chain) starts its second.
/// - **return value**: the last generator's (`yield from a; ...; return (yield from z)`);
///   `None` when the iterator gave no generator. Earlier ones' return values are dropped.
/// - **throw**: goes to the generator currently running; an error one raises ends the chain
///   (the generators not yet taken from the iterator are never started). **close**: closes the
///   running one. **state**: `Created` until the first generator starts, `Closed` after the
///   end.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::combinators::chain_from_iterable;
/// use stasis::from_iter;
/// let all = chain_from_iterable((1..=3).map(|n| from_iter(0..n)));
/// assert_eq!(all.collect::<Vec<_>>(), [0, 0, 1, 0, 1, 2]);
/// let three = chain_from_iterable([from_iter(vec![1]), from_iter(vec![2]), from_iter(vec![3])]);
/// assert_eq!(three.collect::<Vec<_>>(), [1, 2, 3]);
/// ```
pub fn chain_from_iterable<S, I>(
    generators: I,
) -> ChainFromIterable<I::IntoIter, I::Item, Option<<I::Item as Generator<S>>::Return>>
where
    I: IntoIterator,
    I::Item: Generator<S>,
{
    ChainFromIterable {
        generators: Some(generators.into_iter()),
        current: None,
        started: false,
        ret: None,
    }
}

/// The generator [`chain_from_iterable`](crate::chain_from_iterable) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, State};
/// let c = stasis::combinators::chain_from_iterable([stasis::from_iter([1])]);
/// assert_eq!(c.state(), State::Created);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct ChainFromIterable<I, G, Ret> {
    /// The generators not yet started; `None` once the chain has ended.
    generators: Option<I>,
    current: Option<G>,
    started: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<I, G, Ret> ChainFromIterable<I, G, Ret> {
    /// The generator currently running, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{Generator, State};
    /// let mut c = stasis::combinators::chain_from_iterable([stasis::from_iter([1])]);
    /// assert!(c.current().is_none());
    /// assert_eq!(c.next(), Some(1));
    /// assert_eq!(c.current().unwrap().state(), State::Suspended);
    /// ```
    pub fn current(&self) -> Option<&G> {
        self.current.as_ref()
    }

    /// The chain's end: nothing more to start.
    fn end<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, Option<R>, E> {
        self.generators = None;
        self.current = None;
        step.map_return(Some)
    }
}

impl<S, I, G> Generator<S> for ChainFromIterable<I, G, Option<G::Return>>
where
    S: Default,
    I: Iterator<Item = G>,
    G: Generator<S>,
{
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    fn resume(&mut self, arg: S) -> Step<G::Yield, Self::Return, G::Error> {
        let Some(generators) = &mut self.generators else { return Step::Exhausted };
        self.started = true;
        let mut arg = Some(arg);
        loop {
            let step = match &mut self.current {
                Some(g) => g.resume(arg.take().unwrap_or_default()),
                None => match generators.next() {
                    Some(g) => {
                        self.current = Some(g);
                        continue;
                    }
                    None => {
                        self.generators = None;
                        return Step::Complete(None);
                    }
                },
            };
            match step {
                Step::Yielded(y) => return Step::Yielded(y),
                Step::Complete(r) => match generators.next() {
                    // The last one's return value is the chain's.
                    None => return self.end(Step::Complete(r)),
                    Some(g) => self.current = Some(g),
                },
                Step::Exhausted => self.current = None,
                Step::Raised(t) => return self.end(Step::Raised(t)),
            }
        }
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, Self::Return, G::Error> {
        let step = match &mut self.current {
            Some(g) => g.throw(err),
            None => Step::Raised(Thrown::Error(err)),
        };
        match step {
            Step::Yielded(y) => Step::Yielded(y),
            Step::Complete(r) => match self.generators.as_mut().and_then(Iterator::next) {
                None => self.end(Step::Complete(r)),
                Some(g) => {
                    self.current = Some(g);
                    self.resume(S::default())
                }
            },
            Step::Exhausted => {
                self.current = None;
                self.resume(S::default())
            }
            Step::Raised(t) => self.end(Step::Raised(t)),
        }
    }

    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<G::Yield, G::Error>> {
        self.generators = None;
        let Some(g) = &mut self.current else { return Ok(None) };
        let r = g.close()?;
        self.current = None;
        Ok(r.map(Some))
    }

    fn state(&self) -> State {
        match (&self.generators, self.started) {
            (None, _) => State::Closed,
            (Some(_), false) => State::Created,
            (Some(_), true) => State::Suspended,
        }
    }

    fn length_hint(&self) -> (usize, Option<usize>) {
        let Some(generators) = &self.generators else { return (0, Some(0)) };
        let (lo, hi) = self.current.as_ref().map_or((0, Some(0)), |g| g.length_hint());
        match generators.size_hint() {
            (_, Some(0)) => (lo, hi),
            _ => (lo, None),
        }
    }
}

iterator_for!(
    [I, G, Ret] ChainFromIterable<I, G, Ret>,
    keep_return: Ret,
    "stasis::combinators::chain_from_iterable([from_iter([1]), from_iter([2])])"
);

impl<I, G: fmt::Debug, Ret> fmt::Debug for ChainFromIterable<I, G, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChainFromIterable")
            .field("current", &self.current)
            .field("ended", &self.generators.is_none())
            .finish_non_exhaustive()
    }
}
