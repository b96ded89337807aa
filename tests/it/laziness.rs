//! Laziness of every combinator: a counting source records how many values it produced.
//! [`construction_pulls_nothing_and_every_adaptor_is_must_use`] builds every adaptor and source
//! once and checks nothing was pulled (itertools' `must_use_tests!`); each other test checks an
//! adaptor pulls no more than it needs (itertools' `tests/laziness.rs` habit). Infinite sources
//! make a non-lazy adaptor hang or fail here.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use stasis::combinators::{self, count, cycle, from_fn, from_iter, push, repeat, stream};
use stasis::prelude::*;

/// A stackful source yielding `0, 1, 2, ...` (forever, or `limit` values), counting each value
/// it produced.
fn counted(limit: Option<i64>) -> (Gen<i64>, Rc<Cell<usize>>) {
    let produced = Rc::new(Cell::new(0));
    let p = produced.clone();
    let g = Gen::new(move |co, ()| {
        let mut n = 0;
        while limit.is_none_or(|l| n < l) {
            p.set(p.get() + 1);
            co.yield_(n);
            n += 1;
        }
    });
    (g, produced)
}

fn naturals() -> (Gen<i64>, Rc<Cell<usize>>) {
    counted(None)
}

/// A `from_fn` body counting its calls in `calls`.
fn ticks(calls: &Rc<Cell<usize>>) -> impl FnMut(()) -> Option<usize> + use<> {
    let calls = calls.clone();
    move |()| {
        calls.set(calls.get() + 1);
        Some(calls.get())
    }
}

/// An endless iterator counting the values it produced in `pulled`.
fn counting_iter(pulled: &Rc<Cell<usize>>) -> impl Iterator<Item = usize> + use<> {
    let pulled = pulled.clone();
    (0..).inspect(move |_| pulled.set(pulled.get() + 1))
}

/// An endless iterator of generators (two values each), counting the generators it made.
fn counting_gens(made: &Rc<Cell<usize>>) -> impl Iterator<Item = Gen<i64>> + use<> {
    let made = made.clone();
    std::iter::repeat_with(move || {
        made.set(made.get() + 1);
        counted(Some(2)).0
    })
}

/// One row per adaptor and source: `name: |a, b, c| build;`. Each row gets two fresh counting
/// sources `a`, `b` and a counter `c` for sources of its own; `build` runs as a statement
/// whose value is unused, under `#[expect(unused_must_use)]` with unfulfilled expectations
/// denied: a type without `#[must_use]` would leave the expectation unfulfilled and fail to
/// compile (a plain `#[deny(unused_must_use)]` rejects the attribute's presence, not its
/// absence). Then nothing may have been pulled. The test also checks the table names every
/// method of `GeneratorExt` and every source the crate exports.
macro_rules! must_use_tests {
    ($($name:ident: |$a:pat_param, $b:pat_param, $c:ident| $build:expr;)*) => {
        #[test]
        #[deny(unfulfilled_lint_expectations)]
        fn construction_pulls_nothing_and_every_adaptor_is_must_use() {
            $({
                let ($a, na) = naturals();
                let ($b, nb) = naturals();
                let $c = &Rc::new(Cell::new(0));
                #[expect(unused_must_use)]
                $build;
                assert_eq!(
                    (na.get(), nb.get(), $c.get()),
                    (0, 0, 0),
                    "building {} pulled",
                    stringify!($build)
                );
            })*
            assert_covers_the_api(&[$(stringify!($name)),*]);
        }
    };
}

must_use_tests! {
    gen_map: |a, _b, _c| a.gen_map(|x| x * 2);
    map_return: |a, _b, _c| a.map_return(|()| 1);
    gen_map_err: |a, _b, _c| a.gen_map_err(|e| match e {});
    gen_err_into: |a, _b, _c| a.gen_err_into::<String>();
    gen_ignore_send: |a, _b, _c| a.gen_ignore_send::<u8>();
    gen_refuse_send: |a, _b, _c| a.gen_refuse_send(|_: u8| unreachable!("Infallible source"));
    gen_filter: |a, _b, _c| a.gen_filter(|x| x % 2 == 0);
    filter_false: |a, _b, _c| a.filter_false(|x| x % 2 == 0);
    compress: |a, _b, _c| a.compress([true, false].into_iter().cycle());
    starmap: |a, _b, _c| a.gen_map(|x| (x, 2)).starmap(|x, y| x * y);
    gen_enumerate: |a, _b, _c| a.gen_enumerate();
    enumerate_from: |a, _b, _c| a.enumerate_from(7);
    islice: |a, _b, _c| a.islice(3, None, 2);
    gen_take: |a, _b, _c| a.gen_take(3);
    gen_skip: |a, _b, _c| a.gen_skip(3);
    gen_take_while: |a, _b, _c| a.gen_take_while(|x| *x < 3);
    drop_while: |a, _b, _c| a.drop_while(|x| *x < 3);
    gen_chain: |a, b, _c| a.gen_chain(b);
    gen_zip: |a, b, _c| a.gen_zip(b);
    gen_zip_longest: |a, b, _c| a.gen_zip_longest(b);
    accumulate_sum: |a, _b, _c| a.accumulate_sum();
    accumulate: |a, _b, _c| a.accumulate(|x, y| x + y);
    accumulate_from: |a, _b, _c| a.accumulate_from(100, |x, y| x + y);
    pairwise: |a, _b, _c| a.pairwise();
    batched: |a, _b, _c| a.batched(3);
    gen_flat_map: |a, _b, _c| a.gen_flat_map(|x| [x; 3]);
    gen_chunk_by: |a, _b, _c| a.gen_chunk_by(|x| x / 3);
    gen_tee: |a, _b, _c| a.gen_tee::<2>();
    stop_on_error: |a, _b, _c| a.gen_map(Ok::<i64, ()>).stop_on_error();
    skip_errors: |a, _b, _c| a.gen_map(Ok::<i64, ()>).skip_errors(|()| {});
    count: |_a, _b, _c| count(0u64, 3);
    cycle: |a, _b, _c| cycle(a);
    repeat: |_a, _b, _c| repeat(1);
    repeat_n: |_a, _b, _c| combinators::repeat_n(1, 3);
    from_fn: |_a, _b, c| from_fn(ticks(c));
    from_iter: |_a, _b, c| from_iter(counting_iter(c));
    zip_all: |a, b, _c| combinators::zip_all([a, b]);
    chain_from_iterable: |_a, _b, c| combinators::chain_from_iterable(counting_gens(c));
    lines: |_a, _b, c| stream::lines(endless_counted(c));
    json_lines: |_a, _b, c| stream::json_lines::<serde_json::Value, _>(endless_counted(c));
    through: |a, _b, _c| push::through(a, push::fold(0, |t, x: i64| t + x));
}

/// Every method of `GeneratorExt` and every source function the crate exports has a row.
fn assert_covers_the_api(rows: &[&str]) {
    let ext = include_str!("../../crates/stasis-combinators/src/ext.rs");
    let trait_body = &ext[ext.find("pub trait GeneratorExt").expect("the trait is in ext.rs")..];
    let methods = trait_body.lines().filter_map(|l| {
        let name = l.strip_prefix("    fn ")?;
        Some(&name[..name.find(['<', '('])?])
    });
    let lib = include_str!("../../crates/stasis-combinators/src/lib.rs");
    let sources = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub use ")?.split_once('{'))
        .flat_map(|(_, names)| names.trim_end_matches("};").split(", "))
        .filter(|name| name.starts_with(char::is_lowercase));
    let api: Vec<&str> = methods.chain(sources).collect();
    assert!(api.len() > 30, "ext.rs or lib.rs changed shape: found only {api:?}");
    let missing: Vec<&&str> = api.iter().filter(|name| !rows.contains(name)).collect();
    assert!(missing.is_empty(), "no must_use_tests! row for {missing:?}");
}

#[test]
fn gen_map_pulls_one_per_resume() {
    let (src, n) = naturals();
    let mut g = src.gen_map(|x| x * 2);
    assert_eq!(g.state(), State::Created);
    assert_eq!(g.next(), Some(0));
    assert_eq!(g.next(), Some(2));
    assert_eq!(n.get(), 2);
}

#[test]
fn map_return_pulls_one_per_resume() {
    let (src, n) = naturals();
    let mut g = src.map_return(|()| 1);
    assert_eq!(g.resume(()), Step::Yielded(0));
    assert_eq!(n.get(), 1);
}

#[test]
fn gen_filter_pulls_until_a_match() {
    let (src, n) = naturals();
    let mut g = src.gen_filter(|x| x % 5 == 4);
    assert_eq!(g.next(), Some(4));
    assert_eq!(n.get(), 5);
}

#[test]
fn enumerate_pulls_one_per_resume() {
    let (src, n) = naturals();
    let mut g = src.enumerate_from(7);
    assert_eq!(g.next(), Some((7, 0)));
    assert_eq!(n.get(), 1);
}

#[test]
fn islice_pulls_what_cpython_pulls() {
    for (start, stop, step, pulled, items) in [
        (2, 8, 2, 8, vec![2, 4, 6]), // skips to index 8 before comparing with stop
        (2, 5, 1, 5, vec![2, 3, 4]),
        (0, 4, 1, 4, vec![0, 1, 2, 3]),
        (0, 0, 1, 0, vec![]),
    ] {
        let (src, n) = naturals();
        let got: Vec<i64> = src.islice(start, stop, step).collect();
        assert_eq!((got, n.get()), (items, pulled), "islice({start}, {stop}, {step})");
    }
    let (src, n) = naturals();
    let mut open_ended = src.islice(3, None, 2);
    assert_eq!(open_ended.next(), Some(3));
    assert_eq!(n.get(), 4);
}

#[test]
fn gen_take_stops_without_pulling_more() {
    let (src, n) = naturals();
    let mut g = src.gen_take(3);
    assert_eq!(g.by_ref().count(), 3);
    assert_eq!(g.resume(()), Step::Exhausted);
    assert_eq!(n.get(), 3);
}

#[test]
fn gen_skip_pulls_the_skipped_on_first_resume() {
    let (src, n) = naturals();
    let mut g = src.gen_skip(2);
    assert_eq!(g.next(), Some(2));
    assert_eq!(n.get(), 3);
}

#[test]
fn take_while_consumes_exactly_the_first_failure() {
    let (src, n) = naturals();
    let mut g = src.gen_take_while(|x| *x < 3);
    assert_eq!(g.by_ref().collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(n.get(), 4);
    assert_eq!(g.take_rejected(), Some(3));
}

#[test]
fn drop_while_pulls_to_the_first_failure_then_one_per_resume() {
    let (src, n) = naturals();
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let mut g = src.drop_while(move |x| {
        c.set(c.get() + 1);
        *x < 3
    });
    assert_eq!(g.next(), Some(3));
    assert_eq!(n.get(), 4);
    assert_eq!(g.next(), Some(4));
    assert_eq!((n.get(), calls.get()), (5, 4), "the predicate is not called after its first false");
}

#[test]
fn gen_chain_starts_the_second_only_when_the_first_ends() {
    let (a, na) = counted(Some(2));
    let (b, nb) = naturals();
    let mut g = a.gen_chain(b);
    assert_eq!(g.by_ref().take(2).count(), 2);
    assert_eq!((na.get(), nb.get()), (2, 0));
    assert_eq!(g.next(), Some(0));
    assert_eq!(nb.get(), 1);
}

#[test]
fn gen_zip_pulls_one_from_each() {
    let (a, na) = naturals();
    let (b, nb) = naturals();
    let mut g = a.gen_zip(b);
    assert_eq!(g.next(), Some((0, 0)));
    assert_eq!((na.get(), nb.get()), (1, 1));
}

#[test]
fn accumulate_pulls_one_per_resume() {
    let (src, n) = naturals();
    let mut g = src.accumulate(|a, b| a + b);
    assert_eq!(g.by_ref().take(4).last(), Some(6));
    assert_eq!(n.get(), 4);
    let (src, n) = naturals();
    let mut g = src.accumulate_from(100, |a, b| a + b);
    assert_eq!(g.next(), Some(100));
    assert_eq!(n.get(), 0, "the initial value needs no pull");
}

#[test]
fn pairwise_pulls_two_then_one() {
    let (src, n) = naturals();
    let mut g = src.pairwise();
    assert_eq!(g.next(), Some((0, 1)));
    assert_eq!(n.get(), 2);
    assert_eq!(g.next(), Some((1, 2)));
    assert_eq!(n.get(), 3);
}

#[test]
fn batched_pulls_one_batch_per_resume() {
    let (src, n) = naturals();
    let mut g = src.batched(3);
    assert_eq!(g.next(), Some(vec![0, 1, 2]));
    assert_eq!(n.get(), 3);
}

#[test]
fn gen_flat_map_pulls_the_next_source_value_only_when_the_inner_runs_out() {
    let (src, n) = naturals();
    let mut g = src.gen_flat_map(|x| [x; 3]);
    assert_eq!(g.by_ref().take(3).count(), 3);
    assert_eq!(n.get(), 1);
    assert_eq!(g.next(), Some(1));
    assert_eq!(n.get(), 2);
}

#[test]
fn gen_chunk_by_pulls_a_group_as_it_is_read_and_one_past_it() {
    let (src, n) = naturals();
    let mut g = src.gen_chunk_by(|x| x / 3);
    let (key, group) = g.next().unwrap();
    assert_eq!((key, n.get()), (0, 1), "the outer pulls the group's first value only");
    assert_eq!(group.collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(n.get(), 4, "the first value of the next group tells this one ended");
    let (key, _unread) = g.next().unwrap();
    assert_eq!((key, n.get()), (1, 4), "the value already pulled starts the next group");
    assert_eq!(g.next().map(|(k, _)| k), Some(2));
    assert_eq!(n.get(), 7, "the outer pulled the unread 4 and 5 to skip them, then 6");
}

#[test]
fn tee_pulls_once_per_value_and_buffers_only_the_lag() {
    let (src, n) = naturals();
    let [mut a, mut b] = src.gen_tee();
    assert_eq!(a.by_ref().take(1000).count(), 1000);
    assert_eq!((n.get(), a.buffered()), (1000, 1000));
    assert_eq!(b.by_ref().take(990).count(), 990);
    assert_eq!((n.get(), a.buffered()), (1000, 10), "only what b has not read");
    let c = b.clone();
    assert_eq!(b.by_ref().take(20).count(), 20);
    assert_eq!((n.get(), a.buffered()), (1010, 20), "c holds back from 990 on");
    drop(c);
    assert_eq!(a.buffered(), 10, "a is the slowest now: b read 1000..1010 ahead of it");
    assert_eq!(a.by_ref().take(10).count(), 10);
    assert_eq!((n.get(), a.buffered()), (1010, 0));
}

#[test]
fn cycle_pulls_the_source_once() {
    let (src, n) = counted(Some(3));
    let g = cycle(src);
    assert_eq!(g.take(10).collect::<Vec<_>>(), [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    assert_eq!(n.get(), 3);
}

#[test]
fn sources_produce_on_demand() {
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let mut g = from_fn(move |()| {
        c.set(c.get() + 1);
        Some(c.get())
    });
    assert_eq!(g.next(), Some(1));
    assert_eq!(calls.get(), 1);
    assert_eq!(count(0u64, 3).islice(1_000_000, None, 1).next(), Some(3_000_000));
    assert_eq!(repeat(()).gen_take(5).count(), 5);
    let pulled = Rc::new(Cell::new(0));
    let p = pulled.clone();
    let mut wrapped = from_iter((0..).inspect(move |_| p.set(p.get() + 1)));
    assert_eq!(wrapped.next(), Some(0));
    assert_eq!(pulled.get(), 1);
}

#[test]
fn error_adaptors_pull_one_per_item() {
    let (src, n) = naturals();
    let mut g = src.gen_map(|x| if x % 2 == 0 { Ok(x) } else { Err(x) }).skip_errors(|_| {});
    assert_eq!(g.next(), Some(0));
    assert_eq!(g.next(), Some(2));
    assert_eq!(n.get(), 3);
    let (src, n) = naturals();
    let mut g = src.gen_map(|x| if x < 2 { Ok(x) } else { Err(x) }).stop_on_error();
    assert_eq!(g.by_ref().count(), 2);
    assert_eq!(n.get(), 3);
}

#[test]
fn push_through_pulls_one_per_resume() {
    let (src, n) = naturals();
    let mut g = push::through(src, push::fold(0, |t, x: i64| t + x));
    assert_eq!(g.resume(()), Step::Yielded(()));
    assert_eq!(g.resume(()), Step::Yielded(()));
    assert_eq!(n.get(), 2);
}

/// An endless stream of JSON lines; counts the bytes it handed out.
struct Endless {
    served: Rc<Cell<usize>>,
    line: u64,
    pending: Vec<u8>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.pending = format!("{{\"n\": {}}}\n", self.line).into_bytes();
            self.line += 1;
        }
        let k = buf.len().min(self.pending.len());
        buf[..k].copy_from_slice(&self.pending[..k]);
        self.pending.drain(..k);
        self.served.set(self.served.get() + k);
        Ok(k)
    }
}

fn endless() -> (impl BufRead, Rc<Cell<usize>>) {
    let served = Rc::new(Cell::new(0));
    (endless_counted(&served), served)
}

/// An endless stream of JSON lines counting the bytes it handed out in `served`.
fn endless_counted(served: &Rc<Cell<usize>>) -> impl BufRead + use<> {
    let r = Endless { served: served.clone(), line: 0, pending: Vec::new() };
    BufReader::with_capacity(64, r)
}

#[test]
fn streams_read_one_line_at_a_time_from_an_endless_reader() {
    let (reader, served) = endless();
    let mut records = stream::json_lines::<serde_json::Value, _>(reader).stop_on_error();
    let first: Vec<i64> = records.by_ref().take(3).map(|v| v["n"].as_i64().unwrap()).collect();
    assert_eq!(first, [0, 1, 2]);
    assert!(served.get() <= 64 + 12 * 3, "read {} bytes for 3 short lines", served.get());

    let (reader, served) = endless();
    let mut lines = stream::lines(reader);
    assert_eq!(lines.next().unwrap().unwrap(), "{\"n\": 0}");
    assert!(served.get() <= 64);
}

#[test]
fn type_changing_adaptors_pull_one_per_resume() {
    let (src, n) = naturals();
    let mut g = src.gen_err_into::<String>().gen_map_err(|e| e + "!").gen_ignore_send::<u8>();
    assert_eq!(g.state(), State::Created);
    assert_eq!(g.resume(7), Step::Yielded(0));
    assert_eq!(g.resume(7), Step::Yielded(1));
    assert_eq!(n.get(), 2);
    let (src, n) = naturals();
    let mut g = src.gen_refuse_send(|_: Option<u8>| unreachable!("Infallible source"));
    assert_eq!(g.resume(None), Step::Yielded(0));
    assert_eq!(n.get(), 1);
}

#[test]
fn itertools_forms_pull_what_cpython_pulls() {
    let (src, n) = naturals();
    let mut g = src.filter_false(|x| x % 5 != 4);
    assert_eq!(g.next(), Some(4));
    assert_eq!(n.get(), 5);

    let (src, n) = naturals();
    let mut g = src.compress([false, false, true].into_iter().cycle());
    assert_eq!(g.next(), Some(2));
    assert_eq!(n.get(), 3);

    let (src, n) = naturals();
    let mut g = src.gen_map(|x| (x, 2)).starmap(|a, b| a * b);
    assert_eq!(g.next(), Some(0));
    assert_eq!(n.get(), 1);

    let (src, n) = naturals();
    let mut g = src.accumulate_sum();
    assert_eq!(g.by_ref().take(4).collect::<Vec<_>>(), [0, 1, 3, 6]);
    assert_eq!(n.get(), 4);

    let (a, na) = counted(Some(1));
    let (b, nb) = naturals();
    let mut g = a.gen_zip_longest(b);
    assert_eq!(g.next(), Some((Some(0), Some(0))));
    assert_eq!((na.get(), nb.get()), (1, 1));
    assert_eq!(g.next(), Some((None, Some(1))));
    assert_eq!((na.get(), nb.get()), (1, 2));

    let (a, na) = naturals();
    let (b, nb) = naturals();
    let mut g = combinators::zip_all([a, b]);
    assert_eq!(g.next(), Some(vec![0, 0]));
    assert_eq!((na.get(), nb.get()), (1, 1));

    let made = Rc::new(Cell::new(0));
    let m = made.clone();
    let mut g = combinators::chain_from_iterable(std::iter::repeat_with(move || {
        m.set(m.get() + 1);
        counted(Some(2)).0
    }));
    assert_eq!(g.by_ref().take(3).collect::<Vec<_>>(), [0, 1, 0]);
    assert_eq!(made.get(), 2, "the next generator is made when the one before has ended");
}
