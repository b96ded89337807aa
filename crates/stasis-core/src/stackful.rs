//! The stackful backend: a generator whose body runs on its own stack (corosensei), so it can
//! yield from any depth of ordinary function calls.
//!
//! # Design
//!
//! ```text
//!  consumer stack                          generator stack (pooled DefaultStack + guard page)
//!  ──────────────                          ──────────────────────────────────────────────────
//!  Gen::resume(arg) ──Input::Send(arg)──▶  base closure   (catch_unwind for RaiseToken only)
//!                                            └ body(&Co, first_arg)
//!                                                └ helper(&Co) └ helper(&Co) └ co.yield_(v)
//!  Step::Yielded(v) ◀──────── suspend(v) ─────────────────────────────────────────┘
//! ```
//!
//! - `throw(e)` and `close()` resume the body with `Input::Throw(e)` / `Input::Close`. Only a
//!   sent value crosses the switch itself; which input it is (and a pointer to a thrown error)
//!   travels in the [`Slot`], so that `next()` passes nothing but a register (see [`Wire`]).
//!   [`Co::try_yield`] hands them to the body as `Err(Thrown::..)`; [`Co::yield_`] re-raises them
//!   at once with [`Co::raise`].
//! - [`Co::raise`] stores the [`Thrown`] in the `Co` (which lives on the generator stack) and
//!   unwinds the generator stack with a private payload ([`RaiseToken`]). The base closure catches
//!   that payload only, and returns `Err(thrown)` as the coroutine's result: Python's exception
//!   propagation, with every destructor (our `finally`) running on the way. Any other payload
//!   (a real panic, corosensei's forced unwind) is passed on untouched, so panics reach the
//!   caller of `resume` as corosensei promises.
//! - The generator's [`State`] is derived from the coroutine itself (`started()` / `done()`), so
//!   there is no state field to keep in sync, even when the body panics.
//! - Dropping a suspended generator first runs the `close()` protocol (Python's finalizer); if
//!   the body ignores the exit and yields again, corosensei's forced unwind finishes the job.
//!   Either way every destructor on the generator stack runs, then the stack goes back to the
//!   per-thread pool (see [`crate::pool`]).
//!
//! # Delegation (`yield from`)
//!
//! [`Co::delegate`] keeps the cost of an item the same at any depth of nested delegation, as
//! C++23 `std::generator` does with `elements_of`: the outermost generator whose body delegates
//! (the *root*) keeps the stack of active delegates, and drives the innermost one directly:
//! an item costs a switch to the root's stack and one step of the innermost delegate, whatever
//! the depth.
//!
//! ```text
//!  consumer ── root.resume(v) ──▶ root stack: body ─ co.delegate(&mut a) ─ drive_here
//!                                   stack = [ e1, e2, e3 ]  (local; e1 = GenEntry { &mut a })
//!                                   catch_unwind(top.drive(cmd)) ──┐ top = e3
//!   a's stack:  body ─ co.delegate(&mut b) ─ frame holds e2 = GenEntry { &mut b }  (handed up)
//!   b's stack:  body ─ co.delegate(&mut m) ─ frame holds e3 = ObjEntry { &mut m }  (handed up)
//!   m: any Generator (state machine, combinator), resumed through the protocol ◀── e3.drive
//! ```
//!
//! - **Driving**: a body that is not adopted drives its delegation itself (`Co::drive_here`):
//!   its own entry at the bottom of a stack of entries local to that frame; it marks itself
//!   driving in its [`Slot`] (so nobody adopts it), runs the top entry's step, and yields each
//!   value with its own yield. Its `Gen` knows nothing of it: `resume`, `throw` and `close`
//!   resume the body as always, and `drive_here` turns what arrives into the next step of the
//!   top entry. When its own entry finishes, its `delegate` call returns.
//! - **Adoption**: a stackful sub-generator of the same types (a `Gen` or `Box<Gen>`, found with
//!   `Any`) is wrapped in a `GenEntry`, which marks it adopted in its slot and resumes its
//!   coroutine directly. When an adopted body delegates in turn, it does not drive: it leaves
//!   its new entry in its slot and suspends with no value (`Out` is a `MaybeUninit<Y>`, so a
//!   plain yield stays as small as `Y`); the `GenEntry` finds the slot full and hands the
//!   entry to the driver, which pushes it: nesting stays flat. Any other generator object, or
//!   a `Gen` already driving its own delegates, is an `ObjEntry` (resumed through the protocol).
//! - **Finishing**: when the top entry finishes (returns or raises), the driver pops it and
//!   resumes the delegator below with `Input::Resume`; its `delegate` call returns the outcome
//!   kept in the entry. `close()` cascades: the top is closed, then each delegator sees
//!   `Thrown::Exit` at its `yield from` (or the error its delegate raised while closing),
//!   innermost first, as CPython's `gen_close` does. A delegate that yields instead of closing
//!   finishes its entry with `Thrown::Exit` all the same ([`Drive::IgnoredExit`]), and the
//!   outermost `close()` reports the value it yielded once the chain unwound.
//! - **Panics**: a panic in the top entry is caught by the driver, stored in the entry, the
//!   entry popped, and the delegator resumed: its `delegate` re-raises the panic there, so every
//!   delegator unwinds (innermost first) and the panic reaches the consumer from the root.
//! - **Soundness of the pointers**: an entry lives in the frame of a body suspended in
//!   `delegate`; that body is resumed only after its entry is popped; the sub-generators are
//!   owned by (or borrowed from) those frames, so they outlive their entries. The stack of
//!   entries is a local of `drive_here`; `slot.driving` is cleared (by a guard, also when
//!   unwinding) when `drive_here` ends. Dropping a driving `Gen` resumes the body with `Close`:
//!   `drive_here` closes the chain
//!   innermost first; if the body's stack is then unwound by force, an adopted body resumed
//!   directly afterwards (by its owner's drop) drives its own delegate.
//! - **Cost on the plain path**: none. An earlier design let the `Gen` drive the stack of
//!   entries from the consumer's side (one switch per item instead of two), at the price of
//!   one check in the slot on every `resume`; that check cost more than the switch it saved
//!   (measured in one run: round trip 2.72 ns against 2.45 ns for raw corosensei with the
//!   check, 2.45 ns without; an item delegated to a stackful object 11.2 ns either way).
//!   `Gen`'s own methods never receive an uninitialized value.
//!
//! # Why `'static` and `!Send`
//!
//! The body, and the yield/return/send/error types, must be `'static`: a generator that borrows
//! could be leaked with `mem::forget` while suspended, and its stack frames would then outlive the
//! borrow; this broke every non-`'static` stackful coroutine API so far (corosensei issue #27,
//! generator-rs issue #49). Generators are `!Send` and `!Sync`: a suspended body may hold
//! references to thread-locals or `Rc`s on its stack, which another thread must not resume.
//!
//! # Unwinding
//!
//! `close()`, `throw()` that the body does not handle, and dropping a suspended generator unwind
//! the generator stack, so stasis needs `panic = "unwind"` (the default). A `catch_unwind` inside
//! a body must not swallow the unwinding it did not start: re-raise payloads you do not know.

use std::any::Any;
use std::cell::Cell;
use std::convert::Infallible;
use std::fmt;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;

use corosensei::stack::{DefaultStack, STACK_ALIGNMENT, Stack, StackPointer};
use corosensei::{Coroutine, CoroutineResult, Yielder};

use crate::pool::{self, DEFAULT_STACK_SIZE, StackError};
use crate::protocol::{CloseError, Generator, State, Step, Thrown};

/// What the consumer sends into the generator stack at each resume. It crosses the switch
/// split in two (see [`Wire`]): the sent value, if any, as the coroutine's input, and the
/// [`Kind`] (plus a pointer to the thrown error) in the [`Slot`].
enum Input<S, E> {
    Send(S),
    Throw(E),
    Close,
    /// Only ever sent by a driver to an adopted body waiting in [`Co::delegate`]: the
    /// delegate it waits for has finished or panicked; the outcome (or the panic) waits in the
    /// entry. `closing`: a `close()` is cascading outward, so the delegator sees
    /// `Thrown::Exit` unless the delegate raised an error (CPython's `gen_close`). No payload
    /// here keeps `Input` as small as the plain resume needs.
    Resume {
        closing: bool,
    },
}

/// What crosses the stack switch as the coroutine's input: the sent value for
/// [`Input::Send`], nothing (uninitialized) otherwise; [`Slot::kind`] says which.
///
/// corosensei wraps the input in a `Result<_, ForcedUnwind>` (a non-null pointer) and passes
/// it in a register only if the whole `Result` fits in 8 bytes. With `S = ()` a
/// `MaybeUninit<()>` is zero-sized, so the `Result` takes the pointer's niche and travels in a
/// register, exactly as raw corosensei's `()` does; a 2-byte `Input` enum made it 16 bytes,
/// passed through memory (measured in one loop of `next()` calls: 4.64 ns per round trip with
/// the enum, 4.21 ns with the wire, 3.90 ns for raw corosensei).
type Wire<S> = MaybeUninit<S>;

/// Which [`Input`] the [`Wire`] carries, kept in the [`Slot`]. The consumer sets it only for
/// the rare inputs, and the body puts it back to `Send` when it has read one, so the plain
/// resume costs one load on the body's side and no store on the consumer's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Send,
    /// The error is at [`Slot::thrown`]; the body moves it out.
    Throw,
    Close,
    Resume,
    ResumeClosing,
}

/// What a body hands out at a suspension: the yielded value, or nothing (uninitialized) when
/// an adopted body starts waiting in [`Co::delegate`] and hands its new entry up through the
/// [`Slot`]. Keeping that signal out of band keeps the value as small as `Y`: corosensei passes
/// a value of up to 8 bytes in a register, and a wider enum costs a store-forwarding stall
/// (measured: +0.5 ns per round trip for `u64`, +3.8 ns for `u32`). Only a [`GenEntry`] can
/// receive an uninitialized value (see [`Slot::adopted`]); `Gen`'s own methods never do.
type Out<Y> = MaybeUninit<Y>;

/// Delegation state of one generator, in the [`SLOT_BYTES`] reserved at the top of its stack:
/// both the body (through its `Co`) and whoever holds the `Gen` know its address from the
/// start, and it never moves.
struct Slot<Y, S, E> {
    /// Which input the current resume carries (see [`Wire`]); `Send` between resumes.
    kind: Cell<Kind>,
    /// With `Kind::Throw`: the error, in the frame of the consumer's resume call (which is
    /// blocked until the body switches back), to be moved out by the body exactly once.
    thrown: Cell<*mut E>,
    /// Set while a driver's [`GenEntry`] holds this generator (it was *adopted*): its body
    /// then hands a new delegation up to that driver instead of driving it.
    adopted: Cell<bool>,
    /// The entry an adopted body hands up when it starts waiting in [`Co::delegate`]; taken
    /// by the `GenEntry` right after the resume that left it.
    handed_up: Cell<Option<EntryPtr<Y, S, E>>>,
    /// Set by [`Gen::close`] while it runs: where a driving body puts the value a delegate
    /// yielded when it ignored the close (see [`Drive::IgnoredExit`]), so that `close` reports
    /// it after the body unwound. Null otherwise (a dropped generator just drops the value).
    ignored_out: Cell<*mut Option<Y>>,
    /// Set while this generator's body drives delegates itself (in `Co::drive_here`): it is
    /// then delegated to as a plain object, never adopted.
    driving: Cell<bool>,
}

impl<Y, S, E> Slot<Y, S, E> {
    /// Resumes `inner` (whose stack holds this slot) with `input`: the sent value goes on the
    /// wire, the rest through the slot (see [`Wire`]).
    #[inline(always)]
    fn transmit<R>(
        &self,
        inner: &mut Inner<Y, R, S, E>,
        input: Input<S, E>,
    ) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        match input {
            Input::Send(sent) => inner.resume(MaybeUninit::new(sent)),
            Input::Throw(err) => {
                let mut err = ManuallyDrop::new(err);
                self.thrown.set(&raw mut *err);
                self.kind.set(Kind::Throw);
                // The body moves `err` out as soon as it runs (in `Slot::receive`), before
                // anything that could unwind; `ManuallyDrop` keeps it from being dropped twice.
                inner.resume(MaybeUninit::uninit())
            }
            Input::Close => {
                self.kind.set(Kind::Close);
                inner.resume(MaybeUninit::uninit())
            }
            Input::Resume { closing } => {
                self.kind.set(if closing { Kind::ResumeClosing } else { Kind::Resume });
                inner.resume(MaybeUninit::uninit())
            }
        }
    }

    /// Reassembles, on the body's side, the input [`Slot::transmit`] sent.
    #[inline(always)]
    fn receive(&self, wire: Wire<S>) -> Input<S, E> {
        match self.kind.get() {
            // SAFETY: `transmit` puts the sent value on the wire exactly when the kind is
            // `Send` (the kind is reset to `Send` below after every other input).
            Kind::Send => Input::Send(unsafe { wire.assume_init() }),
            kind => self.receive_rare(kind),
        }
    }

    #[cold]
    fn receive_rare(&self, kind: Kind) -> Input<S, E> {
        self.kind.set(Kind::Send);
        match kind {
            Kind::Send => unreachable!("handled by `receive`"),
            // SAFETY: `transmit` set `thrown` to a live `ManuallyDrop<E>` in the frame of the
            // resume call that switched to us, which is blocked until we switch back; it is
            // read once, here, as the kind was reset above.
            Kind::Throw => Input::Throw(unsafe { self.thrown.get().read() }),
            Kind::Close => Input::Close,
            Kind::Resume => Input::Resume { closing: false },
            Kind::ResumeClosing => Input::Resume { closing: true },
        }
    }
}

/// Bytes reserved at the top of every generator stack (a multiple of corosensei's stack
/// alignment): the [`Slot`] at the bottom of them, the [`StackInfo`] in the last 16.
const SLOT_BYTES: usize = 64;

/// Bytes of the reserved ones that hold the [`StackInfo`], at the very top.
const INFO_BYTES: usize = 16;

/// What a stack is, kept in its own reserved bytes rather than in the `Gen` and the
/// `SlotStack` (both are moved around by value; smaller is cheaper: `Gen<u64>` is 64 bytes).
#[derive(Clone, Copy)]
struct StackInfo {
    /// The usable size it was taken with (the pool's key).
    size: usize,
    /// Whether it goes back to this thread's pool when dropped (else it is unmapped).
    pooled: bool,
}

/// A generator stack with [`SLOT_BYTES`] reserved at its top for the [`Slot`] and the
/// [`StackInfo`]; it goes back to the pool (or is unmapped) when dropped.
struct SlotStack {
    stack: ManuallyDrop<DefaultStack>,
}

impl SlotStack {
    /// Wraps `stack` and writes its [`StackInfo`].
    fn new(stack: DefaultStack, size: usize, pooled: bool) -> Self {
        const { assert!(size_of::<StackInfo>() <= INFO_BYTES && INFO_BYTES < SLOT_BYTES) };
        let stack = SlotStack { stack: ManuallyDrop::new(stack) };
        // SAFETY: the top `INFO_BYTES` of the mapping are reserved (see `Stack::base` below),
        // mapped, writable and 16-byte aligned; nothing else uses them.
        unsafe { stack.info_ptr().write(StackInfo { size, pooled }) };
        stack
    }

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
        let StackInfo { size, pooled } = *self.info();
        if pooled {
            // SAFETY: `stack` is never used again: this is `drop`.
            unsafe { pool::give(size, &mut self.stack) };
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
        unsafe { StackPointer::new_unchecked(self.stack.base().get() - SLOT_BYTES) }
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

/// A delegate entry with its borrow erased; see "Delegation" in the module docs for why it is
/// only dereferenced while the frame that owns it is alive.
type EntryPtr<Y, S, E> = NonNull<dyn Entry<Y, S, E>>;

/// What the driver asks of the delegate on top of its stack.
enum Cmd<S, E> {
    /// Start delegating: resume the sub-generator with the value given to [`Co::delegate`].
    Start,
    Send(S),
    Throw(E),
    Close,
    Resume {
        closing: bool,
    },
}

/// What one step of a delegate produced.
enum Drive<Y, S, E> {
    Yielded(Y),
    /// The delegate (a stackful generator adopted by the driver) started delegating in turn.
    Delegate(EntryPtr<Y, S, E>),
    /// The delegate finished; its outcome is kept in the entry for the delegator.
    Finished,
    /// Asked to close, the delegate yielded this value instead (Python: "generator ignored
    /// GeneratorExit"). As in CPython, the delegators are not left suspended: the entry is
    /// finished with `Thrown::Exit` for its delegator (CPython raises a `RuntimeError` at the
    /// `yield from`), and the outermost `close()` reports `CloseError::IgnoredExit` with this
    /// value once the chain unwound. The delegate itself stays suspended until it is dropped.
    IgnoredExit(Y),
}

/// A sub-generator being delegated to, seen by the driver without its return type.
trait Entry<Y, S, E> {
    /// One step on behalf of the outermost consumer.
    fn drive(&mut self, cmd: Cmd<S, E>) -> Drive<Y, S, E>;
    /// Keeps the panic that left the sub-generator, for the delegator to continue.
    fn set_panic(&mut self, payload: Box<dyn Any + Send>);
}

/// The outcome of a finished delegate, as the delegator sees it.
fn finish<R, E>(outcome: Option<Result<R, Thrown<E>>>, closing: bool) -> Result<R, Thrown<E>> {
    match outcome {
        Some(Err(Thrown::Error(e))) => Err(Thrown::Error(e)),
        _ if closing => Err(Thrown::Exit),
        Some(outcome) => outcome,
        None => panic!("{EXHAUSTED}"),
    }
}

const EXHAUSTED: &str = "yield from a generator that had already finished: its return value \
                         was already reported, so there is none to give; delegate to a \
                         generator that is created or suspended (check `state()` first)";

/// A stackful sub-generator *adopted* by the driver: resumed directly (bypassing its
/// `Gen::resume`), and marked in its [`Slot`] so that when its body delegates in turn it
/// hands the new entry up to the driver (flattening).
struct GenEntry<'a, Y, R, S, E> {
    sub: &'a mut Gen<Y, R, S, E>,
    first: Option<S>,
    outcome: Option<Result<R, Thrown<E>>>,
    panic: Option<Box<dyn Any + Send>>,
}

impl<'a, Y, R, S, E> GenEntry<'a, Y, R, S, E> {
    fn new(sub: &'a mut Gen<Y, R, S, E>, first: S) -> Self {
        sub.slot().adopted.set(true);
        GenEntry { sub, first: Some(first), outcome: None, panic: None }
    }
}

impl<Y, R, S, E> Drop for GenEntry<'_, Y, R, S, E> {
    fn drop(&mut self) {
        self.sub.slot().adopted.set(false);
    }
}

impl<Y, R, S, E> Entry<Y, S, E> for GenEntry<'_, Y, R, S, E> {
    fn drive(&mut self, cmd: Cmd<S, E>) -> Drive<Y, S, E> {
        // Closing: asked to close, or told at its `yield from` that its delegate was closed.
        let closing = matches!(cmd, Cmd::Close | Cmd::Resume { closing: true });
        let input = match cmd {
            Cmd::Send(s) => Input::Send(s),
            Cmd::Start => Input::Send(self.first.take().expect("a delegate is started once")),
            Cmd::Throw(e) => Input::Throw(e),
            Cmd::Close => Input::Close,
            Cmd::Resume { closing } => Input::Resume { closing },
        };
        match self.sub.transmit(input) {
            CoroutineResult::Yield(value) => match self.sub.slot().handed_up.take() {
                None => {
                    // SAFETY: the slot is empty, so the body yielded a value (see `Out`).
                    let value = unsafe { value.assume_init() };
                    if closing {
                        self.outcome = Some(Err(Thrown::Exit));
                        return Drive::IgnoredExit(value);
                    }
                    Drive::Yielded(value)
                }
                Some(entry) => Drive::Delegate(entry),
            },
            CoroutineResult::Return(outcome) => {
                self.outcome = Some(outcome);
                Drive::Finished
            }
        }
    }

    fn set_panic(&mut self, payload: Box<dyn Any + Send>) {
        self.panic = Some(payload);
    }
}

/// Any other generator object: driven through the protocol (it yields its values itself).
struct ObjEntry<'a, G: Generator<S>, S> {
    sub: &'a mut G,
    first: Option<S>,
    outcome: Option<Result<G::Return, Thrown<G::Error>>>,
    panic: Option<Box<dyn Any + Send>>,
}

impl<G: Generator<S>, S> Entry<G::Yield, S, G::Error> for ObjEntry<'_, G, S> {
    fn drive(&mut self, cmd: Cmd<S, G::Error>) -> Drive<G::Yield, S, G::Error> {
        let step = match cmd {
            Cmd::Send(s) => self.sub.resume(s),
            Cmd::Start => self.sub.resume(self.first.take().expect("a delegate is started once")),
            Cmd::Throw(e) => self.sub.throw(e),
            Cmd::Close => {
                // CPython's gen_close: close the sub-generator; the delegator then sees
                // GeneratorExit, or the error the sub-generator raised while closing.
                self.outcome = match self.sub.close() {
                    Ok(_) => Some(Err(Thrown::Exit)),
                    Err(CloseError::Raised(e)) => Some(Err(Thrown::Error(e))),
                    Err(CloseError::IgnoredExit(y)) => {
                        self.outcome = Some(Err(Thrown::Exit));
                        return Drive::IgnoredExit(y);
                    }
                };
                return Drive::Finished;
            }
            Cmd::Resume { .. } => unreachable!("only adopted stackful delegates wait"),
        };
        match step {
            Step::Yielded(y) => return Drive::Yielded(y),
            Step::Complete(r) => self.outcome = Some(Ok(r)),
            Step::Raised(t) => self.outcome = Some(Err(t)),
            Step::Exhausted => self.outcome = None,
        }
        Drive::Finished
    }

    fn set_panic(&mut self, payload: Box<dyn Any + Send>) {
        self.panic = Some(payload);
    }
}

/// A body suspended at a plain yield is never resumed as a waiting delegator.
const NOT_WAITING: &str = "stasis bug: a delegate's outcome was delivered to a plain yield";

/// The unwinding payload of [`Co::raise`]; the thrown value itself waits in [`Co`].
struct RaiseToken;

type Inner<Y, R, S, E> = Coroutine<Wire<S>, Out<Y>, Result<R, Thrown<E>>, SlotStack>;

/// The yield handle a stackful body receives: pass `&Co` down into ordinary functions and yield
/// from any depth.
///
/// `Y` is what the body yields, `S` what `resume`/`send` delivers, `E` what `throw` delivers.
///
/// # Examples
///
/// Yielding from a recursive helper, with no generator object per level:
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Co, Gen};
///
/// fn walk(co: &Co<u32>, depth: u32) {
///     if depth == 0 {
///         return;
///     }
///     walk(co, depth - 1);
///     co.yield_(depth);
/// }
///
/// let g = Gen::new(|co, ()| walk(co, 4));
/// assert_eq!(g.collect::<Vec<_>>(), [1, 2, 3, 4]);
/// ```
pub struct Co<Y, S = (), E = Infallible> {
    /// The yielder of the coroutine this handle belongs to.
    yielder: *const Yielder<Wire<S>, Out<Y>>,
    /// This generator's [`Slot`], at the top of its stack.
    slot: NonNull<Slot<Y, S, E>>,
    /// The vector of the last delegation this body drove, kept for the next one (see
    /// [`Driving`]).
    spare_stack: Cell<Vec<EntryPtr<Y, S, E>>>,
    /// A value being raised by [`Co::raise`] while the stack unwinds to the base.
    pending: Cell<Option<Thrown<E>>>,
}

impl<Y, S, E> Co<Y, S, E> {
    #[inline(always)]
    fn suspend(&self, out: Out<Y>) -> Input<S, E> {
        // SAFETY: a `Co` is only ever created by `Gen::build_with` inside the coroutine's base
        // closure, from the `&Yielder` that closure received, and the body only gets a `&Co`
        // borrowed from that frame (the closure bound is higher-ranked, so the reference cannot
        // escape). The yielder outlives the base frame, hence every `&Co`.
        let yielder = unsafe { &*self.yielder };
        let wire = yielder.suspend(out);
        self.slot().receive(wire)
    }

    /// What `throw` or `close` delivered at a plain yield.
    #[cold]
    fn interruption(input: Input<S, E>) -> Thrown<E> {
        match input {
            Input::Throw(err) => Thrown::Error(err),
            Input::Close => Thrown::Exit,
            Input::Send(_) | Input::Resume { .. } => unreachable!("{NOT_WAITING}"),
        }
    }

    /// Yields `value` to the consumer and returns what it sends next (Python's
    /// `received = yield value`).
    ///
    /// If the consumer throws an error or closes the generator while it waits here, the error
    /// (or [`Thrown::Exit`]) is raised at once with [`Co::raise`]: the body unwinds, destructors
    /// run, and the consumer gets the error back. Use [`Co::try_yield`] to handle it instead.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step};
    ///
    /// let mut echo = Gen::<String, (), String>::new(|co, first| {
    ///     let mut got = first;
    ///     loop {
    ///         got = co.yield_(got.to_uppercase());
    ///     }
    /// });
    /// assert_eq!(echo.resume("hi".into()), Step::Yielded("HI".into()));
    /// assert_eq!(echo.resume("there".into()), Step::Yielded("THERE".into()));
    /// ```
    #[inline]
    #[doc(alias = "yield")]
    pub fn yield_(&self, value: Y) -> S {
        // Two arms, not four: one compare on the hot path instead of a jump table.
        match self.suspend(MaybeUninit::new(value)) {
            Input::Send(sent) => sent,
            interrupted => self.raise(Self::interruption(interrupted)),
        }
    }

    /// Yields `value` and returns what comes back: `Ok(sent)`, or `Err` with the error thrown in
    /// by [`Generator::throw`] or [`Thrown::Exit`] from [`Generator::close`]. The body may
    /// handle it and go on, or re-raise it with [`Co::raise`].
    ///
    /// After an `Exit`, yielding again makes `close()` fail with
    /// [`CloseError::IgnoredExit`], as in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<&str, (), (), String>::throwing(|co, ()| loop {
    ///     match co.try_yield("waiting") {
    ///         Ok(()) => {}
    ///         Err(Thrown::Error(msg)) => {
    ///             co.yield_("handled");
    ///             let _ = msg;
    ///         }
    ///         Err(exit) => co.raise(exit),
    ///     }
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded("waiting"));
    /// assert_eq!(g.throw("oops".into()), Step::Yielded("handled"));
    /// assert_eq!(g.close(), Ok(None));
    /// ```
    #[inline]
    pub fn try_yield(&self, value: Y) -> Result<S, Thrown<E>> {
        match self.suspend(MaybeUninit::new(value)) {
            Input::Send(sent) => Ok(sent),
            interrupted => Err(Self::interruption(interrupted)),
        }
    }

    /// Raises `thrown` out of the body (Python's `raise`): the generator stack unwinds, running
    /// destructors, and the consumer's current `resume`/`throw` returns [`Step::Raised`] (a
    /// `close()` in progress returns `Ok` for [`Thrown::Exit`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<i32, (), (), &str>::throwing(|co, ()| {
    ///     co.yield_(1);
    ///     co.raise(Thrown::Error("boom"))
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.resume(()), Step::Raised(Thrown::Error("boom")));
    /// assert_eq!(g.resume(()), Step::Exhausted);
    /// ```
    pub fn raise(&self, thrown: Thrown<E>) -> ! {
        self.pending.set(Some(thrown));
        resume_unwind(Box::new(RaiseToken))
    }

    /// The state of this handle's generator, seen from inside its body: always
    /// [`State::Running`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, State};
    /// let mut g = Gen::new(|co, ()| co.yield_(co.state()));
    /// assert_eq!(g.next(), Some(State::Running));
    /// ```
    pub fn state(&self) -> State {
        State::Running
    }

    /// Python's `yield from sub`: delegates to the generator object `sub` until it finishes,
    /// and returns its return value. This is the primitive under `stasis-delegate`'s
    /// `yield_from`; use it directly to delegate to a generator you borrow, or to start the
    /// sub-generator with a `first` value other than the default (Python always sends `None`).
    ///
    /// While it waits, every `resume`, `throw` and `close` of the outermost generator goes
    /// straight to `sub` (PEP 380): `first` is the value `sub` is resumed with to start; sent
    /// values are forwarded; a thrown error is forwarded and, if `sub` does not handle it,
    /// comes back here as `Err(Thrown::Error(e))`; `close()` closes `sub` first and then comes
    /// back here as `Err(Thrown::Exit)` (or as the error `sub` raised while closing). An error
    /// `sub` raises by itself comes back as `Err` too. Re-raise what you do not handle with
    /// [`Co::raise`]. A panic in `sub` continues here, as a panic at this call.
    ///
    /// Each item costs the same at any depth: when `sub` is a stackful [`Gen`] (or a
    /// `Box<Gen>`), the outermost generator adopts it, and when it delegates in turn the new
    /// delegate goes on the outermost generator's stack of delegates, which always resumes the
    /// innermost one directly (as C++23 `std::generator`'s `elements_of` does; the design, with
    /// a diagram, opens `stasis-core`'s `src/stackful.rs`). Any other generator object (state
    /// machine, combinator) is resumed through the protocol.
    ///
    /// # Panics
    ///
    /// If `sub` had already finished (`State::Closed`): there is no return value to give
    /// (Python would give `None`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step};
    ///
    /// let mut parent = Gen::<i32, i32, i32>::new(|co, _first| {
    ///     let mut adder = Gen::<i32, i32, i32>::new(|co, _first| {
    ///         let mut total = 0;
    ///         loop {
    ///             match co.yield_(total) {
    ///                 0 => return total,
    ///                 x => total += x,
    ///             }
    ///         }
    ///     });
    ///     let total = co.delegate(&mut adder, 0).unwrap_or_else(|t| co.raise(t));
    ///     co.yield_(-1);
    ///     total * 10
    /// });
    /// assert_eq!(parent.resume(0), Step::Yielded(0));
    /// assert_eq!(parent.resume(5), Step::Yielded(5)); // forwarded to the adder
    /// assert_eq!(parent.resume(7), Step::Yielded(12));
    /// assert_eq!(parent.resume(0), Step::Yielded(-1)); // the adder returned 12
    /// assert_eq!(parent.resume(0), Step::Complete(120));
    /// ```
    #[doc(alias = "yield from")]
    pub fn delegate<G>(&self, sub: &mut G, first: S) -> Result<G::Return, Thrown<E>>
    where
        G: Generator<S, Yield = Y, Error = E> + 'static,
        Y: 'static,
        S: 'static,
        E: 'static,
    {
        assert!(sub.state() != State::Closed, "{EXHAUSTED}");
        let any: &mut dyn Any = sub;
        if let Some(stackful) = any.downcast_mut::<Gen<Y, G::Return, S, E>>() {
            if !stackful.slot().driving.get() {
                return self.wait_for(GenEntry::new(stackful, first));
            }
            return self.wait_for(ObjEntry {
                sub: stackful,
                first: Some(first),
                outcome: None,
                panic: None,
            });
        }
        if let Some(stackful) = any.downcast_mut::<Box<Gen<Y, G::Return, S, E>>>() {
            if !stackful.slot().driving.get() {
                return self.wait_for(GenEntry::new(stackful, first));
            }
            return self.wait_for(ObjEntry {
                sub: &mut **stackful,
                first: Some(first),
                outcome: None,
                panic: None,
            });
        }
        let Some(sub) = any.downcast_mut::<G>() else { unreachable!("the type is G") };
        self.wait_for(ObjEntry { sub, first: Some(first), outcome: None, panic: None })
    }

    #[inline(always)]
    fn slot(&self) -> &Slot<Y, S, E> {
        // SAFETY: the slot is at the top of this generator's stack, which outlives the body
        // (hence every `&Co`); only `Cell` methods touch it, on this thread.
        unsafe { self.slot.as_ref() }
    }

    /// Waits in the body until `entry` finished: hands it up to the driver that adopted this
    /// generator, or drives it (and whatever it delegates to) from here.
    fn wait_for<'a, T, R>(&self, mut entry: T) -> Result<R, Thrown<E>>
    where
        T: Entry<Y, S, E> + Outcome<R, E> + 'a,
        Y: 'static,
        S: 'static,
        E: 'static,
    {
        let local: NonNull<dyn Entry<Y, S, E> + 'a> = NonNull::from(&mut entry);
        // SAFETY: only the lifetime bound of the trait object changes (same layout). The
        // pointer is dereferenced only while this frame is suspended or running below, here:
        // a driver pops the entry before it resumes this body with `Input::Resume` (or before
        // `drive_here` returns), and a driver that is unwound drops its stack of pointers
        // without using them (see "Delegation" in the module docs).
        let erased: EntryPtr<Y, S, E> = unsafe { std::mem::transmute(local) };
        if !self.slot().adopted.get() {
            return self.drive_here(&mut entry, erased, Cmd::Start);
        }
        // Adopted: the driver that resumed us takes the entry from the slot (uninitialized
        // value, see `Out`) and drives it; it resumes us when it finished.
        self.slot().handed_up.set(Some(erased));
        let cmd = match self.suspend(MaybeUninit::uninit()) {
            Input::Resume { closing } => {
                if let Some(payload) = entry.take_panic() {
                    resume_unwind(payload);
                }
                return finish(entry.take_outcome(), closing);
            }
            // Resumed directly: the driver that adopted us is gone (it was unwound while its
            // generator was dropped) and our owner is dropping or closing us. Drive our
            // delegate from here.
            Input::Send(s) => Cmd::Send(s),
            Input::Throw(e) => Cmd::Throw(e),
            Input::Close => Cmd::Close,
        };
        self.drive_here(&mut entry, erased, cmd)
    }

    /// The driver: runs `cmd` on the innermost delegate and handles what comes back, until
    /// `own` (this body's entry, at the bottom of the stack) finishes. Values go to this
    /// body's consumer with this body's yield, and what the consumer sends, throws or closes
    /// with becomes the next step of the innermost delegate. Each item costs one step of the
    /// innermost delegate, whatever the depth.
    #[inline(never)]
    fn drive_here<R, T: Outcome<R, E>>(
        &self,
        own: &mut T,
        erased: EntryPtr<Y, S, E>,
        mut cmd: Cmd<S, E>,
    ) -> Result<R, Thrown<E>> {
        let mut stack = Driving::start(&self.slot().driving, &self.spare_stack, erased);
        let mut closing = matches!(cmd, Cmd::Close);
        loop {
            let top = *stack.last().expect("the stack holds our own entry");
            // SAFETY: `top` is `own` (in our caller's frame) or an entry handed up by an
            // adopted delegate, in the frame of its body, suspended in `wait_for` on a stack
            // kept alive by a `Gen` that a frame below owns. That body is resumed only after
            // its entry is popped here. Nothing else reaches the entry: the `&mut` it holds
            // is borrowed from that frame.
            let step = catch_unwind(AssertUnwindSafe(|| unsafe { (*top.as_ptr()).drive(cmd) }));
            cmd = match step {
                Ok(Drive::Yielded(y)) => {
                    let input = self.suspend(MaybeUninit::new(y));
                    closing = matches!(input, Input::Close);
                    match input {
                        Input::Send(s) => Cmd::Send(s),
                        Input::Throw(e) => Cmd::Throw(e),
                        Input::Close => Cmd::Close,
                        Input::Resume { .. } => unreachable!("{NOT_WAITING}"),
                    }
                }
                Ok(Drive::Delegate(entry)) => {
                    stack.push(entry);
                    Cmd::Start
                }
                Ok(drive @ (Drive::Finished | Drive::IgnoredExit(_))) => {
                    if let Drive::IgnoredExit(y) = drive {
                        let out = self.slot().ignored_out.get();
                        if !out.is_null() {
                            // SAFETY: `Gen::close` set `out` to a local of its frame, which is
                            // blocked in this resume, and clears it (also when unwinding)
                            // before that frame ends.
                            unsafe { *out = Some(y) };
                        }
                    }
                    stack.pop();
                    if stack.is_empty() {
                        return finish(own.take_outcome(), closing);
                    }
                    Cmd::Resume { closing }
                }
                Err(payload) => {
                    stack.pop();
                    if stack.is_empty() {
                        // Our own delegate panicked: the panic continues here.
                        resume_unwind(payload);
                    }
                    // The panic continues in the delegator that owns `top`, at its yield from.
                    // SAFETY: as above; the entry's frame is still suspended.
                    unsafe { (*top.as_ptr()).set_panic(payload) };
                    Cmd::Resume { closing }
                }
            };
        }
    }
}

/// A driving body's stack of entries, outermost (its own) first. While it lives the body is
/// marked driving in its slot; when it ends (also while unwinding) the mark is cleared and the
/// vector goes back to the body's `Co` for its next delegation, so a `yield from` in a loop
/// does not allocate each time.
struct Driving<'a, Y, S, E> {
    flag: &'a Cell<bool>,
    spare: &'a Cell<Vec<EntryPtr<Y, S, E>>>,
    stack: Vec<EntryPtr<Y, S, E>>,
}

impl<'a, Y, S, E> Driving<'a, Y, S, E> {
    fn start(
        flag: &'a Cell<bool>,
        spare: &'a Cell<Vec<EntryPtr<Y, S, E>>>,
        own: EntryPtr<Y, S, E>,
    ) -> Self {
        flag.set(true);
        let mut stack = spare.take();
        stack.push(own);
        Driving { flag, spare, stack }
    }
}

impl<Y, S, E> std::ops::Deref for Driving<'_, Y, S, E> {
    type Target = Vec<EntryPtr<Y, S, E>>;
    fn deref(&self) -> &Self::Target {
        &self.stack
    }
}

impl<Y, S, E> std::ops::DerefMut for Driving<'_, Y, S, E> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.stack
    }
}

impl<Y, S, E> Drop for Driving<'_, Y, S, E> {
    fn drop(&mut self) {
        self.flag.set(false);
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        self.spare.set(stack);
    }
}

/// Publishes [`Gen::close`]'s `ignored` local in the slot for as long as the close runs (also
/// while unwinding).
struct IgnoredOut<'a, Y>(&'a Cell<*mut Option<Y>>);

impl<'a, Y> IgnoredOut<'a, Y> {
    fn publish(cell: &'a Cell<*mut Option<Y>>, out: &mut Option<Y>) -> Self {
        cell.set(out);
        IgnoredOut(cell)
    }
}

impl<Y> Drop for IgnoredOut<'_, Y> {
    fn drop(&mut self) {
        self.0.set(std::ptr::null_mut());
    }
}

/// Gives the delegator the outcome its entry keeps.
trait Outcome<R, E> {
    fn take_outcome(&mut self) -> Option<Result<R, Thrown<E>>>;
    fn take_panic(&mut self) -> Option<Box<dyn Any + Send>>;
}

impl<Y, R, S, E> Outcome<R, E> for GenEntry<'_, Y, R, S, E> {
    fn take_outcome(&mut self) -> Option<Result<R, Thrown<E>>> {
        self.outcome.take()
    }
    fn take_panic(&mut self) -> Option<Box<dyn Any + Send>> {
        self.panic.take()
    }
}

impl<G: Generator<S>, S> Outcome<G::Return, G::Error> for ObjEntry<'_, G, S> {
    fn take_outcome(&mut self) -> Option<Result<G::Return, Thrown<G::Error>>> {
        self.outcome.take()
    }
    fn take_panic(&mut self) -> Option<Box<dyn Any + Send>> {
        self.panic.take()
    }
}

impl<Y, S, E> fmt::Debug for Co<Y, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Co").finish_non_exhaustive()
    }
}

/// A stackful generator: a body running on its own stack, suspended at each
/// [`yield_`](Co::yield_) with all its frames frozen.
///
/// Type parameters: `Y` yielded values, `R` the return value, `S` what `resume` sends in
/// (`()` for an iterator), `E` what `throw` raises inside ([`Infallible`]: no throw).
///
/// With `S = ()` it is an [`Iterator`] over the yielded values; the return value (or a raised
/// error) is then kept for [`Gen::take_return`] / [`Gen::take_raised`].
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::{Gen, Generator, Step};
///
/// fn count_up_to(n: u64) -> Gen<u64, &'static str> {
///     Gen::new(move |co, ()| {
///         for i in 1..=n {
///             co.yield_(i);
///         }
///         "Done!"
///     })
/// }
///
/// // As an iterator:
/// assert_eq!(count_up_to(3).collect::<Vec<_>>(), [1, 2, 3]);
///
/// // Through the protocol, which also reports the return value once:
/// let mut g = count_up_to(1);
/// assert_eq!(g.resume(()), Step::Yielded(1));
/// assert_eq!(g.resume(()), Step::Complete("Done!"));
/// assert_eq!(g.resume(()), Step::Exhausted);
/// ```
pub struct Gen<Y, R = (), S = (), E = Infallible> {
    inner: Inner<Y, R, S, E>,
    /// The outcome seen by `Iterator::next` (which can only report `None`).
    outcome: Option<Result<R, Thrown<E>>>,
    /// The [`Slot`] at the top of this generator's stack.
    slot: NonNull<Slot<Y, S, E>>,
    /// `!Send` (a suspended stack may hold thread-locals and `Rc`s) and `!Sync` (kept out of
    /// the API so nothing can come to rely on sharing a generator across threads).
    _not_send_sync: PhantomData<*mut ()>,
}

/// Builds stackful generators with a chosen stack size.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::Gen;
///
/// let deep = Gen::builder()
///     .stack_size(8 << 20) // 8 MiB of address space; only touched pages become resident
///     .build(|co, ()| {
///         fn down(co: &stasis::Co<u32>, n: u32) {
///             if n > 0 { down(co, n - 1) } else { co.yield_(n) }
///         }
///         down(co, 10_000);
///     })
///     .expect("stack");
/// assert_eq!(deep.collect::<Vec<_>>(), [0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct GenBuilder {
    stack_size: usize,
    pooled: bool,
}

impl Default for GenBuilder {
    fn default() -> Self {
        GenBuilder { stack_size: DEFAULT_STACK_SIZE, pooled: true }
    }
}

impl GenBuilder {
    /// A builder with the default stack size ([`DEFAULT_STACK_SIZE`]) and pooling on.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::GenBuilder::new().build(|co, ()| co.yield_(1)).unwrap();
    /// assert_eq!(g.collect::<Vec<i32>>(), [1]);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The usable stack size in bytes, between [`MIN_STACK_SIZE`](crate::MIN_STACK_SIZE) and
    /// [`MAX_STACK_SIZE`](crate::MAX_STACK_SIZE) (checked by `build`). A guard page is added
    /// below it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::builder().stack_size(64 * 1024).build(|co, ()| co.yield_(1));
    /// assert!(g.is_ok());
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Whether to take the stack from (and return it to) this thread's pool. On by default;
    /// `false` maps a fresh stack and unmaps it on drop.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::builder().pooled(false).build(|co, ()| co.yield_(1));
    /// assert_eq!(g.unwrap().collect::<Vec<i32>>(), [1]);
    /// ```
    pub fn pooled(mut self, pooled: bool) -> Self {
        self.pooled = pooled;
        self
    }

    /// Builds a generator that cannot be thrown into (see [`Gen::new`]).
    ///
    /// # Errors
    ///
    /// [`StackError`] when the stack size is out of range or the OS refuses the stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, StackError};
    /// let too_big = Gen::builder().stack_size(usize::MAX).build(|co, ()| co.yield_(1u8));
    /// assert!(matches!(too_big, Err(StackError::TooLarge { .. })));
    /// ```
    pub fn build<Y, R, S, F>(self, body: F) -> Result<Gen<Y, R, S>, StackError>
    where
        F: FnOnce(&Co<Y, S>, S) -> R + 'static,
        Y: 'static,
        R: 'static,
        S: 'static,
    {
        self.build_throwing(body)
    }

    /// Builds a generator whose body can be thrown into with errors of type `E` (see
    /// [`Gen::throwing`]).
    ///
    /// # Errors
    ///
    /// [`StackError`] when the stack size is out of range or the OS refuses the stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    /// let mut g = Gen::builder()
    ///     .build_throwing(|co, ()| co.yield_(1))
    ///     .unwrap();
    /// let _ = g.resume(());
    /// assert_eq!(g.throw("stop"), Step::Raised(Thrown::Error("stop")));
    /// ```
    pub fn build_throwing<Y, R, S, E, F>(self, body: F) -> Result<Gen<Y, R, S, E>, StackError>
    where
        F: FnOnce(&Co<Y, S, E>, S) -> R + 'static,
        Y: 'static,
        R: 'static,
        S: 'static,
        E: 'static,
    {
        let size = pool::validate(self.stack_size)?;
        let stack = pool::take(size, self.pooled)?;
        Ok(Gen::on_stack(stack, size, self.pooled, body))
    }
}

impl Gen<()> {
    /// A [`GenBuilder`] to choose the stack size or opt out of the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::builder().stack_size(1 << 20).build(|co, ()| co.yield_('x'));
    /// assert_eq!(g.unwrap().next(), Some('x'));
    /// ```
    pub fn builder() -> GenBuilder {
        GenBuilder::new()
    }
}

impl<Y: 'static, R: 'static, S: 'static> Gen<Y, R, S> {
    /// A generator running `body` on a pooled stack of [`DEFAULT_STACK_SIZE`] bytes. The body
    /// receives the yield handle and the value of the first `resume` (Python ignores that
    /// first value and requires it to be `None`; here it is the body's argument).
    ///
    /// # Panics
    ///
    /// If the OS refuses to map a stack (for example more than about 32,000 live generators
    /// under Linux's default `vm.max_map_count`). Use [`Gen::try_new`] or [`GenBuilder`] to get
    /// that as an error value, as with `std::thread::spawn` and `std::thread::Builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Gen;
    /// let squares = Gen::new(|co, ()| {
    ///     for x in 1..=4 {
    ///         co.yield_(x * x);
    ///     }
    /// });
    /// assert_eq!(squares.collect::<Vec<_>>(), [1, 4, 9, 16]);
    /// ```
    pub fn new<F>(body: F) -> Self
    where
        F: FnOnce(&Co<Y, S>, S) -> R + 'static,
    {
        match Self::try_new(body) {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Gen::new`], with the OS's refusal of a stack as an error value.
    ///
    /// # Errors
    ///
    /// [`StackError::Os`] when the OS refuses to map the stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::try_new(|co, ()| co.yield_(1)).unwrap();
    /// assert_eq!(g.collect::<Vec<i32>>(), [1]);
    /// ```
    pub fn try_new<F>(body: F) -> Result<Self, StackError>
    where
        F: FnOnce(&Co<Y, S>, S) -> R + 'static,
    {
        GenBuilder::new().build(body)
    }
}

impl<Y: 'static, R: 'static, S: 'static, E: 'static> Gen<Y, R, S, E> {
    /// A generator whose body can be thrown into with errors of type `E` (Python's `throw`).
    /// The body sees thrown errors through [`Co::try_yield`].
    ///
    /// # Panics
    ///
    /// As [`Gen::new`], if the OS refuses to map a stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<i32, &str, (), String>::throwing(|co, ()| {
    ///     match co.try_yield(1) {
    ///         Err(Thrown::Error(e)) => if e == "stop" { "stopped" } else { "other" },
    ///         _ => "finished",
    ///     }
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.throw("stop".to_string()), Step::Complete("stopped"));
    /// ```
    pub fn throwing<F>(body: F) -> Self
    where
        F: FnOnce(&Co<Y, S, E>, S) -> R + 'static,
    {
        match GenBuilder::new().build_throwing(body) {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        }
    }

    fn on_stack<F>(stack: DefaultStack, stack_size: usize, pooled: bool, body: F) -> Self
    where
        F: FnOnce(&Co<Y, S, E>, S) -> R + 'static,
    {
        const { assert!(size_of::<Slot<Y, S, E>>() <= SLOT_BYTES - INFO_BYTES) };
        let stack = SlotStack::new(stack, stack_size, pooled);
        let slot = stack.base().get() as *mut Slot<Y, S, E>;
        // SAFETY: `SlotStack` keeps the `SLOT_BYTES` above its base out of corosensei's use;
        // they are mapped, writable and 16-byte aligned, the `Slot` fits below the
        // `StackInfo` (checked above), and nothing else refers to them (a pooled stack's
        // previous generator is gone).
        unsafe {
            slot.write(Slot {
                kind: Cell::new(Kind::Send),
                thrown: Cell::new(std::ptr::null_mut()),
                adopted: Cell::new(false),
                driving: Cell::new(false),
                handed_up: Cell::new(None),
                ignored_out: Cell::new(std::ptr::null_mut()),
            })
        };
        let slot = NonNull::new(slot).expect("stack addresses are not null");
        let inner =
            Coroutine::with_stack(stack, move |yielder: &Yielder<Wire<S>, Out<Y>>, wire| {
                let co = Co {
                    yielder,
                    slot,
                    spare_stack: Cell::new(Vec::new()),
                    pending: Cell::new(None),
                };
                let first = match co.slot().receive(wire) {
                    Input::Send(sent) => sent,
                    // `throw` and `close` never start a body: they close a created generator.
                    Input::Throw(_) | Input::Close | Input::Resume { .. } => {
                        unreachable!("a body is only started by resume")
                    }
                };
                match catch_unwind(AssertUnwindSafe(|| body(&co, first))) {
                    Ok(ret) => Ok(ret),
                    Err(payload) if payload.is::<RaiseToken>() => {
                        Err(co.pending.take().expect("Co::raise stores the value before unwinding"))
                    }
                    Err(payload) => resume_unwind(payload),
                }
            });
        Gen { inner, outcome: None, slot, _not_send_sync: PhantomData }
    }
}

impl<Y, R, S, E> Gen<Y, R, S, E> {
    #[inline]
    fn step(&mut self, input: Input<S, E>) -> Step<Y, R, E> {
        match self.transmit(input) {
            // SAFETY: only an adopted body yields no value (see `Out`), and a generator is
            // adopted only while a `GenEntry` holds it, which resumes it itself: whoever
            // calls this holds the `&mut Gen`, so nothing adopts it now.
            CoroutineResult::Yield(value) => Step::Yielded(unsafe { value.assume_init() }),
            CoroutineResult::Return(Ok(r)) => Step::Complete(r),
            CoroutineResult::Return(Err(t)) => Step::Raised(t),
        }
    }

    /// Resumes the coroutine with `input` (see [`Slot::transmit`]).
    #[inline(always)]
    fn transmit(&mut self, input: Input<S, E>) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        // SAFETY: as in `Gen::slot`; the slot is not part of `self.inner`'s borrow (it is in
        // the stack's reserved bytes, which the coroutine never touches).
        let slot = unsafe { self.slot.as_ref() };
        slot.transmit(&mut self.inner, input)
    }

    #[inline(always)]
    fn slot(&self) -> &Slot<Y, S, E> {
        // SAFETY: the slot is at the top of this generator's stack, which lives as long as
        // `self`; only `Cell` methods touch it, on this thread.
        unsafe { self.slot.as_ref() }
    }

    /// Closes a generator whose body never ran: drops the body closure without running it.
    fn discard_unstarted(&mut self) {
        self.inner.force_unwind();
    }

    /// The return value kept by `Iterator::next` when the body returned (readable once).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::Gen;
    /// let mut g = Gen::new(|co, ()| { co.yield_(1); "Done!" });
    /// assert_eq!(g.by_ref().collect::<Vec<_>>(), [1]);
    /// assert_eq!(g.take_return(), Some("Done!"));
    /// assert_eq!(g.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<R> {
        match self.outcome.take()? {
            Ok(r) => Some(r),
            Err(t) => {
                self.outcome = Some(Err(t));
                None
            }
        }
    }

    /// The error kept by `Iterator::next` when an exception left the body (readable once).
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Thrown};
    /// let mut g = Gen::<i32, (), (), &str>::throwing(|co, ()| co.raise(Thrown::Error("boom")));
    /// assert_eq!(g.next(), None);
    /// assert_eq!(g.take_raised(), Some(Thrown::Error("boom")));
    /// ```
    pub fn take_raised(&mut self) -> Option<Thrown<E>> {
        match self.outcome.take()? {
            Err(t) => Some(t),
            Ok(r) => {
                self.outcome = Some(Ok(r));
                None
            }
        }
    }

    /// The usable size of this generator's stack in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::new(|co, ()| co.yield_(1));
    /// assert_eq!(g.stack_size(), stasis::DEFAULT_STACK_SIZE);
    /// ```
    pub fn stack_size(&self) -> usize {
        self.info().size
    }

    fn info(&self) -> &StackInfo {
        let info = (self.slot.as_ptr() as usize + SLOT_BYTES - INFO_BYTES) as *const StackInfo;
        // SAFETY: the `StackInfo` is at the top of this generator's reserved bytes, `INFO_BYTES`
        // below the end of the `SLOT_BYTES` that start at its slot; written once, by
        // `SlotStack::new`, and the stack lives as long as `self`.
        unsafe { &*info }
    }
}

impl<Y, R, S, E> Generator<S> for Gen<Y, R, S, E> {
    type Yield = Y;
    type Return = R;
    type Error = E;

    #[inline]
    fn resume(&mut self, arg: S) -> Step<Y, R, E> {
        if self.inner.done() {
            return Step::Exhausted;
        }
        self.step(Input::Send(arg))
    }

    fn throw(&mut self, err: E) -> Step<Y, R, E> {
        if !self.inner.done() && self.inner.started() {
            return self.step(Input::Throw(err));
        }
        // Python: throwing into a just-created generator raises without running the body and
        // closes it; throwing into a finished one just raises.
        self.discard_unstarted();
        Step::Raised(Thrown::Error(err))
    }

    fn close(&mut self) -> Result<Option<R>, CloseError<Y, E>> {
        if self.inner.done() {
            return Ok(None);
        }
        if !self.inner.started() {
            self.discard_unstarted();
            return Ok(None);
        }
        // A delegate of this body that ignores the close leaves its value here (see
        // `Drive::IgnoredExit`); the guard unpublishes `ignored` even if the body panics.
        let mut ignored: Option<Y> = None;
        // SAFETY: as in `Gen::slot`; the slot is not part of what `step` borrows (it is in the
        // stack's reserved bytes), and the stack outlives this call.
        let slot = unsafe { self.slot.as_ref() };
        let step = {
            let _out = IgnoredOut::publish(&slot.ignored_out, &mut ignored);
            self.step(Input::Close)
        };
        match step {
            Step::Yielded(y) => Err(CloseError::IgnoredExit(y)),
            Step::Complete(r) => Ok(Some(r)),
            Step::Raised(Thrown::Error(e)) => Err(CloseError::Raised(e)),
            // The body let the exit through; if a delegate had ignored it, say so (CPython's
            // `RuntimeError: generator ignored GeneratorExit`, from the outermost `close`).
            Step::Raised(Thrown::Exit) | Step::Exhausted => match ignored {
                Some(y) => Err(CloseError::IgnoredExit(y)),
                None => Ok(None),
            },
        }
    }

    #[inline]
    fn state(&self) -> State {
        if self.inner.done() {
            State::Closed
        } else if self.inner.started() {
            State::Suspended
        } else {
            State::Created
        }
    }
}

impl<Y, R, E> Iterator for Gen<Y, R, (), E> {
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        match self.resume(()) {
            Step::Yielded(y) => Some(y),
            Step::Complete(r) => {
                self.outcome = Some(Ok(r));
                None
            }
            Step::Raised(t) => {
                self.outcome = Some(Err(t));
                None
            }
            Step::Exhausted => None,
        }
    }
}

impl<Y, R, E> FusedIterator for Gen<Y, R, (), E> {}

impl<Y, R, S, E> fmt::Debug for Gen<Y, R, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gen")
            .field("state", &self.state())
            .field("stack_size", &self.info().size)
            .field("pooled", &self.info().pooled)
            .finish_non_exhaustive()
    }
}

impl<Y, R, S, E> Drop for Gen<Y, R, S, E> {
    fn drop(&mut self) {
        // Everything in place, then the fields drop: the coroutine (finished by then, so its
        // own drop does nothing) and its `SlotStack`, which goes back to the pool. If closing
        // panics, the fields are still dropped while the panic unwinds.
        if !self.inner.done() && self.inner.started() {
            // Python's finalizer: close() the body so `try_yield` sees `Thrown::Exit` and
            // destructors run (a body driving delegates closes them first, innermost first).
            // A body that ignores it and yields is unwound by force below.
            if let CoroutineResult::Yield(value) = self.transmit(Input::Close) {
                // SAFETY: nothing adopts a generator being dropped, so the body yielded a
                // value (see `Out`); drop it as the consumer would have.
                drop(unsafe { value.assume_init() });
            }
        }
        // Unwinds a body still suspended, or drops an unstarted body's closure; no-op if done.
        self.inner.force_unwind();
    }
}
