//! [`ZipLongest`](crate::ZipLongest): pairs the values of two generators until both end, `None` filling in.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::forward::adaptor_api;

/// One source of a [`ZipLongest`](crate::ZipLongest): running, or ended with its return value (`None` when it
/// had already finished before: no value to give).
#[derive(Debug)]
enum Side<R> {
    Running,
    Ended(Option<R>),
}

impl<R> Side<R> {
    /// Pulls `g` if it is still running: `Ok(Some(value))`, or `Ok(None)` once it has ended;
    /// `Err` when it raised.
    #[inline]
    fn pull<G, E>(&mut self, g: &mut G) -> Result<Option<G::Yield>, Thrown<E>>
    where
        G: Generator<(), Return = R, Error = E>,
    {
        if let Side::Ended(_) = self {
            return Ok(None);
        }
        match g.resume(()) {
            Step::Yielded(y) => Ok(Some(y)),
            Step::Complete(r) => {
                *self = Side::Ended(Some(r));
                Ok(None)
            }
            Step::Exhausted => {
                *self = Side::Ended(None);
                Ok(None)
            }
            Step::Raised(t) => {
                *self = Side::Ended(None);
                Err(t)
            }
        }
    }

    fn take(&mut self) -> Option<R> {
        match core::mem::replace(self, Side::Ended(None)) {
            Side::Ended(r) => r,
            Side::Running => None,
        }
    }
}

/// Pairs the values of two generators until both have ended, `None` standing in for the
/// values of the one that ended first (Python's `itertools.zip_longest(a, b)`, whose
/// `fillvalue` is `None`; `.gen_map` with `Option::unwrap_or` gives another). Built by
/// [`GeneratorExt::gen_zip_longest`](crate::GeneratorExt::gen_zip_longest).
///
/// Each step pulls `first`, then `second`, skipping one that has ended, as CPython does.
///
/// - **send**: none: a `Generator<()>`, as [`Zip`](crate::Zip).
/// - **return value**: `(first's, second's)` return values, each `None` if that source had
///   already finished before it was zipped.
/// - **throw**: goes to `first` while it runs, else to `second`; an error either source raises
///   ends the zip, and the other source is left as it is (CPython's `zip_longest` does not
///   touch it; a generator owned by the zip is closed when the zip is dropped). **close**:
///   closes both.
///   **state**: `Closed` once both ended.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Gen, Generator, Step};
/// let mut z = Gen::new(|co, ()| { co.yield_(1); "a" })
///     .gen_zip_longest(Gen::new(|co, ()| { co.yield_('x'); co.yield_('y'); "b" }));
/// assert_eq!(z.resume(()), Step::Yielded((Some(1), Some('x'))));
/// assert_eq!(z.resume(()), Step::Yielded((None, Some('y'))));
/// assert_eq!(z.resume(()), Step::Complete((Some("a"), Some("b"))));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct ZipLongest<A, B, RA, RB> {
    first: A,
    second: B,
    a: Side<RA>,
    b: Side<RB>,
    started: bool,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<(Option<RA>, Option<RB>)>,
}

impl<A, B, RA, RB> ZipLongest<A, B, RA, RB> {
    pub(crate) fn new(first: A, second: B) -> Self {
        ZipLongest {
            first,
            second,
            a: Side::Running,
            b: Side::Running,
            started: false,
            finished: false,
            ret: None,
        }
    }
}

impl<A, B> ZipLongest<A, B, A::Return, B::Return>
where
    A: Generator<()>,
    B: Generator<(), Error = A::Error>,
{
    /// The step after `first` gave `a` (or raised): pulls `second` and pairs.
    fn step(
        &mut self,
        a: Result<Option<A::Yield>, Thrown<A::Error>>,
    ) -> Step<(Option<A::Yield>, Option<B::Yield>), (Option<A::Return>, Option<B::Return>), A::Error>
    {
        let a = match a {
            Ok(a) => a,
            Err(t) => return self.raised(t),
        };
        let b = match self.b.pull(&mut self.second) {
            Ok(b) => b,
            Err(t) => return self.raised(t),
        };
        if a.is_none() && b.is_none() {
            self.finished = true;
            return Step::Complete((self.a.take(), self.b.take()));
        }
        Step::Yielded((a, b))
    }

    /// One source raised (or an error was thrown in before the start): the zip ends with the
    /// error; the other source is left as it is, as CPython's `zip_longest` leaves it.
    #[cold]
    fn raised<Y, R>(&mut self, t: Thrown<A::Error>) -> Step<Y, R, A::Error> {
        self.finished = true;
        Step::Raised(t)
    }
}

impl<A, B> Generator<()> for ZipLongest<A, B, A::Return, B::Return>
where
    A: Generator<()>,
    B: Generator<(), Error = A::Error>,
{
    type Yield = (Option<A::Yield>, Option<B::Yield>);
    type Return = (Option<A::Return>, Option<B::Return>);
    type Error = A::Error;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<Self::Yield, Self::Return, A::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        self.started = true;
        let a = self.a.pull(&mut self.first);
        self.step(a)
    }

    fn throw(&mut self, err: A::Error) -> Step<Self::Yield, Self::Return, A::Error> {
        if self.finished {
            return Step::Raised(Thrown::Error(err));
        }
        if !self.started {
            return self.raised(Thrown::Error(err));
        }
        if let Side::Running = self.a {
            let a = match self.first.throw(err) {
                Step::Yielded(y) => Ok(Some(y)),
                Step::Complete(r) => {
                    self.a = Side::Ended(Some(r));
                    Ok(None)
                }
                Step::Exhausted => {
                    self.a = Side::Ended(None);
                    Ok(None)
                }
                Step::Raised(t) => Err(t),
            };
            return self.step(a);
        }
        // `first` has ended: the error goes to `second`, and its answer is the step's.
        match self.second.throw(err) {
            Step::Yielded(b) => Step::Yielded((None, Some(b))),
            Step::Complete(r) => {
                self.finished = true;
                Step::Complete((self.a.take(), Some(r)))
            }
            Step::Exhausted => {
                self.finished = true;
                Step::Complete((self.a.take(), None))
            }
            Step::Raised(t) => self.raised(t),
        }
    }

    /// Closes `first`, then `second` (even if closing `first` failed); the first failure is
    /// reported. A value a source yields while ignoring `close()` is reported paired with
    /// `None`.
    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<Self::Yield, A::Error>> {
        if self.finished {
            return Ok(None);
        }
        self.finished = true;
        let a = self.first.close();
        let b = self.second.close();
        match (a, b) {
            (Err(CloseError::Raised(e)), _) | (_, Err(CloseError::Raised(e))) => {
                Err(CloseError::Raised(e))
            }
            (Err(CloseError::Runtime(r)), _) | (_, Err(CloseError::Runtime(r))) => {
                Err(CloseError::Runtime(r))
            }
            (Err(CloseError::IgnoredExit(a)), _) => Err(CloseError::IgnoredExit((Some(a), None))),
            (_, Err(CloseError::IgnoredExit(b))) => Err(CloseError::IgnoredExit((None, Some(b)))),
            (Ok(None), Ok(None)) => Ok(None),
            (Ok(ra), Ok(rb)) => {
                Ok(Some((ra.or_else(|| self.a.take()), rb.or_else(|| self.b.take()))))
            }
        }
    }

    fn state(&self) -> State {
        match (self.finished, self.started) {
            (true, _) => State::Closed,
            (false, false) => State::Created,
            (false, true) => State::Suspended,
        }
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished {
            return (0, Some(0));
        }
        let hint = |running: bool, (lo, hi): (usize, Option<usize>)| {
            if running { (lo, hi) } else { (0, Some(0)) }
        };
        let a = hint(matches!(self.a, Side::Running), self.first.length_hint());
        let b = hint(matches!(self.b, Side::Running), self.second.length_hint());
        let hi = match (a.1, b.1) {
            (Some(x), Some(y)) => Some(x.max(y)),
            _ => None,
        };
        (a.0.max(b.0), hi)
    }
}

adaptor_api!([A, B, RA, RB] ZipLongest<A, B, RA, RB>, keep_return: (Option<RA>, Option<RB>), (first: A, second: B), "from_iter([1]).gen_zip_longest(from_iter([2, 3]))");

impl<A: fmt::Debug, B: fmt::Debug, RA, RB> fmt::Debug for ZipLongest<A, B, RA, RB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZipLongest")
            .field("first", &self.first)
            .field("second", &self.second)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
