//! The wire and the slot: how an input crosses the stack switch, and the per-generator state
//! kept at the top of its stack.
//!
//! A resume carries an [`Input`]; only a sent value crosses the switch itself (the [`Wire`],
//! so that `next()` passes nothing but a register); which input it is, and a pointer to a
//! thrown error, travel in the [`Slot`]. A suspension hands out an [`Out`]: the yielded value,
//! or nothing when an adopted body hands a delegation up through the slot.
//!
//! ```text
//!  consumer: Slot::transmit(input)          body: Slot::receive(wire)
//!    Send(s)   ── wire = s ──────────────▶    kind == Send  → Input::Send(s)   (hot path)
//!    Throw(e)  ── slot.thrown = &e,        ▶  kind == Throw → move e out, kind = Send
//!                 slot.kind = Throw
//!    Close / Resume ── slot.kind = ..     ▶   kind = Send, Input::Close / Input::Resume
//! ```
//!
//! Owns: the encoding of [`Input`] on the wire and in the slot, and the layout of [`Slot`].
//! May not touch: where the slot lives (the stack's reserved bytes, `stack.rs`), the meaning
//! of the delegation fields (`adopted`, `handed_up`, `driving`, `ignored_out`, `adoption`: `delegate.rs`
//! reads and writes them), or the coroutine itself beyond one `resume` per transmit.

use std::any::{Any, TypeId};
use std::cell::Cell;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::panic::resume_unwind;

use corosensei::CoroutineResult;

use super::delegate::EntryPtr;
use super::generator::Inner;
#[cfg(doc)]
use super::{
    co::Co,
    delegate::{Drive, GenEntry},
    generator::Gen,
    stack::SLOT_BYTES,
};
#[cfg(doc)]
use crate::protocol::Generator;
use crate::protocol::{RuntimeError, Thrown};

/// Hides the state machines' context from a stackful body for one resume (see
/// `machine::StackSwitch`); nothing to hide without the state-machine backend.
#[cfg(feature = "nightly")]
use crate::machine::StackSwitch;
#[cfg(not(feature = "nightly"))]
struct StackSwitch;
#[cfg(not(feature = "nightly"))]
impl StackSwitch {
    #[inline(always)]
    fn enter() -> Self {
        StackSwitch
    }
}

/// What the consumer sends into the generator stack at each resume. It crosses the switch
/// split in two (see [`Wire`]): the sent value, if any, as the coroutine's input, and the
/// [`Kind`] (plus a pointer to the thrown error) in the [`Slot`].
pub(super) enum Input<S, E> {
    Send(S),
    Throw(E),
    Close,
    /// Only ever sent by a driver to an adopted body waiting in [`Co::delegate`](crate::Co::delegate): the
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
pub(super) type Wire<S> = MaybeUninit<S>;

/// Which [`Input`] the [`Wire`] carries, kept in the [`Slot`]. The consumer sets it only for
/// the rare inputs, and the body puts it back to `Send` when it has read one, so the plain
/// resume costs one load on the body's side and no store on the consumer's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Send,
    /// The error is at [`Slot::thrown`]; the body moves it out.
    Throw,
    Close,
    Resume,
    ResumeClosing,
    /// Unwind the body where it is suspended (see [`Slot::transmit_unwind`]).
    Unwind,
}

/// The unwinding payload of [`Slot::transmit_unwind`]: stasis's own forced unwind. The base
/// closure catches it (and returns `Err(Thrown::Exit)`, which nobody reads).
pub(super) struct UnwindToken;

/// Whether stasis is unwinding a generator's stack (see [`Slot::unwinding`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Unwinding {
    No,
    /// Started while the thread was not panicking: `std::thread::panicking()` tells whether
    /// the unwinding is still going on (a yield from a destructor it runs) or the body caught
    /// it. What a destructor yields meanwhile is reported to `close()` or dropped (the exit
    /// of a close, a forced unwind): [`Now::Ours`].
    Yes,
    /// As `Yes`, for an error stasis raises ([`Co::raise`] outside the exit of a close): what
    /// a destructor yields meanwhile waits in the `Co` and goes out after the unwinding
    /// ([`Now::Raised`]). Variants rather than a field, so that the slot keeps one byte for
    /// this (it fills its [`SLOT_BYTES`]).
    Raising,
    /// Started while the thread was already panicking (the consumer resumed the generator
    /// from a destructor, as when a generator is dropped during a panic), with a [`Tracked`]
    /// payload: `panicking()` is true either way, so the payload tells when the body caught
    /// it and let it go ([`Tracked::caught`]).
    Tracked,
    /// As `Tracked`, for an error stasis raises (see `Raising`).
    TrackedRaising,
    /// Not stasis's: a panic of the body itself, during which a destructor yielded a value
    /// that waits in the `Co` (see `Co::defer`); the next yield takes the slow path to hand
    /// it out once the body caught that panic (see [`Slot::own_panic`]).
    Own,
    /// None of those, but the thread was panicking when the body was last resumed: the
    /// consumer resumed it from a destructor during a panic of its own, and `panicking()`
    /// cannot tell whether the body panics too (see [`Slot::own_panic`]). Set by
    /// [`Slot::receive`] (only then: a plain resume stores nothing), cleared by `Co::suspend`
    /// (where `Co::yield_`'s fast path already knows the state is `No`).
    Resumed,
}

/// What a yield finds (see [`Slot::unwinding_now`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Now {
    /// Nothing unwinds this stack: an ordinary yield.
    Calm,
    /// An unwinding stasis started ([`Slot::start_unwinding`]) runs the yielding destructor:
    /// a `close()` (which reports the value) or a forced unwind (which drops it).
    Ours,
    /// An unwinding stasis started to raise an error ([`Co::raise`], an unhandled throw, an
    /// exit outside `close()`) runs it: the value waits in the `Co` and goes out once the
    /// error reached the base, before it goes on (CPython's `finally: yield` while an
    /// exception propagates).
    Raised,
    /// A panic of the body itself runs it ([`Slot::own_panic`]).
    Own,
}

/// The payload of stasis's own unwinding ([`Co::raise`], [`Slot::transmit_unwind`]) when it
/// starts while the thread is already panicking. A body that catches it (a catch-all) and
/// drops it marks its generator, on the thread that drops it, as having caught its unwinding;
/// the base closure disarms it first. Without this, a body that catches the exit of a drop
/// during a panic and yields in a loop was taken for a destructor yielding while it unwinds,
/// never suspended, and the drop never ended.
pub(super) struct Tracked {
    /// The address of the generator's slot, as an identity only (never dereferenced, so the
    /// payload may be dropped anywhere, at any time).
    slot: usize,
    /// [`Co::raise`]'s unwinding (the value waits in the `Co`), else [`Slot::transmit_unwind`]'s.
    pub(super) raise: bool,
    armed: bool,
}

thread_local! {
    /// The slot address of the last [`Tracked`] payload a body dropped on this thread.
    static CAUGHT: Cell<usize> = const { Cell::new(0) };
    /// How many bodies on this thread are suspended in a destructor mid-unwind (see
    /// [`Slot::suspended_in_unwind`]), leaked ones included: each keeps the thread panicking
    /// (std counts its unfinished unwinding), so while there is one, `panicking()` cannot
    /// tell a body's own panic (see [`Slot::own_panic`]).
    static STUCK: Cell<usize> = const { Cell::new(0) };
}

impl Tracked {
    /// The base closure caught it: the body is done, nothing to mark.
    pub(super) fn disarm(&mut self) -> bool {
        self.armed = false;
        self.raise
    }

    /// Whether the body of the generator whose slot is `slot` caught its tracked unwinding and
    /// dropped the payload; clears the mark.
    fn caught<Y, S, E>(slot: &Slot<Y, S, E>) -> bool {
        let slot = std::ptr::from_ref(slot).addr();
        CAUGHT.try_with(|c| c.get() == slot && c.replace(0) == slot).unwrap_or(false)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if self.armed {
            let _ = CAUGHT.try_with(|c| c.set(self.slot));
        }
    }
}

/// What a body hands out at a suspension: the yielded value, or nothing (uninitialized) when
/// an adopted body starts waiting in [`Co::delegate`](crate::Co::delegate) and hands its new entry up through the
/// [`Slot`]. Keeping that signal out of band keeps the value as small as `Y`: corosensei passes
/// a value of up to 8 bytes in a register, and a wider enum costs a store-forwarding stall
/// (measured: +0.5 ns per round trip for `u64`, +3.8 ns for `u32`). Only a [`GenEntry`] can
/// receive an uninitialized value (see [`Slot::adopted`]); `Gen`'s own methods never do.
pub(super) type Out<Y> = MaybeUninit<Y>;

/// Delegation state of one generator, in the [`SLOT_BYTES`] reserved at the top of its stack:
/// both the body (through its `Co`) and whoever holds the `Gen` know its address from the
/// start, and it never moves.
pub(super) struct Slot<Y, S, E> {
    /// Which input the current resume carries (see [`Wire`]); `Send` between resumes.
    pub(super) kind: Cell<Kind>,
    /// With `Kind::Throw`: the error, in the frame of the consumer's resume call (which is
    /// blocked until the body switches back), to be moved out by the body exactly once.
    pub(super) thrown: Cell<*mut E>,
    /// Set while a driver's [`GenEntry`] holds this generator (it was *adopted*): its body
    /// then hands a new delegation up to that driver instead of driving it.
    pub(super) adopted: Cell<bool>,
    /// The entry an adopted body hands up when it starts waiting in [`Co::delegate`](crate::Co::delegate); taken
    /// by the `GenEntry` right after the resume that left it.
    pub(super) handed_up: Cell<Option<EntryPtr<Y, S, E>>>,
    /// Set by [`Gen::close`](crate::Gen::close) while it runs: where a driving body puts the value a delegate
    /// yielded when it ignored the close (see [`Drive::IgnoredExit`]), so that `close` reports
    /// it after the body unwound. Null otherwise (a dropped generator just drops the value).
    pub(super) ignored_out: Cell<*mut Option<Y>>,
    /// Non-zero while this generator's body drives delegates itself (in `Co::drive_here`): it
    /// is then delegated to as a plain object, never adopted. The value is the number of
    /// entries on its stack of delegates (`Gen::yield_from_depth`). With the top bit set
    /// (`LEFT_WAITING`, see `Driving::leave` in `delegate.rs`): the body does not drive, it
    /// was left waiting in its `yield from` by a driver, and the rest is its chain's length.
    pub(super) driving: Cell<u32>,
    /// Set while a state-machine driver resumes this generator (`Gen::__resume_adopted`,
    /// cleared by a guard when that resume returns or unwinds): its adoption (a
    /// `machine::delegate::Context`), where a `Co::delegate` the body starts meanwhile hands
    /// its delegation up (`Co::lend`, see "Mixed chains" in `machine/delegate.rs`). Untyped,
    /// and null without the state-machine backend.
    #[cfg_attr(not(feature = "nightly"), allow(dead_code))]
    pub(super) adoption: Cell<*const ()>,
    /// Set when stasis starts unwinding this stack ([`Co::raise`], [`Slot::transmit_unwind`],
    /// through [`Slot::start_unwinding`]); a yield that finds it set while the unwinding goes
    /// on is a yield from a destructor during that unwinding, and does not suspend (see
    /// `Co::yield_while_unwinding`). Cleared by such a yield that finds the body caught the
    /// unwinding ([`Slot::unwinding_now`]).
    pub(super) unwinding: Cell<Unwinding>,
    /// Set while the body is suspended at a [`Co::yield_`] in a destructor, in the middle of
    /// an unwinding stasis started (a send type other than `()` leaves `yield_` nothing to
    /// return without suspending; see `Co::yield_while_unwinding`). The body can then only be
    /// resumed with a sent value: raising an exit or an error at that yield would unwind out
    /// of a destructor that runs during unwinding, which aborts the process. [`Slot::transmit`]
    /// refuses the other inputs ([`RuntimeError::SuspendedInDestructor`]), and `Gen`'s drop
    /// leaves such a stack as it is.
    pub(super) suspended_in_unwind: Cell<bool>,
}

impl<Y, S, E> Slot<Y, S, E> {
    /// Resumes `inner` (whose stack holds this slot) with `input`: the sent value goes on the
    /// wire, the rest through the slot (see [`Wire`]).
    ///
    /// A throw or a close into a body suspended in a destructor mid-unwind (see
    /// [`Slot::suspended_in_unwind`]) does not resume it: it comes back at once as if the body
    /// had raised [`RuntimeError::SuspendedInDestructor`] (the thrown error is dropped), and
    /// the body stays suspended where it was. Every consumer (`Gen`'s methods, a driver's
    /// `GenEntry`) resumes through here, so none can reach that yield with an exit.
    #[inline(always)]
    pub(super) fn transmit<R>(
        &self,
        inner: &mut Inner<Y, R, S, E>,
        input: Input<S, E>,
    ) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        let _switch = StackSwitch::enter();
        match input {
            Input::Send(sent) => inner.resume(MaybeUninit::new(sent)),
            Input::Throw(err) => {
                if self.suspended_in_unwind.get() {
                    drop(err);
                    return Self::refused();
                }
                let mut err = ManuallyDrop::new(err);
                self.thrown.set(&raw mut *err);
                self.kind.set(Kind::Throw);
                // The body moves `err` out as soon as it runs (in `Slot::receive`), before
                // anything that could unwind; `ManuallyDrop` keeps it from being dropped twice.
                inner.resume(MaybeUninit::uninit())
            }
            Input::Close => {
                if self.suspended_in_unwind.get() {
                    return Self::refused();
                }
                self.kind.set(Kind::Close);
                inner.resume(MaybeUninit::uninit())
            }
            Input::Resume { closing } => {
                self.kind.set(if closing { Kind::ResumeClosing } else { Kind::Resume });
                inner.resume(MaybeUninit::uninit())
            }
        }
    }

    /// What [`Slot::transmit`] reports instead of resuming a body suspended in a destructor
    /// mid-unwind with a throw or a close: the runtime's error, as if the body had raised it.
    /// The coroutine is not done (its `Gen` still reports `State::Suspended`).
    #[cold]
    fn refused<R>() -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        CoroutineResult::Return(Err(Thrown::Runtime(RuntimeError::SuspendedInDestructor)))
    }

    /// Resumes `inner`, suspended, only to unwind its body from where it waits: stasis's own
    /// form of corosensei's `force_unwind`, whose loop discards what a body that swallowed the
    /// unwinding yields next (a leak of that value: `Out` is a `MaybeUninit`). Here that value
    /// comes back to the caller, which drops it (and does not unwind it again: see
    /// `Gen::finish`). Never sent to a body suspended in a destructor mid-unwind
    /// ([`Slot::suspended_in_unwind`]): raising there would unwind out of that destructor,
    /// which aborts; `Gen::finish` checks.
    #[cold]
    pub(super) fn transmit_unwind<R>(
        &self,
        inner: &mut Inner<Y, R, S, E>,
    ) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        self.kind.set(Kind::Unwind);
        let _switch = StackSwitch::enter();
        inner.resume(MaybeUninit::uninit())
    }

    /// Starts stasis's own unwinding of this stack, on it, with `token` as the payload (a
    /// [`Tracked`] one if the thread is already panicking, see [`Unwinding::Tracked`]);
    /// `defer`: a value a destructor yields meanwhile goes out after it ([`Now::Raised`]).
    pub(super) fn start_unwinding<T: Any + Send>(&self, token: T, defer: bool) -> ! {
        if std::thread::panicking() {
            self.unwinding.set(if defer { Unwinding::TrackedRaising } else { Unwinding::Tracked });
            let slot = std::ptr::from_ref(self).addr();
            // A mark left by an earlier body on this stack is not this one's.
            let _ = CAUGHT.try_with(|c| c.get() == slot && c.replace(0) == slot);
            let raise = TypeId::of::<T>() != TypeId::of::<UnwindToken>();
            resume_unwind(Box::new(Tracked { slot, raise, armed: true }))
        }
        self.unwinding.set(if defer { Unwinding::Raising } else { Unwinding::Yes });
        resume_unwind(Box::new(token))
    }

    /// Whether this generator's stack is still unwinding, and whose unwinding it is: stasis's
    /// (see [`Slot::unwinding`]) or the body's own panic (see [`Slot::own_panic`]); a yield now
    /// comes from a destructor that unwinding runs. Clears `unwinding` if the body caught it
    /// (the caller then hands out the values that wait in the `Co`, if any).
    #[cold]
    pub(super) fn unwinding_now(&self) -> Now {
        let tracked = || std::thread::panicking() && !Tracked::caught(self);
        let now = match self.unwinding.get() {
            Unwinding::Yes if std::thread::panicking() => Now::Ours,
            Unwinding::Raising if std::thread::panicking() => Now::Raised,
            Unwinding::Tracked if tracked() => Now::Ours,
            Unwinding::TrackedRaising if tracked() => Now::Raised,
            _ if self.own_panic() => Now::Own,
            _ => Now::Calm,
        };
        if now == Now::Calm {
            // Whatever the body caught, the resume it runs in stays as it was.
            match self.unwinding.get() {
                Unwinding::Yes | Unwinding::Raising | Unwinding::Own => {
                    self.unwinding.set(Unwinding::No);
                }
                Unwinding::Tracked | Unwinding::TrackedRaising => {
                    self.unwinding.set(Unwinding::Resumed);
                }
                Unwinding::No | Unwinding::Resumed => {}
            }
        }
        now
    }

    /// Whether a panic of the body itself is unwinding this stack: the thread is panicking
    /// now, was not when the body was resumed (the consumer's frames wait in that resume, so
    /// the panic started on this stack since), and no body on this thread is stuck in a
    /// destructor mid-unwind (whose unfinished unwinding std also counts). The first test is
    /// the one `Co::yield_` makes on its hot path: `panicking()` is one relaxed load of std's
    /// global panic count while no thread panics.
    pub(super) fn own_panic(&self) -> bool {
        std::thread::panicking()
            // `Tracked` and `Resumed`: the body was resumed while the thread was panicking.
            && matches!(
                self.unwinding.get(),
                Unwinding::No | Unwinding::Own | Unwinding::Yes | Unwinding::Raising
            )
            && STUCK.try_with(|stuck| stuck.get() == 0).unwrap_or(false)
    }

    /// Counts a body suspending in a destructor mid-unwind (`by = 1`), or resumed from there
    /// (`by = -1`), in [`STUCK`].
    pub(super) fn count_stuck(by: isize) {
        let _ = STUCK.try_with(|stuck| stuck.set(stuck.get().wrapping_add_signed(by)));
    }

    /// Reassembles, on the body's side, the input [`Slot::transmit`] sent.
    #[inline(always)]
    pub(super) fn receive(&self, wire: Wire<S>) -> Input<S, E> {
        if std::thread::panicking() {
            self.resumed_panicking();
        }
        match self.kind.get() {
            // SAFETY: `transmit` puts the sent value on the wire exactly when the kind is
            // `Send` (the kind is reset to `Send` below after every other input).
            Kind::Send => Input::Send(unsafe { wire.assume_init() }),
            kind => self.receive_rare(kind),
        }
    }

    /// The thread is panicking as the body resumes (see [`Unwinding::Resumed`]).
    #[cold]
    fn resumed_panicking(&self) {
        if self.unwinding.get() == Unwinding::No {
            self.unwinding.set(Unwinding::Resumed);
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
            Kind::Unwind => self.start_unwinding(UnwindToken, false),
        }
    }
}
