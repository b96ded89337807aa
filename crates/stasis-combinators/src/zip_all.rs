//! [`zip_all`](crate::zip_all): tuples (as `Vec`s) of the values of any number of generators of one type.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::util::iterator_for;

/// Yields a `Vec` of one value from each generator, in order, until any of them ends (Python's
/// `zip(a, b, c, ...)` and `zip(*gens)`, for any number of sources of one type). Two sources
/// of different types zip with [`gen_zip`](crate::GeneratorExt::gen_zip), and nesting it gives
/// more (`a.gen_zip(b).gen_zip(c)` yields `((a, b), c)`).
///
/// Each step pulls the sources in order, as CPython does; when one ends, the values already
/// pulled from those before it in that step have no row: Python drops them; here they are kept
/// for [`ZipAll::take_partial`](crate::ZipAll::take_partial).
///
/// - **send**: none: a `Generator<()>`, as [`Zip`](crate::Zip).
/// - **return value**: `Some((index, return value))` of the source that ended; `None` when
///   there were no sources.
/// - **throw**: goes to the first source; if it handles it and yields, the others are pulled
///   for the rest of the row. **close**: closes every source; the first failure is reported (a
///   value yielded while ignoring `close()` as a one-value row). **state**: the first
///   source's until the end.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::from_iter;
/// use stasis::combinators::zip_all;
/// let rows = zip_all([from_iter(vec![1, 2, 3]), from_iter(vec![4, 5]), from_iter(vec![6, 7, 8])]);
/// assert_eq!(rows.collect::<Vec<_>>(), [vec![1, 4, 6], vec![2, 5, 7]]);
/// ```
pub fn zip_all<G, I>(sources: I) -> ZipAll<G>
where
    I: IntoIterator<Item = G>,
    G: Generator<()>,
{
    ZipAll {
        sources: sources.into_iter().collect(),
        partial: Vec::new(),
        finished: false,
        ret: None,
    }
}

/// The generator [`zip_all`](crate::zip_all) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, State};
/// let z = stasis::combinators::zip_all([stasis::from_iter([1])]);
/// assert_eq!(z.state(), State::Created);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct ZipAll<G: Generator<()>> {
    sources: Vec<G>,
    partial: Vec<G::Yield>,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Option<(usize, G::Return)>>,
}

impl<G: Generator<()>> ZipAll<G> {
    /// The values pulled in the last step from the sources before the one that ended (Python
    /// loses them), once.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::from_iter;
    /// use stasis::combinators::zip_all;
    /// let mut z = zip_all([from_iter(vec![1, 2]), from_iter(vec![3, 4]), from_iter(vec![5])]);
    /// assert_eq!(z.by_ref().count(), 1);
    /// assert_eq!(z.take_partial(), [2, 4]);
    /// ```
    pub fn take_partial(&mut self) -> Vec<G::Yield> {
        core::mem::take(&mut self.partial)
    }

    /// The sources, given back.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// let z = stasis::combinators::zip_all([stasis::from_iter([1])]);
    /// assert_eq!(z.into_inner().len(), 1);
    /// ```
    pub fn into_inner(self) -> Vec<G> {
        self.sources
    }

    /// Completes the row that `first` (the first source's step) began.
    fn row(
        &mut self,
        first: Step<G::Yield, G::Return, G::Error>,
    ) -> Step<Vec<G::Yield>, Option<(usize, G::Return)>, G::Error> {
        let mut row = Vec::with_capacity(self.sources.len());
        let mut step = first;
        for i in 0.. {
            match step {
                Step::Yielded(y) => row.push(y),
                end => {
                    self.finished = true;
                    self.partial = row;
                    return end.map_return(|r| Some((i, r))).map_yield(|_| unreachable!());
                }
            }
            match self.sources.get_mut(i + 1) {
                Some(g) => step = g.resume(()),
                None => break,
            }
        }
        Step::Yielded(row)
    }
}

impl<G: Generator<()>> Generator<()> for ZipAll<G> {
    type Yield = Vec<G::Yield>;
    type Return = Option<(usize, G::Return)>;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<Self::Yield, Self::Return, G::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        let Some(first) = self.sources.first_mut() else {
            self.finished = true;
            return Step::Complete(None);
        };
        let step = first.resume(());
        self.row(step)
    }

    fn throw(&mut self, err: G::Error) -> Step<Self::Yield, Self::Return, G::Error> {
        if self.finished {
            return Step::Raised(Thrown::Error(err));
        }
        let Some(first) = self.sources.first_mut() else {
            self.finished = true;
            return Step::Raised(Thrown::Error(err));
        };
        let step = first.throw(err);
        self.row(step)
    }

    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<Self::Yield, G::Error>> {
        self.finished = true;
        let mut result = Ok(None);
        for (i, g) in self.sources.iter_mut().enumerate() {
            match g.close() {
                Ok(Some(r)) if matches!(result, Ok(None)) => result = Ok(Some(Some((i, r)))),
                Err(CloseError::Raised(e)) if result.is_ok() => result = Err(CloseError::Raised(e)),
                Err(CloseError::IgnoredExit(y)) if result.is_ok() => {
                    result = Err(CloseError::IgnoredExit(vec![y]));
                }
                _ => {}
            }
        }
        result
    }

    fn state(&self) -> State {
        match (self.finished, self.sources.first()) {
            (false, Some(g)) => g.state(),
            (false, None) => State::Created,
            (true, _) => State::Closed,
        }
    }

    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished {
            return (0, Some(0));
        }
        self.sources
            .iter()
            .map(|g| g.length_hint())
            .reduce(crate::util::min_hints)
            .unwrap_or((0, Some(0)))
    }
}

iterator_for!(
    [G: Generator<()>] ZipAll<G>,
    keep_return: Option<(usize, G::Return)>,
    "stasis::combinators::zip_all([from_iter([1]), from_iter([2])])"
);

impl<G: Generator<()> + fmt::Debug> fmt::Debug for ZipAll<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZipAll")
            .field("sources", &self.sources)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
