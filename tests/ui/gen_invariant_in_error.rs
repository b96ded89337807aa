// A stackful generator is invariant in its error type `E`: errors flow in (`throw`) and out
// (`Step::Raised`). Were it covariant, a `Gen<.., &'static str>` used as a `Gen<.., &'a str>`
// could be thrown a short-lived `&'a str` that its body keeps as `&'static str`.
use stasis::Gen;

fn shorten<'a>(g: Gen<(), (), (), &'static str>) -> Gen<(), (), (), &'a str> {
    g
}

fn main() {
    let _ = shorten;
}
