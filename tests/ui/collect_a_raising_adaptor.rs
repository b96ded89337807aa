// An adaptor over a generator that can raise errors is not an `Iterator`: `collect()` would end early on an
// error and lose it (Python's `list(g)` raises it). Iterate it with `try_iter()` instead.
use stasis::{Gen, GeneratorExt, Thrown};

fn main() {
    let g = Gen::<i32>::throwing::<String>(|co, ()| {
        co.yield_(1);
        co.raise(Thrown::Error("boom".to_string()))
    });
    let _: Vec<i32> = g.accumulate(|a, b| a + b).collect();
}
