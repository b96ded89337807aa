//! CPython conformance in the corners of the protocol (issue 9): `close()` and `throw()` in
//! every state of a generator and of a `yield from` chain, errors raised while a chain is
//! closed, a delegate that delegates again while it is being closed, re-closing after an
//! error, states seen from inside, and combinators over generators that raise.
//!
//! The scenarios are the project's own: `tests/conformance/cases_corners.py`, recorded under
//! CPython 3.11 in `tests/conformance/expected_corners.json` (`python3 run.py cases_corners.py
//! > expected_corners.json`). Each test reproduces one with the Rust API on stackful
//! generators (plain name) and, where the scenario can be written with `#[coroutine]` bodies,
//! on state machines delegating with `yield_from_throwing!` (`@state_machine`), snapshots the
//! trace and asserts it equals CPython's.
//!
//! Python's generators that a scenario inspects from outside (`box["sub"]`) are
//! [`Shared`] handles here; a generator nobody else names is owned by its delegator.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{Value, json};
use stasis::{Gen, GeneratorExt, Thrown, delegate::Shared};

use crate::support::nightly;
nightly! {
    use stasis::{from_throwing_coroutine, yield_from_throwing};
    use crate::support::check_as;
}
use crate::support::{
    Finally, PyExc, Trace, Val, check, close, list, next, runtime_exc, scenarios_of, state, throw,
    throw_exit,
};

/// Every generator of these scenarios: yields JSON values, returns one (`null` is Python's
/// `None`), takes nothing, and can be thrown Python exceptions.
type Py = Gen<Value, Value, (), PyExc>;

/// A stackful generator of these scenarios.
fn py(body: impl FnOnce(&stasis::Co<Value, (), PyExc>) -> Value + 'static) -> Py {
    Gen::<Value, Value>::throwing::<PyExc>(move |co, ()| body(co))
}

fn value_error(arg: &str) -> PyExc {
    PyExc::new("ValueError", arg)
}

fn caught(t: &Trace, who: Option<&str>, thrown: &Thrown<PyExc>) {
    let exc = match thrown {
        Thrown::Error(e) => e.render(),
        Thrown::Runtime(r) => runtime_exc(*r),
        Thrown::Exit => unreachable!("GeneratorExit is logged as such, not as caught"),
    };
    t.body(who, format!("caught {exc}"));
}

#[test]
fn every_corner_scenario_has_a_test() {
    // The names below are the tests of this file; a scenario recorded without one fails here.
    let tested = [
        "corner_closed_delegate_delegates_again",
        "corner_closed_delegate_delegates_again_owned",
        "corner_closed_delegate_delegates_again_then_yields",
        "corner_closed_delegate_delegates_to_a_finishing_generator",
        "corner_throw_exit_vs_close_sub_returns",
        "corner_throw_exit_delegator_handles_and_yields",
        "corner_sub_raises_while_closed",
        "corner_sub_raises_while_closed_parent_recovers",
        "corner_reclose_after_error",
        "corner_finished_sub_close_and_throw",
        "corner_throw_in_every_state",
        "corner_throw_into_created_delegator",
        "corner_throw_returns_through_nested_delegation",
        "corner_throw_unhandled_through_nested_delegation",
        "corner_states_while_closing",
        "corner_states_while_throwing",
        "corner_map_of_raising_source",
        "corner_genexpr_close_closes_source",
        "corner_zip_of_raising_source",
        "corner_chain_of_raising_source",
    ];
    let mut tested: Vec<String> = tested.iter().map(|s| (*s).to_string()).collect();
    tested.sort();
    assert_eq!(scenarios_of("expected_corners.json"), tested);
}

// ------------------------------------------ a delegate that delegates while being closed

#[test]
fn corner_closed_delegate_delegates_again() {
    let t = Trace::new();
    let third = {
        let t = t.clone();
        Shared::new(py(move |co| {
            let _finally = Finally::new(&t, Some("third"));
            co.yield_(json!("third-1"));
            Value::Null
        }))
    };
    let mut sub = {
        let (t, third) = (t.clone(), third.clone());
        Shared::new(py(move |co| {
            if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
                t.body(Some("sub"), "GeneratorExit");
                co.yield_from(third);
            }
            Value::Null
        }))
    };
    let (tb, delegated) = (t.clone(), sub.clone());
    let mut g = py(move |co| {
        if let Err(e) = co.try_yield_from(delegated) {
            match e {
                Thrown::Runtime(_) => caught(&tb, Some("parent"), &e),
                other => co.raise(other),
            }
        }
        tb.body(Some("parent"), "done");
        Value::Null
    });
    next(&t, Some("parent"), &mut g);
    close(&t, Some("parent"), &mut g);
    state(&t, Some("parent"), &g);
    state(&t, Some("sub"), &sub);
    state(&t, Some("third"), &third);
    close(&t, Some("sub"), &mut sub);
    state(&t, Some("sub"), &sub);
    state(&t, Some("third"), &third);
    check("corner_closed_delegate_delegates_again", t.events());
}

/// `parent()` of `corner_closed_delegate_delegates_again_owned`: every level owned by the one
/// above it.
fn delegates_again_owned(t: &Rc<Trace>) -> Py {
    let t = t.clone();
    py(move |co| {
        let ts = t.clone();
        let sub = py(move |co| {
            if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
                ts.body(Some("sub"), "GeneratorExit");
                let tt = ts.clone();
                co.yield_from(py(move |co| {
                    let _finally = Finally::new(&tt, Some("third"));
                    co.yield_(json!("third-1"));
                    Value::Null
                }));
            }
            Value::Null
        });
        if let Err(e) = co.try_yield_from(sub) {
            match e {
                Thrown::Runtime(_) => caught(&t, Some("parent"), &e),
                other => co.raise(other),
            }
        }
        t.body(Some("parent"), "done");
        Value::Null
    })
}

#[test]
fn corner_closed_delegate_delegates_again_owned() {
    let t = Trace::new();
    let mut g = delegates_again_owned(&t);
    next(&t, None, &mut g);
    close(&t, None, &mut g);
    state(&t, None, &g);
    check("corner_closed_delegate_delegates_again_owned", t.events());
}

/// `quick()`: returns at once.
fn quick(t: Option<&Rc<Trace>>) -> Py {
    let t = t.cloned();
    py(move |_| {
        if let Some(t) = t {
            t.body(Some("quick"), "started");
        }
        json!("quick-result")
    })
}

#[test]
fn corner_closed_delegate_delegates_again_then_yields() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = py(move |co| {
        let ts = tb.clone();
        let sub = py(move |co| {
            if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
                ts.body(Some("sub"), "GeneratorExit");
                let r = co.yield_from(quick(None));
                ts.body(Some("sub"), format!("result {}", r.render()));
                co.yield_(json!("sub-ignores"));
            }
            Value::Null
        });
        if let Err(e) = co.try_yield_from(sub) {
            match e {
                Thrown::Runtime(_) => {
                    caught(&tb, Some("parent"), &e);
                    co.yield_(json!("parent-ignores"));
                }
                other => co.raise(other),
            }
        }
        tb.body(Some("parent"), "done");
        Value::Null
    });
    next(&t, None, &mut g);
    close(&t, None, &mut g);
    state(&t, None, &g);
    close(&t, None, &mut g);
    state(&t, None, &g);
    check("corner_closed_delegate_delegates_again_then_yields", t.events());
}

#[test]
fn corner_closed_delegate_delegates_to_a_finishing_generator() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = py(move |co| {
        let _finally = Finally::new(&tb, Some("parent"));
        let t = tb.clone();
        co.yield_from(py(move |co| {
            if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
                t.body(Some("sub"), "GeneratorExit");
                let r = co.yield_from(quick(Some(&t)));
                t.body(Some("sub"), format!("result {}", r.render()));
            }
            Value::Null
        }))
    });
    next(&t, None, &mut g);
    close(&t, None, &mut g);
    state(&t, None, &g);
    check("corner_closed_delegate_delegates_to_a_finishing_generator", t.events());
}

// ------------------------------------------------------------------ throw(GeneratorExit)

/// `parent(who)` of `corner_throw_exit_vs_close_sub_returns`.
fn exit_vs_close_parent(t: &Rc<Trace>, who: &'static str) -> Py {
    let t = t.clone();
    py(move |co| {
        let ts = t.clone();
        let sub = py(move |co| {
            if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
                ts.body(Some("sub"), "GeneratorExit");
                return json!("sub-result");
            }
            Value::Null
        });
        let r = match co.try_yield_from(sub) {
            Ok(r) => r,
            Err(Thrown::Exit) => {
                t.body(Some(who), "GeneratorExit");
                co.raise(Thrown::Exit)
            }
            Err(other) => co.raise(other),
        };
        t.body(Some(who), format!("result {}", r.render()));
        co.yield_(json!("parent-after"));
        Value::Null
    })
}

#[test]
fn corner_throw_exit_vs_close_sub_returns() {
    let t = Trace::new();
    let mut a = exit_vs_close_parent(&t, "a");
    next(&t, Some("a"), &mut a);
    close(&t, Some("a"), &mut a);
    state(&t, Some("a"), &a);
    let mut b = exit_vs_close_parent(&t, "b");
    next(&t, Some("b"), &mut b);
    throw_exit(&t, Some("b"), &mut b);
    state(&t, Some("b"), &b);
    check("corner_throw_exit_vs_close_sub_returns", t.events());
}

#[test]
fn corner_throw_exit_delegator_handles_and_yields() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = py(move |co| {
        let ts = tb.clone();
        let sub = py(move |co| {
            let _finally = Finally::new(&ts, Some("sub"));
            co.yield_(json!("sub-1"));
            Value::Null
        });
        match co.try_yield_from(sub) {
            Err(Thrown::Exit) => {
                tb.body(Some("parent"), "GeneratorExit");
                co.yield_(json!("parent-after-exit"));
            }
            Err(other) => co.raise(other),
            Ok(_) => {}
        }
        tb.body(Some("parent"), "done");
        Value::Null
    });
    next(&t, None, &mut g);
    throw_exit(&t, None, &mut g);
    state(&t, None, &g);
    next(&t, None, &mut g);
    state(&t, None, &g);
    check("corner_throw_exit_delegator_handles_and_yields", t.events());
}

// ------------------------------------------------------------- errors while a chain closes

/// `sub()` that raises `ValueError("sub-close")` when closed, logging the exit when `log`.
fn raises_on_close(t: &Rc<Trace>, log: bool) -> Py {
    let t = t.clone();
    py(move |co| {
        if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
            if log {
                t.body(Some("sub"), "GeneratorExit");
            }
            co.raise(Thrown::Error(value_error("sub-close")));
        }
        Value::Null
    })
}

#[test]
fn corner_sub_raises_while_closed() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = py(move |co| {
        let _finally = Finally::new(&tb, Some("parent"));
        co.yield_from(raises_on_close(&tb, true))
    });
    next(&t, None, &mut g);
    close(&t, None, &mut g);
    state(&t, None, &g);
    close(&t, None, &mut g);
    next(&t, None, &mut g);
    check("corner_sub_raises_while_closed", t.events());
}

#[test]
fn corner_sub_raises_while_closed_parent_recovers() {
    let t = Trace::new();
    let tb = t.clone();
    let mut a = py(move |co| {
        match co.try_yield_from(raises_on_close(&tb, false)) {
            Err(e @ Thrown::Error(_)) => caught(&tb, Some("returns"), &e),
            Err(other) => co.raise(other),
            Ok(_) => {}
        }
        tb.body(Some("returns"), "done");
        Value::Null
    });
    let tb = t.clone();
    let mut b = py(move |co| {
        match co.try_yield_from(raises_on_close(&tb, false)) {
            Err(e @ Thrown::Error(_)) => {
                caught(&tb, Some("yields"), &e);
                co.yield_(json!("yields-again"));
            }
            Err(other) => co.raise(other),
            Ok(_) => {}
        }
        tb.body(Some("yields"), "done");
        Value::Null
    });
    next(&t, Some("a"), &mut a);
    close(&t, Some("a"), &mut a);
    state(&t, Some("a"), &a);
    next(&t, Some("b"), &mut b);
    close(&t, Some("b"), &mut b);
    state(&t, Some("b"), &b);
    close(&t, Some("b"), &mut b);
    state(&t, Some("b"), &b);
    check("corner_sub_raises_while_closed_parent_recovers", t.events());
}

#[test]
fn corner_reclose_after_error() {
    let t = Trace::new();
    let mut a = py(|co| {
        // try: yield 1 / finally: raise KeyError("k")
        let _ = co.try_yield(json!(1));
        co.raise(Thrown::Error(PyExc::new("KeyError", "k")))
    });
    let tb = t.clone();
    let mut b = py(move |co| {
        for i in 0..2 {
            if let Err(Thrown::Exit) = co.try_yield(json!(format!("try-{i}"))) {
                tb.body(None, "GeneratorExit");
            }
        }
        tb.body(None, "done");
        Value::Null
    });
    next(&t, Some("a"), &mut a);
    close(&t, Some("a"), &mut a);
    state(&t, Some("a"), &a);
    close(&t, Some("a"), &mut a);
    throw(&t, Some("a"), &mut a, PyExc::class("ValueError"));
    next(&t, Some("b"), &mut b);
    close(&t, Some("b"), &mut b);
    state(&t, Some("b"), &b);
    close(&t, Some("b"), &mut b);
    state(&t, Some("b"), &b);
    close(&t, Some("b"), &mut b);
    check("corner_reclose_after_error", t.events());
}

// ----------------------------------------------------- a delegator on a finished sub-generator

fn finished_sub_parent(t: &Rc<Trace>, who: &'static str, inner: Shared<Py>) -> Py {
    let t = t.clone();
    py(move |co| {
        match co.try_yield_from(inner) {
            Err(Thrown::Exit) => {
                t.body(Some(who), "GeneratorExit");
                co.raise(Thrown::Exit)
            }
            Err(e @ Thrown::Error(_)) => {
                caught(&t, Some(who), &e);
                co.yield_(json!("recovered"));
            }
            Err(other) => co.raise(other),
            Ok(_) => {}
        }
        t.body(Some(who), "done");
        Value::Null
    })
}

fn s1() -> Shared<Py> {
    Shared::new(py(|co| {
        co.yield_(json!("s1"));
        Value::Null
    }))
}

#[test]
fn corner_finished_sub_close_and_throw() {
    let t = Trace::new();
    let mut sa = s1();
    let mut a = finished_sub_parent(&t, "a", sa.clone());
    next(&t, Some("a"), &mut a);
    next(&t, Some("sa"), &mut sa);
    state(&t, Some("sa"), &sa);
    close(&t, Some("a"), &mut a);
    state(&t, Some("a"), &a);
    let mut sb = s1();
    let mut b = finished_sub_parent(&t, "b", sb.clone());
    next(&t, Some("b"), &mut b);
    next(&t, Some("sb"), &mut sb);
    throw(&t, Some("b"), &mut b, value_error("v"));
    state(&t, Some("b"), &b);
    next(&t, Some("b"), &mut b);
    check("corner_finished_sub_close_and_throw", t.events());
}

// ------------------------------------------------------------------- throw in every state

fn catches_once(t: &Rc<Trace>, who: &'static str) -> Py {
    let t = t.clone();
    py(move |co| {
        t.body(Some(who), "started");
        match co.try_yield(json!(1)) {
            Err(e @ Thrown::Error(_)) => {
                caught(&t, Some(who), &e);
                co.yield_(json!(2));
            }
            Err(other) => co.raise(other),
            Ok(()) => {}
        }
        t.body(Some(who), "done");
        Value::Null
    })
}

#[test]
fn corner_throw_in_every_state() {
    let t = Trace::new();
    let mut created = catches_once(&t, "created");
    throw(&t, Some("created"), &mut created, value_error("v"));
    state(&t, Some("created"), &created);
    next(&t, Some("created"), &mut created);
    let mut suspended = catches_once(&t, "suspended");
    next(&t, Some("suspended"), &mut suspended);
    throw(&t, Some("suspended"), &mut suspended, value_error("v"));
    throw(&t, Some("suspended"), &mut suspended, value_error("w"));
    state(&t, Some("suspended"), &suspended);
    let mut finished = catches_once(&t, "finished");
    list(&t, Some("finished"), &mut finished);
    throw(&t, Some("finished"), &mut finished, value_error("v"));
    state(&t, Some("finished"), &finished);
    check("corner_throw_in_every_state", t.events());
}

#[test]
fn corner_throw_into_created_delegator() {
    let t = Trace::new();
    let ts = t.clone();
    let mut s = Shared::new(py(move |co| {
        ts.body(Some("sub"), "started");
        co.yield_(json!("sub-1"));
        Value::Null
    }));
    let (tb, inner) = (t.clone(), s.clone());
    let mut g = py(move |co| {
        tb.body(Some("parent"), "started");
        co.yield_from(inner)
    });
    throw(&t, Some("parent"), &mut g, PyExc::new("KeyError", "k"));
    state(&t, Some("parent"), &g);
    state(&t, Some("sub"), &s);
    next(&t, Some("sub"), &mut s);
    check("corner_throw_into_created_delegator", t.events());
}

// ------------------------------------------------ return values through nested throw

#[test]
fn corner_throw_returns_through_nested_delegation() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = py(move |co| {
        let tm = tb.clone();
        let middle = py(move |co| {
            let ti = tm.clone();
            let inner = py(move |co| match co.try_yield(json!("inner-1")) {
                Err(e @ Thrown::Error(_)) => {
                    caught(&ti, Some("inner"), &e);
                    json!("inner-result")
                }
                Err(other) => co.raise(other),
                Ok(()) => Value::Null,
            });
            let r = co.yield_from(inner);
            tm.body(Some("middle"), format!("result {}", r.render()));
            json!(format!("middle-{}", r.as_str().unwrap_or_default()))
        });
        let r = co.yield_from(middle);
        tb.body(Some("outer"), format!("result {}", r.render()));
        co.yield_(json!("outer-after"));
        json!("outer-result")
    });
    next(&t, None, &mut g);
    throw(&t, None, &mut g, value_error("v"));
    next(&t, None, &mut g);
    state(&t, None, &g);
    check("corner_throw_returns_through_nested_delegation", t.events());
}

#[test]
fn corner_throw_unhandled_through_nested_delegation() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = py(move |co| {
        let _finally = Finally::new(&tb, Some("outer"));
        let tm = tb.clone();
        co.yield_from(py(move |co| {
            let _finally = Finally::new(&tm, Some("middle"));
            let ti = tm.clone();
            co.yield_from(py(move |co| {
                let _finally = Finally::new(&ti, Some("inner"));
                co.yield_(json!("inner-1"));
                Value::Null
            }))
        }))
    });
    next(&t, None, &mut g);
    throw(&t, None, &mut g, PyExc::new("KeyError", "k"));
    state(&t, None, &g);
    next(&t, None, &mut g);
    check("corner_throw_unhandled_through_nested_delegation", t.events());
}

// ------------------------------------------------------------------ states seen from inside

/// Python's `box`: the scenario's generators, named, reachable from inside their bodies.
#[derive(Default)]
struct Boxed {
    sub: Option<Shared<Py>>,
    parent: Option<Shared<Py>>,
}

type Slots = Rc<RefCell<Boxed>>;

fn states(t: &Trace, slots: &Slots) {
    let s = slots.borrow();
    state(t, Some("sub"), s.sub.as_ref().unwrap());
    state(t, Some("parent"), s.parent.as_ref().unwrap());
}

#[test]
fn corner_states_while_closing() {
    let t = Trace::new();
    let slots: Slots = Rc::default();
    let (ts, ss) = (t.clone(), slots.clone());
    let sub = Shared::new(py(move |co| {
        if let Err(Thrown::Exit) = co.try_yield(json!("sub-1")) {
            ts.body(Some("sub"), "GeneratorExit");
            states(&ts, &ss);
            co.raise(Thrown::Exit);
        }
        Value::Null
    }));
    let (tp, sp, inner) = (t.clone(), slots.clone(), sub.clone());
    let mut parent = Shared::new(py(move |co| {
        let r = co.try_yield_from(inner);
        // finally:
        tp.body(Some("parent"), "finally");
        states(&tp, &sp);
        r.unwrap_or_else(|e| co.raise(e))
    }));
    *slots.borrow_mut() = Boxed { sub: Some(sub), parent: Some(parent.clone()) };
    next(&t, Some("parent"), &mut parent);
    close(&t, Some("parent"), &mut parent);
    states(&t, &slots);
    *slots.borrow_mut() = Boxed::default();
    check("corner_states_while_closing", t.events());
}

#[test]
fn corner_states_while_throwing() {
    let t = Trace::new();
    let slots: Slots = Rc::default();
    let (ts, ss) = (t.clone(), slots.clone());
    let sub = Shared::new(py(move |co| match co.try_yield(json!("sub-1")) {
        Err(e @ Thrown::Error(_)) => {
            caught(&ts, Some("sub"), &e);
            states(&ts, &ss);
            json!("sub-result")
        }
        Err(other) => co.raise(other),
        Ok(()) => Value::Null,
    }));
    let (tp, sp, inner) = (t.clone(), slots.clone(), sub.clone());
    let mut parent = Shared::new(py(move |co| {
        let r = co.yield_from(inner);
        tp.body(Some("parent"), format!("result {}", r.render()));
        state(&tp, Some("sub"), sp.borrow().sub.as_ref().unwrap());
        co.yield_(json!("parent-after"));
        Value::Null
    }));
    *slots.borrow_mut() = Boxed { sub: Some(sub), parent: Some(parent.clone()) };
    next(&t, Some("parent"), &mut parent);
    throw(&t, Some("parent"), &mut parent, PyExc::new("KeyError", "k"));
    state(&t, Some("sub"), slots.borrow().sub.as_ref().unwrap());
    *slots.borrow_mut() = Boxed::default();
    check("corner_states_while_throwing", t.events());
}

// ------------------------------------------------- combinators over generators that raise

/// `raising(t, who, values, exc)`: yields the values, then raises `exc`.
fn raising(t: &Rc<Trace>, who: &'static str, values: Vec<i64>, exc: PyExc) -> Py {
    let t = t.clone();
    py(move |co| {
        t.body(Some(who), "started");
        for v in values {
            t.body(Some(who), format!("produce {v}"));
            co.yield_(json!(v));
        }
        co.raise(Thrown::Error(exc))
    })
}

/// `source(t, who, values)`: yields the values, with a `finally`.
fn source(t: &Rc<Trace>, who: &'static str, values: Vec<i64>) -> Py {
    let t = t.clone();
    py(move |co| {
        t.body(Some(who), "started");
        let _finally = Finally::new(&t, Some(who));
        for v in values {
            t.body(Some(who), format!("produce {v}"));
            co.yield_(json!(v));
        }
        t.body(Some(who), "done");
        Value::Null
    })
}

#[test]
fn corner_map_of_raising_source() {
    let t = Trace::new();
    let tf = t.clone();
    let mut m = raising(&t, "src", vec![1, 2], value_error("boom")).gen_map(move |x: Value| {
        tf.body(Some("f"), format!("call {x}"));
        json!(x.as_i64().unwrap() * 10)
    });
    for _ in 0..4 {
        next(&t, None, &mut m);
    }
    state(&t, None, &m);
    check("corner_map_of_raising_source", t.events());
}

#[test]
fn corner_genexpr_close_closes_source() {
    let t = Trace::new();
    let mut m = source(&t, "src", vec![1, 2, 3]).gen_map(|x: Value| json!(x.as_i64().unwrap() * 10));
    next(&t, None, &mut m);
    close(&t, None, &mut m);
    state(&t, None, &m);
    check("corner_genexpr_close_closes_source", t.events());
}

#[test]
fn corner_zip_of_raising_source() {
    let t = Trace::new();
    let mut a = Shared::new(source(&t, "a", vec![1, 2, 3]));
    let b = raising(&t, "b", vec![10], value_error("b-boom"));
    let mut z = a.clone().gen_zip(b).gen_map(|(x, y)| json!([x, y])).map_return(|_| Value::Null);
    next(&t, None, &mut z);
    next(&t, None, &mut z);
    next(&t, None, &mut z);
    state(&t, None, &z);
    state(&t, None, &a);
    close(&t, None, &mut a);
    check("corner_zip_of_raising_source", t.events());
}

#[test]
fn corner_chain_of_raising_source() {
    let t = Trace::new();
    let b = Shared::new(source(&t, "b", vec![2]));
    let mut c = raising(&t, "a", vec![1], value_error("a-boom")).gen_chain(b.clone());
    next(&t, None, &mut c);
    next(&t, None, &mut c);
    next(&t, None, &mut c);
    state(&t, None, &c);
    state(&t, None, &b);
    check("corner_chain_of_raising_source", t.events());
}
