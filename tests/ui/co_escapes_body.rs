// The yield handle `&Co` cannot escape its body: it points into the generator's stack, which
// is reused once the generator is gone.
use std::cell::RefCell;
use std::rc::Rc;

use stasis::{Co, Gen};

fn main() {
    let stash: Rc<RefCell<Option<&Co<i32>>>> = Rc::new(RefCell::new(None));
    let s = stash.clone();
    let mut g = Gen::new(move |co, ()| {
        *s.borrow_mut() = Some(co);
        co.yield_(1)
    });
    g.next();
    drop(g);
    stash.borrow().unwrap().yield_(2);
}
