#![feature(coroutines, stmt_expr_attributes)]
// A state-machine body cannot yield a borrow of its own locals either.
use stasis::from_coroutine;

fn main() {
    let mut g = from_coroutine(#[coroutine] || {
        let local = String::from("frame data");
        yield local.as_str();
    });
    let first = g.next().unwrap();
    g.next();
    println!("{first}");
}
