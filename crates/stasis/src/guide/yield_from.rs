//! `yield from`: the three forms (generator functions, generator objects, iterables) and what
//! each costs.
//!
#![doc = include_str!("yield_from.md")]
