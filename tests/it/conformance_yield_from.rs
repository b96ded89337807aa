//! CPython conformance of `yield from` (PEP 380), in every form that supports each scenario.
//!
//! Each test reproduces one `yield_from_*` (or `tree_inorder_yield_from`) scenario of
//! `tests/conformance/cases.py` with the Rust API, records the trace in the oracle's grammar,
//! snapshots it (insta, `tests/it/snapshots/`) and asserts it equals CPython 3.11's trace. Forms:
//!
//! - plain name: a stackful body delegating to stackful generator *objects* with
//!   `co.yield_from` / `co.try_yield_from` (adopted by the outermost generator: O(1) per item),
//!   or to a [`Shared`] handle when the consumer inspects the sub-generator's state;
//! - `@inline`: the sub-generator is a *function* taking the yield handle, called inline;
//! - `@object_state_machine`: a stackful body delegating to state-machine objects (the
//!   protocol path);
//! - `@state_machine`: `#[coroutine]` bodies with `yield_from!` / `yield_from_throwing!`.
//!
//! Not reproduced, because the form has nothing to observe: the `@inline` form of the two
//! scenarios that ask the sub-generator for its state (`sub.state`), since an inline
//! sub-generator is a function call, not an object.

use std::convert::Infallible;
use std::rc::Rc;

use crate::support::{
    Finally, PyExc, Trace, Val, check, check_as, close, list, next, send, state, throw,
};
use serde_json::{Value, json};
use stasis::{Co, Gen, Generator, Thrown, delegate::Shared};
#[cfg(feature = "nightly")]
use stasis::{
    from_coroutine, from_iter, from_sending_coroutine, from_throwing_coroutine, yield_from,
    yield_from_throwing,
};

fn result(t: &Trace, who: Option<&str>, value: impl Val) {
    t.body(who, format!("result {}", value.render()));
}

// ------------------------------------------------------------------- yield_from_return_value

fn return_value_trace<G: Generator<Yield = Value, Error = Infallible>>(t: &Rc<Trace>, mut g: G)
where
    G::Return: Val,
{
    for _ in 0..5 {
        next(t, None, &mut g);
    }
}

fn sub_object(t: &Rc<Trace>) -> Gen<Value, &'static str> {
    let t = t.clone();
    Gen::new(move |co, ()| {
        t.body(Some("sub"), "started");
        co.yield_(json!("s1"));
        co.yield_(json!("s2"));
        t.body(Some("sub"), "done");
        "sub-result"
    })
}

#[test]
fn yield_from_return_value() {
    let t = Trace::new();
    let (tb, ts) = (t.clone(), t.clone());
    let parent = Gen::new(move |co, ()| {
        tb.body(Some("parent"), "started");
        let r = co.yield_from(sub_object(&ts));
        result(&tb, Some("parent"), r);
        co.yield_(json!(["parent got", r]));
        "parent-result"
    });
    return_value_trace(&t, parent);
    check("yield_from_return_value", t.events());
}

#[test]
fn yield_from_return_value_inline() {
    fn sub(co: &Co<Value>, t: &Trace) -> &'static str {
        t.body(Some("sub"), "started");
        co.yield_(json!("s1"));
        co.yield_(json!("s2"));
        t.body(Some("sub"), "done");
        "sub-result"
    }
    let t = Trace::new();
    let tb = t.clone();
    let parent = Gen::new(move |co, ()| {
        tb.body(Some("parent"), "started");
        let r = sub(co, &tb);
        result(&tb, Some("parent"), r);
        co.yield_(json!(["parent got", r]));
        "parent-result"
    });
    return_value_trace(&t, parent);
    check_as("yield_from_return_value", "inline", t.events());
}

crate::support::nightly! {
fn sub_machine(
    t: &Rc<Trace>,
) -> impl Generator<Yield = Value, Return = &'static str, Error = Infallible> + 'static {
    let t = t.clone();
    from_coroutine(
        #[coroutine]
        move || {
            t.body(Some("sub"), "started");
            yield json!("s1");
            yield json!("s2");
            t.body(Some("sub"), "done");
            "sub-result"
        },
    )
}
}

crate::support::nightly! {
#[test]
fn yield_from_return_value_object_state_machine() {
    let t = Trace::new();
    let (tb, ts) = (t.clone(), t.clone());
    let parent = Gen::new(move |co, ()| {
        tb.body(Some("parent"), "started");
        let r = co.yield_from(sub_machine(&ts));
        result(&tb, Some("parent"), r);
        co.yield_(json!(["parent got", r]));
        "parent-result"
    });
    return_value_trace(&t, parent);
    check_as("yield_from_return_value", "object_state_machine", t.events());
}
}

crate::support::nightly! {
#[test]
fn yield_from_return_value_state_machine() {
    let t = Trace::new();
    let (tb, ts) = (t.clone(), t.clone());
    let parent = from_coroutine(
        #[coroutine]
        move || {
            tb.body(Some("parent"), "started");
            let r = yield_from!(sub_machine(&ts)).unwrap();
            result(&tb, Some("parent"), r);
            yield json!(["parent got", r]);
            "parent-result"
        },
    );
    return_value_trace(&t, parent);
    check_as("yield_from_return_value", "state_machine", t.events());
}
}

// ------------------------------------------------------------------ yield_from_forwards_send

type Sent = Option<i64>;

fn forwards_send_trace<G>(t: &Rc<Trace>, mut g: G)
where
    G: Generator<Sent, Yield = Value, Return = (), Error = Infallible>,
{
    next(t, None, &mut g);
    send(t, None, &mut g, Some(5));
    send(t, None, &mut g, Some(7));
    next(t, None, &mut g);
    next(t, None, &mut g);
}

fn adder(co: &Co<Value, Sent>, t: &Trace) -> i64 {
    t.body(Some("sub"), "started");
    let mut total = 0;
    loop {
        let x = co.yield_(json!(total));
        t.body(Some("sub"), format!("got {}", x.render()));
        match x {
            None => return total,
            Some(x) => total += x,
        }
    }
}

#[test]
fn yield_from_forwards_send() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = Gen::<Value, (), Sent>::new(move |co, _| {
        tb.body(Some("parent"), "started");
        let ts = tb.clone();
        let sub = Gen::<Value, i64, Sent>::new(move |co, _| adder(co, &ts));
        let r = co.yield_from(sub);
        result(&tb, Some("parent"), r);
        co.yield_(json!("parent-after"));
    });
    forwards_send_trace(&t, parent);
    check("yield_from_forwards_send", t.events());
}

#[test]
fn yield_from_forwards_send_inline() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = Gen::<Value, (), Sent>::new(move |co, _| {
        tb.body(Some("parent"), "started");
        let r = adder(co, &tb);
        result(&tb, Some("parent"), r);
        co.yield_(json!("parent-after"));
    });
    forwards_send_trace(&t, parent);
    check_as("yield_from_forwards_send", "inline", t.events());
}

crate::support::nightly! {
fn adder_machine(
    t: &Rc<Trace>,
) -> impl Generator<Sent, Yield = Value, Return = i64, Error = Infallible> + 'static {
    let t = t.clone();
    from_sending_coroutine(
        #[coroutine]
        move |_first: Sent| {
            t.body(Some("sub"), "started");
            let mut total = 0;
            loop {
                let x: Sent = yield json!(total);
                t.body(Some("sub"), format!("got {}", x.render()));
                match x {
                    None => return total,
                    Some(x) => total += x,
                }
            }
        },
    )
}
}

crate::support::nightly! {
#[test]
fn yield_from_forwards_send_object_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = Gen::<Value, (), Sent>::new(move |co, _| {
        tb.body(Some("parent"), "started");
        let r = co.yield_from(adder_machine(&tb));
        result(&tb, Some("parent"), r);
        co.yield_(json!("parent-after"));
    });
    forwards_send_trace(&t, parent);
    check_as("yield_from_forwards_send", "object_state_machine", t.events());
}
}

crate::support::nightly! {
#[test]
fn yield_from_forwards_send_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = from_sending_coroutine(
        #[coroutine]
        move |_first: Sent| {
            tb.body(Some("parent"), "started");
            let r = yield_from!(adder_machine(&tb)).unwrap();
            result(&tb, Some("parent"), r);
            let _: Sent = yield json!("parent-after");
        },
    );
    forwards_send_trace(&t, parent);
    check_as("yield_from_forwards_send", "state_machine", t.events());
}
}

// ----------------------------------------------------------- yield_from_throw_handled_by_sub

fn throw_handled_trace<G>(t: &Rc<Trace>, mut g: G)
where
    G: Generator<Yield = &'static str, Return = (), Error = PyExc>,
{
    next(t, None, &mut g);
    throw(t, None, &mut g, PyExc::new("ValueError", "x"));
    next(t, None, &mut g);
    throw(t, None, &mut g, PyExc::new("ValueError", "y"));
    close(t, None, &mut g);
    state(t, None, &g);
}

/// `while True: try: yield "sub-waiting" except ValueError as exc: caught; yield "sub-handled"`
fn waiting_sub(co: &Co<&'static str, (), PyExc>, t: &Trace) {
    loop {
        match co.try_yield("sub-waiting") {
            Ok(()) => {}
            Err(Thrown::Error(e)) if e.name == "ValueError" => {
                t.body(Some("sub"), format!("caught {}", e.render()));
                co.yield_("sub-handled");
            }
            Err(other) => co.raise(other),
        }
    }
}

#[test]
fn yield_from_throw_handled_by_sub() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = Gen::<&str>::throwing::<PyExc>(move |co, ()| {
        let ts = tb.clone();
        let sub = Gen::<&str>::throwing::<PyExc>(move |co, ()| waiting_sub(co, &ts));
        match co.try_yield_from(sub) {
            Ok(()) => {}
            Err(Thrown::Error(e)) if e.name == "ValueError" => {
                tb.body(Some("parent"), format!("caught {}", e.render()));
                co.yield_("parent-handled");
            }
            Err(other) => co.raise(other),
        }
    });
    throw_handled_trace(&t, parent);
    check("yield_from_throw_handled_by_sub", t.events());
}

#[test]
fn yield_from_throw_handled_by_sub_inline() {
    let t = Trace::new();
    let tb = t.clone();
    // An inline sub-generator that never returns: the parent's `except` around it is where
    // an error the sub does not handle would land; here the sub handles both throws and the
    // close unwinds through both frames.
    let parent = Gen::<&str>::throwing::<PyExc>(move |co, ()| waiting_sub(co, &tb));
    throw_handled_trace(&t, parent);
    check_as("yield_from_throw_handled_by_sub", "inline", t.events());
}

crate::support::nightly! {
fn waiting_machine(
    t: &Rc<Trace>,
) -> impl Generator<Yield = &'static str, Return = (), Error = PyExc> + 'static {
    let t = t.clone();
    from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            loop {
                match yield "sub-waiting" {
                    Ok(()) => {}
                    Err(Thrown::Error(e)) if e.name == "ValueError" => {
                        t.body(Some("sub"), format!("caught {}", e.render()));
                        let () = (yield "sub-handled")?;
                    }
                    Err(other) => return Err(other),
                }
            }
        },
    )
}
}

crate::support::nightly! {
#[test]
fn yield_from_throw_handled_by_sub_object_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = Gen::<&str>::throwing::<PyExc>(move |co, ()| {
        match co.try_yield_from(waiting_machine(&tb)) {
            Ok(()) => {}
            Err(Thrown::Error(e)) if e.name == "ValueError" => {
                tb.body(Some("parent"), format!("caught {}", e.render()));
                co.yield_("parent-handled");
            }
            Err(other) => co.raise(other),
        }
    });
    throw_handled_trace(&t, parent);
    check_as("yield_from_throw_handled_by_sub", "object_state_machine", t.events());
}
}

crate::support::nightly! {
#[test]
fn yield_from_throw_handled_by_sub_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let parent = from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            match yield_from_throwing!(waiting_machine(&tb)) {
                Ok(()) => {}
                Err(Thrown::Error(e)) if e.name == "ValueError" => {
                    tb.body(Some("parent"), format!("caught {}", e.render()));
                    let () = (yield "parent-handled")?;
                }
                Err(other) => return Err(other),
            }
            Ok(())
        },
    );
    throw_handled_trace(&t, parent);
    check_as("yield_from_throw_handled_by_sub", "state_machine", t.events());
}
}

// ------------------------------------------------ yield_from_throw_unhandled_reaches_parent

type Sub = dyn Generator<Yield = &'static str, Return = (), Error = PyExc>;

fn unhandled_trace<G>(t: &Rc<Trace>, mut g: G, inner: &Shared<Box<Sub>>)
where
    G: Generator<Yield = &'static str, Return = (), Error = PyExc>,
{
    let p = Some("parent");
    next(t, p, &mut g);
    throw(t, p, &mut g, PyExc::new("KeyError", "k"));
    state(t, Some("sub"), inner);
    next(t, p, &mut g);
    next(t, p, &mut g);
}

#[test]
fn yield_from_throw_unhandled_reaches_parent() {
    let t = Trace::new();
    let ts = t.clone();
    let sub: Box<Sub> = Box::new(Gen::<&str>::throwing::<PyExc>(move |co, ()| {
        let _finally = Finally::new(&ts, Some("sub"));
        co.yield_("sub-1");
        co.yield_("sub-2");
    }));
    let inner = Shared::new(sub);
    let delegated = inner.clone();
    let tb = t.clone();
    let parent = Gen::<&str>::throwing::<PyExc>(move |co, ()| {
        match co.try_yield_from(delegated) {
            Ok(()) => {}
            Err(Thrown::Error(e)) if e.name == "KeyError" => {
                tb.body(Some("parent"), format!("caught {}", e.render()));
                co.yield_("parent-recovered");
            }
            Err(other) => co.raise(other),
        }
        co.yield_("parent-end");
    });
    unhandled_trace(&t, parent, &inner);
    check("yield_from_throw_unhandled_reaches_parent", t.events());
}

crate::support::nightly! {
#[test]
fn yield_from_throw_unhandled_reaches_parent_state_machine() {
    let t = Trace::new();
    let ts = t.clone();
    let sub: Box<Sub> = Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            let _finally = Finally::new(&ts, Some("sub"));
            (yield "sub-1")?;
            (yield "sub-2")?;
            Ok(())
        },
    ));
    let inner = Shared::new(sub);
    let delegated = inner.clone();
    let tb = t.clone();
    let parent = from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            match yield_from_throwing!(delegated) {
                Ok(()) => {}
                Err(Thrown::Error(e)) if e.name == "KeyError" => {
                    tb.body(Some("parent"), format!("caught {}", e.render()));
                    (yield "parent-recovered")?;
                }
                Err(other) => return Err(other),
            }
            (yield "parent-end")?;
            Ok(())
        },
    );
    unhandled_trace(&t, parent, &inner);
    check_as("yield_from_throw_unhandled_reaches_parent", "state_machine", t.events());
}
}

// --------------------------------------------------------------- yield_from_close_closes_sub

fn close_trace<G>(t: &Rc<Trace>, mut g: G, inner: &Shared<Box<Sub>>)
where
    G: Generator<Yield = &'static str, Return = (), Error = PyExc>,
{
    let (p, s) = (Some("parent"), Some("sub"));
    next(t, p, &mut g);
    state(t, s, inner);
    close(t, p, &mut g);
    state(t, s, inner);
    state(t, p, &g);
}

#[test]
fn yield_from_close_closes_sub() {
    let t = Trace::new();
    let ts = t.clone();
    let sub: Box<Sub> = Box::new(Gen::<&str>::throwing::<PyExc>(move |co, ()| {
        let _finally = Finally::new(&ts, Some("sub"));
        if let Err(thrown) = co.try_yield("from sub") {
            if thrown == Thrown::Exit {
                ts.body(Some("sub"), "GeneratorExit");
            }
            co.raise(thrown);
        }
    }));
    let inner = Shared::new(sub);
    let delegated = inner.clone();
    let tb = t.clone();
    let parent = Gen::<&str>::throwing::<PyExc>(move |co, ()| {
        let _finally = Finally::new(&tb, Some("parent"));
        if let Err(thrown) = co.try_yield_from(delegated) {
            if thrown == Thrown::Exit {
                tb.body(Some("parent"), "GeneratorExit");
            }
            co.raise(thrown);
        }
    });
    close_trace(&t, parent, &inner);
    check("yield_from_close_closes_sub", t.events());
}

crate::support::nightly! {
#[test]
fn yield_from_close_closes_sub_state_machine() {
    let t = Trace::new();
    let ts = t.clone();
    let sub: Box<Sub> = Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            let _finally = Finally::new(&ts, Some("sub"));
            if let Err(thrown) = yield "from sub" {
                if thrown == Thrown::Exit {
                    ts.body(Some("sub"), "GeneratorExit");
                }
                return Err(thrown);
            }
            Ok(())
        },
    ));
    let inner = Shared::new(sub);
    let delegated = inner.clone();
    let tb = t.clone();
    let parent = from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            let _finally = Finally::new(&tb, Some("parent"));
            if let Err(thrown) = yield_from_throwing!(delegated) {
                if thrown == Thrown::Exit {
                    tb.body(Some("parent"), "GeneratorExit");
                }
                return Err(thrown);
            }
            Ok(())
        },
    );
    close_trace(&t, parent, &inner);
    check_as("yield_from_close_closes_sub", "state_machine", t.events());
}
}

// --------------------------------------------------------------- yield_from_plain_iterables

fn plain_iterables_trace<G: Generator<Yield = Value, Return = (), Error = Infallible>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    next(t, None, &mut g);
    send(t, None, &mut g, ());
    list(t, None, &mut g);
}

#[test]
fn yield_from_plain_iterables() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::new(move |co, ()| {
        co.yield_from_iter([json!(1), json!(2)]);
        co.yield_from_iter("ab".chars().map(|c| json!(c.to_string())));
        co.yield_from_iter((3..5).map(|i| json!(i)));
        // The value of `yield from iter([])` is Python's None: here `()`, rendered `null`.
        #[allow(clippy::let_unit_value)]
        let r = co.yield_from_iter(std::iter::empty());
        result(&tb, None, r);
        co.yield_from_iter([1, 2].into_iter().map(|x| json!(x * 10)));
        tb.body(None, "done");
    });
    plain_iterables_trace(&t, g);
    check("yield_from_plain_iterables", t.events());
}

crate::support::nightly! {
#[test]
fn yield_from_plain_iterables_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_coroutine(
        #[coroutine]
        move || {
            let _ = yield_from!(from_iter([json!(1), json!(2)]));
            let _ = yield_from!(from_iter("ab".chars().map(|c| json!(c.to_string()))));
            let _ = yield_from!(from_iter((3..5).map(|i| json!(i))));
            #[allow(clippy::let_unit_value)]
            let r = yield_from!(from_iter(std::iter::empty())).unwrap();
            result(&tb, None, r);
            let _ = yield_from!(from_iter([1, 2].into_iter().map(|x| json!(x * 10))));
            tb.body(None, "done");
        },
    );
    plain_iterables_trace(&t, g);
    check_as("yield_from_plain_iterables", "state_machine", t.events());
}
}

// ------------------------------------------------------------ yield_from_nested_depth3_send

type Word = Option<String>;

fn depth3_trace<G: Generator<Word, Yield = Value, Return = (), Error = Infallible>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    next(t, None, &mut g);
    for w in ["a", "b", "end"] {
        send(t, None, &mut g, Some(w.to_string()));
    }
    next(t, None, &mut g);
}

fn leaf_fn(co: &Co<Value, Word>, t: &Trace) -> Vec<String> {
    t.body(Some("leaf"), "started");
    let mut acc: Vec<String> = Vec::new();
    loop {
        let x = co.yield_(json!(acc));
        t.body(Some("leaf"), format!("got {}", x.render()));
        match x {
            Some(w) if w == "end" => return acc,
            Some(w) => acc.push(w),
            None => acc.push("None".into()),
        }
    }
}

#[test]
fn yield_from_nested_depth3_send() {
    let t = Trace::new();
    let tt = t.clone();
    let top = Gen::<Value, (), Word>::new(move |co, _| {
        tt.body(Some("top"), "started");
        let tm = tt.clone();
        let middle = Gen::<Value, usize, Word>::new(move |co, _| {
            tm.body(Some("middle"), "started");
            let tl = tm.clone();
            let leaf = Gen::<Value, Vec<String>, Word>::new(move |co, _| leaf_fn(co, &tl));
            let collected = co.yield_from(leaf);
            result(&tm, Some("middle"), &collected);
            collected.len()
        });
        let n = co.yield_from(middle);
        result(&tt, Some("top"), n);
        co.yield_(json!(["count", n]));
    });
    depth3_trace(&t, top);
    check("yield_from_nested_depth3_send", t.events());
}

#[test]
fn yield_from_nested_depth3_send_inline() {
    fn middle(co: &Co<Value, Word>, t: &Trace) -> usize {
        t.body(Some("middle"), "started");
        let collected = leaf_fn(co, t);
        result(t, Some("middle"), &collected);
        collected.len()
    }
    let t = Trace::new();
    let tt = t.clone();
    let top = Gen::<Value, (), Word>::new(move |co, _| {
        tt.body(Some("top"), "started");
        let n = middle(co, &tt);
        result(&tt, Some("top"), n);
        co.yield_(json!(["count", n]));
    });
    depth3_trace(&t, top);
    check_as("yield_from_nested_depth3_send", "inline", t.events());
}

crate::support::nightly! {
#[test]
fn yield_from_nested_depth3_send_state_machine() {
    let t = Trace::new();
    let tt = t.clone();
    let leaf = move |t: Rc<Trace>| {
        from_sending_coroutine(
            #[coroutine]
            move |_: Word| {
                t.body(Some("leaf"), "started");
                let mut acc: Vec<String> = Vec::new();
                loop {
                    let x: Word = yield json!(acc);
                    t.body(Some("leaf"), format!("got {}", x.render()));
                    match x {
                        Some(w) if w == "end" => return acc,
                        Some(w) => acc.push(w),
                        None => acc.push("None".into()),
                    }
                }
            },
        )
    };
    let middle = move |t: Rc<Trace>| {
        from_sending_coroutine(
            #[coroutine]
            move |_: Word| {
                t.body(Some("middle"), "started");
                let collected = yield_from!(leaf(t.clone())).unwrap();
                result(&t, Some("middle"), &collected);
                collected.len()
            },
        )
    };
    let top = from_sending_coroutine(
        #[coroutine]
        move |_: Word| {
            tt.body(Some("top"), "started");
            let n = yield_from!(middle(tt.clone())).unwrap();
            result(&tt, Some("top"), n);
            let _: Word = yield json!(["count", n]);
        },
    );
    depth3_trace(&t, top);
    check_as("yield_from_nested_depth3_send", "state_machine", t.events());
}
}

// ------------------------------------------------------------------- tree_inorder_yield_from

/// `[left, value, right]`; `None` is the empty tree.
#[derive(Debug)]
struct Node {
    left: Tree,
    value: i64,
    right: Tree,
}
type Tree = Option<Rc<Node>>;

fn node(left: Tree, value: i64, right: Tree) -> Tree {
    Some(Rc::new(Node { left, value, right }))
}

/// `[[[None, 1, None], 2, [None, 3, None]], 4, [None, 5, [[None, 6, None], 7, None]]]`
fn oracle_tree() -> Tree {
    let leaf = |v| node(None, v, None);
    node(node(leaf(1), 2, leaf(3)), 4, node(None, 5, node(leaf(6), 7, None)))
}

fn tree_trace<G: Generator<Yield = i64, Return = (), Error = Infallible>>(
    t: &Rc<Trace>,
    mut tree: G,
    mut empty: G,
) {
    next(t, Some("tree"), &mut tree);
    next(t, Some("tree"), &mut tree);
    list(t, Some("tree"), &mut tree);
    list(t, Some("empty"), &mut empty);
}

fn inorder_object(t: Rc<Trace>, tree: Tree) -> Gen<i64> {
    Gen::new(move |co, ()| {
        if let Some(n) = tree {
            co.yield_from(inorder_object(t.clone(), n.left.clone()));
            t.body(None, format!("produce {}", n.value));
            co.yield_(n.value);
            co.yield_from(inorder_object(t.clone(), n.right.clone()));
        }
    })
}

#[test]
fn tree_inorder_yield_from() {
    let t = Trace::new();
    tree_trace(&t, inorder_object(t.clone(), oracle_tree()), inorder_object(t.clone(), None));
    check("tree_inorder_yield_from", t.events());
}

fn inorder_inline(co: &Co<i64>, t: &Trace, tree: &Tree) {
    if let Some(n) = tree {
        inorder_inline(co, t, &n.left);
        t.body(None, format!("produce {}", n.value));
        co.yield_(n.value);
        inorder_inline(co, t, &n.right);
    }
}

#[test]
fn tree_inorder_yield_from_inline() {
    let t = Trace::new();
    let walk = |tree: Tree| {
        let t = t.clone();
        Gen::new(move |co, ()| inorder_inline(co, &t, &tree))
    };
    tree_trace(&t, walk(oracle_tree()), walk(None));
    check_as("tree_inorder_yield_from", "inline", t.events());
}

#[cfg(feature = "nightly")]
type Machine = Box<dyn Generator<Yield = i64, Return = (), Error = Infallible>>;

crate::support::nightly! {
fn inorder_machine(t: Rc<Trace>, tree: Tree) -> Machine {
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            if let Some(n) = tree {
                yield_from!(inorder_machine(t.clone(), n.left.clone())).unwrap();
                t.body(None, format!("produce {}", n.value));
                yield n.value;
                yield_from!(inorder_machine(t.clone(), n.right.clone())).unwrap();
            }
        },
    ))
}
}

crate::support::nightly! {
#[test]
fn tree_inorder_yield_from_state_machine() {
    let t = Trace::new();
    tree_trace(&t, inorder_machine(t.clone(), oracle_tree()), inorder_machine(t.clone(), None));
    check_as("tree_inorder_yield_from", "state_machine", t.events());
}
}

#[test]
fn every_yield_from_scenario_of_the_oracle_is_covered_here() {
    let covered = [
        "yield_from_return_value",
        "yield_from_forwards_send",
        "yield_from_throw_handled_by_sub",
        "yield_from_throw_unhandled_reaches_parent",
        "yield_from_close_closes_sub",
        "yield_from_plain_iterables",
        "yield_from_nested_depth3_send",
        "tree_inorder_yield_from",
    ];
    let in_oracle: Vec<String> = crate::support::all_scenarios()
        .into_iter()
        .filter(|name| name.contains("yield_from"))
        .collect();
    let mut expected: Vec<&str> = covered.to_vec();
    expected.sort_unstable();
    assert_eq!(in_oracle, expected, "a yield-from scenario of the oracle has no test here");
}
