//! The per-thread stack pool under mixed sizes, deep bodies and many live generators (issue 10,
//! items 2 to 4): a burst of another stack size never turns pooling off, a pooled stack keeps
//! at most its top `KEEP_RESIDENT` bytes resident (`LIVE_RESIDENT` in the live tier), and the
//! pool keeps as many default-size stacks as were alive, up to `LIVE_POOL_CAPACITY`.

use crate::support::kit::recurse;
use stasis::{
    DEFAULT_STACK_SIZE, Gen, KEEP_RESIDENT, LIVE_POOL_CAPACITY, LIVE_RESIDENT, POOL_CAPACITY,
    POOL_RESERVED_BUDGET, clear_pool, pool_stats,
};

const SMALL: usize = 64 * 1024;

fn one_shot(size: usize) -> Gen<u8> {
    Gen::builder().stack_size(size).build(|co, ()| co.yield_(1)).unwrap()
}

#[test]
fn a_burst_of_another_size_costs_only_its_own_stacks() {
    std::thread::spawn(|| {
        clear_pool();
        let burst: Vec<_> = (0..POOL_CAPACITY).map(|_| one_shot(SMALL)).collect();
        drop(burst);
        assert_eq!(pool_stats().stacks, POOL_CAPACITY);
        // Usable bytes of one small stack (corosensei may round the size up).
        let small = pool_stats().reserved_bytes / POOL_CAPACITY;
        assert!((SMALL..SMALL + 3 * 4096).contains(&small), "{small}");
        // The first default generator maps a stack; dropping it evicts the least recently
        // used small one, so the pool now holds a default stack for the next generators.
        drop(one_shot(DEFAULT_STACK_SIZE));
        let stats = pool_stats();
        assert_eq!(stats.stacks, POOL_CAPACITY);
        let with_default = (POOL_CAPACITY - 1) * small + DEFAULT_STACK_SIZE + (small - SMALL);
        assert_eq!(stats.reserved_bytes, with_default, "one small stack gave way to a default one");
        for _ in 0..1000 {
            let mut g = one_shot(DEFAULT_STACK_SIZE);
            assert_eq!(pool_stats().stacks, POOL_CAPACITY - 1, "taken from the pool");
            assert_eq!(g.next(), Some(1));
        }
        assert_eq!(pool_stats().reserved_bytes, with_default);
    })
    .join()
    .unwrap();
}

#[test]
fn the_pool_keeps_its_reserved_bytes_under_the_budget() {
    std::thread::spawn(|| {
        clear_pool();
        let big = 256 << 20;
        let live: Vec<_> = (0..6).map(|_| one_shot(big)).collect();
        drop(live);
        let stats = pool_stats();
        assert_eq!(stats.stacks, POOL_RESERVED_BUDGET / big);
        // The budget counts the sizes asked for; the stats what was mapped (two pages more
        // each: the guard page, and room for the generator's reserved top bytes).
        assert!(stats.reserved_bytes <= POOL_RESERVED_BUDGET + stats.stacks * 8192, "{stats:?}");
        clear_pool();
    })
    .join()
    .unwrap();
}

/// Resident bytes of this process (`/proc/self/statm`, second field, in pages).
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: `sysconf` has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize
}

#[test]
fn deep_bodies_leave_no_resident_memory_in_the_pool() {
    // Alone in a child process: it measures the whole process's resident memory, which the
    // other tests of this binary, running at the same time, would move (it failed once so).
    crate::support::child::alone(false, deep_bodies_leave_no_resident_memory);
}

fn deep_bodies_leave_no_resident_memory() {
    const DEEP: usize = 6 << 20;
    const LIVE: usize = 16;
    std::thread::spawn(|| {
        clear_pool();
        let baseline = resident();
        let mut live: Vec<_> = (0..LIVE)
            .map(|_| {
                Gen::builder()
                    .stack_size(8 << 20)
                    .build(|co, ()| {
                        let sum = recurse(DEEP);
                        co.yield_(sum);
                    })
                    .unwrap()
            })
            .collect();
        for g in &mut live {
            assert!(g.next().is_some());
        }
        let deep = resident();
        assert!(deep >= baseline + LIVE * DEEP * 3 / 4, "the bodies touched their stacks");
        drop(live);
        let stats = pool_stats();
        assert_eq!(stats.stacks, LIVE, "{stats:?}");
        assert!(stats.resident_bytes <= LIVE * (KEEP_RESIDENT + 4096), "{stats:?}");
        let after = resident();
        // On the old pool the stacks kept all they touched (`after` was about `deep`).
        assert!(
            after - baseline.min(after) < (deep - baseline) / 2,
            "RSS {} MiB after the deep bodies, {} MiB before them, {} MiB at their deepest",
            after >> 20,
            baseline >> 20,
            deep >> 20
        );
        // The pool still reuses those stacks, and a deep body can use them again.
        let mut g =
            Gen::builder().stack_size(8 << 20).build(|co, ()| co.yield_(recurse(DEEP))).unwrap();
        assert!(g.next().is_some());
        assert_eq!(pool_stats().stacks, LIVE - 1);
        drop(g);
        clear_pool();
    })
    .join()
    .unwrap();
}

/// A started default-size generator whose body goes `depth` bytes deep before it suspends.
fn started(depth: usize) -> Gen<u64> {
    let mut g = Gen::new(move |co, ()| {
        co.yield_(recurse(depth));
        co.yield_(0);
    });
    assert!(g.next().is_some());
    g
}

/// What the crate docs allow `n` pooled default-size stacks to keep resident: the hot places
/// whatever their bodies touched, the live tier its top pages, except the stacks waiting for
/// their check (at most `POOL_CAPACITY`, whole).
fn documented_bound(n: usize) -> usize {
    let hot = POOL_CAPACITY.min(n);
    let waiting = POOL_CAPACITY.min(n - hot);
    hot * (KEEP_RESIDENT + 4096)
        + waiting * (DEFAULT_STACK_SIZE + 4096)
        + (n - hot - waiting) * LIVE_RESIDENT
}

#[test]
fn the_pool_keeps_as_many_stacks_as_were_alive() {
    const LIVE: usize = 2000;
    std::thread::spawn(|| {
        clear_pool();
        drop((0..LIVE).map(|_| started(0)).collect::<Vec<_>>());
        // The old pool kept 32 and unmapped the rest: every generator of the next population
        // beyond the 32nd mapped a fresh stack.
        assert_eq!(pool_stats().stacks, LIVE, "every stack of the population is kept");
        let again: Vec<_> = (0..LIVE).map(|_| started(0)).collect();
        assert_eq!(pool_stats().stacks, 0, "the next population maps no stack");
        drop(again);
        let stats = pool_stats();
        assert_eq!(stats.stacks, LIVE);
        let bound = documented_bound(LIVE);
        assert!(stats.resident_bytes <= bound, "{stats:?}");
        clear_pool();
        assert_eq!(pool_stats().stacks, 0);
    })
    .join()
    .unwrap();
    const { assert!(LIVE <= POOL_CAPACITY + LIVE_POOL_CAPACITY) };
}

#[test]
fn the_live_tier_keeps_only_the_top_of_deep_default_stacks() {
    const LIVE: usize = 200;
    const DEEP: usize = 200 * 1024;
    std::thread::spawn(|| {
        clear_pool();
        let live: Vec<_> = (0..LIVE).map(|_| started(DEEP)).collect();
        let stats = pool_stats();
        assert_eq!(stats.stacks, 0, "{stats:?}");
        drop(live);
        let stats = pool_stats();
        assert_eq!(stats.stacks, LIVE);
        // The 32 hot places keep what their bodies touched (at most `KEEP_RESIDENT`, the whole
        // default stack); the live tier at most its top `LIVE_RESIDENT` bytes.
        let bound = documented_bound(LIVE);
        assert!(stats.resident_bytes <= bound, "{stats:?} > {bound}");
        assert!(stats.resident_bytes < LIVE * DEEP / 2, "{stats:?}");
        // Those stacks still serve deep bodies.
        let again: Vec<_> = (0..LIVE).map(|_| started(DEEP)).collect();
        assert_eq!(pool_stats().stacks, 0);
        drop(again);
        clear_pool();
    })
    .join()
    .unwrap();
}
