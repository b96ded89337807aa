//! Adversarial scenarios on flat *mixed* delegation chains (issue 12: state machine → stackful
//! `Gen` → state machine, and the reverse), from the audit of their unsafe code (issue 9):
//! a stackful level lends its sub-generator to the state-machine driver above it (a pointer
//! into its frame), so every way a chain can end (drop half-way, panic, close, throw) must
//! end each loan before the frame it points into, and leave no level resumed with an outcome
//! it cannot have.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use stasis::delegate::Shared;

use stasis::{
    CloseError, Gen, Generator, RuntimeError, State, Step, Thrown, from_throwing_coroutine,
    yield_from_throwing,
};

use crate::flat_machine::DropLog;
use crate::panics::message;
use crate::support::{Finally, Log, log};

type Input = Result<(), Thrown<String>>;
type Level = Box<dyn Generator<Yield = String, Return = String, Error = String>>;

/// Which levels of a chain are stackful generators (the others are state machines).
type Shape = fn(u32) -> bool;

/// The shapes of a mixed chain: the outermost a state machine, or a stackful generator, and
/// one with stackful levels in pairs (the outer one adopts the inner one directly, then a
/// state machine below is hosted by that driver).
const MIXED: [(&str, Shape); 3] = [
    ("odd levels stackful", |level| level % 2 == 1),
    ("even levels stackful", |level| level % 2 == 0),
    ("two levels in three stackful", |level| level % 3 != 2),
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

// ------------------------------------------------------- panics at each level, each input

/// A throwing innermost level that yields `leaf-1`, `leaf-2` and returns `done` when resumed
/// after that; it passes on what is thrown into it.
fn finishing_leaf(log: &Log) -> Level {
    let log = log.clone();
    Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&log, "finally leaf");
            (yield "leaf-1".to_string())?;
            (yield "leaf-2".to_string())?;
            Ok("done".to_string())
        },
    ))
}

/// As [`chain`], but level `at` panics (`level <at>`) as soon as its `yield from` ends,
/// whatever it gives.
fn chain_panicking_at(depth: u32, at: u32, log: &Log, stackful: Shape) -> Level {
    let mut chain = finishing_leaf(log);
    for level in (0..depth).rev() {
        let log = log.clone();
        chain = if stackful(level) {
            Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
                let _finally = Finally::log(&log, format!("finally {level}"));
                let outcome = co.try_yield_from(chain);
                assert!(level != at, "level {at}");
                outcome.unwrap_or_else(|t| co.raise(t))
            }))
        } else {
            Box::new(from_throwing_coroutine(
                #[coroutine]
                move |_: Input| {
                    let _finally = Finally::log(&log, format!("finally {level}"));
                    let outcome = yield_from_throwing!(chain);
                    assert!(level != at, "level {at}");
                    outcome
                },
            ))
        };
    }
    chain
}

/// Each level of a mixed chain in turn panics when its `yield from` ends: after a send that
/// finishes the leaf, after a throw the leaf passes on, and during a close. The panic reaches
/// the consumer from that very call, every level unwinds innermost first, and the chain is
/// closed.
#[test]
fn a_panic_at_any_level_during_send_throw_or_close_unwinds_the_mixed_chain_innermost_first() {
    type Input3 = fn(&mut Level) -> Step<String, String, String>;
    let inputs: [(&str, Input3); 3] = [
        ("send", |g| g.resume(())),
        ("throw", |g| g.throw("x".into())),
        ("close", |g| match g.close() {
            Ok(r) => Step::Complete(r.unwrap_or_default()),
            Err(e) => panic!("close gave {e:?}"),
        }),
    ];
    const DEPTH: u32 = 6;
    for (shape, stackful) in MIXED {
        for (input, send) in inputs {
            for at in 0..DEPTH {
                let log = log();
                let mut g = chain_panicking_at(DEPTH, at, &log, stackful);
                assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()));
                assert_eq!(g.resume(()), Step::Yielded("leaf-2".into()));
                let panic = catch_unwind(AssertUnwindSafe(|| send(&mut g))).unwrap_err();
                let case = format!("{shape}, {input}, panic at {at}");
                assert_eq!(message(&*panic), format!("level {at}"), "{case}");
                assert_eq!(*log.borrow(), innermost_first(DEPTH), "{case}");
                assert_eq!(g.state(), State::Closed, "{case}");
                assert_eq!(g.resume(()), Step::Exhausted, "{case}");
            }
        }
    }
}

// ------------------------------------------------------------- shared handles mid-chain

/// The innermost level of a mixed chain is a [`Shared`] handle that the consumer also
/// advances between the chain's steps (CPython: `inner.send(..)` while `outer` is suspended
/// in `yield from inner`): the chain goes on from where the consumer left it, and once the
/// consumer finished it, the level delegating to it gets `RuntimeError::AlreadyFinished` at
/// its `yield from`, whichever backend delegates to it (a stackful level lending it to a
/// state-machine driver, or a state machine hosted by a stackful driver).
#[test]
fn a_shared_leaf_advanced_by_the_consumer_mid_chain_goes_on_and_then_finishes_the_delegation() {
    for (shape, stackful) in MIXED {
        let log = log();
        let shared = Shared::new(leaf(&log, None));
        let mut g = chain(5, &log, stackful, Box::new(shared.clone()));
        let mut other = shared.clone();
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()), "{shape}");
        assert_eq!(other.resume(()), Step::Yielded("leaf-2".into()), "{shape}");
        assert_eq!(g.resume(()), Step::Yielded("leaf-3".into()), "{shape}");
        assert_eq!(other.throw("stop".into()), Step::Raised(Thrown::Error("stop".into())));
        assert_eq!(
            g.resume(()),
            Step::Raised(Thrown::Runtime(RuntimeError::AlreadyFinished)),
            "{shape}"
        );
        assert_eq!(*log.borrow(), innermost_first(5), "{shape}");
    }
}

/// A level in the middle of a mixed chain is a [`Shared`] handle whose generator the leaf
/// resumes (a generator that resumes its own delegator, CPython's `ValueError: generator
/// already executing`): the leaf gets `RuntimeError::AlreadyExecuting`, and the chain is
/// untouched.
#[test]
fn a_leaf_resuming_a_shared_level_of_its_own_mixed_chain_gets_already_executing() {
    for (shape, stackful) in MIXED {
        let log = log();
        let slot: Rc<RefCell<Option<Shared<Level>>>> = Rc::new(RefCell::new(None));
        let seen = slot.clone();
        let leaf: Level = Box::new(from_throwing_coroutine(
            #[coroutine]
            move |_: Input| {
                let mut middle = seen.borrow().clone().expect("set before the chain runs");
                (yield "leaf-1".to_string())?;
                let answer = match middle.resume(()) {
                    Step::Raised(Thrown::Runtime(RuntimeError::AlreadyExecuting)) => "executing",
                    _ => "reached",
                };
                (yield answer.to_string())?;
                Ok("done".to_string())
            },
        ));
        let middle = Shared::new(chain(3, &log, stackful, leaf));
        *slot.borrow_mut() = Some(middle.clone());
        let mut g = chain(3, &log, stackful, Box::new(middle));
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()), "{shape}");
        assert_eq!(g.resume(()), Step::Yielded("executing".into()), "{shape}");
        assert_eq!(g.resume(()), Step::Complete("done".into()), "{shape}");
        slot.borrow_mut().take();
    }
}

// ------------------------------------------------------ an ignored exit at the innermost

/// The innermost level of a mixed chain is a stackful generator that ignores the exit (it
/// catches it at its `try_yield` and yields again), adopted by the driver above it or hosted
/// by a stackful one: the outermost `close()` reports the value it yielded, and every level
/// goes innermost first (the ignoring one is dropped when its delegator sees CPython's
/// `RuntimeError`, as for a state machine in `flat_machine.rs`).
#[test]
fn close_with_an_exit_ignored_by_an_innermost_stackful_level_is_reported_by_the_outermost() {
    for (shape, stackful) in MIXED {
        let log = log();
        let leaf_log = log.clone();
        let stubborn: Level = Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
            let _finally = Finally::log(&leaf_log, "finally leaf");
            let _ = co.try_yield("1".to_string());
            let _ = co.try_yield("2".to_string());
            String::new()
        }));
        let mut g = chain(6, &log, stackful, stubborn);
        assert_eq!(g.resume(()), Step::Yielded("1".into()), "{shape}");
        assert_eq!(g.close(), Err(CloseError::IgnoredExit("2".into())), "{shape}");
        assert_eq!(g.state(), State::Closed, "{shape}");
        assert_eq!(*log.borrow(), innermost_first(6), "{shape}");
    }
}

/// A stackful body delegating to a state machine it holds (hosting what that one hands up)
/// catches a panic from the innermost level and resumes the state machine itself: its
/// delegate was dropped with the panic, so its `yield from` gives the exit (as for a closed
/// delegate), not a `stasis bug` panic for an outcome that never came.
#[test]
fn a_hosting_state_machine_resumed_after_a_panic_above_it_sees_its_delegate_closed() {
    let log = log();
    let inner_log = log.clone();
    let mut g = Gen::new(move |co, ()| {
        let log = inner_log.clone();
        let mut hosting = stasis::from_coroutine(
            #[coroutine]
            move || {
                let outcome = stasis::yield_from!(stasis::from_coroutine(
                    #[coroutine]
                    || {
                        yield 1u32;
                        panic!("leaf");
                    }
                ));
                log.borrow_mut().push(format!("hosting got {outcome:?}"));
                yield 2;
            },
        );
        let panic = catch_unwind(AssertUnwindSafe(|| co.delegate(&mut hosting, ())));
        inner_log.borrow_mut().push(format!("caught {}", message(&*panic.unwrap_err())));
        let step = hosting.resume(());
        inner_log.borrow_mut().push(format!("then {step:?}"));
    });
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.resume(()), Step::Complete(()));
    assert_eq!(*log.borrow(), ["caught leaf", "hosting got Err(Exit)", "then Yielded(2)"]);
}

// ------------------------------------------------------------------------ deep chains

type Countdown = Box<dyn Generator<Yield = u32, Return = u32, Error = String>>;

/// Level `n` of a throwing countdown: yields `n`, delegates to level `n - 1` (made only
/// then, so no unstarted level owns the rest of the chain) and returns how many levels below
/// it finished, logging `n` when its locals drop. Levels `n` with `n % every == every / 2`
/// are stackful `Gen`s (`co.try_yield_from`), the others state machines
/// (`yield_from_throwing!`).
fn deep_countdown(n: u32, every: u32, dropped: &Rc<RefCell<Vec<u32>>>) -> Countdown {
    let dropped = dropped.clone();
    if n % every == every / 2 {
        return Box::new(Gen::<u32, u32>::throwing::<String>(move |co, ()| {
            let _finally = DropLog(n, dropped.clone());
            co.try_yield(n).unwrap_or_else(|t| co.raise(t));
            let below = deep_countdown(n - 1, every, &dropped);
            co.try_yield_from(below).unwrap_or_else(|t| co.raise(t)) + 1
        }));
    }
    Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<String>>| {
            let _finally = DropLog(n, dropped.clone());
            (yield n)?;
            if n == 0 {
                return Ok(0);
            }
            Ok(yield_from_throwing!(deep_countdown(n - 1, every, &dropped))? + 1)
        },
    ))
}

/// 100,000 levels, one in ten stackful (10,000 generator stacks; one per level would pass
/// the OS's limit of memory mappings).
const DEEP: u32 = 100_000;

/// Issue 12 §1 on a mixed chain of `yield_from_throwing!` levels: 100,000 levels (a state
/// machine or a stackful generator outermost) run to the end, every level returning its count
/// and finishing innermost first; abandoned half-way, the live levels drop innermost first.
#[test]
fn a_throwing_mixed_chain_100_000_deep_runs_to_the_end_and_drops_innermost_first() {
    // Outermost a state machine (100,000 % 10 = 0), then a stackful generator (5).
    for top in [DEEP, DEEP + 5] {
        let dropped = Rc::new(RefCell::new(Vec::new()));
        let mut g = deep_countdown(top, 10, &dropped);
        for n in (0..=top).rev() {
            assert_eq!(g.resume(()), Step::Yielded(n), "top {top}");
        }
        assert_eq!(g.resume(()), Step::Complete(top), "top {top}");
        assert!(dropped.borrow().iter().copied().eq(0..=top), "top {top}");
        abandon_half_way(top, |d| deep_countdown(top, 10, d), false);
    }
}

/// Takes the items of the countdown `make` builds (its levels yield `top` down to 0, each
/// logging its number in the log it is given when its locals drop) down to `top / 2 + 1`,
/// closes it if `close`, and drops it: the levels alive then (none dropped before) must have
/// gone, innermost first.
pub(crate) fn abandon_half_way<G>(
    top: u32,
    make: impl FnOnce(&Rc<RefCell<Vec<u32>>>) -> G,
    close: bool,
) where
    G: Generator<Yield = u32>,
    G::Return: std::fmt::Debug + PartialEq,
    G::Error: std::fmt::Debug + PartialEq,
{
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let mut g = make(&dropped);
    for n in (top / 2 + 1..=top).rev() {
        assert_eq!(g.resume(()), Step::Yielded(n), "top {top}");
    }
    assert!(dropped.borrow().is_empty(), "top {top}");
    if close {
        assert_eq!(g.close(), Ok(None), "top {top}");
        assert_eq!(g.state(), State::Closed, "top {top}");
    }
    drop(g);
    assert!(
        dropped.borrow().iter().copied().eq(top / 2 + 1..=top),
        "top {top}, close {close}: {:?}",
        &dropped.borrow()[..10]
    );
}

/// A mixed chain 1,000 levels deep (alternating backends), closed half-way through its
/// items and, separately, dropped: every live level's locals go, innermost first.
#[test]
fn a_throwing_mixed_chain_1000_deep_closed_or_dropped_half_way_unwinds_innermost_first() {
    for top in [1000, 1001] {
        for close in [true, false] {
            abandon_half_way(top, |d| deep_countdown(top, 2, d), close);
        }
    }
}

/// The outermost state machine of a mixed chain (whose state holds the driver and the
/// adoption it publishes) moves to a new allocation between every two steps, the old one
/// freed: nothing keeps a pointer into it across a resume (under AddressSanitizer, a
/// use-after-free otherwise).
#[test]
fn a_mixed_chain_whose_outermost_state_machine_moves_between_steps_runs_to_the_end() {
    let log = log();
    let below = chain(6, &log, |level| level % 2 == 0, leaf(&log, None));
    let root = from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&log, "finally root");
            yield_from_throwing!(below)
        },
    );
    let mut root = Box::new(root);
    for i in 1..=5 {
        assert_eq!(root.resume(()), Step::Yielded(format!("leaf-{i}")));
        // Allocated while the old box is still alive, so at another address.
        let old = root;
        root = Box::new(*old);
    }
    assert_eq!(root.throw("stop".into()), Step::Raised(Thrown::Error("stop".into())));
    assert_eq!(root.state(), State::Closed);
}

/// The leaf of a mixed chain panics at its very first step, while every level is still
/// starting (each hands its delegation up from inside its delegator's start, nested): the
/// panic reaches the consumer from its first resume and every level unwinds innermost first.
#[test]
fn a_panic_while_a_mixed_chain_starts_unwinds_every_level_innermost_first() {
    for (shape, stackful) in MIXED {
        let log = log();
        let mut g = chain(8, &log, stackful, leaf(&log, Some(1)));
        let panic = catch_unwind(AssertUnwindSafe(|| g.resume(()))).unwrap_err();
        assert_eq!(message(&*panic), "deep", "{shape}");
        assert_eq!(*log.borrow(), innermost_first(8), "{shape}");
        assert_eq!(g.state(), State::Closed, "{shape}");
    }
}

/// A middle level of a mixed chain is a [`Shared`] handle that the consumer also resumes and
/// then closes between the chain's steps: both reach the innermost level (the shared level
/// drives what is below it), the close unwinds the levels below it innermost first, and the
/// level delegating to it gets `RuntimeError::AlreadyFinished` at its `yield from`.
#[test]
fn a_shared_middle_level_resumed_and_closed_by_the_consumer_mid_chain() {
    for (shape, stackful) in MIXED {
        let log = log();
        let middle = Shared::new(chain(3, &log, stackful, leaf(&log, None)));
        let mut g = chain(3, &log, stackful, Box::new(middle.clone()));
        let mut other = middle.clone();
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()), "{shape}");
        assert_eq!(other.resume(()), Step::Yielded("leaf-2".into()), "{shape}");
        assert_eq!(g.resume(()), Step::Yielded("leaf-3".into()), "{shape}");
        assert_eq!(other.close(), Ok(None), "{shape}");
        assert_eq!(*log.borrow(), innermost_first(3), "{shape}");
        assert_eq!(
            g.resume(()),
            Step::Raised(Thrown::Runtime(RuntimeError::AlreadyFinished)),
            "{shape}"
        );
        assert_eq!(log.borrow().len(), 7, "{shape}: every level unwound");
    }
}

// ------------------------------------- a level that ignores the exit by delegating

/// A level that, closed, handles the exit by delegating (`except GeneratorExit: yield from
/// other()`) whose new delegate yields: that level ignored the exit. As in CPython (and as a
/// stackful root's driver does), its delegator sees `RuntimeError::IgnoredExit` and the level
/// stays suspended in its new `yield from` until it is dropped (closed: the exit there); it is
/// never resumed with the `RuntimeError` itself. So the trace is the same whichever backend
/// the outermost level is, for a state-machine or a stackful ignoring level.
#[test]
fn a_level_ignoring_the_exit_by_delegating_gives_the_same_trace_under_either_root() {
    fn leaf() -> Level {
        Box::new(from_throwing_coroutine(
            #[coroutine]
            |_: Input| {
                (yield "leaf".to_string())?;
                Ok(String::new())
            },
        ))
    }
    fn other() -> Level {
        Box::new(from_throwing_coroutine(
            #[coroutine]
            |_: Input| {
                (yield "other".to_string())?;
                Ok("o".to_string())
            },
        ))
    }
    /// `yield from leaf()`; on the exit, `yield from other()` and log what it gave.
    fn ignoring(log: &Log, stackful: bool) -> Level {
        let log = log.clone();
        if stackful {
            return Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
                match co.try_yield_from(leaf()) {
                    Err(Thrown::Exit) => {
                        let r = co.try_yield_from(other());
                        log.borrow_mut().push(format!("ignoring after other: {r:?}"));
                        r.unwrap_or_else(|t| co.raise(t))
                    }
                    outcome => outcome.unwrap_or_else(|t| co.raise(t)),
                }
            }));
        }
        Box::new(from_throwing_coroutine(
            #[coroutine]
            move |_: Input| match yield_from_throwing!(leaf()) {
                Err(Thrown::Exit) => {
                    let r = yield_from_throwing!(other());
                    log.borrow_mut().push(format!("ignoring after other: {r:?}"));
                    r
                }
                outcome => outcome,
            },
        ))
    }
    /// `yield from sub` in a level of the given backend, logging what it gave as `name`.
    fn passing(log: &Log, name: &'static str, stackful: bool, sub: Level) -> Level {
        let log = log.clone();
        if stackful {
            return Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
                let r = co.try_yield_from(sub);
                log.borrow_mut().push(format!("{name} got {r:?}"));
                r.unwrap_or_else(|t| co.raise(t))
            }));
        }
        Box::new(from_throwing_coroutine(
            #[coroutine]
            move |_: Input| {
                let r = yield_from_throwing!(sub);
                log.borrow_mut().push(format!("{name} got {r:?}"));
                r
            },
        ))
    }
    for stackful_ignoring in [false, true] {
        let traces: Vec<Vec<String>> = [false, true]
            .into_iter()
            .map(|stackful_root| {
                let log = log();
                let middle = passing(&log, "middle", false, ignoring(&log, stackful_ignoring));
                let mut g = passing(&log, "outer", stackful_root, middle);
                assert_eq!(g.resume(()), Step::Yielded("leaf".into()));
                assert_eq!(g.close(), Err(CloseError::IgnoredExit("other".into())));
                drop(g);
                log.borrow().clone()
            })
            .collect();
        assert_eq!(traces[0], traces[1], "state-machine root, then stackful root");
        assert!(
            traces[0].iter().all(|line| !line.starts_with("ignoring after other: Err(Runtime")),
            "{:?}",
            traces[0]
        );
    }
}
