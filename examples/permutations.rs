//! Recursive permutations, Python's
//!
//! ```python
//! def permutations(prefix, rest):
//!     if not rest:
//!         yield prefix
//!     for i in range(len(rest)):
//!         yield from permutations(prefix + [rest[i]], rest[:i] + rest[i + 1:])
//! ```
//!
//! with generator objects delegating to each other (`co.yield_from`), and the same recursion
//! as a generator function sharing one stack and two buffers (no allocation per level). Both
//! give the permutations in the same (lexicographic) order.
//!
//! Run with `cargo run --example permutations`. Output:
//!
//! ```text
//! abc acb bac bca cab cba
//! 24 permutations of abcd, first dcba at position 23
//! ```
use stasis::prelude::*;

/// Generator objects, one per level, delegating with `yield_from`.
fn permutations(prefix: String, rest: String) -> Gen<String> {
    Gen::new(move |co, ()| {
        if rest.is_empty() {
            co.yield_(prefix);
            return;
        }
        for (i, c) in rest.char_indices() {
            let mut others = rest.clone();
            others.remove(i);
            co.yield_from(permutations(format!("{prefix}{c}"), others));
        }
    })
}

/// A generator function: the recursion runs inline on one stack, sharing its buffers.
fn permute_inline(co: &Co<String>, prefix: &mut String, rest: &mut Vec<char>) {
    if rest.is_empty() {
        co.yield_(prefix.clone());
        return;
    }
    for i in 0..rest.len() {
        let c = rest.remove(i);
        prefix.push(c);
        permute_inline(co, prefix, rest);
        prefix.pop();
        rest.insert(i, c);
    }
}

fn main() {
    let all: Vec<String> = permutations(String::new(), "abc".into()).collect();
    println!("{}", all.join(" "));

    let inline = Gen::new(|co, ()| {
        permute_inline(co, &mut String::new(), &mut "abcd".chars().collect());
    });
    let objects = permutations(String::new(), "abcd".into());
    let both: Vec<(String, String)> = inline.zip(objects).collect();
    assert!(both.iter().all(|(a, b)| a == b), "both forms agree");
    let position = both.iter().position(|(p, _)| p == "dcba").expect("dcba is a permutation");
    println!("{} permutations of abcd, first dcba at position {position}", both.len());
}
