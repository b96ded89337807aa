//! Thread exit: telling, in `Gen::drop`, whether the thread's thread-locals are being destroyed,
//! so that a suspended body is not resumed with `Close` then (it may hold a borrow of a
//! thread-local that is already gone).
//!
//! std runs thread-local destructors in the reverse order of their registration, on Linux
//! (glibc's `__cxa_thread_atexit_impl` keeps a list it pops from the head; std's fallback
//! `destructors::list` pops a `Vec`), and a thread-local registers its destructor when it is
//! first used. So a sentinel whose destructor sets a flag tells that destruction has begun to
//! every drop that happens in the destructor of a thread-local registered *before* the
//! sentinel. [`arm`] registers it when a body first runs (once per thread; later calls cost
//! one thread-local check): that covers a holder that exists before the first generator
//! runs on the thread (`HOLDER.with(|h| .. Gen::new(..) .. next())`), not a holder first
//! used after that. std offers no "destruction has begun" signal, so nothing covers every
//! order; the public `Gen` docs ("Thread exit") state the hazard that remains.
//!
//! Owns: the sentinel and its flag. May not touch: anything else; `Gen::drop` (and
//! `machine::delegate::mixed::Lent`'s drop, which ends a stackful level's loan) decide what to
//! do with the answer.

use std::cell::Cell;

thread_local! {
    /// Set by the sentinel's destructor. No destructor of its own, so it needs no registration
    /// and stays readable until the thread's thread-local block is freed, after every
    /// destructor.
    static DESTROYING: Cell<bool> = const { Cell::new(false) };
}

/// Registered on first use (see [`arm`]); its destructor marks the start of thread-local
/// destruction.
struct Sentinel;

impl Drop for Sentinel {
    fn drop(&mut self) {
        DESTROYING.with(|d| d.set(true));
    }
}

thread_local! {
    /// The [`Sentinel`] of this thread.
    static SENTINEL: Sentinel = const { Sentinel };
}

/// Registers the sentinel's destructor on this thread, if not yet done.
pub(super) fn arm() {
    // Fails only once the sentinel was destroyed: nothing to register then.
    let _ = SENTINEL.try_with(|_| ());
}

/// Whether this thread's thread-locals are being destroyed, as far as the sentinel can tell
/// (see the module docs).
pub(crate) fn destroying_thread_locals() -> bool {
    DESTROYING.with(Cell::get)
}
