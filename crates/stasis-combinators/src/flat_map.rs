//! [`FlatMap`](crate::FlatMap): maps each value to an iterable and yields its items.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step};

use crate::forward::adaptor_api;

/// Maps each value of the source to something iterable and yields its items, one inner
/// iterable at a time (Python's `chain.from_iterable(map(f, it))`). The inner iterables are
/// plain iterators; a stasis generator with `S = ()` is one. Built by
/// [`GeneratorExt::gen_flat_map`](crate::GeneratorExt::gen_flat_map).
///
/// - **send**: none (`Generator<()>`: several yields answer one source value).
/// - **return value**: the source's.
/// - **throw**: forwarded to the source, dropping what is left of the current inner iterable
///   (the source is suspended at the `yield` that produced it). **close**: drops the inner
///   iterable and closes the source. **state**: the source's.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let flat = from_iter([vec![10], vec![], vec![20, 30]]).gen_flat_map(|v| v);
/// assert_eq!(flat.collect::<Vec<_>>(), [10, 20, 30]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct FlatMap<G, F, I, Ret> {
    source: G,
    f: F,
    inner: Option<I>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, I, Ret> FlatMap<G, F, I, Ret> {
    pub(crate) fn new(source: G, f: F) -> Self {
        FlatMap { source, f, inner: None, ret: None }
    }
}

impl<G, F, U, Ret> FlatMap<G, F, U::IntoIter, Ret>
where
    G: Generator<()>,
    F: FnMut(G::Yield) -> U,
    U: IntoIterator,
{
    fn drain(
        &mut self,
        mut step: Step<G::Yield, G::Return, G::Error>,
    ) -> Step<U::Item, G::Return, G::Error> {
        loop {
            match step {
                Step::Yielded(y) => {
                    let mut inner = (self.f)(y).into_iter();
                    if let Some(item) = inner.next() {
                        self.inner = Some(inner);
                        return Step::Yielded(item);
                    }
                }
                end => return end.map_yield(|_| unreachable!("matched above")),
            }
            step = self.source.resume(());
        }
    }
}

impl<G, F, U> Generator<()> for FlatMap<G, F, U::IntoIter, G::Return>
where
    G: Generator<()>,
    F: FnMut(G::Yield) -> U,
    U: IntoIterator,
{
    type Yield = U::Item;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, (): ()) -> Step<U::Item, G::Return, G::Error> {
        if let Some(inner) = &mut self.inner {
            if let Some(item) = inner.next() {
                return Step::Yielded(item);
            }
            self.inner = None;
        }
        let step = self.source.resume(());
        self.drain(step)
    }

    fn throw(&mut self, err: G::Error) -> Step<U::Item, G::Return, G::Error> {
        self.inner = None;
        let step = self.source.throw(err);
        self.drain(step)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<U::Item, G::Error>> {
        self.inner = None;
        match self.source.close() {
            Ok(r) => Ok(r),
            Err(CloseError::Raised(e)) => Err(CloseError::Raised(e)),
            Err(CloseError::Runtime(r)) => Err(CloseError::Runtime(r)),
            Err(CloseError::IgnoredExit(y)) => {
                // Report the first item of what the source yielded; keep the rest for later.
                let mut inner = (self.f)(y).into_iter();
                match inner.next() {
                    Some(item) => {
                        self.inner = Some(inner);
                        Err(CloseError::IgnoredExit(item))
                    }
                    None => Ok(None),
                }
            }
        }
    }

    fn state(&self) -> State {
        self.source.state()
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        let (lo, hi) = self.inner.as_ref().map_or((0, Some(0)), Iterator::size_hint);
        match self.source.length_hint() {
            (_, Some(0)) => (lo, hi),
            _ => (lo, None),
        }
    }
}

adaptor_api!([G, F, I, Ret] FlatMap<G, F, I, Ret>, keep_return: Ret, source: G, "from_iter([\"a b\"]).gen_flat_map(|s| s.split(' '))");

impl<G: fmt::Debug, F, I, Ret> fmt::Debug for FlatMap<G, F, I, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlatMap")
            .field("source", &self.source)
            .field("in_inner", &self.inner.is_some())
            .finish_non_exhaustive()
    }
}
