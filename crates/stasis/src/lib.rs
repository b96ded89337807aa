//! # stasis: Python's generators for Rust, with true frame suspension
//!
//! A stasis generator body runs on its own stack, so `yield` can happen anywhere, even deep
//! inside ordinary nested function calls, and the whole frame (locals, instruction pointer) is
//! frozen until the next `resume`. The full Python protocol is there: `next`, `send`, `throw`,
//! `close`, the return value, exhaustion and state.
//!
//! ```
//! use stasis::prelude::*;
//!
//! fn count_up_to(n: u32) -> Gen<u32> {
//!     Gen::new(move |co, ()| {
//!         for i in 1..=n {
//!             co.yield_(i);
//!         }
//!     })
//! }
//!
//! for n in count_up_to(3) {
//!     println!("{n}");
//! }
//! ```
//!
//! Output:
//!
//! ```text
//! 1
//! 2
//! 3
//! ```
//!
//! See [`Gen`] (stackful), `from_coroutine` (nightly `#[coroutine]` state machines, with the
//! `nightly` feature) and the [`Generator`] protocol.
//!
//! # The guide
//!
//! New here, or coming from Python? The [`guide`] walks through it: [getting
//! stasis](guide::getting_started) (stable Rust, the `nightly` feature),
//! [Python to Rust](guide::python_to_rust), [borrowing and
//! threads](guide::borrowing_and_threads) (why bodies are `'static` and generators `!Send`),
//! [`yield from`](guide::yield_from), [stacks](guide::stacks), [every `itertools`
//! function](guide::itertools_table) and [recipes](guide::recipes), starting with turning a
//! callback API into an iterator.
//!
//! # Cargo features
//!
//! - `nightly` (off by default): the state-machine backend (`from_coroutine` and friends,
//!   `yield_from!` for `#[coroutine]` bodies). Needs a nightly compiler. Everything else builds
//!   on stable Rust 1.95 or later.

#![cfg_attr(docsrs, feature(doc_cfg))]
// Doctests (the guide's recipes, the README's tour) must compile without warnings.
#![doc(test(attr(deny(warnings))))]

pub use stasis_core::*;

/// Lazy pull and push pipelines over the protocol: adaptors, sources, push consumers and
/// streaming sources (the `stasis-combinators` crate).
pub use stasis_combinators as combinators;
pub use stasis_combinators::{
    GeneratorExt, chain_from_iterable, count, cycle, from_fn, from_iter, push, repeat, repeat_n,
    stream, zip_all,
};

/// Python's `yield from`: delegation to generator functions, generator objects and iterables
/// at the same cost per item at any depth (the `stasis-delegate` crate). The stackful forms
/// are inherent methods of [`Co`] ([`Co::yield_from`], [`Co::delegate`], ...); this module adds
/// [`delegate::Shared`] handles and the `yield_from!` macros for state machines.
pub use stasis_delegate as delegate;
#[cfg(feature = "nightly")]
#[cfg_attr(docsrs, doc(cfg(feature = "nightly")))]
pub use stasis_delegate::{yield_from, yield_from_throwing};

pub mod guide;

/// Everything a generator user needs in scope: `use stasis::prelude::*;`.
pub mod prelude {
    pub use stasis_combinators::GeneratorExt;
    pub use stasis_core::{CloseError, Co, Gen, Generator, RuntimeError, State, Step, Thrown};
    #[cfg(feature = "nightly")]
    pub use stasis_core::{from_coroutine, from_sending_coroutine, from_throwing_coroutine};
}

/// The README's code blocks, compiled and run as doctests so the tour cannot drift.
#[cfg(all(doctest, feature = "nightly"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
