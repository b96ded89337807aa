//! Panics everywhere: what happens when a generator body, a delegated sub-generator, a
//! destructor on a generator stack, or a combinator's closure panics. Every case is defined behaviour, documented in the crate
//! docs (`stasis_core`, section "Panics"); `cargo xtask asan` runs these under AddressSanitizer
//! and LeakSanitizer, so "no UB, no leak" is checked there.
//!
//! The two cases that abort the process (a destructor that panics while a generator stack is
//! being unwound, as in any Rust unwinding) run in a child process: this test binary re-runs
//! itself with `--exact <test>` and `STASIS_PANICS_CHILD=1`.

use std::cell::RefCell;
use std::env;
use std::os::unix::process::ExitStatusExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;
use std::rc::Rc;

use stasis::{
    CloseError, Co, Gen, Generator, GeneratorExt, State, Step, Thrown, clear_pool,
    delegate::Shared, pool_stats,
};
#[cfg(feature = "nightly")]
use stasis::{from_coroutine, yield_from};

use crate::support::{Finally, Log, log};

const CHILD: &str = "STASIS_PANICS_CHILD";
const SIGABRT: i32 = 6;

/// Panics when dropped (unless the thread is already panicking, where that would abort).
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("destructor failed");
    }
}

/// The payload of a caught panic, as text.
pub(crate) fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string payload>".into())
}

/// Runs `f`, expecting a panic; returns its message.
fn panics(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    message(&*payload)
}

/// Re-runs this test binary on one test with `CHILD` set; returns (signal, stderr).
fn in_child(test: &str) -> (Option<i32>, String) {
    let out = Command::new(env::current_exe().unwrap())
        .args(["--exact", &format!("panics::{test}"), "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    (out.status.signal(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn nested(co: &Co<u32>, depth: u32, log: &Log, panic_at: u32) {
    let _finally = Finally::log(
        log,
        format!("finally {}", ["outer", "middle", "inner"][depth.min(2) as usize]),
    );
    if depth == 2 {
        co.yield_(1);
        if panic_at == 1 {
            panic!("body failed");
        }
        co.yield_(2);
    } else {
        nested(co, depth + 1, log, panic_at);
    }
}

// ------------------------------------------------------------------------------ in a body

#[test]
fn body_panic_reaches_the_caller_unwinds_every_frame_and_closes() {
    clear_pool();
    let l = log();
    let lb = l.clone();
    let mut g = Gen::new(move |co, ()| nested(co, 0, &lb, 1));
    assert_eq!(g.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = g.next();
        }),
        "body failed"
    );
    assert_eq!(*l.borrow(), ["finally inner", "finally middle", "finally outer"]);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.resume(()), Step::Exhausted, "a panicked generator stays finished");
    assert_eq!(g.close(), Ok(None));
    drop(g);
    assert_eq!(pool_stats().stacks, 1, "its stack went back to the pool");
    let mut again = Gen::new(|co, ()| co.yield_(7));
    assert_eq!(pool_stats().stacks, 0, "and is reused");
    assert_eq!(again.next(), Some(7));
}

#[test]
fn body_panic_on_throw_or_close_reaches_that_caller() {
    let mut g = Gen::<i32>::throwing::<String>(|co, ()| {
        if let Err(Thrown::Error(e)) = co.try_yield(1) {
            panic!("cannot handle {e}");
        }
    });
    let _ = g.resume(());
    assert_eq!(
        panics(|| {
            let _ = g.throw("boom".into());
        }),
        "cannot handle boom"
    );
    assert_eq!(g.state(), State::Closed);

    let mut g = Gen::new(|co, ()| {
        if co.try_yield(1).is_err() {
            panic!("cannot close");
        }
    });
    g.next();
    assert_eq!(
        panics(|| {
            let _ = g.close();
        }),
        "cannot close"
    );
    assert_eq!(g.state(), State::Closed);
}

#[test]
fn dropping_a_generator_whose_body_panics_on_exit_panics_from_drop() {
    clear_pool();
    let mut g = Gen::new(|co, ()| {
        if co.try_yield(1).is_err() {
            panic!("cannot close");
        }
    });
    g.next();
    assert_eq!(panics(|| drop(g)), "cannot close");
    // The body finished (by panicking), so its stack is clean: it went back to the pool while
    // that panic unwound through `drop`.
    assert_eq!(pool_stats().stacks, 1);
}

crate::support::nightly! {
#[test]
fn state_machine_body_panic_closes_it_and_drops_its_locals() {
    let l = log();
    let lb = l.clone();
    let mut g = stasis::from_coroutine(
        #[coroutine]
        move || {
            let _finally = Finally::log(&lb, "finally sm");
            yield 1;
            panic!("state machine failed");
        },
    );
    assert_eq!(g.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = g.next();
        }),
        "state machine failed"
    );
    assert_eq!(*l.borrow(), ["finally sm"]);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.next(), None);
}
}

#[test]
fn reentry_through_refcell_is_a_borrow_panic_not_ub() {
    // Rust rules re-entry out at compile time (tests/ui/reenter_*.rs); with `Rc<RefCell<..>>`
    // the check moves to run time: the inner `borrow_mut` panics ("already borrowed"), which
    // is Python's ValueError("generator already executing") as a panic, and closes the
    // generator.
    type Shared = Rc<RefCell<Option<Gen<i32>>>>;
    let cell: Shared = Rc::new(RefCell::new(None));
    let inner = cell.clone();
    let g = Gen::new(move |co, ()| {
        co.yield_(1);
        let reentered = inner.try_borrow_mut().is_err();
        co.yield_(i32::from(reentered));
        inner.borrow_mut().as_mut().and_then(Iterator::next);
    });
    *cell.borrow_mut() = Some(g);
    let next = || cell.borrow_mut().as_mut().unwrap().next();
    assert_eq!(next(), Some(1));
    assert_eq!(next(), Some(1), "the body sees that it is already executing");
    assert!(
        panics(|| {
            let _ = next();
        })
        .contains("already"),
        "RefCell reports the re-entry"
    );
    assert_eq!(cell.borrow().as_ref().unwrap().state(), State::Closed);
    // `cell` holds the generator whose body holds `cell`: break the cycle.
    cell.borrow_mut().take();
}

// ------------------------------------------------------------- destructors on a generator

#[test]
fn consumer_panic_closes_suspended_generators_and_runs_their_finally() {
    let l = log();
    let lb = l.clone();
    let msg = panics(|| {
        let mut g = Gen::new(move |co, ()| nested(co, 0, &lb, 0));
        assert_eq!(g.next(), Some(1));
        panic!("consumer failed");
    });
    assert_eq!(msg, "consumer failed");
    assert_eq!(*l.borrow(), ["finally inner", "finally middle", "finally outer"]);
}

#[test]
fn destructor_panic_after_the_body_handled_close_reaches_close() {
    // The body sees the exit with `try_yield` and returns normally: its locals are dropped
    // by an ordinary return, so a panicking destructor is an ordinary panic out of `close`.
    let mut g = Gen::new(|co, ()| {
        let _bomb = PanicOnDrop;
        let _ = co.try_yield(1);
    });
    g.next();
    assert_eq!(
        panics(|| {
            let _ = g.close();
        }),
        "destructor failed"
    );
    assert_eq!(g.state(), State::Closed);
}

#[test]
fn destructor_panic_while_close_unwinds_the_stack_aborts() {
    if env::var_os(CHILD).is_some() {
        let mut g = Gen::new(|co, ()| {
            let _bomb = PanicOnDrop;
            co.yield_(1); // close() unwinds from here, dropping the bomb during unwinding
        });
        g.next();
        let _ = g.close();
        unreachable!("a panic during unwinding aborts");
    }
    let (signal, stderr) = in_child("destructor_panic_while_close_unwinds_the_stack_aborts");
    assert_eq!(signal, Some(SIGABRT), "{stderr}");
    assert!(stderr.contains("destructor failed"), "{stderr}");
    assert!(stderr.contains("panic in a destructor during cleanup"), "{stderr}");
}

#[test]
fn destructor_panic_while_drop_unwinds_the_stack_aborts() {
    if env::var_os(CHILD).is_some() {
        let mut g = Gen::new(|co, ()| {
            let _bomb = PanicOnDrop;
            co.yield_(1);
        });
        g.next();
        drop(g);
        unreachable!("a panic during unwinding aborts");
    }
    let (signal, stderr) = in_child("destructor_panic_while_drop_unwinds_the_stack_aborts");
    assert_eq!(signal, Some(SIGABRT), "{stderr}");
    assert!(stderr.contains("panic in a destructor during cleanup"), "{stderr}");
}

#[test]
fn throw_unwinding_through_a_catch_all_is_handled_like_python_except() {
    // A body that catches every unwind (here around one yield) swallows the thrown error
    // like a bare Python `except:` would; the generator goes on and the next close works.
    let mut g = Gen::<i32, &str>::throwing::<String>(|co, ()| {
        let swallowed = catch_unwind(AssertUnwindSafe(|| co.yield_(1))).is_err();
        co.yield_(if swallowed { 2 } else { 3 });
        "finished"
    });
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.throw("boom".into()), Step::Yielded(2));
    assert_eq!(g.close(), Ok(None));
    assert_eq!(g.state(), State::Closed);
}

// ------------------------------------------------------------------------ during delegation

/// A chain root → middle → leaf of stackful generators delegating with `yield_from` (the
/// adoption path), each with a `finally`; the leaf yields 1 then runs `leaf_then`.
fn chain(
    l: &Rc<RefCell<Vec<String>>>,
    leaf_then: fn(&Co<i32>),
) -> (Gen<i32>, Shared<Gen<i32>>, Shared<Gen<i32>>) {
    let (l1, l2, l3) = (l.clone(), l.clone(), l.clone());
    let leaf = Shared::new(Gen::new(move |co, ()| {
        let _finally = Finally::log(&l1, "finally leaf");
        co.yield_(1);
        leaf_then(co);
    }));
    let leaf_in = leaf.clone();
    let middle = Shared::new(Gen::new(move |co, ()| {
        let _finally = Finally::log(&l2, "finally middle");
        co.yield_from(leaf_in);
    }));
    let middle_in = middle.clone();
    let root = Gen::new(move |co, ()| {
        let _finally = Finally::log(&l3, "finally root");
        co.yield_from(middle_in);
    });
    (root, middle, leaf)
}

#[test]
fn panic_in_a_delegated_generator_unwinds_the_chain_innermost_first() {
    let l = log();
    let (mut root, middle, leaf) = chain(&l, |_| panic!("leaf failed"));
    assert_eq!(root.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = root.next();
        }),
        "leaf failed"
    );
    assert_eq!(*l.borrow(), ["finally leaf", "finally middle", "finally root"]);
    for state in [root.state(), middle.state(), leaf.state()] {
        assert_eq!(state, State::Closed);
    }
    assert_eq!(root.next(), None);
}

#[test]
fn panic_in_a_delegated_generator_while_the_chain_closes_reaches_close() {
    let l = log();
    let (mut root, middle, leaf) = chain(&l, |co| {
        let _ = co.try_yield(2);
        panic!("leaf cannot close");
    });
    assert_eq!(root.next(), Some(1));
    assert_eq!(root.next(), Some(2));
    assert_eq!(
        panics(|| {
            let _ = root.close();
        }),
        "leaf cannot close"
    );
    assert_eq!(*l.borrow(), ["finally leaf", "finally middle", "finally root"]);
    for state in [root.state(), middle.state(), leaf.state()] {
        assert_eq!(state, State::Closed);
    }
}

crate::support::nightly! {
#[test]
fn panic_in_a_state_machine_delegate_of_a_stackful_generator() {
    let l = log();
    let (l1, l2) = (l.clone(), l.clone());
    let mut root = Gen::new(move |co, ()| {
        let _finally = Finally::log(&l1, "finally root");
        co.yield_from(from_coroutine(
            #[coroutine]
            move || {
                let _finally = Finally::log(&l2, "finally sm");
                yield 1;
                panic!("sm failed");
            },
        ));
    });
    assert_eq!(root.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = root.next();
        }),
        "sm failed"
    );
    assert_eq!(*l.borrow(), ["finally sm", "finally root"]);
    assert_eq!(root.state(), State::Closed);
}
}

crate::support::nightly! {
#[test]
fn panic_in_a_stackful_delegate_of_a_state_machine() {
    let l = log();
    let (l1, l2) = (l.clone(), l.clone());
    let mut root = from_coroutine(
        #[coroutine]
        move || {
            let _finally = Finally::log(&l1, "finally root sm");
            let sub = Gen::new(move |co, ()| {
                let _finally = Finally::log(&l2, "finally gen");
                co.yield_(1);
                panic!("gen failed");
            });
            let _ = yield_from!(sub);
        },
    );
    assert_eq!(root.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = root.next();
        }),
        "gen failed"
    );
    assert_eq!(*l.borrow(), ["finally gen", "finally root sm"]);
    assert_eq!(root.state(), State::Closed);
}
}

#[test]
fn destructor_panic_while_a_delegation_chain_is_unwound_aborts() {
    if env::var_os(CHILD).is_some() {
        let l = log();
        let (mut root, _middle, _leaf) = chain(&l, |co| {
            let _bomb = PanicOnDrop;
            co.yield_(2);
        });
        root.next();
        root.next();
        drop(root);
        unreachable!("a panic during unwinding aborts");
    }
    let (signal, stderr) = in_child("destructor_panic_while_a_delegation_chain_is_unwound_aborts");
    assert_eq!(signal, Some(SIGABRT), "{stderr}");
    assert!(stderr.contains("panic in a destructor during cleanup"), "{stderr}");
}

// ---------------------------------------------------------------- in combinator closures

fn finally_source(l: &Rc<RefCell<Vec<String>>>) -> Gen<u32> {
    let lb = l.clone();
    Gen::new(move |co, ()| {
        let _finally = Finally::log(&lb, "finally source");
        for i in 1..=5 {
            co.yield_(i);
        }
    })
}

#[test]
fn combinator_closure_panic_propagates_and_the_pipeline_stays_usable() {
    // As in Python, where `map(f, gen)` with a raising `f` raises from `next` and the next
    // `next` calls `f` on the next item: the source stays suspended, nothing is closed.
    let l = log();
    let mut m =
        finally_source(&l).gen_map(|x| if x == 2 { panic!("map failed on {x}") } else { x * 10 });
    assert_eq!(m.next(), Some(10));
    assert_eq!(
        panics(|| {
            let _ = m.next();
        }),
        "map failed on 2"
    );
    assert_eq!(m.state(), State::Suspended);
    assert_eq!(m.next(), Some(30), "item 2 was consumed by the failed call");
    drop(m);
    assert_eq!(*l.borrow(), ["finally source"], "dropping the pipeline closes the source");

    let l = log();
    let mut f = finally_source(&l)
        .gen_filter(|x| if *x == 3 { panic!("predicate failed") } else { x % 2 == 1 });
    assert_eq!(f.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = f.next();
        }),
        "predicate failed"
    );
    assert_eq!(f.next(), Some(5));
    assert_eq!(f.close(), Ok(None));
    assert_eq!(*l.borrow(), ["finally source"]);

    let l = log();
    let mut a = finally_source(&l)
        .accumulate(|acc, x| if x == 4 { panic!("fold failed") } else { acc + x });
    assert_eq!(a.by_ref().take(3).collect::<Vec<_>>(), [1, 3, 6]);
    assert_eq!(
        panics(|| {
            let _ = a.next();
        }),
        "fold failed"
    );
    drop(a);
    assert_eq!(*l.borrow(), ["finally source"]);
}

#[test]
fn combinator_closure_panic_while_closing_the_source_reaches_close() {
    // `close()` on a pipeline that maps the value yielded by an ignored exit: the closure
    // runs on that value, and its panic comes out of `close`.
    let mut m = Gen::new(|co, ()| {
        if co.try_yield(1).is_err() {
            co.yield_(2);
        }
    })
    .gen_map(|x: i32| if x == 2 { panic!("map failed during close") } else { x });
    assert_eq!(m.next(), Some(1));
    assert_eq!(
        panics(|| {
            let _ = m.close();
        }),
        "map failed during close"
    );
    assert!(matches!(m.close(), Ok(None) | Err(CloseError::IgnoredExit(_))));
}

#[test]
fn a_panic_in_one_generator_leaves_others_untouched() {
    let mut ok = Gen::new(|co, ()| {
        for i in 0..3 {
            co.yield_(i);
        }
    });
    let mut bad = Gen::new(|co, ()| {
        co.yield_(0);
        panic!("bad one");
    });
    assert_eq!(ok.next(), Some(0));
    assert_eq!(bad.next(), Some(0));
    assert_eq!(
        panics(|| {
            let _ = bad.next();
        }),
        "bad one"
    );
    assert_eq!(ok.by_ref().collect::<Vec<_>>(), [1, 2]);
}
