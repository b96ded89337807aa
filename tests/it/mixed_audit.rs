//! Adversarial scenarios on flat *mixed* delegation chains (issue 12: state machine → stackful
//! `Gen` → state machine, and the reverse), from the audit of their unsafe code (issue 9):
//! a stackful level lends its sub-generator to the state-machine driver above it (a pointer
//! into its frame), so every way a chain can end (drop half-way, panic, close, throw) must
//! end each loan before the frame it points into, and leave no level resumed with an outcome
//! it cannot have.

use std::panic::{AssertUnwindSafe, catch_unwind};

use stasis::{Gen, Generator, State, Step, Thrown, from_throwing_coroutine, yield_from_throwing};

use crate::support::{Finally, Log, log};

type Input = Result<(), Thrown<String>>;
type Level = Box<dyn Generator<Yield = String, Return = String, Error = String>>;

/// Which levels of a chain are stackful generators (the others are state machines).
type Shape = fn(u32) -> bool;

/// Both shapes of a mixed chain: the outermost a state machine, or a stackful generator.
const MIXED: [(&str, Shape); 2] = [
    ("odd levels stackful", |level| level % 2 == 1),
    ("even levels stackful", |level| level % 2 == 0),
];

/// A throwing innermost level that logs `finally leaf` and yields `leaf-1`, `leaf-2`, ...;
/// `panic_at`: panics instead of yielding that item.
fn leaf(log: &Log, panic_at: Option<u32>) -> Level {
    let log = log.clone();
    Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&log, "finally leaf");
            let mut i = 0;
            loop {
                i += 1;
                if Some(i) == panic_at {
                    panic!("deep");
                }
                (yield format!("leaf-{i}"))?;
            }
        },
    ))
}

/// `depth` throwing levels above `inner`, each logging `finally <i>` when it unwinds and
/// passing on whatever its `yield from` gives.
fn chain(depth: u32, log: &Log, stackful: Shape, inner: Level) -> Level {
    let mut chain = inner;
    for level in (0..depth).rev() {
        let log = log.clone();
        chain = if stackful(level) {
            Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
                let _finally = Finally::log(&log, format!("finally {level}"));
                co.try_yield_from(chain).unwrap_or_else(|t| co.raise(t))
            }))
        } else {
            Box::new(from_throwing_coroutine(
                #[coroutine]
                move |_: Input| {
                    let _finally = Finally::log(&log, format!("finally {level}"));
                    yield_from_throwing!(chain)
                },
            ))
        };
    }
    chain
}

/// `finally leaf`, then `finally <depth - 1>` down to `finally 0`.
fn innermost_first(depth: u32) -> Vec<String> {
    std::iter::once("finally leaf".to_string())
        .chain((0..depth).rev().map(|i| format!("finally {i}")))
        .collect()
}

/// Dropping a suspended mixed chain of `yield_from_throwing!` levels: a stackful level's
/// loan of its state-machine sub-generator ends with the driver, which closes it; that
/// sub-generator waits in a `yield from` of its own whose delegate the driver already dropped,
/// so its close must unwind it (the exit at its `yield from`), not resume it with no outcome.
#[test]
fn dropping_a_throwing_mixed_chain_half_way_drops_every_level_innermost_first() {
    for (shape, stackful) in MIXED {
        let log = log();
        let mut g = chain(10, &log, stackful, leaf(&log, None));
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()));
        assert_eq!(g.resume(()), Step::Yielded("leaf-2".into()));
        let dropped = catch_unwind(AssertUnwindSafe(|| drop(g)));
        assert!(
            dropped.is_ok(),
            "{shape}: the drop panicked: {:?}",
            dropped.err().map(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            })
        );
        assert_eq!(*log.borrow(), innermost_first(10), "{shape}");
    }
}

/// The payload of a caught panic, as text.
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".into())
}

/// A panic at the innermost level of a mixed chain of `yield_from_throwing!` levels reaches
/// the consumer as that panic, and every level unwinds, innermost first.
#[test]
fn a_panic_deep_in_a_throwing_mixed_chain_reaches_the_consumer() {
    for (shape, stackful) in MIXED {
        let log = log();
        let mut g = chain(10, &log, stackful, leaf(&log, Some(3)));
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()));
        assert_eq!(g.resume(()), Step::Yielded("leaf-2".into()));
        let panic = catch_unwind(AssertUnwindSafe(|| g.resume(()))).unwrap_err();
        assert_eq!(message(&*panic), "deep", "{shape}");
        assert_eq!(*log.borrow(), innermost_first(10), "{shape}");
        assert_eq!(g.state(), State::Closed, "{shape}");
        drop(g);
    }
}

/// A throwing innermost level that yields `m` and panics when it is closed.
fn panics_when_closed(log: &Log) -> Level {
    let log = log.clone();
    Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&log, "finally leaf");
            match yield "m".to_string() {
                Err(Thrown::Exit) => panic!("closing m"),
                _ => Ok(String::new()),
            }
        },
    ))
}

/// A state machine lent by a stackful level whose body panics when it is closed: dropping
/// the chain during a panic of the consumer closes it (the loan ends with the driver), and
/// its panic must not abort the process (a panic cannot leave a drop during unwinding); as
/// when a `Gen` is dropped during a panic, the drop reports it and goes on.
#[test]
fn a_lent_level_panicking_when_closed_by_a_drop_during_a_panic_does_not_abort() {
    for (shape, stackful) in MIXED {
        let log = log();
        // The level right above the leaf is stackful (it lends the leaf to the driver).
        let depth = if stackful(1) { 2 } else { 3 };
        let mut g = chain(depth, &log, stackful, panics_when_closed(&log));
        assert_eq!(g.resume(()), Step::Yielded("m".into()), "{shape}");
        let panic = catch_unwind(AssertUnwindSafe(move || {
            let _dropped_while_panicking = g;
            panic!("consumer");
        }))
        .unwrap_err();
        assert_eq!(message(&*panic), "consumer", "{shape}");
        assert_eq!(*log.borrow(), innermost_first(depth), "{shape}");
    }
}

/// Dropping a mixed chain whose innermost lent level panics when it is closed: the panic
/// reaches whoever dropped the chain (as a `Gen` whose close panics does), and the levels
/// that are left still go innermost first, each closed once the level it waited for is gone
/// (not outermost first, closing a level whose delegate is still there).
#[test]
fn a_lent_level_panicking_when_closed_by_a_drop_leaves_the_rest_dropped_innermost_first() {
    let log = log();
    let mut g = chain(4, &log, |level| level % 2 == 1, panics_when_closed(&log));
    assert_eq!(g.resume(()), Step::Yielded("m".into()));
    let panic = catch_unwind(AssertUnwindSafe(move || drop(g))).unwrap_err();
    assert_eq!(message(&*panic), "closing m");
    assert_eq!(*log.borrow(), innermost_first(4));
}
