//! Recursive generators over a binary tree: Python's
//!
//! ```python
//! def inorder(node):
//!     if node is not None:
//!         yield from inorder(node.left)
//!         yield node.value
//!         yield from inorder(node.right)
//! ```
//!
//! written the two stackful ways: as a generator *function* recursing inline on one stack, and
//! as generator *objects* delegating with `yield_from` (one generator per node, O(1) per item
//! however deep). Walks a balanced tree of 1 M nodes both ways, then a degenerate tree of depth
//! 10,000 with a stack size chosen for it, and prints the stack each level of recursion takes.
//!
//! Run with `cargo run --release --example tree`. Output on the development machine (times vary):
//!
//! ```text
//! balanced, 1048576 nodes, inline:  sum 549755289600 in 33.6ms
//! balanced, 1048576 nodes, objects: sum 549755289600 in 244.1ms
//! degenerate, depth 10000, inline on a 4 MiB stack: 10000 items, 64 bytes of stack per level
//! degenerate, depth 10000, objects: 10000 items
//! ```
use std::rc::Rc;
use std::time::Instant;

use stasis::prelude::*;

/// A binary tree; `None` is the empty tree.
struct Node {
    left: Tree,
    value: u64,
    right: Tree,
}
type Tree = Option<Rc<Node>>;

/// A balanced tree holding `lo..hi`.
fn balanced(lo: u64, hi: u64) -> Tree {
    if lo >= hi {
        return None;
    }
    let mid = lo + (hi - lo) / 2;
    Some(Rc::new(Node { left: balanced(lo, mid), value: mid, right: balanced(mid + 1, hi) }))
}

/// A tree where every node is the left child of the next: in-order recursion goes `n` deep.
fn degenerate(n: u64) -> Tree {
    (0..n).fold(None, |left, value| Some(Rc::new(Node { left, value, right: None })))
}

/// Drops a deep tree without recursing once per level on the main thread's stack.
fn dismantle(mut tree: Tree) {
    while let Some(node) = tree {
        tree = Rc::try_unwrap(node).ok().and_then(|mut n| n.left.take());
    }
}

/// Form 1, a generator function: runs inline on the caller's stack.
fn inorder(co: &Co<u64>, tree: &Tree) {
    if let Some(node) = tree {
        inorder(co, &node.left);
        co.yield_(node.value);
        inorder(co, &node.right);
    }
}

/// Form 2, generator objects: each level is a generator the parent delegates to.
fn inorder_gen(tree: Tree) -> Gen<u64> {
    Gen::new(move |co, ()| {
        if let Some(node) = tree {
            co.yield_from(inorder_gen(node.left.clone()));
            co.yield_(node.value);
            co.yield_from(inorder_gen(node.right.clone()));
        }
    })
}

/// The address of a local in the caller's frame.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Stack bytes per level of recursion: where the deepest frame is, for two depths.
fn bytes_per_level() -> usize {
    fn deepest(co: &Co<usize>, tree: &Tree) {
        if let Some(node) = tree {
            deepest(co, &node.left);
            co.yield_(stack_address());
            deepest(co, &node.right);
        }
    }
    let at = |depth| {
        let tree = degenerate(depth);
        let mut g = Gen::builder()
            .stack_size(4 << 20)
            .build(move |co, ()| {
                deepest(co, &tree);
                dismantle(tree);
            })
            .expect("a 4 MiB stack");
        g.next().expect("a non-empty tree")
    };
    (at(1) - at(1001)) / 1000
}

fn main() {
    let n = 1 << 20;
    let tree = balanced(0, n);

    let t = tree.clone();
    let start = Instant::now();
    let sum: u64 = Gen::new(move |co, ()| inorder(co, &t)).sum();
    println!("balanced, {n} nodes, inline:  sum {sum} in {:.1?}", start.elapsed());

    let start = Instant::now();
    let sum: u64 = inorder_gen(tree).sum();
    println!("balanced, {n} nodes, objects: sum {sum} in {:.1?}", start.elapsed());

    let depth = 10_000;
    let tree = degenerate(depth);
    let t = tree.clone();
    let deep = Gen::builder()
        .stack_size(4 << 20) // 10,000 levels take about 1 MiB; the default is 256 KiB
        .build(move |co, ()| inorder(co, &t))
        .expect("a 4 MiB stack");
    let items = deep.count();
    println!(
        "degenerate, depth {depth}, inline on a 4 MiB stack: {items} items, {} bytes of stack per level",
        bytes_per_level()
    );

    // One generator (and one default 256 KiB stack, of which a page or two is touched) per
    // level: no big stack needed.
    let items = inorder_gen(tree.clone()).count();
    println!("degenerate, depth {depth}, objects: {items} items");
    dismantle(tree);
}
