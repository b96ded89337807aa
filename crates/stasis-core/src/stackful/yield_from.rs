//! The `yield from` methods of [`Co`] that a body calls: [`Co::yield_from`] and
//! [`Co::try_yield_from`] (generator objects, taken by value), [`Co::yield_from_iter`] and
//! [`Co::try_yield_from_iter`] (plain iterators). They are inherent on `Co`, beside the
//! borrowing primitive [`Co::delegate`] they are built on, so no trait import is needed.
//!
//! How the forms relate:
//!
//! | Python                        | stasis                                   | `sub`      | errors   |
//! |-------------------------------|------------------------------------------|------------|----------|
//! | `r = yield from sub`          | `co.yield_from(sub)`                     | owned      | re-raised |
//! | `try: r = yield from sub ...` | `co.try_yield_from(sub)`                 | owned      | `Err`    |
//! | (no Python spelling)          | `co.delegate(&mut sub, first)`           | borrowed, any first value | `Err` |
//! | `yield from iterable`         | `co.yield_from_iter(it)` / `co.try_yield_from_iter(it)` | plain iterator | re-raised / `Err` |
//!
//! Owns: these four methods. May not touch: the driver, the entries or the slot (they call
//! [`Co::delegate`], [`Co::yield_`] and [`Co::try_yield`] only).

use super::co::Co;
use super::delegate::Wakes;
use crate::protocol::{Generator, RuntimeError, Thrown};

impl<Y: 'static, S: 'static, E: 'static> Co<Y, S, E> {
    /// Python's `result = yield from sub`: delegates to the generator object `sub` until it
    /// finishes and returns its return value. `sub` is started (or resumed) with
    /// `S::default()`, Python's `None`.
    ///
    /// An exception at the `yield from` (an error thrown into `sub` that it does not handle,
    /// one it raises, the exit of `close()`, or a [`Thrown::Runtime`] error such as
    /// [`RuntimeError::IgnoredExit`]) is re-raised here: the body unwinds, as with
    /// [`Co::yield_`]. Use [`Co::try_yield_from`] to handle it.
    ///
    /// When `sub` is a stackful [`Gen`](crate::Gen) (or `Box<Gen>`), the outermost generator adopts it and
    /// its own delegations: O(1) per item at any depth. To delegate to a generator you keep,
    /// borrow it with [`Co::delegate`], or pass a shared handle (`stasis::delegate::Shared`).
    ///
    /// Middle delegators are absent from backtraces: the outermost generator resumes the
    /// innermost delegate directly, so a panic deep in a chain shows the root's frames and the
    /// leaf's. [`Gen::yield_from_depth`](crate::Gen::yield_from_depth) tells how deep the active chain is.
    ///
    /// The forms of `yield from`, all inherent methods of `Co` (no trait to import), on one
    /// driver:
    ///
    /// | Python                        | stasis                            | `sub`               | an exception at the `yield from` |
    /// |-------------------------------|-----------------------------------|---------------------|----------------|
    /// | `r = yield from sub`          | `co.yield_from(sub)`              | owned, started with `S::default()` | re-raised |
    /// | `try: r = yield from sub`     | [`co.try_yield_from(sub)`](Co::try_yield_from) | owned, started with `S::default()` | `Err` |
    /// | (none: Python sends `None`)   | [`co.delegate(&mut sub, first)`](Co::delegate) | borrowed, started with `first` | `Err` |
    /// | `yield from iterable`         | [`co.yield_from_iter(it)`](Co::yield_from_iter) / [`co.try_yield_from_iter(it)`](Co::try_yield_from_iter) | a plain iterator | re-raised / `Err` |
    /// | `r = yield from subgen()` of a generator *function* | `let r = subgen(co);` | a function taking `&Co`, run inline | as its own yields |
    ///
    /// To delegate to a generator that someone else also holds, pass a
    /// `stasis::delegate::Shared` handle (resumed through the protocol, one extra step per
    /// item for that level).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step};
    ///
    /// // Three levels; the consumer's send reaches the innermost.
    /// fn leaf() -> Gen<i32, i32, i32> {
    ///     Gen::new(|co, _| co.yield_(0) * 2)
    /// }
    /// fn middle() -> Gen<i32, i32, i32> {
    ///     Gen::new(|co, _| co.yield_from(leaf()) + 1)
    /// }
    /// let mut top = Gen::<i32, i32, i32>::new(|co, _| co.yield_from(middle()) * 10);
    /// assert_eq!(top.resume(0), Step::Yielded(0));
    /// assert_eq!(top.resume(4), Step::Complete(90)); // ((4 * 2) + 1) * 10
    /// ```
    #[doc(alias = "yield from", alias = "gi_yieldfrom")]
    pub fn yield_from<G>(&self, sub: G) -> G::Return
    where
        G: Generator<S, Yield = Y, Error = E> + 'static,
        S: Default,
    {
        match self.try_yield_from(sub) {
            Ok(r) => r,
            Err(thrown) => self.raise(thrown),
        }
    }

    /// Like [`Co::yield_from`], with the exception at the `yield from` returned as `Err`,
    /// where the body may handle it and go on (Python's `try: yield from sub / except ...:`).
    /// What can arrive is listed at [`Co::delegate`].
    ///
    /// # Errors
    ///
    /// The [`Thrown`] raised at the `yield from`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut parent = Gen::<&str>::throwing::<String>(|co, ()| {
    ///     let sub = Gen::<&str>::throwing::<String>(|co, ()| {
    ///         co.yield_("sub-1");
    ///         co.yield_("sub-2");
    ///     });
    ///     match co.try_yield_from(sub) {
    ///         Err(Thrown::Error(e)) if e == "KeyError" => co.yield_("parent-recovered"),
    ///         Err(other) => co.raise(other),
    ///         Ok(()) => {}
    ///     }
    /// });
    /// assert_eq!(parent.resume(()), Step::Yielded("sub-1"));
    /// assert_eq!(parent.throw("KeyError".into()), Step::Yielded("parent-recovered"));
    /// assert_eq!(parent.resume(()), Step::Complete(()));
    /// ```
    #[doc(alias = "yield from")]
    pub fn try_yield_from<G>(&self, mut sub: G) -> Result<G::Return, Thrown<E>>
    where
        G: Generator<S, Yield = Y, Error = E> + 'static,
        S: Default,
    {
        self.delegate_with(&mut sub, S::default(), Wakes::default())
    }

    /// Python's `yield from iterable`: yields every item. A `throw` or `close` stops the
    /// iteration and is re-raised here.
    ///
    /// A plain iterator has no `send`. A resume that sends `S::default()` (Python's
    /// `next`, or `send(None)`) asks for the next item; any other sent value cannot be
    /// delivered, so rather than drop it silently the iteration stops and
    /// [`RuntimeError::SendToIterator`] is raised here (CPython raises `AttributeError`). With
    /// `S = ()` nothing can be lost and nothing is raised.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Gen;
    ///
    /// let g = Gen::new(|co, ()| {
    ///     co.yield_from_iter("ab".chars());
    ///     co.yield_from_iter(['c']);
    /// });
    /// assert_eq!(g.collect::<String>(), "abc");
    /// ```
    #[doc(alias = "yield from")]
    pub fn yield_from_iter<I>(&self, iter: I)
    where
        I: IntoIterator<Item = Y>,
        S: Default + PartialEq,
    {
        if let Err(thrown) = self.try_yield_from_iter(iter) {
            self.raise(thrown)
        }
    }

    /// Like [`Co::yield_from_iter`], with a `throw`, a `close` or a value sent that the
    /// iterator cannot take ([`RuntimeError::SendToIterator`]) returned as `Err`; the
    /// iteration stops there.
    ///
    /// # Errors
    ///
    /// The [`Thrown`] raised at the `yield from`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, RuntimeError, Step, Thrown};
    ///
    /// let mut g = Gen::<i32, &str>::throwing::<&str>(|co, ()| {
    ///     match co.try_yield_from_iter(1..) {
    ///         Err(Thrown::Error(e)) => e,
    ///         Err(_) => "closed",
    ///         Ok(()) => "endless",
    ///     }
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Yielded(2));
    /// assert_eq!(g.throw("enough"), Step::Complete("enough"));
    ///
    /// // A value sent into `yield from` of an iterator is not dropped silently.
    /// let mut sending = Gen::<i32, _, i32>::new(|co, _| {
    ///     co.try_yield_from_iter([1, 2])
    /// });
    /// assert_eq!(sending.resume(0), Step::Yielded(1));
    /// assert_eq!(sending.resume(0), Step::Yielded(2)); // 0 is S::default(): next()
    /// assert_eq!(
    ///     sending.resume(5),
    ///     Step::Complete(Err(Thrown::Runtime(RuntimeError::SendToIterator)))
    /// );
    /// ```
    #[doc(alias = "yield from")]
    pub fn try_yield_from_iter<I>(&self, iter: I) -> Result<(), Thrown<E>>
    where
        I: IntoIterator<Item = Y>,
        S: Default + PartialEq,
    {
        for item in iter {
            if self.try_yield(item)? != S::default() {
                return Err(Thrown::Runtime(RuntimeError::SendToIterator));
            }
        }
        Ok(())
    }
}
