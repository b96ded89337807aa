//! [`Batched`](crate::Batched): groups values into `Vec`s of `n`.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

use crate::end::{End, raised};
use crate::forward::adaptor_api;

/// Yields the source's values in `Vec`s of `n`, the last one shorter (Python 3.12's
/// `itertools.batched`). It pulls exactly one batch per resume and holds at most one batch.
/// Built by [`GeneratorExt::batched`](crate::GeneratorExt::batched).
///
/// - **send**: none (`Generator<()>`: a batch answers several yields).
/// - **return value**: the source's, reported after the last (short) batch.
/// - **throw / close / state**: forwarded. An error raised mid-batch is reported after the
///   values already pulled, which come first as a short batch (CPython drops them); a value the
///   source yields while ignoring `close()` is reported as a batch of one.
///
/// # Panics
///
/// `batched(0)` panics, as Python's `batched(it, 0)` raises `ValueError`.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let batches = from_iter(1..=7).batched(3);
/// assert_eq!(batches.collect::<Vec<_>>(), [vec![1, 2, 3], vec![4, 5, 6], vec![7]]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Batched<G: Generator<()>> {
    source: G,
    n: usize,
    /// The end the source reported while a batch was being filled.
    pending: Option<End<G::Return, G::Error>>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<G::Return>,
}

impl<G: Generator<()>> Batched<G> {
    pub(crate) fn new(source: G, n: usize) -> Self {
        assert!(n >= 1, "batched: n must be at least 1 (got 0)");
        Batched { source, n, pending: None, ret: None }
    }

    fn fill(
        &mut self,
        first: Step<G::Yield, G::Return, G::Error>,
    ) -> Step<Vec<G::Yield>, G::Return, G::Error> {
        let mut batch = Vec::new();
        let mut step = first;
        loop {
            match End::split(step) {
                Ok(y) => {
                    batch.push(y);
                    if batch.len() == self.n {
                        return Step::Yielded(batch);
                    }
                }
                Err(end) if batch.is_empty() => return end.step(),
                Err(end) => {
                    self.pending = Some(end);
                    return Step::Yielded(batch);
                }
            }
            step = self.source.resume(());
        }
    }
}

impl<G: Generator<()>> Generator<()> for Batched<G> {
    type Yield = Vec<G::Yield>;
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<Vec<G::Yield>, G::Return, G::Error> {
        if let Some(end) = self.pending.take() {
            return end.step();
        }
        let first = self.source.resume(());
        self.fill(first)
    }

    fn throw(&mut self, err: G::Error) -> Step<Vec<G::Yield>, G::Return, G::Error> {
        if self.pending.take().is_some() {
            return raised(err);
        }
        let first = self.source.throw(err);
        self.fill(first)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<Vec<G::Yield>, G::Error>> {
        if let Some(end) = self.pending.take() {
            return end.close();
        }
        crate::util::map_close(self.source.close(), |y| vec![y])
    }

    fn state(&self) -> State {
        if self.pending.is_some() { State::Suspended } else { self.source.state() }
    }
}

adaptor_api!([G: Generator<()>] Batched<G>, keep_return: G::Return, source: G, "from_iter([1, 2, 3]).batched(2)");

impl<G: Generator<()> + fmt::Debug> fmt::Debug for Batched<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batched")
            .field("source", &self.source)
            .field("n", &self.n)
            .field("ended", &self.pending.is_some())
            .finish()
    }
}
