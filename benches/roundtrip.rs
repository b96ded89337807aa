//! Round trip (resume + yield) of one long-lived generator, per mechanism.
//!
//! Every mechanism runs the same endless counter; each criterion iteration is exactly one
//! resume and one yield, so the generator is created once, outside the timed region, and never
//! ends. Ids (read by `cargo xtask bench`): group `roundtrip`, `stackful` (stasis `Gen` through
//! `Iterator::next`), `corosensei` (raw `resume` + `suspend`, the floor for a stack switch),
//! `state_machine` (stasis `from_coroutine`), `nightly_coroutine` (bare `#[coroutine]` with
//! `Pin::resume`), `generator_rs` (the `generator` 0.8 crate), `genawaiter` (genawaiter 0.99
//! `sync`), `iterator` (a plain `Iterator`, the floor of all).
#![feature(coroutines, coroutine_trait, stmt_expr_attributes)]

use std::hint::black_box;
use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;

use corosensei::{CoroutineResult, Yielder};
use criterion::{Criterion, criterion_group, criterion_main};

fn roundtrip(c: &mut Criterion) {
    let mut group = c.benchmark_group("roundtrip");

    let mut g = stasis_bench::counter();
    group.bench_function("stackful", |b| b.iter(|| black_box(g.next())));

    let mut raw = corosensei::Coroutine::new(|y: &Yielder<(), u64>, ()| {
        let mut i = 0u64;
        loop {
            y.suspend(i);
            i = i.wrapping_add(1);
        }
    });
    group.bench_function("corosensei", |b| {
        b.iter(|| match raw.resume(()) {
            CoroutineResult::Yield(v) => black_box(v),
            CoroutineResult::Return(never) => never,
        })
    });

    let mut sm = stasis_bench::counter_machine();
    group.bench_function("state_machine", |b| b.iter(|| black_box(sm.next())));

    let mut bare = #[coroutine]
    || {
        let mut i = 0u64;
        loop {
            yield i;
            i = i.wrapping_add(1);
        }
    };
    group.bench_function("nightly_coroutine", |b| {
        b.iter(|| match Pin::new(&mut bare).resume(()) {
            CoroutineState::Yielded(v) => black_box(v),
            CoroutineState::Complete(never) => never,
        })
    });

    let mut gen_rs = generator::Gn::<()>::new_scoped(|mut s| {
        let mut i = 0u64;
        loop {
            s.yield_(i);
            i = i.wrapping_add(1);
        }
    });
    group.bench_function("generator_rs", |b| b.iter(|| black_box(gen_rs.resume())));

    let mut ga = genawaiter::sync::Gen::new(|co| async move {
        let mut i = 0u64;
        loop {
            co.yield_(i).await;
            i = i.wrapping_add(1);
        }
    });
    group.bench_function("genawaiter", |b| {
        b.iter(|| match ga.resume() {
            genawaiter::GeneratorState::Yielded(v) => black_box(v),
            genawaiter::GeneratorState::Complete(never) => never,
        })
    });

    let mut it = (0u64..).map(|i| i.wrapping_mul(3));
    group.bench_function("iterator", |b| b.iter(|| black_box(it.next())));

    group.finish();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
