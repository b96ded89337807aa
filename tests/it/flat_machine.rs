//! State-machine delegation (`yield_from!`, `yield_from_throwing!`): the outermost body keeps
//! the stack of active delegates and resumes the innermost one directly, so chains of any
//! depth run in constant native stack; the ignored-exit hand-off belongs to the generator
//! whose `close()` asked for it.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use stasis::{
    CloseError, Gen, Generator, State, Step, Thrown, from_coroutine, from_sending_coroutine,
    from_throwing_coroutine, yield_from, yield_from_throwing,
};

use crate::support::{Finally, log};

type Input = Result<(), Thrown<String>>;

/// A throwing sub-generator that yields 1 and then ignores the exit it is closed with.
fn ignores_exit() -> impl Generator<Yield = u32, Return = (), Error = String> {
    from_throwing_coroutine(
        #[coroutine]
        |_: Input| {
            let _ = yield 1; // swallows the exit
            let _ = yield 2;
            Ok(())
        },
    )
}

/// Issue 9 A6: a body that, while handling its own exit, steps another generator whose
/// `yield_from_throwing!` sees its sub-generator ignore an exit (sent to it as data) must not
/// make the outer `close()` believe that hand-off was its own.
#[test]
fn an_ignored_exit_handed_off_inside_another_generator_is_not_taken_by_the_outer_close() {
    let mut outer = from_throwing_coroutine(
        #[coroutine]
        |_: Input| {
            // Plain resumes of a generator whose resume type carries an exit as data.
            let mut inner = from_sending_coroutine(
                #[coroutine]
                |_: Input| {
                    let _ = yield_from_throwing!(ignores_exit());
                    let _ = yield 7;
                },
            );
            let mut got = yield 0;
            let mut exits = 0;
            loop {
                if let Err(Thrown::Exit) = got {
                    exits += 1;
                    if exits == 1 {
                        // Handling its own exit: step `inner`, sending it an exit as data.
                        assert_eq!(inner.resume(Ok(())), Step::Yielded(1));
                        assert_eq!(inner.resume(Err(Thrown::Exit)), Step::Yielded(2));
                    }
                    got = yield 99 + exits; // ignores its own exit
                } else {
                    got = yield 0;
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        },
    );
    assert_eq!(outer.resume(()), Step::Yielded(0));
    assert_eq!(outer.close(), Err(CloseError::IgnoredExit(100)));
    assert_eq!(outer.state(), State::Suspended);
}

// ------------------------------------------------------------------------ deep chains

type Countdown = Box<dyn Generator<Yield = u32, Return = u32, Error = Infallible>>;

/// Python: `def countdown(n): if n: yield n; return (yield from countdown(n - 1)) + 1`
/// (returns how many levels finished), each level logging its `n` when its locals drop.
fn countdown(n: u32, dropped: Rc<RefCell<Vec<u32>>>) -> Countdown {
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            let _finally = DropLog(n, dropped.clone());
            if n == 0 {
                return 0;
            }
            yield n;
            yield_from!(countdown(n - 1, dropped.clone())).unwrap() + 1
        },
    ))
}

/// Pushes its number to the log when dropped.
pub(crate) struct DropLog(pub(crate) u32, pub(crate) Rc<RefCell<Vec<u32>>>);

impl Drop for DropLog {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}

const DEEP: u32 = 100_000;

#[test]
fn a_countdown_delegating_to_itself_100_000_deep_runs_to_the_end() {
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let mut g = countdown(DEEP, dropped.clone());
    let mut expected = DEEP;
    while let Step::Yielded(n) = g.resume(()).map_return(|r| {
        assert_eq!(r, DEEP, "every level returned its count");
        r
    }) {
        assert_eq!(n, expected);
        expected -= 1;
    }
    assert_eq!(expected, 0);
    assert_eq!(g.state(), State::Closed);
    // Finished innermost first.
    assert!(dropped.borrow().iter().copied().eq(0..=DEEP));
}

#[test]
fn a_chain_100_000_deep_abandoned_half_way_drops_every_level_innermost_first() {
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let mut g = countdown(DEEP, dropped.clone());
    for n in (DEEP / 2 + 1..=DEEP).rev() {
        assert_eq!(g.resume(()), Step::Yielded(n));
    }
    assert!(dropped.borrow().is_empty());
    drop(g);
    // Levels DEEP / 2 + 1 ..= DEEP were alive; the innermost went first.
    assert!(dropped.borrow().iter().copied().eq(DEEP / 2 + 1..=DEEP));
}

/// A tree where every node has only a right child (`Rc`, so each level's body owns its
/// subtree); built and dismantled without recursion.
struct Node {
    value: u32,
    left: Option<Rc<Node>>,
    right: Option<Rc<Node>>,
}

fn right_degenerate(n: u32) -> Option<Rc<Node>> {
    (0..n).rev().fold(None, |right, value| Some(Rc::new(Node { value, left: None, right })))
}

fn dismantle(mut tree: Option<Rc<Node>>) {
    while let Some(node) = tree {
        tree = Rc::into_inner(node).and_then(|mut n| n.right.take());
    }
}

type Inorder = Box<dyn Generator<Yield = u32, Return = (), Error = Infallible>>;

/// Python: `def inorder(t): if t: yield from inorder(t.left); yield t.value; yield from
/// inorder(t.right)`.
fn inorder(tree: Option<Rc<Node>>) -> Inorder {
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            if let Some(node) = tree {
                yield_from!(inorder(node.left.clone())).unwrap();
                yield node.value;
                yield_from!(inorder(node.right.clone())).unwrap();
            }
        },
    ))
}

#[test]
fn inorder_over_a_degenerate_tree_100_000_deep_runs_to_the_end() {
    let tree = right_degenerate(DEEP);
    let mut g = inorder(tree.clone());
    let mut expected = 0;
    while let Step::Yielded(v) = g.resume(()) {
        assert_eq!(v, expected);
        expected += 1;
    }
    assert_eq!(expected, DEEP);
    drop(g);
    dismantle(tree);
}

/// A level that delegates before it yields anything starts its delegate from inside its own
/// resume: such a run of levels is nested natively while the first item is produced (a
/// state machine cannot suspend without a value), then flat.
#[test]
fn levels_that_delegate_before_yielding_start_nested_then_run_flat() {
    fn left_first(n: u32) -> Inorder {
        Box::new(from_coroutine(
            #[coroutine]
            move || {
                if n > 0 {
                    yield_from!(left_first(n - 1)).unwrap();
                }
                yield n;
            },
        ))
    }
    // The nested start needs a native frame per level (large ones in debug and ASan builds).
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| assert!(from_coroutine_items(left_first(1_000)).eq(0..=1_000)))
        .expect("a thread")
        .join()
        .expect("no panic");
}

fn from_coroutine_items(mut g: Inorder) -> impl Iterator<Item = u32> {
    std::iter::from_fn(move || g.resume(()).yielded())
}

// ------------------------------------------------- PEP 380 through a flat chain of levels
//
// Each test runs a chain of state machines and both shapes of a chain mixing them with
// stackful generators: one stack of delegates serves all three, with the same forwarding.

type Level = Box<dyn Generator<Yield = String, Return = String, Error = String>>;

/// `depth` throwing levels, each logging `finally <i>` when it unwinds and passing on what
/// it does not handle; the innermost yields `leaf-1`, `leaf-2`, ... and handles errors
/// starting with `leaf` by yielding them. The levels `stackful` picks are stackful
/// generators (`Gen::throwing` with `co.try_yield_from`), the others state machines
/// (`yield_from_throwing!`).
fn throwing_chain(depth: u32, log: &crate::support::Log, stackful: Shape) -> Level {
    let mut chain = throwing_leaf(depth, log);
    for level in (0..depth).rev() {
        let log = log.clone();
        chain = if stackful(level) {
            Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
                let _finally = Finally::log(&log, format!("finally {level}"));
                match co.try_yield_from(chain) {
                    Err(Thrown::Error(e)) if e == format!("level-{level}") => {
                        co.yield_(format!("level {level} recovered"));
                        format!("returned from {level}")
                    }
                    Ok(r) => r,
                    Err(other) => co.raise(other),
                }
            }))
        } else {
            Box::new(from_throwing_coroutine(
                #[coroutine]
                move |_: Input| {
                    let _finally = Finally::log(&log, format!("finally {level}"));
                    match yield_from_throwing!(chain) {
                        Err(Thrown::Error(e)) if e == format!("level-{level}") => {
                            let _ = yield format!("level {level} recovered");
                            Ok(format!("returned from {level}"))
                        }
                        other => other,
                    }
                },
            ))
        };
    }
    chain
}

/// Which levels of a chain are stackful generators (the others are state machines).
type Shape = fn(u32) -> bool;

/// The chains every PEP 380 test below runs through: state machines only, and both shapes of
/// a mixed chain (the outermost a state machine, or a stackful generator).
const SHAPES: [(&str, Shape); 3] = [
    ("state machines", |_| false),
    ("odd levels stackful", |level| level % 2 == 1),
    ("even levels stackful", |level| level % 2 == 0),
];

#[test]
fn close_of_a_deep_throwing_chain_unwinds_every_level_innermost_first() {
    for (shape, stackful) in SHAPES {
        let log = log();
        let mut g = throwing_chain(50, &log, stackful);
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()));
        assert_eq!(g.resume(()), Step::Yielded("leaf-2".into()));
        assert_eq!(g.close(), Ok(None));
        let expected: Vec<String> = (0..=50).rev().map(|i| format!("finally {i}")).collect();
        assert_eq!(*log.borrow(), expected, "{shape}");
        assert_eq!(g.state(), State::Closed);
    }
}

#[test]
fn a_throw_reaches_the_innermost_and_what_it_does_not_handle_the_level_that_does() {
    for (shape, stackful) in SHAPES {
        let log = log();
        let mut g = throwing_chain(20, &log, stackful);
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()));
        assert_eq!(g.throw("leaf-error".into()), Step::Yielded("leaf-error".into()));
        assert_eq!(g.resume(()), Step::Yielded("leaf-2".into()));
        // Handled by level 7: levels 20..8 unwind, innermost first.
        assert_eq!(g.throw("level-7".into()), Step::Yielded("level 7 recovered".into()));
        let expected: Vec<String> = (8..=20).rev().map(|i| format!("finally {i}")).collect();
        assert_eq!(*log.borrow(), expected, "{shape}");
        // Level 7 returns; every level above passes its return value on.
        assert_eq!(g.resume(()), Step::Complete("returned from 7".into()));
        assert_eq!(log.borrow().len(), 21);
        // Not handled anywhere: raised to the consumer.
        let mut g = throwing_chain(5, &log, stackful);
        assert_eq!(g.resume(()), Step::Yielded("leaf-1".into()));
        assert_eq!(g.throw("boom".into()), Step::Raised(Thrown::Error("boom".into())));
        assert_eq!(g.state(), State::Closed);
    }
}

#[test]
fn an_exit_ignored_deep_in_a_flat_chain_is_reported_by_the_outermost_close() {
    for (shape, stackful) in SHAPES {
        let log = log();
        let inner_log = log.clone();
        let mut chain: Level = Box::new(from_throwing_coroutine(
            #[coroutine]
            move |_: Input| {
                let _finally = Finally::log(&inner_log, "finally innermost");
                let _ = yield "1".to_string(); // swallows the exit
                let _ = yield "2".to_string();
                Ok(String::new())
            },
        ));
        for level in (0..10).rev() {
            let log = log.clone();
            chain = if stackful(level) {
                Box::new(Gen::<String, String>::throwing::<String>(move |co, ()| {
                    let _finally = Finally::log(&log, format!("finally {level}"));
                    co.yield_from(chain)
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
        assert_eq!(chain.resume(()), Step::Yielded("1".into()));
        assert_eq!(chain.close(), Err(CloseError::IgnoredExit("2".into())));
        // The delegators unwound innermost first; the innermost went when it was dropped.
        let mut expected: Vec<String> = (0..10).rev().map(|i| format!("finally {i}")).collect();
        expected.insert(0, "finally innermost".into());
        assert_eq!(*log.borrow(), expected, "{shape}");
        assert_eq!(chain.state(), State::Closed);
    }
}

#[test]
fn a_panic_deep_in_a_flat_chain_unwinds_every_level_innermost_first() {
    for (shape, stackful) in SHAPES {
        let log = log();
        let inner_log = log.clone();
        let mut chain: Countdown = Box::new(from_coroutine(
            #[coroutine]
            move || {
                let _finally = Finally::log(&inner_log, "finally innermost");
                yield 1;
                panic!("deep");
            },
        ));
        for level in (0..10).rev() {
            let log = log.clone();
            chain = if stackful(level) {
                Box::new(Gen::new(move |co, ()| {
                    let _finally = Finally::log(&log, format!("finally {level}"));
                    co.yield_from(chain)
                }))
            } else {
                Box::new(from_coroutine(
                    #[coroutine]
                    move || {
                        let _finally = Finally::log(&log, format!("finally {level}"));
                        yield_from!(chain).unwrap()
                    },
                ))
            };
        }
        assert_eq!(chain.resume(()), Step::Yielded(1));
        let panic = catch_unwind(AssertUnwindSafe(|| chain.resume(()))).unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"deep"));
        let mut expected: Vec<String> = (0..10).rev().map(|i| format!("finally {i}")).collect();
        expected.insert(0, "finally innermost".into());
        assert_eq!(*log.borrow(), expected, "{shape}");
        assert_eq!(chain.state(), State::Closed);
        assert_eq!(chain.resume(()), Step::Exhausted);
    }
}

#[test]
fn send_reaches_the_innermost_of_a_flat_chain_and_return_values_come_back() {
    type Adder = Box<dyn Generator<i64, Yield = i64, Return = i64, Error = Infallible>>;
    fn adder() -> Adder {
        Box::new(from_sending_coroutine(
            #[coroutine]
            |_: i64| {
                let mut total = 0;
                loop {
                    let x = yield total;
                    if x == 0 {
                        return total;
                    }
                    total += x;
                }
            },
        ))
    }
    fn level(depth: u32, stackful: Shape) -> Adder {
        let sub = move || if depth == 0 { adder() } else { level(depth - 1, stackful) };
        if stackful(depth) {
            return Box::new(Gen::<i64, i64, i64>::new(move |co, _| co.yield_from(sub()) * 2));
        }
        Box::new(from_sending_coroutine(
            #[coroutine]
            move |_: i64| yield_from!(sub()).unwrap() * 2,
        ))
    }
    for (shape, stackful) in SHAPES {
        let mut g = level(9, stackful);
        assert_eq!(g.resume(0), Step::Yielded(0));
        assert_eq!(g.resume(5), Step::Yielded(5));
        assert_eq!(g.resume(7), Step::Yielded(12));
        assert_eq!(g.resume(0), Step::Complete(12 << 10), "{shape}");
    }
}

/// The innermost level of [`throwing_chain`]: logs `finally <depth>`.
fn throwing_leaf(depth: u32, log: &crate::support::Log) -> Level {
    let leaf_log = log.clone();
    Box::new(from_throwing_coroutine(
        #[coroutine]
        move |_: Input| {
            let _finally = Finally::log(&leaf_log, format!("finally {depth}"));
            let mut i = 0;
            loop {
                i += 1;
                match yield format!("leaf-{i}") {
                    Ok(()) => {}
                    Err(Thrown::Error(e)) if e.starts_with("leaf") => {
                        (yield e)?;
                    }
                    Err(other) => return Err(other),
                }
            }
        },
    ))
}

// ---------------------------------------------------------------------- mixed chains

#[test]
fn a_state_machine_chain_around_a_stackful_generator_and_the_reverse() {
    fn machine(sub: Inorder, tag: u32) -> Inorder {
        Box::new(from_coroutine(
            #[coroutine]
            move || {
                yield tag;
                yield_from!(sub).unwrap();
                yield tag;
            },
        ))
    }
    fn stackful(sub: Inorder, tag: u32) -> Gen<u32> {
        Gen::new(move |co, ()| {
            co.yield_(tag);
            co.yield_from(sub);
            co.yield_(tag);
        })
    }
    let leaf = || -> Inorder { Box::new(stasis::from_iter([100, 101])) };
    // state machine → stackful → state machine
    let g = machine(Box::new(stackful(machine(leaf(), 3), 2)), 1);
    assert_eq!(from_coroutine_items(g).collect::<Vec<_>>(), [1, 2, 3, 100, 101, 3, 2, 1]);
    // stackful → state machine → stackful
    let g = stackful(machine(Box::new(stackful(leaf(), 3)), 2), 1);
    assert_eq!(g.collect::<Vec<_>>(), [1, 2, 3, 100, 101, 3, 2, 1]);
}

type Items = Box<dyn Generator<Yield = u32, Return = (), Error = Infallible>>;

fn count(from: u32, to: u32) -> Items {
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            for i in from..to {
                yield i;
            }
        },
    ))
}

/// A level adopted by a driver steps, itself, a generator it holds (in its own bytes) whose
/// body delegates: that delegation must not be taken by the driver (a plain resume nested in
/// an adopted one hides the driver's context), and the level's own later delegation, in the
/// same resume, is still handed to the driver.
#[test]
fn a_generator_a_level_steps_itself_keeps_its_delegation_and_the_level_stays_flat() {
    let level: Items = Box::new(from_coroutine(
        #[coroutine]
        || {
            // Not boxed: its coroutine lies in this level's bytes.
            let mut held = from_coroutine(
                #[coroutine]
                || {
                    yield_from!(count(100, 103)).unwrap();
                },
            );
            yield 0;
            // Resumed by the root's driver: step `held` plainly, then delegate.
            let first = held.resume(()).yielded().expect("held yields");
            let second = held.resume(()).yielded().expect("held yields");
            yield_from!(count(first + second, first + second + 2)).unwrap();
            let rest: Vec<u32> = std::iter::from_fn(|| held.resume(()).yielded()).collect();
            for v in rest {
                yield v;
            }
        },
    ));
    let mut root = from_coroutine(
        #[coroutine]
        move || {
            yield_from!(level).unwrap();
        },
    );
    let items: Vec<u32> = std::iter::from_fn(|| root.resume(()).yielded()).collect();
    assert_eq!(items, [0, 201, 202, 102]);
}

/// A `yield_from_throwing!` finds the context its own `close()` published by the address of
/// a local in the coroutine's state. A state machine is `Unpin`, so it may move between
/// resumes: the address must be taken where it is used, not kept from the start of the
/// delegation, or a moved generator's `close()` misses the hand-off and leaves it suspended.
#[test]
fn close_finishes_an_ignored_exit_after_the_generator_moved() {
    fn check(mut g: impl Generator<Yield = u32, Return = (), Error = String>) {
        assert_eq!(g.resume(()), Step::Yielded(1));
        let mut moved = Box::new(g);
        assert_eq!(moved.close(), Err(CloseError::IgnoredExit(2)));
        assert_eq!(moved.state(), State::Closed);
    }
    check(from_throwing_coroutine(
        #[coroutine]
        |_: Input| {
            yield_from_throwing!(ignores_exit())?;
            Ok(())
        },
    ));
    check(from_throwing_coroutine(
        #[coroutine]
        |_: Input| {
            yield_from_throwing!(reyield ignores_exit())?;
            Ok(())
        },
    ));
}

// ------------------------------------------------- mixed chains: one stack for both backends

/// The approximate native stack pointer of the caller: where the frame that calls it runs.
#[inline(never)]
fn stack_here() -> usize {
    let local = 0u8;
    std::hint::black_box(std::ptr::addr_of!(local).addr())
}

/// Level `n` of a countdown whose levels alternate between the backends (`n` even: a state
/// machine with `yield_from!`, odd: a stackful `Gen` with `co.yield_from`); each yields `n`,
/// delegates to level `n - 1` and returns how many levels below it finished. Each level
/// logs its `n` when its locals drop; the innermost (0, a state machine) records where it
/// runs, once resumed after its first yield, in `leaf_stack`.
fn mixed_countdown(
    n: u32,
    dropped: &Rc<RefCell<Vec<u32>>>,
    leaf_stack: &Rc<Cell<usize>>,
) -> Countdown {
    let (dropped, leaf_stack) = (dropped.clone(), leaf_stack.clone());
    if n % 2 == 1 {
        return Box::new(Gen::new(move |co, ()| {
            let _finally = DropLog(n, dropped.clone());
            co.yield_(n);
            co.yield_from(mixed_countdown(n - 1, &dropped, &leaf_stack)) + 1
        }));
    }
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            let _finally = DropLog(n, dropped.clone());
            yield n;
            if n == 0 {
                // Resumed by whoever drives it (its start ran inside its delegator's resume).
                leaf_stack.set(stack_here());
                return 0;
            }
            yield_from!(mixed_countdown(n - 1, &dropped, &leaf_stack)).unwrap() + 1
        },
    ))
}

/// 10,000 alternating levels (5,000 generator stacks).
const MIXED_DEEP: u32 = 10_000;

/// Issue 12 §1: a chain whose levels alternate between state machines and stackful
/// generators runs flat: the outermost generator drives the innermost one directly, so the
/// innermost state machine runs on the consumer's own stack (with the outermost a state
/// machine) or on the outermost generator's stack (with a stackful outermost), never on the
/// stack of the stackful level right above it, as it did when every switch of backend began
/// a driver of its own.
#[test]
fn a_chain_alternating_backends_10_000_deep_runs_flat_to_the_end() {
    /// Runs `g` (whose levels yield `from` down to 0) to the end; `at_leaf` is called when
    /// the innermost level yielded.
    fn drain<G>(g: &mut G, from: u32, top: u32, mut at_leaf: impl FnMut(&G))
    where
        G: Generator<Yield = u32, Return = u32> + ?Sized,
        G::Error: std::fmt::Debug,
    {
        let mut expected = from;
        loop {
            match g.resume(()) {
                Step::Yielded(n) => {
                    assert_eq!(n, expected);
                    if n == 0 {
                        at_leaf(g);
                    }
                    expected = expected.wrapping_sub(1);
                }
                Step::Complete(r) => {
                    assert_eq!(r, top, "every level returned its count");
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(expected, u32::MAX, "every level yielded");
    }
    for top in [MIXED_DEEP, MIXED_DEEP + 1] {
        let dropped = Rc::new(RefCell::new(Vec::new()));
        let leaf_stack = Rc::new(Cell::new(0));
        let mut g = mixed_countdown(top, &dropped, &leaf_stack);
        // The outermost body's stack: the consumer's (a state machine), or its own.
        let outer_stack = if top % 2 == 0 {
            let here = stack_here();
            drain(&mut *g, top, top, |_| {});
            here
        } else {
            let shared = Rc::new(Cell::new(0));
            let seen = shared.clone();
            let mut outer = Gen::new(move |co, ()| {
                seen.set(stack_here());
                co.yield_from(g)
            });
            // One stack of delegates: `g`'s entry, then every level below it, whatever its
            // backend (`g` is behind a `dyn Generator`, so it is not adopted itself).
            let levels = top as usize + 1;
            drain(&mut outer, top, top, |outer| assert_eq!(outer.yield_from_depth(), levels));
            shared.get()
        };
        let distance = leaf_stack.get().abs_diff(outer_stack);
        assert!(
            distance < 64 * 1024,
            "top {top}: the innermost ran {distance} bytes away from the outermost"
        );
        // Finished innermost first.
        assert!(dropped.borrow().iter().copied().eq(0..=top));
    }
}

#[test]
fn a_chain_alternating_backends_abandoned_half_way_drops_every_level_innermost_first() {
    for top in [MIXED_DEEP, MIXED_DEEP + 1] {
        // Levels top / 2 + 1 ..= top are alive when it is dropped; the innermost goes first.
        crate::mixed_audit::abandon_half_way(
            top,
            |dropped| mixed_countdown(top, dropped, &Rc::new(Cell::new(0))),
            false,
        );
    }
}

/// A level of a mixed chain whose sub-generator had already finished gets
/// `RuntimeError::AlreadyFinished` at its `yield from`, whichever backend either is.
#[test]
fn a_finished_sub_generator_in_a_mixed_chain_raises_already_finished() {
    type Results = Box<dyn Generator<Yield = u32, Return = String, Error = Infallible>>;
    fn finished_machine() -> Results {
        let mut g = from_coroutine(
            #[coroutine]
            || String::from("done"),
        );
        assert_eq!(g.resume(()), Step::Complete("done".into()));
        Box::new(g)
    }
    fn finished_gen() -> Results {
        let mut g = Gen::new(|_, ()| String::from("done"));
        assert_eq!(g.resume(()), Step::Complete("done".into()));
        Box::new(g)
    }
    fn report(outcome: Result<String, Thrown<Infallible>>) -> String {
        format!("{outcome:?}")
    }
    // A stackful level (under a state machine) delegating to a finished state machine, and
    // a state-machine level (under a stackful generator) delegating to a finished `Gen`.
    let middle_gen: Results = Box::new(Gen::new(|co, ()| {
        co.yield_(1);
        report(co.try_yield_from(finished_machine()))
    }));
    let middle_machine: Results = Box::new(from_coroutine(
        #[coroutine]
        || {
            yield 1;
            report(yield_from!(finished_gen()))
        },
    ));
    let expected = format!(
        "{:?}",
        Err::<String, _>(Thrown::<Infallible>::Runtime(stasis::RuntimeError::AlreadyFinished))
    );
    let mut outer = from_coroutine(
        #[coroutine]
        move || yield_from!(middle_gen).unwrap(),
    );
    assert_eq!(outer.resume(()), Step::Yielded(1));
    assert_eq!(outer.resume(()), Step::Complete(expected.clone()));
    let mut outer = Gen::new(move |co, ()| co.yield_from(middle_machine));
    assert_eq!(outer.resume(()), Step::Yielded(1));
    assert_eq!(outer.resume(()), Step::Complete(expected));
}

/// A stackful level adopted by a state-machine driver that switches out from inside a state
/// machine it resumes (its `co.yield_` in that body), and delegates once resumed: the
/// driver's adoption reaches it through its own slot for each resume, never through a
/// context a guard on its suspended stack could put back once that resume is over.
#[test]
fn a_stackful_level_switching_out_inside_a_state_machine_still_hands_up_its_delegation() {
    let level: Items = Box::new(Gen::new(|co: &stasis::Co<u32>, ()| {
        let mut inner = from_coroutine(
            #[coroutine]
            move || {
                co.yield_(1);
                yield 0;
            },
        );
        assert_eq!(inner.resume(()), Step::Yielded(0));
        co.yield_from(count(2, 4));
        co.yield_(4);
    }));
    let mut root = from_coroutine(
        #[coroutine]
        move || {
            yield_from!(level).unwrap();
            yield 5;
        },
    );
    let items: Vec<u32> = std::iter::from_fn(|| root.resume(()).yielded()).collect();
    assert_eq!(items, [1, 2, 3, 4, 5]);
}
