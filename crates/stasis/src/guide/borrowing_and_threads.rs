//! Why stackful bodies are `'static` and generators `!Send`, the E0521 a borrowing
//! `fn walk(node: &Node) -> Gen<..>` gets, and what to do instead.
//!
#![doc = include_str!("borrowing_and_threads.md")]
#![cfg_attr(feature = "nightly", doc = include_str!("borrowing_and_threads_nightly.md"))]
#![doc = include_str!("borrowing_and_threads_send.md")]
