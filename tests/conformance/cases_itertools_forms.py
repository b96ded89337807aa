"""Conformance scenarios for the itertools forms that keep the protocol (zip_longest, zip and
chain of more than two sources, chain.from_iterable, filterfalse, starmap, compress,
accumulate's default addition) and for `yield from` of a plain iterator in a chain of another
error or send type (issue 9 B4 and B7).

Run with ``python3 run.py cases_itertools_forms.py > expected_itertools_forms.json``
(CPython 3.11); the recorder ``t`` and the event grammar are run.py's and README.md's. The Rust
side is ``tests/it/conformance_itertools.rs``.
"""

import itertools

from cases import logged_source  # run.py's folder, where cases.py lives, is on sys.path

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


# ------------------------------------------------------------ zip and chain of more sources

@scenario
def forms_zip_longest_pulls_each_active_source(t):
    z = itertools.zip_longest(logged_source(t, "a", [1]), logged_source(t, "b", ["x", "y"]))
    t.next(z)
    t.next(z)  # a ends here; b is still pulled
    t.next(z)  # both have ended


@scenario
def forms_zip_of_three_stops_at_the_first_to_end(t):
    z = zip(
        logged_source(t, "a", [1, 2, 3]),
        logged_source(t, "b", [4]),
        logged_source(t, "c", [5, 6]),
    )
    t.next(z)
    t.next(z)  # a is pulled, b ends: c is not pulled


@scenario
def forms_chain_from_iterable_starts_each_source_when_needed(t):
    def sources():
        for name, values in (("a", [1]), ("b", []), ("c", [2])):
            t.body("make " + name, "sources")
            yield logged_source(t, name, values)

    c = itertools.chain.from_iterable(sources())
    t.next(c)
    t.next(c)
    t.next(c)


@scenario
def forms_chain_of_three(t):
    c = itertools.chain(
        logged_source(t, "a", [1]), logged_source(t, "b", [2]), logged_source(t, "c", [3])
    )
    t.list(c)


# -------------------------------------------------------------- filterfalse, starmap, ...

@scenario
def forms_filterfalse_calls_the_predicate_per_value(t):
    def odd(value):
        t.call(value, "pred")
        return value % 2 == 1

    t.list(itertools.filterfalse(odd, logged_source(t, "src", [1, 2, 3, 4])))


@scenario
def forms_starmap_spreads_each_tuple(t):
    def power(base, exp):
        t.call([base, exp], "f")
        return base ** exp

    t.list(itertools.starmap(power, logged_source(t, "src", [(2, 5), (3, 2)])))


@scenario
def forms_compress_pulls_the_value_then_its_selector(t):
    selectors = logged_source(t, "sel", [1, 0, 1])
    t.list(itertools.compress(logged_source(t, "data", ["A", "B", "C", "D"]), selectors))


@scenario
def forms_accumulate_adds_by_default(t):
    t.list(itertools.accumulate(logged_source(t, "src", [1, 2, 3, 4])))


# ------------------------------------ yield from a plain iterator (another error / send type)

@scenario
def forms_yield_from_iterator_throw_reaches_the_delegator(t):
    def delegator():
        try:
            yield from iter([1, 2, 3])
        except ValueError as e:
            t.caught(e, "delegator")
            yield 99
        return 7

    g = delegator()
    t.next(g)
    t.throw(g, ValueError("x"))
    t.next(g)


@scenario
def forms_yield_from_iterator_send_is_an_error(t):
    def delegator():
        try:
            yield from iter([1, 2])
        except AttributeError as e:
            t.caught(e, "delegator")
        return 7

    g = delegator()
    t.next(g)
    t.send(g, None)  # None is next(): fine
    t.send(g, 5)  # a value: the iterator has no send, the delegator sees AttributeError
