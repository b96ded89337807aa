//! The re-yielding form of state-machine delegation (`yield_from!(reyield sub)`,
//! `yield_from_throwing!(reyield sub)`): what to write when the sub-generator or the yielded
//! values borrow (the flat form needs `'static`). O(depth) per item, PEP 380 forwarding as
//! the flat form.

use std::convert::Infallible;

use stasis::{
    CloseError, Generator, State, Step, Thrown, from_coroutine, from_throwing_coroutine,
    yield_from, yield_from_throwing,
};

use crate::support::{Finally, log};

/// A tree borrowed by the generators that walk it.
struct Node {
    value: u32,
    children: Vec<Node>,
}

type Walk<'a> = Box<dyn Generator<Yield = &'a u32, Return = u32, Error = Infallible> + 'a>;

/// Python: `def walk(n): yield n.value; return 1 + sum([(yield from walk(c)) for c in
/// n.children])` over `&Node`: the sub-generators and the yielded references borrow the tree.
fn walk(node: &Node) -> Walk<'_> {
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            yield &node.value;
            let mut count = 1;
            for child in &node.children {
                count += yield_from!(reyield walk(child)).unwrap();
            }
            count
        },
    ))
}

#[test]
fn a_recursive_walk_over_borrowed_nodes_yields_references_and_returns_counts() {
    let leaf = |value| Node { value, children: Vec::new() };
    let tree = Node {
        value: 0,
        children: vec![Node { value: 1, children: vec![leaf(2), leaf(3)] }, leaf(4)],
    };
    let mut g = walk(&tree);
    let mut seen = Vec::new();
    let total = loop {
        match g.resume(()) {
            Step::Yielded(v) => seen.push(*v),
            Step::Complete(count) => break count,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(seen, [0, 1, 2, 3, 4]);
    assert_eq!(total, 5);
}

type Input = Result<(), Thrown<String>>;

#[test]
fn send_throw_and_return_value_reach_through_a_borrowed_delegate() {
    let greeting = String::from("hello");
    let sub = from_throwing_coroutine(
        #[coroutine]
        |_: Input| match yield greeting.as_str() {
            Err(Thrown::Error(e)) => {
                let _ = yield "sub-recovered";
                Ok(e.len())
            }
            other => other.map(|()| 0),
        },
    );
    let mut parent = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let n = yield_from_throwing!(reyield sub)?;
            let _ = yield if n == 3 { "three" } else { "other" };
            Ok(n)
        },
    );
    assert_eq!(parent.resume(()), Step::Yielded("hello"));
    assert_eq!(parent.throw("abc".into()), Step::Yielded("sub-recovered"));
    assert_eq!(parent.resume(()), Step::Yielded("three"));
    assert_eq!(parent.resume(()), Step::Complete(3));
}

#[test]
fn close_unwinds_innermost_first_and_an_ignored_exit_is_reported() {
    let log = log();
    let (inner, outer) = (log.clone(), log.clone());
    let name = String::from("level");
    let sub = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&inner, "finally inner");
            let _ = yield 1; // swallows the exit
            let _ = yield 2;
            Ok(())
        },
    );
    let name_ref = &name;
    let mut parent = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&outer, format!("finally {name_ref}"));
            yield_from_throwing!(reyield sub)?;
            Ok(())
        },
    );
    assert_eq!(parent.resume(()), Step::Yielded(1));
    assert_eq!(parent.close(), Err(CloseError::IgnoredExit(2)));
    assert_eq!(*log.borrow(), ["finally inner", "finally level"]);
    assert_eq!(parent.state(), State::Closed);
}

#[test]
fn close_of_a_cooperative_chain_runs_every_finally_innermost_first() {
    let log = log();
    let (inner, outer) = (log.clone(), log.clone());
    let sub = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&inner, "finally inner");
            (yield 1)?;
            Ok(())
        },
    );
    let mut parent = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&outer, "finally outer");
            yield_from_throwing!(reyield sub)?;
            Ok(())
        },
    );
    assert_eq!(parent.resume(()), Step::Yielded(1));
    assert_eq!(parent.close(), Ok(None));
    assert_eq!(*log.borrow(), ["finally inner", "finally outer"]);
}
