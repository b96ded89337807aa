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

use std::hint::black_box;

use corosensei::CoroutineResult;
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

/// CPython's `merge(g, h)`: two increasing streams, merged without duplicates.
fn merge(mut g: Gen<u64>, mut h: Gen<u64>) -> Gen<u64> {
    Gen::new(move |co, ()| {
        let (Some(mut ng), Some(mut nh)) = (g.next(), h.next()) else { return };
        loop {
            if ng < nh {
                co.yield_(ng);
                let Some(n) = g.next() else { return };
                ng = n;
            } else if ng > nh {
                co.yield_(nh);
                let Some(n) = h.next() else { return };
                nh = n;
            } else {
                co.yield_(ng);
                let (Some(a), Some(b)) = (g.next(), h.next()) else { return };
                (ng, nh) = (a, b);
            }
        }
    })
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

    group.finish();
}

criterion_group! { name = benches; config = stasis_bench::clock::criterion(); targets = live }
criterion_main!(benches);
