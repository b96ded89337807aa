//! Python's generators for Rust, with true frame suspension.
//!
//! `stasis-core` holds the [`Generator`] protocol (Python's `next`, `send`, `throw`, `close`,
//! return value and state) and its two backends:
//!
//! - [`Gen`], the **stackful** backend: the body runs on its own stack (corosensei), so
//!   [`Co::yield_`] works from any depth of ordinary nested function calls, and the whole frame
//!   is frozen between resumes. Stacks come from a per-thread [pool](pool_stats).
//! - [`StateMachine`] / [`ThrowingStateMachine`], the **state-machine** backend: nightly
//!   `#[coroutine]` closures, plugged in with one call ([`from_coroutine`]).
//!
//! Most users depend on the `stasis` facade, which re-exports this crate with the combinators
//! and delegation.
//!
//! # Example
//!
//! ```
//! use stasis_core::{Co, Gen, Generator, State, Step};
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
//! [`Step::Exhausted`] forever.
#![feature(coroutine_trait)]
#![cfg_attr(doc, feature(coroutines, stmt_expr_attributes))]

mod machine;
mod overflow;
mod pool;
mod protocol;
mod stackful;

pub use machine::{
    SendingStateMachine, StateMachine, ThrowingStateMachine, from_coroutine,
    from_sending_coroutine, from_throwing_coroutine,
};
pub use pool::{
    DEFAULT_STACK_SIZE, MAX_STACK_SIZE, MIN_STACK_SIZE, POOL_CAPACITY, PoolStats, StackError,
    clear_pool, pool_stats,
};
pub use protocol::{CloseError, Generator, State, Step, Thrown};
pub use stackful::{Co, Gen, GenBuilder};
