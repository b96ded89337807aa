//! Many live generators: the programs of CPython's `Lib/test/test_generators.py` that keep
//! thousands of generators alive at once (issue 10, item 4), with CPython's timing of the same
//! programs in `benches/cpython_live.py`.
//!
//! Ids: group `live`, `m235_stackful` (the naive Hamming numbers: `times`, `merge` and `m235`
//! generator functions, one generator per call, 100 terms; about 15,000 generators alive at
//! the end), `sieve_stackful` (the faithful sieve: one `exclude_multiples` and one `sieve`
//! generator per prime, 2,000 primes, a chain about 4,000 deep), and `roundtrip_stackful` (one
//! `next()` of a single generator, for the hop ratio: a sieve hop is one resume-yield pair of
//! one generator of the chain, 4,043,625 per sieve run).
//!
//! A sieve hop also carries what a round trip of a counter does not: its share of creating
//! and dropping the 4,000 generators of each run, the filter's `%`, and the bench's hop count.
//! So `chain_stackful/N` measures the hop alone: one item through a chain of N
//! `exclude_multiples` filters (a modulus that excludes nothing) over a counter, N + 1 hops
//! per item, built once; the report gives its ns per hop at N = 1, 100, 1,000 and 4,000 and
//! the ratio to N = 1 (the same body work, with no chain to keep in the caches).
//! `chain_corosensei/N` is the same chain on raw corosensei coroutines (their own
//! `DefaultStack`s of the default size): the backend's floor.
//!
//! The floor of m235 and what it is made of: `m235_corosensei` (the same program on raw
//! corosensei, stacks reused from a plain per-thread `Vec`: no resident-memory bound, no
//! guard-page registry, no close protocol; dropping a suspended coroutine is corosensei's
//! forced unwind), `close_suspended_stackful` and `close_suspended_corosensei` (create a
//! generator, resume it once, drop it suspended: the drop unwinds its stack; compare with
//! `create/stackful_pooled` and `create/corosensei_reused`, which run it to its end instead).

use std::cell::RefCell;
use std::hint::black_box;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use criterion::{criterion_group, criterion_main};
use stasis::Gen;
use stasis_bench::clock::Criterion;
use stasis_bench::live::{filter_chain, hops, intsfrom, raw_filter_chain, reset_hops, sieve};

/// `def times(n, g): for i in g: yield n * i`
fn times(n: u64, g: Gen<u64>) -> Gen<u64> {
    Gen::new(move |co, ()| {
        for i in g {
            co.yield_(n * i);
        }
    })
}

/// The body of CPython's `merge(g, h)`: two increasing streams, merged without duplicates,
/// each value handed to `yield_` (a yield from inside this call on either backend).
fn merge_body(
    mut g: impl Iterator<Item = u64>,
    mut h: impl Iterator<Item = u64>,
    mut yield_: impl FnMut(u64),
) {
    let (Some(mut ng), Some(mut nh)) = (g.next(), h.next()) else { return };
    loop {
        if ng < nh {
            yield_(ng);
            let Some(n) = g.next() else { return };
            ng = n;
        } else if ng > nh {
            yield_(nh);
            let Some(n) = h.next() else { return };
            nh = n;
        } else {
            yield_(ng);
            let (Some(a), Some(b)) = (g.next(), h.next()) else { return };
            (ng, nh) = (a, b);
        }
    }
}

/// CPython's `merge(g, h)`.
fn merge(g: Gen<u64>, h: Gen<u64>) -> Gen<u64> {
    Gen::new(move |co, ()| merge_body(g, h, |v| co.yield_(v)))
}

/// CPython's naive `m235()`: yields 1, then the merge of 2, 3 and 5 times fresh `m235()`s.
fn m235() -> Gen<u64> {
    Gen::new(|co, ()| {
        co.yield_(1);
        for i in merge(times(2, m235()), merge(times(3, m235()), times(5, m235()))) {
            co.yield_(i);
        }
    })
}

thread_local! {
    /// The raw corosensei floor's stacks, reused newest first (what a minimal pool does).
    static SPARE: RefCell<Vec<DefaultStack>> = const { RefCell::new(Vec::new()) };
}

/// A raw corosensei coroutine on a reused stack, as an iterator; dropping it unwinds a
/// suspended body (corosensei's `force_unwind`) and keeps the stack for the next one.
struct Raw(Option<Coroutine<(), u64, (), DefaultStack>>);

impl Raw {
    fn new(body: impl FnOnce(&Yielder<(), u64>) + 'static) -> Raw {
        let stack = SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_else(|| {
            DefaultStack::new(stasis::DEFAULT_STACK_SIZE).expect("the OS refused a stack")
        });
        Raw(Some(Coroutine::with_stack(stack, |y: &Yielder<(), u64>, ()| body(y))))
    }
}

impl Iterator for Raw {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let co = self.0.as_mut()?;
        if co.done() {
            return None;
        }
        match co.resume(()) {
            CoroutineResult::Yield(v) => Some(v),
            CoroutineResult::Return(()) => None,
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        if let Some(mut co) = self.0.take() {
            co.force_unwind();
            let stack = co.into_stack();
            SPARE.with(|s| s.borrow_mut().push(stack));
        }
    }
}

/// [`times`] on raw corosensei.
fn raw_times(n: u64, g: Raw) -> Raw {
    Raw::new(move |y| {
        for i in g {
            y.suspend(n * i);
        }
    })
}

/// [`merge`] on raw corosensei.
fn raw_merge(g: Raw, h: Raw) -> Raw {
    Raw::new(move |y| merge_body(g, h, |v| y.suspend(v)))
}

/// [`m235`] on raw corosensei: the floor for a stackful backend.
fn raw_m235() -> Raw {
    Raw::new(|y| {
        y.suspend(1);
        for i in raw_merge(
            raw_times(2, raw_m235()),
            raw_merge(raw_times(3, raw_m235()), raw_times(5, raw_m235())),
        ) {
            y.suspend(i);
        }
    })
}

/// Chain lengths of `chain_stackful` (the report reads the same list: `CHAIN` in
/// xtask/src/bench/inputs.rs).
const CHAIN: [usize; 4] = [1, 100, 1000, 4000];

/// Chain lengths of `chain_corosensei`.
const CHAIN_RAW: [usize; 2] = [1, 4000];

fn live(c: &mut Criterion) {
    let mut group = c.benchmark_group("live");
    group.sample_size(10);

    assert_eq!(m235().nth(99), Some(1536), "the 100th Hamming number");
    group.bench_function("m235_stackful", |b| {
        b.iter(|| black_box(m235().take(100).last()));
    });
    assert_eq!(raw_m235().nth(99), Some(1536), "the 100th Hamming number, raw corosensei");
    group.bench_function("m235_corosensei", |b| {
        b.iter(|| black_box(raw_m235().take(100).last()));
    });
    // Unmaps the floor's 15,337 stacks (30,674 mappings), which would otherwise count against
    // `vm.max_map_count` in the chain benches below.
    SPARE.with(|s| s.borrow_mut().clear());

    reset_hops();
    assert_eq!(sieve(intsfrom(2)).nth(1999), Some(17389), "the 2,000th prime");
    // The report (xtask/src/bench/report.rs, `SIEVE_HOPS`) divides by this count.
    assert_eq!(hops(), 4_043_625, "resume-yield pairs in one sieve run");
    group.bench_function("sieve_stackful", |b| {
        b.iter(|| black_box(sieve(intsfrom(2)).take(2000).last()));
    });

    let mut counter = Gen::new(|co, ()| {
        let mut i = 0u64;
        loop {
            co.yield_(i);
            i += 1;
        }
    });
    group.bench_function("roundtrip_stackful", |b| b.iter(|| black_box(counter.next())));

    for n in CHAIN {
        let mut chain = filter_chain(n);
        group.bench_function(format!("chain_stackful/{n}"), |b| {
            b.iter(|| black_box(chain.next()));
        });
    }
    for n in CHAIN_RAW {
        let mut chain = raw_filter_chain(n, 1);
        group.bench_function(format!("chain_corosensei/{n}"), |b| {
            b.iter(|| match chain.resume(()) {
                CoroutineResult::Yield(i) => black_box(i),
                CoroutineResult::Return(()) => unreachable!("the counter is endless"),
            });
        });
    }

    group.sample_size(100);
    group.bench_function("close_suspended_stackful", |b| {
        b.iter(|| {
            let mut g = Gen::new(|co, ()| {
                co.yield_(1u64);
                co.yield_(2);
            });
            black_box(g.next());
        })
    });
    group.bench_function("close_suspended_corosensei", |b| {
        b.iter(|| {
            let mut g = Raw::new(|y| {
                y.suspend(1);
                y.suspend(2);
            });
            black_box(g.next());
        })
    });

    group.finish();
}

criterion_group! { name = benches; config = stasis_bench::clock::criterion(); targets = live }
criterion_main!(benches);
