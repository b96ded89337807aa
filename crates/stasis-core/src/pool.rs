//! Per-thread pool of generator stacks, and the validated stack sizes.
//!
//! Creating a corosensei `DefaultStack` costs an `mmap`, an `mprotect` and later a `munmap`
//! (about 15 µs here); running a coroutine on a reused stack costs about 16 ns. So every thread
//! keeps up to [`POOL_CAPACITY`](crate::POOL_CAPACITY) finished stacks and hands them to new generators of the same
//! size. Each pooled stack keeps its guard page (it *is* a `DefaultStack`), so overflow detection
//! is the same on a pooled and on a fresh stack.
//!
//! ```text
//!   Gen::new ──take(size)──▶ [ pool: Vec<DefaultStack>, ≤ POOL_CAPACITY, this thread only ]
//!   Gen::drop ─give(stack)─▶   (full pool: the stack is unmapped instead)
//! ```
//!
//! The pool is thread-local because generators are `!Send`: a stack is always returned on the
//! thread that created it. Memory it holds: at most `POOL_CAPACITY` stacks, each keeping the
//! pages its last generator touched (usually one or two 4 KiB pages).
//!
//! Every stack mapped here is registered with the stack-overflow reporter
//! ([`crate::overflow`]) and unregistered right before it is unmapped, so a fault on its guard
//! page prints "a generator overflowed its stack" instead of a bare `SIGSEGV`.

use std::cell::RefCell;
use std::io;
use std::mem::ManuallyDrop;

use corosensei::stack::{DefaultStack, Stack};

use crate::overflow;

/// The stack size of a generator built without [`GenBuilder::stack_size`](crate::GenBuilder::stack_size):
/// 256 KiB of reserved address space, of which only touched pages become resident.
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// The smallest stack a generator may ask for (16 KiB). A body needs room for its frames plus
/// the unwinder's when it is closed or dropped; panics with `RUST_BACKTRACE` set need more.
pub const MIN_STACK_SIZE: usize = 16 * 1024;

/// The largest stack a generator may ask for (1 GiB of address space).
pub const MAX_STACK_SIZE: usize = 1 << 30;

/// How many finished stacks each thread keeps for reuse.
pub const POOL_CAPACITY: usize = 32;

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
    let maps = count_lines("/proc/self/maps");
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

/// Lines in a (possibly large) file, read through a fixed buffer: the caller is short of memory.
fn count_lines(path: &str) -> Option<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut buf = [0u8; 4096];
    let mut lines = 0;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Some(lines),
            Ok(n) => lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
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

/// This thread's finished stacks; at thread exit they are unregistered and unmapped.
struct Pool(Vec<(usize, DefaultStack)>);

impl Drop for Pool {
    fn drop(&mut self) {
        for (_, stack) in self.0.drain(..) {
            release(stack);
        }
    }
}

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool(Vec::new())) };
}

/// A stack of exactly `size` usable bytes: from the pool when `pooled` and one is there, else
/// freshly mapped.
#[inline]
pub(crate) fn take(size: usize, pooled: bool) -> Result<DefaultStack, StackError> {
    if pooled && let Some(stack) = from_pool(size) {
        return Ok(stack);
    }
    fresh(size)
}

/// A pooled stack of exactly `size` usable bytes, if this thread's pool has one.
#[inline]
fn from_pool(size: usize) -> Option<DefaultStack> {
    POOL.try_with(|pool| {
        let pool = &mut pool.borrow_mut().0;
        // Fast path: the stack given back last (LIFO keeps its pages warm).
        match pool.last() {
            Some((s, _)) if *s == size => pool.pop().map(|(_, stack)| stack),
            _ => {
                let at = pool.iter().rposition(|(s, _)| *s == size)?;
                Some(pool.swap_remove(at).1)
            }
        }
    })
    .ok()
    .flatten()
}

/// Maps a new stack, bypassing the pool, and registers its guard page with the overflow
/// reporter.
///
/// Out of line and cold: the OS call dwarfs a call, and inlined into [`take`] it gave the
/// pooled path a 4 KiB stack frame (the diagnosis reads `/proc` through a buffer).
#[cold]
#[inline(never)]
pub(crate) fn fresh(size: usize) -> Result<DefaultStack, StackError> {
    let stack = DefaultStack::new(size).map_err(|source| StackError::Os {
        size,
        source,
        cause: diagnose(size),
    })?;
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

/// Returns a finished generator's stack to this thread's pool (or unmaps it if the pool is full).
///
/// The stack is moved straight from where it lies into the pool: going through a local first
/// copied it twice, and the copies re-read bytes just written with narrower stores, a
/// store-forwarding stall that cost more than the rest of `give` (measured with `perf`).
///
/// # Safety
///
/// `stack` is taken: the caller must not use or drop it afterwards.
pub(crate) unsafe fn give(size: usize, stack: &mut ManuallyDrop<DefaultStack>) {
    let kept = POOL
        .try_with(|pool| {
            let pool = &mut pool.borrow_mut().0;
            let len = pool.len();
            if len >= POOL_CAPACITY {
                return false;
            }
            if pool.capacity() == len {
                pool.reserve_exact(POOL_CAPACITY - len);
            }
            // SAFETY: `len < capacity`, so slot `len` is allocated and unused; both fields are
            // written before `set_len` makes it part of the pool. The stack is copied from
            // where it lies (the caller gives it up: taken once, here or below), not through
            // a temporary tuple, whose narrower stores the copy would stall on.
            unsafe {
                let slot = pool.as_mut_ptr().add(len);
                (&raw mut (*slot).0).write(size);
                std::ptr::copy_nonoverlapping(&raw const **stack, &raw mut (*slot).1, 1);
                pool.set_len(len + 1);
            }
            true
        })
        .unwrap_or(false);
    if !kept {
        // Not pooled (full pool, or the thread is shutting down): unmap it.
        // SAFETY: as above; the pool did not take it.
        release(unsafe { ManuallyDrop::take(stack) });
    }
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
    /// Their reserved bytes (address space, not resident memory).
    pub reserved_bytes: usize,
}

/// What this thread's stack pool holds now.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// assert!(stasis::pool_stats().stacks <= stasis::POOL_CAPACITY);
/// ```
pub fn pool_stats() -> PoolStats {
    POOL.try_with(|pool| {
        let pool = &pool.borrow().0;
        PoolStats {
            stacks: pool.len(),
            reserved_bytes: pool.iter().map(|(_, s)| s.base().get() - s.limit().get()).sum(),
        }
    })
    .unwrap_or(PoolStats { stacks: 0, reserved_bytes: 0 })
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
    let drained = POOL.try_with(|pool| std::mem::take(&mut pool.borrow_mut().0));
    for (_, stack) in drained.unwrap_or_default() {
        release(stack);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(count_lines("/proc/self/maps").is_some_and(|n| n > 3));
    }
}
