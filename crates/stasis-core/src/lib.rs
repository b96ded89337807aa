//! Python's generators for Rust, with true frame suspension.
//!
//! `stasis-core` holds the [`Generator`](crate::Generator) protocol (Python's `next`, `send`, `throw`, `close`,
//! return value and state) and its two backends:
//!
//! - [`Gen`](crate::Gen), the **stackful** backend: the body runs on its own stack (corosensei), so
//!   [`Co::yield_`](crate::Co::yield_) works from any depth of ordinary nested function calls, and the whole frame
//!   is frozen between resumes. Stacks come from a per-thread [pool](pool_stats).
//! - [`StateMachine`](crate::StateMachine) / [`ThrowingStateMachine`](crate::ThrowingStateMachine), the **state-machine** backend: nightly
//!   `#[coroutine]` closures, plugged in with one call ([`from_coroutine`](crate::from_coroutine)). Behind the
//!   `nightly` cargo feature (it needs a nightly compiler); everything else builds on stable.
//!
//! Most users depend on the `stasis` facade, which re-exports this crate with the combinators
//! and delegation.
//!
//! # Example
//!
//! ```
//! # use stasis_core as stasis;
//! use stasis::{Co, Gen, Generator, State, Step};
//!
//! // A helper function yields for its caller's generator: no generator object per level.
//! fn countdown(co: &Co<u32>, from: u32) {
//!     for i in (1..=from).rev() {
//!         co.yield_(i);
//!     }
//! }
//!
//! let mut g = Gen::new(|co, ()| {
//!     countdown(co, 3);
//!     "liftoff"
//! });
//! assert_eq!(g.state(), State::Created);
//! let mut trace = Vec::new();
//! loop {
//!     match g.resume(()) {
//!         Step::Yielded(n) => trace.push(n.to_string()),
//!         Step::Complete(msg) => trace.push(msg.to_string()),
//!         Step::Raised(_) | Step::Exhausted => break,
//!     }
//! }
//! assert_eq!(trace, ["3", "2", "1", "liftoff"]);
//! assert_eq!(g.state(), State::Closed);
//! ```
//!
//! Output of the loop above: `3`, `2`, `1`, then the return value `liftoff`, then
//! [`Step::Exhausted`](crate::Step::Exhausted) forever.
//!
//! # Panics
//!
//! Panics are never swallowed and never leave a generator half-alive (tested in
//! `tests/panics.rs`, also under AddressSanitizer and LeakSanitizer):
//!
//! - **A body panics** (during `resume`, `throw` or `close`): every frame on the generator
//!   stack is unwound (destructors run), the panic reaches the caller of that operation with
//!   its payload, and the generator is [`State::Closed`](crate::State::Closed) ([`Step::Exhausted`](crate::Step::Exhausted) afterwards). Its
//!   stack goes back to the pool when the generator is dropped. Same on the state-machine
//!   backend (the coroutine's live locals are dropped).
//! - **A delegated sub-generator panics** (`yield from`, `Co::delegate`): the panic continues
//!   in each delegator at its `yield from`, innermost first, running destructors, and reaches
//!   the consumer from the outermost operation; every generator of the chain ends closed.
//! - **Dropping a suspended generator** closes it first; if its body panics in response, the
//!   panic comes out of `drop`. A consumer that panics while holding suspended generators
//!   closes them during its unwinding, running their `finally` destructors.
//! - **A destructor panics while a generator stack is being unwound** (by `close`, `drop`, or a
//!   thrown error the body does not handle): the process aborts with Rust's "panic in a
//!   destructor during cleanup", as for any destructor that panics during unwinding. Do
//!   fallible cleanup after [`Co::try_yield`](crate::Co::try_yield) returns the exit instead: there, a panic is an
//!   ordinary one and comes out of `close`.
//! - **A combinator's closure panics**: the panic reaches the caller, as an exception in a
//!   Python `map` callback does; the item being processed is consumed, the source stays
//!   suspended and the pipeline stays usable; dropping it closes the source.
//! - **A body catches unwinding it did not start** (`catch_unwind` around a `yield`): that
//!   acts like a bare Python `except:` around the `yield`: a thrown error or the exit is
//!   swallowed and the body goes on. A body that swallows every exit and keeps yielding cannot
//!   be dropped: the drop would try to unwind it forever.
//! - **The stack overflows**: not a panic. A fault on the guard page of a generator stack
//!   prints "a generator overflowed its stack", its size and the
//!   `Gen::builder().stack_size(..)` to use, then aborts.
// Links spell full paths (`[`Step`](crate::Step)`) even where the short form resolves here:
// the facade (`stasis`) re-exports these items, and rustdoc renders short links of re-exported
// items as literal text there.
#![allow(rustdoc::redundant_explicit_links)]
#![cfg_attr(feature = "nightly", feature(coroutine_trait))]
#![cfg_attr(all(doc, feature = "nightly"), feature(coroutines, stmt_expr_attributes))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "nightly")]
mod machine;
mod overflow;
mod pool;
mod protocol;
mod stackful;

#[cfg(feature = "nightly")]
#[doc(hidden)]
pub use machine::hand_off_ignored_exit;
#[cfg(feature = "nightly")]
#[cfg_attr(docsrs, doc(cfg(feature = "nightly")))]
pub use machine::{
    SendingStateMachine, StateMachine, ThrowingStateMachine, from_coroutine,
    from_sending_coroutine, from_throwing_coroutine,
};
pub use pool::{
    DEFAULT_STACK_SIZE, MAX_STACK_SIZE, MIN_STACK_SIZE, POOL_CAPACITY, PoolStats, StackError,
    clear_pool, pool_stats,
};
pub use protocol::{CloseError, Generator, RuntimeError, State, Step, Thrown, TryIter};
pub use stackful::{Co, Gen, GenBuilder};
