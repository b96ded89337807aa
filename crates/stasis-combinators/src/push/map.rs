//! [`map`](crate::push::map): a push stage that transforms each value before sending it on.

use core::fmt;
use core::marker::PhantomData;

use crate::util::delegate_access_inner;
use stasis_core::{CloseError, Generator, State, Step};

/// A push stage: sends `f(value)` on to `target` for each value sent to it, and yields what
/// `target` yields. `throw`, `close` and the state are the target's.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::Generator;
/// let mut lengths = push::map(|s: &str| s.len(), push::fold(0, |t, n| t + n));
/// let _ = lengths.resume("abc");
/// let _ = lengths.resume("de");
/// assert_eq!(lengths.close(), Ok(Some(5)));
/// ```
pub fn map<T, U, F, G>(f: F, target: G) -> Map<F, G, U>
where
    F: FnMut(T) -> U,
    G: Generator<U>,
{
    Map { f, target, _to: PhantomData }
}

/// The stage [`map`](crate::push::map) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::push;
/// use stasis::{Generator, State};
/// let m = push::map(|x: i32| x + 1, push::sink(|_: i32| {}));
/// assert_eq!(m.state(), State::Created);
/// ```
#[must_use = "push consumers do nothing unless values are sent to them"]
pub struct Map<F, G, U> {
    f: F,
    target: G,
    _to: PhantomData<fn(U)>,
}

impl<T, U, F, G> Generator<T> for Map<F, G, U>
where
    F: FnMut(T) -> U,
    G: Generator<U>,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, value: T) -> Step<G::Yield, G::Return, G::Error> {
        if self.target.state() == State::Closed {
            return Step::Exhausted;
        }
        self.target.resume((self.f)(value))
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        self.target.throw(err)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        self.target.close()
    }

    fn state(&self) -> State {
        self.target.state()
    }
}

delegate_access_inner!([F, G, U] Map<F, G, U>, target: G, "stasis::push::map(|x: i32| x + 1, stasis::push::sink(drop::<i32>))");

impl<F, G: fmt::Debug, U> fmt::Debug for Map<F, G, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("push::Map").field("target", &self.target).finish_non_exhaustive()
    }
}
