//! Behaviour of the stackful backend: the protocol's edge cases, unwinding, panics, the pool.
#![cfg_attr(feature = "nightly", feature(coroutine_trait))]

use std::cell::Cell;
use std::rc::Rc;

use stasis_core::{
    CloseError, Co, Gen, Generator, MIN_STACK_SIZE, StackError, State, Step, Thrown, clear_pool,
    pool_stats,
};

/// Counts its drops: a stand-in for Python's `finally`.
struct Guard(Rc<Cell<u32>>);
impl Drop for Guard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fn nested(co: &Co<u32>, depth: u32, drops: &Rc<Cell<u32>>) {
    let _g = Guard(drops.clone());
    if depth == 0 {
        co.yield_(0);
        co.yield_(1);
    } else {
        nested(co, depth - 1, drops);
    }
}

#[test]
fn drop_of_suspended_generator_runs_every_destructor_on_its_stack() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    let mut g = Gen::new(move |co, ()| nested(co, 50, &d));
    assert_eq!(g.next(), Some(0));
    assert_eq!(drops.get(), 0);
    drop(g);
    assert_eq!(drops.get(), 51);
}

#[test]
fn close_unwinds_and_is_idempotent() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    let mut g = Gen::new(move |co, ()| nested(co, 3, &d));
    assert_eq!(g.resume(()), Step::Yielded(0));
    assert_eq!(g.close(), Ok(None));
    assert_eq!(drops.get(), 4);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.close(), Ok(None));
    assert_eq!(g.resume(()), Step::Exhausted);
}

#[test]
fn close_of_unstarted_generator_never_runs_the_body_but_drops_its_captures() {
    let drops = Rc::new(Cell::new(0));
    let captured = Guard(drops.clone());
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    let mut g = Gen::new(move |co, ()| {
        let _keep = &captured;
        r.set(true);
        co.yield_(1);
    });
    assert_eq!(g.close(), Ok(None));
    assert!(!ran.get());
    assert_eq!(drops.get(), 1);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.next(), None);
}

#[test]
fn ignored_exit_keeps_the_generator_suspended_then_reraises() {
    let mut g = Gen::<&str>::new(|co, ()| {
        let first = co.try_yield("first");
        co.yield_("from finally");
        if let Err(t) = first {
            co.raise(t);
        }
    });
    assert_eq!(g.resume(()), Step::Yielded("first"));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit("from finally")));
    assert_eq!(g.state(), State::Suspended);
    assert_eq!(g.resume(()), Step::Raised(Thrown::Exit));
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.close(), Ok(None));
}

#[test]
fn uncaught_throw_unwinds_and_returns_the_error() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    let mut g = Gen::<i32>::throwing::<String>(move |co, ()| {
        let _g = Guard(d);
        co.yield_(1);
        co.yield_(2);
    });
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.throw("k".into()), Step::Raised(Thrown::Error("k".into())));
    assert_eq!(drops.get(), 1);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.resume(()), Step::Exhausted);
    assert_eq!(g.throw("again".into()), Step::Raised(Thrown::Error("again".into())));
}

#[test]
fn panic_in_body_reaches_the_caller_and_closes_the_generator() {
    let drops = Rc::new(Cell::new(0));
    let d = drops.clone();
    let mut g = Gen::new(move |co, ()| {
        let _g = Guard(d);
        co.yield_(1);
        panic!("body failed");
    });
    assert_eq!(g.next(), Some(1));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.next())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"body failed"));
    assert_eq!(drops.get(), 1);
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.next(), None);
}

#[test]
fn stack_sizes_are_validated() {
    let small = Gen::builder().stack_size(MIN_STACK_SIZE - 1).build(|co, ()| co.yield_(1));
    let err = small.unwrap_err();
    assert!(matches!(err, StackError::TooSmall { .. }));
    assert!(err.to_string().contains("GenBuilder::stack_size"), "{err}");
    let huge = Gen::builder().stack_size(usize::MAX).build(|co, ()| co.yield_(1));
    assert!(matches!(huge.unwrap_err(), StackError::TooLarge { .. }));
    let ok = Gen::builder().stack_size(MIN_STACK_SIZE).build(|co, ()| co.yield_(1));
    assert_eq!(ok.unwrap().collect::<Vec<_>>(), [1]);
}

#[test]
fn pool_reuses_stacks_and_stays_bounded() {
    clear_pool();
    let g = Gen::new(|co, ()| co.yield_(1));
    assert_eq!(pool_stats().stacks, 0);
    drop(g);
    assert_eq!(pool_stats().stacks, 1);
    let g = Gen::new(|co, ()| co.yield_(2));
    assert_eq!(pool_stats().stacks, 0, "the pooled stack was reused");
    drop(g);
    let many: Vec<_> = (0..100).map(|i| Gen::new(move |co, ()| co.yield_(i))).collect();
    drop(many);
    // 32 hot places, the rest in the live tier (default-size stacks, up to LIVE_POOL_CAPACITY
    // in the process).
    assert_eq!(pool_stats().stacks, 100);
    let many: Vec<_> = (0..100).map(|i| Gen::new(move |co, ()| co.yield_(i))).collect();
    assert_eq!(pool_stats().stacks, 0, "all reused");
    drop(many);
    assert!(pool_stats().stacks <= stasis_core::POOL_CAPACITY + stasis_core::LIVE_POOL_CAPACITY);
    // Unpooled generators never touch the pool.
    clear_pool();
    drop(Gen::builder().pooled(false).build(|co, ()| co.yield_(1)).unwrap());
    assert_eq!(pool_stats().stacks, 0);
}

#[test]
fn return_value_is_kept_for_iterators_and_read_once() {
    let mut g = Gen::new(|co, ()| {
        co.yield_(1);
        co.yield_(2);
        "Done!"
    });
    assert_eq!(g.by_ref().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(g.take_return(), Some("Done!"));
    assert_eq!(g.take_return(), None);
    assert_eq!(g.next(), None);
}

#[test]
fn debug_shows_state() {
    let g = Gen::new(|co, ()| co.yield_(1));
    assert!(format!("{g:?}").contains("Created"));
}

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

/// Stackful generators are `!Send` and `!Sync`: a suspended body may hold thread-locals or
/// `Rc`s on its stack, which another thread must not touch. The yield handle is neither.
/// State machines are `Send`/`Sync` exactly when their coroutine is; errors are `Send + Sync`.
#[test]
fn auto_traits() {
    static_assertions::assert_not_impl_any!(Gen<i32>: Send);
    static_assertions::assert_not_impl_any!(Gen<i32>: Sync);
    static_assertions::assert_not_impl_any!(Co<i32>: Send);
    static_assertions::assert_not_impl_any!(Co<i32>: Sync);
    assert_send::<StackError>();
    assert_sync::<StackError>();
    #[cfg(feature = "nightly")]
    assert_send::<
        stasis_core::StateMachine<
            std::pin::Pin<Box<dyn std::ops::Coroutine<Yield = i32, Return = ()> + Send>>,
        >,
    >();
}

/// A `Gen` is moved by value (returned from functions, passed to adaptors): what describes its
/// stack (size, pooled or not, delegation state) lives in the stack's reserved top bytes, so
/// the handle is corosensei's coroutine plus one pointer (its slot) and the kept outcome
/// (`Option<Result<R, Thrown<E>>>`, for `Iterator::next`): 64 bytes for `Gen<u64>` (80 under
/// sanitizers, whose coroutine is 16 bytes bigger). Every byte more is copied at each move.
#[test]
fn the_handle_stays_small() {
    use stasis_core::Thrown;
    use std::mem::size_of;
    let coroutine = size_of::<corosensei::Coroutine<(), u64, ()>>();
    let pointer = size_of::<usize>();
    let outcome = |n: usize| n.next_multiple_of(pointer);
    assert_eq!(
        size_of::<Gen<u64>>(),
        coroutine
            + pointer
            + outcome(size_of::<Option<Result<(), Thrown<std::convert::Infallible>>>>())
    );
    assert_eq!(
        size_of::<Gen<u64, u64, u64, u64>>(),
        coroutine + pointer + outcome(size_of::<Option<Result<u64, Thrown<u64>>>>())
    );
    let g = Gen::builder().stack_size(64 * 1024).pooled(false).build(|co, ()| co.yield_(1u8));
    let g = g.expect("stack");
    assert_eq!(g.stack_size(), 64 * 1024);
    assert!(format!("{g:?}").contains("pooled: false"), "{g:?}");
}
