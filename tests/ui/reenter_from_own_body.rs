// Python raises `ValueError("generator already executing")` when a generator resumes itself
// from its own body. In Rust that needs a `&mut` to the generator inside its body while
// `resume` holds one: the borrow checker rules it out at compile time (the body must also be
// 'static, so it cannot capture the generator by reference at all).
use stasis::Gen;

fn main() {
    let mut g: Gen<i32>;
    g = Gen::new(|co, ()| {
        co.yield_(1);
        g.next();
    });
    g.next();
}
