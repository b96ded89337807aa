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
//!   [`Co::try_yield`](crate::Co::try_yield) hands them to the body as `Err(Thrown::..)`; [`Co::yield_`](crate::Co::yield_) re-raises them
//!   at once with [`Co::raise`](crate::Co::raise).
//! - [`Co::raise`](crate::Co::raise) stores the [`Thrown`](crate::Thrown) in the `Co` (which lives on the generator stack) and
//!   unwinds the generator stack with a private payload ([`RaiseToken`]). The base closure catches
//!   that payload only, and returns `Err(thrown)` as the coroutine's result: Python's exception
//!   propagation, with every destructor (our `finally`) running on the way. Any other payload
//!   (a real panic, corosensei's forced unwind) is passed on untouched, so panics reach the
//!   caller of `resume` as corosensei promises.
//! - The generator's [`State`](crate::State) is derived from the coroutine itself (`started()` / `done()`), so
//!   there is no state field to keep in sync, even when the body panics.
//! - Dropping a suspended generator first runs the `close()` protocol (Python's finalizer); if
//!   the body ignores the exit and yields again, `Gen::finish` unwinds it once more, by force:
//!   it resumes the body with a private payload ([`UnwindToken`]) raised where it waits, and
//!   drops anything a body that swallowed it yields. (corosensei's own `force_unwind`
//!   discarded such a value without dropping it.) Every destructor on the generator stack
//!   runs, then the stack goes back to the per-thread pool (see [`crate::pool`]). A body that
//!   swallows that forced unwinding too and yields again is not resumed any more (it could
//!   loop for ever): its stack is leaked, with a message on stderr (CPython's finalizer
//!   likewise closes once, then clears the frame without running it).
//! - A yield from a destructor while stasis unwinds the stack (the slot's `unwinding` is set
//!   and the thread is panicking) does not suspend where it can help it: std's panic count is
//!   per thread, so the consumer would run "panicking" until the body resumed, and a second
//!   exit raised into that destructor would abort. [`Co::try_yield`](crate::Co::try_yield) returns `Err(Thrown::Exit)` there,
//!   [`Co::yield_`](crate::Co::yield_) returns at once with a send type of `()`, and the value goes to `close()`'s
//!   `IgnoredExit` (see `Co::ignore`) when the unwinding is the exit of a `close()`, or is
//!   dropped for a forced unwind. When it raises an error (the slot's `unwinding` is
//!   `Raising`: [`Co::raise`](crate::Co::raise) of anything but the exit of a `close()`), the
//!   value waits in the `Co` and goes out once the error reached the base, as for a panic of
//!   the body itself (below): CPython's `finally: yield` while an exception propagates. `yield_` with another send type has nothing to return,
//!   so it suspends, marked in the slot (`suspended_in_unwind`): `Slot::transmit` then refuses
//!   a throw or a close (`RuntimeError::SuspendedInDestructor`), only a sent value resumes the
//!   body, and a drop leaves the stack as it is (leaked, with a message on stderr). An
//!   unwinding stasis starts while the thread already panics (a generator dropped during the
//!   consumer's panic) carries a [`Tracked`](slot::Tracked) payload instead, since `panicking()` cannot tell
//!   then: a body that catches it and drops it marks itself caught, and yields as usual.
//! - The same for a yield from a destructor during a panic of the body itself: the thread is
//!   panicking at the yield but was not when the body was resumed (`Slot::own_panic`; a resume
//!   while it panics sets `Unwinding::Resumed`, only then, so a plain round trip stores
//!   nothing, and `yield_`'s fast path adds one load of std's global panic count). The value
//!   waits in the `Co` (`Co::defer`) and goes out when the body caught that panic (at its next
//!   yield) or when the panic reached the base closure, which yields it from there, on a calm
//!   thread, before it goes on with the panic (`Co::hand_out_deferred`). While a body on the
//!   thread is stuck mid-unwind (counted in the slot module's `STUCK`), `panicking()` cannot
//!   tell, and yields suspend as they did before.
//! - A panic that leaves a destructor stasis runs for a close or a drop never leaves the
//!   coroutine half dropped: the closure of a created body is wrapped (`Unstarted`) so that
//!   the panic of its drop is raised only once corosensei marked the coroutine finished, and
//!   `Gen::finish` drops the values it is handed only once the body is finished or left.
//!
//! # Delegation (`yield from`)
//!
//! [`Co::delegate`](crate::Co::delegate) keeps the cost of an item the same at any depth of nested delegation: the
//! outermost generator whose body delegates drives the innermost delegate directly. How, and
//! why its raw pointers are sound, is written in one place: the `delegate` module.
//!
//! # Files
//!
//! One concern per file; each opens with what it owns and what it may not touch.
//!
//! - `slot.rs`: the wire ([`Input`], [`Wire`], [`Out`]) and the per-generator [`Slot`].
//! - `stack.rs`: the generator stack and its reserved top bytes ([`SlotStack`], [`StackInfo`]),
//!   with their layout.
//! - `delegate.rs`: delegation entries, the driver and the pointer discipline.
//! - `co.rs`: the yield handle [`Co`](crate::Co), its yields and [`Co::raise`](crate::Co::raise).
//! - `generator.rs`: the generator object [`Gen`](crate::Gen) and its protocol, `Iterator` and `Drop`.
//! - `builder.rs`: [`GenBuilder`](crate::GenBuilder).
//! - `exit.rs`: telling whether the thread's thread-locals are being destroyed (for
//!   `Gen::drop`).
//! - `yield_from.rs`: the `yield from` methods a body calls
//!   ([`Co::yield_from`](crate::Co::yield_from) and friends), built on
//!   [`Co::delegate`](crate::Co::delegate).
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

mod builder;
mod co;
mod delegate;
mod exit;
mod generator;
mod slot;
mod stack;
mod yield_from;

#[cfg(doc)]
use crate::protocol::{State, Thrown};
#[cfg(doc)]
use co::RaiseToken;
#[cfg(doc)]
use slot::{Input, Out, Slot, UnwindToken, Wire};
#[cfg(doc)]
use stack::{SlotStack, StackInfo};

pub use builder::GenBuilder;
pub use co::Co;
#[cfg(feature = "nightly")]
pub(crate) use exit::destroying_thread_locals;
#[cfg(feature = "nightly")]
pub(crate) use generator::close_while_panicking;
pub use generator::{Gen, ThreadBound};
pub(crate) use stack::RESERVED_MAX;
