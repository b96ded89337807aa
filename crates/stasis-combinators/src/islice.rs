//! [`Islice`](crate::Islice): Python's `itertools.islice(it, start, stop, step)`, pull for pull.

use stasis_core::{Generator, Step, Thrown};

use crate::forward::{adaptor_api, forward};

/// Yields the values at indices `start, start + step, ...` below `stop` (no limit when `stop`
/// is `None`). Built by [`GeneratorExt::islice`](crate::GeneratorExt::islice).
///
/// It pulls exactly what CPython's `islice` pulls: it skips up to the next wanted index
/// *before* comparing with `stop`, so `islice(2, 8, 2)` pulls item 7 before it reports the end,
/// while `islice(2, 5, 1)` and `islice(0, 4, 1)` pull nothing extra. After the end it never
/// touches the source again, which stays suspended.
///
/// - **send**: the first pull of each resume gets the sent value; skipped items are pulled with
///   `S::default()` (Python's `next`).
/// - **return value**: `Some(r)` when the source returned `r`, `None` when `stop` ended it.
/// - **throw / close / state**: forwarded until the end; then `Islice` is [`State::Closed`](stasis_core::State::Closed).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let mut src = from_iter(0..12);
/// let stepped: Vec<_> = (&mut src).islice(2, 8, 2).collect();
/// assert_eq!(stepped, [2, 4, 6]);
/// assert_eq!(src.next(), Some(8)); // 7 was pulled (and dropped), as in CPython
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
#[derive(Debug)]
pub struct Islice<G, Ret> {
    source: G,
    /// Items pulled so far (CPython's `cnt`).
    pulled: usize,
    /// Index of the next item to yield (CPython's `next`).
    next: usize,
    stop: Option<usize>,
    step: usize,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, Ret> Islice<G, Ret> {
    pub(crate) fn new(source: G, start: usize, stop: Option<usize>, step: usize) -> Self {
        assert!(step >= 1, "islice: step must be at least 1 (got 0)");
        Islice { source, pulled: 0, next: start, stop, step, finished: false, ret: None }
    }

    fn end<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<Y, Option<R>, E> {
        self.finished = true;
        match step {
            Step::Yielded(_) => unreachable!("only ends are passed here"),
            Step::Complete(r) => Step::Complete(Some(r)),
            Step::Raised(t) => Step::Raised(t),
            Step::Exhausted => Step::Exhausted,
        }
    }

    /// CPython's `islice_next`, with `first` the value for the first pull of this call (or the
    /// step a `throw` produced, standing for that first pull).
    fn advance<S: Default>(
        &mut self,
        mut first: Pull<S, G::Yield, G::Return, G::Error>,
    ) -> Step<G::Yield, Option<G::Return>, G::Error>
    where
        G: Generator<S>,
    {
        if self.finished {
            return Step::Exhausted;
        }
        let mut pull = |source: &mut G| match core::mem::replace(&mut first, Pull::Default) {
            Pull::Send(arg) => source.resume(arg),
            Pull::Thrown(step) => step,
            Pull::Default => source.resume(S::default()),
        };
        while self.pulled < self.next {
            match pull(&mut self.source) {
                Step::Yielded(_) => self.pulled += 1,
                end => return self.end(end),
            }
        }
        if self.stop.is_some_and(|stop| self.pulled >= stop) {
            self.finished = true;
            return Step::Complete(None);
        }
        match pull(&mut self.source) {
            Step::Yielded(y) => {
                self.pulled += 1;
                let old = self.next;
                self.next = self.next.saturating_add(self.step);
                if let Some(stop) = self.stop
                    && (self.next < old || self.next > stop)
                {
                    self.next = stop;
                }
                Step::Yielded(y)
            }
            end => self.end(end),
        }
    }
}

/// What the first pull of a call does.
enum Pull<S, Y, R, E> {
    Send(S),
    Thrown(Step<Y, R, E>),
    Default,
}

impl<S: Default, G: Generator<S>> Generator<S> for Islice<G, Option<G::Return>> {
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<G::Yield, Self::Return, G::Error> {
        self.advance(Pull::Send(arg))
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, Self::Return, G::Error> {
        if self.finished {
            return Step::Raised(Thrown::Error(err));
        }
        let step = self.source.throw(err);
        self.advance(Pull::Thrown(step))
    }

    forward!(finishing_close, finishing_state);

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished {
            return (0, Some(0));
        }
        crate::util::islice_hint(
            self.source.length_hint(),
            self.pulled,
            self.next,
            self.stop,
            self.step,
        )
    }
}

adaptor_api!([G, Ret] Islice<G, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).islice(0, 1, 1)");
