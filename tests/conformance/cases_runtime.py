"""Conformance scenarios for errors the generator runtime itself raises (issue 9 B1-B4, B9).

Run with ``python3 run.py cases_runtime.py > expected_runtime.json`` (CPython 3.11), in the
same grammar as ``cases.py``; ``tests/it/conformance_runtime.rs`` reproduces every scenario.
"""

import itertools

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


# B1: a sub-generator ignores GeneratorExit under ``yield from``: the delegator gets a
# RuntimeError at its ``yield from``, an exception it may catch.

def stubborn(t):
    try:
        yield "sub-1"
    except GeneratorExit:
        t.genexit("sub")
    yield "sub ignored the exit"


@scenario
def runtime_ignored_exit_caught_by_delegator(t):
    def parent():
        try:
            yield from stubborn(t)
        except RuntimeError as exc:
            t.caught(exc, "parent")
        t.done("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


@scenario
def runtime_ignored_exit_uncaught(t):
    def parent():
        try:
            yield from stubborn(t)
        finally:
            t.fin("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


@scenario
def runtime_throw_generator_exit(t):
    def gen():
        try:
            yield 1
        except GeneratorExit:
            t.genexit()
            yield "after exit"
        t.done()

    g = gen()
    t.next(g, "g")
    t.throw(g, GeneratorExit, "g")
    t.state(g, "g")
    t.throw(g, GeneratorExit, "g")
    t.state(g, "g")
    fresh = gen()
    t.throw(fresh, GeneratorExit, "fresh")
    t.state(fresh, "fresh")


@scenario
def runtime_throw_generator_exit_under_yield_from(t):
    def parent():
        try:
            yield from stubborn(t)
        except RuntimeError as exc:
            t.caught(exc, "parent")
            yield "parent-recovered"
        t.done("parent")

    g = parent()
    t.next(g)
    t.throw(g, GeneratorExit)
    t.next(g)


# B2: a sub-generator finished behind the delegator's back (or before): ``yield from``
# gives None.

@scenario
def runtime_yield_from_finished_behind_the_back(t):
    def sub():
        yield "s1"
        yield "s2"
        return "sub-result"

    def parent(inner):
        result = yield from inner
        t.result(result, "parent")
        yield "parent-after"
        again = yield from inner
        t.result(again, "parent")
        t.done("parent")

    inner = sub()
    g = parent(inner)
    t.next(g, "parent")
    t.next(inner, "sub")
    t.next(inner, "sub")
    t.next(g, "parent")
    t.next(g, "parent")
    t.state(inner, "sub")


# B3: re-entering a running generator through a shared handle: ValueError, which a
# delegator can catch.

@scenario
def runtime_yield_from_itself(t):
    box = {}

    def gen():
        t.started()
        try:
            yield from box["g"]
        except ValueError as exc:
            t.caught(exc)
            yield "recovered"
        t.done()

    g = box["g"] = gen()
    t.next(g)
    t.next(g)
    box.clear()


@scenario
def runtime_delegate_resumes_its_delegator(t):
    box = {}

    def sub():
        yield "s1"
        t.next(box["parent"], "parent")
        t.next(box["sub"], "sub")
        yield "s2"

    def parent():
        yield from box["sub"]
        t.done("parent")

    box["sub"] = sub()
    g = box["parent"] = parent()
    t.next(g, "parent")
    t.next(g, "parent")
    t.next(g, "parent")
    box.clear()


# B4: sending into ``yield from`` of a plain iterator, which has no send: None asks for the
# next item; any other value raises AttributeError in the delegator.

class iterator:
    """A plain iterator (no send), named so that CPython's message reads 'iterator'."""

    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return self

    def __next__(self):
        if not self.items:
            raise StopIteration
        return self.items.pop(0)


@scenario
def runtime_send_into_yield_from_iterator(t):
    def gen():
        try:
            yield from iterator([1, 2, 3])
        except AttributeError as exc:
            t.caught(exc)
            yield "recovered"
        t.done()

    g = gen()
    t.next(g)
    t.send(g, None)
    t.send(g, 5)
    t.next(g)


# B9: an error is not lost through iteration: list() raises it.

@scenario
def runtime_list_raises_the_error(t):
    def source(who):
        t.started(who)
        yield 1
        yield 2
        raise ValueError("boom")

    t.list(source("g"), "g")
    t.list(itertools.accumulate(source("acc")), "acc")
