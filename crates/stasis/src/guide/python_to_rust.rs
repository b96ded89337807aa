//! Python to Rust: the protocol side by side, what differs on purpose and why, return values,
//! `finally`.
//!
#![doc = include_str!("python_to_rust.md")]
