//! The stasis guide: Python's generators, in Rust.
//!
//! Documentation-only modules, in the order a Python programmer meets the questions (after
//! clap's `_tutorial` and tokio's topic pages). Every code block is a doctest: what you read
//! here compiles and runs.
//!
//! 1. [Getting stasis](getting_started): stable Rust for the stackful API, the `nightly`
//!    feature for state machines, the `Cargo.toml` lines.
//! 2. [Python to Rust](python_to_rust): the protocol side by side, what differs on purpose
//!    and why, return values, `finally`, `throw`.
//! 3. [Borrowing and threads](borrowing_and_threads): why bodies are `'static` and generators
//!    `!Send`, the E0521 a borrowing `fn walk(node: &Node) -> Gen<..>` gets, and what to do
//!    instead.
//! 4. [`yield from`](yield_from): the three forms and what each costs.
//! 5. [Stacks](stacks): stack size, overflow, pooling, how many generators can live at once.
//! 6. [itertools](itertools_table): every function of Python's `itertools` and its Rust
//!    spelling.
//! 7. [Recipes](recipes): a callback API turned into an iterator, a recursive tree walk,
//!    send-driven pipelines, a big JSON-lines file, many live generators.

pub mod borrowing_and_threads;
pub mod getting_started;
pub mod itertools_table;
pub mod python_to_rust;
pub mod recipes;
pub mod stacks;
pub mod yield_from;
