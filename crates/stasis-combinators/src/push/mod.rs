//! Push pipelines (PEP 342 coroutines): consumers driven by `send`.
//!
//! In a pull pipeline the consumer asks each stage for the next value; in a push pipeline the
//! producer *sends* each value into the first stage, which sends what it makes into the next
//! one, down to a sink. Any `Generator<T>` is a push consumer: `resume(value)` is Python's
//! `target.send(value)`, and `close()` tells it the stream is over (a sink may answer with its
//! result, as `close()` returns a generator's return value in Python 3.13).
//!
//! Unlike Python, a stasis consumer needs no priming `next()`: the first `resume` value is the
//! body's argument. A consumer written Python-style (yield first, then receive) is primed
//! with one `resume` whose value it ignores.
//!
//! | piece | what it is |
//! |-------|------------|
//! | [`sink`](crate::push::sink), [`fold`](crate::push::fold) | end points: call a function on each value / fold them, `close()` gives the total |
//! | [`filter`](crate::push::filter), [`map`](crate::push::map) | stages that send on to a target |
//! | [`broadcast`](crate::push::broadcast) | one value to several targets |
//! | [`through`](crate::push::through), [`feed`](crate::push::feed) | connect a pull source (any iterator, including an `S = ()` generator) to a push target |
//!
//! Targets are moved into stages; pass `&mut target` to keep using it afterwards.
//!
//! # Examples
//!
//! A log-processing pipeline: count the errors of a log, pushed line by line.
//!
//! ```
//! # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
//! use stasis::push;
//!
//! let log = ["INFO start", "ERROR disk full", "INFO retry", "ERROR disk full"];
//! let errors = push::filter(|line: &&str| line.starts_with("ERROR"), push::fold(0, |n, _| n + 1));
//! assert_eq!(push::feed(log, errors), Ok(Some(2)));
//! ```

mod broadcast;
mod filter;
mod map;
mod sink;
mod through;

pub use broadcast::{Broadcast, broadcast};
pub use filter::{Filter, filter};
pub use map::{Map, map};
pub use sink::{Fold, Sink, fold, sink};
pub use through::{Through, feed, through};
