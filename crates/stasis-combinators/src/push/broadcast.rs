//! [`broadcast`](crate::push::broadcast): one value to several push consumers.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

/// A push stage that sends a clone of each value to every target still open, in order. The
/// targets are sinks (`Yield = ()`); box them (`Box<dyn Generator<T, ..>>`) to mix kinds.
///
/// - A target that returns is dropped from the broadcast and its return value kept; the
///   broadcast itself completes when no target is left, returning every target's return value
///   (`None` for a target that ended without one), in order.
/// - An error a target raises stops the broadcast at once and is raised to the sender; the
///   other targets are left as they are (close the broadcast to close them).
/// - `close()` closes every target, in order, and returns their return values; the first
///   failure is reported after all were closed. `throw` raises a clone of the error in every
///   open target (so the error type must be `Clone`); the first error a target re-raises is
///   raised to the sender once all have seen it.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use std::convert::Infallible;
/// use stasis::push;
/// use stasis::Generator;
///
/// // Different closures are different types: box the targets to mix them.
/// type Target = Box<dyn Generator<i32, Yield = (), Return = i32, Error = Infallible>>;
/// let count: Target = Box::new(push::fold(0, |n, _| n + 1));
/// let sum: Target = Box::new(push::fold(0, |t, x| t + x));
/// let mut both = push::broadcast(vec![count, sum]);
/// for x in [5, 10, 15] {
///     let _ = both.resume(x);
/// }
/// assert_eq!(both.close(), Ok(Some(vec![Some(3), Some(30)])));
/// ```
pub fn broadcast<T, G>(targets: Vec<G>) -> Broadcast<G, G::Return>
where
    T: Clone,
    G: Generator<T, Yield = ()>,
{
    let returns = targets.iter().map(|_| None).collect();
    Broadcast { targets: targets.into_iter().map(Some).collect(), returns, started: false }
}

/// The stage [`broadcast`](crate::push::broadcast) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Generator, State};
/// let b = push::broadcast(vec![push::sink(|_: u8| {})]);
/// assert_eq!(b.state(), State::Created);
/// ```
#[must_use = "push consumers do nothing unless values are sent to them"]
pub struct Broadcast<G, R> {
    targets: Vec<Option<G>>,
    returns: Vec<Option<R>>,
    started: bool,
}

impl<G, R> Broadcast<G, R> {
    fn finish_all(&mut self) -> Vec<Option<R>> {
        self.targets.iter_mut().for_each(|t| *t = None);
        core::mem::take(&mut self.returns)
    }

    fn open(&self) -> bool {
        self.targets.iter().any(Option::is_some)
    }

    /// Steps every open target with `step`: a target that completes leaves its return value
    /// and closes, one that is exhausted or raises closes. Returns the first error raised;
    /// with `stop_on_raise`, the targets after it are not stepped.
    fn step_each<E>(
        &mut self,
        stop_on_raise: bool,
        mut step: impl FnMut(&mut G) -> Step<(), R, E>,
    ) -> Option<Thrown<E>> {
        let mut raised = None;
        for i in 0..self.targets.len() {
            let Some(target) = &mut self.targets[i] else { continue };
            match step(target) {
                Step::Yielded(()) => continue,
                Step::Complete(r) => self.returns[i] = Some(r),
                Step::Exhausted => {}
                Step::Raised(t) => {
                    raised.get_or_insert(t);
                }
            }
            self.targets[i] = None;
            if stop_on_raise && raised.is_some() {
                break;
            }
        }
        raised
    }
}

impl<T, G> Generator<T> for Broadcast<G, G::Return>
where
    T: Clone,
    G: Generator<T, Yield = ()>,
    G::Error: Clone,
{
    type Yield = ();
    type Return = Vec<Option<G::Return>>;
    type Error = G::Error;

    fn resume(&mut self, value: T) -> Step<(), Self::Return, G::Error> {
        if !self.open() {
            return Step::Exhausted;
        }
        self.started = true;
        if let Some(t) = self.step_each(true, |target| target.resume(value.clone())) {
            return Step::Raised(t);
        }
        if self.open() { Step::Yielded(()) } else { Step::Complete(self.finish_all()) }
    }

    fn throw(&mut self, err: G::Error) -> Step<(), Self::Return, G::Error> {
        let raised = self.step_each(false, |target| target.throw(err.clone()));
        match raised {
            Some(t) => Step::Raised(t),
            None if self.open() => Step::Yielded(()),
            None if self.returns.is_empty() => Step::Raised(Thrown::Error(err)),
            None => Step::Complete(self.finish_all()),
        }
    }

    fn close(&mut self) -> Result<Option<Self::Return>, CloseError<(), G::Error>> {
        if !self.open() && self.returns.is_empty() {
            return Ok(None);
        }
        let mut failure = None;
        for i in 0..self.targets.len() {
            let Some(mut target) = self.targets[i].take() else { continue };
            match target.close() {
                Ok(r) => self.returns[i] = r,
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        let returns = self.finish_all();
        match failure {
            Some(e) => Err(e),
            None => Ok(Some(returns)),
        }
    }

    fn state(&self) -> State {
        crate::push::sink::lifecycle(self.open(), self.started)
    }
}

impl<G: fmt::Debug, R> fmt::Debug for Broadcast<G, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broadcast").field("targets", &self.targets).finish_non_exhaustive()
    }
}
