// A stackful generator cannot be shared between threads either.
use stasis::Gen;

fn is_sync<T: Sync>(_: &T) {}

fn main() {
    let g: Gen<i32> = Gen::new(|co, ()| co.yield_(1));
    is_sync(&g);
}
