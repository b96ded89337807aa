//! [`Accumulate`](crate::Accumulate) and [`AccumulateFrom`](crate::AccumulateFrom): running totals (Python's `itertools.accumulate`).

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

use crate::forward::{adaptor_api, forward};

/// Yields running results: the first value as it is, then `f(total, value)` for each next
/// value (Python's `accumulate(it, f)`). Built by
/// [`GeneratorExt::accumulate`](crate::GeneratorExt::accumulate).
///
/// - **send**: forwarded, one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded; values yielded after a `throw` are accumulated too
///   (a value yielded while ignoring `close()` is reported as it is).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let maxes = from_iter([3, 1, 4, 1, 5]).accumulate(|a: i32, b| a.max(b));
/// assert_eq!(maxes.collect::<Vec<_>>(), [3, 3, 4, 4, 5]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Accumulate<G, F, T, Ret> {
    source: G,
    f: F,
    total: Option<T>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, T, Ret> Accumulate<G, F, T, Ret> {
    pub(crate) fn new(source: G, f: F) -> Self {
        Accumulate { source, f, total: None, ret: None }
    }

    #[inline]
    fn add<R, E>(&mut self, step: Step<T, R, E>) -> Step<T, R, E>
    where
        T: Clone,
        F: FnMut(T, T) -> T,
    {
        step.map_yield(|y| {
            let total = match self.total.take() {
                None => y,
                Some(t) => (self.f)(t, y),
            };
            self.total = Some(total.clone());
            total
        })
    }
}

impl<S, G, F, T> Generator<S> for Accumulate<G, F, T, G::Return>
where
    G: Generator<S, Yield = T>,
    T: Clone,
    F: FnMut(T, T) -> T,
{
    type Yield = T;
    type Return = G::Return;
    type Error = G::Error;

    forward!(resume(S), throw => add);

    forward!(close, state, length_hint);
}

adaptor_api!([G, F, T, Ret] Accumulate<G, F, T, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).accumulate(|a, b| a + b)");

impl<G: fmt::Debug, F, T: fmt::Debug, Ret> fmt::Debug for Accumulate<G, F, T, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accumulate")
            .field("source", &self.source)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// Yields `initial`, then `f(total, value)` for each value (Python's
/// `accumulate(it, f, initial=...)`; a fold that shows every step). Built by
/// [`GeneratorExt::accumulate_from`](crate::GeneratorExt::accumulate_from).
///
/// - **send**: the first resume yields `initial` without touching the source, and its value is
///   dropped (in Python it can only be `None`); the next resume's value starts the source; then
///   one to one.
/// - **return value**: the source's.
/// - **throw / close / state**: forwarded (a `throw` before the source started closes it).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let sums = from_iter([1, 2]).accumulate_from(100, |t, x| t + x);
/// assert_eq!(sums.collect::<Vec<_>>(), [100, 101, 103]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct AccumulateFrom<G, F, T, Ret> {
    source: G,
    f: F,
    total: T,
    initial_pending: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, T, Ret> AccumulateFrom<G, F, T, Ret> {
    pub(crate) fn new(source: G, initial: T, f: F) -> Self {
        AccumulateFrom { source, f, total: initial, initial_pending: true, ret: None }
    }

    #[inline]
    fn add<Y, R, E>(&mut self, step: Step<Y, R, E>) -> Step<T, R, E>
    where
        T: Clone,
        F: FnMut(T, Y) -> T,
    {
        step.map_yield(|y| {
            // The closure cannot leave `total` moved out, so put a clone back first.
            let total = (self.f)(self.total.clone(), y);
            self.total = total.clone();
            total
        })
    }
}

impl<S, G, F, T> Generator<S> for AccumulateFrom<G, F, T, G::Return>
where
    G: Generator<S>,
    T: Clone,
    F: FnMut(T, G::Yield) -> T,
{
    type Yield = T;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<T, G::Return, G::Error> {
        if self.initial_pending {
            self.initial_pending = false;
            return Step::Yielded(self.total.clone());
        }
        let step = self.source.resume(arg);
        self.add(step)
    }

    fn throw(&mut self, err: G::Error) -> Step<T, G::Return, G::Error> {
        self.initial_pending = false;
        let step = self.source.throw(err);
        self.add(step)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<T, G::Error>> {
        self.initial_pending = false;
        let total = self.total.clone();
        crate::util::map_close(self.source.close(), |_| total)
    }

    #[inline]
    fn state(&self) -> State {
        match self.source.state() {
            State::Created if !self.initial_pending => State::Suspended,
            state => state,
        }
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        crate::util::add_hints(
            self.source.length_hint(),
            (usize::from(self.initial_pending), Some(usize::from(self.initial_pending))),
        )
    }
}

adaptor_api!([G, F, T, Ret] AccumulateFrom<G, F, T, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).accumulate_from(0, |a, b| a + b)");

impl<G: fmt::Debug, F, T: fmt::Debug, Ret> fmt::Debug for AccumulateFrom<G, F, T, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccumulateFrom")
            .field("source", &self.source)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}
