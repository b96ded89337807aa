//! Stacks: size, overflow, pooling, and how many generators can live at once.
//!
#![doc = include_str!("stacks.md")]
