//! [`GeneratorExt`]: the adaptor methods, one line each into the module that implements them.

use stasis_core::Generator;

use crate::{
    Accumulate, AccumulateFrom, Batched, Chain, ChunkBy, DropWhile, Enumerate, Filter, FlatMap,
    Islice, Map, MapReturn, Pairwise, Skip, Take, TakeWhile, Tee, Zip,
    stream::{SkipErrors, StopOnError},
};

/// Lazy adaptors over any [`Generator`], on both backends, that keep the protocol: `send`,
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
/// use stasis_combinators::GeneratorExt;
/// use stasis_core::{Gen, Generator, Step};
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
    /// Applies `f` to every yielded value ([`Map`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 2]).gen_map(|x| x * 10).collect::<Vec<_>>(), [10, 20]);
    /// ```
    fn gen_map<T, F>(self, f: F) -> Map<Self, F>
    where
        Self: Sized,
        F: FnMut(Self::Yield) -> T,
    {
        Map::new(self, f)
    }

    /// Applies `f` to the return value ([`MapReturn`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::GeneratorExt;
    /// use stasis_core::{Gen, Generator, Step};
    /// let mut g = Gen::<u8, _>::new(|_, ()| "done").map_return(str::len);
    /// assert_eq!(g.resume(()), Step::Complete(4));
    /// ```
    fn map_return<R2, F>(self, f: F) -> MapReturn<Self, F>
    where
        Self: Sized,
        F: FnOnce(Self::Return) -> R2,
    {
        MapReturn::new(self, f)
    }

    /// Yields only the values `pred` accepts ([`Filter`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=4).gen_filter(|x| x % 2 == 1).collect::<Vec<_>>(), [1, 3]);
    /// ```
    fn gen_filter<P>(self, pred: P) -> Filter<Self, P>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        Filter::new(self, pred)
    }

    /// Pairs each value with its index from 0 ([`Enumerate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter("ab".chars()).gen_enumerate().collect::<Vec<_>>(), [(0, 'a'), (1, 'b')]);
    /// ```
    fn gen_enumerate(self) -> Enumerate<Self>
    where
        Self: Sized,
    {
        Enumerate::new(self, 0)
    }

    /// Pairs each value with its index from `start` (Python's `enumerate(it, start)`,
    /// [`Enumerate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter("ab".chars()).enumerate_from(1).collect::<Vec<_>>(), [(1, 'a'), (2, 'b')]);
    /// ```
    fn enumerate_from(self, start: usize) -> Enumerate<Self>
    where
        Self: Sized,
    {
        Enumerate::new(self, start)
    }

    /// Python's `islice(it, start, stop, step)`, pulling exactly what CPython pulls
    /// ([`Islice`]). `stop` is `None` for no limit.
    ///
    /// # Panics
    ///
    /// If `step` is 0 (Python raises `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, count};
    /// assert_eq!(count(0, 1).islice(2, 8, 2).collect::<Vec<_>>(), [2, 4, 6]);
    /// assert_eq!(count(0, 1).islice(3, None, 10).gen_take(2).collect::<Vec<_>>(), [3, 13]);
    /// ```
    fn islice(self, start: usize, stop: impl Into<Option<usize>>, step: usize) -> Islice<Self>
    where
        Self: Sized,
    {
        Islice::new(self, start, stop.into(), step)
    }

    /// Yields at most `n` values and pulls nothing more ([`Take`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, count};
    /// assert_eq!(count(1, 1).gen_take(3).collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    fn gen_take(self, n: usize) -> Take<Self>
    where
        Self: Sized,
    {
        Take::new(self, n)
    }

    /// Drops the first `n` values ([`Skip`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=3).gen_skip(2).collect::<Vec<_>>(), [3]);
    /// ```
    fn gen_skip(self, n: usize) -> Skip<Self>
    where
        Self: Sized,
    {
        Skip::new(self, n)
    }

    /// Yields values while `pred` holds; consumes the first failing value, like CPython, and
    /// keeps it ([`TakeWhile`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 2, 9, 1]).gen_take_while(|x| *x < 5).collect::<Vec<_>>(), [1, 2]);
    /// ```
    fn gen_take_while<P>(self, pred: P) -> TakeWhile<Self, P, Self::Yield>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        TakeWhile::new(self, pred)
    }

    /// Drops values while `pred` holds, then yields all ([`DropWhile`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 9, 1]).drop_while(|x| *x < 5).collect::<Vec<_>>(), [9, 1]);
    /// ```
    fn drop_while<P>(self, pred: P) -> DropWhile<Self, P>
    where
        Self: Sized,
        P: FnMut(&Self::Yield) -> bool,
    {
        DropWhile::new(self, pred)
    }

    /// This generator's values, then `second`'s: `yield from self; return (yield from second)`
    /// ([`Chain`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1]).gen_chain(from_iter([2, 3])).collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    fn gen_chain<B>(self, second: B) -> Chain<Self, B, Self::Return>
    where
        Self: Sized,
        B: Generator<S, Yield = Self::Yield, Error = Self::Error>,
    {
        Chain::new(self, second)
    }

    /// Pairs values with `second`'s until either ends, pulling like Python's `zip` ([`Zip`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// let z = from_iter([1, 2]).gen_zip(from_iter("ab".chars()));
    /// assert_eq!(z.collect::<Vec<_>>(), [(1, 'a'), (2, 'b')]);
    /// ```
    fn gen_zip<B>(self, second: B) -> Zip<Self, B, <Self as Generator<()>>::Yield>
    where
        Self: Sized + Generator<()>,
        B: Generator<(), Error = <Self as Generator<()>>::Error>,
    {
        Zip::new(self, second)
    }

    /// Running results: the first value, then `f(total, value)` ([`Accumulate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=4).accumulate(|t, x| t + x).collect::<Vec<_>>(), [1, 3, 6, 10]);
    /// ```
    fn accumulate<F>(self, f: F) -> Accumulate<Self, F, Self::Yield>
    where
        Self: Sized,
        Self::Yield: Clone,
        F: FnMut(Self::Yield, Self::Yield) -> Self::Yield,
    {
        Accumulate::new(self, f)
    }

    /// `initial`, then running results `f(total, value)` ([`AccumulateFrom`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// let lens = from_iter(["ab", "c"]).accumulate_from(0, |t, s: &str| t + s.len());
    /// assert_eq!(lens.collect::<Vec<_>>(), [0, 2, 3]);
    /// ```
    fn accumulate_from<T, F>(self, initial: T, f: F) -> AccumulateFrom<Self, F, T>
    where
        Self: Sized,
        T: Clone,
        F: FnMut(T, Self::Yield) -> T,
    {
        AccumulateFrom::new(self, initial, f)
    }

    /// Overlapping pairs of consecutive values ([`Pairwise`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter([1, 2, 3]).pairwise().collect::<Vec<_>>(), [(1, 2), (2, 3)]);
    /// ```
    fn pairwise(self) -> Pairwise<Self, Self::Yield>
    where
        Self: Sized,
        Self::Yield: Clone,
    {
        Pairwise::new(self)
    }

    /// Values in `Vec`s of `n`, the last one shorter ([`Batched`]).
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// assert_eq!(from_iter(1..=3).batched(2).collect::<Vec<_>>(), [vec![1, 2], vec![3]]);
    /// ```
    fn batched(self, n: usize) -> Batched<Self>
    where
        Self: Sized + Generator<()>,
    {
        Batched::new(self, n)
    }

    /// Maps each value to an iterable and yields its items ([`FlatMap`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// let words = from_iter(["a b", "c"]).gen_flat_map(|s| s.split(' '));
    /// assert_eq!(words.collect::<Vec<_>>(), ["a", "b", "c"]);
    /// ```
    fn gen_flat_map<U, F>(self, f: F) -> FlatMap<Self, F, U::IntoIter>
    where
        Self: Sized + Generator<()>,
        U: IntoIterator,
        F: FnMut(<Self as Generator<()>>::Yield) -> U,
    {
        FlatMap::new(self, f)
    }

    /// Yields `(key, group)` for each run of consecutive values with the same key, each group a
    /// lazy view pulling from the source; returns the source's return value ([`ChunkBy`],
    /// Python's `groupby`; named after itertools' `chunk_by`).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
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
    /// source's return value ([`Tee`], Python's `tee(it, n)`); clone a cursor for more.
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
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

    /// Over a generator of `Result`s: yields the `Ok` values and ends at the first `Err`, which
    /// becomes the return value ([`StopOnError`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// use stasis_core::{Generator, Step};
    /// let mut g = from_iter([Ok(1), Err("bad"), Ok(2)]).stop_on_error();
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Complete(Err("bad")));
    /// ```
    fn stop_on_error<T, E>(self) -> StopOnError<Self>
    where
        Self: Sized + Generator<S, Yield = Result<T, E>>,
    {
        StopOnError::new(self)
    }

    /// Over a generator of `Result`s: yields the `Ok` values and hands each `Err` to
    /// `on_error` (to log or count it) before going on ([`SkipErrors`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::{GeneratorExt, from_iter};
    /// let mut errors = Vec::new();
    /// let ok: Vec<i32> = from_iter([Ok(1), Err("bad"), Ok(2)]).skip_errors(|e| errors.push(e)).collect();
    /// assert_eq!((ok, errors), (vec![1, 2], vec!["bad"]));
    /// ```
    fn skip_errors<T, E, F>(self, on_error: F) -> SkipErrors<Self, F>
    where
        Self: Sized + Generator<S, Yield = Result<T, E>>,
        F: FnMut(E),
    {
        SkipErrors::new(self, on_error)
    }
}

impl<S, G: Generator<S> + ?Sized> GeneratorExt<S> for G {}
