//! The pizza kitchen: serve one pizza at a time (a generator) instead of baking the whole stack
//! before the first guest eats (a `Vec`).
//!
//! Run with `cargo run --example pizza`. Watch the order of "baking" and "eating" lines: the
//! generator interleaves them, the `Vec` bakes everything first.

use std::time::Instant;

use stasis::prelude::*;

const ORDERS: [&str; 4] = ["margherita", "funghi", "quattro formaggi", "diavola"];

fn bake(name: &str) -> String {
    println!("  oven: baking {name}");
    format!("{name} pizza")
}

/// The whole stack: every pizza is baked before the first is served.
fn bake_all(orders: &[&str]) -> Vec<String> {
    orders.iter().map(|name| bake(name)).collect()
}

/// One at a time: the kitchen bakes the next pizza only when a guest asks for it.
fn pizza_kitchen(orders: &'static [&'static str]) -> Gen<String> {
    Gen::new(move |co, ()| {
        for name in orders {
            co.yield_(bake(name));
        }
        println!("  oven: kitchen closed");
    })
}

fn main() {
    let start = Instant::now();
    println!("-- the whole stack (Vec)");
    for pizza in bake_all(&ORDERS) {
        println!("guest eats {pizza} at {:?}", start.elapsed());
    }

    let start = Instant::now();
    println!("-- one pizza at a time (generator)");
    for pizza in pizza_kitchen(&ORDERS) {
        println!("guest eats {pizza} at {:?}", start.elapsed());
    }

    println!("-- a guest who leaves early: the rest is never baked");
    let mut kitchen = pizza_kitchen(&ORDERS);
    if let Some(first) = kitchen.next() {
        println!("guest eats {first} and leaves");
    }
    drop(kitchen);
}
