//! Python's generators for Rust, with true frame suspension.
//!
//! `stasis-core` holds the [`Generator`](crate::Generator) protocol (Python's `next`, `send`, `throw`, `close`,
//! return value and state) and its two backends:
//!
//! - [`Gen`](crate::Gen), the **stackful** backend: the body runs on its own stack (corosensei), so
//!   [`Co::yield_`](crate::Co::yield_) works from any depth of ordinary nested function calls, and the whole frame
//!   is frozen between resumes. Stacks come from a per-thread [pool](pool_stats).
//! - [`StateMachine`](crate::StateMachine) / [`ThrowingStateMachine`](crate::ThrowingStateMachine), the **state-machine** backend: nightly
//!   `#[coroutine]` closures, plugged in with one call ([`from_coroutine`](crate::from_coroutine)). Behind the
//!   `nightly` cargo feature (it needs a nightly compiler); everything else builds on stable.
//!
//! Most users depend on the `stasis` facade, which re-exports this crate with the combinators
//! and delegation.
//!
//! # Example
//!
//! ```
//! # use stasis_core as stasis;
//! use stasis::{Co, Gen, Generator, State, Step};
//!
//! // A helper function yields for its caller's generator: no generator object per level.
//! fn countdown(co: &Co<u32>, from: u32) {
//!     for i in (1..=from).rev() {
//!         co.yield_(i);
//!     }
//! }
//!
//! let mut g = Gen::new(|co, ()| {
//!     countdown(co, 3);
//!     "liftoff"
//! });
//! assert_eq!(g.state(), State::Created);
//! let mut trace = Vec::new();
//! loop {
//!     match g.resume(()) {
//!         Step::Yielded(n) => trace.push(n.to_string()),
//!         Step::Complete(msg) => trace.push(msg.to_string()),
//!         Step::Raised(_) | Step::Exhausted => break,
//!     }
//! }
//! assert_eq!(trace, ["3", "2", "1", "liftoff"]);
//! assert_eq!(g.state(), State::Closed);
//! ```
//!
//! Output of the loop above: `3`, `2`, `1`, then the return value `liftoff`, then
//! [`Step::Exhausted`](crate::Step::Exhausted) forever.
//!
//! # Panics
//!
//! Panics are never swallowed and never leave a generator half-alive (tested in
//! `tests/panics.rs`, also under AddressSanitizer and LeakSanitizer):
//!
//! - **A body panics** (during `resume`, `throw` or `close`): every frame on the generator
//!   stack is unwound (destructors run), the panic reaches the caller of that operation with
//!   its payload, and the generator is [`State::Closed`](crate::State::Closed) ([`Step::Exhausted`](crate::Step::Exhausted) afterwards). Its
//!   stack goes back to the pool when the generator is dropped. Same on the state-machine
//!   backend (the coroutine's live locals are dropped).
//! - **A delegated sub-generator panics** (`yield from`, `Co::delegate`): the panic continues
//!   in each delegator at its `yield from`, innermost first, running destructors, and reaches
//!   the consumer from the outermost operation; every generator of the chain ends closed.
//! - **Dropping a suspended generator** closes it first; if its body panics in response, the
//!   panic comes out of `drop`. A consumer that panics while holding suspended generators
//!   closes them during its unwinding, running their `finally` destructors. While the
//!   thread's thread-locals are destroyed, a generator dropped from one of them is only
//!   unwound, not closed (see "Thread exit" on [`Gen`](crate::Gen) for the hazard that remains).
//! - **A destructor panics while a generator stack is being unwound** (by `close`, `drop`, or a
//!   thrown error the body does not handle): the process aborts with Rust's "panic in a
//!   destructor during cleanup", as for any destructor that panics during unwinding. Do
//!   fallible cleanup after [`Co::try_yield`](crate::Co::try_yield) returns the exit instead: there, a panic is an
//!   ordinary one and comes out of `close`.
//! - **A combinator's closure panics**: the panic reaches the caller, as an exception in a
//!   Python `map` callback does; the item being processed is consumed, the source stays
//!   suspended and the pipeline stays usable; dropping it closes the source.
//! - **A body catches unwinding it did not start** (`catch_unwind` around a `yield`): that
//!   acts like a bare Python `except:` around the `yield`: a thrown error or the exit is
//!   swallowed and the body goes on. A body that swallows every exit and keeps yielding cannot
//!   be dropped: the drop would try to unwind it forever. Each value it yields meanwhile is
//!   dropped exactly once.
//! - **A destructor yields while the stack unwinds** (Python's `finally: yield`, written as a
//!   guard): the generator does not suspend mid-unwind, so the consumer never finds its thread
//!   panicking. `try_yield` returns `Err(Thrown::Exit)` at once (and `yield_` with a send type
//!   of `()` returns at once); once the body is unwound, the value comes out, `close()` reports it
//!   as `CloseError::IgnoredExit`, and the generator stays suspended there, as in CPython (the
//!   exit comes out of the next resume). See "In a destructor" on [`Co::yield_`](crate::Co::yield_).
//! - **The stack overflows**: not a panic. A fault on the guard page of a generator stack
//!   prints "a generator overflowed its stack", its size and the
//!   `Gen::builder().stack_size(..)` to use, then aborts. This holds in thread-local
//!   destructors too: std removes a thread's alternate signal stack before they run, and
//!   stasis installs one again, for the destructors of thread-locals first used before the
//!   thread's first generator (or created during destruction). A thread-local first used
//!   after the thread's first generator is destroyed earlier than stasis's own, and a
//!   generator overflowing from its destructor dies of a bare `SIGSEGV`.
//!
//! # Stacks: the pool
//!
//! Every thread keeps the stacks of its finished stackful generators for reuse (mapping a
//! stack costs about 15 µs, reusing one about 16 ns). Its rules:
//!
//! - **Sizes follow use.** Stacks of every size share [`POOL_CAPACITY`](crate::POOL_CAPACITY) (32) hot places and at
//!   most [`POOL_RESERVED_BUDGET`](crate::POOL_RESERVED_BUDGET) bytes of address space. A new generator takes the most
//!   recently returned stack of its size; a stack coming back to full hot places evicts the
//!   least recently returned ones. A burst of generators of another size costs only its own
//!   stacks: the next default-size generator maps one stack, and the ones after it reuse it.
//! - **The live population is kept.** An evicted stack of the default size is not unmapped but
//!   moves to the thread's live tier, as long as the live tiers of all threads hold fewer than
//!   [`LIVE_POOL_CAPACITY`](crate::LIVE_POOL_CAPACITY) (16,384) stacks; other sizes are unmapped. A new default-size
//!   generator that finds no hot stack takes the live tier's stack at the highest address (so
//!   generators created one after another get neighbouring stacks, in the order fresh
//!   mappings have: a chain of generators walked in address order costs about half as much
//!   per hop as one on scrambled stacks). So a program that
//!   keeps thousands of generators alive and replaces them (generator-per-call recursion, such
//!   as CPython's naive Hamming numbers) maps no stack in the steady state. If mapping a stack
//!   fails (`vm.max_map_count`, `RLIMIT_AS`), the thread's pool is unmapped and the mapping
//!   tried once more.
//! - **Resident memory is bounded.** A stack in the hot places keeps at most its top
//!   [`KEEP_RESIDENT`](crate::KEEP_RESIDENT) bytes (256 KiB) in memory: if its body went deeper, the pages below are
//!   given back to the OS (`madvise(MADV_DONTNEED)`). Default-size stacks cannot hold more
//!   and skip the check, so the common case costs nothing extra. A stack moving to the live
//!   tier keeps at most its top [`LIVE_RESIDENT`](crate::LIVE_RESIDENT) bytes (8 KiB). So a thread's hot places hold
//!   at most `POOL_CAPACITY × KEEP_RESIDENT` (8 MiB) of resident memory, and the live tiers
//!   of the whole process at most `LIVE_POOL_CAPACITY × LIVE_RESIDENT` (128 MiB) plus 8 MiB
//!   per thread (below), 4.1 GiB of address space and 32,768 memory mappings, whatever their
//!   generators did; [`PoolStats::resident_bytes`](crate::PoolStats::resident_bytes) says how much a pool holds now.
//! - **Checking a stack's depth rarely costs a system call.** Whether a body went below the
//!   mark is one `mincore` of the page under it (1 to 2 µs), unless the thread has taken no
//!   page fault since the stack was last known shallow: a page below the mark becomes resident
//!   only through a fault of the thread running the stack's bodies (they touch it from the top
//!   down, and nothing else may write a generator's stack: no other thread, no asynchronous
//!   I/O into a stack buffer). The pool reads the thread's fault count (`getrusage`) once per
//!   [`POOL_CAPACITY`](crate::POOL_CAPACITY) stacks moving to the live tier; those stacks wait unchecked until then
//!   (the 8 MiB per thread above), and each gets its `mincore` if the thread took a fault
//!   meanwhile. On Linux; elsewhere every stack is checked.
//! - **What it costs with thousands alive.** Naive m235 (15,337 generators, all suspended
//!   when dropped) runs as fast as on raw corosensei with reused stacks, and about 5× slower
//!   than CPython: dropping a suspended generator unwinds its stack to run the destructors of
//!   its frames (1.2 to 1.4 µs, a Rust panic's two unwinder phases), where CPython frees a
//!   frame. The figures and what was tried are in the bench report (`cargo xtask bench`,
//!   "Many live generators") and in `pool.rs`.
//! - [`GenBuilder::pooled`](crate::GenBuilder::pooled)`(false)` bypasses the pool (map on create, unmap on drop), and
//!   [`clear_pool`](crate::clear_pool) unmaps the calling thread's pooled stacks.
//!
//! # Stacks: placement
//!
//! A program that keeps thousands of generators alive in a chain and passes every value along
//! it (CPython's sieve of Eratosthenes: one filter generator per prime, a chain 4,000 deep for
//! 2,000 primes) touches a few cache lines at the top of every stack of the chain per value.
//! stasis places its stacks for that:
//!
//! - **Colour.** A stack's reserved top bytes (its generator's slot), and with them every frame
//!   of its body, start 0 to 31 cache lines below the top of its mapping, by the address of
//!   that top; stacks mapped one after another take the colours in turn. Without it the hot
//!   bytes of all stacks sit at the same offsets in their pages, compete for the same cache
//!   sets, and a parent's and a child's saved registers alias at 4 KiB. The pool maps the
//!   2 KiB this takes on top of the size asked for (one more page of address space for the
//!   default size, nothing resident), so a body still has the whole size it asked for.
//! - **One line for the switch.** The slot shares a cache line with corosensei's link to the
//!   parent stack, which every resume writes.
//! - **Address order.** The live tier hands out its highest stack first, so generators created
//!   one after another get neighbouring stacks, as fresh mappings are, however the earlier
//!   ones were dropped.
//!
//! Measured (`cargo xtask bench`, "Many live generators", ratios within one run): the sieve
//! runs in 0.61× the time it took without these (one A/B sitting of its bench: 175 → 106 ms
//! per run; a sieve hop went from 7.6× to 4.8× the round trip of a single generator). A hop
//! through 4,000 filters alone costs 5.0× a hop through one (raw corosensei on its own stacks:
//! 11×); colouring raw corosensei's stacks the same way brings it to 8 to 10× (measured with
//! stasis-bench's `examples/hops.rs`, where stasis's own chain is at 6×): so 3× is out of
//! reach of placement, for stasis and for the backend alone. What is left is
//! the hardware's: at 4,000 deep a hop reaches a stack last touched about 8,000 hops before,
//! and 4,000 stacks × 2 to 5 lines each (the slot line and the frames where the body waits,
//! which fall on 1 to 4 lines depending on how its frame is laid out) is about the size of
//! the L2 cache, while every stack top is a page of its own (the guard page below each stack
//! rules out sharing pages or huge pages).
//!
//! # `fork()`
//!
//! A child forked while other threads create and drop generators can use stasis: the
//! process-wide registry of guard pages (stack-overflow reporting) is locked by `pthread_atfork`
//! handlers across the fork, so the child never inherits it locked. In the child, as with any
//! `fork()` of a threaded process, only the forking thread exists: its generators and its pool
//! work as before; generators owned by other threads of the parent are never resumed or
//! dropped there, and their stacks stay mapped (copy-on-write) until the child exits. A fork
//! that lands while another thread is installing the overflow handler (the process's first
//! stack) leaves the child to finish that installation itself, rather than waiting for a
//! thread that does not exist there.
//!
//! ```
//! use stasis_core::Gen;
//!
//! // SAFETY: the child only runs generators and `_exit`s.
//! let pid = unsafe { libc::fork() };
//! if pid == 0 {
//!     let mut g = Gen::builder().pooled(false).build(|co, ()| co.yield_(7)).unwrap();
//!     let code = if g.next() == Some(7) { 0 } else { 1 };
//!     drop(g);
//!     // SAFETY: ends the child at once.
//!     unsafe { libc::_exit(code) };
//! }
//! let mut status = 0;
//! // SAFETY: `pid` is our child; `status` is a valid out-pointer.
//! assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
//! assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
//! ```
// Links spell full paths (`[`Step`](crate::Step)`) even where the short form resolves here:
// the facade (`stasis`) re-exports these items, and rustdoc renders short links of re-exported
// items as literal text there.
#![allow(rustdoc::redundant_explicit_links)]
#![cfg_attr(feature = "nightly", feature(coroutine_trait, negative_impls))]
#![cfg_attr(all(doc, feature = "nightly"), feature(coroutines, stmt_expr_attributes))]
#![cfg_attr(all(test, feature = "nightly"), feature(coroutines, stmt_expr_attributes))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "nightly")]
mod machine;
mod overflow;
mod pool;
mod protocol;
mod stackful;

/// Support for `stasis-delegate`'s macros (flat `yield from` for state machines); not a
/// public API.
#[cfg(feature = "nightly")]
#[doc(hidden)]
pub use machine::delegate as __delegate;
#[cfg(feature = "nightly")]
#[cfg_attr(docsrs, doc(cfg(feature = "nightly")))]
pub use machine::{
    SendingStateMachine, StateMachine, ThrowingStateMachine, from_coroutine,
    from_sending_coroutine, from_throwing_coroutine,
};
pub use pool::{
    DEFAULT_STACK_SIZE, KEEP_RESIDENT, LIVE_POOL_CAPACITY, LIVE_RESIDENT, MAX_STACK_SIZE,
    MIN_STACK_SIZE, POOL_CAPACITY, POOL_RESERVED_BUDGET, PoolStats, StackError, clear_pool,
    pool_stats,
};
pub use protocol::{CloseError, Generator, RuntimeError, State, Step, Thrown, TryIter};
pub use stackful::{Co, Gen, GenBuilder, ThreadBound};
