//! The generator stack: a pooled corosensei `DefaultStack` with bytes reserved at its top, out
//! of corosensei's reach, for the generator's [`Slot`] and the [`StackInfo`], and its colour.
//!
//! This is the one picture of the reserved bytes (as corosensei's `arch/x86_64.rs` draws the
//! slots at the base of its stacks); [`reserved`] and [`info_of`] are the one place their
//! addresses are computed, for [`SlotStack`] and `Gen` alike.
//!
//! ```text
//!   high addresses                              offset from the top
//!  ┌────────────────────────────┐ ◀─ top = DefaultStack::base()      0
//!  │ StackInfo {size,pooled,..} │    INFO_BYTES (16)
//!  ├────────────────────────────┤ ◀─ info_of(slot) = top - 16       -16
//!  │ (unused)                   │    the rest of the top line
//!  ├────────────────────────────┤                                   -64
//!  │ (unused: the colour)       │    colour(top): 0, 64, .., 1984 bytes
//!  ├────────────────────────────┤                         -64 - colour  ─┐
//!  │ Slot<Y, S, E>              │    at most SLOT_BYTES (48)              │ one cache line:
//!  ├────────────────────────────┤ ◀─ reserved(top) = the slot             │ all a resume
//!  │ corosensei's parent link   │    16 bytes, written on every resume    │ touches up here
//!  ├────────────────────────────┤                    -128 - colour      ─┘
//!  │ frames of the body ...     │    corosensei's usable stack, growing down
//!  │                            │    from SlotStack::base() = the slot
//!  ├────────────────────────────┤ ◀─ SlotStack::limit() = DefaultStack::limit()
//!  │ guard page                 │
//!  └────────────────────────────┘
//!   low addresses
//! ```
//!
//! **Colour** (why the slot is not at the top): every stack's top is page-aligned, so without
//! it the hot bytes of every suspended generator (its slot, corosensei's link, the frames where
//! it waits) sit at the same offsets within their pages. In a chain of generators resuming
//! one another (CPython's sieve: ~4,000 deep), those bytes then compete for the same few sets
//! of the L1 and L2 caches, and a parent's and a child's saved registers alias at 4 KiB (the
//! core predicts a dependency between a store and a load whose addresses share their low 12
//! bits). So the reserved bytes, and with them all the frames below, start [`colour`] lines
//! below the top: one of [`COLOURS`] places, taken from the address of the top. Fresh
//! stacks are mapped next to each other (a default-size stack spans 66 pages with its guard,
//! so neighbours are one line apart), and a pooled stack keeps its colour.
//!
//! **One line at the top**: the [`Slot`] ends 16 bytes into a cache line whose first 16
//! bytes (below the stack's base) hold corosensei's link to the parent, which every resume
//! writes; the slot's `kind` is read on every resume. So a resume touches one line up here,
//! not two. The [`StackInfo`] (read only when the generator is dropped or asked its
//! `stack_size`) stays at the very top, out of the way.
//!
//! Measured (`cargo xtask bench`, "Many live generators"; stasis-bench's `examples/hops.rs`
//! counts the lines with valgrind's lackey): a resume-yield pair touches 2 cache lines of the
//! resumed stack with raw corosensei, 5 with stasis in a chain of pass-through generators (the
//! slot line, and 4 lines of frames around the body's suspended stack pointer: how many
//! depends on how the body's frame falls across lines, 2 to 4 in the bodies measured). At
//! 4,000 stacks × 4 lines the hot bytes are about the size of the L2 cache (1 MiB here), so
//! one line more or less per stack shows in the time of a hop: with the colours, a 4,000-deep
//! chain of sieve filters costs 0.6× and a chain of pass-through generators 0.8× what it did
//! without. Sharing the slot's line with the link saves that line for every body; moving the
//! frames by 48 bytes also moved the pass-through body's frame across one more line.
//!
//! What the 5 lines of a pass-through hop are (lackey, symbolized; bytes below the top of a
//! stack whose colour is 1,984): the slot line (the `kind` byte at 2,058, the link at 2,112);
//! the child's `Gen` in the body's frame, whose saved stack pointer (2,424, cleared and
//! written by each resume) and stack base (2,464) straddle two lines; the body's `Co` (yielder
//! at 2,552, slot pointer at 2,568); and the registers `switch_yield` saves (2,584..2,600).
//! Raw corosensei's small frame holds its coroutine handle, yielder and saved registers in one
//! line. Ideas not tried: a 64-byte-aligned `Gen` (its hot fields in one line, but a visible
//! change of its alignment), and `Co`'s hot fields next to the saved registers.
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

/// Bytes reserved for the [`Slot`] (a multiple of corosensei's stack alignment): the top 48
/// bytes of the cache line whose bottom 16 hold corosensei's parent link.
pub(super) const SLOT_BYTES: usize = 48;

/// Bytes at the very top of the mapping that hold the [`StackInfo`], in a line of their own.
pub(super) const INFO_BYTES: usize = 16;

/// The cache line at the top of the mapping, which holds the [`StackInfo`].
const INFO_LINE: usize = 64;

/// How many places the reserved bytes (and so all the frames below them) take on different
/// stacks, one cache line ([`COLOUR_STRIDE`]) apart.
pub(super) const COLOURS: usize = 32;

/// Bytes between two colours: one cache line.
pub(super) const COLOUR_STRIDE: usize = 64;

/// The most the reserved bytes take from a stack's usable size, whatever its colour (2,096
/// bytes). The pool maps this much more than the size asked for, so a body has at least the
/// size it asked for.
pub(crate) const RESERVED_MAX: usize = INFO_LINE + (COLOURS - 1) * COLOUR_STRIDE + SLOT_BYTES;

/// How many bytes below the top of its mapping a stack's reserved bytes are moved (see
/// "Colour" in the module docs): `0, 64, .., 1984`, from bits 13 to 17 of the top's address
/// (two instructions, on every resume). A mapping of `2^k` usable bytes plus the reserved
/// page and the guard page spans an odd number of 8 KiB units (the default size: 33), so
/// stacks mapped one after another take all 32 colours in turn, one line apart.
#[inline(always)]
pub(super) const fn colour(top: usize) -> usize {
    const { assert!(COLOURS.is_power_of_two() && COLOUR_STRIDE == 64) };
    ((top >> 13) % COLOURS) * COLOUR_STRIDE
}

/// Where the reserved bytes of a stack whose mapping ends at `top` begin: the address of its
/// [`Slot`], and the base of the stack corosensei uses (see the picture in the module docs).
#[inline(always)]
pub(super) const fn reserved(top: usize) -> usize {
    top - INFO_LINE - colour(top) - SLOT_BYTES
}

/// The [`StackInfo`] of the stack whose [`Slot`] is at `slot` (see [`reserved`]): 16 bytes
/// below the page boundary above the slot, which is the top of the mapping (the slot lies
/// less than 4 KiB below it, checked here).
#[inline(always)]
pub(super) fn info_of(slot: *mut u8) -> *mut StackInfo {
    const { assert!(RESERVED_MAX < 4096) };
    let top = (slot.addr() | 4095) + 1;
    slot.wrapping_add(top - INFO_BYTES - slot.addr()).cast()
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

/// A generator stack with its top bytes reserved for the [`Slot`] and the [`StackInfo`] (see
/// [`reserved`]); it goes back to the pool (or is unmapped) when dropped.
pub(super) struct SlotStack {
    stack: ManuallyDrop<DefaultStack>,
}

impl SlotStack {
    /// Wraps `stack` and writes its [`StackInfo`].
    pub(super) fn new(stack: DefaultStack, info: StackInfo) -> Self {
        const { assert!(size_of::<StackInfo>() <= INFO_BYTES && INFO_BYTES <= INFO_LINE) };
        let stack = SlotStack { stack: ManuallyDrop::new(stack) };
        // SAFETY: the top `INFO_BYTES` of the mapping are reserved (above `Stack::base` below,
        // and above the slot), mapped, writable and 16-byte aligned; nothing else uses them.
        unsafe { stack.info_ptr().write(info) };
        stack
    }

    /// The [`StackInfo`] at the top of the mapping (what [`info_of`] finds from the slot),
    /// without computing the colour.
    fn info_ptr(&self) -> *mut StackInfo {
        (self.stack.base().get() - INFO_BYTES) as *mut StackInfo
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

// SAFETY: the same mapping as the `DefaultStack`, with the usable range shrunk at the top by
// the reserved bytes (at most `RESERVED_MAX`): the base stays aligned (the top is page-aligned
// and every term of `reserved` is a multiple of `STACK_ALIGNMENT`, checked below), stays above
// the limit (stacks are at least `MIN_STACK_SIZE`, far more than `RESERVED_MAX`), and the guard
// page below the limit is unchanged.
unsafe impl Stack for SlotStack {
    #[inline]
    fn base(&self) -> StackPointer {
        const {
            assert!(SLOT_BYTES.is_multiple_of(STACK_ALIGNMENT));
            assert!(INFO_LINE.is_multiple_of(STACK_ALIGNMENT));
            assert!(COLOUR_STRIDE.is_multiple_of(STACK_ALIGNMENT));
        };
        // SAFETY: a mapped stack's base is far above `RESERVED_MAX` (the zero page is never
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every colour keeps the reserved bytes in the top page, the slot in one cache line with
    /// corosensei's 16-byte parent link below it, and the info at the top.
    #[test]
    fn reserved_bytes_fit_every_colour() {
        let top = 0x7f00_0000_0000usize;
        let mut seen = std::collections::BTreeSet::new();
        for page in 0..4 * COLOURS {
            let top = top + page * 4096;
            let slot = reserved(top);
            seen.insert(colour(top));
            assert!(top - slot <= RESERVED_MAX && RESERVED_MAX < 4096);
            assert_eq!((slot - 16) % 64, 0, "link and slot in one line");
            assert_eq!(slot % STACK_ALIGNMENT, 0);
            assert_eq!(info_of(slot as *mut u8).addr(), top - INFO_BYTES);
            assert!(slot + SLOT_BYTES <= top - INFO_LINE, "the slot stays below the info line");
        }
        assert_eq!(seen.len(), COLOURS);
    }

    /// Stacks mapped one after another (as a chain of generators gets them) take different
    /// colours, and every one keeps at least the usable size asked for below its slot.
    #[test]
    fn neighbouring_stacks_differ_in_colour_and_keep_their_size() {
        let size = crate::DEFAULT_STACK_SIZE;
        let stacks: Vec<_> = (0..8)
            .map(|_| {
                let info = StackInfo { size, pooled: false, clean: Clean::UNKNOWN };
                SlotStack::new(crate::pool::fresh(size).unwrap(), info)
            })
            .collect();
        // Where the kernel puts a mapping is its choice (side by side usually; elsewhere under
        // AddressSanitizer, whose own mappings come in between), so the colours are checked on
        // tops one stack mapping apart: 8 stacks mapped side by side take 8 colours.
        let top = stacks[0].stack.base().get();
        let mapping = top - stacks[0].stack.limit().get() + crate::pool::page_size(); // + guard
        let colours: std::collections::BTreeSet<_> =
            (0..8).map(|i| colour(top - i * mapping)).collect();
        assert_eq!(colours.len(), 8, "{colours:?}");
        for stack in &stacks {
            assert!(stack.base().get() - stack.limit().get() >= size);
            assert_eq!(stack.info().size, size);
        }
    }
}
