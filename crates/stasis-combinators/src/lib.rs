//! Lazy pull and push pipelines over the stasis generator protocol.
//!
//! - **Pull pipelines**: [`GeneratorExt`](crate::GeneratorExt) adds itertools-style adaptors to every
//!   [`Generator`](stasis_core::Generator), on both backends (stackful `Gen` and nightly state
//!   machines). Each adaptor is lazy (it pulls nothing until resumed, and no more than it needs;
//!   `tests/it/laziness.rs` counts, and checks each is `#[must_use]`), and keeps the protocol:
//!   `send`, `throw`, `close`, the state and the return value reach the source where that means
//!   something; each adaptor's doc says which.
//! - **Sources**: [`count`](crate::count), [`cycle`](crate::cycle), [`repeat`](crate::repeat), [`repeat_n`](crate::repeat_n), [`from_fn`](crate::from_fn), [`from_iter`](crate::from_iter);
//!   and over many generators of one type, [`chain_from_iterable`](crate::chain_from_iterable) and [`zip_all`](crate::zip_all).
//! - **Push pipelines** ([`push`](crate::push)): PEP 342 consumers driven by `send`: sinks, filters, maps,
//!   broadcast, and [`push::through`](crate::push::through) / [`push::feed`](crate::push::feed) to connect a pull source to them.
//! - **Streaming sources** ([`stream`](crate::stream)): lines of any `BufRead` and JSON lines, one record at a
//!   time, with bad lines reported as error items (line number and cause).
//!
//! # Which adaptors to use
//!
//! A stasis generator with `S = ()` is already an [`Iterator`](std::iter::Iterator). When you only want its values,
//! use `Iterator`'s adaptors and the itertools crate: they are the same laziness at the same
//! cost, and this crate does not re-implement them for plain iterators. Reach for
//! [`GeneratorExt`](crate::GeneratorExt) when you need what `Iterator` cannot carry:
//!
//! | you need | use |
//! |----------|-----|
//! | only the values of an `S = ()` generator | `Iterator` / itertools adaptors |
//! | the return value after a pipeline (`Step::Complete`) | `GeneratorExt` |
//! | `send` through a pipeline to the source | `GeneratorExt` (adaptors with `S` generic) |
//! | `throw` / `close` reaching the source, or its state | `GeneratorExt` |
//! | CPython's exact pulls (`islice`, `zip`, `takewhile`, `groupby`, `tee`) | `GeneratorExt` |
//! | a generator in a `yield from` chain of another error or send type | `gen_err_into`, `gen_map_err`, `gen_refuse_send`, `gen_ignore_send` |
//!
//! Adaptors named like an `Iterator` or `itertools::Itertools` method carry a `gen_` prefix
//! (`gen_map`, `gen_filter`, `gen_take`, `gen_skip`, `gen_enumerate`, `gen_take_while`,
//! `gen_chain`, `gen_zip`, `gen_flat_map`, `gen_tee`, `gen_chunk_by`): with both traits in
//! scope, a method of the same name on an `S = ()` generator would not compile (E0034,
//! ambiguous); `gen_chunk_by` is Python's `groupby` under itertools' name. The others use
//! Python's names in Rust case: `islice`, `drop_while`, `accumulate`, `pairwise`, `batched`. Every adaptor
//! also implements `Iterator` when `S = ()`, so a pipeline can end in `collect()` or a `for`.
//!
//! # Examples
//!
//! An infinite source, a lazy pipeline, and the source still usable afterwards:
//!
//! ```
//! # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
//! use stasis::GeneratorExt;
//! use stasis::{Gen, Generator, State};
//!
//! let mut naturals = Gen::new(|co, ()| {
//!     let mut n = 0u64;
//!     loop {
//!         n += 1;
//!         co.yield_(n);
//!     }
//! });
//! let evens: Vec<u64> =
//!     (&mut naturals).gen_map(|x| x * x).gen_filter(|x| x % 2 == 0).gen_take(3).collect();
//! assert_eq!(evens, [4, 16, 36]);
//! assert_eq!(naturals.state(), State::Suspended); // nothing pulled past 6
//! assert_eq!(naturals.next(), Some(7));
//! ```

// `Step<Y, R, E>` over a source's associated types is long by nature; aliases would hide it.
#![allow(clippy::type_complexity)]
// Links spell full paths (`[`Step`](crate::Step)`) even where the short form resolves here:
// the facade (`stasis`) re-exports these items, and rustdoc renders short links of re-exported
// items as literal text there.
#![allow(rustdoc::redundant_explicit_links)]

mod accumulate;
mod batched;
mod chain;
mod chain_from_iterable;
mod chunk_by;
mod compress;
mod count;
mod cycle;
mod drop_while;
mod end;
mod enumerate;
mod ext;
mod filter;
mod flat_map;
mod forward;
mod from_fn;
mod from_iter;
mod ignore_send;
mod islice;
mod map;
mod map_err;
mod map_return;
mod pairwise;
mod refuse_send;
mod repeat;
mod skip;
mod starmap;
mod take;
mod take_while;
mod tee;
mod util;
mod zip;
mod zip_all;
mod zip_longest;

pub mod push;
pub mod stream;

pub use accumulate::{Accumulate, AccumulateFrom};
pub use batched::Batched;
pub use chain::Chain;
pub use chain_from_iterable::{ChainFromIterable, chain_from_iterable};
pub use chunk_by::{Chunk, ChunkBy};
pub use compress::Compress;
pub use count::{Count, count};
pub use cycle::{Cycle, cycle};
pub use drop_while::DropWhile;
pub use enumerate::Enumerate;
pub use ext::GeneratorExt;
pub use filter::{Filter, FilterFalse};
pub use flat_map::FlatMap;
pub use from_fn::{FromFn, from_fn};
pub use from_iter::{FromIter, from_iter};
pub use ignore_send::IgnoreSend;
pub use islice::Islice;
pub use map::Map;
pub use map_err::MapErr;
pub use map_return::MapReturn;
pub use pairwise::Pairwise;
pub use refuse_send::RefuseSend;
pub use repeat::{Repeat, repeat, repeat_n};
pub use skip::Skip;
pub use starmap::{StarArgs, Starmap};
pub use take::Take;
pub use take_while::TakeWhile;
pub use tee::Tee;
pub use zip::{Zip, ZipEnd};
pub use zip_all::{ZipAll, zip_all};
pub use zip_longest::ZipLongest;
