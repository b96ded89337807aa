//! Cost of the lazy combinators.
//!
//! Group `combinators`:
//! - `std_iter_chain`: `map -> filter -> take(1000)` with std's `Iterator` adaptors over a
//!   state-machine source (`from_coroutine`), summed;
//! - `state_machine_chain`: the same chain with `GeneratorExt`'s protocol-keeping adaptors
//!   (`gen_map -> gen_filter -> gen_take`) over the same source: the goal is at most 1.1x
//!   `std_iter_chain`;
//! - `stackful_stage/{1,2,4,8}`: one `next()` through `k` `gen_map` stages over a long-lived
//!   stackful source; the cost per stage is the slope, `(t8 - t1) / 7` (goal: at most 1 ns).
#![feature(coroutines)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main};
use stasis::prelude::*;
use stasis_bench::clock::Criterion;

const CHAIN_LEN: usize = 1000;

/// An endless state-machine source yielding `start, start + 1, ...`.
fn source(
    start: u64,
) -> impl Generator<(), Yield = u64, Return = (), Error = std::convert::Infallible> + Iterator<Item = u64>
{
    from_coroutine(
        #[coroutine]
        move || {
            let mut i = start;
            loop {
                yield i;
                i = i.wrapping_add(1);
            }
        },
    )
}

/// `k` `gen_map` stages over `$g`, each adding 1.
macro_rules! stages {
    ($g:expr;) => { $g };
    ($g:expr; $_stage:tt $($rest:tt)*) => {
        stages!($g.gen_map(|x: u64| x.wrapping_add(1)); $($rest)*)
    };
}

fn chains(c: &mut Criterion) {
    let mut group = c.benchmark_group("combinators");

    group.bench_function("std_iter_chain", |b| {
        b.iter(|| {
            source(black_box(1))
                .map(|x| x.wrapping_mul(3))
                .filter(|x| x % 4 != 0)
                .take(CHAIN_LEN)
                .sum::<u64>()
        })
    });
    group.bench_function("state_machine_chain", |b| {
        b.iter(|| {
            source(black_box(1))
                .gen_map(|x| x.wrapping_mul(3))
                .gen_filter(|x| x % 4 != 0)
                .gen_take(CHAIN_LEN)
                .sum::<u64>()
        })
    });

    let mut s1 = stages!(stasis_bench::counter(); a);
    group.bench_function("stackful_stage/1", |b| b.iter(|| s1.next().unwrap_or(u64::MAX)));
    let mut s2 = stages!(stasis_bench::counter(); a a);
    group.bench_function("stackful_stage/2", |b| b.iter(|| s2.next().unwrap_or(u64::MAX)));
    let mut s4 = stages!(stasis_bench::counter(); a a a a);
    group.bench_function("stackful_stage/4", |b| b.iter(|| s4.next().unwrap_or(u64::MAX)));
    let mut s8 = stages!(stasis_bench::counter(); a a a a a a a a);
    group.bench_function("stackful_stage/8", |b| b.iter(|| s8.next().unwrap_or(u64::MAX)));

    group.finish();
}

criterion_group! { name = combinators; config = stasis_bench::clock::criterion(); targets = chains }
criterion_main!(combinators);
