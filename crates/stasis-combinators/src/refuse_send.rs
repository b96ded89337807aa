//! [`RefuseSend`](crate::RefuseSend): a generator that takes no sends (`S = ()`) accepts a send type, and a sent
//! value it would have to drop becomes an error instead, as in Python.

use core::fmt;

use stasis_core::{CloseError, Generator, State, Step, Thrown};

use crate::forward::adaptor_api;

/// Makes a generator with `S = ()` a `Generator<S2>` that takes `S2::default()` as Python's
/// `None` (a plain `next`) and refuses any other value: that resume does not touch the source
/// and ends the adaptor with `Raised(on_send(value))`. Built by
/// [`GeneratorExt::gen_refuse_send`](crate::GeneratorExt::gen_refuse_send).
///
/// This is CPython's rule for `yield from` of a plain iterator: `send(None)` is `next`, and
/// `send(value)` raises `AttributeError` in the delegator (the iterator has no `send`), an
/// error it can catch, where dropping the value would lose data silently. With `S2 =
/// Option<T>` the rule is exactly Python's; with another type its default value (`0`, `""`)
/// stands for `None`, as it does for the adaptors that answer skipped values with
/// `S::default()`. [`gen_ignore_send`](crate::GeneratorExt::gen_ignore_send) drops values
/// instead, when that is what you want.
///
/// - **send**: `S2::default()` resumes the source with `()`; any other value is refused (the
///   adaptor is then finished; the source is left as it was, see
///   [`into_inner`](RefuseSend::into_inner)).
/// - **return value / throw / close / state**: the source's until a refusal; afterwards
///   `Closed`, `close` is a no-op and `throw` gives the error back, as for any finished
///   generator.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::{GeneratorExt, from_iter};
/// use stasis::{Generator, Step, Thrown};
/// let mut g = from_iter(["a", "b"])
///     .gen_err_into::<String>()
///     .gen_refuse_send(|v: Option<i64>| format!("cannot send {v:?} into a plain iterator"));
/// assert_eq!(g.resume(None), Step::Yielded("a"));
/// assert_eq!(
///     g.resume(Some(20)),
///     Step::Raised(Thrown::Error("cannot send Some(20) into a plain iterator".to_string()))
/// );
/// assert_eq!(g.resume(None), Step::Exhausted);
/// ```
#[must_use = "generator adaptors are lazy and do nothing unless resumed"]
pub struct RefuseSend<G, F, Ret> {
    source: G,
    on_send: F,
    refused: bool,
    /// The return value, kept when `Iterator::next` reached the end.
    ret: Option<Ret>,
}

impl<G, F, Ret> RefuseSend<G, F, Ret> {
    pub(crate) fn new(source: G, on_send: F) -> Self {
        RefuseSend { source, on_send, refused: false, ret: None }
    }
}

impl<G, F, S2> Generator<S2> for RefuseSend<G, F, G::Return>
where
    G: Generator<()>,
    S2: Default + PartialEq,
    F: FnMut(S2) -> G::Error,
{
    type Yield = G::Yield;
    type Return = G::Return;
    type Error = G::Error;

    #[inline]
    fn resume(&mut self, arg: S2) -> Step<G::Yield, G::Return, G::Error> {
        if self.refused {
            return Step::Exhausted;
        }
        if arg == S2::default() {
            return self.source.resume(());
        }
        self.refused = true;
        Step::Raised(Thrown::Error((self.on_send)(arg)))
    }

    fn throw(&mut self, err: G::Error) -> Step<G::Yield, G::Return, G::Error> {
        if self.refused {
            return Step::Raised(Thrown::Error(err));
        }
        self.source.throw(err)
    }

    fn close(&mut self) -> Result<Option<G::Return>, CloseError<G::Yield, G::Error>> {
        if self.refused {
            return Ok(None);
        }
        self.source.close()
    }

    #[inline]
    fn state(&self) -> State {
        if self.refused { State::Closed } else { self.source.state() }
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.refused { (0, Some(0)) } else { self.source.length_hint() }
    }
}

adaptor_api!([G, F, Ret] RefuseSend<G, F, Ret>, keep_return: Ret, source: G, "from_iter([1, 2]).gen_refuse_send(|(): ()| unreachable!())");

impl<G: fmt::Debug, F, Ret> fmt::Debug for RefuseSend<G, F, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefuseSend")
            .field("source", &self.source)
            .field("refused", &self.refused)
            .finish_non_exhaustive()
    }
}
