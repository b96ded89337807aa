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

use super::{Cmd, Drive, Driving, Entry};
#[cfg(doc)]
use super::ObjEntry;
use crate::machine::delegate::{Adoption, Entry as Machine, Progress, ok_default};
use crate::protocol::{Generator, Step, Thrown};

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

/// The adoption an [`ObjEntry`] publishes when it resumes its sub-generator: `yield_from!`'s
/// (`Send`, the sent value as it is) when the driver cannot be thrown into (`E` is
/// `Infallible`, as for every plain state machine), else `yield_from_throwing!`'s (`Throw`,
/// PEP 380's `Result`). `Off`: no wake value (see [`Wakes`]).
pub(super) enum Host<Y, S, E> {
    Off,
    Send(Adoption<S, Y>),
    Throw(Adoption<Result<S, Thrown<E>>, Y>),
}

impl<Y: 'static, S: 'static, E: 'static> Host<Y, S, E> {
    pub(super) fn new(wakes: Option<Wakes<S, E>>) -> Self {
        match wakes {
            None => Host::Off,
            Some(w) if TypeId::of::<E>() == TypeId::of::<Infallible>() => {
                Host::Send(Adoption::new(w.send))
            }
            Some(w) => Host::Throw(Adoption::new(w.throw)),
        }
    }
}

impl<Y, S, E> Host<Y, S, E> {
    /// `sub.resume(sent)`, with the adoption published; the flag: `sub` yielded instead of
    /// closing (only an exit can make it so).
    #[inline(always)]
    pub(super) fn resume<G>(&mut self, sub: &mut G, sent: S) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        match self {
            Host::Off => sub.resume(sent),
            Host::Send(up) => sub.__resume_adopted(sent, up),
            Host::Throw(up) => sub.__forward_adopted(Ok(sent), up).0,
        }
    }

    /// `sub.throw(err)`, with the adoption published.
    pub(super) fn throw<G>(&mut self, sub: &mut G, err: E) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        match self {
            Host::Throw(up) => sub.__forward_adopted(Err(Thrown::Error(err)), up).0,
            Host::Off | Host::Send(_) => sub.throw(err),
        }
    }

    /// Resumes `sub`, waiting in a `yield from` whose delegate (hosted above it) is done,
    /// with the wake value; it reads the outcome from its cell.
    pub(super) fn wake<G>(&mut self, sub: &mut G) -> Step<Y, G::Return, E>
    where
        G: Generator<S, Yield = Y, Error = E>,
    {
        match self {
            Host::Off => unreachable!("only an entry that hosts delegates is woken"),
            Host::Send(up) => sub.__resume_adopted(up.wake_input(), up),
            Host::Throw(up) => sub.__forward_adopted(up.wake_input(), up).0,
        }
    }

    /// Whether a delegator woken while the chain closes reads the exit from its cell
    /// (`yield_from_throwing!`'s cascade); else it is closed (a `yield_from!` level cannot
    /// take an exit at its `yield from`: its generator is closed by dropping it).
    pub(super) fn wakes_to_close(&self) -> bool {
        matches!(self, Host::Throw(_))
    }

    /// `Drive::Yielded(y)`, or `Drive::Adopted(y)` when the step handed entries up.
    #[inline(always)]
    pub(super) fn yielded(&mut self, y: Y) -> Drive<Y, S, E> {
        let handed = match self {
            Host::Off => false,
            Host::Send(up) => up.has_incoming(),
            Host::Throw(up) => up.has_incoming(),
        };
        if handed { Drive::Adopted(y) } else { Drive::Yielded(y) }
    }

    /// Drops what the last step handed up (innermost first): its delegator finished or
    /// ignored an exit, so those delegates are abandoned.
    pub(super) fn drop_handed(&mut self) {
        match self {
            Host::Off => {}
            Host::Send(up) => up.drop_incoming(),
            Host::Throw(up) => up.drop_incoming(),
        }
    }
}

impl<Y: 'static, S: 'static, E: 'static> Host<Y, S, E> {
    /// Moves what the last step handed up onto the driver's stack, innermost last.
    pub(super) fn adopt(&mut self, driving: &mut Driving<'_, Y, S, E>) {
        match self {
            Host::Off => {}
            Host::Send(up) => host_all::<SendForm, Y, S, E>(up, driving),
            Host::Throw(up) => host_all::<ThrowForm, Y, S, E>(up, driving),
        }
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

/// The two shapes of a hosted entry's input (see [`Host`]).
pub(super) trait Form<S, E>: 'static {
    type In: 'static;
    /// A woken delegator reads an exit from its cell (see [`Host::wakes_to_close`]).
    const WAKES_TO_CLOSE: bool;
    fn sent(sent: S) -> Self::In;
    fn thrown(err: E) -> Self::In;
}

pub(super) struct SendForm;
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

    fn adopt(&mut self, driving: &mut Driving<'_, Y, S, E>) {
        host_all::<F, Y, S, E>(&mut self.up, driving);
    }
}
