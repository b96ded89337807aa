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
//! The cursors share one `Rc<Shared>`: the source and the queue (buffer, positions, end) sit in
//! two separate `RefCell`s. A cursor behind the frontier reads (clones) from the buffer; a cursor
//! at the frontier borrows the source, pulls it and appends the value. The queue is never
//! borrowed while the source runs, so a source that reads cursors of its own tee (CPython's
//! "running after its own tail") reads what is buffered; a cursor that would have to pull the
//! source while it is running finds the source borrowed and reports
//! [`RuntimeError::TeeReentered`](stasis_core::RuntimeError::TeeReentered) (CPython's `RuntimeError("cannot re-enter the tee iterator")`). After
//! every read the values every open cursor has passed are popped, so the buffer holds exactly
//! the values between the slowest and the fastest open cursor. A closed or dropped cursor no
//! longer holds values back.
//!
//! An error the source raises goes to the cursor that pulled it, as in CPython; the source is
//! then finished, and the other cursors stop once they have read what is buffered. A return
//! value is kept and reported to every cursor.

use core::convert::Infallible;
use core::fmt;
use std::cell::{Ref, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use stasis_core::{CloseError, Generator, RuntimeError, State, Step, Thrown};

use crate::end::{End, raised};
use crate::util::iterator_for;

/// What a cursor raises when it would have to pull its running source.
fn reentered<Y, R, E>() -> Step<Y, R, E> {
    Step::Raised(Thrown::Runtime(RuntimeError::TeeReentered))
}

struct Shared<G: Generator<()>> {
    /// Borrowed only while a cursor pulls, throws into or closes it: a cursor that finds it
    /// borrowed was resumed from inside the source's own body.
    source: RefCell<G>,
    queue: RefCell<Queue<G::Yield, G::Return>>,
}

struct Queue<Y, R> {
    buffer: VecDeque<Y>,
    /// Index (in the source's sequence) of `buffer[0]`.
    base: usize,
    /// Position of each cursor (the index of the next value it reads); `None` once closed.
    cursors: Vec<Option<usize>>,
    /// How the source ended (a return or exhaustion; an error went to the cursor that pulled
    /// it), reported to every cursor once it has read the buffer.
    end: Option<End<R, Infallible>>,
}

impl<Y, R> Queue<Y, R> {
    /// Pops the values every open cursor has passed.
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

    fn close(&mut self, id: usize) {
        self.cursors[id] = None;
        self.trim();
    }

    /// Whether closing the cursors left nobody to read the source (which has not ended).
    fn abandoned(&self) -> bool {
        self.end.is_none() && self.cursors.iter().all(Option::is_none)
    }
}

impl<Y: Clone, R: Clone> Queue<Y, R> {
    /// What cursor `id` reads without pulling the source: a buffered value or the end (which
    /// closes the cursor); `None` at the frontier.
    fn read<E>(&mut self, id: usize) -> Option<Step<Y, R, E>> {
        let Some(pos) = self.cursors[id] else { return Some(Step::Exhausted) };
        if let Some(item) = self.buffer.get(pos - self.base) {
            let item = item.clone();
            self.cursors[id] = Some(pos + 1);
            self.trim();
            return Some(Step::Yielded(item));
        }
        let end = self.end.clone()?;
        self.close(id);
        Some(end.widen().step())
    }
}

/// One cursor of a tee: yields every value of the shared source from where it was created,
/// independently of the other cursors (Python's `itertools.tee`). Built by
/// [`GeneratorExt::gen_tee`](crate::GeneratorExt::gen_tee); `clone()` makes one more cursor at
/// the same position.
///
/// The shared buffer holds only the values the slowest open cursor has not read yet; closing or
/// dropping a cursor releases what it held back. Values are cloned for each cursor that reads
/// them (`Yield: Clone`, as itertools' `tee` needs `Item: Clone`), and so is the return value,
/// which every cursor reports (`Return: Clone`); errors are not cloned: an error goes to one
/// cursor.
///
/// - **send**: none (`Generator<()>`: the cursors share one source).
/// - **return value**: the source's, cloned for each cursor (CPython's tee drops it).
/// - **errors**: the source's error goes to the cursor whose pull raised it, which is then
///   closed; the source is finished, so the other cursors read what
///   is buffered and then end with [`Step::Exhausted`](stasis_core::Step::Exhausted) (CPython: `StopIteration`).
/// - **running after its own tail**: the source's body may read cursors of its own tee while it
///   runs, as CPython's `m235` and Fibonacci programs do, as long as what it reads is buffered;
///   a cursor that would have to pull the running source raises
///   `Thrown::Runtime(`[`RuntimeError::TeeReentered`](stasis_core::RuntimeError::TeeReentered)`)`
///   (CPython's `RuntimeError`: a value the body can match on, not a panic) and is closed (CPython's cursor stays usable;
///   stasis generators stay fused). The cursors the body holds keep the tee, and so the body,
///   alive (an `Rc` cycle): let the body end, or drop the cursors it holds, to free it.
/// - **throw**: the error is raised in the shared source (every cursor sees what it yields
///   next; an error it raises goes to the thrower); once the source has ended, the error comes
///   straight back, and while it is running the cursor raises
///   [`RuntimeError::TeeReentered`](stasis_core::RuntimeError::TeeReentered). Either way a
///   cursor that reports an error is closed (values still buffered for it are released).
///   **close**: closes this cursor; closing the last open cursor closes the source.
///   **state**: this cursor's: `Closed` once it has reported the end or was closed, `Running`
///   while the shared source runs.
/// - **Iterator**: a cursor over a source that cannot raise (`Error = Infallible`) is an
///   `Iterator`; its `next` panics on
///   [`RuntimeError::TeeReentered`](stasis_core::RuntimeError::TeeReentered), which it cannot
///   report (iterate with `try_iter()` to get it as an `Err` item). Over a source that can raise, use
///   `try_iter()`.
/// - **accessors**: the source is shared, so a cursor offers [`get_ref`](Tee::get_ref) (a look,
///   `None` while the source runs) and [`into_inner`](Tee::into_inner) (the source back from
///   the last cursor alive), but no `get_mut`.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let [mut a, mut b] = from_iter([1, 2, 3]).gen_tee();
/// assert_eq!(a.next(), Some(1));
/// assert_eq!(a.next(), Some(2));
/// assert_eq!(a.buffered(), 2); // b has not read 1 and 2 yet
/// assert_eq!(b.next(), Some(1));
/// assert_eq!(a.buffered(), 1);
/// assert_eq!(b.collect::<Vec<_>>(), [2, 3]);
/// assert_eq!(a.collect::<Vec<_>>(), [3]);
/// ```
///
/// An error of the source goes to the cursor that pulled it (the cursors raise the source's
/// error type):
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::GeneratorExt;
/// use stasis::{Gen, Generator, Step, Thrown};
///
/// let source = Gen::<i32>::throwing::<&str>(|co, ()| {
///     co.yield_(1);
///     co.raise(Thrown::Error("bad"))
/// });
/// let [mut a, mut b] = source.gen_tee();
/// assert_eq!(a.resume(()), Step::Yielded(1));
/// assert_eq!(a.resume(()), Step::Raised(Thrown::Error("bad"))); // a pulled it
/// assert_eq!(b.resume(()), Step::Yielded(1)); // buffered
/// assert_eq!(b.resume(()), Step::Exhausted); // the source is finished: nothing is replayed
/// ```
///
/// A source that reads its own tee (CPython's `fib()` in `test_generators`):
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use std::{cell::RefCell, rc::Rc};
/// use stasis::GeneratorExt;
/// use stasis::combinators::Tee;
/// use stasis::Gen;
///
/// let tails: Rc<RefCell<Option<[Tee<Gen<u64>>; 2]>>> = Rc::default();
/// let slot = tails.clone();
/// let realfib = Gen::new(move |co, ()| {
///     co.yield_(1);
///     co.yield_(2);
///     let [mut head, mut tail] = slot.borrow_mut().take().expect("filled before the first pull");
///     tail.next(); // throw the first away
///     for _ in 0..8 {
///         // both are buffered: head and tail run behind the source
///         let (Some(a), Some(b)) = (head.next(), tail.next()) else { break };
///         co.yield_(a + b);
///     }
/// }); // returning drops head and tail, which breaks the Rc cycle
/// let [head, tail, fib] = realfib.gen_tee();
/// *tails.borrow_mut() = Some([head, tail]);
/// assert_eq!(fib.collect::<Vec<_>>(), [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Tee<G: Generator<()>> {
    shared: Rc<Shared<G>>,
    id: usize,
    finished: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<G::Return>,
}

pub(crate) fn tee<G: Generator<()>, const N: usize>(source: G) -> [Tee<G>; N] {
    let shared = Rc::new(Shared {
        source: RefCell::new(source),
        queue: RefCell::new(Queue {
            buffer: VecDeque::new(),
            base: 0,
            cursors: vec![Some(0); N],
            end: None,
        }),
    });
    core::array::from_fn(|id| Tee { shared: shared.clone(), id, finished: false, ret: None })
}

impl<G: Generator<()>> Tee<G> {
    /// How many values the shared buffer holds (what the slowest open cursor has not read).
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let [mut a, b] = from_iter(0..100).gen_tee();
    /// assert_eq!(a.by_ref().take(10).count(), 10);
    /// assert_eq!(a.buffered(), 10);
    /// drop(b); // nobody needs them any more
    /// assert_eq!(a.next(), Some(10));
    /// assert_eq!(a.buffered(), 0);
    /// ```
    pub fn buffered(&self) -> usize {
        self.shared.queue.borrow().buffer.len()
    }

    /// The shared source, to look at (its state, a counter it keeps). `None` while the source
    /// is running (asked from inside its own body).
    ///
    /// Every cursor shares the source, so there is no `get_mut`: resuming the source directly
    /// would take values from under every cursor (none of them would see it). [`into_inner`]
    /// gives the source back from the last cursor alive.
    ///
    /// [`into_inner`]: Tee::into_inner
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{Generator, GeneratorExt, State, from_iter};
    /// let [mut a, b] = from_iter([1, 2]).gen_tee();
    /// assert_eq!(b.get_ref().map(|s| s.state()), Some(State::Created));
    /// a.next();
    /// assert_eq!(b.get_ref().map(|s| s.state()), Some(State::Suspended));
    /// ```
    pub fn get_ref(&self) -> Option<Ref<'_, G>> {
        self.shared.source.try_borrow().ok()
    }

    /// The shared source, given back by the last cursor alive (`Err(self)` while another
    /// cursor, or a clone, still reads it); the values buffered for this cursor are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let [mut a, b] = from_iter([1, 2, 3]).gen_tee();
    /// assert_eq!(a.next(), Some(1)); // buffered for b
    /// let a = a.into_inner().expect_err("b still reads the source");
    /// drop(b);
    /// let source = a.into_inner().ok().unwrap();
    /// assert_eq!(source.collect::<Vec<_>>(), [2, 3]);
    /// ```
    pub fn into_inner(self) -> Result<G, Self> {
        if Rc::strong_count(&self.shared) > 1 {
            return Err(self);
        }
        let shared = Rc::clone(&self.shared);
        drop(self); // closes this cursor: the buffer is released
        let shared = Rc::into_inner(shared).expect("the last cursor held the only other handle");
        Ok(shared.source.into_inner())
    }

    /// Closes this cursor and hands back `outcome` (an error it reports).
    fn fail<T>(&mut self, outcome: T) -> T {
        self.finished = true;
        self.shared.queue.borrow_mut().close(self.id);
        outcome
    }
}

impl<G> Tee<G>
where
    G: Generator<()>,
    G::Yield: Clone,
    G::Return: Clone,
{
    /// Takes in a step of the source: a value joins the buffer, a return or exhaustion is kept
    /// for every cursor, an error goes to this cursor alone (`Some`).
    fn absorb(
        &mut self,
        step: Step<G::Yield, G::Return, G::Error>,
    ) -> Option<Step<G::Yield, G::Return, G::Error>> {
        let mut queue = self.shared.queue.borrow_mut();
        match End::split(step) {
            Ok(y) => queue.buffer.push_back(y),
            Err(End::Complete(r)) => queue.end = Some(End::Complete(r)),
            Err(End::Exhausted) => queue.end = Some(End::Exhausted),
            Err(End::Raised(t)) => {
                queue.end = Some(End::Exhausted);
                drop(queue);
                return Some(self.fail(Step::Raised(t)));
            }
        }
        None
    }

    /// This cursor's next step: from the buffer, else from the source.
    fn advance(&mut self) -> Step<G::Yield, G::Return, G::Error> {
        loop {
            if let Some(step) = self.shared.queue.borrow_mut().read(self.id) {
                self.finished = !step.is_yielded();
                return step;
            }
            let Ok(mut source) = self.shared.source.try_borrow_mut() else {
                return self.fail(reentered());
            };
            let step = source.resume(());
            drop(source);
            if let Some(raised) = self.absorb(step) {
                return raised;
            }
        }
    }
}

impl<G> Generator<()> for Tee<G>
where
    G: Generator<()>,
    G::Yield: Clone,
    G::Return: Clone,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<G::Yield, G::Return, G::Error> {
        if self.finished {
            return Step::Exhausted;
        }
        self.advance()
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        if self.finished {
            return raised(err);
        }
        if self.shared.queue.borrow().end.is_some() {
            return self.fail(raised(err));
        }
        let Ok(mut source) = self.shared.source.try_borrow_mut() else {
            return self.fail(reentered());
        };
        let step = source.throw(err);
        drop(source);
        match self.absorb(step) {
            Some(raised) => raised,
            None => self.advance(),
        }
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        if self.finished {
            return Ok(None);
        }
        self.fail(());
        if !self.shared.queue.borrow().abandoned() {
            return Ok(None);
        }
        let Ok(mut source) = self.shared.source.try_borrow_mut() else {
            return Err(CloseError::Runtime(RuntimeError::TeeReentered));
        };
        source.close()
    }

    fn state(&self) -> State {
        if self.finished {
            return State::Closed;
        }
        let Ok(source) = self.shared.source.try_borrow() else {
            return State::Running;
        };
        if self.shared.queue.borrow().cursors[self.id] == Some(0)
            && source.state() == State::Created
        {
            State::Created
        } else {
            State::Suspended
        }
    }
}

impl<G: Generator<()>> Clone for Tee<G> {
    /// A new cursor at this cursor's position.
    fn clone(&self) -> Self {
        let mut queue = self.shared.queue.borrow_mut();
        let pos = queue.cursors[self.id];
        let id = queue.cursors.len();
        queue.cursors.push(pos);
        Tee { shared: self.shared.clone(), id, finished: self.finished, ret: None }
    }
}

impl<G: Generator<()>> Drop for Tee<G> {
    fn drop(&mut self) {
        // Never borrowed across user code but a buffered value's `Clone` or `Drop`; a cursor
        // dropped from there keeps its place (it only holds the buffer longer).
        if let Ok(mut queue) = self.shared.queue.try_borrow_mut() {
            queue.close(self.id);
        }
    }
}

iterator_for!(
    [G: Generator<()>] Tee<G>,
    keep_return: G::Return,
    "{ let [cursor] = from_iter([1, 2]).gen_tee(); cursor }"
);

impl<G: Generator<()> + fmt::Debug> fmt::Debug for Tee<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let queue = self.shared.queue.borrow();
        let mut d = f.debug_struct("Tee");
        match self.shared.source.try_borrow() {
            Ok(source) => d.field("source", &source),
            Err(_) => d.field("source", &format_args!("<running>")),
        };
        d.field("cursor", &self.id)
            .field("position", &queue.cursors[self.id])
            .field("buffered", &queue.buffer.len())
            .finish()
    }
}
