"""Conformance scenarios for tee and groupby (itertools' chunk_by): who gets a source's
exception, a source that reads cursors of its own tee, and lazy groups.

Run with ``python3 run.py cases_tee_chunk_by.py > expected_tee_chunk_by.json`` (CPython 3.11);
the recorder ``t`` and the event grammar are run.py's and README.md's. The Rust side is
``tests/conformance_tee_chunk_by.rs``.
"""

import itertools

from cases import logged_source  # run.py's folder, where cases.py lives, is on sys.path

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def logged_key(t, who, key):
    def call(value):
        t.call(value, who)
        return key(value)
    return call


# ----------------------------------------------------------------- tee

@scenario
def tee_source_raises_to_the_puller(t):
    def raising():
        t.started("source")
        for value in (1, 2):
            t.produce(value, "source")
            yield value
        raise ValueError("boom")

    a, b, c = itertools.tee(raising(), 3)
    t.next(a, "a")
    t.next(a, "a")
    t.next(b, "b")
    t.next(a, "a")  # the source raises: only the cursor that pulled sees it
    t.next(a, "a")
    t.next(b, "b")  # still buffered
    t.next(b, "b")  # the source is finished: b stops, nothing is replayed
    t.list(c, "c")
    t.next(c, "c")


@scenario
def tee_running_after_its_own_tail(t):
    # Lib/test/test_generators.py (fun_tests): Fibonacci and Hamming numbers whose source
    # reads cursors of its own tee; every value it reads is already buffered.
    def fib():
        def _isum(g, h):
            while 1:
                yield next(g) + next(h)

        def _fib():
            yield 1
            yield 2
            next(fibTail)  # throw first away
            for res in _isum(fibHead, fibTail):
                yield res

        realfib = _fib()
        fibHead, fibTail, fibRes = itertools.tee(realfib, 3)
        return fibRes

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
        def _m235():
            yield 1
            for n in merge(times(2, m2), merge(times(3, m3), times(5, m5))):
                yield n

        m1 = _m235()
        m2, m3, m5, mRes = itertools.tee(m1, 4)
        return mRes

    t.list(itertools.islice(fib(), 17), "fib")
    t.list(itertools.islice(m235(), 25), "m235")


@scenario
def tee_reentered_unbuffered(t):
    def source():
        t.started("source")
        try:
            next(b)  # b would need the value the source is computing now
        except RuntimeError as exc:
            t.caught(exc, "source")
        t.produce(1, "source")
        yield 1
        t.produce(next(a2) * 10, "source")  # buffered: works
        yield 10
        t.done("source")

    a, b = itertools.tee(source())
    a2 = a.__copy__()
    t.next(a, "a")
    t.next(a, "a")
    t.next(a, "a")
    t.next(a2, "a2")


# ---------------------------------------------------- groupby (chunk_by)

@scenario
def chunk_by_lazy_groups(t):
    src = logged_source(t, "source", [1, 1, 2, 2, 2, 3, 1])
    groups = itertools.groupby(src, logged_key(t, "key", lambda x: x))
    _, first = t.next(groups, "outer")
    t.next(first, "g1")
    t.next(first, "g1")
    t.next(first, "g1")  # pulls the first 2 to see that the group ended
    t.next(first, "g1")  # nothing more is pulled
    _, second = t.next(groups, "outer")  # the 2 already pulled starts it
    t.next(second, "g2")
    t.next(groups, "outer")  # skips the rest of the 2s, pulling them
    t.next(second, "g2")  # invalidated by the outer's advance
    _, last = t.next(groups, "outer")  # skips the unread 3
    t.list(last, "g4")
    t.next(groups, "outer")
    t.next(last, "g4")


@scenario
def chunk_by_source_raises_in_a_group(t):
    def raising():
        t.started("source")
        for value in ("a", "a", "b"):
            t.produce(value, "source")
            yield value
        raise ValueError("boom")

    groups = itertools.groupby(raising())
    _, a = t.next(groups, "outer")
    t.list(a, "ga")
    _, b = t.next(groups, "outer")
    t.next(b, "gb")
    t.next(b, "gb")  # the group that pulled sees the exception
    t.next(b, "gb")
    t.next(groups, "outer")  # the source is finished: the outer stops
