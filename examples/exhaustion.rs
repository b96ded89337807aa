//! Exhaustion: a generator runs once. After it finishes, `next()` gives `None` (or
//! `Step::Exhausted` through the protocol) forever, never a panic; iterate again by making a new
//! generator.
//!
//! Run with `cargo run --example exhaustion`.

use stasis::prelude::*;

fn squares() -> Gen<u32, &'static str> {
    Gen::new(|co, ()| {
        for x in 1..=4 {
            co.yield_(x * x);
        }
        "all squares served"
    })
}

fn main() {
    let mut g = squares();
    println!("first pass:  {:?}", g.by_ref().collect::<Vec<_>>());
    println!("second pass: {:?}  (the generator is exhausted)", g.by_ref().collect::<Vec<_>>());
    println!("return value, read once: {:?}", g.take_return());
    println!("again: {:?}", g.take_return());
    println!("resume after the end: {:?}", g.resume(()));
    println!("state: {:?}", g.state());

    println!("a new generator starts over: {:?}", squares().collect::<Vec<_>>());
}
