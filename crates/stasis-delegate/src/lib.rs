//! Python's `yield from` (PEP 380) for stasis generators, at the same cost per item however
//! deep the chain of delegations.
//!
//! A stackful body ([`Gen`](stasis_core::Gen)) can delegate in three forms:
//!
//! | Python                          | stasis, in a stackful body              | cost per item           |
//! |---------------------------------|-----------------------------------------|-------------------------|
//! | `r = yield from sub()` (a generator function) | `let r = sub(co);` (a plain call, frames fused on one stack) | a plain yield |
//! | `r = yield from gen_object`     | `let r = co.yield_from(gen_object);`   | O(1) at any depth       |
//! | `yield from [1, 2, 3]`          | `co.yield_from_iter([1, 2, 3]);`        | a plain yield           |
//!
//! and a `#[coroutine]` body (the state-machine backend) with [`yield_from!`](crate::yield_from!) or
//! [`yield_from_throwing!`](crate::yield_from_throwing!), where each level re-yields (O(depth) per item, as nested state
//! machines are).
//!
//! # 1. Generator functions: just call them
//!
//! A function that takes the yield handle is a sub-generator that runs *inline*, on the
//! caller's stack: its `yield_` is the caller's, sent values reach it directly, a `throw` or
//! `close` arrives at its `yield` (use [`Co::try_yield`](stasis_core::Co::try_yield) to see
//! them), and its return value is the call's value. Nothing to wrap: a chain of 1,000 nested
//! calls yields as cheaply as the outermost body.
//!
//! ```
//! # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
//! use stasis::{Co, Gen, Generator, Step};
//!
//! // Python: def adder(): total = 0; while (x := (yield total)) is not None: total += x
//! fn adder(co: &Co<i64, Option<i64>>) -> i64 {
//!     let mut total = 0;
//!     while let Some(x) = co.yield_(total) {
//!         total += x;
//!     }
//!     total
//! }
//!
//! let mut g = Gen::<i64, i64, Option<i64>>::new(|co, _| {
//!     let total = adder(co); // `yield from adder()`
//!     co.yield_(-1);
//!     total
//! });
//! assert_eq!(g.resume(None), Step::Yielded(0));
//! assert_eq!(g.resume(Some(5)), Step::Yielded(5));
//! assert_eq!(g.resume(Some(7)), Step::Yielded(12));
//! assert_eq!(g.resume(None), Step::Yielded(-1));
//! assert_eq!(g.resume(None), Step::Complete(12));
//! ```
//!
//! # 2. Generator objects: [`Co::yield_from`](stasis_core::Co::yield_from)
//!
//! Any value implementing [`Generator`](stasis_core::Generator) with the same yield, send and error types: another
//! stackful `Gen`, a state machine, a combinator pipeline, a [`Shared`](crate::Shared) handle. The outermost
//! generator's body resumes the innermost active generator directly: when the delegate is a
//! stackful `Gen` that delegates in turn, the new delegate joins the outermost generator's
//! stack of delegates (as C++23 `std::generator`'s `elements_of` does), so an item costs the
//! same at depth 1 and at depth 1,000. The design, with a diagram, is in
//! `stasis-core`'s `stackful/delegate.rs`.
//!
//! ```
//! # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
//! use stasis::Gen;
//!
//! fn sub() -> Gen<&'static str, &'static str> {
//!     Gen::new(|co, ()| {
//!         co.yield_("s1");
//!         co.yield_("s2");
//!         "sub-result"
//!     })
//! }
//!
//! let mut parent = Gen::new(|co, ()| {
//!     let result = co.yield_from(sub()); // `result = yield from sub()`
//!     co.yield_(result);
//! });
//! assert_eq!(parent.by_ref().collect::<Vec<_>>(), ["s1", "s2", "sub-result"]);
//! ```
//!
//! # 3. Iterables: [`Co::yield_from_iter`](stasis_core::Co::yield_from_iter)
//!
//! ```
//! # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
//! use stasis::Gen;
//!
//! let g = Gen::new(|co, ()| {
//!     co.yield_from_iter([1, 2]);
//!     co.yield_from_iter(3..5);
//! });
//! assert_eq!(g.collect::<Vec<_>>(), [1, 2, 3, 4]);
//! ```
//!
//! # Semantics (PEP 380), for every form
//!
//! - **Values** pass straight through to the outermost consumer.
//! - **send**: the value goes to the innermost generator. An iterable has no `send`:
//!   `S::default()` (Python's `None`) asks for its next item, any other value raises
//!   [`RuntimeError::SendToIterator`] in the delegator (Python raises `AttributeError`), so a
//!   sent value is never dropped silently.
//! - **throw**: the error goes to the innermost generator; if it does not handle it, it is
//!   raised in the delegator at its `yield from`:
//!   [`Co::try_yield_from`](stasis_core::Co::try_yield_from) returns it as
//!   `Err(Thrown::Error(e))`, where the delegator may handle it and go on;
//!   [`Co::yield_from`](stasis_core::Co::yield_from) re-raises it (as
//!   [`Co::yield_`](stasis_core::Co::yield_) does). `g.throw_exit()` (Python's
//!   `g.throw(GeneratorExit)`) closes the innermost generator and raises the exit in each
//!   delegator, as `close` does, but gives back a value the body yields.
//! - **close**: the innermost generator is closed first, then each delegator outward sees
//!   [`Thrown::Exit`](stasis_core::Thrown::Exit) at its `yield from` (or the error its
//!   delegate raised while closing): the `finally` code (destructors) runs innermost first,
//!   as in CPython. If a sub-generator ignores the exit and yields, its delegator sees
//!   `Thrown::Runtime(RuntimeError::IgnoredExit)` at its `yield from` (CPython's
//!   `RuntimeError("generator ignored GeneratorExit")`, an exception it may catch), unwinds
//!   unless it handles it, and the outermost `close` fails with
//!   [`CloseError::IgnoredExit`](stasis_core::CloseError::IgnoredExit) carrying the ignored
//!   value (a `yield_from_throwing!` delegator sees the same error); the sub-generator is
//!   closed again when it is dropped. An
//!   inline call differs: the sub-body *is* the delegator's body, so the generator itself
//!   ignored the exit and stays suspended, as any generator that ignores it.
//! - **return value**: the sub-generator's return value is the value of the `yield from`.
//! - **errors of the runtime itself** arrive at the `yield from` as `Thrown::Runtime(..)`, an
//!   exception the delegator may catch: [`RuntimeError::AlreadyFinished`] when the
//!   sub-generator had finished before (at the start, or behind the delegator's back through
//!   a [`Shared`] handle; CPython's `yield from` gives `None` there, a Rust return value has no
//!   `None`), [`RuntimeError::AlreadyExecuting`] when it is running (a generator that
//!   delegates to itself through [`Shared`]; CPython's `ValueError`). Nothing of this panics.
//! - **debugging**: middle delegators are absent from backtraces, because the outermost
//!   generator resumes the innermost delegate directly (a panic deep in a chain shows the
//!   root's frames and the leaf's); `Gen::yield_from_depth` (Python's `gi_yieldfrom` chain)
//!   says how many delegates are active below a generator.
//! - **panics** in a sub-generator continue in each delegator at its `yield from`, innermost
//!   first (destructors run), and reach the consumer from the outermost `resume`; every
//!   generator of the chain ends [`State::Closed`](stasis_core::State::Closed).
//! - **dropping** the outermost generator while it delegates closes the chain as `close` does.
//!
//! Why `try_yield_from` returns `Result<R, Thrown<E>>`: it is the same shape as
//! [`Co::try_yield`](stasis_core::Co::try_yield) (an interrupted `yield` is an interrupted
//! `yield from`), so a body handles an error thrown into its sub-generator with the `match` it
//! already uses for its own yields, and passes on what it does not handle with
//! [`Co::raise`](stasis_core::Co::raise). A Rust-level `?` cannot be the mechanism: the error
//! must be observable *at the call*, with the delegator still running, so that it may yield
//! again (`yield "parent-recovered"` in CPython's tests).
//!
//! # Cost per item
//!
//! `benches/delegation.rs` (criterion; one iteration is one item through a chain of `depth`
//! delegation levels), one run on the shared x86-64 development machine:
//!
//! | depth | generator functions (inline) | generator objects | `#[coroutine]` + `yield_from!` |
//! |------:|-----------------------------:|------------------:|-------------------------------:|
//! |     1 |                      3.0 ns |           10.5 ns |                         4.8 ns |
//! |    10 |                      3.1 ns |           10.1 ns |                          48 ns |
//! |   100 |                      3.0 ns |           10.4 ns |                         333 ns |
//! |  1000 |                      3.0 ns |           11.0 ns |                       4,509 ns |
//! | 1000 ÷ 1 |                    1.00 |              1.05 |                            943 |
//!
//! An item from a generator object costs one stack switch (the consumer's `resume` reaches the
//! innermost generator directly) plus the driver's bookkeeping (a dynamic call, a
//! `catch_unwind`), whatever the depth; a plain `yield` costs about 3 ns. Nested state
//! machines re-yield at every level, so their cost grows with the depth (CPython's
//! `yield from` too: about 108 ns per item at depth 1 and 19 µs at depth 500).
//!
//! # Recursion and stack size
//!
//! Recursive generator functions (form 1) run on one stack; give the generator a stack that
//! fits the deepest recursion with [`GenBuilder::stack_size`](stasis_core::GenBuilder::stack_size).
//! Measured for a recursive in-order tree traversal (`fn inorder(co, node)`, as in
//! `examples/tree.rs`; `tests/delegation.rs` measures it on every run and fails if it grows):
//! **64 bytes per level** in a release build and **96 bytes per level** in a debug build
//! (x86-64, this nightly). The default 256 KiB stack thus holds about 2,700 levels in debug; a
//! degenerate tree of depth 10,000 needs about 1 MiB: ask for a few MiB
//! (`Gen::builder().stack_size(4 << 20)`; only the touched pages become resident). Measure your
//! own recursion the same way: the distance between the addresses of a local at two depths.
//! A stack overflow on a generator stack hits its guard page: the process aborts with a
//! message saying so instead of corrupting memory.
//!
//! Recursive generator *objects* (form 2) take one generator, so one stack, per level: the
//! default 256 KiB stack is plenty for each, and the chain costs O(1) per item. Depth is
//! limited by the number of live stacks (about 32,000 under Linux's default
//! `vm.max_map_count`).
// Links spell full paths (`[`Step`](crate::Step)`) even where the short form resolves here:
// the facade (`stasis`) re-exports these items, and rustdoc renders short links of re-exported
// items as literal text there.
#![allow(rustdoc::redundant_explicit_links)]
#![cfg_attr(all(doc, feature = "nightly"), feature(coroutines))]
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use stasis_core::{CloseError, Generator, RuntimeError, State, Step};

/// A generator shared between its delegator and someone who looks at it afterwards (Python:
/// `inner = sub(); g = parent(inner); ...; inspect.getgeneratorstate(inner)`).
///
/// A clone of the handle is a [`Generator`](stasis_core::Generator) that borrows the generator for each call, so a
/// body can `yield_from` one clone while the consumer keeps another. It is delegated to
/// through the protocol (no adoption: the outermost generator cannot see through the
/// `RefCell`), which costs one extra step per item for this level only. With `S = ()` and an
/// [`Infallible`](core::convert::Infallible) error type it is also an [`Iterator`] (Python's
/// `for x in shared`).
///
/// # Errors
///
/// A call on a handle while the generator is running (it delegates to itself, directly or
/// through a loop; a body resumes a handle of its own generator) does not reach it: `resume`
/// and `throw` give `Step::Raised(Thrown::Runtime(RuntimeError::AlreadyExecuting))` and
/// `close` gives `Err(CloseError::Runtime(..))` (CPython's `ValueError("generator already
/// executing")`), which a delegator catches at its `yield from`. The generator itself is
/// untouched and goes on running. A delegator whose delegate was finished through another
/// handle gets [`RuntimeError::AlreadyFinished`] at its `yield from`.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
/// use stasis::{Gen, Generator, State, Step};
/// use stasis::delegate::Shared;
///
/// let inner = Shared::new(Gen::new(|co, ()| {
///     co.yield_(1);
/// }));
/// let delegated = inner.clone();
/// let mut parent = Gen::new(move |co, ()| {
///     co.yield_from(delegated);
///     co.yield_(2);
/// });
/// assert_eq!(parent.resume(()), Step::Yielded(1));
/// assert_eq!(inner.state(), State::Suspended);
/// assert_eq!(parent.resume(()), Step::Yielded(2));
/// assert_eq!(inner.state(), State::Closed);
/// ```
#[must_use = "generators do nothing unless resumed"]
pub struct Shared<G>(Rc<RefCell<G>>);

impl<G> Shared<G> {
    /// Wraps `generator` in a shared handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
    /// use stasis::{Gen, Generator, State};
    /// let g = stasis::delegate::Shared::new(Gen::new(|co, ()| co.yield_(1)));
    /// assert_eq!(g.state(), State::Created);
    /// ```
    pub fn new(generator: G) -> Self {
        Shared(Rc::new(RefCell::new(generator)))
    }
}

impl<G> Clone for Shared<G> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<G> fmt::Debug for Shared<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("handles", &Rc::strong_count(&self.0))
            .finish_non_exhaustive()
    }
}

/// The generator, or the error a call on a running one raises.
macro_rules! running_or {
    ($shared:expr, $running:expr) => {
        match $shared.0.try_borrow_mut() {
            Ok(generator) => generator,
            Err(_) => return $running,
        }
    };
}

impl<S, G: Generator<S>> Generator<S> for Shared<G> {
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, arg: S) -> Step<G::Yield, G::Return, G::Error> {
        running_or!(self, Step::Raised(RuntimeError::AlreadyExecuting.into())).resume(arg)
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        running_or!(self, Step::Raised(RuntimeError::AlreadyExecuting.into())).throw(err)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        running_or!(self, Err(CloseError::Runtime(RuntimeError::AlreadyExecuting))).close()
    }

    fn throw_exit(&mut self) -> Step<G::Yield, G::Return, G::Error> {
        running_or!(self, Step::Raised(RuntimeError::AlreadyExecuting.into())).throw_exit()
    }

    /// [`State::Running`](stasis_core::State::Running) while the generator runs (seen from inside it).
    fn state(&self) -> State {
        self.0.try_borrow().map_or(State::Running, |g| g.state())
    }
}

/// `for x in shared`: the yielded values, as the generator's own `Iterator` gives them.
///
/// # Panics
///
/// As a generator's `Iterator` does (see [`Step::into_next`]), if an exit or a runtime error
/// leaves the body; [`RuntimeError::AlreadyExecuting`] when the generator is running.
impl<G: Generator<(), Error = core::convert::Infallible>> Iterator for Shared<G> {
    type Item = G::Yield;

    fn next(&mut self) -> Option<G::Yield> {
        self.resume(()).into_next()
    }
}

impl<G: Generator<(), Error = core::convert::Infallible>> std::iter::FusedIterator for Shared<G> {}

/// Python's `yield from sub` inside a `#[coroutine]` body of the state-machine backend
/// ([`from_coroutine`](stasis_core::from_coroutine),
/// [`from_sending_coroutine`](stasis_core::from_sending_coroutine)). Evaluates to
/// `Result<R, Thrown<E>>`: `Ok` with the sub-generator's return value, or `Err` with the
/// error it raised.
///
/// `sub` is any [`Generator`](stasis_core::Generator) whose send type is the coroutine's resume type; it is started
/// with `Default::default()` and every value the coroutine is resumed with is forwarded to it.
/// A sub-generator that had already finished gives
/// `Err(Thrown::Runtime(RuntimeError::AlreadyFinished))`. Each level re-yields each item, so a
/// chain of nested state machines costs O(depth) per item (about 4.8 ns at depth 1 and 4.5 µs
/// at depth 1,000, see [cost per item](crate#cost-per-item)); a stackful body delegates in O(1)
/// with [`Co::yield_from`](stasis_core::Co::yield_from). For a coroutine that handles `throw`
/// and `close`, use [`yield_from_throwing!`](crate::yield_from_throwing!).
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
/// use stasis::{from_coroutine, Generator, Step};
/// use stasis::yield_from;
///
/// fn sub() -> impl Generator<Yield = i32, Return = &'static str, Error = core::convert::Infallible> {
///     from_coroutine(#[coroutine] || {
///         yield 1;
///         yield 2;
///         "sub-result"
///     })
/// }
/// let mut parent = from_coroutine(#[coroutine] || {
///     let result = yield_from!(sub()).unwrap();
///     yield 3;
///     result
/// });
/// assert_eq!(parent.resume(()), Step::Yielded(1));
/// assert_eq!(parent.resume(()), Step::Yielded(2));
/// assert_eq!(parent.resume(()), Step::Yielded(3));
/// assert_eq!(parent.resume(()), Step::Complete("sub-result"));
/// ```
#[cfg(feature = "nightly")]
#[cfg_attr(docsrs, doc(cfg(feature = "nightly")))]
#[doc(alias = "yield from")]
#[macro_export]
macro_rules! yield_from {
    ($sub:expr $(,)?) => {{
        let mut __stasis_sub = $sub;
        let mut __stasis_step = $crate::__private::start(&mut __stasis_sub);
        loop {
            match __stasis_step {
                $crate::__private::Step::Yielded(__stasis_value) => {
                    let __stasis_sent = yield __stasis_value;
                    __stasis_step =
                        $crate::__private::Generator::resume(&mut __stasis_sub, __stasis_sent);
                }
                $crate::__private::Step::Complete(__stasis_ret) => {
                    break ::core::result::Result::Ok(__stasis_ret);
                }
                $crate::__private::Step::Raised(__stasis_thrown) => {
                    break ::core::result::Result::Err(__stasis_thrown);
                }
                $crate::__private::Step::Exhausted => {
                    break ::core::result::Result::Err($crate::__private::already_finished());
                }
            }
        }
    }};
}

/// Python's `yield from sub` inside a coroutine built with
/// [`from_throwing_coroutine`](stasis_core::from_throwing_coroutine) (resumed with
/// `Result<S, Thrown<E>>`). Evaluates to `Result<R, Thrown<E>>`, so `yield_from_throwing!(sub)?`
/// propagates what the body does not handle.
///
/// Forwarding follows PEP 380: `Ok(v)` is sent to `sub`; `Err(Thrown::Error(e))` is thrown
/// into it (if it does not handle it, the macro evaluates to `Err`); `Err(Thrown::Exit)`
/// closes it, then the macro evaluates to `Err(Thrown::Exit)` (or to the error `sub` raised
/// while closing, or to `Err(Thrown::Runtime(RuntimeError::IgnoredExit))` if `sub` yielded
/// instead of closing). A sub-generator that had already finished gives
/// `Err(Thrown::Runtime(RuntimeError::AlreadyFinished))`. O(depth) per item when nested, as
/// [`yield_from!`](crate::yield_from!).
///
/// # Examples
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
/// use stasis::{from_throwing_coroutine, Generator, Step, Thrown};
/// use stasis::yield_from_throwing;
///
/// let mut parent = from_throwing_coroutine(#[coroutine] |_: Result<(), Thrown<&str>>| {
///     let sub = from_throwing_coroutine(#[coroutine] |_: Result<(), Thrown<&str>>| {
///         let () = (yield "sub-1")?;
///         Ok(())
///     });
///     match yield_from_throwing!(sub) {
///         Err(Thrown::Error(e)) => {
///             let _ = yield e;
///         }
///         other => other?,
///     }
///     Ok("done")
/// });
/// assert_eq!(parent.resume(()), Step::Yielded("sub-1"));
/// assert_eq!(parent.throw("KeyError"), Step::Yielded("KeyError"));
/// assert_eq!(parent.resume(()), Step::Complete("done"));
/// ```
#[cfg(feature = "nightly")]
#[cfg_attr(docsrs, doc(cfg(feature = "nightly")))]
#[macro_export]
macro_rules! yield_from_throwing {
    ($sub:expr $(,)?) => {{
        let mut __stasis_sub = $sub;
        let mut __stasis_step = $crate::__private::start(&mut __stasis_sub);
        // Set when the value about to be yielded is one the sub-generator yielded instead of
        // closing (see `__private::forward_closing`).
        let mut __stasis_ignored = false;
        loop {
            match __stasis_step {
                $crate::__private::Step::Yielded(__stasis_value) => {
                    if __stasis_ignored {
                        $crate::__private::hand_off_ignored_exit();
                    }
                    let __stasis_got = yield __stasis_value;
                    if ::core::mem::take(&mut __stasis_ignored)
                        && $crate::__private::is_exit(&__stasis_got)
                    {
                        // `close()` finishes the hand-off: CPython's `yield from` raises
                        // `RuntimeError` in the delegator, which may catch it.
                        break ::core::result::Result::Err($crate::__private::ignored_exit());
                    }
                    (__stasis_step, __stasis_ignored) =
                        $crate::__private::forward_closing(&mut __stasis_sub, __stasis_got);
                }
                $crate::__private::Step::Complete(__stasis_ret) => {
                    break ::core::result::Result::Ok(__stasis_ret);
                }
                $crate::__private::Step::Raised(__stasis_thrown) => {
                    break ::core::result::Result::Err(__stasis_thrown);
                }
                $crate::__private::Step::Exhausted => {
                    break ::core::result::Result::Err($crate::__private::already_finished());
                }
            }
        }
    }};
}

/// Support for the macros; not a public API.
#[cfg(feature = "nightly")]
#[doc(hidden)]
pub mod __private {
    use stasis_core::{CloseError, State};
    pub use stasis_core::{Generator, Step};

    /// Starts (or resumes) the sub-generator with `S::default()`, Python's `next(sub)`; a
    /// finished one gives `Exhausted` without being resumed.
    pub fn start<S: Default, G: Generator<S>>(sub: &mut G) -> Step<G::Yield, G::Return, G::Error> {
        if sub.state() == State::Closed {
            return Step::Exhausted;
        }
        sub.resume(S::default())
    }

    /// Forwards what a throwing coroutine was resumed with (PEP 380).
    pub fn forward<S, G: Generator<S>>(
        sub: &mut G,
        got: Result<S, Thrown<G::Error>>,
    ) -> Step<G::Yield, G::Return, G::Error> {
        match got {
            Ok(sent) => sub.resume(sent),
            Err(Thrown::Error(e)) => sub.throw(e),
            Err(Thrown::Exit) => match sub.close() {
                Ok(_) => Step::Raised(Thrown::Exit),
                Err(CloseError::Raised(e)) => Step::Raised(Thrown::Error(e)),
                Err(CloseError::Runtime(r)) => Step::Raised(Thrown::Runtime(r)),
                Err(CloseError::IgnoredExit(y)) => Step::Yielded(y),
            },
            // The protocol cannot throw a runtime error into `sub`: it stays the delegator's.
            Err(Thrown::Runtime(r)) => Step::Raised(Thrown::Runtime(r)),
        }
    }

    pub use stasis_core::{Thrown, hand_off_ignored_exit};

    /// A step of the sub-generator `G` resumed with `S`.
    pub type SubStep<G, S> =
        Step<<G as Generator<S>>::Yield, <G as Generator<S>>::Return, <G as Generator<S>>::Error>;

    /// Whether a throwing coroutine was resumed by `close()`.
    pub fn is_exit<S, E>(got: &Result<S, Thrown<E>>) -> bool {
        matches!(got, Err(Thrown::Exit))
    }

    /// [`forward`], also saying whether the value yielded is one the sub-generator yielded
    /// instead of closing (`yield_from_throwing!` hands it to `close()`, which then unwinds
    /// the delegator, as CPython does).
    pub fn forward_closing<S, G: Generator<S>>(
        sub: &mut G,
        got: Result<S, Thrown<G::Error>>,
    ) -> (SubStep<G, S>, bool) {
        match got {
            Err(Thrown::Exit) => match sub.close() {
                Ok(_) => (Step::Raised(Thrown::Exit), false),
                Err(CloseError::Raised(e)) => (Step::Raised(Thrown::Error(e)), false),
                Err(CloseError::Runtime(r)) => (Step::Raised(Thrown::Runtime(r)), false),
                Err(CloseError::IgnoredExit(y)) => (Step::Yielded(y), true),
            },
            got => (forward(sub, got), false),
        }
    }

    /// What a delegator sees at its `yield from` when its sub-generator yielded instead of
    /// closing (CPython's `RuntimeError("generator ignored GeneratorExit")`).
    #[cold]
    pub fn ignored_exit<E>() -> Thrown<E> {
        Thrown::Runtime(stasis_core::RuntimeError::IgnoredExit)
    }

    /// A sub-generator reported `Exhausted` without returning: it had finished before (at
    /// the start, or behind the delegator's back).
    #[cold]
    pub fn already_finished<E>() -> Thrown<E> {
        Thrown::Runtime(stasis_core::RuntimeError::AlreadyFinished)
    }
}
