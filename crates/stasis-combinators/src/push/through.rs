//! [`through`](crate::push::through) and [`feed`](crate::push::feed): connect a pull source to a push consumer.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::util::delegate_access_inner;

/// Connects a pull source to a push consumer, as a generator: each resume pulls one value from
/// `source` and sends it to `target`, yielding what `target` yields (the running average after
/// each number, say). When `source` runs out, `target` is closed and its return value becomes
/// this generator's return value (`None` if it had none). A `target` that returns early ends it
/// at once; an error it raises is raised here.
///
/// `source` is any iterator: a stasis generator with `S = ()` is one.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Gen, Generator, Step};
///
/// let averager = Gen::<f64, (), f64>::new(|co, first| {
///     let (mut total, mut count) = (first, 1.0);
///     loop {
///         let x = co.yield_(total / count);
///         total += x;
///         count += 1.0;
///     }
/// });
/// let averages: Vec<f64> = push::through([10.0, 20.0, 60.0], averager).collect();
/// assert_eq!(averages, [10.0, 15.0, 30.0]);
/// ```
pub fn through<I, G>(source: I, target: G) -> Through<I::IntoIter, G>
where
    I: IntoIterator,
    G: Generator<I::Item>,
{
    Through { source: source.into_iter(), target, draining: false, finished: false, ignored: false }
}

/// Pushes every value of `source` into `target`, then closes it and returns its return value
/// (Python: `for x in source: target.send(x)` then `target.close()`). The values `target`
/// yields along the way are not kept: use [`through`](crate::push::through) to see them.
///
/// # Errors
///
/// [`CloseError::Raised`](stasis_core::CloseError::Raised) with the error `target` raised (while receiving a value or while
/// closing); [`CloseError::IgnoredExit`](stasis_core::CloseError::IgnoredExit) if it yielded instead of finishing when closed.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// let longest = push::fold(0, |m: usize, w: &str| m.max(w.len()));
/// assert_eq!(push::feed("a stream of words".split(' '), longest), Ok(Some(6)));
/// ```
pub fn feed<I, G>(source: I, target: G) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>>
where
    I: IntoIterator,
    G: Generator<I::Item>,
{
    let mut pipe = through(source, target);
    loop {
        match pipe.resume(()) {
            Step::Yielded(y) if pipe.ignored => return Err(CloseError::IgnoredExit(y)),
            Step::Yielded(_) => {}
            Step::Complete(r) => return Ok(r),
            Step::Raised(Thrown::Error(e)) => return Err(CloseError::Raised(e)),
            Step::Raised(Thrown::Runtime(r)) => return Err(CloseError::Runtime(r)),
            Step::Raised(Thrown::Exit) | Step::Exhausted => return Ok(None),
        }
    }
}

/// The generator [`through`](crate::push::through) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Generator, State};
/// let t = push::through(0..3, push::sink(|_: i32| {}));
/// assert_eq!(t.state(), State::Created);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Through<I, G> {
    source: I,
    target: G,
    /// The source has run out: closing the target.
    draining: bool,
    finished: bool,
    /// The last value yielded came from a target that ignored `close()`.
    ignored: bool,
}

impl<I, G> Generator<()> for Through<I, G>
where
    I: Iterator,
    G: Generator<I::Item>,
{
    type Yield = G::Yield;
    type Return = Option<G::Return>;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<G::Yield, Option<G::Return>, G::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        self.ignored = false;
        if !self.draining {
            if let Some(value) = self.source.next() {
                return match self.target.resume(value) {
                    Step::Yielded(y) => Step::Yielded(y),
                    end => {
                        self.finished = true;
                        end.map_return(Some)
                    }
                };
            }
            self.draining = true;
        }
        match self.target.close() {
            Ok(r) => {
                self.finished = true;
                Step::Complete(r)
            }
            Err(CloseError::Raised(e)) => {
                self.finished = true;
                Step::Raised(Thrown::Error(e))
            }
            Err(CloseError::Runtime(r)) => {
                self.finished = true;
                Step::Raised(Thrown::Runtime(r))
            }
            Err(CloseError::IgnoredExit(y)) => {
                self.ignored = true;
                Step::Yielded(y)
            }
        }
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, Option<G::Return>, G::Error> {
        if self.finished {
            return Step::Raised(Thrown::Error(err));
        }
        match self.target.throw(err) {
            Step::Yielded(y) => Step::Yielded(y),
            end => {
                self.finished = true;
                end.map_return(Some)
            }
        }
    }

    fn close(&mut self) -> Result<Option<Option<G::Return>>, CloseError<G::Yield, G::Error>> {
        if self.finished {
            return Ok(None);
        }
        self.finished = true;
        Ok(self.target.close()?.map(Some))
    }

    fn state(&self) -> State {
        if self.finished { State::Closed } else { self.target.state() }
    }
}

crate::util::iterator_for!([I, G] Through<I, G>);

delegate_access_inner!(
    [I, G] Through<I, G>,
    target: G,
    "stasis::push::through([1, 2], stasis::push::sink(drop::<i32>))"
);

impl<I, G: fmt::Debug> fmt::Debug for Through<I, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Through")
            .field("target", &self.target)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
