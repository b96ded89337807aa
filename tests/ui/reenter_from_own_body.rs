// Python raises `ValueError("generator already executing")` when a generator resumes itself
// from its own body. In Rust the body cannot name its own generator: a body is a value inside
// the generator, so capturing the generator by value would make it contain itself, and the
// compiler rejects the capture of a binding that is not initialized yet (E0381) -- the error
// this case pins. (Capturing it by reference is ruled out by the body's `'static` bound, shown
// by `co_escapes_body`.) The one way left is shared ownership (`Rc<RefCell<..>>`,
// `stasis::delegate::Shared`): there re-entry is a runtime error the body can catch,
// `RuntimeError::AlreadyExecuting` (tests/it/conformance_runtime.rs).
use stasis::Gen;

fn main() {
    let mut g: Gen<i32>;
    g = Gen::new(move |co, ()| {
        co.yield_(1);
        g.next();
    });
    let _ = g;
}
