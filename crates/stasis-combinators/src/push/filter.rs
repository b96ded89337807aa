//! [`filter`](crate::push::filter): a push stage that sends on only the values a predicate accepts.

use core::fmt;

use crate::util::delegate_access_inner;
use stasis_core::{CloseError, Generator, State, Step};

/// A push stage: sends each value `pred` accepts on to `target`, and drops the others
/// (Python's `grep` coroutine of PEP 342 fame). Yields `Some(what target yielded)` for a
/// value sent on, `None` for a value dropped. `throw`, `close` and the state are the target's.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Generator, Step};
/// let mut errors = push::filter(|l: &&str| l.contains("ERROR"), push::fold(0, |n, _| n + 1));
/// assert_eq!(errors.resume("INFO ok"), Step::Yielded(None));
/// assert_eq!(errors.resume("ERROR bad"), Step::Yielded(Some(())));
/// assert_eq!(errors.close(), Ok(Some(1)));
/// ```
pub fn filter<T, P, G>(pred: P, target: G) -> Filter<P, G>
where
    P: FnMut(&T) -> bool,
    G: Generator<T>,
{
    Filter { pred, target }
}

/// The stage [`filter`](crate::push::filter) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Generator, State};
/// let f = push::filter(|x: &i32| *x > 0, push::sink(|_: i32| {}));
/// assert_eq!(f.state(), State::Created);
/// ```
#[must_use = "push consumers do nothing unless values are sent to them"]
pub struct Filter<P, G> {
    pred: P,
    target: G,
}

impl<T, P, G> Generator<T> for Filter<P, G>
where
    P: FnMut(&T) -> bool,
    G: Generator<T>,
{
    type Yield = Option<G::Yield>;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, value: T) -> Step<Option<G::Yield>, G::Return, G::Error> {
        if self.target.state() == State::Closed {
            return Step::Exhausted;
        }
        if (self.pred)(&value) {
            self.target.resume(value).map_yield(Some)
        } else {
            Step::Yielded(None)
        }
    }

    fn throw(&mut self, err: G::Error) -> Step<Option<G::Yield>, G::Return, G::Error> {
        self.target.throw(err).map_yield(Some)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<Option<G::Yield>, G::Error>> {
        crate::util::map_close(self.target.close(), Some)
    }

    fn state(&self) -> State {
        self.target.state()
    }
}

delegate_access_inner!([P, G] Filter<P, G>, target: G, "stasis::push::filter(|x: &i32| *x > 0, stasis::push::sink(drop::<i32>))");

impl<P, G: fmt::Debug> fmt::Debug for Filter<P, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("push::Filter").field("target", &self.target).finish_non_exhaustive()
    }
}
