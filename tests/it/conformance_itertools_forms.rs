//! CPython conformance of the itertools forms that keep the protocol (`gen_zip_longest`,
//! `zip_all`, `chain_from_iterable`, `filter_false`, `starmap`, `compress`, `accumulate_sum`)
//! and of a plain iterator in a `yield from` chain of another error or send type
//! (`gen_err_into`, `gen_refuse_send`): each test reproduces CPython 3.11's trace in
//! `tests/conformance/expected_itertools_forms.json`, recorded from
//! `tests/conformance/cases_itertools_forms.py`, pulls included.

use std::rc::Rc;

#[cfg(feature = "nightly")]
use crate::support::throw;
use crate::support::{PyExc, Trace, Val, list, next, send};
use stasis::combinators::{chain_from_iterable, from_iter, zip_all};
use stasis::prelude::*;

const EXPECTED: &str = include_str!("../conformance/expected_itertools_forms.json");

/// Snapshots `events` (as `<form>` of `scenario`) and asserts they equal CPython's trace.
#[track_caller]
fn check_form(scenario: &str, form: &str, events: Vec<String>) {
    let all: serde_json::Value = serde_json::from_str(EXPECTED).expect("valid JSON");
    let expected: Vec<String> = serde_json::from_value(all[scenario].clone()).unwrap_or_else(|e| {
        panic!("no scenario {scenario:?} in expected_itertools_forms.json: {e}")
    });
    crate::support::snapshot(&format!("{scenario}@{form}"), &events);
    assert_eq!(events, expected, "trace of {scenario} ({form}) differs from CPython's");
}

/// CPython's `logged_source(t, who, values)`.
fn logged<T: Val + 'static>(t: &Rc<Trace>, who: &'static str, values: Vec<T>) -> Gen<T> {
    let t = t.clone();
    Gen::new(move |co, ()| {
        t.body(Some(who), "started");
        for v in values {
            t.body(Some(who), format!("produce {}", v.render()));
            co.yield_(v);
        }
        t.body(Some(who), "done");
    })
}

#[test]
fn forms_zip_longest_pulls_each_active_source() {
    let t = Trace::new();
    // Python's zip_longest has no return value; ours gives both sources' (here `()`).
    let mut z =
        logged(&t, "a", vec![1]).gen_zip_longest(logged(&t, "b", vec!["x", "y"])).map_return(drop);
    for _ in 0..3 {
        next(&t, None, &mut z);
    }
    check_form("forms_zip_longest_pulls_each_active_source", "stackful", t.events());
}

#[test]
fn forms_zip_of_three_stops_at_the_first_to_end() {
    let t = Trace::new();
    let sources =
        [logged(&t, "a", vec![1, 2, 3]), logged(&t, "b", vec![4]), logged(&t, "c", vec![5, 6])];
    let mut z = zip_all(sources).map_return(drop);
    next(&t, None, &mut z);
    next(&t, None, &mut z);
    check_form("forms_zip_of_three_stops_at_the_first_to_end", "stackful", t.events());
}

#[test]
fn forms_chain_from_iterable_starts_each_source_when_needed() {
    let t = Trace::new();
    let tt = t.clone();
    let sources =
        [("a", vec![1]), ("b", vec![]), ("c", vec![2])].into_iter().map(move |(name, values)| {
            tt.body(Some("sources"), format!("make {name}"));
            logged(&tt, name, values)
        });
    let mut c = chain_from_iterable(sources);
    for _ in 0..3 {
        next(&t, None, &mut c);
    }
    check_form("forms_chain_from_iterable_starts_each_source_when_needed", "stackful", t.events());
}

#[test]
fn forms_chain_of_three() {
    let t = Trace::new();
    let mut c = chain_from_iterable([
        logged(&t, "a", vec![1]),
        logged(&t, "b", vec![2]),
        logged(&t, "c", vec![3]),
    ]);
    list(&t, None, &mut c);
    check_form("forms_chain_of_three", "stackful", t.events());
}

#[test]
fn forms_filterfalse_calls_the_predicate_per_value() {
    let t = Trace::new();
    let tt = t.clone();
    let mut g = logged(&t, "src", vec![1, 2, 3, 4]).filter_false(move |x: &i64| {
        tt.body(Some("pred"), format!("call {x}"));
        x % 2 == 1
    });
    list(&t, None, &mut g);
    check_form("forms_filterfalse_calls_the_predicate_per_value", "stackful", t.events());
}

#[test]
fn forms_starmap_spreads_each_tuple() {
    let t = Trace::new();
    let tt = t.clone();
    let mut g = logged(&t, "src", vec![(2, 5), (3, 2)]).starmap(move |base: i64, exp: i64| {
        tt.body(Some("f"), format!("call {}", (base, exp).render()));
        base.pow(exp as u32)
    });
    list(&t, None, &mut g);
    check_form("forms_starmap_spreads_each_tuple", "stackful", t.events());
}

#[test]
fn forms_compress_pulls_the_value_then_its_selector() {
    let t = Trace::new();
    // The selectors are a plain iterator here (Python's are any iterable): a logged source.
    let selectors = logged(&t, "sel", vec![1, 0, 1]).map(|s| s != 0);
    let mut g = logged(&t, "data", vec!["A", "B", "C", "D"]).compress(selectors);
    list(&t, None, &mut g);
    check_form("forms_compress_pulls_the_value_then_its_selector", "stackful", t.events());
}

#[test]
fn forms_accumulate_adds_by_default() {
    let t = Trace::new();
    let mut g = logged(&t, "src", vec![1, 2, 3, 4]).accumulate_sum();
    list(&t, None, &mut g);
    check_form("forms_accumulate_adds_by_default", "stackful", t.events());
}

crate::support::nightly! {
/// `yield from iter([1, 2, 3])` in a delegator that catches `ValueError`: the iterator,
/// whose error type is `Infallible`, joins the chain through `gen_err_into`.
#[test]
fn forms_yield_from_iterator_throw_reaches_the_delegator() {
    let scenario = "forms_yield_from_iterator_throw_reaches_the_delegator";
    let caught = |t: &Trace, e: &PyExc| t.body(Some("delegator"), format!("caught {}", e.render()));
    let drive = |t: &Trace, mut g: &mut dyn Generator<Yield = i64, Return = i64, Error = PyExc>| {
        next(t, None, &mut g);
        throw(t, None, &mut g, PyExc::new("ValueError", "x"));
        next(t, None, &mut g);
    };

    let t = Trace::new();
    let tt = t.clone();
    let mut g = Gen::<i64, i64>::throwing::<PyExc>(move |co, ()| {
        let mut sub = from_iter([1, 2, 3]).gen_err_into::<PyExc>();
        match co.delegate(&mut sub, ()) {
            Ok(()) => {}
            Err(Thrown::Error(e)) => {
                caught(&tt, &e);
                co.yield_(99);
            }
            Err(exit) => co.raise(exit),
        }
        7
    });
    drive(&t, &mut g);
    check_form(scenario, "stackful", t.events());

    let t = Trace::new();
    let tt = t.clone();
    let mut g = from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<PyExc>>| {
            match stasis::yield_from_throwing!(from_iter([1, 2, 3]).gen_err_into::<PyExc>()) {
                Ok(()) => {}
                Err(Thrown::Error(e)) => {
                    caught(&tt, &e);
                    (yield 99)?;
                }
                Err(exit) => return Err(exit),
            }
            Ok(7)
        },
    );
    drive(&t, &mut g);
    check_form(scenario, "state_machine", t.events());
}
}

/// `yield from iter([1, 2])` with a value sent in: the iterator cannot take it, and the
/// delegator sees the error (CPython's `AttributeError`) instead of the value being lost.
#[test]
fn forms_yield_from_iterator_send_is_an_error() {
    let t = Trace::new();
    let tt = t.clone();
    let mut g = Gen::<i64, i64, Option<i64>>::throwing::<PyExc>(move |co, first| {
        let mut sub =
            from_iter([1, 2]).gen_err_into::<PyExc>().gen_refuse_send(|_: Option<i64>| {
                PyExc::new("AttributeError", "'list_iterator' object has no attribute 'send'")
            });
        match co.delegate(&mut sub, first) {
            Ok(()) => {}
            Err(Thrown::Error(e)) => tt.body(Some("delegator"), format!("caught {}", e.render())),
            Err(exit) => co.raise(exit),
        }
        7
    });
    next(&t, None, &mut g);
    send(&t, None, &mut g, None::<i64>);
    send(&t, None, &mut g, Some(5));
    check_form("forms_yield_from_iterator_send_is_an_error", "stackful", t.events());
}

/// Every scenario of `expected_itertools_forms.json` is reproduced above.
#[test]
fn every_itertools_forms_scenario_is_reproduced() {
    let this_file = include_str!("conformance_itertools_forms.rs");
    let all: serde_json::Value = serde_json::from_str(EXPECTED).expect("valid JSON");
    let names = all.as_object().expect("an object").keys().collect::<Vec<_>>();
    assert_eq!(names.len(), 10);
    for name in names {
        assert!(this_file.contains(&format!("fn {name}()")), "scenario {name} has no test here");
    }
}
