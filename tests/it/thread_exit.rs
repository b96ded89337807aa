//! A generator dropped while the thread's thread-locals are destroyed (issue 9 A1): its body
//! must not run again, since what it borrowed from another thread-local may be gone already.
//! See "Thread exit" in the `Gen` docs for what stasis detects and the hazard that remains.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use stasis::{Gen, Thrown};

/// Set when `DATA` below is destroyed, and when the body ran after that.
static DATA_GONE: AtomicBool = AtomicBool::new(false);
static RAN_AFTER_DATA_GONE: AtomicBool = AtomicBool::new(false);
static FINALLY_RAN: AtomicBool = AtomicBool::new(false);

struct Data(Vec<u64>);

impl Drop for Data {
    fn drop(&mut self) {
        DATA_GONE.store(true, Ordering::SeqCst);
    }
}

/// A `finally` guard of the body: it does not touch `DATA`, so running it at thread exit is
/// harmless, and it must still run.
struct Finally;

impl Drop for Finally {
    fn drop(&mut self) {
        FINALLY_RAN.store(true, Ordering::SeqCst);
    }
}

thread_local! {
    // Registered first (first used first), so destroyed last: its generator is dropped after
    // `DATA` was destroyed.
    static HOLDER: RefCell<Option<Gen<u32>>> = const { RefCell::new(None) };
    static DATA: Data = Data(vec![1; 16]);
}

#[test]
fn a_generator_dropped_after_a_thread_local_it_borrows_does_not_run_its_body() {
    std::thread::spawn(|| {
        HOLDER.with(|h| {
            let g = Gen::new(|co, ()| {
                let _finally = Finally;
                DATA.with(|d| {
                    if let Err(Thrown::Exit) = co.try_yield(1) {
                        // The sketch: body code after the exit, reading the borrow.
                        RAN_AFTER_DATA_GONE
                            .store(DATA_GONE.load(Ordering::SeqCst), Ordering::SeqCst);
                        std::hint::black_box(d.0[0]);
                    }
                })
            });
            *h.borrow_mut() = Some(g);
            assert_eq!(h.borrow_mut().as_mut().unwrap().next(), Some(1));
        })
    })
    .join()
    .unwrap();
    assert!(DATA_GONE.load(Ordering::SeqCst), "the thread's locals were destroyed");
    assert!(
        !RAN_AFTER_DATA_GONE.load(Ordering::SeqCst),
        "the body ran (and read the borrowed thread-local) after it was destroyed"
    );
    assert!(FINALLY_RAN.load(Ordering::SeqCst), "the body's destructors still run");
}
