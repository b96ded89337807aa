// `Generator::__resume_adopted` (and `__forward_adopted`) belong to stasis's delegation
// drivers: code outside stasis can neither call them nor override them. An override that
// forwarded them to a generator that can also be resumed some other way (a `Gen` the type
// shares) would let a driver resume a frame that has lent that generator out: aliasing, UB
// from safe code. Their last parameter is a token type that only stasis can name.
use std::convert::Infallible;

use stasis::__delegate::Adoption;
use stasis::{CloseError, Gen, Generator, State, Step};

struct Forward(Gen<u32>);

impl Generator for Forward {
    type Yield = u32;
    type Return = ();
    type Error = Infallible;

    fn resume(&mut self, arg: ()) -> Step<u32, (), Infallible> {
        self.0.resume(arg)
    }
    fn throw(&mut self, err: Infallible) -> Step<u32, (), Infallible> {
        match err {}
    }
    fn close(&mut self) -> Result<Option<()>, CloseError<u32, Infallible>> {
        self.0.close()
    }
    fn state(&self) -> State {
        self.0.state()
    }
    fn __resume_adopted(
        &mut self,
        arg: (),
        up: &mut Adoption<(), u32>,
    ) -> Step<u32, (), Infallible> {
        self.0.__resume_adopted(arg, up)
    }
}

/// Nor can the token be named to write the override the compiler asks for.
struct Forward2(Gen<u32>);

impl Generator for Forward2 {
    type Yield = u32;
    type Return = ();
    type Error = Infallible;

    fn resume(&mut self, arg: ()) -> Step<u32, (), Infallible> {
        self.0.resume(arg)
    }
    fn throw(&mut self, err: Infallible) -> Step<u32, (), Infallible> {
        match err {}
    }
    fn close(&mut self) -> Result<Option<()>, CloseError<u32, Infallible>> {
        self.0.close()
    }
    fn state(&self) -> State {
        self.0.state()
    }
    fn __resume_adopted(
        &mut self,
        arg: (),
        up: &mut Adoption<(), u32>,
        token: stasis_core::protocol::sealed::AdoptToken,
    ) -> Step<u32, (), Infallible> {
        self.0.__resume_adopted(arg, up, token)
    }
}

fn main() {}
