//! [`ChunkBy`](crate::ChunkBy) and its groups, [`Chunk`](crate::Chunk): runs of consecutive values with the same key, as lazy
//! views of the source (Python's `itertools.groupby`, itertools' `chunk_by`).
//!
//! # Design
//!
//! The outer generator and every group it yields share one `Rc<RefCell<Inner>>` holding the
//! source, the key of the current group (CPython's `tgtkey`) and at most one value pulled but
//! not handed out yet with its key (`currvalue` / `currkey`). Nothing else is stored: a run of
//! any length costs the same memory. The code follows CPython 3.11's `groupby_next` and
//! `_grouper_next`, so the pulls (and key calls) happen in CPython's order:
//!
//! - the outer's `next` invalidates the current group, then pulls until it holds a value whose
//!   key differs from the current group's (skipping what the group did not read), and yields
//!   that key with a new group;
//! - a group's `next` pulls only if no value is held, hands out the held value if its key is
//!   the group's, and otherwise ends, leaving the value held for the outer.

use core::fmt;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::VecDeque;
use std::rc::Rc;

use stasis_core::{CloseError, Generator, State, Step};

use crate::end::{End, raised};
use crate::util::iterator_for;

/// A value pulled from the source and not handed out yet, with its key; the key is `None` when
/// it became the current group's key (the value is that group's first: it belongs to the group
/// without a comparison, as CPython's identity check makes it, even for a key unequal to itself).
type Held<K, Y> = (Option<K>, Y);

struct Inner<G: Generator<()>, K, F> {
    source: G,
    key: F,
    /// The key of the group the outer yielded last (CPython's `tgtkey`).
    target: Option<K>,
    /// The id of that group; a group with another id was invalidated by the outer's advance.
    group: u64,
    held: Option<Held<K, G::Yield>>,
    /// Steps the source produced in answer to `throw` while a value was held, examined in order
    /// by the next pulls (empty unless `throw` is used).
    answers: VecDeque<Step<G::Yield, G::Return, G::Error>>,
    /// An end a group pulled, for the outer to report.
    end: Option<End<G::Return, G::Error>>,
    /// The outer has reported the source's end.
    done: bool,
}

impl<G, K, F> Inner<G, K, F>
where
    G: Generator<()>,
    F: FnMut(&G::Yield) -> K,
{
    /// CPython's `groupby_step`: the next value of the source with its key.
    fn step(&mut self) -> Result<Held<K, G::Yield>, End<G::Return, G::Error>> {
        let step = self.answers.pop_front().unwrap_or_else(|| self.source.resume(()));
        let y = End::split(step)?;
        Ok((Some((self.key)(&y)), y))
    }

    /// Takes in the source's answer to `throw`, as the next pull will see it.
    fn throw(&mut self, err: G::Error) {
        let answer = self.source.throw(err);
        self.answers.push_back(answer);
    }
}

impl<G, K, F> Inner<G, K, F>
where
    G: Generator<()>,
    K: PartialEq + Clone,
    F: FnMut(&G::Yield) -> K,
{
    /// CPython's `groupby_next`: skips the rest of the current group, then starts the next.
    fn next_group(&mut self) -> Result<K, End<G::Return, G::Error>> {
        self.group += 1;
        loop {
            if let Some((held_key, _)) = &mut self.held {
                let target = &self.target;
                if let Some(key) = held_key.take_if(|k| target.as_ref().is_none_or(|t| !t.eq(k))) {
                    self.target = Some(key.clone());
                    return Ok(key);
                }
            }
            self.held = Some(self.step()?);
        }
    }
}

impl<G, K, F> Inner<G, K, F>
where
    G: Generator<()>,
    K: PartialEq,
    F: FnMut(&G::Yield) -> K,
{
    /// CPython's `_grouper_next` for the current group; sets `done` when the group ends.
    fn group_next(&mut self, done: &mut bool) -> Step<G::Yield, (), G::Error> {
        let held = match self.held.take() {
            Some(held) => held,
            None => match self.step() {
                Ok(held) => held,
                Err(end) => {
                    *done = true;
                    return match end {
                        End::Raised(t) => {
                            self.end = Some(End::Exhausted);
                            Step::Raised(t)
                        }
                        end => {
                            self.end = Some(end);
                            Step::Complete(())
                        }
                    };
                }
            },
        };
        match held {
            (None, y) => Step::Yielded(y),
            (Some(k), y) if self.target.as_ref().is_some_and(|t| t.eq(&k)) => Step::Yielded(y),
            other => {
                self.held = Some(other);
                *done = true;
                Step::Complete(())
            }
        }
    }
}

/// Yields `(key, group)` for each run of consecutive values with the same key, each group a
/// lazy [`Chunk`](crate::Chunk) that pulls its values from the source as it is read (Python's
/// `itertools.groupby`, itertools' `chunk_by`: a key seen again later starts a new group).
/// Built by [`GeneratorExt::gen_chunk_by`](crate::GeneratorExt::gen_chunk_by).
///
/// The pulls and key calls happen in CPython's order: resuming the outer pulls the first value
/// of the next group (skipping, by pulling them, the values of the current group not read);
/// reading a group pulls one value per value, plus the first value of the next group, which it
/// leaves for the outer. Resuming the outer invalidates the group it yielded before (that group
/// then ends, as CPython's does). At most one value is held, so a run of any length streams in
/// constant memory. The key is cloned once per group, for the outer's yield (`K: Clone`).
///
/// - **send**: none (`Generator<()>`).
/// - **return value**: the source's, after the last group (also when a group pulled the end).
/// - **errors**: an error the source raises goes to whoever pulled it, the outer or a group, as
///   in CPython; after an error a group pulled, the outer ends with [`Step::Exhausted`](stasis_core::Step::Exhausted).
/// - **throw**: raised in the source; what it yields in answer is taken as the next value
///   pulled (after one already held), and the outer goes on as `resume` does.
///   **close**: closes the source; groups then end. A value the source yields while ignoring
///   `close()` is reported as the first value of a new group.
///   **state**: the source's; `Closed` once the end was reported (`Running` if asked from
///   inside the source's body).
///
/// # Panics
///
/// Resuming the outer or one of its groups from inside the source's own body (a caller bug:
/// the source is already being pulled).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// let runs = from_iter("AAABBCAA".chars()).gen_chunk_by(|c: &char| *c);
/// let runs: Vec<(char, String)> = runs.map(|(k, g)| (k, g.collect())).collect();
/// assert_eq!(runs, [('A', "AAA".into()), ('B', "BB".into()), ('C', "C".into()), ('A', "AA".into())]);
///
/// // A group is a view: read it before advancing the outer.
/// let mut runs = from_iter([1, 1, 2]).gen_chunk_by(|x| *x);
/// let (_, ones) = runs.next().unwrap();
/// let (two, _) = runs.next().unwrap(); // skips the ones not read
/// assert_eq!((two, ones.count()), (2, 0));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct ChunkBy<G: Generator<()>, K, F> {
    inner: Rc<RefCell<Inner<G, K, F>>>,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<G::Return>,
}

impl<G: Generator<()>, K, F> ChunkBy<G, K, F> {
    pub(crate) fn new(source: G, key: F) -> Self {
        ChunkBy {
            inner: Rc::new(RefCell::new(Inner {
                source,
                key,
                target: None,
                group: 0,
                held: None,
                answers: VecDeque::new(),
                end: None,
                done: false,
            })),
            ret: None,
        }
    }

    /// The source, to look at (its state, a counter it keeps). `None` while the source is
    /// running (asked from inside its own body).
    ///
    /// The source is shared with the groups, so there is no `get_mut`: resuming the source
    /// directly would take values from under the group being read. [`into_inner`] gives the
    /// source back once no group is alive.
    ///
    /// [`into_inner`]: ChunkBy::into_inner
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{Generator, GeneratorExt, State, from_iter};
    /// let mut runs = from_iter([1, 1, 2]).gen_chunk_by(|x| *x);
    /// assert_eq!(runs.get_ref().map(|s| s.state()), Some(State::Created));
    /// let _ = runs.next();
    /// assert_eq!(runs.get_ref().map(|s| s.state()), Some(State::Suspended));
    /// ```
    pub fn get_ref(&self) -> Option<Ref<'_, G>> {
        let inner = self.inner.try_borrow().ok()?;
        Some(Ref::map(inner, |inner| &inner.source))
    }

    /// The source, given back when no group of this `ChunkBy` is alive any more (`Err(self)`
    /// otherwise); a value pulled but not handed out yet is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::{GeneratorExt, from_iter};
    /// let mut runs = from_iter([1, 1, 2]).gen_chunk_by(|x| *x);
    /// let (_, ones) = runs.next().unwrap(); // it pulled the first 1
    /// let runs = runs.into_inner().expect_err("the group `ones` shares the source");
    /// drop(ones);
    /// let source = runs.into_inner().ok().unwrap();
    /// assert_eq!(source.collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> Result<G, Self> {
        let ChunkBy { inner, ret } = self;
        match Rc::try_unwrap(inner) {
            Ok(inner) => Ok(inner.into_inner().source),
            Err(inner) => Err(ChunkBy { inner, ret }),
        }
    }
}

/// The shared state, borrowed for one operation; the source never reaches back into it.
fn borrow<G: Generator<()>, K, F>(inner: &RefCell<Inner<G, K, F>>) -> RefMut<'_, Inner<G, K, F>> {
    inner.try_borrow_mut().expect(
        "chunk_by: the outer generator or a group was resumed from inside its own source's body",
    )
}

impl<G, K, F> ChunkBy<G, K, F>
where
    G: Generator<()>,
    K: PartialEq + Clone,
    F: FnMut(&G::Yield) -> K,
{
    fn advance(&mut self) -> Step<(K, Chunk<G, K, F>), G::Return, G::Error> {
        let mut inner = borrow(&self.inner);
        let next = inner.next_group();
        let group = inner.group;
        match next {
            Ok(key) => Step::Yielded((key, Chunk::new(&self.inner, group))),
            Err(end) => {
                inner.done = true;
                end.step()
            }
        }
    }
}

impl<G, K, F> Generator<()> for ChunkBy<G, K, F>
where
    G: Generator<()>,
    K: PartialEq + Clone,
    F: FnMut(&G::Yield) -> K,
{
    type Yield = (K, Chunk<G, K, F>);
    type Return = G::Return;
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<Self::Yield, G::Return, G::Error> {
        let mut inner = borrow(&self.inner);
        if inner.done {
            return Step::Exhausted;
        }
        if let Some(end) = inner.end.take() {
            inner.group += 1;
            inner.done = true;
            return end.step();
        }
        drop(inner);
        self.advance()
    }

    fn throw(&mut self, err: G::Error) -> Step<Self::Yield, G::Return, G::Error> {
        let mut inner = borrow(&self.inner);
        if inner.done || inner.end.take().is_some() {
            inner.group += 1;
            inner.done = true;
            return raised(err);
        }
        inner.throw(err);
        drop(inner);
        self.advance()
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<Self::Yield, G::Error>> {
        let mut inner = borrow(&self.inner);
        inner.group += 1;
        inner.held = None;
        inner.answers.clear();
        if inner.done {
            return Ok(None);
        }
        if let Some(end) = inner.end.take() {
            inner.done = true;
            return end.close();
        }
        match inner.source.close() {
            Ok(r) => {
                inner.done = true;
                Ok(r)
            }
            Err(CloseError::Raised(e)) => {
                inner.done = true;
                Err(CloseError::Raised(e))
            }
            Err(CloseError::Runtime(r)) => {
                inner.done = true;
                Err(CloseError::Runtime(r))
            }
            Err(CloseError::IgnoredExit(y)) => {
                // The source goes on: `y` starts a new group.
                let key = (inner.key)(&y);
                inner.target = Some(key.clone());
                inner.held = Some((None, y));
                let group = inner.group;
                Err(CloseError::IgnoredExit((key, Chunk::new(&self.inner, group))))
            }
        }
    }

    fn state(&self) -> State {
        let Ok(inner) = self.inner.try_borrow() else { return State::Running };
        if inner.done {
            State::Closed
        } else if inner.end.is_some() || !inner.answers.is_empty() {
            State::Suspended
        } else {
            inner.source.state()
        }
    }
}

iterator_for!(
    [G: Generator<()>, K, F] ChunkBy<G, K, F>,
    keep_return: G::Return,
    "from_iter([1, 1, 2]).gen_chunk_by(|x| *x)"
);

impl<G: Generator<()> + fmt::Debug, K: fmt::Debug, F> fmt::Debug for ChunkBy<G, K, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("ChunkBy")
            .field("source", &inner.source)
            .field("key", &inner.target)
            .finish_non_exhaustive()
    }
}

/// One group of [`ChunkBy`](crate::ChunkBy): the values of one run, pulled from the shared source as they are
/// read (CPython's `_grouper`). Valid until the outer generator is resumed again; after that it
/// yields nothing more.
///
/// - **send**: none (`Generator<()>`).
/// - **return value**: `()`, when the run ends (a value with another key, which stays for the
///   outer; the source's end, which the outer then reports; or the outer's advance).
/// - **errors**: an error the source raises while this group pulls goes to this group.
/// - **throw**: raised in the source while the group is valid (what it yields in answer is
///   taken as the next value pulled, after one already held); into an ended group, it comes
///   straight back.
///   **close**: ends this view only; the source and the outer go on.
///   **state**: `Suspended` while valid, `Closed` once ended or invalidated (`Running` if
///   asked from inside the source's body).
///
/// A group has no `get_ref` / `get_mut` / `into_inner`: it is a view of the source that the
/// outer [`ChunkBy`] owns; reach the source through [`ChunkBy::get_ref`] and
/// [`ChunkBy::into_inner`].
///
/// # Panics
///
/// Resumed from inside the source's own body (see [`ChunkBy`](crate::ChunkBy)).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Generator, State, Step};
/// let mut runs = from_iter([1, 1, 2]).gen_chunk_by(|x| *x);
/// let (_, mut ones) = runs.next().unwrap();
/// assert_eq!(ones.resume(()), Step::Yielded(1));
/// assert_eq!(ones.resume(()), Step::Yielded(1));
/// assert_eq!(ones.resume(()), Step::Complete(())); // it pulled the 2, which waits for runs
/// assert_eq!(ones.state(), State::Closed);
/// assert_eq!(runs.next().map(|(k, g)| (k, g.collect::<Vec<_>>())), Some((2, vec![2])));
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct Chunk<G: Generator<()>, K, F> {
    inner: Rc<RefCell<Inner<G, K, F>>>,
    group: u64,
    done: bool,
    /// The return value (`()`: the run ended), kept when `Iterator::next` reached the end.
    ret: Option<()>,
}

impl<G: Generator<()>, K, F> Chunk<G, K, F> {
    fn new(inner: &Rc<RefCell<Inner<G, K, F>>>, group: u64) -> Self {
        Chunk { inner: Rc::clone(inner), group, done: false, ret: None }
    }
}

impl<G, K, F> Generator<()> for Chunk<G, K, F>
where
    G: Generator<()>,
    K: PartialEq,
    F: FnMut(&G::Yield) -> K,
{
    type Yield = G::Yield;
    type Return = ();
    type Error = G::Error;

    fn resume(&mut self, (): ()) -> Step<G::Yield, (), G::Error> {
        if self.done {
            return Step::Exhausted;
        }
        let mut inner = borrow(&self.inner);
        if inner.group != self.group {
            self.done = true;
            return Step::Complete(());
        }
        inner.group_next(&mut self.done)
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, (), G::Error> {
        let mut inner = borrow(&self.inner);
        if self.done || inner.group != self.group || inner.end.is_some() {
            self.done = true;
            return raised(err);
        }
        inner.throw(err);
        inner.group_next(&mut self.done)
    }

    fn close(&mut self) -> Result<Option<()>, CloseError<G::Yield, G::Error>> {
        self.done = true;
        Ok(None)
    }

    fn state(&self) -> State {
        let Ok(inner) = self.inner.try_borrow() else { return State::Running };
        if self.done || inner.group != self.group { State::Closed } else { State::Suspended }
    }
}

iterator_for!(
    [G: Generator<()>, K, F] Chunk<G, K, F>,
    keep_return: (),
    "from_iter([1, 1, 2]).gen_chunk_by(|x| *x).next().unwrap().1"
);

impl<G: Generator<()>, K, F> fmt::Debug for Chunk<G, K, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunk").field("group", &self.group).field("done", &self.done).finish()
    }
}
