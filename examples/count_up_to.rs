//! `count_up_to`: a generator driven by `next()` by hand, then by a `for` loop.
//!
//! Run with `cargo run --example count_up_to`.

use stasis::prelude::*;

/// Python: `def count_up_to(n): count = 1; while count <= n: yield count; count += 1`
fn count_up_to(n: u32) -> Gen<u32> {
    Gen::new(move |co, ()| {
        let mut count = 1;
        while count <= n {
            co.yield_(count);
            count += 1;
        }
    })
}

fn main() {
    println!("-- next() by hand");
    let mut counter = count_up_to(3);
    println!("state: {:?}", counter.state());
    println!("{:?}", counter.next());
    println!("{:?}", counter.next());
    println!("{:?}", counter.next());
    println!("{:?}  (exhausted: None, never a panic)", counter.next());
    println!("state: {:?}", counter.state());

    println!("-- for loop");
    for number in count_up_to(5) {
        print!("{number} ");
    }
    println!();
}
