#!/usr/bin/env python3
"""CPython's generators on the workloads of stasis's criterion benches.

Run by `cargo xtask bench` when python3 exists; prints one JSON object on stdout (progress goes to
stderr). Every figure is nanoseconds per operation, the median of several timed repeats, with the
cost of the bare timing loop (`for _ in range(n): pass`) subtracted, so it compares with
criterion's per-iteration figures:

- roundtrip_ns: one `next()` on a long-lived endless generator (benches/roundtrip.rs);
- create_ns: create a generator, run it to the end (one yield), drop it (benches/creation.rs);
- delegation_ns["d"]: one item through a `yield from` chain of d delegating generators above an
  endless leaf generator (depth 1: one generator delegating to the leaf), d in 1, 10, 100, 1000;
- resident_bytes: RSS growth per suspended generator with 10,000 alive (started, held in a list),
  from VmRSS in /proc/self/status; null where /proc is missing;
- live_ms: milliseconds per run of two programs of CPython's Lib/test/test_generators.py that
  keep thousands of generators alive (benches/live.rs runs the same on stasis): "m235", the
  naive Hamming numbers (nested `times`, `merge`, `m235` generator functions), 100 terms;
  "sieve", the faithful sieve (one `exclude_multiples` and one `sieve` generator per prime),
  2,000 primes. Median of the repeats, run on a thread with a large stack and a raised
  recursion limit (the sieve nests one C-level `next()` per generator of its chain).

Times are the thread's CPU time (`time.thread_time_ns`), as the criterion benches measure
(crates/stasis-bench/src/clock.rs); STASIS_BENCH_CLOCK=wall selects wall time for both.

Usage: python3 benches/cpython_bench.py [--quick | --full]
"""

import gc
import json
import os
import platform
import statistics
import sys
import time

# A `yield from` chain of depth 1000 nests 1000 generator frames on the C stack on every
# resume, beyond the default recursion limit of 1000; the sieve nests about 4,000.
sys.setrecursionlimit(100_000)

DEPTHS = (1, 10, 100, 1000)

# The clock of crates/stasis-bench/src/clock.rs: thread CPU time unless STASIS_BENCH_CLOCK=wall.
now_ns = time.perf_counter_ns if os.environ.get("STASIS_BENCH_CLOCK") == "wall" else time.thread_time_ns


def counter():
    i = 0
    while True:
        yield i
        i += 1


def one_shot():
    yield 1


def chain(depth):
    if depth == 0:
        return (yield from counter())
    return (yield from chain(depth - 1))


def per_op_ns(body, n, repeats):
    """Median ns per operation of body(n), less the bare loop's cost per iteration."""

    def empty(n):
        for _ in range(n):
            pass

    samples = []
    for _ in range(repeats):
        t0 = now_ns()
        empty(n)
        t1 = now_ns()
        body(n)
        t2 = now_ns()
        samples.append(((t2 - t1) - (t1 - t0)) / n)
    return max(statistics.median(samples), 0.0)


def bench_roundtrip(n, repeats):
    g = counter()
    nxt = g.__next__

    def body(n):
        for _ in range(n):
            nxt()

    return per_op_ns(body, n, repeats)


def bench_create(n, repeats):
    def body(n):
        for _ in range(n):
            for _x in one_shot():
                pass

    return per_op_ns(body, n, repeats)


def bench_delegation(depth, n, repeats):
    g = chain(depth)
    nxt = g.__next__
    nxt()

    def body(n):
        for _ in range(n):
            nxt()

    return per_op_ns(body, n, repeats)


def times(n, g):
    for i in g:
        yield n * i


def merge(g, h):
    ng = next(g)
    nh = next(h)
    while 1:
        if ng < nh:
            yield ng
            ng = next(g)
        elif ng > nh:
            yield nh
            nh = next(h)
        else:
            yield ng
            ng = next(g)
            nh = next(h)


def m235():
    yield 1
    for i in merge(times(2, m235()), merge(times(3, m235()), times(5, m235()))):
        yield i


def intsfrom(i):
    while 1:
        yield i
        i += 1


def exclude_multiples(n, ints):
    for i in ints:
        if i % n:
            yield i


def sieve(ints):
    prime = next(ints)
    yield prime
    not_divisible_by_prime = exclude_multiples(prime, ints)
    for p in sieve(not_divisible_by_prime):
        yield p


def bench_live(repeats):
    """Median ms per run of each program, timed on a thread with a 512 MiB stack."""
    import threading

    programs = {
        "m235": (lambda: m235(), 100, 1536),
        "sieve": (lambda: sieve(intsfrom(2)), 2000, 17389),
    }
    out = {}

    def run():
        for name, (make, terms, last) in programs.items():
            samples = []
            for _ in range(repeats):
                t0 = now_ns()
                g = make()
                for _ in range(terms):
                    x = next(g)
                del g
                samples.append((now_ns() - t0) / 1e6)
                assert x == last, (name, x)
            out[name] = statistics.median(samples)

    old = threading.stack_size(512 << 20)
    try:
        t = threading.Thread(target=run)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    return out


def resident_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    kib, unit = line.split()[1:3]
                    if unit == "kB":
                        return int(kib) * 1024
    except OSError:
        pass
    return None


def bench_resident(count):
    gc.collect()
    before = resident_bytes()
    live = []
    for _ in range(count):
        g = counter()
        next(g)
        live.append(g)
    after = resident_bytes()
    result = None if before is None or after is None else max(after - before, 0) / count
    del live
    return result


def main(argv):
    mode = "quick"
    for arg in argv:
        if arg in ("--quick", "--full"):
            mode = arg[2:]
        else:
            sys.exit(f"cpython_bench.py: unknown argument {arg!r}; use --quick or --full")
    # Operations per timed repeat, and repeats: about 1 s in quick mode, 10 s in full.
    scale, repeats = (1, 5) if mode == "quick" else (4, 15)

    def progress(what):
        print(f"cpython: {what}", file=sys.stderr, flush=True)

    progress("roundtrip")
    roundtrip = bench_roundtrip(200_000 * scale, repeats)
    progress("create")
    create = bench_create(100_000 * scale, repeats)
    delegation = {}
    for depth in DEPTHS:
        progress(f"delegation depth {depth}")
        n = max(200_000 * scale // depth, 200)
        delegation[str(depth)] = bench_delegation(depth, n, repeats)
    progress("resident memory")
    resident = bench_resident(10_000)
    progress("live generators (m235, sieve)")
    live = bench_live(repeats)
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "implementation": platform.python_implementation(),
                "mode": mode,
                "roundtrip_ns": roundtrip,
                "create_ns": create,
                "delegation_ns": delegation,
                "resident_bytes": resident,
                "live_ms": live,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
