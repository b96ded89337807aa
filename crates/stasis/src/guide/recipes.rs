//! Recipes: a callback API as an iterator, a recursive tree walk, send-driven pipelines,
//! streaming a big JSON-lines file, many live generators.
//!
#![doc = include_str!("recipes.md")]
