// Nor a borrow of the consumer's data: the body must be 'static, because a suspended
// generator can be leaked with `mem::forget` while its frames still hold the borrow.
use stasis::Gen;

fn main() {
    let data = vec![1, 2, 3];
    let g = Gen::new(|co, ()| {
        for x in &data {
            co.yield_(x);
        }
    });
    std::mem::forget(g);
    drop(data);
}
