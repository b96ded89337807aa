//! Getting stasis: stable Rust for the stackful API, the `nightly` feature for state machines.
//!
#![doc = include_str!("getting_started.md")]
#![cfg_attr(feature = "nightly", doc = include_str!("getting_started_nightly.md"))]
