// Nor can the body return it.
use stasis::Gen;

fn main() {
    let mut g = Gen::new(|co, ()| {
        co.yield_(1);
        co
    });
    g.next();
}
