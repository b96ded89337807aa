//! CPython conformance of the lazy combinators: the itertools and laziness scenarios of
//! `tests/conformance/cases.py`, reproduced with `stasis-combinators` adaptors over stasis
//! generators whose bodies log `started` / `produce` / `done` as CPython's `logged_source` does.
//!
//! Each test records the trace in the oracle's grammar, snapshots it (insta,
//! `tests/snapshots/`) and asserts it equals CPython 3.11's trace in
//! `tests/conformance/expected.json`: the same values *and* the same pulls, in the same order.
#![cfg_attr(feature = "nightly", feature(coroutines))]

mod support;

use std::convert::Infallible;
use std::rc::Rc;

use stasis::combinators::{count, cycle, from_iter};
use stasis::prelude::*;
use support::{Finally, Trace, Val, check, check_as, list, list_iter, next, state};

/// CPython's `logged_source(t, who, values)`: a stasis generator logging each item before
/// yielding it.
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

/// A callback that logs `body[who]: call x` and then applies `f`.
fn logged_fn<A: Val, B>(
    t: &Rc<Trace>,
    who: &'static str,
    f: impl Fn(&A) -> B,
) -> impl FnMut(&A) -> B {
    let t = t.clone();
    move |x| {
        t.body(Some(who), format!("call {}", x.render()));
        f(x)
    }
}

fn never(n: Infallible) {
    match n {}
}

/// `lazy_pipeline_map_filter_islice`: `islice(filter(is_even, map(square, naturals())), 3)`.
fn lazy_pipeline<G>(t: &Rc<Trace>, mut src: G)
where
    G: Generator<(), Yield = i64, Return = (), Error = Infallible>,
{
    state(t, Some("source"), &src);
    {
        let mut square = logged_fn(t, "square", |x: &i64| x * x);
        let even = logged_fn(t, "even", |x: &i64| x % 2 == 0);
        let mut pipeline = (&mut src).gen_map(move |x| square(&x)).gen_filter(even).islice(0, 3, 1);
        for _ in 0..4 {
            next(t, Some("pipeline"), &mut pipeline);
        }
    }
    state(t, Some("source"), &src);
    support::close(t, Some("source"), &mut src);
}

#[test]
fn lazy_pipeline_map_filter_islice() {
    let t = Trace::new();
    let tb = t.clone();
    let naturals = Gen::new(move |co, ()| {
        let _finally = Finally::new(&tb, Some("source"));
        let mut n = 0i64;
        loop {
            n += 1;
            tb.body(Some("source"), format!("produce {n}"));
            co.yield_(n);
        }
    });
    lazy_pipeline(&t, naturals);
    check("lazy_pipeline_map_filter_islice", t.events());
}

crate::support::nightly! {
#[test]
fn lazy_pipeline_map_filter_islice_state_machine() {
    let t = Trace::new();
    let tb = t.clone();
    let naturals = from_coroutine(
        #[coroutine]
        move || {
            let _finally = Finally::new(&tb, Some("source"));
            let mut n = 0i64;
            loop {
                n += 1;
                tb.body(Some("source"), format!("produce {n}"));
                yield n;
            }
        },
    );
    lazy_pipeline(&t, naturals);
    check_as("lazy_pipeline_map_filter_islice", "state_machine", t.events());
}
}

#[test]
fn islice_semantics() {
    let t = Trace::new();
    let mut src = logged(&t, "source", (0..12).collect());
    list(&t, Some("stepped"), &mut (&mut src).islice(2, 8, 2));
    next(&t, Some("source"), &mut src);
    list(&t, Some("empty"), &mut (&mut src).islice(0, 0, 1));
    list(&t, Some("tail"), &mut (&mut src).islice(1, None, 1));
    next(&t, Some("source"), &mut src);
    check("islice_semantics", t.events());
}

#[test]
fn takewhile_consumes_first_failure() {
    let t = Trace::new();
    let mut src = logged(&t, "source", vec![1i64, 4, 6, 2, 8]);
    {
        let mut tw = (&mut src).gen_take_while(logged_fn(&t, "pred", |x: &i64| *x < 5));
        next(&t, Some("takewhile"), &mut tw);
        list(&t, Some("takewhile"), &mut tw);
        next(&t, Some("takewhile"), &mut tw);
        assert_eq!(tw.take_rejected(), Some(6), "the failing value is kept, not lost");
    }
    next(&t, Some("source"), &mut src);
    list(&t, Some("source"), &mut src);
    check("takewhile_consumes_first_failure", t.events());
}

#[test]
fn dropwhile_predicate_stops() {
    let t = Trace::new();
    let src = logged(&t, "source", vec![1i64, 3, 6, 2, 7]);
    let mut dw = src.drop_while(logged_fn(&t, "pred", |x: &i64| *x < 5));
    next(&t, Some("dropwhile"), &mut dw);
    next(&t, Some("dropwhile"), &mut dw);
    list(&t, Some("dropwhile"), &mut dw);
    check("dropwhile_predicate_stops", t.events());
}

#[test]
fn chain_lazy() {
    let t = Trace::new();
    let a = logged(&t, "a", vec![1i64, 2]);
    let b = logged(&t, "b", vec![3i64]);
    let mut chained = a.gen_chain(from_iter(Vec::<i64>::new())).gen_chain(b);
    state(&t, Some("b"), chained.get_ref().1);
    next(&t, Some("chain"), &mut chained);
    next(&t, Some("chain"), &mut chained);
    state(&t, Some("b"), chained.get_ref().1);
    next(&t, Some("chain"), &mut chained);
    next(&t, Some("chain"), &mut chained);
    let outer = logged(&t, "outer", vec![vec![10i64], vec![], vec![20, 30]]);
    let mut flat = outer.gen_flat_map(|v| v);
    next(&t, Some("flat"), &mut flat);
    list(&t, Some("flat"), &mut flat);
    check("chain_lazy", t.events());
}

#[test]
fn zip_shortest_extra_pull() {
    let t = Trace::new();
    let mut longer = logged(&t, "long", vec![1i64, 2, 3, 4, 5]);
    let shorter = logged(&t, "short", vec!["a", "b"]);
    {
        let mut zipped = (&mut longer).gen_zip(shorter);
        let mut z = (&mut zipped).map_return(|_| ());
        for _ in 0..3 {
            next(&t, Some("zip"), &mut z);
        }
        // CPython loses the 3 pulled from `long` before `short` ran out; stasis keeps it.
        assert_eq!(zipped.take_unpaired(), Some(3));
    }
    next(&t, Some("long"), &mut longer);
    let short2 = logged(&t, "short2", vec!["a", "b"]);
    let mut long2 = logged(&t, "long2", vec![1i64, 2, 3]);
    list(&t, Some("zip2"), &mut short2.gen_zip(&mut long2).map_return(|_| ()));
    next(&t, Some("long2"), &mut long2);
    check("zip_shortest_extra_pull", t.events());
}

#[test]
fn accumulate_running() {
    let t = Trace::new();
    let mut sums = logged(&t, "source", vec![1i64, 2, 3, 4]).accumulate(|a, b| a + b);
    next(&t, Some("sums"), &mut sums);
    next(&t, Some("sums"), &mut sums);
    list(&t, Some("sums"), &mut sums);
    list(&t, Some("maxes"), &mut from_iter([3i64, 1, 4, 1, 5]).accumulate(i64::max));
    list(&t, Some("initial"), &mut from_iter([1i64, 2]).accumulate_from(100, |a, b| a + b));
    list(&t, Some("empty"), &mut from_iter(Vec::<i64>::new()).accumulate_from(100, |a, b| a + b));
    check("accumulate_running", t.events());
}

#[test]
fn pairwise_overlapping() {
    let t = Trace::new();
    let mut pairs = logged(&t, "source", vec![1i64, 2, 3, 4]).pairwise();
    for _ in 0..4 {
        next(&t, Some("pairs"), &mut pairs);
    }
    list(&t, Some("single"), &mut from_iter(["solo"]).pairwise());
    check("pairwise_overlapping", t.events());
}

#[test]
fn batched_via_islice() {
    let t = Trace::new();
    let mut batches = logged(&t, "source", (1..8).collect::<Vec<i64>>()).batched(3);
    for _ in 0..4 {
        next(&t, Some("batches"), &mut batches);
    }
    list(&t, Some("even"), &mut from_iter("abcdef".chars()).batched(2));
    check("batched_via_islice", t.events());
}

#[test]
fn tee_independent_cursors() {
    let t = Trace::new();
    let (mut a, mut b) = logged(&t, "source", vec![1i64, 2, 3, 4]).tee();
    next(&t, Some("a"), &mut a);
    next(&t, Some("a"), &mut a);
    assert_eq!(a.buffered(), 2, "b has read nothing yet");
    next(&t, Some("b"), &mut b);
    next(&t, Some("b"), &mut b);
    assert_eq!(a.buffered(), 0, "both cursors read 1 and 2");
    next(&t, Some("b"), &mut b);
    next(&t, Some("a"), &mut a);
    list(&t, Some("a"), &mut a);
    list(&t, Some("b"), &mut b);
    next(&t, Some("a"), &mut a);
    check("tee_independent_cursors", t.events());
}

#[test]
fn groupby_consecutive_keys() {
    let t = Trace::new();
    list_iter(&t, Some("letters"), from_iter("AAABBCAA".chars()).group_by(|c| *c));
    list_iter(&t, Some("parity"), from_iter([1i64, 3, 2, 4, 6, 5, 7]).group_by(|x| x % 2));
    list(&t, Some("empty"), &mut from_iter(Vec::<i64>::new()).group_by(|x| *x));
    check("groupby_consecutive_keys", t.events());
}

#[test]
fn enumerate_with_start() {
    let t = Trace::new();
    let mut numbered = logged(&t, "source", vec!["a", "b", "c"]).gen_enumerate();
    next(&t, Some("default"), &mut numbered);
    list(&t, Some("default"), &mut numbered);
    list(&t, Some("start10"), &mut from_iter(["x", "y"]).enumerate_from(10));
    check("enumerate_with_start", t.events());
}

#[test]
fn count_islice_infinite() {
    let t = Trace::new();
    let mut counter = count(10i64, 5);
    list(&t, Some("first4"), &mut (&mut counter).islice(0, 4, 1));
    next(&t, Some("count"), &mut (&mut counter).map_return(never));
    let mut evens = count(0i64, 1).gen_map(|n| n * 2);
    list(&t, Some("window"), &mut (&mut evens).islice(2, 5, 1));
    next(&t, Some("evens"), &mut evens.map_return(never));
    check("count_islice_infinite", t.events());
}

#[test]
fn cycle_islice() {
    let t = Trace::new();
    let mut take = cycle(logged(&t, "source", vec!["a", "b", "c"])).islice(0, 7, 1);
    for _ in 0..4 {
        next(&t, Some("take"), &mut take);
    }
    list(&t, Some("take"), &mut take);
    list(&t, Some("empty"), &mut cycle(from_iter(Vec::<&str>::new())).islice(0, 3, 1));
    check("cycle_islice", t.events());
}

#[test]
fn genexpr_list_twice() {
    let t = Trace::new();
    let mut squares = from_iter(1i64..5).gen_map(|x| x * x);
    state(&t, None, &squares);
    list(&t, None, &mut squares);
    list(&t, None, &mut squares);
    next(&t, None, &mut squares);
    state(&t, None, &squares);
    check_as("genexpr_list_twice", "combinators", t.events());
}

/// Every itertools and laziness scenario of the oracle is reproduced above.
#[test]
fn every_itertools_scenario_is_reproduced() {
    let this_file = include_str!("conformance_itertools.rs");
    let ours = support::ITERTOOLS_SCENARIOS;
    let mut found = 0;
    for name in support::all_scenarios() {
        if ours.iter().any(|p| name.starts_with(p)) {
            found += 1;
            assert!(
                this_file.contains(&format!("fn {name}()")),
                "scenario {name} has no test here"
            );
        }
    }
    assert_eq!(found, ours.len(), "one scenario per prefix");
}
