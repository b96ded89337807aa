//! A generator dropped while the thread's thread-locals are destroyed (issue 9 A1): its body
//! must not run again, since what it borrowed from another thread-local may be gone already.
//! See "Thread exit" in the `Gen` docs for what stasis detects and the hazard that remains.

use std::cell::RefCell;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::LocalKey;

use stasis::{Gen, Generator, Step, Thrown};

/// What one scenario records (each has its own, as tests run in parallel).
struct Flags {
    /// Set when its `Data` is destroyed.
    data_gone: AtomicBool,
    /// Set when the body ran after that.
    ran_after_data_gone: AtomicBool,
    /// Set when the body's `finally` guard ran.
    finally_ran: AtomicBool,
}

impl Flags {
    const fn new() -> Self {
        Flags {
            data_gone: AtomicBool::new(false),
            ran_after_data_gone: AtomicBool::new(false),
            finally_ran: AtomicBool::new(false),
        }
    }
}

static PLAIN: Flags = Flags::new();
#[cfg(feature = "nightly")]
static LENT: Flags = Flags::new();

struct Data(&'static Flags, Vec<u64>);

impl Drop for Data {
    fn drop(&mut self) {
        self.0.data_gone.store(true, Ordering::SeqCst);
    }
}

/// A `finally` guard of the body: it does not touch the data, so running it at thread exit is
/// harmless, and it must still run.
struct Finally(&'static Flags);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.finally_ran.store(true, Ordering::SeqCst);
    }
}

type Holder = RefCell<Option<Box<dyn Generator<Yield = u32, Return = (), Error = Infallible>>>>;

thread_local! {
    // Each holder is registered first (first used first), so destroyed last: its generator is
    // dropped after the data was destroyed.
    static PLAIN_HOLDER: Holder = const { RefCell::new(None) };
    static PLAIN_DATA: Data = Data(&PLAIN, vec![1; 16]);
    #[cfg(feature = "nightly")]
    static LENT_HOLDER: Holder = const { RefCell::new(None) };
    #[cfg(feature = "nightly")]
    static LENT_DATA: Data = Data(&LENT, vec![1; 16]);
}

/// The sketch: a body that holds a borrow of `data` across its yield and, once the
/// exit reaches it, reads the borrow.
fn borrowing(flags: &'static Flags, data: &'static LocalKey<Data>) -> Gen<u32> {
    Gen::new(move |co, ()| {
        let _finally = Finally(flags);
        data.with(|d| {
            if let Err(Thrown::Exit) = co.try_yield(1) {
                let gone = flags.data_gone.load(Ordering::SeqCst);
                flags.ran_after_data_gone.store(gone, Ordering::SeqCst);
                std::hint::black_box(d.1[0]);
            }
        })
    })
}

/// Puts what `make` gives in `holder` on a new thread and steps it once (it yields 1); then
/// checks, once the thread ended, that the body did not run after its data was destroyed and
/// that its destructors ran.
fn check(
    flags: &'static Flags,
    holder: &'static LocalKey<Holder>,
    make: fn() -> Box<dyn Generator<Yield = u32, Return = (), Error = Infallible>>,
) {
    std::thread::spawn(move || {
        holder.with(|h| {
            *h.borrow_mut() = Some(make());
            assert_eq!(h.borrow_mut().as_mut().unwrap().resume(()), Step::Yielded(1));
        })
    })
    .join()
    .unwrap();
    assert!(flags.data_gone.load(Ordering::SeqCst), "the thread's locals were destroyed");
    assert!(
        !flags.ran_after_data_gone.load(Ordering::SeqCst),
        "the body ran (and read the borrowed thread-local) after it was destroyed"
    );
    assert!(flags.finally_ran.load(Ordering::SeqCst), "the body's destructors still run");
}

#[test]
fn a_generator_dropped_after_a_thread_local_it_borrows_does_not_run_its_body() {
    check(&PLAIN, &PLAIN_HOLDER, || Box::new(borrowing(&PLAIN, &PLAIN_DATA)));
}

/// The same through a mixed chain: a stackful level lends that generator to the state
/// machine driving the chain (issue 12), which sits in the thread-local. Dropped at thread
/// exit, the driver ends the loan: it must not close the generator then (that runs its body),
/// as `Gen`'s own drop does not.
#[cfg(feature = "nightly")]
#[test]
fn a_lent_generator_dropped_at_thread_exit_does_not_run_its_body() {
    check(&LENT, &LENT_HOLDER, || {
        let leaf = borrowing(&LENT, &LENT_DATA);
        let middle = Gen::new(move |co, ()| co.yield_from(leaf));
        Box::new(stasis::from_coroutine(
            #[coroutine]
            move || stasis::yield_from!(middle).unwrap(),
        ))
    });
}
