//! [`GeneratorExt`](crate::GeneratorExt): the adaptor methods, one line each into the module that implements them.

use core::convert::Infallible;

use stasis_core::Generator;

use crate::{
    Accumulate, AccumulateFrom, Batched, Chain, ChunkBy, Compress, DropWhile, Enumerate, Filter,
    FilterFalse, FlatMap, IgnoreSend, Islice, Map, MapErr, MapReturn, Pairwise, RefuseSend, Skip,
    StarArgs, Starmap, Take, TakeWhile, Tee, Zip, ZipEnd, ZipLongest,
    stream::{SkipErrors, StopOnError},
};

/// Lazy adaptors over any [`Generator`](stasis_core::Generator), on both backends, that keep the protocol: `send`,
/// `throw`, `close`, the return value and the state reach the source where that means
/// something (each adaptor's doc says how).
///
/// Methods whose `Iterator` or `itertools::Itertools` namesake exists carry a `gen_` prefix
/// (`gen_map`, `gen_filter`, `gen_tee`, `gen_chunk_by`, ...): a stasis generator with `S = ()`
/// is an `Iterator`, and two traits in scope with a method of the same name make every such
/// call ambiguous (E0034). When you only need the
/// values of an `S = ()` generator, use `Iterator`'s adaptors (and the itertools crate's); use
/// these when you need what `Iterator` drops. See the [crate docs](crate) for when to use which.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::GeneratorExt;
/// use stasis::{Gen, Generator, Step};
///
/// let naturals = Gen::new(|co, ()| {
///     let mut n = 0u64;
///     loop {
///         n += 1;
///         co.yield_(n);
///     }
/// });
/// let mut pipeline = naturals.gen_map(|x| x * x).gen_filter(|x| x % 2 == 0).gen_take(3);
/// assert_eq!(pipeline.resume(()), Step::Yielded(4));
/// assert_eq!(pipeline.resume(()), Step::Yielded(16));
/// assert_eq!(pipeline.resume(()), Step::Yielded(36));
/// assert_eq!(pipeline.resume(()), Step::Complete(None)); // the limit, not the source
/// ```
pub trait GeneratorExt<S>: Generator<S> {
    /// Yields `f(value)` for each value; returns the source's return value ([`Map`](crate::Map)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 2]).gen_map(|x| x * 10).collect::<Vec<_>>(), [10, 20]);
    /// ```
    fn gen_map<T, F>(self, f: F) -> Map<Self, F, Self::Return>
    where
        Self: Sized,
        F: FnMut(Self::Yield) -> T,
    {
        Map::new(self, f)
    }

    /// Yields the source's values; returns `f(source's return value)` ([`MapReturn`](crate::MapReturn)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::GeneratorExt;
    /// use stasis::{Gen, Generator, Step};
    /// let mut g = Gen::<u8, _>::new(|_, ()| "done").map_return(str::len);
    /// assert_eq!(g.resume(()), Step::Complete(4));
    /// ```
    fn map_return<R2, F>(self, f: F) -> MapReturn<Self, F, R2>
    where
        Self: Sized,
        F: FnOnce(Self::Return) -> R2,
    {
        MapReturn::new(self, f)
    }

    /// Yields the source's values; its errors leave as `f(error)`, giving it the error type
    /// `E2` a delegation chain needs ([`MapErr`](crate::MapErr), which says what `throw` of an `E2` does).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::GeneratorExt;
    /// use stasis::{Gen, Generator, Step, Thrown};
    /// let mut g = Gen::<u8>::throwing::<u16>(|co, ()| {
    ///     co.yield_(1);
    ///     co.raise(Thrown::Error(404))
    /// })
    /// .gen_map_err(|code| format!("HTTP {code}"));
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Raised(Thrown::Error("HTTP 404".to_string())));
    /// ```
    fn gen_map_err<E2, F>(self, f: F) -> MapErr<Self, F, E2, Self::Return>
    where
        Self: Sized,
        F: FnMut(Self::Error) -> E2,
    {
        MapErr::new(self, f)
    }

    /// Yields the source's values and returns its return value, with the error type `E2` in
    /// place of `Infallible`: a source that cannot fail (such as [`from_iter`](crate::from_iter))
    /// joins a delegation chain with any error type ([`MapErr`](crate::MapErr)). For a source with a real
    /// error type, [`gen_map_err`](GeneratorExt::gen_map_err)`(Into::into)` converts it.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// use stasis::{Gen, Generator, Step};
    ///
    /// // A delegator throwable with `String` errors, delegating to a plain iterator.
    /// let mut g = Gen::<i32, i32>::throwing::<String>(|co, ()| {
    ///     let mut sub = from_iter([1, 2]).gen_err_into::<String>();
    ///     co.delegate(&mut sub, ()).unwrap_or_else(|t| co.raise(t));
    ///     3
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Yielded(2));
    /// assert_eq!(g.resume(()), Step::Complete(3));
    /// ```
    fn gen_err_into<E2>(self) -> MapErr<Self, fn(Infallible) -> E2, E2, Self::Return>
    where
        Self: Sized + Generator<S, Error = Infallible>,
    {
        MapErr::new(self, |never| match never {})
    }

    /// Yields the source's values and returns its return value, taking sends of any type `S2`
    /// and dropping them: a generator with `S = ()` joins a chain that sends `S2`, losing what
    /// is sent on purpose ([`IgnoreSend`](crate::IgnoreSend); [`gen_refuse_send`](GeneratorExt::gen_refuse_send)
    /// makes it an error instead, as Python does).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// use stasis::{Generator, Step};
    /// let mut g = from_iter([1]).gen_ignore_send::<&str>();
    /// assert_eq!(g.resume("dropped"), Step::Yielded(1));
    /// assert_eq!(g.resume("dropped"), Step::Complete(()));
    /// ```
    fn gen_ignore_send<S2>(self) -> IgnoreSend<Self, S2, <Self as Generator<()>>::Return>
    where
        Self: Sized + Generator<()>,
    {
        IgnoreSend::new(self)
    }

    /// Yields the source's values and returns its return value, taking sends of type `S2`:
    /// `S2::default()` is Python's `None` (a plain `next`), any other value ends it with
    /// `Raised(on_send(value))`, as Python's `yield from` of a plain iterator raises
    /// `AttributeError` ([`RefuseSend`](crate::RefuseSend)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// use stasis::{Generator, Step, Thrown};
    /// let mut g = from_iter([1, 2]).gen_err_into::<String>().gen_refuse_send(|v: Option<u8>| format!("sent {v:?}"));
    /// assert_eq!(g.resume(None), Step::Yielded(1));
    /// assert_eq!(g.resume(Some(7)), Step::Raised(Thrown::Error("sent Some(7)".to_string())));
    /// ```
    fn gen_refuse_send<S2, F>(
        self,
        on_send: F,
    ) -> RefuseSend<Self, F, <Self as Generator<()>>::Return>
    where
        Self: Sized + Generator<()>,
        S2: Default + PartialEq,
        F: FnMut(S2) -> <Self as Generator<()>>::Error,
    {
        RefuseSend::new(self, on_send)
    }

    /// Yields the values `pred` accepts; returns the source's return value ([`Filter`](crate::Filter)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=4).gen_filter(|x| x % 2 == 1).collect::<Vec<_>>(), [1, 3]);
    /// ```
    fn gen_filter<P>(self, pred: P) -> Filter<Self, P, Self::Return>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        Filter::new(self, pred)
    }

    /// Yields the values `pred` rejects (Python's `filterfalse`); returns the source's return
    /// value ([`FilterFalse`](crate::FilterFalse)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=4).filter_false(|x| x % 2 == 1).collect::<Vec<_>>(), [2, 4]);
    /// ```
    fn filter_false<P>(self, pred: P) -> FilterFalse<Self, P, Self::Return>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        FilterFalse::new(self, pred)
    }

    /// Yields the values whose selector is `true`, until the values or the selectors run out
    /// (Python's `compress`); returns `Some(source's return value)` when the source ended
    /// first, `None` when the selectors did ([`Compress`](crate::Compress)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=5).compress([true, false, true]).collect::<Vec<_>>(), [1, 3]);
    /// ```
    fn compress<I>(self, selectors: I) -> Compress<Self, I::IntoIter, Option<Self::Return>>
    where
        Self: Sized,
        I: IntoIterator<Item = bool>,
    {
        Compress::new(self, selectors.into_iter())
    }

    /// Yields `f(a, b, ...)` for each tuple `(a, b, ...)` (Python's `starmap`, tuples of 1 to 6
    /// fields); returns the source's return value ([`Starmap`](crate::Starmap)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([(2, 3), (4, 5)]).starmap(|a, b| a * b).collect::<Vec<_>>(), [6, 20]);
    /// ```
    fn starmap<F>(self, f: F) -> Starmap<Self, F, Self::Return>
    where
        Self: Sized,
        Self::Yield: StarArgs<F>,
    {
        Starmap::new(self, f)
    }

    /// Yields `(index, value)`, the index from 0; returns the source's return value
    /// ([`Enumerate`](crate::Enumerate)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter("ab".chars()).gen_enumerate().collect::<Vec<_>>(), [(0, 'a'), (1, 'b')]);
    /// ```
    fn gen_enumerate(self) -> Enumerate<Self, Self::Return>
    where
        Self: Sized,
    {
        Enumerate::new(self, 0)
    }

    /// Yields `(index, value)`, the index from `start` (Python's `enumerate(it, start)`); returns
    /// the source's return value ([`Enumerate`](crate::Enumerate)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter("ab".chars()).enumerate_from(1).collect::<Vec<_>>(), [(1, 'a'), (2, 'b')]);
    /// ```
    fn enumerate_from(self, start: usize) -> Enumerate<Self, Self::Return>
    where
        Self: Sized,
    {
        Enumerate::new(self, start)
    }

    /// Yields the values at indices `start`, `start + step`, ... below `stop` (`None`: no limit),
    /// pulling exactly what CPython's `islice` pulls; returns `Some(source's return value)` when
    /// the source ended first, `None` when `stop` did ([`Islice`](crate::Islice)).
    ///
    /// # Panics
    ///
    /// If `step` is 0 (Python raises `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, count};
    /// assert_eq!(count(0, 1).islice(2, 8, 2).collect::<Vec<_>>(), [2, 4, 6]);
    /// assert_eq!(count(0, 1).islice(3, None, 10).gen_take(2).collect::<Vec<_>>(), [3, 13]);
    /// ```
    fn islice(
        self,
        start: usize,
        stop: impl Into<Option<usize>>,
        step: usize,
    ) -> Islice<Self, Option<Self::Return>>
    where
        Self: Sized,
    {
        Islice::new(self, start, stop.into(), step)
    }

    /// Yields at most `n` values and pulls nothing more; returns `Some(source's return value)`
    /// when the source ended first, `None` at the limit ([`Take`](crate::Take)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, count};
    /// assert_eq!(count(1, 1).gen_take(3).collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    fn gen_take(self, n: usize) -> Take<Self, Option<Self::Return>>
    where
        Self: Sized,
    {
        Take::new(self, n)
    }

    /// Yields the values after the first `n`; returns the source's return value ([`Skip`](crate::Skip)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=3).gen_skip(2).collect::<Vec<_>>(), [3]);
    /// ```
    fn gen_skip(self, n: usize) -> Skip<Self, Self::Return>
    where
        Self: Sized,
    {
        Skip::new(self, n)
    }

    /// Yields values while `pred` holds (the first failing one is consumed, like CPython, and
    /// kept); returns `Some(source's return value)` when the source ended first, `None` when
    /// `pred` did ([`TakeWhile`](crate::TakeWhile)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 2, 9, 1]).gen_take_while(|x| *x < 5).collect::<Vec<_>>(), [1, 2]);
    /// ```
    fn gen_take_while<P>(self, pred: P) -> TakeWhile<Self, P, Self::Yield, Option<Self::Return>>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        TakeWhile::new(self, pred)
    }

    /// Yields the values from the first one `pred` rejects on; returns the source's return
    /// value ([`DropWhile`](crate::DropWhile)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 9, 1]).drop_while(|x| *x < 5).collect::<Vec<_>>(), [9, 1]);
    /// ```
    fn drop_while<P>(self, pred: P) -> DropWhile<Self, P, Self::Return>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        DropWhile::new(self, pred)
    }

    /// Yields this generator's values, then `second`'s; returns `second`'s return value (`yield
    /// from self; return (yield from second)`; the first's is kept) ([`Chain`](crate::Chain)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1]).gen_chain(from_iter([2, 3])).collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    fn gen_chain<B>(self, second: B) -> Chain<Self, B, Self::Return, B::Return>
    where
        Self: Sized,
        B: Generator<S, Yield = Self::Yield, Error = Self::Error>,
    {
        Chain::new(self, second)
    }

    /// Yields `(a, b)` pairs until either source ends, pulling like Python's `zip`; returns
    /// [`ZipEnd`](crate::ZipEnd): which source ended, with its return value ([`Zip`](crate::Zip)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let z = from_iter([1, 2]).gen_zip(from_iter("ab".chars()));
    /// assert_eq!(z.collect::<Vec<_>>(), [(1, 'a'), (2, 'b')]);
    /// ```
    fn gen_zip<B>(
        self,
        second: B,
    ) -> Zip<
        Self,
        B,
        <Self as Generator<()>>::Yield,
        ZipEnd<<Self as Generator<()>>::Return, B::Return>,
    >
    where
        Self: Sized + Generator<()>,
        B: Generator<(), Error = <Self as Generator<()>>::Error>,
    {
        Zip::new(self, second)
    }

    /// Yields `(Some(a), Some(b))` pairs until both sources end, `None` standing in for the
    /// one that ended first (Python's `zip_longest`); returns both return values
    /// ([`ZipLongest`](crate::ZipLongest)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let z = from_iter([1, 2]).gen_zip_longest(from_iter(["a"]));
    /// assert_eq!(z.collect::<Vec<_>>(), [(Some(1), Some("a")), (Some(2), None)]);
    /// ```
    fn gen_zip_longest<B>(
        self,
        second: B,
    ) -> ZipLongest<Self, B, <Self as Generator<()>>::Return, B::Return>
    where
        Self: Sized + Generator<()>,
        B: Generator<(), Error = <Self as Generator<()>>::Error>,
    {
        ZipLongest::new(self, second)
    }

    /// Yields running sums, the first value then `total + value` (Python's `accumulate(it)`,
    /// whose default function is addition); returns the source's return value
    /// ([`Accumulate`](crate::Accumulate)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=4).accumulate_sum().collect::<Vec<_>>(), [1, 3, 6, 10]);
    /// ```
    fn accumulate_sum(
        self,
    ) -> Accumulate<Self, fn(Self::Yield, Self::Yield) -> Self::Yield, Self::Yield, Self::Return>
    where
        Self: Sized,
        Self::Yield: Clone + core::ops::Add<Output = Self::Yield>,
    {
        Accumulate::new(self, core::ops::Add::add)
    }

    /// Yields running results, the first value then `f(total, value)`; returns the source's
    /// return value ([`Accumulate`](crate::Accumulate)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=4).accumulate(|t, x| t + x).collect::<Vec<_>>(), [1, 3, 6, 10]);
    /// ```
    fn accumulate<F>(self, f: F) -> Accumulate<Self, F, Self::Yield, Self::Return>
    where
        Self: Sized,
        Self::Yield: Clone,
        F: FnMut(Self::Yield, Self::Yield) -> Self::Yield,
    {
        Accumulate::new(self, f)
    }

    /// Yields `initial`, then running results `f(total, value)`; returns the source's return
    /// value ([`AccumulateFrom`](crate::AccumulateFrom)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let lens = from_iter(["ab", "c"]).accumulate_from(0, |t, s: &str| t + s.len());
    /// assert_eq!(lens.collect::<Vec<_>>(), [0, 2, 3]);
    /// ```
    fn accumulate_from<T, F>(self, initial: T, f: F) -> AccumulateFrom<Self, F, T, Self::Return>
    where
        Self: Sized,
        T: Clone,
        F: FnMut(T, Self::Yield) -> T,
    {
        AccumulateFrom::new(self, initial, f)
    }

    /// Yields overlapping pairs `(previous, value)`; returns the source's return value
    /// ([`Pairwise`](crate::Pairwise)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 2, 3]).pairwise().collect::<Vec<_>>(), [(1, 2), (2, 3)]);
    /// ```
    fn pairwise(self) -> Pairwise<Self, Self::Yield, Self::Return>
    where
        Self: Sized,
        Self::Yield: Clone,
    {
        Pairwise::new(self)
    }

    /// Yields `Vec`s of `n` values, the last one shorter; returns the source's return value
    /// ([`Batched`](crate::Batched)).
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=3).batched(2).collect::<Vec<_>>(), [vec![1, 2], vec![3]]);
    /// ```
    fn batched(self, n: usize) -> Batched<Self>
    where
        Self: Sized + Generator<()>,
    {
        Batched::new(self, n)
    }

    /// Yields the items of `f(value)` for each value; returns the source's return value
    /// ([`FlatMap`](crate::FlatMap)).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let words = from_iter(["a b", "c"]).gen_flat_map(|s| s.split(' '));
    /// assert_eq!(words.collect::<Vec<_>>(), ["a", "b", "c"]);
    /// ```
    fn gen_flat_map<U, F>(
        self,
        f: F,
    ) -> FlatMap<Self, F, U::IntoIter, <Self as Generator<()>>::Return>
    where
        Self: Sized + Generator<()>,
        U: IntoIterator,
        F: FnMut(<Self as Generator<()>>::Yield) -> U,
    {
        FlatMap::new(self, f)
    }

    /// Yields `(key, group)` for each run of consecutive values with the same key, each group a
    /// lazy view pulling from the source; returns the source's return value ([`ChunkBy`](crate::ChunkBy),
    /// Python's `groupby`; named after itertools' `chunk_by`).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let runs = from_iter([1, 3, 2, 4, 5]).gen_chunk_by(|x| x % 2);
    /// let runs: Vec<(i32, Vec<i32>)> = runs.map(|(k, g)| (k, g.collect())).collect();
    /// assert_eq!(runs, [(1, vec![1, 3]), (0, vec![2, 4]), (1, vec![5])]);
    /// ```
    fn gen_chunk_by<K, F>(self, key: F) -> ChunkBy<Self, K, F>
    where
        Self: Sized + Generator<()>,
        K: PartialEq + Clone,
        F: FnMut(&<Self as Generator<()>>::Yield) -> K,
    {
        ChunkBy::new(self, key)
    }

    /// `N` independent cursors over this generator, each yielding every value and returning the
    /// source's return value ([`Tee`](crate::Tee), Python's `tee(it, n)`); clone a cursor for more.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let [a, b, c] = from_iter([1, 2]).gen_tee();
    /// let d = c.clone();
    /// assert_eq!(a.collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(b.collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(c.collect::<Vec<_>>(), [1, 2]);
    /// assert_eq!(d.collect::<Vec<_>>(), [1, 2]);
    /// ```
    fn gen_tee<const N: usize>(self) -> [Tee<Self>; N]
    where
        Self: Sized + Generator<()>,
    {
        crate::tee::tee(self)
    }

    /// Yields the `Ok` values of a generator of `Result`s; returns `Ok(source's return value)`,
    /// or `Err(e)` at the first `Err` item, which ends it ([`StopOnError`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// use stasis::{Generator, Step};
    /// let mut g = from_iter([Ok(1), Err("bad"), Ok(2)]).stop_on_error();
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Complete(Err("bad")));
    /// ```
    fn stop_on_error<T, E>(self) -> StopOnError<Self, Result<Self::Return, E>>
    where
        Self: Sized + Generator<S, Yield = Result<T, E>>,
    {
        StopOnError::new(self)
    }

    /// Yields the `Ok` values of a generator of `Result`s, handing each `Err` to `on_error` (to
    /// log or count it); returns the source's return value ([`SkipErrors`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let mut errors = Vec::new();
    /// let ok: Vec<i32> = from_iter([Ok(1), Err("bad"), Ok(2)]).skip_errors(|e| errors.push(e)).collect();
    /// assert_eq!((ok, errors), (vec![1, 2], vec!["bad"]));
    /// ```
    fn skip_errors<T, E, F>(self, on_error: F) -> SkipErrors<Self, F, Self::Return>
    where
        Self: Sized + Generator<S, Yield = Result<T, E>>,
        F: FnMut(E),
    {
        SkipErrors::new(self, on_error)
    }
}

impl<S, G: Generator<S> + ?Sized> GeneratorExt<S> for G {}
