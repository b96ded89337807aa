//! [`Chain`](crate::Chain): the values of one generator, then those of another (`yield from a; yield from b`).

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

use crate::forward::adaptor_api;

/// Yields every value of `first`, then every value of `second`, starting `second` only when
/// `first` has finished (Python's `itertools.chain(a, b)`, or `yield from a; return (yield
/// from b)`). Built by [`GeneratorExt::gen_chain`](crate::GeneratorExt::gen_chain).
///
/// - **send**: forwarded to the generator currently running, as `yield from` does; `second`
///   is started with `S::default()` (Python's `yield from` starts a sub-generator with `next`).
/// - **return value**: `second`'s; `first`'s is kept for [`Chain::take_first_return`](crate::Chain::take_first_return).
/// - **throw / close / state**: `throw` goes to the generator currently running; `close`
///   closes the generator currently running (a `second` that has not started is left as it
///   is, as CPython's `chain` leaves it); the state is `Created` until `first` starts,
///   `Closed` after `second` ends.
/// - **errors**: an exception out of `first` ends the chain (it is `Closed` afterwards, and
///   `second` is never started nor closed: CPython's `chain` does not touch it either).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Gen, Generator, Step};
///
/// let a = Gen::new(|co, ()| { co.yield_(1); "a done" });
/// let b = Gen::new(|co, ()| { co.yield_(2); "b done" });
/// let mut both = a.gen_chain(b);
/// assert_eq!(both.resume(()), Step::Yielded(1));
/// assert_eq!(both.resume(()), Step::Yielded(2));
/// assert_eq!(both.resume(()), Step::Complete("b done"));
/// assert_eq!(both.take_first_return(), Some("a done"));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Chain<A, B, RA, Ret> {
    first: A,
    second: B,
    first_return: Option<RA>,
    in_second: bool,
    /// `first` raised: the chain is over, `second` untouched.
    stopped: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<A, B, RA, Ret> Chain<A, B, RA, Ret> {
    pub(crate) fn new(first: A, second: B) -> Self {
        Chain { first, second, first_return: None, in_second: false, stopped: false, ret: None }
    }

    /// The return value of the first generator, once it has finished (readable once).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::GeneratorExt;
    /// use stasis::Gen;
    /// let mut c = Gen::new(|co, ()| { co.yield_(1); 7 }).gen_chain(Gen::new(|_, ()| 8));
    /// assert_eq!(c.by_ref().collect::<Vec<_>>(), [1]);
    /// assert_eq!(c.take_first_return(), Some(7));
    /// ```
    pub fn take_first_return(&mut self) -> Option<RA> {
        self.first_return.take()
    }
}

impl<A, B, RA, Ret> Chain<A, B, RA, Ret> {
    /// Moves on to `second` when `first` has returned.
    #[inline]
    fn after_first<S>(
        &mut self,
        step: Step<A::Yield, A::Return, A::Error>,
    ) -> Step<A::Yield, B::Return, A::Error>
    where
        S: Default,
        A: Generator<S, Return = RA>,
        B: Generator<S, Yield = A::Yield, Error = A::Error>,
    {
        match step {
            Step::Yielded(y) => Step::Yielded(y),
            Step::Complete(r) => {
                self.first_return = Some(r);
                self.in_second = true;
                self.second.resume(S::default())
            }
            Step::Exhausted => {
                self.in_second = true;
                self.second.resume(S::default())
            }
            Step::Raised(t) => {
                // An exception out of `first` ends the chain, as it ends a `yield from`;
                // `second` was never started, and is left as it is.
                self.stopped = true;
                Step::Raised(t)
            }
        }
    }
}

impl<S, A, B> Generator<S> for Chain<A, B, A::Return, B::Return>
where
    S: Default,
    A: Generator<S>,
    B: Generator<S, Yield = A::Yield, Error = A::Error>,
{
    type Yield = A::Yield;
    type Return = B::Return;
    type Error = A::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<A::Yield, B::Return, A::Error> {
        if self.stopped {
            return Step::Exhausted;
        }
        if self.in_second {
            return self.second.resume(arg);
        }
        let step = self.first.resume(arg);
        self.after_first(step)
    }

    fn throw(&mut self, err: A::Error) -> Step<A::Yield, B::Return, A::Error> {
        if self.stopped {
            return Step::Raised(stasis_core::Thrown::Error(err));
        }
        if self.in_second {
            return self.second.throw(err);
        }
        let step = self.first.throw(err);
        self.after_first(step)
    }

    fn close(&mut self) -> Result<Option<B::Return>, CloseError<A::Yield, A::Error>> {
        if self.stopped {
            return Ok(None);
        }
        if !self.in_second {
            let closed = self.first.close();
            if !matches!(closed, Err(CloseError::IgnoredExit(_))) {
                // Closed (or raised while closing): the chain is over before `second`.
                self.stopped = true;
            }
            if let Some(r) = closed? {
                self.first_return = Some(r);
            }
            return Ok(None);
        }
        self.second.close()
    }

    fn state(&self) -> State {
        if self.stopped {
            State::Closed
        } else if self.in_second {
            self.second.state()
        } else {
            self.first.state()
        }
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.stopped {
            return (0, Some(0));
        }
        if self.in_second {
            return self.second.length_hint();
        }
        crate::util::add_hints(self.first.length_hint(), self.second.length_hint())
    }
}

adaptor_api!([A, B, RA, Ret] Chain<A, B, RA, Ret>, keep_return: Ret, (first: A, second: B), "from_iter([1]).gen_chain(from_iter([2]))");

impl<A: fmt::Debug, B: fmt::Debug, RA, Ret> fmt::Debug for Chain<A, B, RA, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain")
            .field("first", &self.first)
            .field("second", &self.second)
            .field("in_second", &self.in_second)
            .field("stopped", &self.stopped)
            .finish_non_exhaustive()
    }
}
