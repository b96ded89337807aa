//! A stackful driver hosting state-machine delegations: the generator objects it resumes
//! through the protocol (an [`ObjEntry`]: a state machine, or a `Gen` behind a
//! `dyn Generator`) see an adoption of its own for each step, so a `yield from` that starts
//! in them is handed up to it, as a state-machine driver would take it, and joins its stack
//! of entries as a [`Hosted`] entry. So one stack serves a chain whatever the backend of each
//! level (see "Mixed chains" in `machine/delegate.rs`).
//!
//! Owns: [`Host`] (the adoption an [`ObjEntry`] publishes), [`Hosted`], [`Wakes`]. May not
//! touch: the driver's stack itself (`Driving::host` owns the boxes), the entries' pointers.

use core::convert::Infallible;
use core::marker::PhantomData;
use std::any::{Any, TypeId};

#[cfg(doc)]
use super::ObjEntry;
use super::{Cmd, Drive, Driving, Entry, Host};
use crate::machine::delegate::{Adoption, Entry as Machine, Progress, ok_default};
use crate::protocol::{AdoptToken, Generator, Step, Thrown};

/// What a hosted delegator is resumed with when its delegate is done (Python's `None`), in
/// both forms; `None` where the send type has no such value (a `Co::delegate` whose `S` is
/// neither `()` nor known to be `Default`): nothing is hosted then.
pub(in crate::stackful) struct Wakes<S, E> {
    send: fn() -> S,
    throw: fn() -> Result<S, Thrown<E>>,
}

impl<S: 'static, E> Wakes<S, E> {
    /// `S::default()` (what `Co::yield_from` starts its delegate with).
    pub(in crate::stackful) fn default() -> Option<Self>
    where
        S: Default,
    {
        Some(Wakes { send: S::default, throw: ok_default::<S, E> })
    }

    /// `()`, when `S` is `()`.
    pub(in crate::stackful) fn unit() -> Option<Self> {
        super::super::co::unit_send::<S>()?;
        Some(Wakes { send: unit::<S>, throw: ok_unit::<S, E> })
    }
}

fn unit<S: 'static>() -> S {
    super::super::co::unit_send::<S>().expect("`Wakes::unit` checked that `S` is `()`")
}

fn ok_unit<S: 'static, E>() -> Result<S, Thrown<E>> {
    Ok(unit())
}

/// The adoption an [`ObjEntry`] publishes to its sub-generator at each step, in the shape
/// `F` gives it: `yield_from!`'s ([`SendForm`]) when the driver cannot be thrown into (`E`
/// is `Infallible`, as for every plain state machine), else `yield_from_throwing!`'s
/// ([`ThrowForm`], PEP 380's `Result`).
pub(super) struct Adopting<F: Form<S, E>, Y, S, E>(Adoption<F::In, Y>, PhantomData<fn(S, E)>);

impl<F: Form<S, E>, Y: 'static, S: 'static, E: 'static> Adopting<F, Y, S, E> {
    pub(super) fn new(wakes: Wakes<S, E>) -> Self {
        Adopting(Adoption::new(F::wake(wakes)), PhantomData)
    }
}

/// Whether a driver of this error type hosts `yield_from!` entries ([`SendForm`]).
pub(super) fn sends_only<E: 'static>() -> bool {
    TypeId::of::<E>() == TypeId::of::<Infallible>()
}

impl<F: Form<S, E>, Y: 'static, S: 'static, E: 'static> Host<Y, S, E> for Adopting<F, Y, S, E> {
    #[inline(always)]
    fn resume<G>(&mut self, sub: &mut G, sent: S) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        F::step(sub, F::sent(sent), &mut self.0)
    }

    fn throw<G>(&mut self, sub: &mut G, err: E) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        F::throw(sub, err, &mut self.0)
    }

    fn wake<G>(&mut self, sub: &mut G, closing: bool) -> Option<Step<Y, G::Return, E>>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        // While the chain closes, a `yield_from!` level cannot take the exit at its `yield
        // from` (its generator is closed by dropping it): closed, not woken. A
        // `yield_from_throwing!` level reads the exit (or the error) from its cell, as in its
        // own cascade.
        (!closing || F::WAKES_TO_CLOSE).then(|| F::step(sub, self.0.wake_input(), &mut self.0))
    }

    #[inline(always)]
    fn handed(&self) -> bool {
        self.0.has_incoming()
    }

    fn drop_handed(&mut self) {
        self.0.drop_incoming();
    }

    fn adopt(&mut self, driving: &mut Driving<'_, Y, S, E>) {
        host_all::<F, Y, S, E>(&mut self.0, driving);
    }
}

fn host_all<F: Form<S, E>, Y: 'static, S: 'static, E: 'static>(
    up: &mut Adoption<F::In, Y>,
    driving: &mut Driving<'_, Y, S, E>,
) {
    for entry in up.take_incoming() {
        let up = Adoption::new(up.wake_fn());
        driving.host(Box::new(Hosted::<F, Y, S, E> { entry, up, _io: PhantomData }));
    }
}

/// The two shapes of an adoption a stackful driver publishes (see [`Adopting`]).
pub(super) trait Form<S, E>: 'static {
    type In: 'static;
    /// A woken delegator reads an exit from its cell (see [`Host::wake`]).
    const WAKES_TO_CLOSE: bool;
    fn sent(sent: S) -> Self::In;
    fn thrown(err: E) -> Self::In;
    fn wake(wakes: Wakes<S, E>) -> fn() -> Self::In;
    /// Resumes `sub` with `input`, the adoption `up` published.
    fn step<G, Y>(
        sub: &mut G,
        input: Self::In,
        up: &mut Adoption<Self::In, Y>,
    ) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>;
    /// Throws `err` into `sub`, the adoption published if the form carries errors.
    fn throw<G, Y>(sub: &mut G, err: E, up: &mut Adoption<Self::In, Y>) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>;
}

/// `yield_from!`'s adoption: the sent value as it is.
pub(super) struct SendForm;
/// `yield_from_throwing!`'s adoption: PEP 380's `Result`.
pub(super) struct ThrowForm;

impl<S: 'static, E> Form<S, E> for SendForm {
    type In = S;
    const WAKES_TO_CLOSE: bool = false;
    #[inline(always)]
    fn sent(sent: S) -> S {
        sent
    }
    fn thrown(_: E) -> S {
        unreachable!("a driver hosts `yield_from!` entries only when `E` is `Infallible`")
    }
    fn wake(wakes: Wakes<S, E>) -> fn() -> S {
        wakes.send
    }
    #[inline(always)]
    fn step<G, Y>(sub: &mut G, input: S, up: &mut Adoption<S, Y>) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        sub.__resume_adopted(input, up, AdoptToken(()))
    }
    fn throw<G, Y>(sub: &mut G, err: E, _: &mut Adoption<S, Y>) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        sub.throw(err)
    }
}

impl<S: 'static, E: 'static> Form<S, E> for ThrowForm {
    type In = Result<S, Thrown<E>>;
    const WAKES_TO_CLOSE: bool = true;
    #[inline(always)]
    fn sent(sent: S) -> Self::In {
        Ok(sent)
    }
    fn thrown(err: E) -> Self::In {
        Err(Thrown::Error(err))
    }
    fn wake(wakes: Wakes<S, E>) -> fn() -> Self::In {
        wakes.throw
    }
    #[inline(always)]
    fn step<G, Y>(
        sub: &mut G,
        input: Self::In,
        up: &mut Adoption<Self::In, Y>,
    ) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        sub.__forward_adopted(input, up, AdoptToken(())).0
    }
    fn throw<G, Y>(sub: &mut G, err: E, up: &mut Adoption<Self::In, Y>) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        sub.__forward_adopted(Err(Thrown::Error(err)), up, AdoptToken(())).0
    }
}

/// A state-machine entry on a stackful driver's stack, with the adoption its steps publish
/// (what they hand up joins the stack above it).
pub(super) struct Hosted<F: Form<S, E>, Y, S, E> {
    entry: Box<dyn Machine<F::In, Y>>,
    up: Adoption<F::In, Y>,
    _io: PhantomData<fn(S, E)>,
}

impl<F: Form<S, E>, Y: 'static, S: 'static, E: 'static> Entry<Y, S, E> for Hosted<F, Y, S, E> {
    #[inline(always)]
    fn drive(&mut self, cmd: Cmd<S, E>) -> Drive<Y, S, E> {
        let progress = match cmd {
            Cmd::Send(sent) => self.entry.step(F::sent(sent), &mut self.up),
            Cmd::Throw(err) => self.entry.step(F::thrown(err), &mut self.up),
            Cmd::Resume { closing: false } => self.entry.wake(&mut self.up),
            Cmd::Resume { closing: true } if F::WAKES_TO_CLOSE => self.entry.wake(&mut self.up),
            Cmd::Close | Cmd::Resume { .. } => self.entry.close(),
            Cmd::Start => unreachable!("a hosted entry starts when it is handed up"),
        };
        match progress {
            Progress::Yielded(y) if self.up.has_incoming() => Drive::Adopted(y),
            Progress::Yielded(y) => Drive::Yielded(y),
            Progress::IgnoredExit(y) => {
                self.up.drop_incoming();
                Drive::IgnoredExit(y)
            }
            Progress::Finished => {
                self.up.drop_incoming();
                Drive::Finished
            }
        }
    }

    fn set_panic(&mut self, payload: Box<dyn Any + Send>) {
        // The driver drops hosted entries before it hands a panic on (their delegators
        // read cells, which carry no panic): the hosting `ObjEntry` takes it.
        drop(payload);
        unreachable!("stasis bug: a panic handed to a hosted entry");
    }

    fn ignored_exit(&mut self) {
        // Its delegator reads `RuntimeError::IgnoredExit` from the cell.
        self.entry.abandon();
    }

    fn adopt(&mut self, driving: &mut Driving<'_, Y, S, E>) {
        host_all::<F, Y, S, E>(&mut self.up, driving);
    }
}
