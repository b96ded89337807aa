//! Delegation (`yield from`) beyond the CPython scenarios: flattening of nested generator
//! objects (the outermost body resumes the innermost generator directly), PEP 380's
//! throw/close/return semantics through adopted chains, panics and drops mid-delegation,
//! recursive generators (trees of 1 M nodes, a degenerate tree of depth 10,000, permutations)
//! and the stack each level of an inline recursion needs.

use std::cell::Cell;
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

#[cfg(feature = "nightly")]
use stasis::from_coroutine;
use stasis::{CloseError, Co, Gen, Generator, RuntimeError, State, Step, Thrown, delegate::Shared};

use crate::support::{Finally, Log, log};

// ------------------------------------------------------------------------------ utilities

/// The address of a local of the caller's frame: where its stack is.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A generator object that is not stackful and records on which stack each resume runs.
struct Probe {
    left: u32,
    seen_at: Rc<Cell<usize>>,
}

impl Generator for Probe {
    type Yield = u32;
    type Return = &'static str;
    type Error = Infallible;

    fn resume(&mut self, (): ()) -> Step<u32, &'static str> {
        self.seen_at.set(stack_address());
        if self.left == 0 {
            return Step::Complete("probe done");
        }
        self.left -= 1;
        Step::Yielded(self.left)
    }

    fn throw(&mut self, err: Infallible) -> Step<u32, &'static str> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<&'static str>, CloseError<u32, Infallible>> {
        self.left = 0;
        Ok(None)
    }

    fn state(&self) -> State {
        State::Suspended
    }
}

/// `depth` nested stackful generators, each delegating to the next with `yield_from`, the
/// innermost to `sub`; every level adds 1 to the return value.
fn chain<G>(depth: u32, sub: G) -> Gen<u32, u32>
where
    G: Generator<Yield = u32, Return = &'static str, Error = Infallible> + 'static,
{
    Gen::builder()
        .stack_size(STACK)
        .build(move |co, ()| {
            if depth == 0 {
                co.yield_from(sub).len() as u32
            } else {
                co.yield_from(chain(depth - 1, sub)) + 1
            }
        })
        .expect("a stack")
}

const STACK: usize = 64 * 1024;

/// A generator that records where the top of its stack is, then delegates to `sub`.
fn root<G>(top: Rc<Cell<usize>>, sub: G) -> Gen<u32, u32>
where
    G: Generator<Yield = u32, Return = u32, Error = Infallible> + 'static,
{
    Gen::builder()
        .stack_size(STACK)
        .build(move |co, ()| {
            top.set(stack_address());
            co.yield_from(sub)
        })
        .expect("a stack")
}

/// Whether `address` is on the `STACK`-byte stack whose top frame was at `top`.
fn on_stack_below(address: usize, top: usize) -> bool {
    address <= top + 4096 && address > top - STACK
}

// ------------------------------------------------------------------------------ flattening

#[test]
fn nested_objects_are_resumed_by_the_outermost_generator_at_any_depth() {
    for depth in [0, 1, 10, 1000] {
        let (seen_at, top) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let probe = Probe { left: 3, seen_at: seen_at.clone() };
        let mut g = root(top.clone(), chain(depth, probe));
        assert_eq!(g.resume(()), Step::Yielded(2));
        // The probe ran on the outermost generator's stack: its body drives the innermost
        // delegate directly. A chain of re-yields would run it on the stack of the innermost
        // stackful generator, another mapping. The same holds for every later item.
        assert!(
            on_stack_below(seen_at.get(), top.get()),
            "depth {depth}: the probe ran at {:#x}, the outermost stack's top is at {:#x}",
            seen_at.get(),
            top.get()
        );
        for expected in [1, 0] {
            assert_eq!(g.next(), Some(expected));
            assert!(
                on_stack_below(seen_at.get(), top.get()),
                "depth {depth}, item {expected}: the probe ran at {:#x}, the outermost \
                 stack's top is at {:#x}",
                seen_at.get(),
                top.get()
            );
        }
        assert_eq!(g.next(), None);
        assert_eq!(g.take_return(), Some("probe done".len() as u32 + depth));
    }
}

#[test]
fn a_shared_level_is_not_adopted_and_drives_its_delegates_itself() {
    let (seen_at, top) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let inner = Shared::new(chain(3, Probe { left: 2, seen_at: seen_at.clone() }));
    let mut g = root(top.clone(), inner);
    assert_eq!(g.resume(()), Step::Yielded(1));
    // Behind the `RefCell`, the shared generator is resumed through its own `Gen::resume`: its
    // body drives its own chain (flattened too), on its own stack.
    assert!(!on_stack_below(seen_at.get(), top.get()));
    assert_eq!(g.by_ref().count(), 1);
    assert_eq!(g.take_return(), Some("probe done".len() as u32 + 3));
}

#[test]
fn boxed_generators_are_adopted_too() {
    let (seen_at, top) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let probe = Probe { left: 1, seen_at: seen_at.clone() };
    let boxed: Box<Gen<u32, u32>> =
        Box::new(Gen::new(move |co, ()| co.yield_from(probe).len() as u32));
    let mut g = root(top.clone(), boxed);
    assert_eq!(g.resume(()), Step::Yielded(0));
    assert!(on_stack_below(seen_at.get(), top.get()));
    assert_eq!(g.resume(()), Step::Complete(10));
}

#[test]
fn a_generator_already_delegating_can_be_delegated_to() {
    fn counting(from: u32) -> Gen<u32> {
        Gen::new(move |co, ()| co.yield_from_iter(from..from + 3))
    }
    let mut started = Gen::new(|co, ()| {
        co.yield_from(counting(10));
        co.yield_(99);
    });
    assert_eq!(started.next(), Some(10)); // now waiting in its own delegation
    let mut outer = Gen::new(move |co, ()| {
        co.yield_(1);
        co.yield_from(started);
        co.yield_(2);
    });
    assert_eq!(outer.by_ref().collect::<Vec<_>>(), [1, 11, 12, 99, 2]);
}

#[test]
fn send_reaches_the_innermost_of_a_deep_chain() {
    fn level(depth: u32) -> Gen<i64, i64, i64> {
        Gen::builder()
            .stack_size(64 * 1024)
            .build(move |co, _| {
                if depth == 0 {
                    let mut total = 0;
                    loop {
                        match co.yield_(total) {
                            0 => return total,
                            x => total += x,
                        }
                    }
                }
                co.yield_from(level(depth - 1)) * 2
            })
            .unwrap()
    }
    let mut g = level(20);
    assert_eq!(g.resume(0), Step::Yielded(0));
    assert_eq!(g.resume(3), Step::Yielded(3));
    assert_eq!(g.resume(4), Step::Yielded(7));
    assert_eq!(g.resume(0), Step::Complete(7 << 20));
}

// ------------------------------------------------------------------- throw, close, return

fn guarded(
    log: &Log,
    who: &'static str,
    items: &'static [&'static str],
) -> Gen<&'static str, &'static str, (), String> {
    let log = log.clone();
    Gen::throwing(move |co, ()| {
        let _finally = Finally::log(&log, format!("{who}: finally"));
        for item in items {
            co.yield_(*item);
        }
        who
    })
}

#[test]
fn an_unhandled_throw_reaches_the_delegator_of_an_adopted_generator() {
    let log = log();
    let sub = guarded(&log, "sub", &["sub-1", "sub-2"]);
    let parent_log = log.clone();
    let mut parent = Gen::<&str, &str>::throwing::<String>(move |co, ()| {
        match co.try_yield_from(sub) {
            Err(Thrown::Error(e)) => {
                parent_log.borrow_mut().push(format!("parent: caught {e}"));
                co.yield_("parent-recovered");
            }
            other => panic!("expected the thrown error, got {other:?}"),
        }
        "parent-end"
    });
    assert_eq!(parent.resume(()), Step::Yielded("sub-1"));
    assert_eq!(parent.throw("KeyError".into()), Step::Yielded("parent-recovered"));
    assert_eq!(*log.borrow(), ["sub: finally", "parent: caught KeyError"]);
    assert_eq!(parent.resume(()), Step::Complete("parent-end"));
}

#[test]
fn an_error_raised_by_a_sub_generator_reaches_its_delegator() {
    let sub = Gen::<u8>::throwing::<&str>(|co, ()| {
        co.yield_(1);
        co.raise(Thrown::Error("sub failed"))
    });
    let mut parent =
        Gen::<u8, &str>::throwing::<&str>(move |co, ()| match co.try_yield_from(sub) {
            Err(Thrown::Error(e)) => e,
            _ => "no error",
        });
    assert_eq!(parent.resume(()), Step::Yielded(1));
    assert_eq!(parent.resume(()), Step::Complete("sub failed"));
}

#[test]
fn yield_from_reraises_what_the_sub_generator_does_not_handle() {
    let log = log();
    let sub = guarded(&log, "sub", &["a", "b"]);
    let parent_log = log.clone();
    let mut parent = Gen::<&str, &str>::throwing::<String>(move |co, ()| {
        let _finally = Finally::log(&parent_log, "parent: finally");
        co.yield_from(sub)
    });
    assert_eq!(parent.resume(()), Step::Yielded("a"));
    assert_eq!(parent.throw("boom".into()), Step::Raised(Thrown::Error("boom".into())));
    assert_eq!(*log.borrow(), ["sub: finally", "parent: finally"]);
    assert_eq!(parent.state(), State::Closed);
}

fn chain_of_three(log: &Log) -> Gen<&'static str, &'static str, (), String> {
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    Gen::throwing(move |co, ()| {
        let _finally = Finally::log(&l1, "top: finally");
        co.yield_from(Gen::<&str, &str>::throwing::<String>(move |co, ()| {
            let _finally = Finally::log(&l2, "middle: finally");
            co.yield_from(Gen::<&str, &str>::throwing::<String>(move |co, ()| {
                let _finally = Finally::log(&l3, "leaf: finally");
                co.yield_("leaf-1");
                co.yield_("leaf-2");
                "leaf-done"
            }))
        }))
    })
}

#[test]
fn close_runs_finally_blocks_innermost_first() {
    let log = log();
    let mut g = chain_of_three(&log);
    assert_eq!(g.resume(()), Step::Yielded("leaf-1"));
    assert_eq!(g.close(), Ok(None));
    assert_eq!(*log.borrow(), ["leaf: finally", "middle: finally", "top: finally"]);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.resume(()), Step::Exhausted);
}

#[test]
fn dropping_the_outermost_generator_closes_the_chain_innermost_first() {
    let log = log();
    let mut g = chain_of_three(&log);
    assert_eq!(g.resume(()), Step::Yielded("leaf-1"));
    drop(g);
    assert_eq!(*log.borrow(), ["leaf: finally", "middle: finally", "top: finally"]);
}

#[test]
fn return_values_travel_outward_through_the_chain() {
    let log = log();
    let mut g = chain_of_three(&log);
    let mut items = (&mut g).try_iter();
    assert_eq!(items.by_ref().collect::<Result<Vec<_>, _>>(), Ok(vec!["leaf-1", "leaf-2"]));
    assert_eq!(items.take_return(), Some("leaf-done"));
    assert_eq!(*log.borrow(), ["leaf: finally", "middle: finally", "top: finally"]);
}

/// A sub-generator that yields `"first"`, then ignores the close thrown there by yielding
/// `"ignored the exit"`; it logs `sub: finally` when its frame goes.
fn ignores_close(log: &Log) -> Gen<&'static str, (), (), String> {
    let log = log.clone();
    Gen::<&str>::throwing::<String>(move |co, ()| {
        let _finally = Finally::log(&log, "sub: finally");
        let _ = co.try_yield("first");
        co.yield_("ignored the exit");
        co.yield_("never reached");
    })
}

/// CPython: a sub-generator that ignores GeneratorExit makes `sub.close()` raise
/// `RuntimeError` at the delegator's `yield from`; the delegator unwinds (its `finally` runs)
/// and the outermost `close()` raises that `RuntimeError`. stasis: the delegator sees
/// `Thrown::Runtime(RuntimeError::IgnoredExit)` at its `yield from` (here it does not catch
/// it), and `close()` fails with `IgnoredExit` carrying the value the sub-generator yielded. Traces against CPython: `tests/it/differential.rs`.
#[test]
fn a_sub_generator_that_ignores_close_makes_close_fail_and_the_delegator_unwinds() {
    let log = log();
    let parent_log = log.clone();
    let sub = ignores_close(&log);
    let mut parent = Gen::<&str>::throwing::<String>(move |co, ()| {
        let _finally = Finally::log(&parent_log, "parent: finally");
        co.yield_from(sub);
        co.yield_("never reached either");
    });
    assert_eq!(parent.resume(()), Step::Yielded("first"));
    assert_eq!(parent.close(), Err(CloseError::IgnoredExit("ignored the exit")));
    // The parent unwound; dropping its frame dropped (closed) the sub-generator, innermost
    // first as CPython's collector would.
    assert_eq!(*log.borrow(), ["sub: finally", "parent: finally"]);
    assert_eq!(parent.state(), State::Closed);
    assert_eq!(parent.resume(()), Step::Exhausted);
    assert_eq!(parent.close(), Ok(None));
}

crate::support::nightly! {
#[test]
fn an_ignored_close_under_yield_from_a_state_machine_unwinds_the_delegator_too() {
    let sub = stasis::from_throwing_coroutine(
        #[coroutine]
        |_: Result<(), Thrown<String>>| {
            let _ = yield "first"; // swallows the close
            let _ = yield "ignored the exit";
            Ok(())
        },
    );
    let mut parent = Gen::<&str>::throwing::<String>(move |co, ()| co.yield_from(sub));
    assert_eq!(parent.resume(()), Step::Yielded("first"));
    assert_eq!(parent.close(), Err(CloseError::IgnoredExit("ignored the exit")));
    assert_eq!(parent.state(), State::Closed);
}
}

crate::support::nightly! {
#[test]
fn a_state_machine_delegator_unwinds_too_when_its_sub_generator_ignores_close() {
    let log = log();
    let parent_log = log.clone();
    let sub = ignores_close(&log);
    let mut parent = stasis::from_throwing_coroutine(
        #[coroutine]
        move |_: Result<(), Thrown<String>>| {
            let _finally = Finally::log(&parent_log, "parent: finally");
            stasis::yield_from_throwing!(sub)?;
            let _ = yield "never reached";
            Ok(())
        },
    );
    assert_eq!(parent.resume(()), Step::Yielded("first"));
    assert_eq!(parent.close(), Err(CloseError::IgnoredExit("ignored the exit")));
    assert_eq!(*log.borrow(), ["sub: finally", "parent: finally"]);
    assert_eq!(parent.state(), State::Closed);
    assert_eq!(parent.resume(()), Step::Exhausted);
}
}

#[test]
fn a_delegator_that_catches_an_ignored_close_can_yield_again() {
    let sub = Gen::<&str>::throwing::<String>(|co, ()| {
        let _ = co.try_yield("first");
        co.yield_("ignored the exit");
    });
    let mut parent = Gen::<&str>::throwing::<String>(move |co, ()| {
        // CPython: `except RuntimeError: yield "recovered"`.
        if let Err(Thrown::Runtime(RuntimeError::IgnoredExit)) = co.try_yield_from(sub) {
            co.yield_("recovered");
        }
    });
    assert_eq!(parent.resume(()), Step::Yielded("first"));
    assert_eq!(parent.close(), Err(CloseError::IgnoredExit("recovered")));
    assert_eq!(parent.state(), State::Suspended);
    assert_eq!(parent.close(), Ok(None));
}

#[test]
fn a_delegator_can_catch_the_exit_and_return_a_value_from_close() {
    let sub = Gen::<u8>::throwing::<String>(|co, ()| {
        co.yield_(1);
    });
    let mut parent =
        Gen::<u8, &str>::throwing::<String>(move |co, ()| match co.try_yield_from(sub) {
            Err(Thrown::Exit) => "closed politely",
            _ => "finished",
        });
    assert_eq!(parent.resume(()), Step::Yielded(1));
    assert_eq!(parent.close(), Ok(Some("closed politely")));
}

#[test]
fn delegating_to_a_finished_generator_panics_with_a_clear_message() {
    let mut done = Gen::<u8>::new(|_co, ()| {});
    assert_eq!(done.next(), None);
    let mut parent = Gen::<u8>::new(move |co, ()| co.yield_from(done));
    let err = catch_unwind(AssertUnwindSafe(|| parent.next())).unwrap_err();
    let msg = err.downcast_ref::<String>().expect("a formatted message");
    assert!(msg.contains("had already finished"), "{msg}");
    assert_eq!(parent.state(), State::Closed);
}

#[test]
fn throw_into_yield_from_iter_stops_the_iteration() {
    let mut g = Gen::<i32, Vec<i32>>::throwing::<&str>(|co, ()| {
        let mut rest = Vec::new();
        let mut it = 1..;
        let err = co.try_yield_from_iter(it.by_ref().take(100));
        assert_eq!(err, Err(Thrown::Error("stop")));
        rest.extend(it.take(2));
        rest
    });
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.resume(()), Step::Yielded(2));
    assert_eq!(g.throw("stop"), Step::Complete(vec![3, 4]));
}

// ----------------------------------------------------------------------- panics and drops

#[test]
fn a_panic_in_a_deep_delegate_unwinds_every_delegator_innermost_first() {
    let log = log();
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let mut g = Gen::<u8>::new(move |co, ()| {
        let _finally = Finally::log(&l1, "top: finally");
        co.yield_from(Gen::<u8>::new(move |co, ()| {
            let _finally = Finally::log(&l2, "middle: finally");
            co.yield_from(Gen::<u8>::new(move |co, ()| {
                let _finally = Finally::log(&l3, "leaf: finally");
                co.yield_(1);
                panic!("leaf exploded");
            }));
        }));
    });
    assert_eq!(g.next(), Some(1));
    let err = catch_unwind(AssertUnwindSafe(|| g.next())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"leaf exploded"));
    assert_eq!(*log.borrow(), ["leaf: finally", "middle: finally", "top: finally"]);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.next(), None);
}

crate::support::nightly! {
#[test]
fn a_panic_in_a_state_machine_delegate_continues_in_the_delegator() {
    let log = log();
    let l1 = log.clone();
    let mut g = Gen::<u8>::new(move |co, ()| {
        let _finally = Finally::log(&l1, "parent: finally");
        co.yield_from(from_coroutine(
            #[coroutine]
            || {
                yield 1u8;
                panic!("machine exploded");
            },
        ));
    });
    assert_eq!(g.next(), Some(1));
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert_eq!(*log.borrow(), ["parent: finally"]);
    assert_eq!(g.state(), State::Closed);
}
}

#[test]
fn a_delegator_may_catch_a_panic_of_its_delegate() {
    let mut g = Gen::<u8, &str>::new(|co, ()| {
        let sub = Gen::<u8>::new(|co, ()| {
            co.yield_(1);
            panic!("sub exploded");
        });
        match catch_unwind(AssertUnwindSafe(|| co.yield_from(sub))) {
            Ok(()) => "no panic",
            Err(_) => {
                co.yield_(2);
                "recovered"
            }
        }
    });
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.next(), Some(2));
    assert_eq!(g.next(), None);
    assert_eq!(g.take_return(), Some("recovered"));
}

// --------------------------------------------------------------------- recursive generators

/// A binary tree node; `None` is the empty tree.
struct Node {
    left: Tree,
    value: u32,
    right: Tree,
}
type Tree = Option<Box<Node>>;

/// A balanced tree holding `lo..hi`.
fn balanced(lo: u32, hi: u32) -> Tree {
    if lo >= hi {
        return None;
    }
    let mid = lo + (hi - lo) / 2;
    Some(Box::new(Node { left: balanced(lo, mid), value: mid, right: balanced(mid + 1, hi) }))
}

/// A tree of `0..n` where every node has only a right child... built so that the in-order
/// recursion goes `n` levels deep: every node is the *left* child of the next.
fn degenerate(n: u32) -> Tree {
    let mut tree = None;
    for value in 0..n {
        tree = Some(Box::new(Node { left: tree, value, right: None }));
    }
    tree
}

/// Drops a deep tree without recursing `depth` times on the test thread's stack.
fn dismantle(mut tree: Tree) {
    while let Some(mut node) = tree {
        tree = node.left.take();
    }
}

/// In-order traversal, yielding `visit(node)` for each node (`visit` picks what to yield, so
/// the stack probe below measures this very function).
fn inorder<T>(co: &Co<T>, tree: &Tree, visit: &impl Fn(&Node) -> T) {
    if let Some(node) = tree {
        inorder(co, &node.left, visit);
        co.yield_(visit(node));
        inorder(co, &node.right, visit);
    }
}

fn inorder_inline(co: &Co<u32>, tree: &Tree) {
    inorder(co, tree, &|node| node.value);
}

fn inorder_object(tree: Rc<Tree>, path: Vec<bool>) -> Gen<u32> {
    Gen::new(move |co, ()| {
        let mut node = tree.as_ref();
        for &left in &path {
            let n = node.as_ref().expect("the path leads to a node");
            node = if left { &n.left } else { &n.right };
        }
        if let Some(n) = node {
            let (mut left, mut right) = (path.clone(), path.clone());
            left.push(true);
            right.push(false);
            co.yield_from(inorder_object(tree.clone(), left));
            co.yield_(n.value);
            co.yield_from(inorder_object(tree.clone(), right));
        }
    })
}

#[test]
fn balanced_tree_of_a_million_nodes_inline() {
    const N: u32 = 1 << 20;
    let tree = Rc::new(balanced(0, N));
    let t = tree.clone();
    let g = Gen::new(move |co, ()| inorder_inline(co, &t));
    let mut expected = 0;
    for v in g {
        assert_eq!(v, expected);
        expected += 1;
    }
    assert_eq!(expected, N);
}

#[test]
fn balanced_tree_of_a_million_nodes_as_generator_objects() {
    const N: u32 = 1 << 20;
    let tree = Rc::new(balanced(0, N));
    let mut expected = 0;
    for v in inorder_object(tree, Vec::new()) {
        assert_eq!(v, expected);
        expected += 1;
    }
    assert_eq!(expected, N);
}

/// Per level of `inorder_inline`: the distance between the stack addresses seen at the
/// bottom of two recursions `DEPTH` levels apart.
fn inline_bytes_per_level() -> usize {
    const DEPTH: u32 = 1000;
    let addresses: Vec<usize> = [1, DEPTH + 1]
        .into_iter()
        .map(|depth| {
            let tree = degenerate(depth);
            let mut g = Gen::builder()
                .stack_size(8 << 20)
                .build(move |co, ()| {
                    // The first item comes from the deepest level.
                    inorder(co, &tree, &|_| stack_address());
                    dismantle(tree);
                })
                .unwrap();
            g.next().unwrap()
        })
        .collect();
    (addresses[0] - addresses[1]) / DEPTH as usize
}

#[test]
fn degenerate_tree_of_depth_ten_thousand_inline_with_a_bigger_stack() {
    const DEPTH: u32 = 10_000;
    let per_level = inline_bytes_per_level();
    // What the crate docs say (64 bytes per level in release, 96 in debug, x86-64): 10,000
    // levels need about 1 MiB; the 4 MiB asked for below leaves room for twice the measured
    // need, and this assertion says when the docs and the stack size must change.
    println!("in-order recursion: {per_level} bytes of stack per level");
    assert!(
        per_level * DEPTH as usize * 2 <= 4 << 20,
        "{per_level} bytes per level: update stasis-delegate's docs and this stack size"
    );
    let tree = degenerate(DEPTH);
    let g = Gen::builder()
        .stack_size(4 << 20)
        .build(move |co, ()| {
            inorder_inline(co, &tree);
            dismantle(tree);
        })
        .expect("a 4 MiB stack");
    assert!(g.eq(0..DEPTH));
}

#[test]
fn degenerate_tree_of_depth_ten_thousand_as_generator_objects() {
    const DEPTH: u32 = 10_000;
    // One small stack per level: the chain of 10,000 delegations is flat.
    fn walk(node: Option<Rc<Link>>) -> Gen<u32> {
        Gen::builder()
            .stack_size(32 * 1024)
            .build(move |co, ()| {
                if let Some(link) = node {
                    co.yield_from(walk(link.next.clone()));
                    co.yield_(link.value);
                }
            })
            .expect("a stack")
    }
    struct Link {
        value: u32,
        next: Option<Rc<Link>>,
    }
    let mut list = None;
    for value in (0..DEPTH).rev() {
        list = Some(Rc::new(Link { value, next: list }));
    }
    // Deepest node first: in-order of a left-degenerate tree is the list reversed.
    let got: Vec<u32> = walk(list.clone()).collect();
    assert_eq!(got.len(), DEPTH as usize);
    assert!(got.iter().rev().copied().eq(0..DEPTH));
    // Drop the list iteratively.
    let mut next = list;
    while let Some(link) = next {
        next = Rc::try_unwrap(link).ok().and_then(|l| l.next);
    }
}

fn permutations_inline(co: &Co<Vec<u8>>, prefix: &mut Vec<u8>, rest: &mut Vec<u8>) {
    if rest.is_empty() {
        co.yield_(prefix.clone());
        return;
    }
    for i in 0..rest.len() {
        let x = rest.remove(i);
        prefix.push(x);
        permutations_inline(co, prefix, rest);
        prefix.pop();
        rest.insert(i, x);
    }
}

fn permutations_object(items: Vec<u8>) -> Gen<Vec<u8>> {
    Gen::new(move |co, ()| {
        if items.len() <= 1 {
            co.yield_(items);
            return;
        }
        for i in 0..items.len() {
            let mut rest = items.clone();
            let first = rest.remove(i);
            // Python: for p in permutations(rest): yield [first] + p
            for mut p in permutations_object(rest) {
                p.insert(0, first);
                co.yield_(p);
            }
        }
    })
}

fn permutations_delegating(prefix: Vec<u8>, rest: Vec<u8>) -> Gen<Vec<u8>> {
    Gen::new(move |co, ()| {
        if rest.is_empty() {
            co.yield_(prefix);
            return;
        }
        for i in 0..rest.len() {
            let (mut p, mut r) = (prefix.clone(), rest.clone());
            p.push(r.remove(i));
            co.yield_from(permutations_delegating(p, r));
        }
    })
}

#[test]
fn recursive_permutations_in_every_form() {
    let items: Vec<u8> = (1..=5).collect();
    let inline: Vec<Vec<u8>> = {
        let items = items.clone();
        Gen::new(move |co, ()| permutations_inline(co, &mut Vec::new(), &mut items.clone()))
            .collect()
    };
    let object: Vec<Vec<u8>> = permutations_object(items.clone()).collect();
    let delegating: Vec<Vec<u8>> = permutations_delegating(Vec::new(), items.clone()).collect();
    assert_eq!(inline.len(), 120);
    assert_eq!(inline[..3], [vec![1, 2, 3, 4, 5], vec![1, 2, 3, 5, 4], vec![1, 2, 4, 3, 5]]);
    assert_eq!(object, inline);
    assert_eq!(delegating, inline);
    let mut sorted = inline.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, inline, "lexicographic order, no duplicates");
}

#[test]
fn dropping_a_chain_whose_innermost_ignores_the_exit_still_runs_every_finally() {
    let log = log();
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let mut g = Gen::<&str>::throwing::<String>(move |co, ()| {
        let _finally = Finally::log(&l1, "top: finally");
        co.yield_from(Gen::<&str>::throwing::<String>(move |co, ()| {
            let _finally = Finally::log(&l2, "middle: finally");
            co.yield_from(Gen::<&str>::throwing::<String>(move |co, ()| {
                let _finally = Finally::log(&l3, "leaf: finally");
                loop {
                    // Ignores every exit: only a forced unwind ends it.
                    let _ = co.try_yield("stubborn");
                }
            }));
        }));
    });
    assert_eq!(g.resume(()), Step::Yielded("stubborn"));
    drop(g);
    assert_eq!(*log.borrow(), ["leaf: finally", "middle: finally", "top: finally"]);
}

#[test]
fn dropping_a_generator_that_ignores_the_exit_drops_the_value_it_yields() {
    let token = Rc::new(());
    let t = token.clone();
    let mut g = Gen::new(move |co, ()| {
        let _ = co.try_yield(None);
        co.yield_(Some(t.clone()));
    });
    assert_eq!(g.next(), Some(None));
    drop(g);
    assert_eq!(Rc::strong_count(&token), 1, "the value yielded while closing was dropped");
}

/// A delegate being closed delegates in turn (`except GeneratorExit: yield from third()`), and
/// `third` panics: the panic continues in the delegate, then in the delegator, and leaves
/// `close()`; every `finally` runs once, innermost first, and the chain ends closed.
#[test]
fn a_panic_in_a_delegation_started_while_closing_leaves_close() {
    let log = log();
    let l = log.clone();
    let mut g = Gen::<u8>::new(move |co, ()| {
        let _finally = Finally::log(&l, "parent finally");
        let l = l.clone();
        co.yield_from(Gen::<u8>::new(move |co, ()| {
            let _finally = Finally::log(&l, "sub finally");
            if let Err(Thrown::Exit) = co.try_yield(1) {
                let l = l.clone();
                co.yield_from(Gen::<u8>::new(move |_, ()| {
                    let _finally = Finally::log(&l, "third finally");
                    panic!("third panics while its delegator is closed")
                }));
            }
        }));
    });
    assert_eq!(g.next(), Some(1));
    let err = catch_unwind(AssertUnwindSafe(|| g.close())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"third panics while its delegator is closed"));
    assert_eq!(g.state(), State::Closed);
    assert_eq!(*log.borrow(), ["third finally", "sub finally", "parent finally"]);
    assert_eq!(g.next(), None);
}

// ------------------------------------------------- a delegate left waiting by its driver

#[test]
fn a_delegate_left_waiting_when_its_driver_unwinds_still_counts_its_chain() {
    // The root is dropped while it drives `sub` (adopted, suspended in `yield from x`, its
    // entry on the root's stack): the root's close makes it delegate and yield, so the drop
    // unwinds it by force from the middle of its delegation. `sub` stays suspended in its
    // `yield from`, one level deep, and its own resume drives `x` from there.
    let x = || {
        Gen::<u32>::new(|co, ()| {
            co.yield_(1);
            co.yield_(2);
        })
    };
    let sub = Rc::new(std::cell::RefCell::new(Gen::<u32>::new(move |co, ()| co.yield_from(x()))));
    let s = sub.clone();
    let mut root = Gen::<u32>::new(move |co, ()| {
        if let Err(Thrown::Exit) = co.try_yield(0) {
            let _ = co.delegate(&mut *s.borrow_mut(), ());
        }
    });
    assert_eq!(root.next(), Some(0));
    drop(root);
    assert_eq!(sub.borrow().state(), State::Suspended);
    assert_eq!(sub.borrow().yield_from_depth(), 1, "sub waits in yield from x");
    assert_eq!(sub.borrow_mut().next(), Some(2));
    assert_eq!(sub.borrow().yield_from_depth(), 1);
    assert_eq!(sub.borrow_mut().next(), None);
    assert_eq!(sub.borrow().yield_from_depth(), 0);
}
