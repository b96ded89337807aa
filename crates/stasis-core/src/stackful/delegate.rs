//! Delegation (`yield from`): the entries, the driver, and the pointer discipline that keeps
//! them sound. Every raw pointer to a delegate entry is made, stored and dereferenced here.
//!
//! [`Co::delegate`](crate::Co::delegate) keeps the cost of an item the same at any depth of nested delegation, as
//! C++23 `std::generator` does with `elements_of`: the outermost generator whose body delegates
//! (the *root*) keeps the stack of active delegates, and drives the innermost one directly:
//! an item costs a switch to the root's stack and one step of the innermost delegate, whatever
//! the depth.
//!
//! ```text
//!  consumer ── root.resume(v) ──▶ root stack: body ─ co.delegate(&mut a) ─ drive_here
//!                                   stack = [ e1, e2, e3 ]  (local; e1 = GenEntry { &mut a })
//!                                   top.run(cmd): drive, yield, drive, ... ──┐ top = e3
//!   a's stack:  body ─ co.delegate(&mut b) ─ frame holds e2 = GenEntry { &mut b }  (handed up)
//!   b's stack:  body ─ co.delegate(&mut m) ─ frame holds e3 = ObjEntry { &mut m }  (handed up)
//!   m: any Generator (state machine, combinator), resumed through the protocol ◀── e3.drive
//! ```
//!
//! - **Driving**: a body that is not adopted drives its delegation itself (`Co::drive_here`):
//!   its own entry at the bottom of a stack of entries local to that frame; it marks itself
//!   driving in its [`Slot`] (so nobody adopts it), and runs the top entry (`Entry::run`),
//!   which steps it and yields each value with the driver's own yield. Its `Gen` knows
//!   nothing of it: `resume`, `throw` and `close` resume the body as always, and `run` turns
//!   what arrives into the next step of the top entry; it returns to `drive_here` only when
//!   the stack must change (a delegate handed up, the top finished or panicked). When its own
//!   entry finishes, its `delegate` call returns.
//! - **Adoption**: a stackful sub-generator of the same types (a `Gen` or `Box<Gen>`, found with
//!   `Any`) is wrapped in a `GenEntry`, which marks it adopted in its slot and resumes its
//!   coroutine directly. When an adopted body delegates in turn, it does not drive: it leaves
//!   its new entry in its slot and suspends with no value (`Out` is a `MaybeUninit<Y>`, so a
//!   plain yield stays as small as `Y`); the `GenEntry` finds the slot full and hands the
//!   entry to the driver, which pushes it: nesting stays flat. Any other generator object, or
//!   a `Gen` already driving its own delegates, is an `ObjEntry` (resumed through the protocol,
//!   with a state-machine adoption published: what the state machines below hand up joins this
//!   stack as hosted entries, see `delegate/host.rs` and "Mixed chains" in
//!   `machine/delegate.rs`).
//! - **Finishing**: when the top entry finishes (returns or raises), the driver pops it and
//!   resumes the delegator below with `Input::Resume`; its `delegate` call returns the outcome
//!   kept in the entry. `close()` cascades: the top is closed, then each delegator sees
//!   `Thrown::Exit` at its `yield from` (or the error its delegate raised while closing),
//!   innermost first, as CPython's `gen_close` does. A delegate that yields instead of closing
//!   finishes its entry with [`RuntimeError::IgnoredExit`] ([`Drive::IgnoredExit`]), and the
//!   outermost `close()` reports the value it yielded once the chain unwound. A delegate being
//!   closed may delegate in turn (`except GeneratorExit: yield from other()`): the new entries
//!   run as any delegation (their return value reaches it), and a value one of them yields is
//!   that delegate ignoring the exit: `drive_here` pops the entries above it (they stay
//!   suspended in its frame, closed when it is) and finishes its entry with the same error.
//!   Such a delegate is *left waiting* in its `yield from`: `Driving::leave` records in the
//!   slot of each body left so how long its chain is (`LEFT_WAITING`, cleared by a guard
//!   when the body is resumed or unwound from there), as a driver unwound mid-delegation
//!   does for the bodies still on its stack. Adopted again (a delegator's `yield from` of
//!   it), such a body hands its entry up again with the value to resume it with
//!   (`Outcome::restart`): the chain joins the new driver's stack, flat and counted whole.
//! - **Panics**: a panic in the top entry is caught where it is stepped (in `Entry::run`, on
//!   the driver's stack) and given to the driver, which stores it in the entry, pops the entry
//!   and resumes the delegator: its `delegate` re-raises the panic there, so every delegator
//!   unwinds (innermost first) and the panic reaches the consumer from the root.
//! - **Soundness of the pointers**: an entry lives in the frame of a body suspended in
//!   `delegate`; that body is resumed only after its entry is popped; the sub-generators are
//!   owned by (or borrowed from) those frames, so they outlive their entries. The stack of
//!   entries is a local of `drive_here`; `slot.driving` is cleared (by a guard, also when
//!   unwinding) when `drive_here` ends. Dropping a driving `Gen` resumes the body with `Close`:
//!   `drive_here` closes the chain
//!   innermost first; if the body's stack is then unwound by force, an adopted body resumed
//!   directly afterwards (by its owner's drop) drives its own delegate. The `&mut` to the top
//!   entry that `drive_here` makes for [`Entry::run`] stays alive while the driving body is
//!   suspended (`run` yields the items from inside): meanwhile only the consumer runs, and it
//!   reaches the entry only by resuming the body (back into `run`, with the same `&mut`) or
//!   by unwinding the body's stack, which ends `run`'s frame (the innermost there) before any
//!   frame that owns an entry or a sub-generator ends (they are below it on that stack, or on
//!   stacks owned by them); the entry's own `wait_for` waits until it is popped, which
//!   `drive_here` does only after `run` returned.
//! - **Cost on the plain path**: none. An earlier design let the `Gen` drive the stack of
//!   entries from the consumer's side (one switch per item instead of two), at the price of
//!   one check in the slot on every `resume`; that check cost more than the switch it saved
//!   (measured in one run: round trip 2.72 ns against 2.45 ns for raw corosensei with the
//!   check, 2.45 ns without; an item delegated to a stackful object 11.2 ns either way).
//!   `Gen`'s own methods never receive an uninitialized value.
//! - **Cost of an item**: two round trips of corosensei (consumer to root, root to the
//!   innermost delegate) and almost nothing else. Counted with callgrind (instructions per
//!   item, `(Ir(2N) - Ir(N)) / N`, endless counters): an item from an inline generator
//!   function costs 41, one round trip (the consumer's `next()` and the counter's yield, as in
//!   `roundtrip/stackful`); through a `Gen` object it cost 141 when `drive_here`'s loop
//!   stepped the top entry through `dyn Entry` once per item, and costs 81 now, at depth 1 as
//!   at depth 1000. The 60 that went: the dynamic call per item, whose callee saved and
//!   restored the six callee-saved registers (corosensei's switch clobbers them all, so any
//!   function around a resume pays that) and spilled its arguments around the switch (about
//!   20); the 24-byte [`Drive`] returned through memory, matched with a jump table, and the
//!   top of the stack reloaded from the vector (about 17); each received [`Input`] turned into
//!   a [`Cmd`] and, in the entry, back into an `Input` through a second jump table (about 16);
//!   moves. `catch_unwind` around each step costs nothing (an `invoke` with a landing pad).
//!   Now the per-item loop is [`Entry::run`], a default method, so it is compiled for each
//!   entry type with its `drive` inlined: one dynamic call per change of the stack, not per
//!   item, and a sent value reaches `drive` as a known `Cmd::Send`, which folds the dispatch
//!   away. Above the second round trip remain the store of the driver's `closing` flag and
//!   taking `handed_up` from the sub-generator's slot (8 instructions). Time, in one run
//!   (criterion, this shared and noisy machine, where instruction counts are the steadier
//!   figure): object/1 ÷ inline/1 = 1.64 (3.73 for the old loop, measured right after),
//!   object/1000 ÷ object/1 = 1.17, and `roundtrip` stackful ÷ corosensei = 0.97: the plain
//!   path is untouched (`Gen`, `Co::suspend` and the [`Slot`] are as they were).
//!
//! Owns: [`Co::delegate`](crate::Co::delegate) and the driver (`wait_for`, `drive_here`,
//! [`Entry::run`]), the entry types ([`GenEntry`], [`ObjEntry`], [`EntryPtr`]), the delegation
//! fields of the [`Slot`] (`adopted`, `handed_up`, `driving`, `ignored_out`) and the guards
//! that clear them ([`Driving`], [`IgnoredOut`]). May not touch: the wire encoding (it sends [`Input`]s
//! through [`Slot::transmit`] and suspends through `Co::suspend` only), the stack's reserved
//! bytes, or a `Gen`'s fields (it uses `Gen::slot` and `Gen::transmit`).

use std::any::Any;
use std::cell::Cell;
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;

use corosensei::CoroutineResult;

use super::co::Co;
use super::generator::Gen;
use super::slot::{Input, Slot, Unwinding};

#[cfg(feature = "nightly")]
mod host;
#[cfg(feature = "nightly")]
pub(super) use host::Wakes;
/// Without the state-machine backend there is nothing to host.
#[cfg(not(feature = "nightly"))]
pub(super) struct Wakes<S, E>(std::marker::PhantomData<fn(S, E)>);
#[cfg(not(feature = "nightly"))]
impl<S, E> Wakes<S, E> {
    pub(super) fn unit() -> Option<Self> {
        None
    }
    pub(super) fn default() -> Option<Self> {
        None
    }
}
use crate::protocol::{CloseError, Generator, RuntimeError, State, Step, Thrown};

/// A delegate entry with its borrow erased; see "Delegation" in the module docs for why it is
/// only dereferenced while the frame that owns it is alive.
pub(super) type EntryPtr<Y, S, E> = NonNull<dyn Entry<Y, S, E>>;

/// What the driver asks of the delegate on top of its stack.
pub(super) enum Cmd<S, E> {
    /// Start delegating: resume the sub-generator with the value given to [`Co::delegate`](crate::Co::delegate).
    Start,
    Send(S),
    Throw(E),
    Close,
    Resume {
        closing: bool,
    },
}

/// What one step of a delegate produced.
pub(super) enum Drive<Y, S, E> {
    Yielded(Y),
    /// The delegate (a stackful generator adopted by the driver) started delegating in turn.
    Delegate(EntryPtr<Y, S, E>),
    /// The delegate finished; its outcome is kept in the entry for the delegator.
    Finished,
    /// Asked to close, the delegate yielded this value instead (Python: "generator ignored
    /// GeneratorExit"). As in CPython, the delegators are not left suspended: the entry is
    /// finished with [`RuntimeError::IgnoredExit`] for its delegator (CPython's `RuntimeError`
    /// at the `yield from`), and the outermost `close()` reports `CloseError::IgnoredExit` with this
    /// value once the chain unwound. The delegate itself stays suspended until it is dropped.
    IgnoredExit(Y),
    /// The delegate yielded this, and the generators it resumes handed delegations up to the
    /// entry's adoption (state machines, see `host.rs`): the driver moves them onto its stack,
    /// then yields the value.
    #[cfg(feature = "nightly")]
    Adopted(Y),
}

/// A sub-generator being delegated to, seen by the driver without its return type.
pub(super) trait Entry<Y, S, E> {
    /// One step on behalf of the outermost consumer.
    fn drive(&mut self, cmd: Cmd<S, E>) -> Drive<Y, S, E>;
    /// Keeps the panic that left the sub-generator, for the delegator to continue.
    fn set_panic(&mut self, payload: Box<dyn Any + Send>);
    /// Finishes the entry with [`RuntimeError::IgnoredExit`] for its delegator: asked to
    /// close, the sub-generator delegated in turn and a value came up from there (the driver
    /// saw it, see `Co::drive_here`). The sub-generator stays suspended in its `yield from`.
    fn ignored_exit(&mut self);
    /// The driver leaves the sub-generator suspended in its own `yield from` (see
    /// [`Driving::leave`]), with `depth` generators below it: an adopted one records the
    /// depth in its slot for its `Gen::yield_from_depth`; any other generator object counts
    /// its chain itself.
    fn left_waiting(&mut self, depth: usize) {
        let _ = depth;
    }

    /// After [`Drive::Adopted`]: moves what was handed up onto the driver's stack.
    #[cfg(feature = "nightly")]
    fn adopt(&mut self, driving: &mut Driving<'_, Y, S, E>) {
        let _ = driving;
    }

    /// Runs `cmd`, and while the delegate yields, hands each value to the consumer with the
    /// driver's yield (`co` is the driving body's) and runs what comes back: returns at the
    /// first step the driver must see (anything but a value), or with the panic that left
    /// the delegate. `closing` is the driver's: set here when the consumer closes. While it
    /// is set, a value is not handed out but returned to the driver: it comes from a
    /// delegation a generator being closed started, and means that generator ignored the exit.
    ///
    /// The per-item loop of delegation lives here, not in `Co::drive_here`: this default
    /// method is compiled for each entry type, so each item costs a static, inlined `drive`
    /// and the driver's switch, not a dynamic call per item (see "Cost of an item" in the
    /// module docs).
    fn run(
        &mut self,
        co: &Co<Y, S, E>,
        cmd: Cmd<S, E>,
        closing: &mut bool,
    ) -> Result<Drive<Y, S, E>, Box<dyn Any + Send>> {
        let mut step = catch_unwind(AssertUnwindSafe(|| self.drive(cmd)));
        if *closing {
            // Only the first step can yield here: once `close` arrives in the loop below,
            // the top is asked to close, and a delegate that yields then reports
            // `Drive::IgnoredExit` itself. So the per-item loop has no check for it.
            return step;
        }
        loop {
            let Ok(Drive::Yielded(y)) = step else { return step };
            let input = co.suspend(MaybeUninit::new(y));
            *closing = matches!(input, Input::Close);
            // A sent value is the next step with a known command, so the inlined `drive`
            // loses its dispatch on the command: the hot path of an item.
            step = match input {
                Input::Send(s) => catch_unwind(AssertUnwindSafe(|| self.drive(Cmd::Send(s)))),
                rare => {
                    let cmd = Cmd::of(rare);
                    catch_unwind(AssertUnwindSafe(|| self.drive(cmd)))
                }
            };
        }
    }
}

impl<S, E> Cmd<S, E> {
    /// What the consumer's resume of a driving body asks of the top entry.
    fn of(input: Input<S, E>) -> Self {
        match input {
            Input::Send(s) => Cmd::Send(s),
            Input::Throw(e) => Cmd::Throw(e),
            Input::Close => Cmd::Close,
            Input::Resume { .. } => unreachable!("{NOT_WAITING}"),
        }
    }
}

/// The outcome of a finished delegate, as the delegator sees it. No outcome: the delegate
/// reported `Exhausted` (it was finished behind the delegator's back, through another handle).
fn finish<R, E>(outcome: Option<Result<R, Thrown<E>>>, closing: bool) -> Result<R, Thrown<E>> {
    match outcome {
        Some(Err(raised @ (Thrown::Error(_) | Thrown::Runtime(_)))) => Err(raised),
        _ if closing => Err(Thrown::Exit),
        Some(outcome) => outcome,
        None => Err(Thrown::Runtime(RuntimeError::AlreadyFinished)),
    }
}

/// A stackful sub-generator *adopted* by the driver: resumed directly (bypassing its
/// `Gen::resume`), and marked in its [`Slot`] so that when its body delegates in turn it
/// hands the new entry up to the driver (flattening).
pub(super) struct GenEntry<'a, Y, R, S, E> {
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
    #[inline(always)]
    fn drive(&mut self, cmd: Cmd<S, E>) -> Drive<Y, S, E> {
        // Closing: asked to close, or told at its `yield from` that its delegate was closed.
        let closing = matches!(cmd, Cmd::Close | Cmd::Resume { closing: true });
        let input = match cmd {
            Cmd::Send(s) => Input::Send(s),
            Cmd::Start => Input::Send(self.first.take().expect(STARTED_ONCE)),
            Cmd::Throw(e) => Input::Throw(e),
            Cmd::Close => Input::Close,
            Cmd::Resume { closing } => Input::Resume { closing },
        };
        // A destructor of the sub-generator that yields while a close unwinds it leaves its
        // value here (see `Co::ignore`), as for `Gen::close`: the sub ignored the exit, and its
        // delegator gets CPython's `RuntimeError` at its `yield from`, as from an `ObjEntry`'s
        // `close()` (the sub itself ends closed, see "In a destructor" on `Co::yield_`).
        let mut ignored: Option<Y> = None;
        let step = if closing {
            self.sub.transmit_closing(input, &mut ignored)
        } else {
            self.sub.transmit(input)
        };
        if let (Some(value), CoroutineResult::Return(_)) = (ignored, &step) {
            self.outcome = Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
            return Drive::IgnoredExit(value);
        }
        match step {
            CoroutineResult::Yield(value) => match self.sub.slot().handed_up.take() {
                None => {
                    // SAFETY: the slot is empty, so the body yielded a value (see `Out`).
                    let value = unsafe { value.assume_init() };
                    if closing {
                        self.outcome = Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
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

    fn ignored_exit(&mut self) {
        self.outcome = Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
    }

    fn left_waiting(&mut self, depth: usize) {
        self.sub.slot().driving.set(LEFT_WAITING | count(depth));
    }
}

/// Any other generator object: driven through the protocol (it yields its values itself).
pub(super) struct ObjEntry<'a, G: Generator<S>, S, H> {
    sub: &'a mut G,
    first: Option<S>,
    outcome: Option<Result<G::Return, Thrown<G::Error>>>,
    panic: Option<Box<dyn Any + Send>>,
    /// The adoption published to `sub` at each step, so that state machines below hand
    /// their delegations up to this driver (see `host.rs`), or [`NoHost`].
    host: H,
}

/// How an [`ObjEntry`] resumes its sub-generator: with an adoption published (`host.rs`:
/// what the generators it resumes hand up joins the driver's stack), or plainly
/// ([`NoHost`]). Chosen when the entry is made, so the per-item path has no dispatch on it.
pub(super) trait Host<Y, S, E> {
    fn resume<G>(&mut self, sub: &mut G, sent: S) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>;
    fn throw<G>(&mut self, sub: &mut G, err: E) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>;
    /// Resumes `sub`, waiting in a `yield from` whose delegate (hosted above it) is done;
    /// it reads the outcome from its cell. `None`: close it instead (`closing`).
    fn wake<G>(&mut self, sub: &mut G, closing: bool) -> Option<Step<Y, G::Return, E>>
    where
        G: Generator<S, Yield = Y, Error = E>;
    /// Whether the last step handed entries up.
    #[cfg(feature = "nightly")]
    fn handed(&self) -> bool;
    /// Drops what the last step handed up, innermost first.
    fn drop_handed(&mut self);
    /// Moves what the last step handed up onto the driver's stack.
    #[cfg(feature = "nightly")]
    fn adopt(&mut self, driving: &mut Driving<'_, Y, S, E>);
}

/// An [`ObjEntry`] that publishes nothing: a plain `resume`.
pub(super) struct NoHost;

impl<Y, S, E> Host<Y, S, E> for NoHost {
    #[inline(always)]
    fn resume<G>(&mut self, sub: &mut G, sent: S) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        sub.resume(sent)
    }

    #[inline(always)]
    fn throw<G>(&mut self, sub: &mut G, err: E) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        sub.throw(err)
    }

    fn wake<G>(&mut self, _: &mut G, _: bool) -> Option<Step<Y, G::Return, E>>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        unreachable!("only adopted stackful delegates and hosting entries wait")
    }

    #[cfg(feature = "nightly")]
    #[inline(always)]
    fn handed(&self) -> bool {
        false
    }

    fn drop_handed(&mut self) {}

    #[cfg(feature = "nightly")]
    fn adopt(&mut self, _: &mut Driving<'_, Y, S, E>) {}
}

impl<'a, G: Generator<S>, S, H> ObjEntry<'a, G, S, H> {
    fn new(sub: &'a mut G, first: S, host: H) -> Self {
        ObjEntry { sub, first: Some(first), outcome: None, panic: None, host }
    }
}

impl<G: Generator<S>, S, H: Host<G::Yield, S, G::Error>> ObjEntry<'_, G, S, H> {
    /// CPython's gen_close: closes the sub-generator; the delegator then sees GeneratorExit,
    /// or the error the sub-generator raised while closing.
    #[cold]
    fn close(&mut self) -> Drive<G::Yield, S, G::Error> {
        let closed = self.sub.close();
        self.outcome = Some(Err(match closed {
            Err(CloseError::IgnoredExit(y)) => {
                self.outcome = Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
                return Drive::IgnoredExit(y);
            }
            closed => closed_outcome(closed),
        }));
        Drive::Finished
    }

    /// `Cmd::Resume`: the delegate this entry's sub-generator handed up (hosted above it)
    /// is done; `closing`: the chain is closing.
    #[cold]
    fn wake(&mut self, closing: bool) -> Drive<G::Yield, S, G::Error> {
        match self.host.wake(self.sub, closing) {
            None => self.close(),
            Some(Step::Yielded(y)) if closing => {
                // Yielded instead of closing: it ignored the exit.
                self.host.drop_handed();
                self.outcome = Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
                Drive::IgnoredExit(y)
            }
            Some(step) => self.stepped(step),
        }
    }

    #[inline(always)]
    fn stepped(
        &mut self,
        step: Step<G::Yield, G::Return, G::Error>,
    ) -> Drive<G::Yield, S, G::Error> {
        match step {
            #[cfg(feature = "nightly")]
            Step::Yielded(y) if self.host.handed() => return Drive::Adopted(y),
            Step::Yielded(y) => return Drive::Yielded(y),
            Step::Complete(r) => self.outcome = Some(Ok(r)),
            Step::Raised(t) => self.outcome = Some(Err(t)),
            Step::Exhausted => self.outcome = None,
        }
        self.host.drop_handed();
        Drive::Finished
    }
}

impl<G: Generator<S>, S, H> Entry<G::Yield, S, G::Error> for ObjEntry<'_, G, S, H>
where
    H: Host<G::Yield, S, G::Error>,
{
    #[inline(always)]
    fn drive(&mut self, cmd: Cmd<S, G::Error>) -> Drive<G::Yield, S, G::Error> {
        let step = match cmd {
            Cmd::Send(s) => self.host.resume(self.sub, s),
            Cmd::Start => {
                let first = self.first.take().expect(STARTED_ONCE);
                self.host.resume(self.sub, first)
            }
            Cmd::Throw(e) => self.host.throw(self.sub, e),
            Cmd::Resume { closing } => return self.wake(closing),
            Cmd::Close => return self.close(),
        };
        self.stepped(step)
    }

    fn set_panic(&mut self, payload: Box<dyn Any + Send>) {
        self.panic = Some(payload);
    }

    fn ignored_exit(&mut self) {
        self.outcome = Some(Err(Thrown::Runtime(RuntimeError::IgnoredExit)));
    }

    #[cfg(feature = "nightly")]
    fn adopt(&mut self, driving: &mut Driving<'_, G::Yield, S, G::Error>) {
        self.host.adopt(driving);
    }
}

/// What a delegator sees at its `yield from` once its delegate was closed (CPython's
/// `gen_close`): the exit, or the error the delegate raised while closing (CPython's
/// `RuntimeError` if it yielded instead).
fn closed_outcome<R, Y, E>(closed: Result<Option<R>, CloseError<Y, E>>) -> Thrown<E> {
    match closed {
        Ok(_) => Thrown::Exit,
        Err(CloseError::Raised(e)) => Thrown::Error(e),
        Err(CloseError::Runtime(r)) => Thrown::Runtime(r),
        Err(CloseError::IgnoredExit(_)) => Thrown::Runtime(RuntimeError::IgnoredExit),
    }
}

/// An entry is started once per driver that pushes it (again, see `Outcome::restart`).
const STARTED_ONCE: &str = "stasis bug: a delegate entry was started twice";

/// A body suspended at a plain yield is never resumed as a waiting delegator.
pub(super) const NOT_WAITING: &str =
    "stasis bug: a delegate's outcome was delivered to a plain yield";

impl<Y, S, E> Co<Y, S, E> {
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
    /// [`Co::raise`](crate::Co::raise). A panic in `sub` continues here, as a panic at this call.
    ///
    /// Errors the runtime raises come back as `Err(Thrown::Runtime(..))`, which the body may
    /// handle like any other: [`RuntimeError::IgnoredExit`] when `sub` yields instead of
    /// closing (CPython's `RuntimeError` at the `yield from`), [`RuntimeError::AlreadyFinished`]
    /// when `sub` had already finished, at the start or behind this body's back (through a
    /// shared handle), [`RuntimeError::AlreadyExecuting`] when `sub` is running (a shared
    /// handle to a generator of this chain). In a destructor that runs while the body unwinds
    /// (a close, an unhandled throw, or the body's own panic), it returns `Err(Thrown::Exit)`
    /// at once without starting `sub`, as [`Co::try_yield`](crate::Co::try_yield) does there:
    /// `sub`'s values could only come out of the middle of the unwinding.
    ///
    /// Each item costs the same at any depth: when `sub` is a stackful [`Gen`](crate::Gen) (or a
    /// `Box<Gen>`), the outermost generator adopts it, and when it delegates in turn the new
    /// delegate goes on the outermost generator's stack of delegates, which always resumes the
    /// innermost one directly (as C++23 `std::generator`'s `elements_of` does; the design, with
    /// a diagram, opens `stasis-core`'s `src/stackful/delegate.rs`). Any other generator object (state
    /// machine, combinator) is resumed through the protocol; a state machine's own `yield_from!`
    /// (and a `Gen` behind a `dyn Generator`) joins the same stack, so a chain mixing both
    /// backends is flat too (unless `S` is neither `()` nor started through `Co::yield_from`,
    /// see "Mixed chains" in `stasis-delegate`'s docs).
    ///
    /// This is the borrowing form of [`Co::try_yield_from`] (which takes `sub` by value and
    /// starts it with `S::default()`, Python's `None`); both run the same driver.
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
        self.delegate_with(sub, first, Wakes::unit())
    }

    /// [`Co::delegate`](crate::Co::delegate), with what a state machine waiting in a `yield from` hosted by this
    /// driver is resumed with once its delegate is done (see `host.rs`); `None`: host nothing.
    pub(super) fn delegate_with<G>(
        &self,
        sub: &mut G,
        first: S,
        wakes: Option<Wakes<S, E>>,
    ) -> Result<G::Return, Thrown<E>>
    where
        G: Generator<S, Yield = Y, Error = E> + 'static,
        Y: 'static,
        S: 'static,
        E: 'static,
    {
        if sub.state() == State::Closed {
            return Err(Thrown::Runtime(RuntimeError::AlreadyFinished));
        }
        if (self.slot().unwinding.get() != Unwinding::No || std::thread::panicking())
            && self.unwinding_now()
        {
            // A destructor delegating while the body unwinds (an unwinding stasis started, or
            // the body's own panic: the same test as `Co::try_yield`'s): `sub` could only
            // yield, which the body cannot do now; as if it had ignored the exit.
            return Err(Thrown::Exit);
        }
        #[cfg(feature = "nightly")]
        let first = match self.slot().adoption.get() {
            context if context.is_null() => first,
            context => match self.lend(sub, first, context.cast()) {
                Ok(outcome) => return outcome,
                Err(first) => first,
            },
        };
        let any: &mut dyn Any = sub;
        if let Some(stackful) = any.downcast_mut::<Gen<Y, G::Return, S, E>>() {
            if !stackful.slot().drives() {
                return self.wait_for(GenEntry::new(stackful, first));
            }
            return self.wait_for_object(stackful, first, wakes);
        }
        if let Some(stackful) = any.downcast_mut::<Box<Gen<Y, G::Return, S, E>>>() {
            if !stackful.slot().drives() {
                return self.wait_for(GenEntry::new(stackful, first));
            }
            return self.wait_for_object(&mut **stackful, first, wakes);
        }
        let Some(sub) = any.downcast_mut::<G>() else { unreachable!("the type is G") };
        self.wait_for_object(sub, first, wakes)
    }

    /// [`Co::wait_for`] an [`ObjEntry`], hosting what the state machines below it hand up
    /// when there is a wake value (see `host.rs`).
    #[cfg_attr(not(feature = "nightly"), allow(unused_variables))]
    fn wait_for_object<G>(
        &self,
        sub: &mut G,
        first: S,
        wakes: Option<Wakes<S, E>>,
    ) -> Result<G::Return, Thrown<E>>
    where
        G: Generator<S, Yield = Y, Error = E>,
        Y: 'static,
        S: 'static,
        E: 'static,
    {
        #[cfg(feature = "nightly")]
        if let Some(wakes) = wakes {
            use host::{Adopting, SendForm, ThrowForm};
            if host::sends_only::<E>() {
                let host = Adopting::<SendForm, Y, S, E>::new(wakes);
                return self.wait_for(ObjEntry::new(sub, first, host));
            }
            let host = Adopting::<ThrowForm, Y, S, E>::new(wakes);
            return self.wait_for(ObjEntry::new(sub, first, host));
        }
        self.wait_for(ObjEntry::new(sub, first, NoHost))
    }

    /// Hands `sub` up to the state-machine driver that adopted this generator (it resumed it
    /// with `Gen::__resume_adopted`, which left its adoption, `context`, in the slot), and
    /// waits for its outcome; `Err(first)` if the adoption is not of these types. See "Mixed
    /// chains" in `machine/delegate.rs`.
    #[cfg(feature = "nightly")]
    #[cold]
    #[inline(never)]
    fn lend<G>(
        &self,
        sub: &mut G,
        first: S,
        context: *const crate::machine::delegate::Context,
    ) -> Result<Result<G::Return, Thrown<E>>, S>
    where
        G: Generator<S, Yield = Y, Error = E> + 'static,
        Y: 'static,
        S: 'static,
        E: 'static,
    {
        use crate::machine::delegate::{Begin, lend};
        // One provenance for `sub` while it is lent: `lent`, and `sub` is not named again.
        let lent = NonNull::from(sub);
        // SAFETY: `lent` comes from the `&mut` this frame holds, which it does not use again
        // (only `lent`, once the lease ended, below); the lease lives in this frame and ends
        // (also when unwinding) before this frame returns, while `*lent` belongs to our caller,
        // which outlives it. `context` is the slot's `adoption`, non-null only while the
        // `Gen::__resume_adopted` call that published it is blocked in the resume running us
        // (its `Adopted` guard clears it when that resume ends). So `lend`'s contract holds.
        let (begin, lease) = unsafe { lend(lent, first, context) }?;
        let (item, cell) = match begin {
            Begin::Finished(outcome) => return Ok(outcome),
            Begin::Adopted(item, cell) => (item, cell),
            Begin::Root(never, _) => match never {},
        };
        // The driver resumes us (with its wake input) once `sub` is done, the outcome in
        // `cell`; anything else means the driver is gone (our owner closes or throws into us).
        let input = self.suspend(MaybeUninit::new(item));
        drop(lease);
        if let (Input::Send(_), Some(outcome)) = (&input, cell.take()) {
            return Ok(outcome);
        }
        // SAFETY: the lease ended above, so the driver's entry no longer touches `sub`; `lent`
        // is its one provenance (see above), used for this one call.
        let closed = unsafe { &mut *lent.as_ptr() }.close();
        Ok(match input {
            Input::Throw(e) => Err(Thrown::Error(e)),
            Input::Send(_) => unreachable!("{NOT_WAITING}"),
            _ => Err(closed_outcome(closed)),
        })
    }

    /// Waits in the body until `entry` finished: hands it up to the driver that adopted this
    /// generator, or drives it (and whatever it delegates to) from here.
    fn wait_for<'a, T, R>(&self, mut entry: T) -> Result<R, Thrown<E>>
    where
        T: Entry<Y, S, E> + Outcome<R, E, S> + 'a,
        Y: 'static,
        S: 'static,
        E: 'static,
    {
        // One provenance for the entry: `own` is the only pointer to it, and every access
        // below (ours, the driver's through `erased`, `drive_here`'s) is derived from it; the
        // local `entry` is not named again until it is dropped at the end of this frame.
        // Stacked Borrows: `own` is a raw pointer (SharedReadWrite) derived from one `&mut`
        // reborrow of the local; `erased` is a cast of it (casts do not retag), so both carry
        // the same tag, and since nothing reborrows the local while they are used, nothing pops
        // that tag. Each `&mut *own` made below is a fresh Unique pushed on top of it, used
        // for one call during which no other pointer to the entry is used, and dead before
        // the next access through `own` or `erased`. Tree Borrows: `own` and `erased` share
        // one tag (a child of the local); the short `&mut` reborrows are children of it,
        // each a function argument (protected) only while nothing else accesses the entry;
        // no foreign write ever disables a protected reference, and the local itself is only
        // dropped after the last use of `own`.
        let own: NonNull<T> = NonNull::from(&mut entry);
        let local: NonNull<dyn Entry<Y, S, E> + 'a> = own;
        // SAFETY: only the lifetime bound of the trait object changes (same layout). The
        // pointer is dereferenced only while this frame is suspended or running below, here:
        // a driver pops the entry before it resumes this body with `Input::Resume` (or before
        // `drive_here` returns), and a driver that is unwound drops its stack of pointers
        // without using them (see "Delegation" in the module docs).
        let erased: EntryPtr<Y, S, E> = unsafe { std::mem::transmute(local) };
        if !self.slot().adopted.get() {
            return self.drive_here(own, erased, Cmd::Start);
        }
        // Adopted: the driver that resumed us takes the entry from the slot (uninitialized
        // value, see `Out`) and drives it; it resumes us when it finished.
        let cmd = loop {
            self.slot().handed_up.set(Some(erased));
            let waiting = Waiting(&self.slot().driving);
            let input = self.suspend(MaybeUninit::uninit());
            drop(waiting);
            break match input {
                Input::Resume { closing } => {
                    // SAFETY: the driver popped the entry before resuming us with `Resume`, so
                    // no other access to it is in flight or will come; `own` is its one
                    // provenance (see above), and the entry lives in this frame.
                    let entry = unsafe { &mut *own.as_ptr() };
                    if let Some(payload) = entry.take_panic() {
                        resume_unwind(payload);
                    }
                    return finish(entry.take_outcome(), closing);
                }
                // Resumed directly, by the first step of a new adoption: a driver left us
                // waiting here (see `Driving::leave`) and a delegator's `yield from` adopted
                // us again. Our entry goes up to that driver too, to be resumed with the
                // value, so that the chain stays flat (and counted whole).
                Input::Send(s) if self.slot().adopted.get() => {
                    // SAFETY: no driver holds the entry: the one that left us waiting popped
                    // it (or was unwound, dropping its stack of pointers unused), and the new
                    // one has not seen it yet; `own` is its one provenance, used for this one
                    // call, and the entry lives in this frame.
                    unsafe { (*own.as_ptr()).restart(s) };
                    continue;
                }
                // Resumed directly, not adopted: the driver that adopted us is gone (it was
                // unwound while its generator was dropped, or it left us waiting) and our
                // owner resumes, closes or drops us. Drive our delegate from here.
                Input::Send(s) => Cmd::Send(s),
                Input::Throw(e) => Cmd::Throw(e),
                Input::Close => Cmd::Close,
            };
        };
        self.drive_here(own, erased, cmd)
    }

    /// The driver: runs `cmd` on the innermost delegate and handles what comes back, until
    /// `own` (this body's entry, at the bottom of the stack) finishes. Values go to this
    /// body's consumer with this body's yield, and what the consumer sends, throws or closes
    /// with becomes the next step of the innermost delegate. Each item costs one step of the
    /// innermost delegate, whatever the depth.
    #[inline(never)]
    ///
    /// `own` and `erased` are the same entry, with one provenance (see `wait_for`): this
    /// function holds no reference to it, only those two pointers, so the writes the driver
    /// makes through `erased` never meet a live `&mut` to the same entry.
    fn drive_here<R, T: Outcome<R, E, S>>(
        &self,
        own: NonNull<T>,
        erased: EntryPtr<Y, S, E>,
        mut cmd: Cmd<S, E>,
    ) -> Result<R, Thrown<E>> {
        let mut stack = Driving::start(&self.slot().driving, &self.spare_stack, erased);
        let mut closing = matches!(cmd, Cmd::Close);
        // While closing: how many entries, from the bottom, are being closed (the top one at
        // the time `close` arrived, and each delegator below it as the close reaches it).
        // Entries above are delegations that a generator being closed started while it
        // handled the exit (CPython: `except GeneratorExit: yield from other()`): they run
        // as any delegation, and their return value goes to their delegator; but a value
        // one of them yields means the generator being closed ignored the exit.
        let mut closed = usize::from(closing);
        loop {
            let top = *stack.last().expect("the stack holds our own entry");
            // `top` is `own` (in our caller's frame), an entry handed up by an adopted
            // delegate (in the frame of its body, suspended in `wait_for` on a stack kept alive
            // by a `Gen` that a frame below owns), or a hosted entry (`host.rs`: a box `stack`
            // owns, freed only when popped, by `Driving::pop`, through the pointer
            // `Box::into_raw` gave; it owns its sub-generator, or borrows a stackful level's
            // through `mixed::Lent`, which checks the loan on every use).
            // SAFETY: the entry is alive (above); a body whose entry it is is resumed only after
            // the entry is popped here. Nothing else reaches it: every pointer to it has the one
            // provenance its `wait_for` (or `Driving::host`) made, with no `&mut` alive there
            // while we drive it. The `&mut` made for `run` lives across this body's suspensions
            // (`run` yields the items): meanwhile no other pointer to the entry is used, and
            // unwinding our stack ends `run`'s frame first (see "Soundness of the pointers" in
            // the module docs), so no foreign access meets its Unique tag and protector
            // (Stacked Borrows) or its protected tag (Tree Borrows).
            let step = unsafe { (*top.as_ptr()).run(self, cmd, &mut closing) };
            if closing && closed == 0 {
                // The consumer closed while `top` was suspended.
                closed = stack.len();
            }
            #[cfg(feature = "nightly")]
            let step = match step {
                Ok(Drive::Adopted(y)) => {
                    // SAFETY: as above (`run` has returned: no other reference to the entry
                    // is alive); `adopt` only moves what the entry's adoption holds onto
                    // `stack`, which holds no reference to the entry either.
                    unsafe { (*top.as_ptr()).adopt(&mut stack) };
                    if closing {
                        // From a delegation a generator being closed started: as a value
                        // `run` returns while closing (below), it ignored the exit.
                        Ok(Drive::Yielded(y))
                    } else {
                        let input = self.suspend(MaybeUninit::new(y));
                        closing = matches!(input, Input::Close);
                        if closing {
                            // The consumer closed while the new top was suspended.
                            closed = stack.len();
                        }
                        cmd = Cmd::of(input);
                        continue;
                    }
                }
                step => step,
            };
            cmd = match step {
                Ok(Drive::Delegate(entry)) => {
                    stack.push(entry);
                    Cmd::Start
                }
                #[cfg(feature = "nightly")]
                Ok(Drive::Adopted(_)) => unreachable!("handled above"),
                Ok(drive @ (Drive::Finished | Drive::IgnoredExit(_) | Drive::Yielded(_))) => {
                    let ignored = match drive {
                        Drive::IgnoredExit(y) => Some(y),
                        Drive::Yielded(y) => {
                            // Only while closing (see `Entry::run`): from a delegation that
                            // the innermost generator being closed started. It ignored the
                            // exit; it and the delegations above it stay suspended, in its
                            // frame, and are closed when it is.
                            stack.leave(closed);
                            let ignoring = *stack.last().expect("closing, so `closed` >= 1");
                            // SAFETY: as for `top` above: the entry is in the frame of a body
                            // suspended in `wait_for` (or in our caller's), and no step through
                            // it is in flight. The `&mut` made here lives for this call only,
                            // and the one `run` made has ended (it returned): no other
                            // reference to the entry is alive, so no access meets a foreign
                            // tag (Stacked Borrows) or a protected one (Tree Borrows).
                            unsafe { (*ignoring.as_ptr()).ignored_exit() };
                            Some(y)
                        }
                        _ => None,
                    };
                    if let Some(y) = ignored {
                        let out = self.slot().ignored_out.get();
                        if !out.is_null() {
                            // SAFETY: `Gen::close` set `out` to a local of its frame, which is
                            // blocked in this resume, and clears it (also when unwinding)
                            // before that frame ends.
                            unsafe { *out = Some(y) };
                        }
                    }
                    let finished = stack.len();
                    stack.pop();
                    // A delegation started while closing gives its delegator its outcome; a
                    // generator that was being closed gives its delegator the exit (or its
                    // error), and the close goes on with that delegator.
                    let was_closed = finished <= closed;
                    if was_closed {
                        closed = finished - 1;
                    }
                    if stack.is_empty() {
                        // SAFETY: `own` was just popped (it is the bottom entry), so no step
                        // through `erased` is in flight or will come; one provenance, as in
                        // `wait_for`, and the entry lives in our caller's frame.
                        let outcome = unsafe { (*own.as_ptr()).take_outcome() };
                        return finish(outcome, closing);
                    }
                    Cmd::Resume { closing: closing && was_closed }
                }
                Err(payload) => {
                    // Hosted entries report to their delegators through cells, which carry no
                    // panic: they go first (innermost first), and the panic continues in the
                    // delegator of the entry that hosted them, as a state machine's panic
                    // unwinds its body and drops its delegates.
                    stack.drop_hosted();
                    let top = *stack.last().expect("the stack holds our own entry");
                    let finished = stack.len();
                    stack.pop();
                    if stack.is_empty() {
                        // Our own delegate panicked: the panic continues here.
                        resume_unwind(payload);
                    }
                    // The panic continues in the delegator that owns `top`, at its yield from.
                    // SAFETY: as above; the entry's frame is still suspended.
                    unsafe { (*top.as_ptr()).set_panic(payload) };
                    let was_closed = finished <= closed;
                    if was_closed {
                        closed = finished - 1;
                    }
                    Cmd::Resume { closing: closing && was_closed }
                }
            };
        }
    }
}

/// A driving body's stack of entries, outermost (its own) first. While it lives the body is
/// marked driving in its slot, with the number of entries (`Gen::yield_from_depth`); when it
/// ends (also while unwinding) the mark is cleared and the vector goes back to the body's
/// `Co` for its next delegation, so a `yield from` in a loop does not allocate each time.
pub(super) struct Driving<'a, Y, S, E> {
    flag: &'a Cell<u32>,
    spare: &'a Cell<Vec<EntryPtr<Y, S, E>>>,
    stack: Vec<EntryPtr<Y, S, E>>,
    /// How many entries at the top of `stack` this driver owns: state-machine entries it
    /// hosts (see `host.rs`), allocated by [`Driving::host`] and freed when popped. Always a
    /// suffix: only a hosting entry or a hosted one hands entries up to them, and neither
    /// hands up a stackful `Drive::Delegate`.
    hosted: usize,
}

impl<'a, Y, S, E> Driving<'a, Y, S, E> {
    fn start(
        flag: &'a Cell<u32>,
        spare: &'a Cell<Vec<EntryPtr<Y, S, E>>>,
        own: EntryPtr<Y, S, E>,
    ) -> Self {
        flag.set(1);
        let mut stack = spare.take();
        stack.push(own);
        Driving { flag, spare, stack, hosted: 0 }
    }

    /// Pushes an entry this driver owns (see `hosted`).
    #[cfg(feature = "nightly")]
    pub(super) fn host(&mut self, entry: Box<dyn Entry<Y, S, E>>) {
        // One provenance: the pointer `Box::into_raw` gives, kept in `stack` until `pop`
        // gives it back to `Box::from_raw`; no `Box` exists meanwhile to be moved or retagged.
        let ptr = NonNull::new(Box::into_raw(entry)).expect("a box is not null");
        self.push(ptr);
        self.hosted += 1;
    }

    /// Pops and frees the entries this driver hosts, innermost first.
    fn drop_hosted(&mut self) {
        while self.hosted > 0 {
            self.pop();
        }
    }

    /// Pushes an entry handed up by an adopted delegate, counting it in the slot.
    fn push(&mut self, entry: EntryPtr<Y, S, E>) {
        self.stack.push(entry);
        self.flag.set(count(self.stack.len()));
    }

    /// Pops the entries above the first `keep` without resuming the bodies that wait on them
    /// (those of the sub-generators of the entries from `keep - 1` up): they stay suspended in
    /// their `yield from`, and each records how long its chain is, for its
    /// `Gen::yield_from_depth` (CPython's `gi_yieldfrom` still links them).
    fn leave(&mut self, keep: usize) {
        self.mark_left_waiting(keep);
        while self.stack.len() > keep {
            self.pop();
        }
    }

    /// Marks the sub-generators of the entries from `from - 1` up to the one below the top as
    /// left waiting, each with the number of entries above its own (see `leave`).
    fn mark_left_waiting(&mut self, from: usize) {
        let len = self.stack.len();
        for (at, entry) in self.stack.iter().enumerate().take(len.saturating_sub(1)) {
            if at + 1 >= from {
                // SAFETY: as in `drive_here`: the entry is in the frame of a body suspended in
                // `wait_for` (or in our driving body's caller's), alive while this driver is;
                // no step through it is in flight (the driver runs this between steps, or as
                // its frame ends, after `run`'s frame ended), so the `&mut` made for this call
                // is the only reference to it (no foreign access meets a protected tag under
                // either model). `left_waiting` only writes a `Cell` in the sub's slot.
                unsafe { (*entry.as_ptr()).left_waiting(len - 1 - at) };
            }
        }
    }

    /// Pops the top entry (freeing it if this driver hosts it); the slot keeps counting at
    /// least 1 while the driver runs.
    fn pop(&mut self) {
        let top = self.stack.pop();
        self.flag.set(count(self.stack.len().max(1)));
        if let (Some(top), true) = (top, self.hosted > 0) {
            self.hosted -= 1;
            // SAFETY: a hosted entry (the top `hosted` ones): `top` came from `Box::into_raw`
            // in `Driving::host` and is its one provenance; popped, it is not used again
            // (`drive_here` reads it only before popping, or for `set_panic` on an entry it
            // does not host), so the box is rebuilt and freed exactly once.
            drop(unsafe { Box::from_raw(top.as_ptr()) });
        }
    }
}

impl<Y, S, E> std::ops::Deref for Driving<'_, Y, S, E> {
    type Target = Vec<EntryPtr<Y, S, E>>;
    fn deref(&self) -> &Self::Target {
        &self.stack
    }
}

impl<Y, S, E> Drop for Driving<'_, Y, S, E> {
    fn drop(&mut self) {
        self.drop_hosted();
        // Entries left only when the driving body unwinds from the middle of its delegation
        // (dropped, it was unwound where it yielded a delegate's value): the bodies waiting on
        // them stay suspended in their `yield from`, as `leave` leaves them.
        self.mark_left_waiting(0);
        self.flag.set(0);
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        self.spare.set(stack);
    }
}

/// Publishes [`Gen::close`](crate::Gen::close)'s `ignored` local in the slot for as long as the close runs (also
/// while unwinding).
pub(super) struct IgnoredOut<'a, Y>(&'a Cell<*mut Option<Y>>);

impl<'a, Y> IgnoredOut<'a, Y> {
    pub(super) fn publish(cell: &'a Cell<*mut Option<Y>>, out: &mut Option<Y>) -> Self {
        cell.set(out);
        IgnoredOut(cell)
    }
}

impl<Y> Drop for IgnoredOut<'_, Y> {
    fn drop(&mut self) {
        self.0.set(std::ptr::null_mut());
    }
}

/// Publishes a state-machine driver's adoption in the slot for as long as a resume by
/// `Gen::__resume_adopted` runs (also while unwinding; see `Slot::adoption`).
#[cfg(feature = "nightly")]
pub(super) struct Adopted<'a>(&'a Cell<*const ()>);

#[cfg(feature = "nightly")]
impl<'a> Adopted<'a> {
    pub(super) fn publish(cell: &'a Cell<*const ()>, context: *const ()) -> Self {
        cell.set(context);
        Adopted(cell)
    }
}

#[cfg(feature = "nightly")]
impl Drop for Adopted<'_> {
    fn drop(&mut self) {
        self.0.set(std::ptr::null());
    }
}

/// Gives the delegator the outcome its entry keeps; lets it hand the entry up again.
trait Outcome<R, E, S> {
    fn take_outcome(&mut self) -> Option<Result<R, Thrown<E>>>;
    fn take_panic(&mut self) -> Option<Box<dyn Any + Send>>;
    /// Makes the next [`Cmd::Start`] resume the sub-generator with `sent` (see `wait_for`: a
    /// body left waiting, adopted again).
    fn restart(&mut self, sent: S);
}

impl<Y, R, S, E> Outcome<R, E, S> for GenEntry<'_, Y, R, S, E> {
    fn take_outcome(&mut self) -> Option<Result<R, Thrown<E>>> {
        self.outcome.take()
    }
    fn take_panic(&mut self) -> Option<Box<dyn Any + Send>> {
        self.panic.take()
    }
    fn restart(&mut self, sent: S) {
        self.first = Some(sent);
    }
}

impl<G: Generator<S>, S, H> Outcome<G::Return, G::Error, S> for ObjEntry<'_, G, S, H> {
    fn take_outcome(&mut self) -> Option<Result<G::Return, Thrown<G::Error>>> {
        self.outcome.take()
    }
    fn take_panic(&mut self) -> Option<Box<dyn Any + Send>> {
        self.panic.take()
    }
    fn restart(&mut self, sent: S) {
        self.first = Some(sent);
    }
}

/// The bit of [`Slot::driving`] that marks a body left waiting in a `yield from` by a driver
/// that stopped driving its entry without resuming it (see [`Driving::leave`]); the other bits
/// are the length of its chain. Such a body does not drive: it may be adopted again.
const LEFT_WAITING: u32 = 1 << 31;

/// A length of a chain as [`Slot::driving`] holds it (saturated below [`LEFT_WAITING`]).
fn count(len: usize) -> u32 {
    u32::try_from(len).map_or(LEFT_WAITING - 1, |n| n.min(LEFT_WAITING - 1))
}

impl<Y, S, E> Slot<Y, S, E> {
    /// Whether this generator's body drives its delegates itself (in `Co::drive_here`): it is
    /// then delegated to as a plain object, never adopted.
    #[inline]
    pub(super) fn drives(&self) -> bool {
        let driving = self.driving.get();
        driving != 0 && driving & LEFT_WAITING == 0
    }

    /// How many generators are below this one in its `yield from` chain (see
    /// `Gen::yield_from_depth`).
    pub(super) fn yield_from_depth(&self) -> usize {
        (self.driving.get() & !LEFT_WAITING) as usize
    }
}

/// Clears the mark of a body left waiting (see [`LEFT_WAITING`]) once it is resumed, or
/// unwound, from its `yield from` (a guard, so that a finished generator never keeps it).
struct Waiting<'a>(&'a Cell<u32>);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.0.get() & LEFT_WAITING != 0 {
            self.0.set(0);
        }
    }
}
