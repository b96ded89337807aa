// A stackful generator is contravariant in its send type `S`, not covariant: a body that
// keeps what it receives as `&'static str` must not be sent a short-lived `&'a str`.
use stasis::Gen;

fn widen<'a>(g: Gen<(), (), &'static str>) -> Gen<(), (), &'a str> {
    g
}

fn main() {
    let _ = widen;
}
