//! [`GroupBy`](crate::GroupBy): runs of consecutive values with the same key.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

use crate::util::iterator_for;

/// Yields `(key, values)` for each run of consecutive values with the same key (Python's
/// `itertools.groupby`: a key seen again later starts a new group). Built by
/// [`GeneratorExt::group_by`](crate::GeneratorExt::group_by).
///
/// A group is a `Vec`, so it holds one run of values (Python's group is a lazy view that
/// becomes invalid when the outer iterator advances; `Vec` has no such trap). To know a run has
/// ended it pulls the first value of the next run, as CPython does, and keeps it.
///
/// - **send**: none (`Generator<()>`).
/// - **return value**: the source's, after the last group.
/// - **throw / close / state**: forwarded; a run in progress is reported before an error that
///   ends it; a value yielded while ignoring `close()` is reported as a group of one.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let runs = from_iter("AAABBCAA".chars()).group_by(|c: &char| *c);
/// let runs: Vec<(char, String)> = runs.map(|(k, g)| (k, g.into_iter().collect())).collect();
/// assert_eq!(runs, [('A', "AAA".into()), ('B', "BB".into()), ('C', "C".into()), ('A', "AA".into())]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct GroupBy<G: Generator<()>, K, F> {
    source: G,
    key: F,
    /// The first value of the next group, with its key.
    next_first: Option<(K, G::Yield)>,
    /// The end the source reported after the current group.
    pending: Option<Step<(K, Vec<G::Yield>), G::Return, G::Error>>,
}

impl<G: Generator<()>, K, F> GroupBy<G, K, F> {
    pub(crate) fn new(source: G, key: F) -> Self {
        GroupBy { source, key, next_first: None, pending: None }
    }
}

impl<G, K, F> GroupBy<G, K, F>
where
    G: Generator<()>,
    K: PartialEq,
    F: FnMut(&G::Yield) -> K,
{
    fn collect_run(
        &mut self,
        mut step: Step<G::Yield, G::Return, G::Error>,
    ) -> Step<(K, Vec<G::Yield>), G::Return, G::Error> {
        let (key, first) = match self.next_first.take() {
            Some(kv) => kv,
            None => match step {
                Step::Yielded(y) => {
                    step = self.source.resume(());
                    ((self.key)(&y), y)
                }
                end => return end.map_yield(|_| unreachable!("matched above")),
            },
        };
        let mut group = vec![first];
        loop {
            match step {
                Step::Yielded(y) => {
                    let k = (self.key)(&y);
                    if k != key {
                        self.next_first = Some((k, y));
                        return Step::Yielded((key, group));
                    }
                    group.push(y);
                }
                end => {
                    self.pending = Some(end.map_yield(|_| unreachable!("matched above")));
                    return Step::Yielded((key, group));
                }
            }
            step = self.source.resume(());
        }
    }
}

impl<G, K, F> Generator<()> for GroupBy<G, K, F>
where
    G: Generator<()>,
    K: PartialEq,
    F: FnMut(&G::Yield) -> K,
{
    type Yield = (K, Vec<G::Yield>);
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<Self::Yield, G::Return, G::Error> {
        if let Some(end) = self.pending.take() {
            return end;
        }
        let step = self.source.resume(());
        self.collect_run(step)
    }

    fn throw(&mut self, err: G::Error) -> Step<Self::Yield, G::Return, G::Error> {
        if self.pending.take().is_some() {
            return Step::Raised(stasis_core::Thrown::Error(err));
        }
        let step = self.source.throw(err);
        self.collect_run(step)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<Self::Yield, G::Error>> {
        self.next_first = None;
        if let Some(end) = self.pending.take() {
            return Ok(match end {
                Step::Complete(r) => Some(r),
                _ => None,
            });
        }
        let key = &mut self.key;
        crate::util::map_close(self.source.close(), |y| ((key)(&y), vec![y]))
    }

    fn state(&self) -> State {
        if self.pending.is_some() { State::Suspended } else { self.source.state() }
    }
}

iterator_for!([G: Generator<()>, K, F] GroupBy<G, K, F>);

impl<G: Generator<()> + fmt::Debug, K, F> fmt::Debug for GroupBy<G, K, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupBy").field("source", &self.source).finish_non_exhaustive()
    }
}
