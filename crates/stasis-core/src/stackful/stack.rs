//! The generator stack: a pooled corosensei `DefaultStack` with [`SLOT_BYTES`] reserved at its
//! top, out of corosensei's reach, for the generator's [`Slot`] and the [`StackInfo`].
//!
//! This is the one picture of the reserved bytes (as corosensei's `arch/x86_64.rs` draws the
//! slots at the base of its stacks); [`reserved`] and [`info_of`] are the one place their
//! addresses are computed, for [`SlotStack`] and `Gen` alike.
//!
//! ```text
//!   high addresses                              offset from the top
//!  ┌────────────────────────────┐ ◀─ top = DefaultStack::base()      0  ─┐
//!  │ StackInfo {size,pooled,..} │    INFO_BYTES (16)                      │
//!  ├────────────────────────────┤ ◀─ info_of(slot) = top - 16       -16   │ SLOT_BYTES (64),
//!  │ (unused)                   │                                         │ reserved: never
//!  │ Slot<Y, S, E>              │    at most SLOT_BYTES - INFO_BYTES      │ used by corosensei
//!  ├────────────────────────────┤ ◀─ reserved(top) = the slot       -64  ─┘
//!  │                            │    = SlotStack::base(), 16-byte aligned
//!  │ frames of the body ...     │    corosensei's usable stack, growing down
//!  ├────────────────────────────┤ ◀─ SlotStack::limit() = DefaultStack::limit()
//!  │ guard page                 │
//!  └────────────────────────────┘
//!   low addresses
//! ```
//!
//! Owns: the reserved bytes and their addresses, the [`StackInfo`] (written once, by
//! [`SlotStack::new`]), the `Stack` contract towards corosensei, and giving the stack back to
//! the pool (or unmapping it) on drop. May not touch: what the [`Slot`] holds (`slot.rs` and
//! `delegate.rs`; the `Gen` writes it into place), nor the pool's bookkeeping beyond
//! `pool::give` / `pool::release`.

use std::mem::ManuallyDrop;

use corosensei::stack::{DefaultStack, STACK_ALIGNMENT, Stack, StackPointer};

#[cfg(doc)]
use super::slot::Slot;
use crate::pool::{self, Clean};

/// Bytes reserved at the top of every generator stack (a multiple of corosensei's stack
/// alignment): the [`Slot`] at the bottom of them, the [`StackInfo`] in the last 16.
pub(super) const SLOT_BYTES: usize = 64;

/// Bytes of the reserved ones that hold the [`StackInfo`], at the very top.
pub(super) const INFO_BYTES: usize = 16;

/// Where the reserved bytes of a stack whose mapping ends at `top` begin: the address of its
/// [`Slot`], and the base of the stack corosensei uses (see the picture in the module docs).
#[inline(always)]
pub(super) const fn reserved(top: usize) -> usize {
    top - SLOT_BYTES
}

/// The [`StackInfo`] in the reserved bytes that begin at `slot` (see [`reserved`]).
#[inline(always)]
pub(super) fn info_of(slot: *mut u8) -> *mut StackInfo {
    slot.wrapping_add(SLOT_BYTES - INFO_BYTES).cast()
}

/// What a stack is, kept in its own reserved bytes rather than in the `Gen` and the
/// `SlotStack` (both are moved around by value; smaller is cheaper: `Gen<u64>` is 64 bytes).
#[derive(Clone, Copy)]
pub(super) struct StackInfo {
    /// The usable size it was taken with (the pool's key).
    pub(super) size: usize,
    /// Whether it goes back to this thread's pool when dropped (else it is unmapped).
    pub(super) pooled: bool,
    /// What the pool knows of its depth, handed back with it (see `pool::demote`).
    pub(super) clean: Clean,
}

/// A generator stack with [`SLOT_BYTES`] reserved at its top for the [`Slot`] and the
/// [`StackInfo`]; it goes back to the pool (or is unmapped) when dropped.
pub(super) struct SlotStack {
    stack: ManuallyDrop<DefaultStack>,
}

impl SlotStack {
    /// Wraps `stack` and writes its [`StackInfo`].
    pub(super) fn new(stack: DefaultStack, info: StackInfo) -> Self {
        const { assert!(size_of::<StackInfo>() <= INFO_BYTES && INFO_BYTES < SLOT_BYTES) };
        let stack = SlotStack { stack: ManuallyDrop::new(stack) };
        // SAFETY: the top `INFO_BYTES` of the mapping are reserved (see `Stack::base` below),
        // mapped, writable and 16-byte aligned; nothing else uses them.
        unsafe { stack.info_ptr().write(info) };
        stack
    }

    fn info_ptr(&self) -> *mut StackInfo {
        info_of(self.base().get() as *mut u8)
    }

    fn info(&self) -> &StackInfo {
        // SAFETY: written by `SlotStack::new`, never written again, and part of the mapping
        // `self` owns.
        unsafe { &*self.info_ptr() }
    }
}

/// Dropping the coroutine in place drops its stack here, straight into the pool: nothing
/// moves the coroutine out of the `Gen` on the way (`Coroutine::into_stack` copied it, and
/// the copy read its fields right after the last resume wrote them, a store-forwarding stall
/// of a few nanoseconds per generator).
impl Drop for SlotStack {
    fn drop(&mut self) {
        let StackInfo { size, pooled, clean } = *self.info();
        if pooled {
            // SAFETY: `stack` is never used again: this is `drop`.
            unsafe { pool::give(size, clean, &mut self.stack) };
        } else {
            // SAFETY: as above.
            let stack = unsafe { ManuallyDrop::take(&mut self.stack) };
            // Unregisters the guard page from the overflow reporter before unmapping.
            pool::release(stack);
        }
    }
}

// SAFETY: the same mapping as the `DefaultStack`, with the usable range shrunk by `SLOT_BYTES`
// at the top: the base stays aligned (`SLOT_BYTES` is a multiple of `STACK_ALIGNMENT`, checked
// below), stays above the limit (stacks are at least `MIN_STACK_SIZE`), and the guard page
// below the limit is unchanged.
unsafe impl Stack for SlotStack {
    #[inline]
    fn base(&self) -> StackPointer {
        const { assert!(SLOT_BYTES.is_multiple_of(STACK_ALIGNMENT)) };
        // SAFETY: a mapped stack's base is far above `SLOT_BYTES` (the zero page is never
        // mapped), so the difference is not zero. Infallible on purpose: corosensei clears
        // its saved stack pointer before calling `base()` on every resume, and a `base()`
        // that could panic made the compiler keep that store (measured: +0.1 ns per resume).
        unsafe { StackPointer::new_unchecked(reserved(self.stack.base().get())) }
    }

    #[inline]
    fn limit(&self) -> StackPointer {
        self.stack.limit()
    }

    #[cfg(windows)]
    fn teb_fields(&self) -> corosensei::stack::StackTebFields {
        self.stack.teb_fields()
    }

    #[cfg(windows)]
    fn update_teb_fields(&mut self, stack_limit: usize, guaranteed_stack_bytes: usize) {
        self.stack.update_teb_fields(stack_limit, guaranteed_stack_bytes)
    }
}
