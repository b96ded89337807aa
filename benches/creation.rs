//! Creation: create a generator, run it to the end (one yield, then return), drop it.
//!
//! Ids (read by `cargo xtask bench`): group `create`, `stackful_pooled` (stasis `Gen` with the
//! per-thread stack pool, the default), `stackful_fresh` (`Gen::builder().pooled(false)`: mmap,
//! mprotect and munmap every time), `corosensei_reused` (raw `Coroutine::with_stack` on a stack
//! taken back with `into_stack`, the floor for a stackful generator), `state_machine` (stasis
//! `from_coroutine`), `stackful_after_burst` (`stackful_pooled` right after the thread's pool
//! was filled by a burst of generators of another stack size: within 1.5× of
//! `stackful_pooled` when the pool follows the sizes in use, issue 10). Stackful stacks are
//! `stasis::DEFAULT_STACK_SIZE` unless said otherwise.

use std::hint::black_box;
use std::time::{Duration, Instant};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use criterion::{criterion_group, criterion_main};
use stasis_bench::clock::Criterion;

fn create(c: &mut Criterion) {
    let mut group = c.benchmark_group("create");

    group.bench_function("stackful_pooled", |b| {
        b.iter(|| black_box(stasis_bench::drain(stasis_bench::one_shot())))
    });

    group.bench_function("stackful_fresh", |b| {
        b.iter(|| black_box(stasis_bench::drain(stasis_bench::one_shot_fresh())))
    });

    let mut spare = Some(DefaultStack::new(stasis::DEFAULT_STACK_SIZE).expect("stack"));
    group.bench_function("corosensei_reused", |b| {
        b.iter(|| {
            let stack = spare.take().expect("the stack is put back after each run");
            let mut co = Coroutine::with_stack(stack, |y: &Yielder<(), u64>, ()| {
                y.suspend(1);
            });
            let mut n = 0;
            while let CoroutineResult::Yield(v) = co.resume(()) {
                black_box(v);
                n += 1;
            }
            spare = Some(co.into_stack());
            black_box(n)
        })
    });

    group.bench_function("state_machine", |b| {
        b.iter(|| black_box(stasis_bench::drain(stasis_bench::one_shot_machine())))
    });

    group.bench_function("stackful_after_burst", |b| {
        b.iter_custom(|iters| {
            // Untimed: fill the pool with stacks of another size.
            let burst: Vec<_> = (0..stasis::POOL_CAPACITY)
                .map(|_| {
                    stasis::Gen::builder()
                        .stack_size(64 * 1024)
                        .build(|co, ()| co.yield_(1u64))
                        .expect("the OS refused a generator stack")
                })
                .collect();
            drop(burst);
            let start = Instant::now();
            for _ in 0..iters {
                black_box(stasis_bench::drain(stasis_bench::one_shot()));
            }
            let elapsed = start.elapsed();
            stasis::clear_pool();
            elapsed.max(Duration::from_nanos(1))
        })
    });

    group.finish();
}

criterion_group! { name = benches; config = stasis_bench::clock::criterion(); targets = create }
criterion_main!(benches);
