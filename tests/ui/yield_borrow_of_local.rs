// A stackful body cannot yield a borrow of its own locals: the borrow would outlive the frame
// once the consumer holds it past the next resume (which may finish or unwind the body).
use stasis::Gen;

fn main() {
    let mut g = Gen::new(|co, ()| {
        let local = String::from("frame data");
        co.yield_(local.as_str());
    });
    let first: &str = g.next().unwrap();
    g.next();
    println!("{first}");
}
