// The yield handle belongs to the thread running the generator.
use stasis::{Co, Gen};

fn main() {
    let _g: Gen<i32> = Gen::new(|co: &Co<i32>, ()| {
        std::thread::scope(|s| {
            s.spawn(|| co.yield_(1));
        });
    });
}
