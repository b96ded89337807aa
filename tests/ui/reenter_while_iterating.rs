// Resuming a generator while it is being resumed (here: by the `for` loop) is rejected too.
use stasis::Gen;

fn main() {
    let mut g = Gen::new(|co, ()| {
        co.yield_(1);
        co.yield_(2);
    });
    for x in &mut g {
        println!("{x:?} {:?}", g.next());
    }
}
