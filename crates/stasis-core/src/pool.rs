//! Per-thread pool of generator stacks, and the validated stack sizes.
//!
//! Creating a corosensei `DefaultStack` costs an `mmap`, an `mprotect` and later a `munmap`
//! (about 15 µs here); running a coroutine on a reused stack costs about 16 ns. So every thread
//! keeps finished stacks and hands them to new generators of the same size. Each pooled stack
//! keeps its guard page (it *is* a `DefaultStack`), so overflow detection is the same on a
//! pooled and on a fresh stack. The rules (also on [`pool_stats`], in the rendered docs):
//!
//! ```text
//!   Gen::new ──take(size)──▶ [ hot: Vec<(size, DefaultStack, Clean)>, oldest first,
//!                               POOL_CAPACITY ]
//!                             newest stack of that size (LIFO: its pages are warm),
//!                             else (default size) the live tier's highest, else map
//!   Gen::drop ─give(stack)─▶  1. deeper than KEEP_RESIDENT touched? madvise(DONTNEED) below it
//!                             2. hot full (POOL_CAPACITY stacks or POOL_RESERVED_BUDGET bytes)?
//!                                evict the least recently given back, until it fits:
//!                                default size ──▶ live tier (a BinaryHeap, highest address
//!                                first), if the process has fewer than
//!                                LIVE_POOL_CAPACITY there, trimmed to its top LIVE_RESIDENT
//!                                bytes (one mincore, madvise if deeper), or, if known shallow
//!                                in an epoch with no page fault since, waiting in `pending`
//!                                (at most POOL_CAPACITY) for the epoch's end: one getrusage,
//!                                no fault ──▶ checked; a fault ──▶ each trimmed as above
//!                                any other ──▶ unmapped
//!   mapping fails ──▶ unmap this thread's pool, try once more
//! ```
//!
//! - **Sizes follow use**: stacks of every size share the [`POOL_CAPACITY`] hot places, and a
//!   full pool evicts its least recently returned stack rather than refusing the new one.
//!   After a burst of generators of another size, the first default-size generator maps a
//!   stack and the next ones reuse it: a burst costs its own stacks, never pooling for the
//!   rest of the thread's life.
//! - **The live population is kept**: default-size stacks evicted from the hot places go to the
//!   thread's live tier (up to [`LIVE_POOL_CAPACITY`] stacks in the whole process), so a
//!   program that keeps thousands of generators alive and replaces them (generator-per-call
//!   recursion) maps no stack in the steady state. Moving there costs one `mincore`, or no
//!   system call at all while the thread takes no page fault (see below); the hot places
//!   cost no system call.
//! - **Resident memory is bounded**: a stack in the hot places keeps at most its top
//!   [`KEEP_RESIDENT`] bytes resident, one in the live tier its top [`LIVE_RESIDENT`] bytes.
//!   Whether a body went deeper is one `mincore` of the page just below the mark (a body
//!   touches its stack from the top down, page by page: Rust's stack probes see to it). Stacks
//!   larger than `KEEP_RESIDENT` are checked when they return; default-size stacks only when
//!   they move to the live tier, so the common case costs nothing. So a thread's hot places
//!   hold at most `POOL_CAPACITY × KEEP_RESIDENT` (8 MiB) of resident memory and
//!   [`POOL_RESERVED_BUDGET`] of address space, and the live tiers of all threads together at
//!   most `LIVE_POOL_CAPACITY × LIVE_RESIDENT` (128 MiB) resident, plus the stacks waiting
//!   for their epoch to end (below: at most `POOL_CAPACITY × DEFAULT_STACK_SIZE`, 8 MiB, per
//!   thread), `LIVE_POOL_CAPACITY × (DEFAULT_STACK_SIZE + 2 pages)` (4.1 GiB) of address space
//!   and `2 × LIVE_POOL_CAPACITY` memory mappings, whatever the bodies did.
//! - **Most checks need no system call**: the `mincore` cost 1 to 2 µs per stack here, a third
//!   of naive Hamming's time, which moves 15,000 stacks to the live tier per run. A page below
//!   the mark becomes resident only through a page fault taken by the thread that runs the
//!   stack's bodies (they touch it from the top down, as above, and nothing else writes a
//!   generator's stack: no other thread, no asynchronous I/O into a stack buffer). So each
//!   stack carries the epoch from which it is known shallow (`Clean`: taken from the live tier
//!   after its check, or freshly mapped), and the pool reads the thread's page-fault count
//!   (`getrusage(RUSAGE_THREAD)`) once per [`POOL_CAPACITY`] stacks moving to the live tier:
//!   the span between two readings is an epoch. A stack known shallow since an epoch after the
//!   last one that saw a fault waits unchecked; at the next reading, no fault means it is still
//!   shallow, a fault means it gets its `mincore`. A reading includes the process id, so the
//!   copy of a pool in a forked child never takes the child's count for its parent's.
//!   Elsewhere than Linux every stack is checked.
//!
//! # What the pool cannot buy: thousands of generators dropped while suspended
//!
//! Naive m235 (CPython's `test_generators`: 100 terms, 15,337 generators, every one suspended
//! when the result is dropped) is the case issue 10 measured against CPython, which creates,
//! runs and frees such a generator in about 0.5 µs (7.4 to 9.6 ms per run here). Measured
//! with `benches/live.rs` (CPU time, 2 shared cores, the two builds run alternately): stasis
//! 42.5 ms, down from 63.7 ms before the epochs; the same program on raw corosensei with reused
//! stacks and no resident-memory bound (`live/m235_corosensei`, the floor of any stackful
//! backend) 43.5 ms. What stays is the drop:
//! a suspended body's frames hold its locals (m235's own child generators), and only
//! unwinding its stack runs their destructors. One unwind is a Rust panic: two unwinder phases
//! of about 13 FDE lookups and CFI parses in all (5 frames each, and a landing pad's
//! `_Unwind_Resume`), 1.2 to 1.4 µs on a warm stack (`live/close_suspended_stackful`; raw
//! corosensei's forced unwind 1.4 µs), about 1.8 µs in m235; 15,337 of them are 2.3 to 3.5
//! times CPython's whole run. Stable Rust starts every
//! unwind with `_Unwind_RaiseException`'s search phase, and a forced (cleanup-only) unwind
//! with a foreign exception aborts at any `catch_unwind` in a body and hides
//! `std::thread::panicking()` from its destructors. Skipping the unwind when nothing is left
//! to drop would need the same walk of the frames; and three in four of m235's generators own
//! children. So faster than CPython here is out of reach for a backend whose drop runs the
//! body's destructors.
//!
//! Tried and measured slower or unsound: one `mincore` per span of neighbouring stacks (per
//! page walked, 1.7 µs per stack); `process_madvise(MADV_DONTNEED)` for 32 stacks at once
//! (0.6 to 1.2 µs per stack, no cheaper than one `mincore`); reading the page below the mark
//! for non-zero bytes (a page a body filled with zeros stays resident unseen: the bound would
//! no longer hold whatever the bodies did); a guard marker (`MADV_GUARD_INSTALL`) below the
//! mark, lifted by the fault handler (it makes the `SIGSEGV` handler part of every deep
//! body's correct run, and a system call that writes into an untouched stack buffer there
//! fails with `EFAULT`).
//!
//! The pool is thread-local because generators are `!Send`: a stack is always returned on the
//! thread that created it.
//!
//! Every stack mapped here is registered with the stack-overflow reporter
//! ([`crate::overflow`]) and unregistered right before it is unmapped, so a fault on its guard
//! page prints "a generator overflowed its stack" instead of a bare `SIGSEGV`.

use std::cell::RefCell;
use std::cmp;
use std::collections::BinaryHeap;
use std::io;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicUsize, Ordering};

use corosensei::stack::{DefaultStack, Stack};

use crate::overflow;
use crate::stackful::RESERVED_MAX;

/// The stack size of a generator built without [`GenBuilder::stack_size`](crate::GenBuilder::stack_size):
/// 256 KiB of reserved address space, of which only touched pages become resident.
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// The smallest stack a generator may ask for (16 KiB). A body needs room for its frames plus
/// the unwinder's when it is closed or dropped; panics with `RUST_BACKTRACE` set need more.
pub const MIN_STACK_SIZE: usize = 16 * 1024;

/// The largest stack a generator may ask for (1 GiB of address space).
pub const MAX_STACK_SIZE: usize = 1 << 30;

/// How many finished stacks each thread keeps in its hot places, of all sizes together; beyond
/// them, default-size stacks go on to the live tier ([`LIVE_POOL_CAPACITY`]).
pub const POOL_CAPACITY: usize = 32;

/// How many default-size stacks the pools of all threads together keep beyond their hot
/// places (16,384: 32,768 memory mappings, half of Linux's default `vm.max_map_count`, and
/// 4.1 GiB of address space). A program that keeps thousands of generators alive and replaces
/// them (generator-per-call recursion) then creates and drops generators without a system call
/// for the stack mapping. Each of these stacks keeps at most its top [`LIVE_RESIDENT`] bytes
/// resident, so they hold at most `LIVE_POOL_CAPACITY × LIVE_RESIDENT` (128 MiB) of memory in
/// the whole process, plus up to [`POOL_CAPACITY`] stacks per thread waiting for their check
/// (see [`LIVE_RESIDENT`]). If mapping a new stack fails, the thread's pool is emptied and the
/// mapping tried again.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{pool_stats, Gen, LIVE_POOL_CAPACITY, POOL_CAPACITY};
///
/// stasis::clear_pool();
/// let live: Vec<_> = (0..1000).map(|i| Gen::new(move |co, ()| co.yield_(i))).collect();
/// drop(live);
/// // All 1,000 stacks are kept: the next 1,000 generators map nothing.
/// assert_eq!(pool_stats().stacks, 1000);
/// assert!(1000 <= POOL_CAPACITY + LIVE_POOL_CAPACITY);
/// ```
pub const LIVE_POOL_CAPACITY: usize = 16 * 1024;

/// How many bytes at the top of a stack in the live tier may stay resident (8 KiB: a shallow
/// body touches one or two pages). A stack that moves there from the hot places costs one
/// `mincore` to check the page below that mark, and a `madvise(MADV_DONTNEED)` of the pages
/// below if its body touched it; on Linux the `mincore` is skipped while the thread takes no
/// page fault (see [the crate docs](crate#stacks-the-pool)), and up to [`POOL_CAPACITY`]
/// stacks per thread wait unchecked for the next reading of its fault count.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// assert!(stasis::LIVE_RESIDENT <= stasis::KEEP_RESIDENT);
/// ```
pub const LIVE_RESIDENT: usize = 8 * 1024;

/// How much address space (reserved stack bytes) each thread's hot places may hold: 1 GiB, so
/// that 32 stacks of 8 MiB fit, or one of [`MAX_STACK_SIZE`](crate::MAX_STACK_SIZE). A full pool evicts its least
/// recently used stacks to make room (default-size ones to the live tier,
/// [`LIVE_POOL_CAPACITY`]).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{pool_stats, POOL_RESERVED_BUDGET};
///
/// let stats = pool_stats();
/// assert_eq!(stats.stacks, 0);
/// assert!(stats.reserved_bytes <= POOL_RESERVED_BUDGET + stats.stacks * 8192);
/// ```
pub const POOL_RESERVED_BUDGET: usize = 1 << 30;

/// How many bytes at the top of a pooled stack may stay resident (the default stack size,
/// 256 KiB). When a larger stack whose body went deeper goes back to the pool, the pages below
/// are given back to the OS (`madvise(MADV_DONTNEED)`); the next body to go that deep touches
/// fresh zero pages.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{pool_stats, Gen, KEEP_RESIDENT, POOL_CAPACITY};
///
/// // A body that uses 2 MiB of its 8 MiB stack...
/// let mut g = Gen::builder()
///     .stack_size(8 << 20)
///     .build(|co, ()| {
///         let mut big = [1u8; 2 << 20];
///         co.yield_(std::hint::black_box(&mut big)[7]);
///     })
///     .unwrap();
/// assert_eq!(g.next(), Some(1));
/// drop(g);
/// // ...leaves at most its top KEEP_RESIDENT bytes resident in the pool.
/// assert!(pool_stats().resident_bytes <= POOL_CAPACITY * (KEEP_RESIDENT + 4096));
/// ```
pub const KEEP_RESIDENT: usize = DEFAULT_STACK_SIZE;

/// Why a generator could not get a stack.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, StackError};
///
/// let err = Gen::builder().stack_size(100).build(|co, ()| co.yield_(1)).unwrap_err();
/// assert!(matches!(err, StackError::TooSmall { .. }));
/// println!("{err}");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// The requested size is below [`MIN_STACK_SIZE`](crate::MIN_STACK_SIZE).
    #[error(
        "generator stack size {requested} bytes is below the minimum of {min} bytes; \
         pass at least {min} to GenBuilder::stack_size"
    )]
    TooSmall {
        /// What was asked for.
        requested: usize,
        /// [`MIN_STACK_SIZE`](crate::MIN_STACK_SIZE).
        min: usize,
    },
    /// The requested size is above [`MAX_STACK_SIZE`](crate::MAX_STACK_SIZE).
    #[error(
        "generator stack size {requested} bytes is above the maximum of {max} bytes; \
         a generator that needs more should keep its data on the heap"
    )]
    TooLarge {
        /// What was asked for.
        requested: usize,
        /// [`MAX_STACK_SIZE`](crate::MAX_STACK_SIZE).
        max: usize,
    },
    /// The operating system refused to map a new stack.
    #[error(
        "the OS refused to map a {size}-byte generator stack ({source}): {cause}. Every live \
         stackful generator holds 2 memory mappings and its stack size of address space: raise \
         vm.max_map_count (`sysctl vm.max_map_count=N`; the Linux default 65530 allows about \
         32,000 live generators) or the address-space limit (RLIMIT_AS, `ulimit -v`), drop \
         generators you no longer need, or use smaller stacks (`GenBuilder::stack_size`)"
    )]
    Os {
        /// The stack size that was asked for.
        size: usize,
        /// The OS error (`ENOMEM` for both causes above).
        #[source]
        source: io::Error,
        /// Which limit was reached, as far as the process can tell: the memory-mapping count
        /// against `vm.max_map_count`, or the address space in use against `RLIMIT_AS`.
        cause: String,
    },
}

/// Which limit a failed stack mapping most likely hit, in words.
fn diagnose(size: usize) -> String {
    let max_maps = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    let maps = count_mappings("/proc/self/maps");
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `getrlimit` writes one `rlimit` into the valid `limit`.
    let as_limit = (unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0
        && limit.rlim_cur != libc::RLIM_INFINITY)
        .then_some(limit.rlim_cur);
    let in_use = address_space_in_use();
    classify(size as u64, maps, max_maps, as_limit, in_use)
}

/// The decision behind [`diagnose`], on the numbers it read (any may be unknown).
fn classify(
    size: u64,
    maps: Option<u64>,
    max_maps: Option<u64>,
    as_limit: Option<u64>,
    in_use: Option<u64>,
) -> String {
    const MIB: f64 = (1 << 20) as f64;
    if let (Some(maps), Some(max)) = (maps, max_maps)
        && maps + 2 >= max
    {
        return format!(
            "vm.max_map_count is reached (this process has {maps} memory mappings of at most {max})"
        );
    }
    if let (Some(limit), Some(used)) = (as_limit, in_use)
        && used + size + 4096 > limit
    {
        return format!(
            "the address-space limit is reached (RLIMIT_AS is {:.1} MiB and this process already \
             uses {:.1} MiB)",
            limit as f64 / MIB,
            used as f64 / MIB
        );
    }
    let maps = match (maps, max_maps) {
        (Some(maps), Some(max)) => format!("{maps} of {max} mappings used"),
        _ => "mapping count unknown".into(),
    };
    let limit =
        as_limit.map_or("no RLIMIT_AS".into(), |l| format!("RLIMIT_AS {:.1} MiB", l as f64 / MIB));
    format!("neither limit looks exhausted ({maps}, {limit}); the system may be out of memory")
}

/// The memory mappings the kernel counts against `vm.max_map_count`, read from a
/// `/proc/<pid>/maps` file through a fixed buffer (the caller is short of memory).
fn count_mappings(path: &str) -> Option<u64> {
    mappings_in(std::fs::File::open(path).ok()?)
}

/// Lines of a `/proc/<pid>/maps` text, except `[vsyscall]`: that page is the kernel's, listed
/// in every process but not a mapping of its own (it does not count against the limit).
fn mappings_in(mut maps: impl io::Read) -> Option<u64> {
    const SKIP: &[u8] = b"[vsyscall]";
    let mut buf = [0u8; 4096];
    let mut lines = 0;
    // The last bytes of the current line, right-aligned, to recognise `SKIP` at its end.
    let mut tail = [0u8; SKIP.len()];
    loop {
        let n = match maps.read(&mut buf) {
            Ok(0) => return Some(lines),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                lines += u64::from(tail != *SKIP);
                tail = [0; SKIP.len()];
            } else {
                tail.copy_within(1.., 0);
                tail[SKIP.len() - 1] = b;
            }
        }
    }
}

/// Bytes of address space this process maps (`/proc/self/statm`, first field, in pages).
fn address_space_in_use() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().next()?.parse().ok()?;
    // SAFETY: `sysconf` has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()?)
}

/// Checks a requested stack size against [`MIN_STACK_SIZE`](crate::MIN_STACK_SIZE) and [`MAX_STACK_SIZE`](crate::MAX_STACK_SIZE).
pub(crate) fn validate(size: usize) -> Result<usize, StackError> {
    if size < MIN_STACK_SIZE {
        Err(StackError::TooSmall { requested: size, min: MIN_STACK_SIZE })
    } else if size > MAX_STACK_SIZE {
        Err(StackError::TooLarge { requested: size, max: MAX_STACK_SIZE })
    } else {
        Ok(size)
    }
}

/// This thread's finished stacks: the hot places (least recently given back first) and the sum
/// of their sizes, then the live tier (default-size stacks evicted from the hot places, each
/// with at most its top [`LIVE_RESIDENT`] bytes resident); at thread exit they are unregistered
/// and unmapped.
struct Pool {
    stacks: Vec<(usize, DefaultStack, Clean)>,
    reserved: usize,
    live: BinaryHeap<ByTop>,
    /// The live tier's last stacks whose check waits for the end of the current epoch, with
    /// the epoch from which each is known to be shallow (at most [`POOL_CAPACITY`]).
    pending: Vec<(DefaultStack, Clean)>,
    epochs: Epochs,
}

/// The epochs of a thread's pool: spans of time between two readings of the thread's page-fault
/// count (`getrusage(RUSAGE_THREAD)`). A page below the mark of a stack becomes resident only
/// through a page fault of the thread running its bodies (see [`demote`]), so a stack that was
/// shallow in some epoch is still shallow as long as no epoch since then saw a fault.
struct Epochs {
    /// The current epoch, from 1 (0 is [`Clean::UNKNOWN`]).
    now: u32,
    /// The thread's page faults (and process id, see [`thread_faults`]) when the current
    /// epoch began (`u64::MAX`: not read yet).
    faults: u64,
    /// The latest epoch in which the thread took a page fault (0: none).
    last_faulty: u32,
}

/// The epoch from which a stack's pages below [`LIVE_RESIDENT`] are known not to be resident
/// (see [`Epochs`]), carried with the stack while a generator uses it; [`Clean::UNKNOWN`] when
/// there is no such epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Clean(u32);

impl Clean {
    /// Nothing known: the stack's check cannot be skipped.
    pub(crate) const UNKNOWN: Clean = Clean(0);
}

/// A stack of the live tier, ordered by the address of its top: the tier hands out its highest
/// stack first, not its newest. Fresh stacks are mapped top-down, each right below the last, so
/// generators created one after another (a chain, as in CPython's sieve) get neighbouring
/// stacks in address order, and keep getting them as the tier recycles their stacks.
///
/// Measured on the sieve (2,000 primes, a chain of 4,000 generators, run 6 times in one
/// process): with the newest stack first, the order of the stacks got more scrambled with each
/// run, and a run took from 77 ms (the second) to 206 ms (the fifth); highest first, every run
/// after the first (which maps its stacks) took 80 ms. A chain walked in address order costs
/// half as much per hop as the same chain on scrambled stacks (`examples/hops.rs` in
/// stasis-bench, 4,000 deep).
struct ByTop(DefaultStack);

impl Ord for ByTop {
    fn cmp(&self, other: &Self) -> cmp::Ordering {
        self.0.base().get().cmp(&other.0.base().get())
    }
}

impl PartialOrd for ByTop {
    fn partial_cmp(&self, other: &Self) -> Option<cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ByTop {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for ByTop {}

impl Drop for Pool {
    fn drop(&mut self) {
        for (_, stack, _) in self.stacks.drain(..) {
            release(stack);
        }
        let pending = self.pending.drain(..).map(|(stack, _)| stack);
        release_live(std::mem::take(&mut self.live).into_iter().map(|s| s.0).chain(pending));
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool {
            stacks: Vec::new(),
            reserved: 0,
            live: BinaryHeap::new(),
            pending: Vec::new(),
            epochs: Epochs { now: 1, faults: u64::MAX, last_faulty: 0 },
        })
    };
}

/// Stacks in the live tiers of all threads' pools together, at most [`LIVE_POOL_CAPACITY`].
static LIVE_POOLED: AtomicUsize = AtomicUsize::new(0);

/// Unmaps the stacks of a live tier taken out of its pool.
fn release_live(live: impl Iterator<Item = DefaultStack>) {
    for stack in live {
        LIVE_POOLED.fetch_sub(1, Ordering::Relaxed);
        release(stack);
    }
}

/// A stack of exactly `size` usable bytes, and what is known of its depth: from the pool when
/// `pooled` and one is there, else freshly mapped.
#[inline]
pub(crate) fn take(size: usize, pooled: bool) -> Result<(DefaultStack, Clean), StackError> {
    if pooled && let Some(taken) = from_pool(size) {
        return Ok(taken);
    }
    let stack = fresh(size)?;
    // A fresh mapping has no resident page below its top: shallow from now on.
    let now = POOL
        .try_with(|pool| pool.try_borrow().map_or(Clean::UNKNOWN, |pool| Clean(pool.epochs.now)))
        .unwrap_or(Clean::UNKNOWN);
    Ok((stack, now))
}

/// A pooled stack of exactly `size` usable bytes, if this thread's pool has one.
#[inline]
fn from_pool(size: usize) -> Option<(DefaultStack, Clean)> {
    POOL.try_with(|pool| {
        let pool = &mut *pool.borrow_mut();
        // Fast path: the stack given back last (LIFO keeps its pages warm).
        let taken = match pool.stacks.last() {
            Some((s, ..)) if *s == size => pool.stacks.pop(),
            // `remove`, not `swap_remove`: the order is the eviction order.
            _ => {
                pool.stacks.iter().rposition(|(s, ..)| *s == size).map(|at| pool.stacks.remove(at))
            }
        };
        match taken {
            Some((_, stack, clean)) => {
                pool.reserved -= size;
                Some((stack, clean))
            }
            None if size == DEFAULT_STACK_SIZE => from_live(pool),
            None => None,
        }
    })
    .ok()
    .flatten()
}

/// The newest stack of this thread's live tier: one whose check is pending keeps what is known
/// of it; a checked one is shallow from now on.
#[inline]
fn from_live(pool: &mut Pool) -> Option<(DefaultStack, Clean)> {
    // The highest stack of either (see `ByTop`); at most `POOL_CAPACITY` are pending.
    let top = |s: &DefaultStack| s.base().get();
    let pending = (0..pool.pending.len()).max_by_key(|&i| top(&pool.pending[i].0));
    let taken = match (pending, pool.live.peek()) {
        (Some(i), Some(ByTop(high))) if top(&pool.pending[i].0) < top(high) => {
            (pool.live.pop()?.0, Clean(pool.epochs.now))
        }
        (Some(i), _) => pool.pending.swap_remove(i),
        (None, _) => (pool.live.pop()?.0, Clean(pool.epochs.now)),
    };
    LIVE_POOLED.fetch_sub(1, Ordering::Relaxed);
    Some(taken)
}

/// Maps a new stack, bypassing the pool, and registers its guard page with the overflow
/// reporter.
///
/// Out of line and cold: the OS call dwarfs a call, and inlined into [`take`] it gave the
/// pooled path a 4 KiB stack frame (the diagnosis reads `/proc` through a buffer).
///
/// If the OS refuses and this thread's pool holds stacks, they are unmapped (their mappings and
/// address space given back) and the mapping is tried once more.
///
/// The mapping holds `size` usable bytes plus the generator's reserved top bytes (its slot and
/// colour, at most `RESERVED_MAX`, about 2 KiB: see `stackful/stack.rs`), rounded up to whole
/// pages: one page more than `size` for the default size, address space only (a body that
/// stays shallow never touches it).
#[cold]
#[inline(never)]
pub(crate) fn fresh(size: usize) -> Result<DefaultStack, StackError> {
    let mapped = size + RESERVED_MAX;
    let stack = match DefaultStack::new(mapped) {
        Err(_) if drain() > 0 => DefaultStack::new(mapped),
        mapped => mapped,
    }
    .map_err(|source| StackError::Os { size, source, cause: diagnose(size) })?;
    overflow::register(stack.limit().get(), size);
    Ok(stack)
}

/// Unmaps a stack for good (unregistering its guard page first). Every stack from [`take`] or
/// [`fresh`] that is not handed to [`give`] should end here rather than in a plain `drop`, so
/// the overflow reporter never keeps a stale entry.
pub(crate) fn release(stack: DefaultStack) {
    overflow::unregister(stack.limit().get());
    drop(stack);
}

/// Returns a finished generator's stack to this thread's pool, first giving back to the OS
/// whatever its body touched below [`KEEP_RESIDENT`], and unmapping the least recently used
/// stacks if the pool is full (or this stack, if it alone is over [`POOL_RESERVED_BUDGET`]).
///
/// The stack is moved straight from where it lies into the pool: going through a local first
/// copied it twice, and the copies re-read bytes just written with narrower stores, a
/// store-forwarding stall that cost more than the rest of `give` (measured with `perf`).
///
/// # Safety
///
/// `stack` is taken: the caller must not use or drop it afterwards.
pub(crate) unsafe fn give(size: usize, clean: Clean, stack: &mut ManuallyDrop<DefaultStack>) {
    if size > KEEP_RESIDENT {
        trim(stack, KEEP_RESIDENT);
    }
    let kept = POOL
        .try_with(|pool| {
            let pool = &mut *pool.borrow_mut();
            let full =
                pool.stacks.len() >= POOL_CAPACITY || pool.reserved + size > POOL_RESERVED_BUDGET;
            if full && !evict(pool, size) {
                return false;
            }
            let stacks = &mut pool.stacks;
            let len = stacks.len();
            if stacks.capacity() == len {
                stacks.reserve_exact(POOL_CAPACITY - len);
            }
            // SAFETY: `len < capacity`, so slot `len` is allocated and unused; all fields are
            // written before `set_len` makes it part of the pool. The stack is copied from
            // where it lies (the caller gives it up: taken once, here or below), not through
            // a temporary tuple, whose narrower stores the copy would stall on.
            unsafe {
                let slot = stacks.as_mut_ptr().add(len);
                (&raw mut (*slot).0).write(size);
                std::ptr::copy_nonoverlapping(&raw const **stack, &raw mut (*slot).1, 1);
                (&raw mut (*slot).2).write(clean);
                stacks.set_len(len + 1);
            }
            pool.reserved += size;
            true
        })
        .unwrap_or(false);
    if !kept {
        // Not pooled (larger than the whole budget, or the thread is shutting down): unmap it.
        // SAFETY: as above; the pool did not take it.
        release(unsafe { ManuallyDrop::take(stack) });
    }
}

/// Evicts the least recently given back stacks until one more of `size` bytes fits; `false`
/// (and nothing evicted) if it would not fit in an empty pool. An evicted default-size stack
/// moves to the live tier if it has room (see [`demote`]), any other is unmapped.
#[inline(never)]
fn evict(pool: &mut Pool, size: usize) -> bool {
    if size > POOL_RESERVED_BUDGET {
        return false;
    }
    let mut n = 0;
    let mut reserved = pool.reserved;
    while pool.stacks.len() - n >= POOL_CAPACITY || reserved + size > POOL_RESERVED_BUDGET {
        reserved -= pool.stacks[n].0;
        n += 1;
    }
    pool.reserved = reserved;
    let Pool { stacks, live, pending, epochs, .. } = pool;
    for (size, stack, clean) in stacks.drain(..n) {
        if size == DEFAULT_STACK_SIZE
            && LIVE_POOLED.fetch_add(1, Ordering::Relaxed) < LIVE_POOL_CAPACITY
        {
            demote(stack, clean, live, pending, epochs);
        } else {
            if size == DEFAULT_STACK_SIZE {
                LIVE_POOLED.fetch_sub(1, Ordering::Relaxed);
            }
            release(stack);
        }
    }
    true
}

/// Moves a default-size stack to the live tier, which keeps at most its top [`LIVE_RESIDENT`]
/// bytes resident (see [`trim`]): whatever its bodies touched below that mark is given back to
/// the OS.
///
/// Whether they touched it costs one `mincore` of the page below the mark (about 1 to 2 µs
/// here, a third of naive Hamming's time when every stack was checked), unless the stack was
/// shallow in an epoch (see [`Epochs`]) after which this thread took no page fault: a page
/// below the mark becomes resident only through a page fault of this thread (its bodies touch
/// the stack from the top down, and nothing else writes it). Such a stack waits in
/// `pending`; when [`POOL_CAPACITY`] of them wait, one `getrusage` ends the epoch: no fault
/// since it began, and they all join the checked ones, else each is checked.
///
/// Checking stacks in batches, sorted by address, one `mincore` per span of neighbours, was
/// measured and was slower (naive Hamming: 93 ms with batches of 32, 214 ms with batches of
/// 512, against 60 ms one stack at a time): `mincore` costs per page and per mapping walked.
fn demote(
    stack: DefaultStack,
    clean: Clean,
    live: &mut BinaryHeap<ByTop>,
    pending: &mut Vec<(DefaultStack, Clean)>,
    epochs: &mut Epochs,
) {
    if clean == Clean::UNKNOWN || clean.0 <= epochs.last_faulty {
        trim(&stack, LIVE_RESIDENT);
        live.push(ByTop(stack));
        return;
    }
    pending.push((stack, clean));
    if pending.len() < POOL_CAPACITY {
        return;
    }
    let faults = thread_faults();
    if faults.is_none() || faults != Some(epochs.faults) {
        // A fault in this epoch (or no count): each waiting stack may have gone deep.
        epochs.last_faulty = epochs.now;
        for (stack, _) in pending.iter() {
            trim(stack, LIVE_RESIDENT);
        }
    }
    live.extend(pending.drain(..).map(|(stack, _)| ByTop(stack)));
    // Past `u32::MAX` epochs every stack is checked (`Clean` saturates at the last one).
    epochs.now = epochs.now.saturating_add(1);
    epochs.faults = faults.unwrap_or(u64::MAX);
}

/// The page faults this thread took so far (minor and major), or `None` if the OS does not
/// say (then every stack moving to the live tier is checked).
///
/// The process id is mixed in: a child forked from this thread starts with its own count from
/// zero and a copy of the pool, which must not take the child's count for the parent's.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn thread_faults() -> Option<u64> {
    // SAFETY: `rusage` is plain integers; all zeros is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `getrusage` writes one `rusage` into the valid `usage`.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } != 0 {
        return None;
    }
    let faults = u64::try_from(usage.ru_minflt).ok()? + u64::try_from(usage.ru_majflt).ok()?;
    // SAFETY: `getpid` has no preconditions.
    let pid = u64::try_from(unsafe { libc::getpid() }).ok()?;
    // 2^40 faults per thread before the two could meet.
    Some((pid << 40) ^ faults)
}

/// No per-thread fault count here: every stack moving to the live tier is checked.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn thread_faults() -> Option<u64> {
    None
}

/// Gives back to the OS the pages of `stack` below its top `keep` bytes, if its body touched
/// the page just below that mark (and so, going down page by page, all those above it).
#[inline(never)]
fn trim(stack: &DefaultStack, keep: usize) {
    #[cfg(test)]
    tests::CHECKS.with(|n| n.set(n.get() + 1));
    let page = page_size();
    let keep_from = (stack.base().get() - keep) & !(page - 1);
    let low = stack.limit().get();
    if keep_from < low + page {
        // Nothing below the mark (a stack at most a page larger than `keep`).
        return;
    }
    let mut resident = 0u8;
    // SAFETY: `mincore` only inspects the page `keep_from - page`, which lies in the stack's
    // usable range (`low <= keep_from - page`, checked above; both page-aligned), and writes
    // one byte into `resident`.
    let checked =
        unsafe { libc::mincore((keep_from - page) as *mut libc::c_void, page, &mut resident) };
    if checked == 0 && resident & 1 == 0 {
        return;
    }
    // SAFETY: `low..keep_from` is part of this stack's usable range, which nothing uses now
    // (its generator is gone; the slot and info bytes at the very top are above `keep_from`).
    // `MADV_DONTNEED` on a private anonymous mapping replaces those pages by zero pages on the
    // next touch, which is all a stack needs.
    unsafe { libc::madvise(low as *mut libc::c_void, keep_from - low, libc::MADV_DONTNEED) };
}

/// The page size (cached).
pub(crate) fn page_size() -> usize {
    static PAGE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    match PAGE.load(std::sync::atomic::Ordering::Relaxed) {
        0 => {
            // SAFETY: `sysconf` has no preconditions.
            let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
                .ok()
                .filter(|&p| p > 0)
                .unwrap_or(4096);
            PAGE.store(page, std::sync::atomic::Ordering::Relaxed);
            page
        }
        page => page,
    }
}

/// Resident bytes of `len` bytes at `addr` (page-aligned), by `mincore`.
fn resident_bytes(addr: usize, len: usize) -> usize {
    let page = page_size();
    let mut vec = vec![0u8; len.div_ceil(page)];
    // SAFETY: `addr..addr+len` is mapped (a pooled stack's usable range) and `vec` has one
    // byte per page of it.
    if unsafe { libc::mincore(addr as *mut libc::c_void, len, vec.as_mut_ptr()) } != 0 {
        return 0;
    }
    vec.iter().filter(|&&b| b & 1 != 0).count() * page
}

/// Statistics of this thread's stack pool.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{pool_stats, Gen};
///
/// stasis::clear_pool();
/// drop(Gen::<i32>::new(|co, ()| co.yield_(1))); // never started: its stack goes to the pool
/// assert_eq!(pool_stats().stacks, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Stacks waiting for reuse on this thread.
    pub stacks: usize,
    /// Their reserved bytes (address space, not resident memory): each mapping with its guard
    /// page, two pages more than the size asked for (the guard page, and room for the
    /// generator's own top bytes; a third for sizes that are not a multiple of the page
    /// size). The sizes asked for add
    /// up to at most [`POOL_RESERVED_BUDGET`](crate::POOL_RESERVED_BUDGET) in the hot places, plus
    /// [`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE) per stack of the live tier.
    pub reserved_bytes: usize,
    /// Their bytes resident in memory now (`mincore`); at most `POOL_CAPACITY ×
    /// KEEP_RESIDENT` plus the stacks' top pages in the hot places, plus
    /// [`LIVE_RESIDENT`](crate::LIVE_RESIDENT) per stack of the live tier, except up to
    /// `POOL_CAPACITY` stacks of it waiting for their check (at most
    /// [`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE) each).
    pub resident_bytes: usize,
}

/// What this thread's stack pool holds now. The pool's rules (sizes, eviction, resident
/// memory) are in [the crate docs](crate#stacks-the-pool).
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// assert!(stasis::pool_stats().stacks <= stasis::POOL_CAPACITY + stasis::LIVE_POOL_CAPACITY);
/// ```
pub fn pool_stats() -> PoolStats {
    POOL.try_with(|pool| {
        let pool = &*pool.borrow();
        let stacks = || {
            let pending = pool.pending.iter().map(|(s, _)| s);
            pool.stacks
                .iter()
                .map(|(_, s, _)| s)
                .chain(pool.live.iter().map(|s| &s.0))
                .chain(pending)
        };
        let range = |s: &DefaultStack| (s.limit().get(), s.base().get() - s.limit().get());
        PoolStats {
            stacks: stacks().count(),
            reserved_bytes: stacks().map(|s| range(s).1).sum(),
            resident_bytes: stacks().map(|s| resident_bytes(range(s).0, range(s).1)).sum(),
        }
    })
    .unwrap_or(PoolStats { stacks: 0, reserved_bytes: 0, resident_bytes: 0 })
}

/// Unmaps every stack in this thread's pool.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// stasis::clear_pool();
/// assert_eq!(stasis::pool_stats().stacks, 0);
/// ```
pub fn clear_pool() {
    drain();
}

/// Unmaps every stack in this thread's pool; how many there were.
fn drain() -> usize {
    let (hot, live, pending) = POOL
        .try_with(|pool| {
            let pool = &mut *pool.borrow_mut();
            pool.reserved = 0;
            (
                std::mem::take(&mut pool.stacks),
                std::mem::take(&mut pool.live),
                std::mem::take(&mut pool.pending),
            )
        })
        .unwrap_or_default();
    let n = hot.len() + live.len() + pending.len();
    for (_, stack, _) in hot {
        release(stack);
    }
    release_live(live.into_iter().map(|s| s.0).chain(pending.into_iter().map(|(stack, _)| stack)));
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Gen;
    use std::cell::Cell;

    thread_local! {
        /// Calls of `trim` on this thread (each a `mincore`, plus a `madvise` if deep).
        pub(super) static CHECKS: Cell<usize> = const { Cell::new(0) };
    }

    /// Uses about `bytes` of stack (page-sized frames, each touched).
    fn recurse(bytes: usize) -> u64 {
        let mut frame = [1u8; 4096];
        std::hint::black_box(&mut frame);
        if bytes <= frame.len() {
            u64::from(frame[7])
        } else {
            recurse(bytes - frame.len()) + u64::from(frame[9])
        }
    }

    /// `n` default-size generators suspended after using `depth` bytes of stack, dropped
    /// together; how many stacks were checked meanwhile.
    fn churn(n: usize, depth: usize) -> usize {
        let before = CHECKS.with(Cell::get);
        let live: Vec<Gen<u64>> = (0..n)
            .map(|_| {
                let mut g = Gen::new(move |co, ()| {
                    co.yield_(recurse(depth));
                    co.yield_(0);
                });
                assert!(g.next().is_some());
                g
            })
            .collect();
        drop(live);
        CHECKS.with(Cell::get) - before
    }

    #[test]
    fn stacks_known_shallow_skip_the_check_while_the_thread_takes_no_fault() {
        std::thread::spawn(|| {
            clear_pool();
            // The first rounds map stacks and fault their pages in: every stack is checked.
            assert!(churn(200, 0) > 0);
            // Then a round whose epochs saw no page fault moves 168 stacks to the live tier
            // without a system call each (allocations may fault now and then: a few tries).
            let checks: Vec<usize> = (0..8).map(|_| churn(200, 0)).collect();
            // Under AddressSanitizer (`STASIS_ASAN`, set by `cargo xtask asan`) the allocator's
            // quarantine hands out fresh memory all the time: the thread faults in every round
            // and every stack is checked, which is right, only slower.
            let asan = std::env::var_os("STASIS_ASAN").is_some();
            assert!(checks.contains(&0) || asan, "{checks:?}");
            clear_pool();
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_deep_body_on_a_stack_known_shallow_is_still_trimmed() {
        const LIVE: usize = 200;
        const DEEP: usize = 100 * 1024;
        std::thread::spawn(|| {
            clear_pool();
            for _ in 0..8 {
                if churn(LIVE, 0) == 0 {
                    break;
                }
            }
            // Every stack now comes from the live tier known shallow; these bodies go deep,
            // which faults pages in: the epochs see it and each stack is checked.
            assert!(churn(LIVE, DEEP) > 0);
            let stats = pool_stats();
            assert_eq!(stats.stacks, LIVE);
            // Hot places and the stacks still waiting for their epoch to end (at most
            // `POOL_CAPACITY` each) keep what their bodies touched; the rest their top pages.
            assert!(stats.resident_bytes < LIVE * DEEP / 2, "{stats:?}");
            clear_pool();
        })
        .join()
        .unwrap();
    }

    #[test]
    fn classify_names_the_limit_that_was_hit() {
        let text = classify(1 << 18, Some(65_529), Some(65_530), None, Some(1 << 30));
        assert!(text.starts_with("vm.max_map_count is reached (this process has 65529"), "{text}");
        let text =
            classify(1 << 18, Some(40), Some(65_530), Some(100 << 20), Some(99 << 20 | 900 << 10));
        assert!(
            text.contains("RLIMIT_AS is 100.0 MiB and this process already uses 99.9 MiB"),
            "{text}"
        );
        let text = classify(1 << 18, Some(40), Some(65_530), Some(100 << 20), Some(99 << 20));
        assert!(
            text.starts_with("neither limit looks exhausted"),
            "room for one more stack: {text}"
        );
        let text = classify(1 << 18, Some(40), Some(65_530), None, Some(99 << 20));
        assert!(
            text.contains(
                "neither limit looks exhausted (40 of 65530 mappings used, no RLIMIT_AS)"
            )
        );
        let text = classify(1 << 18, None, None, None, None);
        assert!(text.contains("mapping count unknown"), "{text}");
    }

    #[test]
    fn diagnosis_reads_this_process() {
        // Nothing is exhausted in a test process.
        assert!(
            diagnose(4096).starts_with("neither limit looks exhausted ("),
            "{}",
            diagnose(4096)
        );
        assert!(count_mappings("/proc/self/maps").is_some_and(|n| n > 3));
    }

    /// Generators created one after another get neighbouring stacks in address order, however
    /// scrambled the order in which the previous ones were dropped (see `ByTop`).
    #[test]
    fn the_live_tier_hands_out_its_highest_stack_first() {
        std::thread::spawn(|| {
            const N: usize = 100;
            clear_pool();
            let mut stacks: Vec<_> =
                (0..N).map(|_| Some(fresh(DEFAULT_STACK_SIZE).unwrap())).collect();
            // Given back in a scrambled order (37 is prime to N).
            for i in (0..N).map(|i| i * 37 % N) {
                let mut stack = ManuallyDrop::new(stacks[i].take().unwrap());
                let clean = POOL.with(|pool| Clean(pool.borrow().epochs.now));
                // SAFETY: `stack` is not used again.
                unsafe { give(DEFAULT_STACK_SIZE, clean, &mut stack) };
            }
            let taken: Vec<_> = (0..N).map(|_| from_pool(DEFAULT_STACK_SIZE).unwrap()).collect();
            // The hot places come first (newest first); then the live tier, highest first.
            let tops: Vec<_> = taken[POOL_CAPACITY..].iter().map(|s| s.0.base().get()).collect();
            assert!(tops.windows(2).all(|w| w[0] > w[1]), "{tops:x?}");
            taken.into_iter().for_each(|(stack, _)| release(stack));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn mapping_count_leaves_out_vsyscall() {
        let maps = "\
55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1234 /usr/bin/x
7ffc5a1d0000-7ffc5a1f1000 rw-p 00000000 00:00 0 [stack]
7ffc5a1f9000-7ffc5a1fb000 r-xp 00000000 00:00 0 [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]
";
        assert_eq!(mappings_in(maps.as_bytes()), Some(3));
        // Through a reader that returns one byte at a time (split anywhere in a line).
        struct Trickle<'a>(&'a [u8]);
        impl io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((&b, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = b;
                self.0 = rest;
                Ok(1)
            }
        }
        assert_eq!(mappings_in(Trickle(maps.as_bytes())), Some(3));
        assert_eq!(mappings_in(&b"a [vsyscall] b\n[vsyscall]\n"[..]), Some(1));
    }
}
