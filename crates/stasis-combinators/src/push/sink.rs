//! [`sink`](crate::push::sink) and [`fold`](crate::push::fold): the end points of a push pipeline.

use core::convert::Infallible;
use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

/// A push consumer that calls `f` on every value sent to it (yields `()` after each).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Generator, Step};
/// let mut seen = Vec::new();
/// let mut printer = push::sink(|line: &str| seen.push(line.to_uppercase()));
/// assert_eq!(printer.resume("a"), Step::Yielded(()));
/// assert_eq!(printer.resume("b"), Step::Yielded(()));
/// assert_eq!(printer.close(), Ok(None));
/// drop(printer);
/// assert_eq!(seen, ["A", "B"]);
/// ```
pub fn sink<T, F: FnMut(T)>(f: F) -> Sink<F> {
    Sink { f: Some(f), started: false }
}

/// The consumer [`sink`](crate::push::sink) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{Generator, State};
/// let s = stasis::push::sink(|_: u8| {});
/// assert_eq!(s.state(), State::Created);
/// ```
#[must_use = "push consumers do nothing unless values are sent to them"]
pub struct Sink<F> {
    f: Option<F>,
    started: bool,
}

impl<T, F: FnMut(T)> Generator<T> for Sink<F> {
    type Yield = ();
    type Return = ();
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, value: T) -> Step<(), ()> {
        match &mut self.f {
            Some(f) => {
                self.started = true;
                f(value);
                Step::Yielded(())
            }
            None => Step::Exhausted,
        }
    }

    fn throw(&mut self, err: Infallible) -> Step<(), ()> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<()>, CloseError<(), Infallible>> {
        self.f = None;
        Ok(None)
    }

    fn state(&self) -> State {
        lifecycle(self.f.is_some(), self.started)
    }
}

/// A push consumer that folds every value sent to it into an accumulator; `close()` returns
/// the accumulator (Python 3.13's `close()` returning the generator's return value).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::Generator;
/// let mut total = push::fold(0, |t, x: i32| t + x);
/// for x in [1, 2, 3] {
///     let _ = total.resume(x);
/// }
/// assert_eq!(total.close(), Ok(Some(6)));
/// ```
pub fn fold<A, T, F: FnMut(A, T) -> A>(initial: A, f: F) -> Fold<A, F> {
    Fold { acc: Some(initial), f, started: false }
}

/// The consumer [`fold`](crate::push::fold) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::Generator;
/// let mut longest = push::fold(0, |m: usize, s: &str| m.max(s.len()));
/// let _ = longest.resume("abc");
/// assert_eq!(longest.close(), Ok(Some(3)));
/// ```
#[must_use = "push consumers do nothing unless values are sent to them"]
pub struct Fold<A, F> {
    acc: Option<A>,
    f: F,
    started: bool,
}

impl<A, T, F: FnMut(A, T) -> A> Generator<T> for Fold<A, F> {
    type Yield = ();
    type Return = A;
    type Error = Infallible;

    #[inline]
    fn resume(&mut self, value: T) -> Step<(), A> {
        match self.acc.take() {
            Some(acc) => {
                self.started = true;
                self.acc = Some((self.f)(acc, value));
                Step::Yielded(())
            }
            None => Step::Exhausted,
        }
    }

    fn throw(&mut self, err: Infallible) -> Step<(), A> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<A>, CloseError<(), Infallible>> {
        Ok(self.acc.take())
    }

    fn state(&self) -> State {
        lifecycle(self.acc.is_some(), self.started)
    }
}

pub(super) fn lifecycle(open: bool, started: bool) -> State {
    match (open, started) {
        (false, _) => State::Closed,
        (true, false) => State::Created,
        (true, true) => State::Suspended,
    }
}

impl<F> fmt::Debug for Sink<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sink").field("open", &self.f.is_some()).finish_non_exhaustive()
    }
}

impl<A: fmt::Debug, F> fmt::Debug for Fold<A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fold").field("acc", &self.acc).finish_non_exhaustive()
    }
}
