// A generator does nothing unless it is resumed: creating one and dropping it unused is
// `#[must_use]` (denied here, so that trybuild sees the lint).
#![deny(unused_must_use)]
use stasis::Gen;

fn main() {
    Gen::new(|co, ()| co.yield_(1));
}
