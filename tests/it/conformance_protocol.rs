//! CPython conformance of the generator protocol, on both backends.
//!
//! Each test reproduces one scenario of `tests/conformance/cases.py` with the Rust API, records
//! the trace in the oracle's grammar, snapshots it (insta, `tests/it/snapshots/`) and asserts it
//! equals CPython 3.11's trace from `tests/conformance/expected.json`.
//!
//! Rust differs from Python in three places, each tested here as it is:
//! - `first_send_must_be_none`: the first `resume` value is the body's argument, so sending a
//!   value to a just-started generator is not an error (Python raises `TypeError`).
//! - `pep479_stopiteration_in_body`: Rust has no `StopIteration` that could leak out of a body;
//!   the analogue, a body that fails on an exhausted iterator, panics: the panic reaches the
//!   caller and the generator is closed, as CPython's `RuntimeError` does.
//! - `reentrant_next_already_executing`: resuming a generator from its own body needs a
//!   `&mut` to it while it is borrowed by the running `resume`; the borrow checker rejects it,
//!   see the compile-fail tests (`tests/compile_fail.rs`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use crate::support::{Finally, PyExc, Trace, check, close, list, next, send, state, throw};
use serde_json::{Value, json};
use stasis::{Gen, Generator, State, Step, Thrown};
#[cfg(feature = "nightly")]
use {
    crate::support::check_as,
    stasis::{from_coroutine, from_sending_coroutine, from_throwing_coroutine},
};

#[cfg(feature = "nightly")]
type Input<S = ()> = Result<S, Thrown<PyExc>>;

// ------------------------------------------------------------------------------- count_up_to

fn count_up_to_trace<G: Generator<(), Yield = i64, Return = ()>>(t: &Rc<Trace>, mut g: G)
where
    G::Error: crate::support::Exc,
{
    state(t, None, &g);
    for _ in 0..5 {
        next(t, None, &mut g);
    }
    state(t, None, &g);
    next(t, None, &mut g);
    next(t, None, &mut g);
    state(t, None, &g);
}

#[test]
fn count_up_to() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::new(move |co, ()| {
        tb.body(None, "started");
        let mut count = 1;
        while count <= 5 {
            co.yield_(count);
            count += 1;
        }
        tb.body(None, "done");
    });
    count_up_to_trace(&t, g);
    check("count_up_to", t.events());
}

crate::support::nightly! {
#[test]
fn count_up_to_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_coroutine(
        #[coroutine]
        move || {
            tb.body(None, "started");
            let mut count = 1;
            while count <= 5 {
                yield count;
                count += 1;
            }
            tb.body(None, "done");
        },
    );
    count_up_to_trace(&t, g);
    check_as("count_up_to", "state_machine", t.events());
}
}

#[test]
fn count_up_to_with_for_loop_matches_next() {
    let g = Gen::new(|co, ()| (1..=5).for_each(|i| co.yield_(i)));
    let mut seen = Vec::new();
    for n in g {
        seen.push(n);
    }
    assert_eq!(seen, [1, 2, 3, 4, 5]);
}

// ------------------------------------------------------------------------ genexpr_list_twice

fn genexpr_trace<G: Generator<(), Yield = i64, Return = ()>>(t: &Rc<Trace>, mut g: G)
where
    G::Error: crate::support::Exc,
{
    state(t, None, &g);
    list(t, None, &mut g);
    list(t, None, &mut g);
    next(t, None, &mut g);
    state(t, None, &g);
}

#[test]
fn genexpr_list_twice() {
    let t = Trace::new();
    genexpr_trace(&t, Gen::new(|co, ()| (1..5).for_each(|x: i64| co.yield_(x * x))));
    check("genexpr_list_twice", t.events());
}

crate::support::nightly! {
#[test]
fn genexpr_list_twice_state_machine() {
    let t = Trace::new();
    let g = from_coroutine(
        #[coroutine]
        || {
            for x in 1..5i64 {
                yield x * x;
            }
        },
    );
    genexpr_trace(&t, g);
    check_as("genexpr_list_twice", "state_machine", t.events());
}
}

// ------------------------------------------------------------- return_value_in_stopiteration

fn two_then_done(t: &Rc<Trace>, who: &'static str) -> Gen<i64, &'static str> {
    let tb = t.clone();
    Gen::new(move |co, ()| {
        tb.body(Some(who), "started");
        co.yield_(1);
        co.yield_(2);
        tb.body(Some(who), "done");
        "Done!"
    })
}

#[test]
fn return_value_in_stopiteration() {
    let t = Trace::new();
    let mut first = two_then_done(&t, "first");
    for _ in 0..3 {
        next(&t, Some("first"), &mut first);
    }
    // list() (like a for loop) swallows the return value; Rust keeps it for take_return().
    let mut second = two_then_done(&t, "second");
    list(&t, Some("second"), &mut second);
    check("return_value_in_stopiteration", t.events());

    let mut third = two_then_done(&Trace::new(), "third");
    assert_eq!(third.by_ref().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(third.take_return(), Some("Done!"));
}

crate::support::nightly! {
#[test]
fn return_value_in_stopiteration_state_machine() {
    let t = Trace::new();
    let make = |who: &'static str| {
        let tb = t.clone();
        from_coroutine(
            #[coroutine]
            move || {
                tb.body(Some(who), "started");
                yield 1i64;
                yield 2;
                tb.body(Some(who), "done");
                "Done!"
            },
        )
    };
    let mut first = make("first");
    for _ in 0..3 {
        next(&t, Some("first"), &mut first);
    }
    let mut second = make("second");
    list(&t, Some("second"), &mut second);
    check_as("return_value_in_stopiteration", "state_machine", t.events());
}
}

// ----------------------------------------------------------------- return_value_not_repeated

fn not_repeated_trace<G: Generator<Option<i64>, Yield = &'static str, Return = i64>>(
    t: &Rc<Trace>,
    mut g: G,
) where
    G::Error: crate::support::Exc,
{
    next(t, None, &mut g);
    next(t, None, &mut g);
    next(t, None, &mut g);
    send(t, None, &mut g, None);
    state(t, None, &g);
}

#[test]
fn return_value_not_repeated() {
    let t = Trace::new();
    let g = Gen::<&str, i64, Option<i64>>::new(|co, _| {
        co.yield_("only");
        42
    });
    not_repeated_trace(&t, g);
    check("return_value_not_repeated", t.events());
}

crate::support::nightly! {
#[test]
fn return_value_not_repeated_state_machine() {
    let t = Trace::new();
    let g = from_sending_coroutine(
        #[coroutine]
        |_: Option<i64>| {
            yield "only";
            42
        },
    );
    not_repeated_trace(&t, g);
    check_as("return_value_not_repeated", "state_machine", t.events());
}
}

// ------------------------------------------------------------------- first_send_must_be_none

/// Python rejects a non-None first send before the body starts; in Rust the first resume
/// value *is* the body's argument. The rest of the scenario matches CPython event for event.
#[test]
fn first_send_must_be_none() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = Gen::<Value, (), Value>::new(move |co, first| {
        tb.body(None, "started");
        let mut received = co.yield_(json!("ready"));
        let _ = first;
        loop {
            tb.body(None, format!("got {received}"));
            received = co.yield_(received);
        }
    });
    state(&t, None, &g);
    send(&t, None, &mut g, Value::Null);
    send(&t, None, &mut g, json!("a"));
    send(&t, None, &mut g, json!(["x", 1]));
    next(&t, None, &mut g);
    close(&t, None, &mut g);
    state(&t, None, &g);
    crate::support::check_as("first_send_must_be_none", "rust_first_send_is_the_argument", {
        let mut events = t.events();
        // The Rust trace has no failed first send: put CPython's in front to compare the rest.
        events.insert(0, crate::support::expected("first_send_must_be_none")[0].clone());
        events
    });

    // The documented difference: a first send value reaches the body as its argument.
    let mut echo = Gen::<Value, (), Value>::new(|co, first| {
        co.yield_(first);
    });
    assert_eq!(echo.resume(json!("a")), Step::Yielded(json!("a")));
}

// --------------------------------------------------------------------- send_running_average

fn averager_trace<G: Generator<Option<i64>, Yield = Option<i64>, Return = ()>>(
    t: &Rc<Trace>,
    mut g: G,
) where
    G::Error: crate::support::Exc,
{
    next(t, None, &mut g);
    for v in [10, 20, 60, 30] {
        send(t, None, &mut g, Some(v));
    }
    close(t, None, &mut g);
    state(t, None, &g);
}

#[test]
fn send_running_average() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<Option<i64>, (), Option<i64>>::new(move |co, _| {
        let _fin = Finally::new(&tb, None);
        let (mut total, mut count, mut average) = (0, 0, None);
        #[allow(clippy::while_let_loop)]
        while let Some(value) = co.yield_(average) {
            tb.body(None, format!("got {value}"));
            total += value;
            count += 1;
            average = Some(total / count);
        }
    });
    averager_trace(&t, g);
    check("send_running_average", t.events());
}

crate::support::nightly! {
#[test]
fn send_running_average_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    // A plain (non-throwing) coroutine: close() drops it, which runs the `finally` guard.
    let g = from_sending_coroutine(
        #[coroutine]
        move |_: Option<i64>| {
            let _fin = Finally::new(&tb, None);
            let (mut total, mut count, mut average) = (0, 0, None);
            while let Some(value) = (yield average) {
                tb.body(None, format!("got {value}"));
                total += value;
                count += 1;
                average = Some(total / count);
            }
        },
    );
    averager_trace(&t, g);
    check_as("send_running_average", "state_machine", t.events());
}
}

// ----------------------------------------------------------------- throw_caught_yields_again

fn worker_trace<G: Generator<Value, Yield = Value, Return = (), Error = PyExc>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    next(t, None, &mut g);
    next(t, None, &mut g);
    throw(t, None, &mut g, PyExc::new("ValueError", "x"));
    next(t, None, &mut g);
    send(t, None, &mut g, json!("s"));
    throw(t, None, &mut g, PyExc::new("ValueError", "again"));
    // Suspended in the handler, outside the `try`: not caught.
    throw(t, None, &mut g, PyExc::new("ValueError", "during recovery"));
    state(t, None, &g);
    next(t, None, &mut g);
}

#[test]
fn throw_caught_yields_again() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<Value, (), Value>::throwing::<PyExc>(move |co, _| {
        tb.body(None, "started");
        let mut n = 0;
        loop {
            match co.try_yield(json!(n)) {
                Ok(received) => {
                    tb.body(None, format!("got {received}"));
                    n += 1;
                }
                Err(Thrown::Error(exc)) if exc.name == "ValueError" => {
                    tb.body(None, format!("caught {}", exc.render()));
                    co.yield_(json!("recovered"));
                }
                Err(other) => co.raise(other),
            }
        }
    });
    worker_trace(&t, g);
    check("throw_caught_yields_again", t.events());
}

crate::support::nightly! {
#[test]
fn throw_caught_yields_again_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_throwing_coroutine(
        #[coroutine]
        move |_: Input<Value>| {
            tb.body(None, "started");
            let mut n = 0;
            loop {
                match yield json!(n) {
                    Ok(received) => {
                        tb.body(None, format!("got {received}"));
                        n += 1;
                    }
                    Err(Thrown::Error(exc)) if exc.name == "ValueError" => {
                        tb.body(None, format!("caught {}", exc.render()));
                        (yield json!("recovered"))?;
                    }
                    Err(other) => return Err(other),
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        },
    );
    worker_trace(&t, g);
    check_as("throw_caught_yields_again", "state_machine", t.events());
}
}

// ----------------------------------------------------------- throw_uncaught_closes_generator

fn uncaught_trace<G: Generator<(), Yield = i64, Return = (), Error = PyExc>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    next(t, None, &mut g);
    throw(t, None, &mut g, PyExc::class("KeyError"));
    state(t, None, &g);
    next(t, None, &mut g);
}

#[test]
fn throw_uncaught_closes_generator() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<i64>::throwing::<PyExc>(move |co, ()| {
        let _fin = Finally::new(&tb, None);
        tb.body(None, "started");
        co.yield_(1);
        co.yield_(2);
    });
    uncaught_trace(&t, g);
    check("throw_uncaught_closes_generator", t.events());
}

crate::support::nightly! {
#[test]
fn throw_uncaught_closes_generator_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _fin = Finally::new(&tb, None);
            tb.body(None, "started");
            (yield 1i64)?;
            (yield 2)?;
            Ok(())
        },
    );
    uncaught_trace(&t, g);
    check_as("throw_uncaught_closes_generator", "state_machine", t.events());
}
}

// ------------------------------------------------------------------- throw_into_just_created

fn just_created_trace<G: Generator<(), Yield = i64, Return = (), Error = PyExc>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    state(t, None, &g);
    throw(t, None, &mut g, PyExc::new("ValueError", "early"));
    state(t, None, &g);
    next(t, None, &mut g);
}

#[test]
fn throw_into_just_created() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<i64>::throwing::<PyExc>(move |co, ()| {
        tb.body(None, "started");
        let _fin = Finally::new(&tb, None);
        if let Err(Thrown::Error(exc)) = co.try_yield(1) {
            tb.body(None, format!("caught {}", exc.render()));
        }
    });
    just_created_trace(&t, g);
    check("throw_into_just_created", t.events());
}

crate::support::nightly! {
#[test]
fn throw_into_just_created_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            tb.body(None, "started");
            let _fin = Finally::new(&tb, None);
            if let Err(Thrown::Error(exc)) = (yield 1i64) {
                tb.body(None, format!("caught {}", exc.render()));
            }
            Ok(())
        },
    );
    just_created_trace(&t, g);
    check_as("throw_into_just_created", "state_machine", t.events());
}
}

// ------------------------------------------------------------------------ close_runs_finally

fn close_finally_trace<G: Generator<(), Yield = i64, Return = (), Error = PyExc>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    next(t, None, &mut g);
    close(t, None, &mut g);
    state(t, None, &g);
    next(t, None, &mut g);
    close(t, None, &mut g);
}

#[test]
fn close_runs_finally() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<i64>::throwing::<PyExc>(move |co, ()| {
        tb.body(None, "started");
        let _fin = Finally::new(&tb, None);
        for v in [1, 2] {
            if let Err(exit) = co.try_yield(v) {
                tb.body(None, "GeneratorExit");
                co.raise(exit);
            }
        }
    });
    close_finally_trace(&t, g);
    check("close_runs_finally", t.events());
}

crate::support::nightly! {
#[test]
fn close_runs_finally_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            tb.body(None, "started");
            let _fin = Finally::new(&tb, None);
            for v in [1i64, 2] {
                if let Err(exit) = (yield v) {
                    tb.body(None, "GeneratorExit");
                    return Err(exit);
                }
            }
            Ok(())
        },
    );
    close_finally_trace(&t, g);
    check_as("close_runs_finally", "state_machine", t.events());
}
}

/// Dropping a suspended generator runs the same close protocol (Python's finalizer).
#[test]
fn drop_runs_the_close_protocol() {
    let t = Trace::new();
    let tb = t.clone();
    let mut g = Gen::<i64>::new(move |co, ()| {
        let _fin = Finally::new(&tb, None);
        if let Err(exit) = co.try_yield(1) {
            tb.body(None, "GeneratorExit");
            co.raise(exit);
        }
    });
    assert_eq!(g.next(), Some(1));
    drop(g);
    assert_eq!(t.events(), ["body: GeneratorExit", "body: finally"]);
}

// ---------------------------------------------------------------- close_with_yield_in_finally

fn stubborn_trace<G: Generator<Value, Yield = Value, Return = (), Error = PyExc>>(
    t: &Rc<Trace>,
    mut g: G,
) {
    next(t, None, &mut g);
    close(t, None, &mut g);
    state(t, None, &g);
    // Resuming finishes the `finally` block, which re-raises the pending GeneratorExit.
    next(t, None, &mut g);
    state(t, None, &g);
    close(t, None, &mut g);
}

#[test]
fn close_with_yield_in_finally() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<Value, (), Value>::throwing::<PyExc>(move |co, _| {
        let outcome = co.try_yield(json!(1));
        // finally:
        tb.body(None, "finally");
        let received = co.yield_(json!("from finally"));
        tb.body(None, format!("got {received}"));
        if let Err(pending) = outcome {
            co.raise(pending);
        }
    });
    stubborn_trace(&t, g);
    check("close_with_yield_in_finally", t.events());
}

crate::support::nightly! {
#[test]
fn close_with_yield_in_finally_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_throwing_coroutine(
        #[coroutine]
        move |_: Input<Value>| {
            let outcome = yield json!(1);
            tb.body(None, "finally");
            let received = (yield json!("from finally"))?;
            tb.body(None, format!("got {received}"));
            outcome?;
            Ok(())
        },
    );
    stubborn_trace(&t, g);
    check_as("close_with_yield_in_finally", "state_machine", t.events());
}
}

// -------------------------------------------------------- close_unstarted_and_exhausted_noop

#[test]
fn close_unstarted_and_exhausted_noop() {
    let t = Trace::new();
    let make = |who: &'static str| {
        let tb = t.clone();
        Gen::<i64>::new(move |co, ()| {
            let _fin = Finally::new(&tb, Some(who));
            tb.body(Some(who), "started");
            co.yield_(1);
        })
    };
    noop_trace(&t, make("fresh"), make("finished"));
    check("close_unstarted_and_exhausted_noop", t.events());
}

crate::support::nightly! {
#[test]
fn close_unstarted_and_exhausted_noop_state_machine() {
    let t = Trace::new();
    let make = |who: &'static str| {
        let tb = t.clone();
        from_coroutine(
            #[coroutine]
            move || {
                let _fin = Finally::new(&tb, Some(who));
                tb.body(Some(who), "started");
                yield 1i64;
            },
        )
    };
    noop_trace(&t, make("fresh"), make("finished"));
    check_as("close_unstarted_and_exhausted_noop", "state_machine", t.events());
}
}

fn noop_trace<G: Generator<(), Yield = i64, Return = ()>>(
    t: &Rc<Trace>,
    mut fresh: G,
    mut finished: G,
) where
    G::Error: crate::support::Exc,
{
    state(t, Some("fresh"), &fresh);
    close(t, Some("fresh"), &mut fresh);
    state(t, Some("fresh"), &fresh);
    next(t, Some("fresh"), &mut fresh);
    list(t, Some("finished"), &mut finished);
    close(t, Some("finished"), &mut finished);
    close(t, Some("finished"), &mut finished);
    state(t, Some("finished"), &finished);
}

// ------------------------------------------------------------- body_exception_then_exhausted

fn boom_trace<G: Generator<(), Yield = i64, Return = (), Error = PyExc>>(t: &Rc<Trace>, mut g: G) {
    next(t, None, &mut g);
    next(t, None, &mut g);
    state(t, None, &g);
    next(t, None, &mut g);
    list(t, None, &mut g);
}

#[test]
fn body_exception_then_exhausted() {
    let t = Trace::new();
    let tb = t.clone();
    let g = Gen::<i64>::throwing::<PyExc>(move |co, ()| {
        tb.body(None, "started");
        co.yield_(1);
        co.raise(Thrown::Error(PyExc::new("ValueError", "boom")));
    });
    boom_trace(&t, g);
    check("body_exception_then_exhausted", t.events());
}

crate::support::nightly! {
#[test]
fn body_exception_then_exhausted_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let g = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            tb.body(None, "started");
            (yield 1i64)?;
            Err(Thrown::Error(PyExc::new("ValueError", "boom")))
        },
    );
    boom_trace(&t, g);
    check_as("body_exception_then_exhausted", "state_machine", t.events());
}
}

/// The idiomatic Rust spelling of a failing body: return a `Result`; the consumer sees it as the
/// return value, once, then exhaustion.
#[test]
fn body_error_as_return_value() {
    let mut g = Gen::<i64, Result<(), String>>::new(|co, ()| {
        co.yield_(1);
        Err("boom".to_string())
    });
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.resume(()), Step::Complete(Err("boom".to_string())));
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.resume(()), Step::Exhausted);
}

// -------------------------------------------------------------- pep479_stopiteration_in_body

/// Runs one `next`, turning a panic into the grammar's `raised RuntimeError(message)`: the
/// Rust analogue of PEP 479 (an exhausted-iterator failure inside a body surfaces as an error
/// to the caller, never as a silent end of the generator).
fn next_catching_panic<G: Generator<(), Return = ()>>(t: &Rc<Trace>, who: &str, g: &mut G)
where
    G::Yield: crate::support::Val,
    G::Error: crate::support::Exc,
{
    match catch_unwind(AssertUnwindSafe(|| g.resume(()))) {
        Ok(step) => {
            let _ = t.step(Some(who), "next", step);
        }
        Err(payload) => {
            let msg = match payload.downcast_ref::<&str>() {
                Some(s) => s.to_string(),
                None => payload.downcast_ref::<String>().cloned().unwrap_or_default(),
            };
            t.op(Some(who), "next", format!("raised RuntimeError({msg:?})"));
        }
    }
}

#[test]
fn pep479_stopiteration_in_body() {
    const LEAK: &str = "generator raised StopIteration";
    let t = Trace::new();
    let mut explicit = Gen::<Value>::new(|co, ()| {
        co.yield_(json!(1));
        panic!("{}", LEAK);
    });
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    next_catching_panic(&t, "explicit", &mut explicit);
    next_catching_panic(&t, "explicit", &mut explicit);
    state(&t, Some("explicit"), &explicit);
    next_catching_panic(&t, "explicit", &mut explicit);
    let mut implicit = Gen::<Value>::new(|co, ()| {
        let mut it = [json!("only")].into_iter();
        loop {
            co.yield_(it.next().expect(LEAK));
        }
    });
    next_catching_panic(&t, "implicit", &mut implicit);
    next_catching_panic(&t, "implicit", &mut implicit);
    next_catching_panic(&t, "implicit", &mut implicit);
    std::panic::set_hook(quiet);
    check("pep479_stopiteration_in_body", t.events());
}

// ----------------------------------------------------------------- generator_state_lifecycle

/// The body observes its own state through its handle. (A `#[coroutine]` body has no handle to
/// itself, so this scenario is stackful only.)
#[test]
fn generator_state_lifecycle() {
    let t = Trace::new();
    let make = |who: &'static str| {
        let tb = t.clone();
        Gen::<i64>::new(move |co, ()| {
            tb.state(Some(who), co.state());
            co.yield_(1);
            tb.state(Some(who), co.state());
        })
    };
    let mut g = make("g");
    state(&t, Some("g"), &g);
    next(&t, Some("g"), &mut g);
    state(&t, Some("g"), &g);
    next(&t, Some("g"), &mut g);
    state(&t, Some("g"), &g);
    let mut other = make("other");
    state(&t, Some("other"), &other);
    next(&t, Some("other"), &mut other);
    close(&t, Some("other"), &mut other);
    state(&t, Some("other"), &other);
    check("generator_state_lifecycle", t.events());
}

/// Every protocol scenario of the oracle is reproduced above or named here with the reason.
#[test]
fn every_protocol_scenario_is_accounted_for() {
    let this_file = include_str!("conformance_protocol.rs");
    let elsewhere = [
        // Rust rejects it at compile time: tests/compile_fail.rs.
        "reentrant_next_already_executing",
    ];
    let other_suites: Vec<&str> = ["yield_from", "tree_inorder"]
        .into_iter()
        .chain(crate::support::ITERTOOLS_SCENARIOS)
        .collect();
    for name in crate::support::all_scenarios() {
        if other_suites.iter().any(|p| name.starts_with(p)) || elsewhere.contains(&name.as_str()) {
            continue;
        }
        assert!(this_file.contains(&format!("fn {name}()")), "scenario {name} has no test here");
    }
}
