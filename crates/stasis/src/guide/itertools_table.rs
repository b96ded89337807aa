//! Every function of Python's `itertools`, and its Rust spelling: a `GeneratorExt` method
//! where the protocol must survive, std or the itertools crate otherwise.
//!
#![doc = include_str!("itertools_table.md")]
