//! Where a hop of a long live chain goes: the measurements behind "Colour" in
//! `crates/stasis-core/src/stackful/stack.rs` and the live tier's address order in `pool.rs`
//! (issue 10, item 4). Not a criterion bench (`benches/live.rs` holds those): a tool to run
//! by hand, printing the thread's CPU time per hop (the best of 5 passes).
//!
//! ```text
//! cargo run --release -p stasis-bench --example hops -- chain [1,10,100,1000,4000]
//!     ns per resume-yield pair through a chain of N generators over a counter:
//!     `pass` (for i in g: yield i), `filter` (the sieve's exclude_multiples, passing all:
//!     stasis_bench::live::filter_chain), `corosensei` (the filter on raw corosensei, its own
//!     default-size stacks) and `coloured` (the same with stasis's colours: the backend's
//!     floor with stasis's placement)
//!     HOPS_SCRAMBLE=1: first fill this thread's pool with 9,000 stacks returned in a
//!     scrambled order (no difference since the live tier hands out stacks by address)
//! cargo run --release -p stasis-bench --example hops -- sieve
//!     CPython's sieve for 2,000 primes, 6 runs: time to the 2,000th prime, and to drop the chain
//! valgrind --tool=lackey --trace-mem=yes target/release/examples/hops trace 50 2> trace.txt
//!     10 items through a 50-deep pass chain between the lines MARK_BEGIN and MARK_END, then
//!     /proc/self/maps: which cache lines of each stack one hop touches
//! ```
//!
//! Figures from this machine (2 shared cores, AMD EPYC, 48 KiB L1d, 1 MiB L2 per core), one
//! sitting, before → after the colours: `pass` 1 deep 2.16 → 2.18 ns, 100 deep 11.1 → 7.7 ns,
//! 1,000 deep 15.3 → 10.4 ns, 4,000 deep 26.1 → 21.3 ns; `filter` 4,000 deep 26.8 → 16.4 ns.
//! The filter on raw corosensei, 4,000 deep: 27.5 ns on its own layout, 17.9 ns coloured
//! (1 deep: 1.84 ns); on stasis 14.7 ns (1 deep: 2.45 ns).
//! lackey: a hop touches 2 lines of the resumed stack on raw corosensei, 5 on stasis (`pass`).

use std::hint::black_box;
use std::time::Duration;

use corosensei::CoroutineResult;
use stasis::Gen;
use stasis_bench::counter;
use stasis_bench::live::{filter_chain, hops, intsfrom, raw_filter_chain, reset_hops, sieve};

/// This thread's CPU time.
fn cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `clock_gettime` writes one `timespec` into the valid `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn pass(g: Gen<u64>) -> Gen<u64> {
    Gen::new(move |co, ()| {
        for i in g {
            co.yield_(i);
        }
    })
}

/// Best ns per hop over 5 passes of `items` items through `next`, `hops` hops per item.
fn per_hop(mut next: impl FnMut() -> Option<u64>, hops: usize, items: usize) -> f64 {
    for _ in 0..1000 {
        black_box(next());
    }
    (0..5)
        .map(|_| {
            let start = cpu();
            for _ in 0..items {
                black_box(next());
            }
            (cpu() - start).as_nanos() as f64 / (items * hops) as f64
        })
        .fold(f64::MAX, f64::min)
}

fn chain(lengths: &[usize]) {
    if std::env::var_os("HOPS_SCRAMBLE").is_some() {
        let mut gens: Vec<_> =
            (0..9000u64).map(|i| Some(Gen::new(move |co, ()| co.yield_(i)))).collect();
        for i in (0..gens.len()).map(|i| i * 7919 % 9000) {
            gens[i] = None;
        }
    }
    println!("{:>6} {:>8} {:>8} {:>10} {:>8}", "chain", "pass", "filter", "corosensei", "coloured");
    for &n in lengths {
        let items = (4_000_000 / (n + 1)).max(200);
        let mut g = (0..n).fold(counter(), |g, _| pass(g));
        let pass = per_hop(|| g.next(), n + 1, items);
        let mut g = filter_chain(n);
        let filter = per_hop(|| g.next(), n + 1, items);
        let raw = |colours| {
            let mut g = raw_filter_chain(n, colours);
            per_hop(
                || match g.resume(()) {
                    CoroutineResult::Yield(i) => Some(i),
                    CoroutineResult::Return(()) => None,
                },
                n + 1,
                items,
            )
        };
        let (raw, coloured) = (raw(1), raw(32));
        println!("{n:>6} {pass:>8.2} {filter:>8.2} {raw:>10.2} {coloured:>8.2}");
    }
}

fn sieve_runs() {
    for _ in 0..6 {
        reset_hops();
        let start = cpu();
        let mut g = sieve(intsfrom(2));
        assert_eq!(g.by_ref().nth(1999), Some(17389));
        let ran = cpu();
        drop(g);
        let dropped = cpu();
        let hops = hops();
        println!(
            "run {:6.1} ms ({:5.2} ns per hop)  drop {:5.1} ms",
            (ran - start).as_secs_f64() * 1e3,
            (ran - start).as_nanos() as f64 / hops as f64,
            (dropped - ran).as_secs_f64() * 1e3,
        );
    }
}

fn trace(n: usize) {
    let mut g = (0..n).fold(counter(), |g, _| pass(g));
    for _ in 0..100 {
        black_box(g.next());
    }
    eprintln!("MARK_BEGIN");
    for _ in 0..10 {
        black_box(g.next());
    }
    eprintln!("MARK_END");
    eprintln!("{}", std::fs::read_to_string("/proc/self/maps").expect("Linux"));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("chain") => {
            let lengths = arg(1).map_or(vec![1, 10, 100, 1000, 4000], |list| {
                list.split(',').map(|n| n.parse().expect("a chain length")).collect()
            });
            chain(&lengths);
        }
        Some("sieve") => sieve_runs(),
        Some("trace") => trace(arg(1).map_or(50, |n| n.parse().expect("a chain length"))),
        _ => eprintln!("usage: hops chain [N,N,..] | sieve | trace [N]"),
    }
}
