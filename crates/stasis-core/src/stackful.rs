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
//! - `throw(e)` and `close()` resume the body with `Input::Throw(e)` / `Input::Close`.
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

use std::cell::Cell;
use std::convert::Infallible;
use std::fmt;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};

use crate::pool::{self, DEFAULT_STACK_SIZE, StackError};
use crate::protocol::{CloseError, Generator, State, Step, Thrown};

/// What the consumer sends into the generator stack at each resume.
enum Input<S, E> {
    Send(S),
    Throw(E),
    Close,
}

/// The unwinding payload of [`Co::raise`]; the thrown value itself waits in [`Co`].
struct RaiseToken;

type Inner<Y, R, S, E> = Coroutine<Input<S, E>, Y, Result<R, Thrown<E>>, DefaultStack>;

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
/// use stasis_core::{Co, Gen};
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
    yielder: *const Yielder<Input<S, E>, Y>,
    /// A value being raised by [`Co::raise`] while the stack unwinds to the base.
    pending: Cell<Option<Thrown<E>>>,
}

impl<Y, S, E> Co<Y, S, E> {
    #[inline(always)]
    fn suspend(&self, value: Y) -> Input<S, E> {
        // SAFETY: a `Co` is only ever created by `Gen::build_with` inside the coroutine's base
        // closure, from the `&Yielder` that closure received, and the body only gets a `&Co`
        // borrowed from that frame (the closure bound is higher-ranked, so the reference cannot
        // escape). The yielder outlives the base frame, hence every `&Co`.
        let yielder = unsafe { &*self.yielder };
        yielder.suspend(value)
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
    /// use stasis_core::{Gen, Generator, Step};
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
    pub fn yield_(&self, value: Y) -> S {
        match self.suspend(value) {
            Input::Send(sent) => sent,
            Input::Throw(err) => self.raise(Thrown::Error(err)),
            Input::Close => self.raise(Thrown::Exit),
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
    /// use stasis_core::{Gen, Generator, Step, Thrown};
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
        match self.suspend(value) {
            Input::Send(sent) => Ok(sent),
            Input::Throw(err) => Err(Thrown::Error(err)),
            Input::Close => Err(Thrown::Exit),
        }
    }

    /// Raises `thrown` out of the body (Python's `raise`): the generator stack unwinds, running
    /// destructors, and the consumer's current `resume`/`throw` returns [`Step::Raised`] (a
    /// `close()` in progress returns `Ok` for [`Thrown::Exit`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_core::{Gen, Generator, Step, Thrown};
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
    /// use stasis_core::{Gen, State};
    /// let mut g = Gen::new(|co, ()| co.yield_(co.state()));
    /// assert_eq!(g.next(), Some(State::Running));
    /// ```
    pub fn state(&self) -> State {
        State::Running
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
/// use stasis_core::{Gen, Generator, Step};
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
    inner: ManuallyDrop<Inner<Y, R, S, E>>,
    stack_size: usize,
    pooled: bool,
    /// The outcome seen by `Iterator::next` (which can only report `None`).
    outcome: Option<Result<R, Thrown<E>>>,
    /// `!Send` (a suspended stack may hold thread-locals and `Rc`s) and `!Sync` (kept out of
    /// the API so nothing can come to rely on sharing a generator across threads).
    _not_send_sync: PhantomData<*mut ()>,
}

/// Builds stackful generators with a chosen stack size.
///
/// # Examples
///
/// ```
/// use stasis_core::Gen;
///
/// let deep = Gen::builder()
///     .stack_size(8 << 20) // 8 MiB of address space; only touched pages become resident
///     .build(|co, ()| {
///         fn down(co: &stasis_core::Co<u32>, n: u32) {
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
    /// let g = stasis_core::GenBuilder::new().build(|co, ()| co.yield_(1)).unwrap();
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
    /// let g = stasis_core::Gen::builder().stack_size(64 * 1024).build(|co, ()| co.yield_(1));
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
    /// let g = stasis_core::Gen::builder().pooled(false).build(|co, ()| co.yield_(1));
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
    /// use stasis_core::{Gen, StackError};
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
    /// use stasis_core::{Gen, Generator, Step, Thrown};
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
    /// let g = stasis_core::Gen::builder().stack_size(1 << 20).build(|co, ()| co.yield_('x'));
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
    /// use stasis_core::Gen;
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
    /// let g = stasis_core::Gen::try_new(|co, ()| co.yield_(1)).unwrap();
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
    /// use stasis_core::{Gen, Generator, Step, Thrown};
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
        let inner =
            Coroutine::with_stack(stack, move |yielder: &Yielder<Input<S, E>, Y>, input| {
                let co = Co { yielder, pending: Cell::new(None) };
                let first = match input {
                    Input::Send(sent) => sent,
                    // `throw` and `close` never start a body: they close a created generator.
                    Input::Throw(_) | Input::Close => {
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
        Gen {
            inner: ManuallyDrop::new(inner),
            stack_size,
            pooled,
            outcome: None,
            _not_send_sync: PhantomData,
        }
    }
}

impl<Y, R, S, E> Gen<Y, R, S, E> {
    #[inline]
    fn step(&mut self, input: Input<S, E>) -> Step<Y, R, E> {
        match self.inner.resume(input) {
            CoroutineResult::Yield(y) => Step::Yielded(y),
            CoroutineResult::Return(Ok(r)) => Step::Complete(r),
            CoroutineResult::Return(Err(t)) => Step::Raised(t),
        }
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
    /// use stasis_core::Gen;
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
    /// use stasis_core::{Gen, Thrown};
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
    /// let g = stasis_core::Gen::new(|co, ()| co.yield_(1));
    /// assert_eq!(g.stack_size(), stasis_core::DEFAULT_STACK_SIZE);
    /// ```
    pub fn stack_size(&self) -> usize {
        self.stack_size
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
        match self.step(Input::Close) {
            Step::Yielded(y) => Err(CloseError::IgnoredExit(y)),
            Step::Complete(r) => Ok(Some(r)),
            Step::Raised(Thrown::Error(e)) => Err(CloseError::Raised(e)),
            Step::Raised(Thrown::Exit) | Step::Exhausted => Ok(None),
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
            .field("stack_size", &self.stack_size)
            .field("pooled", &self.pooled)
            .finish_non_exhaustive()
    }
}

impl<Y, R, S, E> Drop for Gen<Y, R, S, E> {
    fn drop(&mut self) {
        // SAFETY: `inner` is never used again: this is `drop`, and nothing below reads
        // `self.inner`. Taking it by value means a panic raised while closing still drops
        // (unmaps) it during unwinding.
        let mut inner = unsafe { ManuallyDrop::take(&mut self.inner) };
        if !inner.done() && inner.started() {
            // Python's finalizer: close() the body so `try_yield` sees `Thrown::Exit` and
            // destructors run. A body that ignores it and yields is unwound by force below.
            let _ = inner.resume(Input::Close);
        }
        // Unwinds a body still suspended, or drops an unstarted body's closure; no-op if done.
        inner.force_unwind();
        if self.pooled {
            pool::give(self.stack_size, inner.into_stack());
        }
    }
}
