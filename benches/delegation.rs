//! Cost of one item through a chain of `yield from` delegations, per form and depth.
//!
//! Group `delegation`, ids `<form>/<depth>` with depth in 1, 10, 100, 1000. **Each criterion
//! iteration is exactly one item** (one `next()` of the outermost generator, which travels
//! through `depth` levels of delegation to the generator that yields it), so the reported
//! time per iteration is the cost per item; `Throughput::Elements(1)` says the same in
//! criterion's output. The chain is built once, outside the timed region, and never ends.
//!
//! `depth` counts delegation levels between the generator the consumer holds and the one that
//! yields:
//! - `inline/d`: one stackful generator whose body calls `d` nested generator *functions*
//!   (`fn level(co, d)`), the innermost yielding forever. Frames fused on one stack.
//! - `object/d`: `d + 1` stackful generator *objects*, each delegating to the next with
//!   `co.yield_from(sub)`, the innermost yielding forever. The outermost drives the innermost
//!   directly (O(1) per item).
//! - `state_machine/d`: `d + 1` nightly `#[coroutine]` state machines, each delegating to the
//!   next with `yield_from!` (each level re-yields: O(depth) per item).
//!
//! The closing figure of the delegation issue is `x/1000 ÷ x/1` for `inline` and `object`
//! (goal ≤ 1.5), beside `state_machine`'s, from one run.
#![feature(coroutines)]

use std::convert::Infallible;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stasis::{Co, Gen, Generator, from_coroutine, yield_from};

const DEPTHS: [u32; 4] = [1, 10, 100, 1000];

/// The yielded value as a plain `u64`: `black_box` of an `Option<u64>` costs a
/// store-forwarding stall that would swamp the cheapest cases (see `benches/roundtrip.rs`).
#[inline(always)]
fn item(next: Option<u64>) -> u64 {
    next.unwrap_or(u64::MAX)
}

/// An endless counter: the innermost generator of every chain.
fn count_forever(co: &Co<u64>) -> ! {
    let mut i = 0u64;
    loop {
        co.yield_(i);
        i = i.wrapping_add(1);
    }
}

/// `depth` nested generator functions, then the counter.
#[inline(never)]
fn level(co: &Co<u64>, depth: u32) {
    if depth == 0 {
        count_forever(co)
    }
    level(co, depth - 1);
    // Not reached (the counter never returns); keeps the call from being a tail call.
    std::hint::black_box(depth);
}

fn inline_chain(depth: u32) -> Gen<u64> {
    Gen::new(move |co, ()| level(co, depth))
}

/// `depth + 1` generator objects, each delegating to the next.
fn object_chain(depth: u32) -> Gen<u64> {
    Gen::builder()
        .stack_size(64 * 1024)
        .build(move |co, ()| {
            if depth == 0 {
                count_forever(co)
            }
            co.yield_from(object_chain(depth - 1));
        })
        .expect("a generator stack")
}

type Machine = Box<dyn Generator<Yield = u64, Return = (), Error = Infallible>>;

/// `depth + 1` state machines, each delegating to the next with `yield_from!`.
fn machine_chain(depth: u32) -> Machine {
    if depth == 0 {
        return Box::new(from_coroutine(
            #[coroutine]
            || {
                let mut i = 0u64;
                loop {
                    yield i;
                    i = i.wrapping_add(1);
                }
            },
        ));
    }
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            let _ = yield_from!(machine_chain(depth - 1));
        },
    ))
}

/// `Iterator::next` for a boxed state machine, through the protocol.
#[inline(always)]
fn next_machine(g: &mut Machine) -> Option<u64> {
    g.resume(()).yielded()
}

fn delegation(c: &mut Criterion) {
    let mut group = c.benchmark_group("delegation");
    group.throughput(Throughput::Elements(1));
    for depth in DEPTHS {
        let mut g = inline_chain(depth);
        group.bench_function(format!("inline/{depth}"), |b| b.iter(|| item(g.next())));
    }
    for depth in DEPTHS {
        let mut g = object_chain(depth);
        // Start the chain: the first item builds the delegate stack.
        assert_eq!(g.next(), Some(0));
        group.bench_function(format!("object/{depth}"), |b| b.iter(|| item(g.next())));
    }
    for depth in DEPTHS {
        let mut g = machine_chain(depth);
        group.bench_function(format!("state_machine/{depth}"), |b| {
            b.iter(|| item(next_machine(&mut g)))
        });
    }
    group.finish();
}

criterion_group!(benches, delegation);
criterion_main!(benches);
