//! Per-thread pool of generator stacks, and the validated stack sizes.
//!
//! Creating a corosensei `DefaultStack` costs an `mmap`, an `mprotect` and later a `munmap`
//! (about 15 µs here); running a coroutine on a reused stack costs about 16 ns. So every thread
//! keeps up to [`POOL_CAPACITY`] finished stacks and hands them to new generators of the same
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
/// use stasis_core::{Gen, StackError};
///
/// let err = Gen::builder().stack_size(100).build(|co, ()| co.yield_(1)).unwrap_err();
/// assert!(matches!(err, StackError::TooSmall { .. }));
/// println!("{err}");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// The requested size is below [`MIN_STACK_SIZE`].
    #[error(
        "generator stack size {requested} bytes is below the minimum of {min} bytes; \
         pass at least {min} to GenBuilder::stack_size"
    )]
    TooSmall {
        /// What was asked for.
        requested: usize,
        /// [`MIN_STACK_SIZE`].
        min: usize,
    },
    /// The requested size is above [`MAX_STACK_SIZE`].
    #[error(
        "generator stack size {requested} bytes is above the maximum of {max} bytes; \
         a generator that needs more should keep its data on the heap"
    )]
    TooLarge {
        /// What was asked for.
        requested: usize,
        /// [`MAX_STACK_SIZE`].
        max: usize,
    },
    /// The operating system refused to map a new stack.
    #[error(
        "the OS refused to map a {size}-byte generator stack ({source}); every live stackful \
         generator holds 2 memory mappings, so the usual causes are vm.max_map_count (Linux \
         default 65530, about 32,000 live generators: raise it with `sysctl vm.max_map_count=N`) \
         or an address-space limit (RLIMIT_AS, `ulimit -v`); drop generators you no longer \
         need or use smaller stacks"
    )]
    Os {
        /// The stack size that was asked for.
        size: usize,
        /// The OS error (`ENOMEM` for both causes above).
        #[source]
        source: io::Error,
    },
}

/// Checks a requested stack size against [`MIN_STACK_SIZE`] and [`MAX_STACK_SIZE`].
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
pub(crate) fn take(size: usize, pooled: bool) -> Result<DefaultStack, StackError> {
    if pooled {
        let hit = POOL
            .try_with(|pool| {
                let pool = &mut pool.borrow_mut().0;
                let at = pool.iter().rposition(|(s, _)| *s == size)?;
                Some(pool.swap_remove(at).1)
            })
            .ok()
            .flatten();
        if let Some(stack) = hit {
            return Ok(stack);
        }
    }
    fresh(size)
}

/// Maps a new stack, bypassing the pool, and registers its guard page with the overflow
/// reporter.
pub(crate) fn fresh(size: usize) -> Result<DefaultStack, StackError> {
    let stack = DefaultStack::new(size).map_err(|source| StackError::Os { size, source })?;
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
pub(crate) fn give(size: usize, stack: DefaultStack) {
    let mut stack = Some(stack);
    let _ = POOL.try_with(|pool| {
        let pool = &mut pool.borrow_mut().0;
        if pool.len() < POOL_CAPACITY
            && let Some(stack) = stack.take()
        {
            pool.push((size, stack));
        }
    });
    // Not pooled (full pool, or the thread is shutting down): unmap it.
    if let Some(stack) = stack {
        release(stack);
    }
}

/// Statistics of this thread's stack pool.
///
/// # Examples
///
/// ```
/// use stasis_core::{pool_stats, Gen};
///
/// stasis_core::clear_pool();
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
/// assert!(stasis_core::pool_stats().stacks <= stasis_core::POOL_CAPACITY);
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
/// stasis_core::clear_pool();
/// assert_eq!(stasis_core::pool_stats().stacks, 0);
/// ```
pub fn clear_pool() {
    let drained = POOL.try_with(|pool| std::mem::take(&mut pool.borrow_mut().0));
    for (_, stack) in drained.unwrap_or_default() {
        release(stack);
    }
}
