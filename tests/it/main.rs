//! The integration tests of stasis, in one test binary (one link of the whole support module,
//! instead of one per file). Each module is one area; `support` holds the helpers they share
//! (the CPython trace recorder, drop loggers, auto-trait assertions).
//!
//! Kept apart, in test binaries of their own, is only what must run in its own process or
//! tool: `tests/overflow.rs` and `tests/limits.rs` (stack overflows and OS limits, which abort
//! or change process-wide state), `tests/chunk_by_memory.rs` (a counting global allocator that
//! sees every allocation of its binary) and `tests/compile_fail.rs` (trybuild).
// State-machine tests need the `nightly` feature, which `cargo test --workspace` turns on (see
// `crates/stasis-bench/Cargo.toml`); `cargo +stable test -p stasis` runs the rest.
#![cfg_attr(feature = "nightly", feature(coroutines, stmt_expr_attributes))]

mod support;

mod combinators;
mod conformance_corners;
mod conformance_itertools;
mod conformance_itertools_forms;
mod conformance_protocol;
mod conformance_runtime;
mod conformance_yield_from;
mod delegation;
mod delegation_differential;
// Every body runs on both backends and in every `yield from` form: nightly only.
#[cfg(feature = "nightly")]
mod differential;
mod differential_combinators;
// State machines only: nightly.
#[cfg(feature = "nightly")]
mod flat_machine;
// State machines only: nightly.
mod fork;
// The macros' hidden support items misused: nightly.
#[cfg(feature = "nightly")]
mod hidden_api;
mod laziness;
// Mixed chains need state machines: nightly.
#[cfg(feature = "nightly")]
mod mixed_audit;
mod panics;
mod pool;
#[cfg(feature = "nightly")]
mod reyield_machine;
mod thread_exit;
mod unwinding;
