// A stackful generator cannot move to another thread: its suspended stack may hold `Rc`s and
// references to thread-locals of the thread that created it.
use stasis::Gen;

fn main() {
    let mut g = Gen::new(|co, ()| co.yield_(1));
    g.next();
    std::thread::spawn(move || g.next());
}
