//! Unwinding a generator stack, and yields that happen while it unwinds (issue 9 A3, A4): every
//! yielded value is dropped exactly once, the consumer never sees `std::thread::panicking()`
//! from a generator, and no use of the API aborts the process. The cases that aborted before
//! the fix run in a child process (`support::child`), so an abort fails the parent's assertion
//! instead of the run.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Mutex;

use stasis::{CloseError, Co, Gen, Generator, RuntimeError, State, Step, Thrown};

/// Counts its creations and drops in a shared pair of counters.
struct Counted(Rc<(Cell<u32>, Cell<u32>)>);

impl Counted {
    fn new(counts: &Rc<(Cell<u32>, Cell<u32>)>) -> Self {
        counts.0.set(counts.0.get() + 1);
        Counted(counts.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.1.set(self.0.1.get() + 1);
    }
}

// --------------------------------------------------------------- A4: values yielded while unwound

#[test]
fn a_value_yielded_after_swallowing_the_forced_unwind_is_dropped() {
    // The body swallows the drop's forced unwind and yields again, so the drop leaves its
    // stack as it is (see `dropping_a_generator_that_keeps_swallowing_its_unwinding_ends`):
    // in a child, where that leak is expected.
    exits_normally_leaking(|| {
        let counts = Rc::new((Cell::new(0), Cell::new(0)));
        let c = counts.clone();
        let mut g = Gen::new(move |co, ()| {
            co.yield_(Counted::new(&c));
            // A bare `except:` around a yield: swallows the exit of the drop's close...
            let _ = catch_unwind(AssertUnwindSafe(|| co.yield_(Counted::new(&c))));
            // ...and then the unwinding the drop forces after the body ignored that exit.
            let _ = catch_unwind(AssertUnwindSafe(|| co.yield_(Counted::new(&c))));
            co.yield_(Counted::new(&c));
        });
        assert!(g.next().is_some());
        assert!(g.next().is_some());
        drop(g);
        let (made, dropped) = (counts.0.get(), counts.1.get());
        assert_eq!(made, 4, "the body yielded four values");
        assert_eq!(dropped, made, "every yielded value is dropped exactly once");
    });
}

// ------------------------------------------------ A3: a destructor that yields while unwound

/// Python's `finally: yield 99` spelled as a guard: its `Drop` yields with `yield_`.
struct YieldOnDrop<'a>(&'a Co<u32>);

impl Drop for YieldOnDrop<'_> {
    fn drop(&mut self) {
        self.0.yield_(99);
    }
}

/// The same with `try_yield`, which also sees the exit raised into it.
struct TryYieldOnDrop<'a, E>(&'a Co<u32, (), E>);

impl<E> Drop for TryYieldOnDrop<'_, E> {
    fn drop(&mut self) {
        let _ = self.0.try_yield(99);
    }
}

fn yield_guarded() -> Gen<u32> {
    Gen::new(|co, ()| {
        let _finally = YieldOnDrop(co);
        co.yield_(1);
        co.yield_(2);
    })
}

fn try_yield_guarded() -> Gen<u32> {
    Gen::new(|co, ()| {
        let _finally = TryYieldOnDrop(co);
        co.yield_(1);
        co.yield_(2);
    })
}

/// What the consumer must see after a generator was unwound: a thread that is not panicking,
/// whose locks are not poisoned, and whose own panics are caught as usual.
fn assert_consumer_unaffected() {
    assert!(!std::thread::panicking(), "the consumer must not see a panicking thread");
    let lock = Mutex::new(0);
    drop(lock.lock().unwrap());
    assert!(!lock.is_poisoned(), "a Mutex the consumer unlocks must not be poisoned");
    let caught = catch_unwind(|| panic!("the consumer's own panic"));
    assert!(caught.is_err());
}

#[test]
fn close_reports_the_value_a_yield_on_drop_guard_yields_and_leaves_the_thread_calm() {
    for mut g in [yield_guarded(), try_yield_guarded()] {
        assert_eq!(g.next(), Some(1));
        assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
        assert_consumer_unaffected();
        // As in CPython (`corner_close_finally_that_yields`): the generator stays suspended
        // at the value the `finally` yielded, though the body is unwound by now (the
        // unwinding finished before the value came out), and the exit comes out of the next
        // resume.
        assert_eq!(g.state(), State::Suspended);
        assert_eq!(g.resume(()), Step::Raised(Thrown::Exit));
        assert_consumer_unaffected();
        assert_eq!(g.state(), State::Closed);
        assert_eq!(g.close(), Ok(None));
        assert_eq!(g.next(), None);
    }
}

#[test]
fn iterator_next_after_close_reported_a_yielding_guard_panics_as_documented() {
    // CPython's `next()` raises GeneratorExit there; an `Iterator` cannot report it, and
    // ending early would lose it (documented on `Gen`'s `Iterator` impl).
    let mut g = try_yield_guarded();
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
    assert!(catch_unwind(AssertUnwindSafe(|| g.next())).is_err());
    assert_eq!(g.state(), State::Closed);
    assert_eq!(g.next(), None);
}

#[test]
fn after_close_reported_a_yielding_guard_close_and_throw_end_the_generator_as_in_cpython() {
    let guarded = || {
        Gen::<u32>::throwing::<&str>(|co, ()| {
            struct Finally<'a>(&'a stasis::Co<u32, (), &'static str>);
            impl Drop for Finally<'_> {
                fn drop(&mut self) {
                    let _ = self.0.try_yield(99);
                }
            }
            let _finally = Finally(co);
            co.yield_(1);
        })
    };
    let mut g = guarded();
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
    // CPython: the second close raises GeneratorExit at the `finally`'s yield, which ends it.
    assert_eq!(g.close(), Ok(None));
    assert_eq!(g.state(), State::Closed);
    let mut g = guarded();
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
    // CPython: the thrown error replaces the GeneratorExit.
    assert_eq!(g.throw("boom"), Step::Raised(Thrown::Error("boom")));
    assert_eq!(g.state(), State::Closed);
    let mut g = guarded();
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
    // Dropped there: silent, and nothing leaks (`cargo xtask asan`).
    drop(g);
    assert_consumer_unaffected();
}

#[test]
fn a_borrowed_delegate_whose_guard_yields_while_a_close_cascades_stays_suspended_there() {
    // CPython: the delegate's close raises RuntimeError into the delegator at its `yield
    // from`, and the delegate stays suspended in its `finally`; resumed, it raises the exit.
    let mut outer = Gen::<u32, &str>::new(|co, ()| {
        let mut sub = Gen::new(|co, ()| {
            let _finally = TryYieldOnDrop(co);
            co.yield_(1);
        });
        let got = co.delegate(&mut sub, ());
        assert_eq!(got, Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
        assert_eq!(sub.state(), State::Suspended);
        assert_eq!(sub.resume(()), Step::Raised(Thrown::Exit));
        assert_eq!(sub.state(), State::Closed);
        "recovered"
    });
    assert_eq!(outer.resume(()), Step::Yielded(1));
    assert_eq!(outer.close(), Ok(Some("recovered")));
    assert_consumer_unaffected();
}

#[test]
fn an_unhandled_throw_through_a_yielding_destructor_leaves_the_thread_calm() {
    // CPython: the `finally` yields while the error propagates (`throw` returns the value),
    // and the error comes out of the next resume (`corner_throw_through_finally_that_yields`).
    let mut g = Gen::<u32>::throwing::<&str>(|co, ()| {
        let _finally = TryYieldOnDrop(co);
        co.yield_(1);
    });
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.throw("boom"), Step::Yielded(99));
    assert_consumer_unaffected();
    assert_eq!(g.state(), State::Suspended);
    assert_eq!(g.resume(()), Step::Raised(Thrown::Error("boom")));
    assert_consumer_unaffected();
    assert_eq!(g.state(), State::Closed);
}

#[test]
fn a_yielding_destructor_of_a_delegate_makes_the_outer_close_report_its_value() {
    let mut outer = Gen::new(|co, ()| {
        let mut sub = try_yield_guarded();
        co.delegate(&mut sub, ()).unwrap_or_else(|t| co.raise(t));
    });
    assert_eq!(outer.next(), Some(1));
    assert_eq!(outer.close(), Err(CloseError::IgnoredExit(99)));
    assert_consumer_unaffected();
    assert_eq!(outer.state(), State::Closed);
}

#[test]
fn a_body_that_catches_the_exit_still_yields_normally_afterwards() {
    // The unwinding stasis started was caught by the body (a bare `except:`): yields suspend
    // again, as before.
    let mut g = Gen::new(|co, ()| {
        let _ = catch_unwind(AssertUnwindSafe(|| co.yield_(1)));
        co.yield_(2);
        co.yield_(3);
    });
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit(2)));
    assert_eq!(g.next(), Some(3));
    assert_eq!(g.next(), None);
}

/// Runs `scenario` in a child process unless this is the child; asserts the child exited
/// normally (status 0, no signal) and never printed "panic while panicking"; returns its
/// stderr (`None` in the child).
fn exits_normally(scenario: impl FnOnce()) -> Option<String> {
    crate::support::child::alone(false, scenario)
}

/// [`exits_normally`] for a scenario that leaks a generator stack on purpose.
fn exits_normally_leaking(scenario: impl FnOnce()) -> Option<String> {
    crate::support::child::alone(true, scenario)
}

#[test]
fn closing_twice_a_generator_whose_guard_yields_does_not_abort() {
    exits_normally(|| {
        let mut g = yield_guarded();
        assert_eq!(g.next(), Some(1));
        assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
        assert_eq!(g.close(), Ok(None));
        drop(g);
        assert_consumer_unaffected();
    });
}

#[test]
fn dropping_a_generator_whose_guard_try_yields_does_not_abort() {
    exits_normally(|| {
        let mut g = try_yield_guarded();
        assert_eq!(g.next(), Some(1));
        assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
        drop(g);
        let mut g = try_yield_guarded();
        assert_eq!(g.next(), Some(1));
        drop(g);
        assert_consumer_unaffected();
    });
}

#[test]
fn a_consumer_panic_after_closing_a_yielding_guard_is_an_ordinary_panic() {
    exits_normally(|| {
        let mut g = yield_guarded();
        assert_eq!(g.next(), Some(1));
        let _ = g.close();
        let caught = catch_unwind(|| panic!("mine"));
        assert!(caught.is_err());
    });
}

#[test]
fn a_destructor_that_delegates_while_unwound_does_not_start_the_delegate() {
    struct DelegateOnDrop<'a>(&'a Co<u32>, Rc<Cell<bool>>);
    impl Drop for DelegateOnDrop<'_> {
        fn drop(&mut self) {
            let started = self.1.clone();
            let mut sub = Gen::new(move |co, ()| {
                started.set(true);
                co.yield_(7);
            });
            // Python: `finally: yield from sub()`; the delegate could only yield, which the
            // body cannot do while it unwinds.
            assert_eq!(self.0.delegate(&mut sub, ()), Err(Thrown::Exit));
        }
    }
    let started = Rc::new(Cell::new(false));
    let s = started.clone();
    let mut g = Gen::new(move |co, ()| {
        let _finally = DelegateOnDrop(co, s);
        co.yield_(1);
    });
    assert_eq!(g.next(), Some(1));
    assert_eq!(g.close(), Ok(None));
    assert_consumer_unaffected();
    assert!(!started.get(), "the delegate was not started");
}

// ------------------- A3: `yield_` in a destructor with a send type other than `()`

/// Python's `finally: yield 99` spelled with `yield_` and a send type other than `()`: there
/// is no value for `yield_` to return without suspending, so the body suspends inside the
/// destructor, in the middle of its unwinding.
struct SendingGuard<'a, E>(&'a Co<u32, u32, E>);

impl<E> Drop for SendingGuard<'_, E> {
    fn drop(&mut self) {
        self.0.yield_(99);
    }
}

fn send_guarded<E: 'static>() -> Gen<u32, (), u32, E> {
    Gen::<u32, (), u32>::throwing::<E>(|co, _| {
        let _finally = SendingGuard(co);
        co.yield_(1);
        co.yield_(2);
    })
}

const SUSPENDED: RuntimeError = RuntimeError::SuspendedInDestructor;

#[test]
fn a_generator_suspended_in_a_yielding_destructor_refuses_close_and_throw_until_sent() {
    // Before: the second close raised the exit into the destructor, which aborted the process
    // ("panic in a destructor during cleanup").
    exits_normally(|| {
        let mut g = send_guarded::<&str>();
        assert_eq!(g.resume(0), Step::Yielded(1));
        assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
        // As in CPython: still suspended at the yield in the `finally`.
        assert_eq!(g.state(), State::Suspended);
        // Documented: until the body gets a value, its unwinding is not finished, and std
        // counts it on this thread.
        assert!(std::thread::panicking());
        // CPython would raise the exit (or the error) at that yield; here it would have
        // to leave a destructor by unwinding, which aborts: refused, with an error value.
        assert_eq!(g.close(), Err(CloseError::Runtime(SUSPENDED)));
        assert_eq!(g.throw("boom"), Step::Raised(Thrown::Runtime(SUSPENDED)));
        assert_eq!(g.throw_exit(), Step::Raised(Thrown::Runtime(SUSPENDED)));
        assert_eq!(g.state(), State::Suspended);
        // A sent value lets the destructor finish, and the exit of the first close goes on.
        assert_eq!(g.resume(0), Step::Raised(Thrown::Exit));
        assert_eq!(g.state(), State::Closed);
        assert_consumer_unaffected();
    });
}

#[test]
fn the_error_of_a_generator_suspended_in_a_destructor_says_what_to_do() {
    let message = SUSPENDED.to_string();
    for part in ["destructor", "send", "try_yield", "()"] {
        assert!(message.contains(part), "{message}");
    }
}

#[test]
fn a_throw_through_a_yielding_destructor_yields_its_value_and_a_send_raises_the_error() {
    exits_normally(|| {
        // CPython: `g.throw(ValueError("boom"))` returns 99 (the `finally` yields), and
        // `g.send(0)` then raises the ValueError. A close in between would raise
        // GeneratorExit at that yield: refused here, as above.
        let mut g = send_guarded::<&str>();
        assert_eq!(g.resume(0), Step::Yielded(1));
        assert_eq!(g.throw("boom"), Step::Yielded(99));
        assert_eq!(g.close(), Err(CloseError::Runtime(SUSPENDED)));
        assert_eq!(g.resume(0), Step::Raised(Thrown::Error("boom")));
        assert_consumer_unaffected();
    });
}

#[test]
fn dropping_a_generator_suspended_in_a_yielding_destructor_leaks_it_instead_of_aborting() {
    let stderr = exits_normally_leaking(|| {
        let counts = Rc::new((Cell::new(0), Cell::new(0)));
        let guarded = |counts: &Rc<(Cell<u32>, Cell<u32>)>| {
            let c = counts.clone();
            Gen::<u32, (), u32>::new(move |co, _| {
                let _outer = Counted::new(&c);
                let _finally = SendingGuard(co);
                co.yield_(1);
            })
        };
        // Closed first, then dropped while suspended in the destructor.
        let mut g = guarded(&counts);
        assert_eq!(g.resume(0), Step::Yielded(1));
        assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
        drop(g);
        // Dropped at once: the drop's own close suspends the body in the destructor.
        let mut g = guarded(&counts);
        assert_eq!(g.resume(0), Step::Yielded(1));
        drop(g);
        // The stacks were left as they were: what their frames own is leaked, not dropped.
        assert_eq!((counts.0.get(), counts.1.get()), (2, 0));
        // Documented: the unwinding of those bodies never finishes, so std goes on
        // counting it on this thread; the consumer's own panics are still caught.
        assert!(std::thread::panicking());
        assert!(catch_unwind(|| panic!("the consumer's own panic")).is_err());
    });
    if let Some(stderr) = stderr {
        let said = stderr.matches("stasis: a generator was dropped while suspended in").count();
        assert_eq!(said, 2, "one message per leaked generator; stderr:\n{stderr}");
    }
}

#[test]
fn closing_a_delegator_whose_delegate_is_suspended_in_a_yielding_destructor_does_not_abort() {
    exits_normally_leaking(|| {
        let mut outer = Gen::<u32, (), u32>::throwing::<&str>(|co, _| {
            let mut sub = send_guarded::<&str>();
            co.delegate(&mut sub, 0).unwrap_or_else(|t| co.raise(t));
        });
        assert_eq!(outer.resume(0), Step::Yielded(1));
        // The throw goes to the delegate, whose destructor yields while it unwinds.
        assert_eq!(outer.throw("boom"), Step::Yielded(99));
        // The close cannot reach the delegate: its delegator gets the error at its
        // `yield from`, re-raises it, and the delegate is dropped (leaked) with its frame.
        assert_eq!(outer.close(), Err(CloseError::Runtime(SUSPENDED)));
        assert_eq!(outer.state(), State::Closed);
    });
}

#[test]
fn a_generator_suspended_in_a_yielding_destructor_at_thread_exit_is_leaked_without_aborting() {
    thread_local! {
        static HOLDER: RefCell<Option<Gen<u32, (), u32>>> = const { RefCell::new(None) };
    }
    let stderr = exits_normally_leaking(|| {
        std::thread::spawn(|| {
            HOLDER.with(|h| {
                let mut g = send_guarded::<Infallible>();
                assert_eq!(g.resume(0), Step::Yielded(1));
                *h.borrow_mut() = Some(g);
            });
            // At thread exit the generator is only unwound (see "Thread exit" in the `Gen`
            // docs): its destructor yields, and the drop leaves it suspended there.
        })
        .join()
        .unwrap();
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped while suspended in a destructor";
        assert!(stderr.contains(said), "stderr:\n{stderr}");
    }
}

// ------------------------------------------------ a body that never lets its unwinding finish

/// A body with a bare `except:` around a yield, in a loop: it swallows every exit and every
/// unwinding, and yields a counted value each time.
fn swallowing(counts: &Rc<(Cell<u32>, Cell<u32>)>) -> Gen<Counted> {
    let c = counts.clone();
    Gen::new(move |co, ()| {
        loop {
            let _ = catch_unwind(AssertUnwindSafe(|| co.yield_(Counted::new(&c))));
        }
    })
}

#[test]
fn dropping_a_generator_that_keeps_swallowing_its_unwinding_ends() {
    // Before: `Gen::drop` unwound the body again after every yield, for ever.
    let stderr = exits_normally_leaking(|| {
        let counts = Rc::new((Cell::new(0), Cell::new(0)));
        let mut g = swallowing(&counts);
        assert!(g.next().is_some());
        // As CPython's close of a generator that keeps yielding: it ignored the exit.
        assert!(matches!(g.close(), Err(CloseError::IgnoredExit(_))));
        drop(g);
        // Every value it yielded was dropped, once: the first by the test, the second
        // (the close's) above, then the one yielded after the drop's close and the one
        // yielded after its one forced unwind.
        assert_eq!((counts.0.get(), counts.1.get()), (4, 4));
        assert_consumer_unaffected();
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped whose body swallowed its unwinding";
        assert!(stderr.contains(said), "stderr:\n{stderr}");
    }
}

// ------------------------------- a yield in a destructor while a panic of the body unwinds it

/// What the yields (or delegations) of a guard returned, in order.
type Outcomes<T> = Rc<RefCell<Vec<Result<T, Thrown<Infallible>>>>>;

/// Anything, kept for its destructor (a guard).
trait Guard {}
impl<T> Guard for T {}

/// Makes a guard on a body's stack from its `Co`.
type MakeGuard<S> = for<'a> fn(&'a Co<u32, S>) -> Box<dyn Guard + 'a>;

/// A body that yields 1 and then panics itself, with `guard` (made from its `Co`) on its stack:
/// Python's `try: yield 1; raise ValueError` / `finally: yield 99`.
fn panicking_body<S: 'static>(guard: MakeGuard<S>) -> Gen<u32, (), S> {
    Gen::<u32, (), S>::new(move |co, _| {
        let _finally = guard(co);
        co.yield_(1);
        panic!("the body's own panic");
    })
}

/// Resumes `g`, which must panic with the body's own panic.
fn resume_panics<S>(g: &mut Gen<u32, (), S>, sent: S) {
    let caught = catch_unwind(AssertUnwindSafe(|| g.resume(sent))).unwrap_err();
    assert_eq!(panic_message(&*caught), "the body's own panic");
}

#[test]
fn a_yield_in_a_destructor_during_a_panic_of_the_body_is_handed_out_before_the_panic_goes_on() {
    // Before: the body suspended in its destructor, mid-unwind and unmarked: the consumer saw
    // the value with its thread panicking, and a close (or a drop) raised the exit into that
    // destructor, which aborted the process. CPython: `next(g)` gives 99 (the `finally`
    // yields while the ValueError propagates), the next `next(g)` raises the ValueError; a
    // `close()` instead raises GeneratorExit at that yield and returns None.
    exits_normally(|| {
        let guards: [MakeGuard<()>; 2] =
            [|co| Box::new(YieldOnDrop(co)), |co| Box::new(TryYieldOnDrop(co))];
        for guard in guards {
            let mut g = panicking_body(guard);
            assert_eq!(g.next(), Some(1));
            assert_eq!(g.next(), Some(99));
            assert_consumer_unaffected();
            assert_eq!(g.state(), State::Suspended);
            resume_panics(&mut g, ());
            assert_eq!(g.state(), State::Closed);
            assert_consumer_unaffected();

            let mut g = panicking_body(guard);
            assert_eq!(g.next(), Some(1));
            assert_eq!(g.next(), Some(99));
            assert_eq!(g.close(), Ok(None), "the exit replaces the panic, as in CPython");
            assert_eq!(g.state(), State::Closed);
            assert_consumer_unaffected();

            let mut g = panicking_body(guard);
            assert_eq!(g.next(), Some(1));
            assert_eq!(g.next(), Some(99));
            drop(g);
            assert_consumer_unaffected();
        }
    });
}

#[test]
fn try_yield_in_a_destructor_during_a_panic_of_the_body_returns_the_exit_at_once() {
    exits_normally(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let mut g = Gen::<u32, (), u32>::new(move |co, _| {
            struct Finally<'a>(&'a Co<u32, u32>, Outcomes<u32>);
            impl Drop for Finally<'_> {
                fn drop(&mut self) {
                    let first = self.0.try_yield(98);
                    let second = self.0.try_yield(99);
                    self.1.borrow_mut().extend([first, second]);
                }
            }
            let _finally = Finally(co, s);
            co.yield_(1);
            panic!("the body's own panic");
        });
        assert_eq!(g.resume(0), Step::Yielded(1));
        // Both values come out, in order, after the body's unwinding reached its base; what is
        // sent to them is dropped (the `try_yield`s had returned already).
        assert_eq!(g.resume(0), Step::Yielded(98));
        assert_eq!(*seen.borrow(), [Err(Thrown::Exit), Err(Thrown::Exit)]);
        assert_consumer_unaffected();
        assert_eq!(g.resume(5), Step::Yielded(99));
        resume_panics(&mut g, 6);
        assert_eq!(g.state(), State::Closed);
    });
}

#[test]
fn a_throw_at_a_value_yielded_during_a_panic_of_the_body_replaces_the_panic() {
    // CPython: `g.throw(KeyError)` at the `finally`'s yield raises the KeyError instead.
    exits_normally(|| {
        let mut g = Gen::<u32>::throwing::<&str>(|co, ()| {
            let _finally = TryYieldOnDrop(co);
            co.yield_(1);
            panic!("the body's own panic");
        });
        assert_eq!(g.resume(()), Step::Yielded(1));
        assert_eq!(g.resume(()), Step::Yielded(99));
        assert_eq!(g.throw("boom"), Step::Raised(Thrown::Error("boom")));
        assert_eq!(g.state(), State::Closed);
        assert_consumer_unaffected();
    });
}

#[test]
fn a_value_yielded_during_a_panic_the_body_catches_comes_out_before_its_next_value() {
    // CPython: `try: try: raise ValueError / finally: yield 99 / except ValueError: pass`,
    // then `yield 5`: 99, then 5.
    exits_normally(|| {
        let mut g = Gen::new(|co, ()| {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let _finally = YieldOnDrop(co);
                panic!("the body's own panic");
            }));
            co.yield_(5);
        });
        assert_eq!(g.next(), Some(99));
        assert_consumer_unaffected();
        assert_eq!(g.next(), Some(5));
        assert_eq!(g.next(), None);
        // The same when the body returns right after catching it.
        let mut g = Gen::<u32, &str>::new(|co, ()| {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let _finally = YieldOnDrop(co);
                panic!("the body's own panic");
            }));
            "done"
        });
        assert_eq!(g.resume(()), Step::Yielded(99));
        assert_eq!(g.resume(()), Step::Complete("done"));
    });
}

#[test]
fn a_yield_with_a_value_to_receive_during_a_panic_of_the_body_suspends_marked() {
    // A send type other than `()`: `yield_` has nothing to return without suspending, so it
    // suspends mid-unwind, as in a destructor run by a close; close and throw are refused
    // instead of aborting, and a sent value lets the panic go on.
    exits_normally(|| {
        let mut g = panicking_body::<u32>(|co| Box::new(SendingGuard(co)));
        assert_eq!(g.resume(0), Step::Yielded(1));
        assert_eq!(g.resume(0), Step::Yielded(99));
        assert!(std::thread::panicking(), "documented: the body's unwinding is not finished");
        assert_eq!(g.close(), Err(CloseError::Runtime(SUSPENDED)));
        resume_panics(&mut g, 0);
        assert_eq!(g.state(), State::Closed);
        assert_consumer_unaffected();
    });
}

#[test]
fn dropping_a_generator_suspended_in_a_yielding_destructor_during_its_panic_leaks_it() {
    let stderr = exits_normally_leaking(|| {
        let mut g = panicking_body::<u32>(|co| Box::new(SendingGuard(co)));
        assert_eq!(g.resume(0), Step::Yielded(1));
        assert_eq!(g.resume(0), Step::Yielded(99));
        drop(g);
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped while suspended in a destructor";
        assert!(stderr.contains(said), "stderr:\n{stderr}");
    }
}

#[test]
fn a_destructor_that_delegates_during_a_panic_of_the_body_does_not_start_its_delegate() {
    // A destructor that delegates while the body unwinds its own panic gets `Err(Thrown::Exit)`
    // at once, as `try_yield` does there, and its delegate is never started: its values could
    // only be handed out from the middle of the unwinding, where the consumer would find its
    // thread panicking. The body's panic goes on to the consumer. (Before, the delegate ran
    // and its value came out mid-unwind: the consumer saw `panicking() == true`.)
    struct DelegateOnDrop<'a>(&'a Co<u32>, Outcomes<()>, Rc<Cell<bool>>);
    impl Drop for DelegateOnDrop<'_> {
        fn drop(&mut self) {
            let started = self.2.clone();
            let mut sub = Gen::new(move |co, ()| {
                started.set(true);
                co.yield_(7)
            });
            let got = self.0.delegate(&mut sub, ());
            self.1.borrow_mut().push(got);
        }
    }
    exits_normally(|| {
        let got = Rc::new(RefCell::new(Vec::new()));
        let started = Rc::new(Cell::new(false));
        let (g_got, g_started) = (got.clone(), started.clone());
        let mut g = Gen::new(move |co, ()| {
            let _finally = DelegateOnDrop(co, g_got, g_started);
            co.yield_(1);
            panic!("the body's own panic");
        });
        assert_eq!(g.next(), Some(1));
        let caught = catch_unwind(AssertUnwindSafe(|| g.next())).unwrap_err();
        assert_eq!(panic_message(&*caught), "the body's own panic");
        assert_eq!(*got.borrow(), [Err(Thrown::Exit)]);
        assert!(!started.get(), "the delegate never started");
        assert_eq!(g.state(), State::Closed);
        assert_consumer_unaffected();
    });
}

#[test]
fn a_generator_resumed_from_a_destructor_during_the_consumers_panic_yields_as_usual() {
    // The thread is panicking when the body is resumed (the consumer's own panic): its yields
    // are ordinary ones, not yields of a body unwinding.
    struct Drain(Gen<u32>, Rc<RefCell<Vec<u32>>>);
    impl Drop for Drain {
        fn drop(&mut self) {
            self.1.borrow_mut().extend(&mut self.0);
        }
    }
    let got = Rc::new(RefCell::new(Vec::new()));
    let g = Gen::new(|co, ()| {
        let _finally = TryYieldOnDrop(co);
        co.yield_(1);
        co.yield_(2);
    });
    drop_while_panicking(Drain(g, got.clone()));
    assert_eq!(*got.borrow(), [1, 2, 99]);
}

#[test]
fn an_error_raised_through_a_yielding_destructor_during_the_consumers_panic_yields_first() {
    // Resumed from a destructor while the consumer panics, the body raises an error through a
    // guard that yields (stasis's unwinding carries a tracked payload then): the value still
    // comes out before the error, as CPython's `finally: yield` does.
    type Steps = Rc<RefCell<Vec<Step<u32, (), &'static str>>>>;
    struct Drive(Gen<u32, (), (), &'static str>, Steps);
    impl Drop for Drive {
        fn drop(&mut self) {
            for _ in 0..3 {
                let step = self.0.resume(());
                self.1.borrow_mut().push(step);
            }
        }
    }
    let steps: Steps = Rc::default();
    let g = Gen::<u32>::throwing::<&str>(|co, ()| {
        let _finally = TryYieldOnDrop(co);
        co.yield_(1);
        co.raise(Thrown::Error("boom"))
    });
    drop_while_panicking(Drive(g, steps.clone()));
    assert_eq!(
        *steps.borrow(),
        [Step::Yielded(1), Step::Yielded(99), Step::Raised(Thrown::Error("boom"))]
    );
}

// ------------------------------------------------- panics in destructors run by a drop or close

/// Panics when dropped while its flag is armed, once (dropping disarms it): a value whose
/// destructor panics, set off only when the test says so.
struct Bomb(Rc<Cell<bool>>);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0.replace(false) {
            panic!("a destructor panicked");
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("")
}

/// A capture of a body closure that counts its drops and panics on the first.
struct Capture(Rc<Cell<u32>>);

impl Drop for Capture {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
        if self.0.get() == 1 {
            panic!("a capture's destructor panicked");
        }
    }
}

fn unstarted_with_capture(drops: &Rc<Cell<u32>>) -> Gen<u64, (), (), &'static str> {
    let capture = Capture(drops.clone());
    // On the heap: a second drop of the closure would free it twice.
    let data: Vec<u64> = std::iter::repeat_n(7, 16).collect();
    Gen::<u64>::throwing::<&'static str>(move |co, ()| {
        let _capture = &capture;
        co.yield_(data[0]);
    })
}

#[test]
fn discarding_an_unstarted_generator_whose_closure_panics_on_drop_drops_it_once() {
    // Before: corosensei marks the coroutine finished only after the closure was dropped, so a
    // panic there left it "created": the next resume ran the dropped closure (its captures
    // freed) and the drop dropped it a second time (a double free).
    exits_normally(|| {
        for discard in [
            (|g: &mut Gen<u64, (), (), &str>| drop(g.close())) as fn(&mut _),
            |g| {
                let _ = g.throw("boom");
            },
            |g| {
                let _ = g.throw_exit();
            },
        ] {
            let drops = Rc::new(Cell::new(0));
            let mut g = unstarted_with_capture(&drops);
            let caught = catch_unwind(AssertUnwindSafe(|| discard(&mut g))).unwrap_err();
            assert_eq!(panic_message(&*caught), "a capture's destructor panicked");
            assert_eq!(drops.get(), 1, "the closure was dropped, once");
            assert_eq!(g.state(), State::Closed, "a discarded body never runs");
            assert_eq!(g.resume(()), Step::Exhausted);
            drop(g);
            assert_eq!(drops.get(), 1, "the drop does not drop the closure again");
        }
    });
}

#[test]
fn dropping_an_unstarted_generator_whose_closure_panics_on_drop_gives_its_stack_back() {
    stasis::clear_pool();
    let drops = Rc::new(Cell::new(0));
    let g = unstarted_with_capture(&drops);
    let caught = catch_unwind(AssertUnwindSafe(|| drop(g))).unwrap_err();
    assert_eq!(panic_message(&*caught), "a capture's destructor panicked");
    assert_eq!(drops.get(), 1);
    assert_eq!(stasis::pool_stats().stacks, 1, "the stack went back to the pool");
}

/// Yields a [`Bomb`] from a destructor with `yield_` and a send type other than `()`: the body
/// suspends there, in the middle of its unwinding.
struct BombGuard<'a>(&'a Co<Bomb, u32>, Rc<Cell<bool>>);

impl Drop for BombGuard<'_> {
    fn drop(&mut self) {
        self.0.yield_(Bomb(self.1.clone()));
    }
}

#[test]
fn a_panic_dropping_a_value_a_destructor_yields_while_dropped_does_not_abort() {
    // Before: the value's panic left `Gen::drop`, and its guard unwound the body by force where
    // it waited, inside its destructor: a panic out of a destructor during unwinding (abort).
    let stderr = exits_normally_leaking(|| {
        let armed = Rc::new(Cell::new(false));
        let a = armed.clone();
        let mut g = Gen::<Bomb, (), u32>::new(move |co, _| {
            let _finally = BombGuard(co, a.clone());
            co.yield_(Bomb(a));
        });
        assert!(matches!(g.resume(0), Step::Yielded(_)));
        armed.set(true);
        let caught = catch_unwind(AssertUnwindSafe(|| drop(g))).unwrap_err();
        assert_eq!(panic_message(&*caught), "a destructor panicked");
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped while suspended in a destructor";
        assert!(stderr.contains(said), "stderr:\n{stderr}");
    }
}

#[test]
fn a_panic_dropping_a_value_a_swallowing_body_yields_while_dropped_ends() {
    // Before: the value's panic left `Gen::drop`, and its guard unwound the body with
    // corosensei's `force_unwind`, which resumes a body that swallows it for ever (discarding,
    // without dropping, each value it yields).
    let stderr = exits_normally_leaking(|| {
        let armed = Rc::new(Cell::new(false));
        let counts = Rc::new((Cell::new(0), Cell::new(0)));
        let (a, c) = (armed.clone(), counts.clone());
        let mut g = Gen::new(move |co, ()| {
            loop {
                let _ = catch_unwind(AssertUnwindSafe(|| {
                    co.yield_((Bomb(a.clone()), Counted::new(&c)));
                }));
            }
        });
        assert!(g.next().is_some());
        armed.set(true);
        let caught = catch_unwind(AssertUnwindSafe(|| drop(g))).unwrap_err();
        assert_eq!(panic_message(&*caught), "a destructor panicked");
        // The first, the close's and the forced unwind's: each dropped once.
        assert_eq!((counts.0.get(), counts.1.get()), (3, 3));
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped whose body swallowed its unwinding";
        assert!(stderr.contains(said), "stderr:\n{stderr}");
    }
}

/// Drops `g` while the consumer unwinds a panic of its own (a generator dropped during a
/// panic), and checks that the panic reaches the consumer.
fn drop_while_panicking<G>(g: G) {
    let caught = catch_unwind(AssertUnwindSafe(move || {
        let _g = g;
        panic!("the consumer's own panic");
    }))
    .unwrap_err();
    assert_eq!(panic_message(&*caught), "the consumer's own panic");
}

#[test]
fn dropping_a_swallowing_generator_while_the_consumer_panics_ends() {
    // Before: the thread was panicking (the consumer's panic) whether or not the body had
    // caught the drop's exit, so each yield of a body that catches it in a loop was taken for
    // a destructor's yield while it unwinds, returned at once, and the drop never ended.
    let stderr = exits_normally_leaking(|| {
        let counts = Rc::new((Cell::new(0), Cell::new(0)));
        let mut g = swallowing(&counts);
        assert!(g.next().is_some());
        drop_while_panicking(g);
        // The first, the close's and the forced unwind's, each dropped once.
        assert_eq!((counts.0.get(), counts.1.get()), (3, 3));
        let mut g = Gen::<u32>::throwing::<&str>(|co, ()| {
            loop {
                let _ = catch_unwind(AssertUnwindSafe(|| co.try_yield(1)));
            }
        });
        assert_eq!(g.resume(()), Step::Yielded(1));
        drop_while_panicking(g);
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped whose body swallowed its unwinding";
        assert_eq!(stderr.matches(said).count(), 2, "stderr:\n{stderr}");
    }
}

#[test]
fn a_destructor_that_yields_while_a_generator_is_dropped_during_a_panic_does_not_suspend() {
    // The drop's exit is raised while the consumer panics: a yield from a destructor it runs
    // still returns at once (the exit is not caught), and every destructor runs.
    let counts = Rc::new((Cell::new(0), Cell::new(0)));
    let c = counts.clone();
    let mut g = Gen::new(move |co, ()| {
        let _outer = Counted::new(&c);
        let _finally = TryYieldOnDrop(co);
        let _inner = Counted::new(&c);
        co.yield_(1);
    });
    assert_eq!(g.next(), Some(1));
    drop_while_panicking(g);
    assert_eq!((counts.0.get(), counts.1.get()), (2, 2));
    assert_consumer_unaffected();
}

#[test]
fn nested_generators_each_suspended_in_a_yielding_destructor_are_leaked_without_aborting() {
    // A body owns another generator of the same shape; dropping the outer one closes it, the
    // inner one is dropped while the outer one unwinds (before the outer guard runs): each
    // suspends in its destructor.
    let stderr = exits_normally_leaking(|| {
        let mut outer = Gen::<u32, (), u32>::new(|co, _| {
            let _finally = SendingGuard(co);
            let mut inner = send_guarded::<Infallible>();
            assert_eq!(inner.resume(0), Step::Yielded(1));
            co.yield_(1);
            drop(inner);
        });
        assert_eq!(outer.resume(0), Step::Yielded(1));
        drop(outer);
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator was dropped while suspended in a destructor";
        assert_eq!(stderr.matches(said).count(), 2, "stderr:\n{stderr}");
    }
}

#[test]
fn closing_a_generator_from_a_destructor_of_another_body_follows_the_protocol() {
    // The inner close runs while the outer body unwinds (the thread is panicking): the inner
    // body catches its exit and yields, which is CPython's "generator ignored GeneratorExit",
    // not a yield from a destructor.
    exits_normally(|| {
        struct CloseOnDrop(Gen<u32>, Rc<RefCell<Vec<String>>>);
        impl Drop for CloseOnDrop {
            fn drop(&mut self) {
                let closed = format!("{:?}", self.0.close());
                self.1.borrow_mut().push(closed);
                self.1.borrow_mut().push(format!("{:?}", self.0.state()));
            }
        }
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let mut outer = Gen::new(move |co, ()| {
            let mut inner = Gen::new(|co, ()| {
                let _ = catch_unwind(AssertUnwindSafe(|| co.yield_(1)));
                co.yield_(2);
            });
            assert_eq!(inner.next(), Some(1));
            let _guard = CloseOnDrop(inner, l);
            co.yield_(10);
        });
        assert_eq!(outer.next(), Some(10));
        assert_eq!(outer.close(), Ok(None));
        assert_eq!(*log.borrow(), ["Err(IgnoredExit(2))", "Suspended"]);
        assert_consumer_unaffected();
    });
}

#[test]
fn a_generator_suspended_in_a_yielding_destructor_can_be_delegated_to_and_finishes() {
    // Adopted (a `Gen`) or driven through the protocol (a `Shared` handle): the delegation's
    // first value is what the destructor's yield returns, and the unwinding of the first close
    // goes on to its end, reaching the delegator as the exit it was.
    exits_normally(|| {
        let suspended = || {
            let mut g = send_guarded::<Infallible>();
            assert_eq!(g.resume(0), Step::Yielded(1));
            assert_eq!(g.close(), Err(CloseError::IgnoredExit(99)));
            g
        };
        let mut adopted = suspended();
        let mut shared = stasis::delegate::Shared::new(suspended());
        let handle = shared.clone();
        let mut outer = Gen::<u32, (), u32>::new(move |co, _| {
            assert_eq!(co.delegate(&mut adopted, 5), Err(Thrown::Exit));
            assert_eq!(adopted.state(), State::Closed);
            let mut handle = handle;
            assert_eq!(co.delegate(&mut handle, 5), Err(Thrown::Exit));
            co.yield_(7);
        });
        assert_eq!(outer.resume(0), Step::Yielded(7));
        assert_eq!(shared.state(), State::Closed);
        assert_eq!(shared.close(), Ok(None));
        drop(outer);
        assert_consumer_unaffected();
    });
}

#[test]
fn a_body_that_panics_when_dropped_during_a_panic_does_not_abort() {
    // Dropping a generator closes it, which runs body code (after its `try_yield`). A body that
    // panics there (here `unwrap` on the exit) while the consumer unwinds a panic of its own
    // made the panic leave `Gen::drop` during unwinding, which aborts the process. CPython's
    // finalizer prints "Exception ignored" instead.
    let stderr = exits_normally(|| {
        let counts = Rc::new((Cell::new(0), Cell::new(0)));
        let c = counts.clone();
        let mut g = Gen::<u32>::throwing::<&str>(move |co, ()| {
            let _kept = Counted::new(&c);
            co.try_yield(1).unwrap();
        });
        assert_eq!(g.resume(()), Step::Yielded(1));
        drop_while_panicking(g);
        assert_eq!((counts.0.get(), counts.1.get()), (1, 1), "the body unwound");
        assert_consumer_unaffected();
    });
    if let Some(stderr) = stderr {
        let said = "stasis: a generator's body panicked while it was dropped during a panic";
        assert!(stderr.contains(said), "stderr:\n{stderr}");
    }
}
