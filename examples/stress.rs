//! Stress: many threads, many generators, random resume / send / throw / close / drop orders,
//! injected panics, delegation chains, deep bodies, threads that exit holding suspended
//! generators, and `fork()` while all of that runs (issue 10's campaign, as a program of the
//! project's own).
//!
//! Checked after every round: every `finally` guard ran exactly once (each guard counts its
//! drops), every forked child exited 0 in time, and from the second round on, resident memory
//! and the number of memory mappings stay flat (no leaked stacks, alternate signal stacks or
//! registry entries).
//!
//! `cargo xtask asan` runs a small form without fork and without the footprint check.
//!
//! Run with `cargo xtask stress` (a short form, under a minute, as CI does) or
//! `cargo xtask stress --full` (32 threads, 100 rounds). Directly:
//! `cargo run --release -p stasis --example stress -- [--full] [--seed N]`.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use stasis::prelude::*;

#[path = "../tests/it/support/kit.rs"]
mod kit;
use kit::{Child, Rng, recurse};

/// How hard to push.
#[derive(Debug, Clone, Copy)]
struct Scale {
    rounds: usize,
    threads: usize,
    /// Random operations per thread per round.
    ops: usize,
    /// Children forked per round.
    forks: usize,
}

const SHORT: Scale = Scale { rounds: 6, threads: 4, ops: 20_000, forks: 20 };
const FULL: Scale = Scale { rounds: 100, threads: 32, ops: 200_000, forks: 100 };
/// Under `cargo xtask asan` (`STASIS_ASAN` set): a debug build with ASan's bookkeeping, no
/// fork (ASan's runtime is not fork-safe with threads running), and no footprint check (ASan
/// keeps freed memory in quarantine).
const ASAN: Scale = Scale { rounds: 3, threads: 2, ops: 2_000, forks: 0 };

/// The generators of the stress: yield `u64`, return `u64`, take `u64`, raise `u64`.
type G = Gen<u64, u64, u64, u64>;

/// A value sent to a generator that makes its body panic.
const PANIC: u64 = u64::MAX;

/// The panic message of an injected panic (the hook keeps it off stderr).
const INJECTED: &str = "stress: injected panic";

/// A `finally:` block: counts its drops in a counter the checker reads.
struct Finally(Arc<AtomicU32>);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Every guard made on one thread in one round, to check each ran exactly once.
#[derive(Default)]
struct Guards(RefCell<Vec<Arc<AtomicU32>>>);

impl Guards {
    fn new_guard(&self) -> Finally {
        let counter = Arc::new(AtomicU32::new(0));
        self.0.borrow_mut().push(Arc::clone(&counter));
        Finally(counter)
    }

    /// Guards that ran other than once: `(ran never, ran more than once)`.
    fn check(&self) -> (usize, usize) {
        let guards = self.0.borrow();
        let never = guards.iter().filter(|c| c.load(Ordering::Relaxed) == 0).count();
        let twice = guards.iter().filter(|c| c.load(Ordering::Relaxed) > 1).count();
        (never, twice)
    }
}

/// A body that yields `len` values, handles even errors thrown in, re-raises odd ones, panics
/// when sent [`PANIC`], and runs its guard however it ends.
fn counter(guard: Finally, len: u64) -> impl FnOnce(&Co<u64, u64, u64>, u64) -> u64 {
    move |co, _| {
        let _guard = guard;
        let mut i = 0;
        while i < len {
            match co.try_yield(i) {
                Ok(PANIC) => panic!("{INJECTED}"),
                Ok(_) => {}
                Err(Thrown::Error(e)) if e % 2 == 0 => {}
                Err(thrown) => co.raise(thrown),
            }
            i += 1;
        }
        i
    }
}

/// A generator of one of four kinds: a counter, a delegation chain of counters, a deep body on
/// a larger stack, or a counter on an unpooled stack.
fn make(rng: &mut Rng, guards: &Guards) -> G {
    let len = 1 + rng.below(8);
    match rng.below(8) {
        0 => {
            // A delegation chain: each level runs its own guard.
            let depth = 1 + rng.below(6);
            let mut g = Gen::throwing(counter(guards.new_guard(), len));
            for _ in 0..depth {
                let guard = guards.new_guard();
                let sub = g;
                g = Gen::throwing(move |co: &Co<u64, u64, u64>, _| {
                    let _guard = guard;
                    co.yield_from(sub) + 1
                });
            }
            g
        }
        1 => {
            // A deep body: about 400 KiB of a 1 MiB stack (ASan's redzones need room too),
            // then the counter.
            let guard = guards.new_guard();
            Gen::builder()
                .stack_size(1 << 20)
                .build_throwing(move |co: &Co<u64, u64, u64>, s| {
                    let depth = recurse(400 << 10);
                    counter(guard, len)(co, s) + depth
                })
                .expect("a 1 MiB stack")
        }
        2 => Gen::builder()
            .pooled(false)
            .build_throwing(counter(guards.new_guard(), len))
            .expect("an unpooled stack"),
        _ => Gen::throwing(counter(guards.new_guard(), len)),
    }
}

/// One thread's share of a round: random operations on a set of live generators, then exit
/// holding whatever is still suspended.
fn worker(seed: u64, ops: usize) -> (usize, usize) {
    let guards = Guards::default();
    let mut rng = Rng(seed);
    let mut live: Vec<G> = Vec::new();
    for _ in 0..ops {
        if live.is_empty() || (live.len() < 64 && rng.below(4) == 0) {
            live.push(make(&mut rng, &guards));
            continue;
        }
        let at = rng.below(live.len() as u64) as usize;
        let g = &mut live[at];
        let outcome = catch_unwind(AssertUnwindSafe(|| match rng.below(16) {
            0 => {
                g.close().ok();
            }
            1 => {
                let _ = g.throw(rng.below(4));
            }
            2 => {
                let _ = g.resume(PANIC);
            }
            3 => {
                // Dropped below.
            }
            _ => {
                let _ = g.resume(rng.next() >> 1);
            }
        }));
        let finished = outcome.is_err() || g.state() == State::Closed || rng.below(32) == 0;
        if finished {
            drop(live.swap_remove(at));
        }
    }
    // The thread exits holding suspended generators: they close (running their guards) when
    // the closure returns.
    drop(live);
    guards.check()
}

/// Resident bytes and memory mappings of this process.
fn footprint() -> (usize, usize) {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps").lines().count();
    (pages * 4096, maps)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let asan = std::env::var_os("STASIS_ASAN").is_some();
    let scale = if asan {
        ASAN
    } else if args.iter().any(|a| a == "--full") {
        FULL
    } else {
        SHORT
    };
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(20261130u64);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let injected = info.payload().downcast_ref::<String>().is_some_and(|m| m == INJECTED);
        if !injected {
            default_hook(info);
        }
    }));
    println!("stress: {scale:?}, seed {seed}");
    let mut baseline = None;
    let mut failures = Vec::new();
    let started = Instant::now();
    for round in 0..scale.rounds {
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..scale.threads)
            .map(|t| {
                let seed = seed ^ ((round as u64) << 32) ^ t as u64;
                std::thread::spawn(move || worker(seed, scale.ops))
            })
            .collect();
        // Churn unpooled stacks while forking, so the registry's lock is often held.
        let churn = kit::churn(1, &stop);
        let hung_or_failed = (0..scale.forks)
            .filter(|_| kit::fork_child(Duration::from_secs(10)) != Child::Ok)
            .count();
        let mut bad_guards = (0, 0);
        for w in workers {
            match w.join() {
                Ok((never, twice)) => {
                    bad_guards.0 += never;
                    bad_guards.1 += twice;
                }
                Err(_) => failures.push(format!("round {round}: a worker panicked")),
            }
        }
        stop.store(true, Ordering::Relaxed);
        for t in churn {
            t.join().expect("the churn thread");
        }
        stasis::clear_pool();
        if bad_guards != (0, 0) {
            failures.push(format!(
                "round {round}: {} guards never ran, {} ran more than once",
                bad_guards.0, bad_guards.1
            ));
        }
        if hung_or_failed > 0 {
            failures
                .push(format!("round {round}: {hung_or_failed} forked children hung or failed"));
        }
        let (rss, maps) = footprint();
        println!(
            "round {round:3}: RSS {:6.1} MiB, {maps} mappings ({:.1} s)",
            rss as f64 / (1 << 20) as f64,
            started.elapsed().as_secs_f64()
        );
        // Round 0 warms the allocator's arenas; from round 1 on nothing may grow.
        match baseline {
            _ if asan => {}
            None if round >= 1 => baseline = Some((rss, maps)),
            Some((rss0, maps0)) => {
                if maps > maps0 + 64 {
                    failures.push(format!("round {round}: {maps} mappings, {maps0} after round 1"));
                }
                if rss > rss0 + (32 << 20) {
                    failures.push(format!(
                        "round {round}: RSS {} MiB, {} MiB after round 1",
                        rss >> 20,
                        rss0 >> 20
                    ));
                }
            }
            None => {}
        }
    }
    if failures.is_empty() {
        println!("stress: ok ({:.1} s)", started.elapsed().as_secs_f64());
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("stress: FAILED: {f}");
        }
        ExitCode::FAILURE
    }
}
