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
//!   next with `yield_from!`; the outermost body drives the innermost directly (O(1) per item).
//! - `state_machine_reyield/1`: one state machine re-yielding the items of another by hand
//!   (what `yield_from!` expanded to before flat delegation): the reference for
//!   `state_machine/1` in the same run.
//! - `state_machine_throwing/d`: the same with `from_throwing_coroutine` and
//!   `yield_from_throwing!`.
//! - `mixed/d`: `d + 1` levels of state machines delegating with `yield_from!`, except the
//!   middle level (index `(d + 1) / 2`, the innermost at depth 1), a stackful `Gen` delegating
//!   with `co.yield_from`: state machine → stackful → state machine.
//! - `mixed_reverse/d`: the reverse: stackful `Gen`s, except the middle level, a state machine.
//!
//! The closing figure of the delegation issues is `x/1000 ÷ x/1` (goal ≤ 1.5), from one run.
#![feature(coroutines)]

use std::convert::Infallible;

use criterion::{Throughput, criterion_group, criterion_main};
use stasis::{
    Co, Gen, Generator, Step, Thrown, from_coroutine, from_throwing_coroutine, yield_from,
    yield_from_throwing,
};
use stasis_bench::clock::Criterion;

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

/// The endless counter as a state machine.
fn machine_counter() -> Machine {
    Box::new(stasis_bench::counter_machine())
}

/// A state machine delegating to `sub` with `yield_from!`.
fn machine_level(sub: Machine) -> Machine {
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            let _ = yield_from!(sub);
        },
    ))
}

/// Before flat delegation: a state machine delegating to the counter by re-yielding each of
/// its items (what `yield_from!` expanded to), the reference for `state_machine/1`.
fn machine_reyield() -> Machine {
    let mut sub = machine_counter();
    Box::new(from_coroutine(
        #[coroutine]
        move || {
            loop {
                match sub.resume(()) {
                    Step::Yielded(v) => yield v,
                    _ => return,
                }
            }
        },
    ))
}

/// `depth + 1` state machines, each delegating to the next with `yield_from!`.
fn machine_chain(depth: u32) -> Machine {
    (0..depth).fold(machine_counter(), |sub, _| machine_level(sub))
}

type Throwing = Box<dyn Generator<Yield = u64, Return = (), Error = String>>;

/// `depth + 1` throwing state machines, each delegating to the next with
/// `yield_from_throwing!`.
fn throwing_chain(depth: u32) -> Throwing {
    let counter: Throwing = Box::new(from_throwing_coroutine(
        #[coroutine]
        |_: Result<(), Thrown<String>>| {
            let mut i = 0u64;
            loop {
                (yield i)?;
                i = i.wrapping_add(1);
            }
        },
    ));
    (0..depth).fold(counter, |sub, _| {
        Box::new(from_throwing_coroutine(
            #[coroutine]
            move |_: Result<(), Thrown<String>>| yield_from_throwing!(sub),
        ))
    })
}

/// A level of a mixed chain: stackful levels stay `Gen`s so that a stackful delegator adopts
/// them (a `Box<dyn Generator>` is delegated to through the protocol).
enum Mixed {
    Stackful(Gen<u64>),
    Machine(Machine),
}

impl Mixed {
    fn boxed(self) -> Machine {
        match self {
            Mixed::Stackful(g) => Box::new(g),
            Mixed::Machine(m) => m,
        }
    }
}

/// A stackful generator delegating to `sub` with `co.yield_from`.
fn gen_level(sub: Mixed) -> Gen<u64> {
    // Room for the state machines below it to start: a level that delegates before it
    // yields starts its delegate from inside its own resume (see stasis-delegate's docs).
    let builder = Gen::builder().stack_size(1 << 20);
    match sub {
        Mixed::Stackful(g) => builder.build(move |co, ()| co.yield_from(g)),
        Mixed::Machine(m) => builder.build(move |co, ()| co.yield_from(m)),
    }
    .expect("a generator stack")
}

/// `depth + 1` levels, the middle one (index `(depth + 1) / 2`) of the other backend: state
/// machines around a stackful `Gen` (`reverse`: stackful `Gen`s around a state machine).
fn mixed_chain(depth: u32, reverse: bool) -> Machine {
    let middle = depth.div_ceil(2);
    // Level `i` counts from the outermost (0) to the innermost (`depth`).
    let stackful = |i: u32| (i == middle) != reverse;
    let mut chain = if stackful(depth) {
        Mixed::Stackful(Gen::new(|co, ()| count_forever(co)))
    } else {
        Mixed::Machine(machine_counter())
    };
    for i in (0..depth).rev() {
        chain = if stackful(i) {
            Mixed::Stackful(gen_level(chain))
        } else {
            Mixed::Machine(machine_level(chain.boxed()))
        };
    }
    chain.boxed()
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
    let mut g = machine_reyield();
    group.bench_function("state_machine_reyield/1", |b| b.iter(|| item(next_machine(&mut g))));
    for depth in DEPTHS {
        let mut g = throwing_chain(depth);
        group.bench_function(format!("state_machine_throwing/{depth}"), |b| {
            b.iter(|| item(g.resume(()).yielded()))
        });
    }
    for (form, reverse) in [("mixed", false), ("mixed_reverse", true)] {
        for depth in DEPTHS {
            let mut g = mixed_chain(depth, reverse);
            group.bench_function(format!("{form}/{depth}"), |b| {
                b.iter(|| item(next_machine(&mut g)))
            });
        }
    }
    group.finish();
}

criterion_group! { name = benches; config = stasis_bench::clock::criterion(); targets = delegation }
criterion_main!(benches);
