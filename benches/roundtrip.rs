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

use std::ops::{Coroutine, CoroutineState};
use std::pin::Pin;

use corosensei::{CoroutineResult, Yielder};
use criterion::{criterion_group, criterion_main};
use stasis_bench::clock::Criterion;

/// The yielded value as a plain `u64` (criterion `black_box`es each routine's output).
///
/// Every routine returns a `u64`, not an `Option<u64>`: `black_box` of a 16-byte `Option`
/// compiles to two 8-byte stores and one 16-byte load, a store-forwarding stall of about 5 ns
/// that would swamp the sub-nanosecond mechanisms.
#[inline(always)]
fn item(next: Option<u64>) -> u64 {
    next.unwrap_or(u64::MAX)
}

fn roundtrip(c: &mut Criterion) {
    let mut group = c.benchmark_group("roundtrip");

    let mut g = stasis_bench::counter();
    group.bench_function("stackful", |b| b.iter(|| item(g.next())));

    let mut raw = corosensei::Coroutine::new(|y: &Yielder<(), u64>, ()| {
        let mut i = 0u64;
        loop {
            y.suspend(i);
            i = i.wrapping_add(1);
        }
    });
    group.bench_function("corosensei", |b| {
        b.iter(|| match raw.resume(()) {
            CoroutineResult::Yield(v) => v,
            CoroutineResult::Return(never) => never,
        })
    });

    let mut sm = stasis_bench::counter_machine();
    group.bench_function("state_machine", |b| b.iter(|| item(sm.next())));

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
            CoroutineState::Yielded(v) => v,
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
    group.bench_function("generator_rs", |b| b.iter(|| item(gen_rs.resume())));

    let mut ga = genawaiter::sync::Gen::new(|co| async move {
        let mut i = 0u64;
        loop {
            co.yield_(i).await;
            i = i.wrapping_add(1);
        }
    });
    group.bench_function("genawaiter", |b| {
        b.iter(|| match ga.resume() {
            genawaiter::GeneratorState::Yielded(v) => v,
            genawaiter::GeneratorState::Complete(never) => never,
        })
    });

    let mut it = (0u64..).map(|i| i.wrapping_mul(3));
    group.bench_function("iterator", |b| b.iter(|| item(it.next())));

    group.finish();
}

criterion_group! { name = benches; config = stasis_bench::clock::criterion(); targets = roundtrip }
criterion_main!(benches);
