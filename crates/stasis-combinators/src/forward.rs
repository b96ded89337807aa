//! What adaptors do the same way: the `Generator` methods that go to the `source` field
//! unchanged ([`forward!`]), and the pull-until-accepted loop of `filter`, `drop_while` and
//! `skip` ([`pull_from`], [`pull_until`]).

use stasis_core::{Generator, Step};

/// Writes, inside an adaptor's `impl Generator<S>`, the methods that go to its `source` field:
///
/// - `forward!(resume(S), throw => then)`: the source's step, from `resume(arg)` or
///   `throw(err)`, passed through `self.then(step)`; with `, unless finished` appended, an
///   adaptor whose `finished` flag is set answers `Exhausted`, and a thrown error comes
///   straight back (the protocol's rule for a finished generator);
/// - `forward!(m, ...)` with `m` among `throw`, `close`, `state`, `length_hint`: the source's,
///   unchanged; `finishing_close` and `finishing_state` for an adaptor with a `finished` flag
///   and `Return = Option<source's>`: `close` sets the flag (once) and wraps the source's return
///   value, `state` is `Closed` once the flag is set.
macro_rules! forward {
    (resume($s:ty), throw => $then:ident) => {
        #[inline]
        fn resume(&mut self, arg: $s) -> stasis_core::Step<Self::Yield, Self::Return, Self::Error> {
            let step = self.source.resume(arg);
            self.$then(step)
        }

        fn throw(&mut self, err: Self::Error) -> stasis_core::Step<Self::Yield, Self::Return, Self::Error> {
            let step = self.source.throw(err);
            self.$then(step)
        }
    };
    (resume($s:ty), throw => $then:ident, unless finished) => {
        #[inline]
        fn resume(&mut self, arg: $s) -> stasis_core::Step<Self::Yield, Self::Return, Self::Error> {
            if self.finished {
                return stasis_core::Step::Exhausted;
            }
            let step = self.source.resume(arg);
            self.$then(step)
        }

        fn throw(&mut self, err: Self::Error) -> stasis_core::Step<Self::Yield, Self::Return, Self::Error> {
            if self.finished {
                return stasis_core::Step::Raised(stasis_core::Thrown::Error(err));
            }
            let step = self.source.throw(err);
            self.$then(step)
        }
    };
    (@throw) => {
        fn throw(&mut self, err: Self::Error) -> stasis_core::Step<Self::Yield, Self::Return, Self::Error> {
            self.source.throw(err)
        }
    };
    (@close) => {
        fn close(
            &mut self,
        ) -> Result<Option<Self::Return>, stasis_core::CloseError<Self::Yield, Self::Error>> {
            self.source.close()
        }
    };
    (@state) => {
        #[inline]
        fn state(&self) -> stasis_core::State {
            self.source.state()
        }
    };
    (@length_hint) => {
        #[inline]
        fn length_hint(&self) -> (usize, Option<usize>) {
            self.source.length_hint()
        }
    };
    (@finishing_close) => {
        fn close(
            &mut self,
        ) -> Result<Option<Self::Return>, stasis_core::CloseError<Self::Yield, Self::Error>> {
            if self.finished {
                return Ok(None);
            }
            self.finished = true;
            Ok(self.source.close()?.map(Some))
        }
    };
    (@finishing_state) => {
        #[inline]
        fn state(&self) -> stasis_core::State {
            if self.finished { stasis_core::State::Closed } else { self.source.state() }
        }
    };
    ($($method:ident),+) => {
        $(crate::forward::forward!(@$method);)+
    };
}

pub(crate) use forward;

/// Resumes `source` with `arg`, then with `S::default()` (Python's `next`) after each yielded
/// value `accept` refuses, and gives the first accepted value or any other outcome. One call
/// site for the source's resume, so an inlined state-machine source is inlined once.
#[inline]
pub(crate) fn pull_from<S: Default, G: Generator<S>>(
    source: &mut G,
    arg: S,
    mut accept: impl FnMut(&G::Yield) -> bool,
) -> Step<G::Yield, G::Return, G::Error> {
    let mut arg = arg;
    loop {
        match source.resume(arg) {
            Step::Yielded(y) if !accept(&y) => arg = S::default(),
            other => return other,
        }
    }
}

/// [`pull_from`] after a step the source already gave (its answer to `throw`).
#[inline]
pub(crate) fn pull_until<S: Default, G: Generator<S>>(
    source: &mut G,
    step: Step<G::Yield, G::Return, G::Error>,
    mut accept: impl FnMut(&G::Yield) -> bool,
) -> Step<G::Yield, G::Return, G::Error> {
    match step {
        Step::Yielded(y) if !accept(&y) => pull_from(source, S::default(), accept),
        other => other,
    }
}

/// An adaptor's `Iterator` impl keeping its return value ([`iterator_for!`] with
/// `keep_return`) and its accessors ([`delegate_access_inner!`]), with one doctest expression
/// for both: `adaptor_api!([generics] Type, keep_return: Ret, source: G, "example")` (or
/// `(first: A, second: B)` for two sources).
///
/// [`iterator_for!`]: crate::util::iterator_for
/// [`delegate_access_inner!`]: crate::util::delegate_access_inner
macro_rules! adaptor_api {
    ([$($generics:tt)*] $ty:ty, keep_return: $ret:ty, $($inner:tt)*) => {
        crate::forward::adaptor_api!(@split [$($generics)*] $ty, $ret, [] $($inner)*);
    };
    // Splits the accessor spec from the example, the last token.
    (@split [$($generics:tt)*] $ty:ty, $ret:ty, [$($inner:tt)*] , $example:literal) => {
        crate::util::iterator_for!([$($generics)*] $ty, keep_return: $ret, $example);
        crate::util::delegate_access_inner!([$($generics)*] $ty, $($inner)*, $example);
    };
    (@split [$($generics:tt)*] $ty:ty, $ret:ty, [$($inner:tt)*] $next:tt $($rest:tt)*) => {
        crate::forward::adaptor_api!(@split [$($generics)*] $ty, $ret, [$($inner)* $next] $($rest)*);
    };
}

pub(crate) use adaptor_api;

/// `throw`, `close` and `state` of a source with no body and no error (`Error = Infallible`)
/// whose field `$field` is `None` once it has ended and whose `started` flag its first resume
/// sets: `close` ends it, `state` reads both.
macro_rules! plain_source {
    ($field:ident) => {
        fn throw(
            &mut self,
            err: Self::Error,
        ) -> stasis_core::Step<Self::Yield, Self::Return, Self::Error> {
            match err {}
        }

        fn close(
            &mut self,
        ) -> Result<Option<Self::Return>, stasis_core::CloseError<Self::Yield, Self::Error>> {
            self.$field = None;
            Ok(None)
        }

        fn state(&self) -> stasis_core::State {
            match (&self.$field, self.started) {
                (None, _) => stasis_core::State::Closed,
                (Some(_), false) => stasis_core::State::Created,
                (Some(_), true) => stasis_core::State::Suspended,
            }
        }
    };
}

pub(crate) use plain_source;
