//! Differential test of delegation: a chain of stackful generators delegating with
//! `yield_from` (adopted: the outermost one drives the innermost directly) must behave exactly
//! like the same chain where every level is reached through the protocol (each sub-generator
//! behind a [`Shared`] handle, so every level re-yields: PEP 380's plain expansion).
//!
//! proptest draws the depth and a sequence of `next` / `throw(n)` / `close` operations; each
//! level catches some errors at its own yields and some at its `yield from`, yields again,
//! returns a value, and logs its `finally`. The two traces (consumer outcomes and body events)
//! must be equal.

use std::cell::RefCell;
use std::rc::Rc;

use proptest::prelude::*;
use stasis::{CloseError, Gen, Generator, Step, Thrown, delegate::Shared};

use crate::support::{Finally, Log};

type Level = Gen<String, u32, (), u32>;

/// Level `i` of a chain of `depth + 1` levels.
fn level(i: u32, depth: u32, log: Log, shared: bool) -> Level {
    Gen::throwing(move |co, ()| {
        let _finally = Finally::log(&log, format!("L{i}: finally"));
        let note = |text: String| log.borrow_mut().push(format!("L{i}: {text}"));
        // A yield that handles the errors divisible by i + 2.
        match co.try_yield(format!("L{i} start")) {
            Ok(()) => {}
            Err(Thrown::Error(e)) if e % (i + 2) == 0 => {
                note(format!("caught {e} at its yield"));
                co.yield_(format!("L{i} handled {e}"));
            }
            Err(other) => co.raise(other),
        }
        if i < depth {
            let sub = level(i + 1, depth, log.clone(), shared);
            let outcome =
                if shared { co.try_yield_from(Shared::new(sub)) } else { co.try_yield_from(sub) };
            match outcome {
                Ok(r) => note(format!("result {r}")),
                // Catches, at its `yield from`, the errors that leave its sub-generator and
                // leave 1 modulo i + 2.
                Err(Thrown::Error(e)) if e % (i + 2) == 1 => {
                    note(format!("caught {e} at yield from"));
                    co.yield_(format!("L{i} recovered {e}"));
                }
                Err(other) => co.raise(other),
            }
        }
        co.yield_(format!("L{i} end"));
        i * 10
    })
}

#[derive(Debug, Clone)]
enum Op {
    Next,
    Throw(u32),
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![6 => Just(Op::Next), 3 => (0u32..12).prop_map(Op::Throw), 1 => Just(Op::Close)]
}

fn run(depth: u32, ops: &[Op], shared: bool) -> Vec<String> {
    let log: Log = Rc::new(RefCell::new(Vec::new()));
    let mut g = level(0, depth, log.clone(), shared);
    for op in ops {
        let outcome = match op {
            Op::Next => format!("next -> {:?}", g.resume(())),
            Op::Throw(e) => format!("throw({e}) -> {:?}", g.throw(*e)),
            Op::Close => match g.close() {
                Ok(r) => format!("close -> ok {r:?}"),
                Err(CloseError::IgnoredExit(y)) => format!("close -> ignored, yielded {y}"),
                Err(CloseError::Raised(e)) => format!("close -> raised {e}"),
                Err(CloseError::Runtime(r)) => format!("close -> raised {r}"),
            },
        };
        log.borrow_mut().push(outcome);
        log.borrow_mut().push(format!("state -> {:?}", g.state()));
    }
    drop(g);
    log.borrow_mut().push("dropped".into());
    log.borrow().clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn adopted_chains_behave_like_chains_of_plain_re_yields(
        depth in 0u32..6,
        ops in proptest::collection::vec(op(), 0..16),
    ) {
        let adopted = run(depth, &ops, false);
        let plain = run(depth, &ops, true);
        prop_assert_eq!(adopted, plain);
    }
}

#[test]
fn the_differential_sees_delegation_at_work() {
    // One fixed case, so the property above is known to exercise nesting, recovery and close.
    let ops = [Op::Next, Op::Next, Op::Next, Op::Throw(3), Op::Next, Op::Close];
    let events = run(2, &ops, false);
    assert_eq!(events, run(2, &ops, true));
    let expected = [
        "next -> Yielded(\"L0 start\")",
        "state -> Suspended",
        "next -> Yielded(\"L1 start\")",
        "state -> Suspended",
        "next -> Yielded(\"L2 start\")",
        "state -> Suspended",
        // 3 % 4 (level 2) != 0: not handled at L2's yield; L2 ends.
        "L2: finally",
        // 3 % 3 (level 1) == 0 but L1 is at its `yield from`, where it catches 1 mod 3 only:
        // it re-raises; L0 catches 3 % 2 == 1 at its `yield from`.
        "L1: finally",
        "L0: caught 3 at yield from",
        "throw(3) -> Yielded(\"L0 recovered 3\")",
        "state -> Suspended",
        "next -> Yielded(\"L0 end\")",
        "state -> Suspended",
        "L0: finally",
        "close -> ok None",
        "state -> Closed",
        "dropped",
    ];
    assert_eq!(events, expected);
}

#[test]
fn a_step_renders_as_expected() {
    // The traces above compare `Debug` renderings of steps; pin that rendering.
    assert_eq!(format!("{:?}", Step::<String, u32, u32>::Exhausted), "Exhausted");
}
