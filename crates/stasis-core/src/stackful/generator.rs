//! The generator object, [`Gen`](crate::Gen): what the consumer holds. It builds the coroutine and its
//! [`Co`](crate::Co) on a [`SlotStack`] (`Gen::on_stack`), and implements the protocol ([`Generator`](crate::Generator)),
//! [`Iterator`](std::iter::Iterator) and `Drop` (Python's finalizer: close, then force the unwind) on top of it.
//!
//! Owns: [`Gen`](crate::Gen)'s fields, the base closure that starts a body and catches its
//! [`RaiseToken`], writing the [`Slot`] into place, and the return value kept for the
//! `Iterator` API. May not touch: the wire encoding (it resumes only through
//! [`Slot::transmit`]), the delegation fields of the slot (it only publishes `ignored_out`
//! during `close`, through [`IgnoredOut`]), or the stack's layout beyond reading its
//! [`StackInfo`].

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::fmt;
use std::io::Write;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;

use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, CoroutineResult, Yielder};

use super::builder::GenBuilder;
use super::co::{Co, RaiseToken, unit_send};
#[cfg(feature = "nightly")]
use super::delegate::Adopted;
use super::delegate::IgnoredOut;
use super::exit;
use super::slot::{Input, Kind, Out, Slot, Tracked, UnwindToken, Unwinding, Wire};
use super::stack::{SLOT_BYTES, SlotStack, StackInfo, info_of};
#[cfg(feature = "nightly")]
use crate::machine::Adoption;
#[cfg(doc)]
use crate::pool::DEFAULT_STACK_SIZE;
use crate::pool::{Clean, StackError};
#[cfg(feature = "nightly")]
use crate::protocol::{AdoptToken, forward_closing};
use crate::protocol::{CloseError, Generator, RuntimeError, State, Step, Thrown};

pub(super) type Inner<Y, R, S, E> = Coroutine<Wire<S>, Out<Y>, Result<R, Thrown<E>>, SlotStack>;

/// A stackful generator: a body running on its own stack, suspended at each
/// [`yield_`](Co::yield_) with all its frames frozen.
///
/// Type parameters: `Y` yielded values, `R` the return value, `S` what `resume` sends in
/// (`()` for an iterator), `E` what `throw` raises inside ([`Infallible`](std::convert::Infallible): no throw).
///
/// With `S = ()` and `E = Infallible` it is an [`Iterator`](std::iter::Iterator) over the
/// yielded values; the return value is then kept for
/// [`Gen::take_return`](crate::Gen::take_return). A generator that can raise errors (`E` not
/// `Infallible`) is not an `Iterator`, so that an error cannot end a `collect()` silently:
/// iterate it with [`Generator::try_iter`](crate::Generator::try_iter), which yields `Result`
/// items.
///
/// Variance: covariant in `Y` and `R` (a `Gen<&'static str>` is a `Gen<&'a str>`),
/// contravariant in `S` (what it accepts, like a `fn(S)`), invariant in `E` (errors go in with
/// `throw` and come out raised). It stays on the thread that created it (see
/// [`ThreadBound`](crate::ThreadBound)).
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
///
/// # Dropping
///
/// Dropping a suspended generator closes it (Python's finalizer): its body sees
/// [`Thrown::Exit`](crate::Thrown::Exit) at its yield and unwinds, running its destructors. If it ignores the exit
/// and yields again, the value is dropped and the body is unwound once more, by force, where
/// it waits: only destructors run. If it swallows that too (a catch-all `catch_unwind`) and
/// yields again, or if it is suspended in a destructor in the middle of its unwinding (see "In
/// a destructor" on [`Co::yield_`](crate::Co::yield_)), it is not resumed again: its stack is leaked, with
/// whatever its frames own, as by `mem::forget` (a lock guard or `RefCell` borrow held there
/// stays held), and a message on stderr says so (CPython's finalizer prints "Exception
/// ignored" and clears the frame). A drop always ends.
///
/// A panic of the body while its generator is dropped (code after a `try_yield` that saw the
/// exit) leaves the drop, as a panic in any `Drop` does; but not while the thread is already
/// panicking (a generator dropped as a panic unwinds), where it would abort the process: it
/// is then printed on stderr and dropped, as CPython's finalizer prints "Exception ignored".
///
/// # Thread exit
///
/// Dropping a suspended generator closes it (Python's finalizer): its body runs again, sees
/// [`Thrown::Exit`](crate::Thrown::Exit) at its yield, and unwinds. A generator kept in a thread-local is dropped
/// while the thread's thread-locals are destroyed, in the reverse order of their first use;
/// if its body holds a borrow of another thread-local across a yield (`DATA.with(|d| ..
/// co.yield_(..) ..)`), that thread-local may be gone by then.
///
/// stasis detects the destruction when the thread-local holding the generator was first used
/// before any generator body ran on that thread (the common shape: `HOLDER.with(|h| ..)` that
/// creates and resumes it). Then the body is not closed: only its destructors run, as they
/// would on a panic (code after a `try_yield` does not). It cannot detect every order: std
/// does not say when thread-local destruction begins.
///
/// **The hazard that remains**: a destructor on the body's stack that reads a thread-local
/// borrowed across a yield, or any body code when the holder was first used after a body
/// ran, may read freed memory at thread exit. Do not hold a `LocalKey::with` borrow across a
/// yield of a generator that may be dropped at thread exit: take what you need out of the
/// thread-local (clone an `Rc`, copy the value) before yielding, or drop such generators
/// before the thread ends.
///
/// ```
/// use std::rc::Rc;
/// # use stasis_core as stasis;
/// use stasis::Gen;
///
/// thread_local! {
///     static CONFIG: Rc<Vec<u32>> = Rc::new(vec![1, 2, 3]);
/// }
///
/// // Not `CONFIG.with(|c| for x in c.iter() { co.yield_(*x) })`: that holds the borrow
/// // across the yields. The clone keeps the data alive for as long as the body needs it.
/// let g = Gen::new(|co, ()| {
///     let config = CONFIG.with(Rc::clone);
///     for x in config.iter() {
///         co.yield_(*x);
///     }
/// });
/// assert_eq!(g.collect::<Vec<_>>(), [1, 2, 3]);
/// ```
#[must_use = "generators do nothing unless resumed"]
pub struct Gen<Y, R = (), S = (), E = Infallible> {
    /// Dropped by hand in `Drop`, which may instead leave a body that never finishes
    /// unwinding on its stack for good (see `Gen::finish`).
    inner: Local<ManuallyDrop<Inner<Y, R, S, E>>>,
    /// The return value seen by `Iterator::next` (which can only report `None`).
    outcome: Option<R>,
    /// The [`Slot`] at the top of this generator's stack, untyped (see `Gen::slot_ptr`): a
    /// `NonNull<Slot<Y, S, E>>` field would make `Gen` invariant in `Y` and `S` by accident
    /// (the slot's `Cell`s), and name a private type when a `Gen` is sent to another thread.
    slot: SlotAddr,
    /// Variance, decided here (the other fields agree with it):
    /// - `Y` and `R` covariant: they only flow out of the body (a `Gen<&'static str>` is a
    ///   `Gen<&'a str>`);
    /// - `S` contravariant: it only flows in (a body that accepts any `&'a str` accepts a
    ///   `&'static str`), as corosensei's `Coroutine` is in its input;
    /// - `E` invariant: it flows in (`throw`) and out (`Step::Raised`, `CloseError::Raised`).
    _variance: PhantomData<Variance<Y, R, S, E>>,
    /// `!Send` (a suspended stack may hold thread-locals and `Rc`s) and `!Sync` (kept out of
    /// the API so nothing can come to rely on sharing a generator across threads). The only
    /// field that says so: the others are [`Local`], so the compiler names this marker.
    _thread: PhantomData<ThreadBound>,
}

/// The variance [`Gen`](crate::Gen) has in its parameters (see its `_variance` field).
type Variance<Y, R, S, E> = (fn() -> (Y, R), fn(S), fn(E) -> E);

/// The address of a generator's [`Slot`] (see [`Gen`](crate::Gen)'s `slot` field).
type SlotAddr = Local<NonNull<u8>>;

/// A field of [`Gen`](crate::Gen) or [`Co`](crate::Co) that is not `Send` or `Sync` by itself (a raw pointer, a
/// `Cell`, corosensei's `Coroutine`), marked as if it were, so that the compiler's error for
/// sending or sharing a `Gen`/`Co` names the documented [`ThreadBound`](crate::ThreadBound) rather than it.
#[derive(Clone, Copy)]
pub(super) struct Local<T>(pub(super) T);

// SAFETY: a `Local` is only ever a field of `Gen` or `Co` (private to this module tree), and
// both also hold a `PhantomData<ThreadBound>`, which is neither `Send` nor `Sync`: no value
// containing a `Local` can cross or be shared between threads.
unsafe impl<T> Send for Local<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Local<T> {}

impl<T> std::ops::Deref for Local<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Local<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// What keeps stackful generators on the thread that created them: [`Gen`](crate::Gen) and [`Co`](crate::Co) are
/// neither `Send` nor `Sync`, because a suspended generator's stack may hold `Rc`s and
/// borrows of thread-locals of that thread. The compiler names this marker when a `Gen` is
/// moved to (or shared with) another thread: "`ThreadBound` cannot be sent between threads
/// safely".
///
/// What to do instead: build the generator on the thread that runs it (send its inputs, which
/// can be `Send`, and call `Gen::new` there), and send what it yields; or use a state machine
/// (`from_coroutine`, with the `nightly` feature), which is `Send` when its coroutine is.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::Gen;
///
/// let limit = 4;
/// let total = std::thread::spawn(move || {
///     // Built on the thread that runs it.
///     let squares = Gen::new(move |co, ()| {
///         for x in 1..=limit {
///             co.yield_(x * x);
///         }
///     });
///     squares.sum::<u32>()
/// });
/// assert_eq!(total.join().unwrap(), 30);
/// ```
#[derive(Debug)]
pub struct ThreadBound {
    /// Neither `Send` nor `Sync` on a stable compiler (the compiler's note then says "`*mut
    /// ()` ... within `ThreadBound`"); with the `nightly` feature the negative impls below
    /// make it name `ThreadBound` itself.
    _not_send_sync: PhantomData<*mut ()>,
}

/// `ThreadBound`'s negative impls, written in a macro so that a build without the `nightly`
/// feature never parses their syntax (the parser warns about it even in code a `cfg` leaves
/// out).
#[cfg(feature = "nightly")]
macro_rules! thread_bound_negative_impls {
    () => {
        impl !Send for ThreadBound {}
        impl !Sync for ThreadBound {}
    };
}
#[cfg(feature = "nightly")]
thread_bound_negative_impls!();

impl<Y: 'static, R: 'static, S: 'static> Gen<Y, R, S> {
    /// A generator running `body` on a pooled stack of [`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE) bytes. The body
    /// receives the yield handle and the value of the first `resume` (Python ignores that
    /// first value and requires it to be `None`; here it is the body's argument).
    ///
    /// # Panics
    ///
    /// If the OS refuses to map a stack (for example more than about 32,000 live generators
    /// under Linux's default `vm.max_map_count`). Use [`Gen::try_new`](crate::Gen::try_new) or [`GenBuilder`](crate::GenBuilder) to get
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

    /// Like [`Gen::new`](crate::Gen::new), with the OS's refusal of a stack as an error value.
    ///
    /// # Errors
    ///
    /// [`StackError::Os`](crate::StackError::Os) when the OS refuses to map the stack.
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

impl<Y: 'static, R: 'static, S: 'static> Gen<Y, R, S> {
    /// A generator whose body can be thrown into with errors of type `E` (Python's `throw`).
    /// The body sees thrown errors through [`Co::try_yield`](crate::Co::try_yield). The error
    /// type is the method's own parameter, so the common case names only what it needs:
    /// `Gen::<i32>::throwing::<String>(..)`.
    ///
    /// # Panics
    ///
    /// As [`Gen::new`](crate::Gen::new), if the OS refuses to map a stack;
    /// [`Gen::try_throwing`](crate::Gen::try_throwing) returns that as an error value.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    ///
    /// let mut g = Gen::<i32, &str>::throwing::<String>(|co, ()| {
    ///     match co.try_yield(1) {
    ///         Err(Thrown::Error(e)) => if e == "stop" { "stopped" } else { "other" },
    ///         _ => "finished",
    ///     }
    /// });
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.throw("stop".to_string()), Step::Complete("stopped"));
    /// ```
    pub fn throwing<E: 'static>(
        body: impl FnOnce(&Co<Y, S, E>, S) -> R + 'static,
    ) -> Gen<Y, R, S, E> {
        match Self::try_throwing(body) {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Gen::throwing`], with the OS's refusal of a stack as an error value.
    ///
    /// # Errors
    ///
    /// [`StackError::Os`] when the OS refuses to map the stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    /// let mut g = Gen::<i32>::try_throwing::<&str>(|co, ()| co.yield_(1)).unwrap();
    /// assert_eq!(g.resume(()), Step::Yielded(1));
    /// assert_eq!(g.throw("stop"), Step::Raised(Thrown::Error("stop")));
    /// ```
    pub fn try_throwing<E: 'static>(
        body: impl FnOnce(&Co<Y, S, E>, S) -> R + 'static,
    ) -> Result<Gen<Y, R, S, E>, StackError> {
        GenBuilder::new().build_throwing(body)
    }
}

impl<Y: 'static, R: 'static, S: 'static, E: 'static> Gen<Y, R, S, E> {
    pub(super) fn on_stack<F>(
        stack: DefaultStack,
        clean: Clean,
        stack_size: usize,
        pooled: bool,
        body: F,
    ) -> Self
    where
        F: FnOnce(&Co<Y, S, E>, S) -> R + 'static,
    {
        const { assert!(size_of::<Slot<Y, S, E>>() <= SLOT_BYTES) };
        let stack = SlotStack::new(stack, StackInfo { size: stack_size, pooled, clean });
        let slot = stack.base().get() as *mut Slot<Y, S, E>;
        // SAFETY: `SlotStack` keeps the `SLOT_BYTES` above its base out of corosensei's use;
        // they are mapped, writable and 16-byte aligned, the `Slot` fits in them (checked
        // above; the `StackInfo` is elsewhere, at the top), and nothing else refers to them
        // (a pooled stack's previous generator is gone).
        unsafe {
            slot.write(Slot {
                kind: Cell::new(Kind::Send),
                thrown: Cell::new(std::ptr::null_mut()),
                adopted: Cell::new(false),
                driving: Cell::new(0),
                handed_up: Cell::new(None),
                ignored_out: Cell::new(std::ptr::null_mut()),
                adoption: Cell::new(std::ptr::null()),
                unwinding: Cell::new(Unwinding::No),
                suspended_in_unwind: Cell::new(false),
            })
        };
        let slot = NonNull::new(slot).expect("stack addresses are not null");
        let body = Unstarted(Some(body));
        let inner =
            Coroutine::with_stack(stack, move |yielder: &Yielder<Wire<S>, Out<Y>>, wire| {
                let body = { body }.0.take().expect("a body starts once");
                let co = Co {
                    yielder: Local(yielder),
                    slot: Local(slot),
                    spare_stack: Local(Cell::new(Vec::new())),
                    pending: Local(Cell::new(None)),
                    deferred: Local(RefCell::new(Vec::new())),
                    unit_send: unit_send::<S>,
                    _thread: PhantomData,
                };
                exit::arm();
                let first = match co.slot().receive(wire) {
                    Input::Send(sent) => sent,
                    // `throw` and `close` never start a body: they close a created generator.
                    Input::Throw(_) | Input::Close | Input::Resume { .. } => {
                        unreachable!("a body is only started by resume")
                    }
                };
                match catch_unwind(AssertUnwindSafe(|| body(&co, first))) {
                    // Returned, nothing deferred (reads only: no store to a cold line).
                    Ok(ret) if co.deferred.borrow().is_empty() => Ok(ret),
                    outcome => conclude(&co, outcome),
                }
            });
        Gen {
            inner: Local(ManuallyDrop::new(inner)),
            outcome: None,
            slot: Local(slot.cast()),
            _variance: PhantomData,
            _thread: PhantomData,
        }
    }
}

/// The coroutine's result once the body returned or unwound to the base closure: what it
/// returned or raised, or its panic continued. Values destructors yielded during a panic of
/// the body or while an error it raised unwound it (see `Co::defer`, `Now::Raised`) go out
/// first, its frames unwound and the panic caught: before what it returned, raised, or before
/// its panic goes on (CPython raises the exception at the resume after the `finally`'s last
/// yield; a throw or a close there replaces it).
///
/// A function of its own, out of line, not code in the base closure: the closure's frame is
/// under every frame of the body, so its size counts against the stack the pool expects a
/// shallow body to touch (`LIVE_RESIDENT`), in debug builds too, where nothing shares stack
/// slots. The closure keeps only the common case, a body that returned with nothing deferred.
#[cold]
#[inline(never)]
fn conclude<Y, R, S, E>(co: &Co<Y, S, E>, outcome: std::thread::Result<R>) -> Result<R, Thrown<E>> {
    // What the body returned, what it raised, or the panic that left it.
    let outcome = match outcome {
        Ok(ret) => Ok(Ok(ret)),
        Err(payload) => match settle(co, payload) {
            Ok(Settled::Raised(thrown)) => Ok(Err(thrown)),
            Ok(Settled::Unwound) => {
                // `Gen::finish`'s forced unwind: nobody takes a value any more.
                drop(co.deferred.take());
                return Err(Thrown::Exit);
            }
            Err(panic) => Err(panic),
        },
    };
    co.slot().unwinding.set(Unwinding::No);
    if co.deferred.borrow().is_empty() {
        return outcome.unwrap_or_else(|panic| resume_unwind(panic));
    }
    match catch_unwind(AssertUnwindSafe(|| co.hand_out_deferred())) {
        Ok(Ok(())) => outcome.unwrap_or_else(|panic| resume_unwind(panic)),
        Ok(Err(thrown)) => Err(thrown),
        // `Gen::finish` unwinding the body where it waits to hand a value out.
        Err(payload) => match settle(co, payload) {
            Ok(Settled::Raised(thrown)) => Err(thrown),
            Ok(Settled::Unwound) => Err(Thrown::Exit),
            Err(panic) => resume_unwind(panic),
        },
    }
}

/// One of stasis's own unwindings, as it reached the base closure (see [`settle`]).
enum Settled<E> {
    /// [`Co::raise`](crate::Co::raise)'s value.
    Raised(Thrown<E>),
    /// `Gen::finish`'s forced unwind of a dropped generator: nobody reads the outcome.
    Unwound,
}

/// What a body's unwinding that reached the base closure means: `Ok` for one of stasis's own,
/// or `Err` with the payload of any other panic.
fn settle<Y, S, E>(
    co: &Co<Y, S, E>,
    payload: Box<dyn Any + Send>,
) -> Result<Settled<E>, Box<dyn Any + Send>> {
    let raised =
        || Settled::Raised(co.pending.take().expect("Co::raise stores the value before unwinding"));
    if payload.is::<RaiseToken>() {
        return Ok(raised());
    }
    if payload.is::<UnwindToken>() {
        return Ok(Settled::Unwound);
    }
    // Either of them, started while the thread was already panicking.
    match payload.downcast::<Tracked>() {
        Ok(mut tracked) => Ok(if tracked.disarm() { raised() } else { Settled::Unwound }),
        Err(payload) => Err(payload),
    }
}

impl<Y, R, S, E> Gen<Y, R, S, E> {
    #[inline]
    fn step(&mut self, input: Input<S, E>) -> Step<Y, R, E> {
        Self::stepped(self.transmit(input))
    }

    /// What a resume by `Gen`'s own methods produced, as a [`Step`](crate::Step).
    #[inline(always)]
    fn stepped(result: CoroutineResult<Out<Y>, Result<R, Thrown<E>>>) -> Step<Y, R, E> {
        match result {
            // SAFETY: only an adopted body yields no value (see `Out`), and a generator is
            // adopted only while a `GenEntry` holds it, which resumes it itself: `Gen`'s own
            // methods take `&mut self`, so nothing adopts it while they run.
            CoroutineResult::Yield(value) => Step::Yielded(unsafe { value.assume_init() }),
            CoroutineResult::Return(Ok(r)) => Step::Complete(r),
            CoroutineResult::Return(Err(t)) => Step::Raised(t),
        }
    }

    /// Resumes the coroutine with `input` (see [`Slot::transmit`]).
    #[inline(always)]
    pub(super) fn transmit(
        &mut self,
        input: Input<S, E>,
    ) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        // SAFETY: as in `Gen::slot`; the slot is not part of `self.inner`'s borrow (it is in
        // the stack's reserved bytes, which the coroutine never touches).
        let slot = unsafe { self.slot_ptr().as_ref() };
        slot.transmit(&mut self.inner, input)
    }

    /// [`Gen::transmit`] with `ignored` published in the slot for as long as the resume runs
    /// (the guard unpublishes it even if the body panics): where a closing body leaves a value
    /// it yielded instead of closing (see `Drive::IgnoredExit` and `Co::ignore`).
    pub(super) fn transmit_closing(
        &mut self,
        input: Input<S, E>,
        ignored: &mut Option<Y>,
    ) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        // SAFETY: as in `Gen::slot`; the slot is not part of what `transmit` borrows (it is in
        // the stack's reserved bytes), and the stack outlives this call.
        let slot = unsafe { self.slot_ptr().as_ref() };
        let _out = IgnoredOut::publish(&slot.ignored_out, ignored);
        self.transmit(input)
    }

    /// [`Gen::transmit`] for a state-machine driver that adopted this generator: `context`
    /// (its adoption) is in the slot for as long as the resume runs (see `Slot::adoption`).
    #[cfg(feature = "nightly")]
    #[inline(always)]
    fn transmit_published(
        &mut self,
        input: Input<S, E>,
        context: *const crate::machine::delegate::Context,
    ) -> CoroutineResult<Out<Y>, Result<R, Thrown<E>>> {
        // SAFETY: as in `Gen::transmit`.
        let slot = unsafe { self.slot_ptr().as_ref() };
        let _adoption = Adopted::publish(&slot.adoption, context.cast());
        self.transmit(input)
    }

    /// The slot, typed (see the `slot` field for why it is kept untyped).
    #[inline(always)]
    fn slot_ptr(&self) -> NonNull<Slot<Y, S, E>> {
        self.slot.0.cast()
    }

    #[inline(always)]
    pub(super) fn slot(&self) -> &Slot<Y, S, E> {
        // SAFETY: the slot is at the top of this generator's stack, which lives as long as
        // `self`; only `Cell` methods touch it, on this thread.
        unsafe { self.slot_ptr().as_ref() }
    }

    /// Closes a generator whose body never ran: drops the body closure without running it
    /// (a no-op once the body is done). A panic of that drop continues here, after the
    /// coroutine is finished (see [`Unstarted`]).
    fn discard_unstarted(&mut self) {
        let unstarted = !self.inner.started();
        self.inner.force_unwind();
        if unstarted {
            Unstarted::<()>::raise_dropped();
        }
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
    #[doc(alias = "StopIteration")]
    pub fn take_return(&mut self) -> Option<R> {
        self.outcome.take()
    }

    /// How many generators are active in this generator's `yield from` chain (Python follows
    /// the chain with `gi_yieldfrom`): 0 when its body is not delegating, 1 while it waits in
    /// one `yield from`, 3 for `yield from a` where `a` waits in `yield from b`, which waits
    /// in `yield from c` (inline generator functions are calls, not delegations, and do not
    /// count).
    ///
    /// The chain is counted by the generator that drives it, the outermost one (the one the
    /// consumer holds): a generator adopted into another's chain reports 0 while it is
    /// there. A generator object resumed through the protocol (a state machine, an adaptor, a
    /// shared handle) counts as one level; a chain it drives itself is counted on it. A
    /// delegate left suspended in its own `yield from` when its driver stopped driving it (it
    /// ignored a close by delegating in turn, or the driver was dropped mid-delegation)
    /// counts its own chain, as CPython's `gi_yieldfrom` links still do; delegating to it again
    /// joins that chain to the new delegator's, counted whole. A panic deep in a chain shows only the outermost generator and the innermost
    /// delegate in its backtrace, because the outermost one resumes the innermost directly;
    /// this count tells how many levels are between them.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator};
    ///
    /// fn leaf() -> Gen<u8> {
    ///     Gen::new(|co, ()| co.yield_(1))
    /// }
    /// let mut g = Gen::new(|co, ()| {
    ///     co.yield_(0);
    ///     co.yield_from(Gen::new(|co, ()| co.yield_from(leaf())));
    /// });
    /// assert_eq!(g.next(), Some(0));
    /// assert_eq!(g.yield_from_depth(), 0);
    /// assert_eq!(g.next(), Some(1));
    /// assert_eq!(g.yield_from_depth(), 2);
    /// assert_eq!(g.next(), None);
    /// assert_eq!(g.yield_from_depth(), 0);
    /// ```
    #[doc(alias = "gi_yieldfrom", alias = "yield from")]
    pub fn yield_from_depth(&self) -> usize {
        self.slot().yield_from_depth()
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
        let info = info_of(self.slot.0.as_ptr());
        // SAFETY: the `StackInfo` is in this generator's reserved bytes, which begin at its
        // slot (see the picture in `stack.rs`); written once, by `SlotStack::new`, and the
        // stack lives as long as `self`.
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
        // `Drive::IgnoredExit`), and so does a destructor that yields while the body unwinds
        // (see `Co::ignore`).
        let mut ignored: Option<Y> = None;
        match Self::stepped(self.transmit_closing(Input::Close, &mut ignored)) {
            Step::Yielded(y) => Err(CloseError::IgnoredExit(y)),
            Step::Complete(r) => Ok(Some(r)),
            Step::Raised(Thrown::Error(e)) => Err(CloseError::Raised(e)),
            // The body let the exit (or the `RuntimeError` its `yield from` raised) through;
            // if a delegate had ignored the exit, say so (CPython's `RuntimeError: generator
            // ignored GeneratorExit`, from the outermost `close`).
            Step::Raised(Thrown::Exit | Thrown::Runtime(RuntimeError::IgnoredExit))
            | Step::Exhausted
                if ignored.is_some() =>
            {
                Err(CloseError::IgnoredExit(ignored.expect("checked by the guard")))
            }
            Step::Raised(Thrown::Exit) | Step::Exhausted => Ok(None),
            Step::Raised(Thrown::Runtime(r)) => Err(CloseError::Runtime(r)),
        }
    }

    /// Adopted by a state-machine driver: the body sees the driver's adoption for this resume,
    /// so a `yield from` it starts is handed up to that driver (see "Mixed chains" in
    /// `machine/delegate.rs`).
    #[cfg(feature = "nightly")]
    #[inline]
    fn __resume_adopted(
        &mut self,
        arg: S,
        up: &mut Adoption<S, Y>,
        _: AdoptToken,
    ) -> Step<Y, R, E> {
        if self.inner.done() {
            return Step::Exhausted;
        }
        // No bytes: the adoption travels in the slot, not in the state machines'
        // thread-local context, so no body finds it by the address of a local.
        let context = up.publish((0, 0));
        Self::stepped(self.transmit_published(Input::Send(arg), context))
    }

    /// As `__resume_adopted`, for a `yield_from_throwing!` driver: a sent value or a thrown
    /// error reaches the body with the adoption published; an exit closes it.
    #[cfg(feature = "nightly")]
    fn __forward_adopted(
        &mut self,
        input: Result<S, Thrown<E>>,
        up: &mut Adoption<Result<S, Thrown<E>>, Y>,
        _: AdoptToken,
    ) -> (Step<Y, R, E>, bool) {
        match input {
            Ok(sent) if !self.inner.done() => {
                let context = up.publish((0, 0));
                (Self::stepped(self.transmit_published(Input::Send(sent), context)), false)
            }
            Err(Thrown::Error(err)) if !self.inner.done() && self.inner.started() => {
                let context = up.publish((0, 0));
                (Self::stepped(self.transmit_published(Input::Throw(err), context)), false)
            }
            input => forward_closing(self, input),
        }
    }

    fn throw_exit(&mut self) -> Step<Y, R, E> {
        if !self.inner.done() && self.inner.started() {
            // As `close`, but the body's answer is reported as `throw` reports it: a value it
            // yields comes back, and an exit a delegate ignored stays the delegator's
            // `RuntimeError` (no `IgnoredOut` published).
            return self.step(Input::Close);
        }
        self.discard_unstarted();
        Step::Raised(Thrown::Exit)
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

/// A generator that cannot be thrown into (`E = Infallible`) and takes no sent values is an
/// iterator over its yielded values; its return value is kept for [`Gen::take_return`].
///
/// Only those: a generator that can raise errors is iterated with
/// [`Generator::try_iter`], whose `Result` items carry the error, so that an error cannot turn
/// into a silently shorter `collect()` (Python's `list(g)` raises it).
///
/// # Panics
///
/// `next` panics if [`Thrown::Exit`] or a [`Thrown::Runtime`] error leaves the body (a body
/// that raises the exit itself, or a `yield from` that fails): an iterator cannot report it,
/// and ending early would lose it. Use [`Generator::try_iter`] where that can happen.
impl<Y, R> Iterator for Gen<Y, R, (), Infallible> {
    type Item = Y;

    #[inline]
    fn next(&mut self) -> Option<Y> {
        match self.resume(()) {
            Step::Complete(r) => {
                self.outcome = Some(r);
                None
            }
            step => step.into_next(),
        }
    }
}

impl<Y, R> FusedIterator for Gen<Y, R, (), Infallible> {}

impl<Y, R, S, E> fmt::Debug for Gen<Y, R, S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gen")
            .field("state", &self.state())
            .field("stack_size", &self.info().size)
            .field("pooled", &self.info().pooled)
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// The panic of the last [`Unstarted`] drop on this thread, until `Gen` raises it.
    static DISCARD_PANIC: Cell<Option<Box<dyn Any + Send>>> = const { Cell::new(None) };
}

/// A body closure until its body starts (it is then taken out). Its drop catches a panic of
/// the closure's drop (a capture's destructor) and keeps it for `Gen`, which raises it once the
/// coroutine is finished: corosensei drops the closure of a created coroutine that is closed
/// or dropped, and marks it finished only after that drop returns, so a panic leaving the drop
/// left a "created" coroutine whose closure was already dropped (the next resume ran it, and
/// the next close or drop dropped it again: a double free).
struct Unstarted<F>(Option<F>);

impl<F> Drop for Unstarted<F> {
    fn drop(&mut self) {
        let Some(body) = self.0.take() else { return };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(body))) {
            // Gone only while the thread's thread-locals are destroyed: the panic is dropped.
            let _ = DISCARD_PANIC.try_with(|kept| kept.set(Some(payload)));
        }
    }
}

impl Unstarted<()> {
    /// Raises the panic of the closure dropped last on this thread, if it panicked; called
    /// right after corosensei dropped a closure (its `force_unwind` of a created coroutine).
    fn raise_dropped() {
        if let Some(payload) = DISCARD_PANIC.try_with(Cell::take).ok().flatten() {
            resume_unwind(payload);
        }
    }
}

impl<Y, R, S, E> Drop for Gen<Y, R, S, E> {
    fn drop(&mut self) {
        // Everything in place, then the coroutine drops (finished by then, so its own drop
        // does nothing) with its `SlotStack`, which goes back to the pool; the guard drops it
        // also if finishing panics, while the panic unwinds.
        let dropping = Dropping { owner: self };
        if dropping.owner.inner.done() || !dropping.owner.inner.started() {
            return;
        }
        if !std::thread::panicking() {
            dropping.owner.finish();
            return;
        }
        close_while_panicking(|| dropping.owner.finish());
    }
}

/// Runs `close`, body code that a drop runs while a panic unwinds (as far as std tells): a
/// panic of that code (or of a value it yields) leaving the drop would abort the process.
/// Like CPython's finalizer ("Exception ignored"), it is reported on stderr and dropped.
/// (`Gen`'s drop, and a state-machine driver's drop of a stackful level's loan,
/// `machine::delegate::mixed::Lent`.)
pub(crate) fn close_while_panicking(close: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(close)) {
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(not a string)");
        // Not `eprintln!`, which panics if stderr is closed.
        let _ = writeln!(
            std::io::stderr(),
            "stasis: a generator's body panicked while it was dropped during a panic (a \
             panic cannot leave a drop then): {message}"
        );
    }
}

/// Drops a [`Gen`](crate::Gen)'s coroutine at the end of its drop (also when it unwinds), unless its body
/// is still suspended (`Gen::finish` had to leave it so). Then the coroutine is not dropped:
/// its drop would unwind the body once more, with corosensei's `force_unwind`, which aborts if
/// the body waits in a destructor and loops for ever if it swallows the unwinding. Its stack,
/// with everything its frames own, is leaked. That is sound as `mem::forget` of a `Box` is: the stack's memory is never reused
/// (neither returned to the pool nor unmapped), so nothing on it, pinned values included, is
/// invalidated without being dropped; and nothing outside that stack refers into it any more
/// (a `Gen` being dropped is not adopted, and the entries of a delegation it drove lived in
/// frames already unwound, or on stacks its own frames own, leaked with it).
struct Dropping<'a, Y, R, S, E> {
    owner: &'a mut Gen<Y, R, S, E>,
}

impl<Y, R, S, E> Drop for Dropping<'_, Y, R, S, E> {
    fn drop(&mut self) {
        let inner = &mut self.owner.inner;
        if inner.started() && !inner.done() {
            return;
        }
        let unstarted = !inner.started();
        // Drops an unstarted body's closure; a no-op once the body is done.
        inner.force_unwind();
        // SAFETY: this runs once, at the end of `Gen`'s drop (this guard is made only there);
        // nothing uses `inner` afterwards (the other fields do not refer to it; the slot
        // pointer is into the stack's reserved bytes, not into `inner`, and is not used
        // again). Only the guard's `&mut Gen` reaches `inner`: no other pointer to it exists
        // to be invalidated (Stacked Borrows) or to make a foreign access (Tree Borrows).
        unsafe { ManuallyDrop::drop(&mut self.owner.inner.0) };
        if unstarted {
            // The closure's drop panicked: the stack is back in the pool, the panic goes on.
            Unstarted::<()>::raise_dropped();
        }
    }
}

impl<Y, R, S, E> Gen<Y, R, S, E> {
    /// Finishes a suspended body being dropped (Python's finalizer), so that its destructors
    /// run, or leaves it suspended for good (the `Dropping` guard then leaks its stack). Each
    /// value the body yields on the way is dropped here, exactly once, after the body is
    /// finished or left: a panic of such a drop cannot leave the body half finished.
    ///
    /// 1. `close()`: `try_yield` sees [`Thrown::Exit`](crate::Thrown::Exit), destructors run (a body driving delegates
    ///    closes them first, innermost first). Not while the thread's thread-locals are
    ///    destroyed: the body may hold a borrow of one already gone, so only its destructors
    ///    run (see "Thread exit" in the `Gen` docs).
    /// 2. If the body ignored the exit and yielded, it is unwound by force where it waits, once:
    ///    only destructors run (what dropping a raw corosensei coroutine does; CPython's
    ///    finalizer closes once and then clears the frame, running no more of the body).
    ///
    /// It is left suspended when the body swallowed that unwinding as well (a catch-all
    /// `catch_unwind`) and yielded again: unwinding it again could go on for ever (before, it
    /// did, for a body that catches and yields in a loop); or when it is suspended in a
    /// destructor mid-unwind (see [`Slot::suspended_in_unwind`]): without a value to send it,
    /// nothing can end that destructor without aborting. Either way a message on stderr says
    /// so, as CPython's "Exception ignored" does.
    fn finish(&mut self) {
        // SAFETY: as in `Gen::slot`; the slot is not part of `self.inner`'s borrow (it is in
        // the stack's reserved bytes, which the coroutine never touches).
        let slot = unsafe { self.slot_ptr().as_ref() };
        let stuck = |slot: &Slot<Y, S, E>| slot.suspended_in_unwind.get();
        // Each value is dropped at the end, as the consumer would have.
        let mut closed = None;
        if !stuck(slot)
            && !exit::destroying_thread_locals()
            && let CoroutineResult::Yield(value) = self.transmit(Input::Close)
        {
            // SAFETY: nothing adopts a generator being dropped, so the body yielded a value
            // (see `Out`).
            closed = Some(unsafe { value.assume_init() });
        }
        let mut unwound = None;
        if !self.inner.done()
            && !stuck(slot)
            && let CoroutineResult::Yield(value) = slot.transmit_unwind(&mut self.inner)
        {
            // SAFETY: as above.
            unwound = Some(unsafe { value.assume_init() });
        }
        if !self.inner.done() {
            // Like CPython's "Exception ignored": a drop cannot report an error. Not
            // `eprintln!`, which panics if stderr is closed.
            let _ = if stuck(slot) {
                writeln!(
                    std::io::stderr(),
                    "stasis: a generator was dropped while suspended in a destructor that \
                     yielded while its body unwound (Python's `finally: yield`, here a `yield_` \
                     with a send type other than `()`): its stack is leaked without running the \
                     rest of its destructors, and this thread stays panicking \
                     (`std::thread::panicking()`) as that unwinding cannot finish; in \
                     destructors, yield with `try_yield`"
                )
            } else {
                writeln!(
                    std::io::stderr(),
                    "stasis: a generator was dropped whose body swallowed its unwinding (a \
                     catch-all `catch_unwind`) and yielded again: its stack is leaked without \
                     running the rest of its destructors (CPython: \"generator ignored \
                     GeneratorExit\", and its frame is cleared)"
                )
            };
        }
        drop(closed);
        drop(unwound);
    }
}
