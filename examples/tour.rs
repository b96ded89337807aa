//! A short tour of stasis: yield from nested calls, send, throw, close, return values, states.
//!
//! Run with `cargo run --example tour`.

use stasis::prelude::*;

/// Yields the leaves of a nested list from any depth: no generator object per level.
fn leaves(co: &Co<i64>, tree: &Tree) {
    match tree {
        Tree::Leaf(v) => {
            co.yield_(*v);
        }
        Tree::Node(children) => children.iter().for_each(|c| leaves(co, c)),
    }
}

enum Tree {
    Leaf(i64),
    Node(Vec<Tree>),
}

fn main() {
    use Tree::{Leaf, Node};

    println!("== yield from nested function calls");
    let tree = Node(vec![Leaf(1), Node(vec![Leaf(2), Node(vec![Leaf(3)])]), Leaf(4)]);
    let g = Gen::new(move |co, ()| leaves(co, &tree));
    println!("leaves: {:?}", g.collect::<Vec<_>>());

    println!("== send: a running average");
    let mut avg = Gen::<Option<i64>, (), i64>::new(|co, _| {
        let (mut total, mut count) = (0, 0);
        let mut value = co.yield_(None);
        loop {
            total += value;
            count += 1;
            value = co.yield_(Some(total / count));
        }
    });
    let _ = avg.resume(0);
    for v in [10, 20, 60] {
        println!("send({v}) -> {:?}", avg.resume(v));
    }

    println!("== return value, exhaustion, state");
    let mut g = Gen::new(|co, ()| {
        co.yield_(1);
        "Done!"
    });
    println!("state: {:?}", g.state());
    println!("{:?}", g.resume(()));
    println!("{:?}", g.resume(()));
    println!("{:?}", g.resume(()));
    println!("state: {:?}", g.state());

    println!("== throw and close");
    let mut worker = Gen::<&str>::throwing::<String>(|co, ()| {
        loop {
            match co.try_yield("waiting") {
                Ok(()) => {}
                Err(Thrown::Error(e)) => println!("  body caught {e:?}"),
                Err(exit) => {
                    println!("  body sees GeneratorExit, cleaning up");
                    co.raise(exit)
                }
            }
        }
    });
    println!("{:?}", worker.resume(()));
    println!("{:?}", worker.throw("bad input".into()));
    println!("close: {:?}", worker.close());
    println!("state: {:?}", worker.state());
}
