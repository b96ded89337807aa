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
//! [`yield_from_throwing!`](crate::yield_from_throwing!): O(1) per item at any depth too (section 4).
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
//! # 4. State machines: [`yield_from!`] and [`yield_from_throwing!`]
//!
//! A `#[coroutine]` body cannot yield from a function it calls, so a chain of state machines
//! that re-yields costs O(depth) per item and one native frame per level on every resume. So
//! the macros do what C++23 `std::generator` does with `elements_of`: the outermost body that
//! delegates (the *root*) keeps the stack of active delegates and resumes the innermost one
//! directly.
//!
//! ```text
//!  consumer ─ root.resume(v) ─▶ root body, in yield_from!(a): SendRoot { sub: a, driver }
//!                                 driver.entries = [ b's entry, c's entry ]   (c on top)
//!                                 c_entry.step(v, &mut driver.up) ─────────────────┐
//!   a's body: in yield_from!(b), waiting for its outcome cell (handed b up)        │
//!   b's body: in yield_from!(c), waiting for its outcome cell (handed c up)        │
//!   c's body: yields ◀── c.__resume_adopted(v, up): one coroutine resume ◀──────────┘
//! ```
//!
//! - **Hand-off**: the root resumes its delegate with a hidden method of [`Generator`](stasis_core::Generator) that a
//!   state machine implements by publishing the root's inbox in a thread-local for exactly
//!   that resume (a plain resume nested in it hides it, so a generator the body steps itself
//!   never sees it). A `yield from` that starts in that body finds the inbox, starts its
//!   sub-generator, hands it up and yields the sub's first item (a state machine cannot
//!   suspend without a value); the root moves it onto its stack. The delegator is resumed
//!   once, when its delegate is done, and reads the outcome from a cell it shares with the
//!   entry. The body shape does not change: plain bodies are untouched (a plain resume costs
//!   one thread-local load and a predicted branch more, no store), and a delegating body's `yield from` decides at run time whether it is
//!   the root or is adopted.
//! - **Finishing and closing**: the root pops a finished delegate and wakes the one below.
//!   `close()` cascades innermost first (each delegator sees [`Thrown::Exit`](stasis_core::Thrown::Exit), or the error its
//!   delegate raised while closing); a level that yields instead of finishing ignored the
//!   exit: its delegator sees `Thrown::Runtime(RuntimeError::IgnoredExit)` (CPython's
//!   `RuntimeError`, which it may catch) and the outermost `close()` fails with
//!   [`CloseError::IgnoredExit`](stasis_core::CloseError::IgnoredExit) once the chain unwound. That hand-off goes through a context
//!   the `close()` publishes for its own body only, so a generator stepped inside another's
//!   exit handling cannot take it.
//! - **Dropping** the root (or a panic in a delegate) drops the delegates innermost first, one
//!   by one, so a chain 100,000 deep runs and drops on the default stack
//!   (`tests/it/flat_machine.rs`).
//! - **Limits**: the sub-generator and the body's yield and resume types must be `'static` (as
//!   for the stackful `yield_from`): the root finds the entries handed up to it through a
//!   thread-local, type-erased, and checks their types with `TypeId`, which only `'static`
//!   types have (an unchecked lifetime would let a level hand up a generator that borrows
//!   less long than the root yields its values). For a sub-generator that borrows (a
//!   recursive walk over `&Node`), write `yield_from!(reyield sub)` /
//!   `yield_from_throwing!(reyield sub)`: the body re-yields each item itself, O(depth) per
//!   item when nested, same forwarding (`tests/it/reyield_machine.rs`). A run of levels that delegate *before* they yield anything
//!   (a left-degenerate tree in in-order) starts nested, one native frame per level, while the
//!   first item is produced; yield first (or give the thread a bigger stack) for such runs
//!   100,000 deep. A body resumed with `core::ops::Coroutine::resume` directly instead of
//!   through [`from_coroutine`](stasis_core::from_coroutine) and its siblings still delegates
//!   correctly, but if it is stored inside another generator's state while that one is
//!   adopted or closing, it may take that generator's hand-off: run delegating bodies through
//!   the wrappers. A `static` (pinned) body delegates as a root of its own (correct, one level
//!   more per item).
//! - **Mixed chains** (state machines and stackful `Gen`s, in any order) share one stack of
//!   delegates: the outermost generator resumes the innermost one directly, whatever the
//!   backend of each level.
//!
//! ```text
//!  state machine outermost: R.resume(v) ─▶ R's body: SendRoot { sub: g, driver }
//!                              driver.entries = [ m's entry, h's entry, n's entry ]
//!    g (Gen)  in co.yield_from(m): m lent to R's driver (a pointer into g's waiting frame)
//!    m        in yield_from!(h): h handed up
//!    h (Gen)  in co.yield_from(n): n lent
//!    n        ◀── stepped by R's driver: one resume per item, whatever the depth
//!
//!  stackful outermost:      G.resume(v) ─▶ G's body, driving: [ m's ObjEntry, h, n ]
//!    m (a state machine, resumed with G's adoption published) handed h up; h lent n
//! ```
//!
//!   A `Gen` resumed by a state-machine driver finds the driver's inbox in its slot for that
//!   resume, and its `co.yield_from` lends the sub-generator to the driver (the frame waits
//!   until the driver reports the outcome). A stackful driver resumes a generator object
//!   with an inbox of its own published (`yield_from!`'s when the generator cannot be thrown
//!   into, else `yield_from_throwing!`'s), and what a state machine hands up to it joins its
//!   stack of delegates. A chain alternating backends 10,000 deep runs and drops innermost
//!   first (`tests/it/flat_machine.rs`). Two limits: `co.delegate(&mut sub, first)` with a
//!   send type other than `()` has no value to wake a waiting state machine with, so the state
//!   machines below it delegate as roots of their own (`co.yield_from` and `co.try_yield_from`
//!   use `S::default()`); and a panic deep in a chain a state machine drives drops the levels
//!   innermost first, so a `Gen` level sees the exit at its `yield from`, not the panic (its
//!   destructors run, and the panic reaches the consumer from the outermost generator). The
//!   design, with what it costs, is in `stasis-core`'s `machine/delegate.rs` ("Mixed chains").
//!
//! # Semantics (PEP 380), for every form
//!
//! - **Values** pass straight through to the outermost consumer.
//! - **send**: the value goes to the innermost generator. An iterable has no `send`:
//!   `S::default()` (Python's `None`) asks for its next item, any other value raises
//!   [`RuntimeError::SendToIterator`](stasis_core::RuntimeError::SendToIterator) in the delegator (Python raises `AttributeError`), so a
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
//!   exception the delegator may catch: [`RuntimeError::AlreadyFinished`](stasis_core::RuntimeError::AlreadyFinished) when the
//!   sub-generator had finished before (at the start, or behind the delegator's back through
//!   a [`Shared`] handle; CPython's `yield from` gives `None` there, a Rust return value has no
//!   `None`), [`RuntimeError::AlreadyExecuting`](stasis_core::RuntimeError::AlreadyExecuting) when it is running (a generator that
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
//! `benches/delegation.rs` measures it (criterion; one iteration is one item through a chain of
//! `depth` delegation levels, depths 1 to 1,000, for every form below, with CPython's
//! `yield from` beside it): run `cargo xtask bench` and read the delegation table of
//! `target/stasis-bench/report.md` (the figures are not copied here, where they would drift
//! from the code).
//!
//! An item from a generator object costs one stack switch (the consumer's `resume` reaches the
//! innermost generator directly) plus the driver's bookkeeping (a dynamic call, a
//! `catch_unwind`), whatever the depth; a plain `yield` costs about 3 ns. A chain of state
//! machines costs one resume of the outermost body and one of the innermost (before flat
//! delegation it grew from about 5 ns at depth 1 to 4.5 µs at depth 1,000). At depth 1 the
//! flat form does a little more than re-yielding by hand (`state_machine_reyield/1`, the old
//! expansion, and `yield_from!(reyield sub)`): the hand-off context is published (two stores
//! and a thread-local store) and cleared around each resume of the delegate, and the root
//! checks that no entry was handed up. Under callgrind (scratch driver, boxed levels as in
//! the bench): 91 instructions per item against 81 for re-yielding (before this was tuned:
//! 96 against 71, when a plain resume also stored to the thread-local); in time, from 0.94×
//! to 1.2× the re-yield in three criterion runs on this noisy machine. The table above
//! predates that tuning. Mixed chains (`mixed`: state machines around one stackful level;
//! reverse: stackful levels around one state machine) share one stack of delegates, so their
//! cost is flat too: an item costs a resume of the outermost and one of the innermost; a
//! stackful generator delegating to a state machine publishes its inbox around each resume
//! (about 1.5 ns per item, the price of taking the state machine's own delegations). CPython's `yield from`
//! re-yields at every level: about 108 ns per item at depth 1 and 19 µs at depth 500.
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
/// handle gets [`RuntimeError::AlreadyFinished`](stasis_core::RuntimeError::AlreadyFinished) at its `yield from`.
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
/// As a generator's `Iterator` does (see [`Step::into_next`](stasis_core::Step::into_next)), if an exit or a runtime error
/// leaves the body; [`RuntimeError::AlreadyExecuting`](stasis_core::RuntimeError::AlreadyExecuting) when the generator is running.
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
/// `sub` is any `'static` [`Generator`](stasis_core::Generator) whose send type is the coroutine's resume type; it is
/// started with `Default::default()` and every value the coroutine is resumed with is
/// forwarded to it. A sub-generator that had already finished gives
/// `Err(Thrown::Runtime(RuntimeError::AlreadyFinished))`. The outermost delegating body
/// resumes the innermost delegate directly, so a chain of nested state machines costs the same
/// per item at any depth (crate docs, section 4). For a coroutine that handles `throw` and
/// `close`, use [`yield_from_throwing!`](crate::yield_from_throwing!).
///
/// **Borrowing**: `yield_from!(reyield sub)` is the form for a `sub` (or yield / resume types)
/// that borrow, e.g. a recursive walk over `&Node`: the body re-yields each item of `sub`
/// itself (as a hand-written loop would), so no `'static` is needed, at O(depth) per item when
/// nested. Why the flat form needs `'static`: the outermost body keeps the delegations the
/// levels below it hand up, as type-erased entries found through a thread-local, and it can
/// only check that an entry has the types it expects with `TypeId`, which exists for
/// `'static` types only; a lifetime cannot be checked at run time, and trusting it unchecked
/// would let a level hand up a generator that borrows less long than the outermost body
/// yields its values.
///
/// # Examples
///
/// A recursive walk that yields references into a borrowed tree:
///
/// ```
/// #![feature(coroutines, stmt_expr_attributes)]
/// # mod stasis { pub use ::stasis_core::*; #[cfg(feature = "nightly")] pub use ::stasis_delegate::{yield_from, yield_from_throwing}; pub mod delegate { pub use ::stasis_delegate::*; } }
/// use stasis::{from_coroutine, Generator};
/// use stasis::yield_from;
///
/// struct Node {
///     name: String,
///     children: Vec<Node>,
/// }
///
/// fn walk(node: &Node) -> Box<dyn Generator<Yield = &str, Return = (), Error = core::convert::Infallible> + '_> {
///     Box::new(from_coroutine(#[coroutine] move || {
///         yield node.name.as_str();
///         for child in &node.children {
///             yield_from!(reyield walk(child)).unwrap();
///         }
///     }))
/// }
///
/// let leaf = |name: &str| Node { name: name.into(), children: vec![] };
/// let tree = Node { name: "root".into(), children: vec![leaf("a"), leaf("b")] };
/// let mut names = Vec::new();
/// let mut g = walk(&tree);
/// while let Some(name) = g.resume(()).yielded() {
///     names.push(name);
/// }
/// assert_eq!(names, ["root", "a", "b"]);
/// ```
///
/// The flat form:
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
    (reyield $sub:expr $(,)?) => {{
        let mut __stasis_sub = $sub;
        let mut __stasis_step = $crate::__private::start_reyield(&mut __stasis_sub);
        loop {
            match $crate::__private::reyield_next(__stasis_step) {
                ::core::ops::ControlFlow::Continue(__stasis_value) => {
                    let __stasis_sent = yield __stasis_value;
                    __stasis_step =
                        $crate::__private::Generator::resume(&mut __stasis_sub, __stasis_sent);
                }
                ::core::ops::ControlFlow::Break(__stasis_outcome) => break __stasis_outcome,
            }
        }
    }};
    ($sub:expr $(,)?) => {
        $crate::__yield_from_impl!(begin_send, $sub)
    };
}

/// The expansion of `yield_from!` and `yield_from_throwing!`; not a public API.
#[cfg(feature = "nightly")]
#[doc(hidden)]
#[macro_export]
macro_rules! __yield_from_impl {
    ($begin:ident, $sub:expr) => {{
        // Held across the yields below, so it lives in this coroutine's state: its address
        // tells this body's context (published by its wrapper) from any other generator's.
        let __stasis_anchor = 0u8;
        let __stasis_marker = ::core::ptr::addr_of!(__stasis_anchor).addr();
        match $crate::__private::$begin($sub, __stasis_marker) {
            $crate::__private::Begin::Finished(__stasis_outcome) => __stasis_outcome,
            $crate::__private::Begin::Adopted(__stasis_first, __stasis_cell) => {
                // A driver above took the delegation; it resumes this body once it is done.
                let _ = yield __stasis_first;
                let _ = ::core::hint::black_box(__stasis_anchor);
                $crate::__private::outcome(&__stasis_cell)
            }
            $crate::__private::Begin::Root(mut __stasis_root, __stasis_first) => {
                let mut __stasis_value = __stasis_first;
                loop {
                    let __stasis_got = yield __stasis_value;
                    // Taken here, not kept: the generator may have moved since (it is `Unpin`).
                    let __stasis_marker = ::core::ptr::addr_of!(__stasis_anchor).addr();
                    match __stasis_root.step(__stasis_got, __stasis_marker) {
                        $crate::__private::Rooted::Yielded(__stasis_next) => {
                            __stasis_value = __stasis_next;
                        }
                        $crate::__private::Rooted::Complete(__stasis_return) => {
                            break ::core::result::Result::Ok(__stasis_return);
                        }
                        $crate::__private::Rooted::Raised(__stasis_thrown) => {
                            break ::core::result::Result::Err(__stasis_thrown);
                        }
                        $crate::__private::Rooted::Ignored(__stasis_ignored) => {
                            // A level yielded instead of closing: the `close()` that resumed
                            // this body resumes it once more, and the `yield from` raises
                            // CPython's `RuntimeError` in it, which it may catch.
                            let _ = yield __stasis_ignored;
                            break ::core::result::Result::Err($crate::__private::Thrown::Runtime(
                                $crate::__private::RuntimeError::IgnoredExit,
                            ));
                        }
                    }
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
/// `Err(Thrown::Runtime(RuntimeError::AlreadyFinished))`. O(1) per item at any depth, as
/// [`yield_from!`](crate::yield_from!).
/// `yield_from_throwing!(reyield sub)` is the form for a `sub` that borrows (no `'static`;
/// O(depth) per item when nested; see [`yield_from!`](crate::yield_from!) for why), with the
/// same forwarding, the ignored-exit report of `close()` included.
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
    (reyield $sub:expr $(,)?) => {{
        // Held across the yields below, so it lives in this coroutine's state: its address
        // tells the context a `close()` of this body published from any other generator's.
        let __stasis_anchor = 0u8;
        let mut __stasis_sub = $sub;
        let mut __stasis_step = $crate::__private::start_reyield(&mut __stasis_sub);
        // Set when the value about to be yielded is one the sub-generator yielded instead of
        // closing: the `close()` resuming this body was told, and resumes it once more.
        let mut __stasis_ignored = false;
        loop {
            match $crate::__private::reyield_next(__stasis_step) {
                ::core::ops::ControlFlow::Continue(__stasis_value) => {
                    let __stasis_got = yield __stasis_value;
                    // Taken here, not kept: the generator may have moved since (it is `Unpin`).
                    let __stasis_marker = ::core::ptr::addr_of!(__stasis_anchor).addr();
                    if ::core::mem::take(&mut __stasis_ignored)
                        && ::core::matches!(
                            __stasis_got,
                            ::core::result::Result::Err($crate::__private::Thrown::Exit)
                        )
                    {
                        // `close()` finishes the hand-off: the `yield from` raises CPython's
                        // `RuntimeError` in this body, which it may catch.
                        break ::core::result::Result::Err($crate::__private::Thrown::Runtime(
                            $crate::__private::RuntimeError::IgnoredExit,
                        ));
                    }
                    (__stasis_step, __stasis_ignored) = $crate::__private::forward_reyield(
                        &mut __stasis_sub,
                        __stasis_got,
                        __stasis_marker,
                    );
                }
                ::core::ops::ControlFlow::Break(__stasis_outcome) => break __stasis_outcome,
            }
        }
    }};
    ($sub:expr $(,)?) => {
        $crate::__yield_from_impl!(begin_throw, $sub)
    };
}

/// Support for the macros; not a public API. Every item is sound under any call from safe
/// code, in any order or place (why, item by item: the comment atop stasis-core's
/// `machine/delegate.rs`); misuse gives a wrong result or a documented panic.
#[cfg(feature = "nightly")]
#[doc(hidden)]
pub mod __private {
    pub use stasis_core::__delegate::{
        Begin, Rooted, already_finished, begin_send, begin_throw, forward_closing, forward_reyield,
        outcome, start_reyield,
    };
    pub use stasis_core::{Generator, RuntimeError, Step, Thrown};

    /// What a re-yielding `yield from` does with its sub-generator's step: go on with the
    /// value it yielded, or end with its return value, its error, or
    /// [`RuntimeError::AlreadyFinished`] for a sub-generator that had finished before. A pure
    /// function of its argument: sound under any use.
    #[inline(always)]
    pub fn reyield_next<Y, R, E>(
        step: Step<Y, R, E>,
    ) -> core::ops::ControlFlow<Result<R, Thrown<E>>, Y> {
        match step {
            Step::Yielded(value) => core::ops::ControlFlow::Continue(value),
            Step::Complete(value) => core::ops::ControlFlow::Break(Ok(value)),
            Step::Raised(thrown) => core::ops::ControlFlow::Break(Err(thrown)),
            Step::Exhausted => core::ops::ControlFlow::Break(Err(already_finished())),
        }
    }
}
