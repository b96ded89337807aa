//! [`Tee`](crate::Tee): independent cursors over one generator, buffering only what the slowest has not
//! read.
//!
//! # Design
//!
//! ```text
//!   source ──pull──▶ buffer: VecDeque  [ base, base+1, ..., base+len-1 ]  ◀── frontier
//!                                          ▲ slowest open cursor   ▲ fastest cursor
//! ```
//!
//! The cursors share the source and one buffer behind an `Rc<RefCell<..>>`. A cursor at the
//! frontier pulls the source and appends the value; a cursor behind it reads (clones) from the
//! buffer. After every read the values every open cursor has passed are popped, so the buffer
//! holds exactly the values between the slowest and the fastest open cursor. A closed or
//! dropped cursor no longer holds values back.

use core::fmt;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::util::iterator_for;

struct Shared<G: Generator<()>> {
    source: G,
    buffer: VecDeque<G::Yield>,
    /// Index (in the source's sequence) of `buffer[0]`.
    base: usize,
    /// Position of each cursor (the index of the next value it reads); `None` once closed.
    cursors: Vec<Option<usize>>,
    /// How the source ended, reported once to every cursor.
    end: Option<Step<(), G::Return, G::Error>>,
}

impl<G: Generator<()>> Shared<G> {
    fn trim(&mut self) {
        match self.cursors.iter().flatten().min() {
            Some(&slowest) => {
                while self.base < slowest && self.buffer.pop_front().is_some() {
                    self.base += 1;
                }
            }
            None => {
                self.base += self.buffer.len();
                self.buffer.clear();
            }
        }
    }
}

/// One cursor of a tee: yields every value of the shared source from where it was created,
/// independently of the other cursors (Python's `itertools.tee`). Built by
/// [`GeneratorExt::tee`](crate::GeneratorExt::tee); `clone()` makes one more cursor at the
/// same position.
///
/// The shared buffer holds only the values the slowest open cursor has not read yet; closing or
/// dropping a cursor releases what it held back. Values are cloned for each cursor that reads
/// them from the buffer.
///
/// - **send**: none (`Generator<()>`: the cursors share one source).
/// - **return value**: the source's, cloned for each cursor.
/// - **throw**: raised in the shared source (every cursor sees what it yields next).
///   **close**: closes this cursor; closing the last open cursor closes the source.
///   **state**: this cursor's: `Closed` once it has reported the end or was closed.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let (mut a, mut b) = from_iter([1, 2, 3]).tee();
/// assert_eq!(a.next(), Some(1));
/// assert_eq!(a.next(), Some(2));
/// assert_eq!(a.buffered(), 2); // b has not read 1 and 2 yet
/// assert_eq!(b.next(), Some(1));
/// assert_eq!(a.buffered(), 1);
/// assert_eq!(b.collect::<Vec<_>>(), [2, 3]);
/// assert_eq!(a.collect::<Vec<_>>(), [3]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Tee<G: Generator<()>> {
    shared: Rc<RefCell<Shared<G>>>,
    id: usize,
    finished: bool,
}

pub(crate) fn tee<G: Generator<()>>(source: G) -> (Tee<G>, Tee<G>) {
    let shared = Rc::new(RefCell::new(Shared {
        source,
        buffer: VecDeque::new(),
        base: 0,
        cursors: vec![Some(0), Some(0)],
        end: None,
    }));
    (Tee { shared: shared.clone(), id: 0, finished: false }, Tee { shared, id: 1, finished: false })
}

impl<G: Generator<()>> Tee<G> {
    /// How many values the shared buffer holds (what the slowest open cursor has not read).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let (mut a, b) = from_iter(0..100).tee();
    /// assert_eq!(a.by_ref().take(10).count(), 10);
    /// assert_eq!(a.buffered(), 10);
    /// drop(b); // nobody needs them any more
    /// assert_eq!(a.next(), Some(10));
    /// assert_eq!(a.buffered(), 0);
    /// ```
    pub fn buffered(&self) -> usize {
        self.shared.borrow().buffer.len()
    }
}

impl<G> Tee<G>
where
    G: Generator<()>,
    G::Yield: Clone,
    G::Return: Clone,
    G::Error: Clone,
{
    /// The next value for this cursor from the buffer, or the source's end.
    fn read(&mut self, sh: &mut Shared<G>) -> Option<Step<G::Yield, G::Return, G::Error>> {
        let pos = sh.cursors[self.id].expect("an unfinished cursor is open");
        if pos < sh.base + sh.buffer.len() {
            let item = sh.buffer[pos - sh.base].clone();
            sh.cursors[self.id] = Some(pos + 1);
            sh.trim();
            return Some(Step::Yielded(item));
        }
        let end = sh.end.clone()?;
        self.finish(sh);
        Some(end.map_yield(|()| unreachable!("ends only")))
    }

    fn finish(&mut self, sh: &mut Shared<G>) {
        self.finished = true;
        sh.cursors[self.id] = None;
        sh.trim();
    }

    fn absorb(sh: &mut Shared<G>, step: Step<G::Yield, G::Return, G::Error>) {
        match step {
            Step::Yielded(y) => sh.buffer.push_back(y),
            Step::Complete(r) => sh.end = Some(Step::Complete(r)),
            Step::Raised(t) => sh.end = Some(Step::Raised(t)),
            Step::Exhausted => sh.end = Some(Step::Exhausted),
        }
    }
}

impl<G> Generator<()> for Tee<G>
where
    G: Generator<()>,
    G::Yield: Clone,
    G::Return: Clone,
    G::Error: Clone,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<G::Yield, G::Return, G::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        let shared = self.shared.clone();
        let mut sh = shared.borrow_mut();
        if let Some(step) = self.read(&mut sh) {
            return step;
        }
        let step = sh.source.resume(());
        Self::absorb(&mut sh, step);
        self.read(&mut sh).expect("the source just yielded or ended")
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        let shared = self.shared.clone();
        let mut sh = shared.borrow_mut();
        if self.finished || sh.end.is_some() {
            if !self.finished {
                self.finish(&mut sh);
            }
            return Step::Raised(Thrown::Error(err));
        }
        let step = sh.source.throw(err);
        Self::absorb(&mut sh, step);
        self.read(&mut sh).expect("the source just yielded or ended")
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        if self.finished {
            return Ok(None);
        }
        let shared = self.shared.clone();
        let mut sh = shared.borrow_mut();
        self.finish(&mut sh);
        if sh.cursors.iter().any(Option::is_some) || sh.end.is_some() {
            return Ok(None);
        }
        sh.source.close()
    }

    fn state(&self) -> State {
        if self.finished {
            return State::Closed;
        }
        let sh = self.shared.borrow();
        if sh.cursors[self.id] == Some(0) && sh.source.state() == State::Created {
            State::Created
        } else {
            State::Suspended
        }
    }
}

impl<G: Generator<()>> Clone for Tee<G> {
    /// A new cursor at this cursor's position.
    fn clone(&self) -> Self {
        let mut sh = self.shared.borrow_mut();
        let pos = sh.cursors.get(self.id).copied().flatten();
        let id = sh.cursors.len();
        sh.cursors.push(if self.finished { None } else { pos });
        Tee { shared: self.shared.clone(), id, finished: self.finished }
    }
}

impl<G: Generator<()>> Drop for Tee<G> {
    fn drop(&mut self) {
        if let Ok(mut sh) = self.shared.try_borrow_mut() {
            sh.cursors[self.id] = None;
            sh.trim();
        }
    }
}

iterator_for!([G: Generator<()>] Tee<G>);

impl<G: Generator<()> + fmt::Debug> fmt::Debug for Tee<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sh = self.shared.borrow();
        f.debug_struct("Tee")
            .field("source", &sh.source)
            .field("cursor", &self.id)
            .field("position", &sh.cursors[self.id])
            .field("buffered", &sh.buffer.len())
            .finish()
    }
}
