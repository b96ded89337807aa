"""Conformance scenarios for corners of the protocol: close() and throw() in every state of a
generator and of a ``yield from`` chain, errors raised while a chain is closed, re-closing after
an error, states seen from inside, and how iterator combinators pass errors on (issue 9).

Run with ``python3 run.py cases_corners.py > expected_corners.json`` (CPython 3.11), in the
same grammar as ``cases.py``; ``tests/it/conformance_corners.rs`` reproduces every scenario.
"""

import itertools
import inspect

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


# ----------------------------------------------- a delegate that delegates while being closed

@scenario
def corner_closed_delegate_delegates_again(t):
    # close() reaches the sub at its yield; the sub catches the exit and starts a
    # ``yield from`` of its own, which yields: the sub ignored GeneratorExit, so the delegator
    # gets RuntimeError at its ``yield from``. The third level is left suspended inside the
    # sub (closed at the end, explicitly, so that nothing happens at collection).
    box = {}

    def third():
        try:
            yield "third-1"
        finally:
            t.fin("third")

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            yield from box["third"]

    def parent():
        try:
            yield from box["sub"]
        except RuntimeError as exc:
            t.caught(exc, "parent")
        t.done("parent")

    box["third"] = third()
    box["sub"] = sub()
    g = parent()
    t.next(g, "parent")
    t.close(g, "parent")
    t.state(g, "parent")
    t.state(box["sub"], "sub")
    t.state(box["third"], "third")
    t.close(box["sub"], "sub")
    t.state(box["sub"], "sub")
    t.state(box["third"], "third")


@scenario
def corner_closed_delegate_delegates_again_owned(t):
    # As above, with every sub-generator owned by its delegator: when the ``yield from`` fails,
    # the sub is dropped and finalized (its own close() closes the third level) before the
    # delegator's except clause runs.
    def third():
        try:
            yield "third-1"
        finally:
            t.fin("third")

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            yield from third()

    def parent():
        try:
            yield from sub()
        except RuntimeError as exc:
            t.caught(exc, "parent")
        t.done("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


@scenario
def corner_closed_delegate_delegates_again_then_yields(t):
    # The sub catches the exit, delegates to a generator that finishes, then yields itself:
    # it ignored GeneratorExit all the same.
    def quick():
        return "quick-result"
        yield

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            r = yield from quick()
            t.result(r, "sub")
            yield "sub-ignores"

    def parent():
        try:
            yield from sub()
        except RuntimeError as exc:
            t.caught(exc, "parent")
            yield "parent-ignores"
        t.done("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)
    t.close(g)
    t.state(g)


@scenario
def corner_closed_delegate_delegates_to_a_finishing_generator(t):
    # The sub catches the exit and delegates to a generator that finishes without yielding:
    # the sub then ends, so the close succeeds.
    def quick():
        t.started("quick")
        return "quick-result"
        yield

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            r = yield from quick()
            t.result(r, "sub")

    def parent():
        try:
            yield from sub()
        finally:
            t.fin("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


# ------------------------------------------------------------------ throw(GeneratorExit)

@scenario
def corner_throw_exit_vs_close_sub_returns(t):
    # The sub catches the exit and returns a value. close(): the delegator then gets
    # GeneratorExit at its ``yield from`` (the sub's return value is dropped). Same with
    # throw(GeneratorExit).
    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            return "sub-result"

    def parent(who):
        try:
            r = yield from sub()
            t.result(r, who)
            yield "parent-after"
        except GeneratorExit:
            t.genexit(who)
            raise

    a = parent("a")
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    b = parent("b")
    t.next(b, "b")
    t.throw(b, GeneratorExit, "b")
    t.state(b, "b")


@scenario
def corner_throw_exit_delegator_handles_and_yields(t):
    # throw(GeneratorExit) into a delegator that handles the exit and yields: the value comes
    # out of throw(); close() afterwards closes it.
    def sub():
        try:
            yield "sub-1"
        finally:
            t.fin("sub")

    def parent():
        try:
            yield from sub()
        except GeneratorExit:
            t.genexit("parent")
            yield "parent-after-exit"
        t.done("parent")

    g = parent()
    t.next(g)
    t.throw(g, GeneratorExit)
    t.state(g)
    t.next(g)
    t.state(g)


# ------------------------------------------------------------- errors while a chain closes

@scenario
def corner_sub_raises_while_closed(t):
    # The sub raises ValueError when closed: the delegator gets the ValueError at its
    # ``yield from`` (not GeneratorExit), and close() raises it.
    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            raise ValueError("sub-close")

    def parent():
        try:
            yield from sub()
        finally:
            t.fin("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)
    t.close(g)
    t.next(g)


@scenario
def corner_sub_raises_while_closed_parent_recovers(t):
    # The delegator catches the sub's error and returns: close() succeeds. A second
    # delegator catches it and yields: close() reports that it ignored GeneratorExit.
    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            raise ValueError("sub-close")

    def returns():
        try:
            yield from sub()
        except ValueError as exc:
            t.caught(exc, "returns")
        t.done("returns")

    def yields():
        try:
            yield from sub()
        except ValueError as exc:
            t.caught(exc, "yields")
            yield "yields-again"
        t.done("yields")

    a = returns()
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    b = yields()
    t.next(b, "b")
    t.close(b, "b")
    t.state(b, "b")
    t.close(b, "b")
    t.state(b, "b")


@scenario
def corner_reclose_after_error(t):
    # A body that raises on close: the first close() raises, the generator is closed, the
    # second close() is a no-op; a body that ignores the exit twice then gives up.
    def raises():
        try:
            yield 1
        finally:
            raise KeyError("k")

    def stubborn():
        for i in range(2):
            try:
                yield "try-%d" % i
            except GeneratorExit:
                t.genexit()
        t.done()

    a = raises()
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    t.close(a, "a")
    t.throw(a, ValueError, "a")
    b = stubborn()
    t.next(b, "b")
    t.close(b, "b")
    t.state(b, "b")
    t.close(b, "b")
    t.state(b, "b")
    t.close(b, "b")


# ----------------------------------------------------- a delegator on a finished sub-generator

@scenario
def corner_finished_sub_close_and_throw(t):
    # The delegator is suspended in ``yield from`` of a sub that finished behind its back.
    # close(): the sub's close is a no-op, the delegator gets GeneratorExit. throw(ValueError)
    # into a second one: the finished sub re-raises it, the delegator gets it at its
    # ``yield from``.
    def sub():
        yield "s1"

    def parent(who, inner):
        try:
            yield from inner
        except GeneratorExit:
            t.genexit(who)
            raise
        except ValueError as exc:
            t.caught(exc, who)
            yield "recovered"
        t.done(who)

    sa = sub()
    a = parent("a", sa)
    t.next(a, "a")
    t.next(sa, "sa")
    t.state(sa, "sa")
    t.close(a, "a")
    t.state(a, "a")
    sb = sub()
    b = parent("b", sb)
    t.next(b, "b")
    t.next(sb, "sb")
    t.throw(b, ValueError("v"), "b")
    t.state(b, "b")
    t.next(b, "b")


# ------------------------------------------------------------------- throw in every state

@scenario
def corner_throw_in_every_state(t):
    def gen(who):
        t.started(who)
        try:
            yield 1
        except ValueError as exc:
            t.caught(exc, who)
            yield 2
        t.done(who)

    created = gen("created")
    t.throw(created, ValueError("v"), "created")
    t.state(created, "created")
    t.next(created, "created")
    suspended = gen("suspended")
    t.next(suspended, "suspended")
    t.throw(suspended, ValueError("v"), "suspended")
    t.throw(suspended, ValueError("w"), "suspended")
    t.state(suspended, "suspended")
    finished = gen("finished")
    t.list(finished, "finished")
    t.throw(finished, ValueError("v"), "finished")
    t.state(finished, "finished")


@scenario
def corner_throw_into_created_delegator(t):
    # A delegator never started: throw raises at once; its sub-generator is not touched.
    def sub():
        t.started("sub")
        yield "sub-1"

    def parent(inner):
        t.started("parent")
        yield from inner

    s = sub()
    g = parent(s)
    t.throw(g, KeyError("k"), "parent")
    t.state(g, "parent")
    t.state(s, "sub")
    t.next(s, "sub")


# ------------------------------------------------ return values through nested throw

@scenario
def corner_throw_returns_through_nested_delegation(t):
    # throw() reaches the innermost level, which catches it and returns: each level's
    # ``yield from`` gives the value below, and throw() returns what the next yield gives.
    def inner():
        try:
            yield "inner-1"
        except ValueError as exc:
            t.caught(exc, "inner")
            return "inner-result"

    def middle():
        r = yield from inner()
        t.result(r, "middle")
        return "middle-" + r

    def outer():
        r = yield from middle()
        t.result(r, "outer")
        yield "outer-after"
        return "outer-result"

    g = outer()
    t.next(g)
    t.throw(g, ValueError("v"))
    t.next(g)
    t.state(g)


@scenario
def corner_throw_unhandled_through_nested_delegation(t):
    # An error no level catches: every level's finally runs, innermost first.
    def inner():
        try:
            yield "inner-1"
        finally:
            t.fin("inner")

    def middle():
        try:
            yield from inner()
        finally:
            t.fin("middle")

    def outer():
        try:
            yield from middle()
        finally:
            t.fin("outer")

    g = outer()
    t.next(g)
    t.throw(g, KeyError("k"))
    t.state(g)
    t.next(g)


# ------------------------------------------------------------------ states seen from inside

@scenario
def corner_states_while_closing(t):
    # While close() runs the sub's handler, both the sub and its delegator are running.
    box = {}

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            t.state(box["sub"], "sub")
            t.state(box["parent"], "parent")
            raise

    def parent():
        try:
            yield from box["sub"]
        finally:
            t.fin("parent")
            t.state(box["sub"], "sub")
            t.state(box["parent"], "parent")

    box["sub"] = sub()
    box["parent"] = parent()
    t.next(box["parent"], "parent")
    t.close(box["parent"], "parent")
    t.state(box["sub"], "sub")
    t.state(box["parent"], "parent")
    box.clear()


@scenario
def corner_states_while_throwing(t):
    box = {}

    def sub():
        try:
            yield "sub-1"
        except KeyError as exc:
            t.caught(exc, "sub")
            t.state(box["sub"], "sub")
            t.state(box["parent"], "parent")
            return "sub-result"

    def parent():
        r = yield from box["sub"]
        t.result(r, "parent")
        t.state(box["sub"], "sub")
        yield "parent-after"

    box["sub"] = sub()
    box["parent"] = parent()
    t.next(box["parent"], "parent")
    t.throw(box["parent"], KeyError("k"), "parent")
    t.state(box["sub"], "sub")
    box.clear()


# ------------------------------------------------- combinators over generators that raise

def raising(t, who, values, exc):
    t.started(who)
    for value in values:
        t.produce(value, who)
        yield value
    raise exc


def source(t, who, values):
    t.started(who)
    try:
        for value in values:
            t.produce(value, who)
            yield value
        t.done(who)
    finally:
        t.fin(who)


@scenario
def corner_map_of_raising_source(t):
    # A generator expression over a source that raises: the error passes through, the
    # expression is finished afterwards.
    def f(x):
        t.call(x, "f")
        return x * 10

    m = (f(x) for x in raising(t, "src", [1, 2], ValueError("boom")))
    t.next(m)
    t.next(m)
    t.next(m)
    t.next(m)
    t.state(m)


@scenario
def corner_genexpr_close_closes_source(t):
    # Closing a generator expression drops its source, which (being unreachable) is closed
    # at once: its finally runs inside close().
    m = (x * 10 for x in source(t, "src", [1, 2, 3]))
    t.next(m)
    t.close(m)
    t.state(m)


@scenario
def corner_zip_of_raising_source(t):
    # zip pulls a, then b: b raises, a's item is lost.
    a = source(t, "a", [1, 2, 3])
    b = raising(t, "b", [10], ValueError("b-boom"))
    z = (pair for pair in zip(a, b))
    t.next(z)
    t.next(z)
    t.next(z)
    t.state(z)
    t.state(a)
    t.close(a)


@scenario
def corner_chain_of_raising_source(t):
    a = raising(t, "a", [1], ValueError("a-boom"))
    b = source(t, "b", [2])
    c = (x for x in itertools.chain(a, b))
    t.next(c)
    t.next(c)
    t.next(c)
    t.state(c)
    t.state(b)


# ------------------------------------------------------- more of CPython's test_yield_from

@scenario
def corner_close_and_throw_into_yield_from_iterator(t):
    # test_delegation_of_close_to_non_generator, test_delegating_throw_to_non_generator: the
    # iterator has neither close nor throw; the delegator gets the exception at its
    # ``yield from``.
    def gen(who):
        try:
            yield from iter([1, 2, 3])  # a list iterator: no send, throw or close
        except GeneratorExit:
            t.genexit(who)
            raise
        except ValueError as exc:
            t.caught(exc, who)
            yield "recovered"
        t.done(who)

    a = gen("a")
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    b = gen("b")
    t.next(b, "b")
    t.throw(b, ValueError("v"), "b")
    t.next(b, "b")


@scenario
def corner_throw_exit_into_sub_that_raises(t):
    # test_throwing_GeneratorExit_into_subgen_that_raises: the sub turns the exit into
    # ValueError, which reaches the delegator instead of the exit.
    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            raise ValueError("sub-exit")

    def parent():
        try:
            yield from sub()
        except ValueError as exc:
            t.caught(exc, "parent")
            raise

    g = parent()
    t.next(g)
    t.throw(g, GeneratorExit)
    t.state(g)


@scenario
def corner_sub_raises_at_start(t):
    # test_raising_exception_in_initial_next_call: the delegator catches the sub's error
    # from its first step, and goes on.
    def sub():
        t.started("sub")
        raise ValueError("at-start")
        yield

    def parent():
        try:
            yield from sub()
        except ValueError as exc:
            t.caught(exc, "parent")
        yield "parent-after"
        t.done("parent")

    g = parent()
    t.next(g)
    t.next(g)


@scenario
def corner_yield_from_empty(t):
    # test_yield_from_empty: a sub that finishes at once gives its value, nothing is yielded.
    def empty():
        t.started("empty")
        return "empty-result"
        yield

    def parent():
        r = yield from empty()
        t.result(r, "parent")
        r = yield from empty()
        t.result(r, "parent")
        return "parent-result"

    g = parent()
    t.next(g)
    t.state(g)


@scenario
def corner_send_and_return_with_value(t):
    # test_send_and_return_with_value: sent values reach the innermost level; each level's
    # return value is its delegator's ``yield from`` value.
    def inner():
        got = yield "inner-1"
        t.got(got, "inner")
        got = yield "inner-2"
        t.got(got, "inner")
        return got

    def middle():
        r = yield from inner()
        t.result(r, "middle")
        got = yield "middle-1"
        t.got(got, "middle")
        return r

    def outer():
        r = yield from middle()
        t.result(r, "outer")
        return r

    g = outer()
    t.next(g)
    t.send(g, "a")
    t.send(g, "b")
    t.send(g, "c")
    t.state(g)


@scenario
def corner_sub_and_delegator_both_raise_while_closed(t):
    # The sub raises ValueError when closed, and the delegator's finally raises KeyError:
    # close() raises the last one.
    def sub():
        try:
            yield "sub-1"
        finally:
            raise ValueError("sub-close")

    def parent():
        try:
            yield from sub()
        finally:
            t.fin("parent")
            raise KeyError("parent-close")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


@scenario
def corner_closed_delegate_delegates_again_uncaught(t):
    # As corner_closed_delegate_delegates_again_owned, with a delegator that does not catch
    # the RuntimeError: its finally runs and close() raises the RuntimeError.
    def third():
        try:
            yield "third-1"
        finally:
            t.fin("third")

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            yield from third()

    def parent():
        try:
            yield from sub()
        finally:
            t.fin("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


@scenario
def corner_throw_exit_sub_ignores_delegator_returns(t):
    # throw(GeneratorExit) into a delegator whose sub ignores the exit: the delegator catches
    # the RuntimeError and returns, so throw() stops the iteration (it does not raise).
    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
        yield "sub-ignores"

    def parent():
        try:
            yield from sub()
        except RuntimeError as exc:
            t.caught(exc, "parent")
        t.done("parent")
        return "parent-result"

    g = parent()
    t.next(g)
    t.throw(g, GeneratorExit)
    t.state(g)


@scenario
def corner_yield_from_a_started_generator(t):
    # ``yield from`` a generator someone else started: its first step is a next(), which
    # resumes it where it was (the value it yielded before is not seen again).
    def sub():
        t.started("sub")
        yield "s1"
        yield "s2"
        return "sub-result"

    def parent(inner):
        r = yield from inner
        t.result(r, "parent")

    s = sub()
    t.next(s, "sub")
    g = parent(s)
    t.next(g, "parent")
    t.next(g, "parent")
    t.state(s, "sub")


# A deliberate difference (README, "Differences"): stasis's adaptors forward throw() to
# their source, as ``yield from`` does; a generator expression raises the exception in its
# own frame, so the source never sees it.

@scenario
def corner_genexpr_throw_stays_in_the_expression(t):
    def src():
        t.started("src")
        n = 0
        while True:
            n += 1
            try:
                yield n
            except ValueError as exc:
                t.caught(exc, "src")

    s = src()
    m = (x * 10 for x in s)
    t.next(m, "m")
    t.throw(m, ValueError("v"), "m")
    t.state(m, "m")
    t.state(s, "src")
    t.close(s, "src")


@scenario
def corner_closed_delegate_delegates_two_levels(t):
    # The sub being closed delegates to a generator that delegates in turn, and the innermost
    # yields: the sub ignored GeneratorExit. Dropped with the failed ``yield from``, the sub is
    # closed, which closes the two levels above it, innermost first.
    def fourth():
        try:
            yield "fourth-1"
        finally:
            t.fin("fourth")

    def third():
        try:
            yield from fourth()
        finally:
            t.fin("third")

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            yield from third()

    def parent():
        try:
            yield from sub()
        except RuntimeError as exc:
            t.caught(exc, "parent")
        t.done("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


@scenario
def corner_delegates_claim_to_be_running(t):
    # test_delegating_generators_claim_to_be_running: a delegate two levels down tries to
    # ``yield from`` the outermost generator, which is running: ValueError, which it catches.
    box = {}

    def two():
        yield 1
        t.state(box["g1"], "g1")
        try:
            yield from box["g1"]
        except ValueError as exc:
            t.caught(exc, "two")
        yield 2

    def one():
        yield 0
        yield from two()
        yield 3

    g1 = box["g1"] = one()
    t.next(g1, "g1")
    t.next(g1, "g1")
    t.next(g1, "g1")
    t.next(g1, "g1")
    t.next(g1, "g1")
    box.clear()


@scenario
def corner_zip_longest_of_raising_source(t):
    # As corner_zip_of_raising_source with zip_longest: the error passes through, the other
    # source is left as it is (suspended; closed explicitly at the end).
    a = source(t, "a", [1, 2, 3])
    b = raising(t, "b", [10], ValueError("b-boom"))
    z = (pair for pair in itertools.zip_longest(a, b))
    t.next(z)
    t.next(z)
    t.next(z)
    t.state(z)
    t.state(a)
    t.close(a)


@scenario
def corner_delegate_again_to_the_delegate_that_ignored(t):
    # The sub ignored the exit by delegating to ``third``, which yielded; the delegator catches
    # the RuntimeError and delegates to the same sub again (still suspended in ``third``):
    # ``third`` goes on from its yield, finishes, and so does the sub; the close succeeds.
    def third():
        try:
            got = yield "third-1"
            t.got(got, "third")
        finally:
            t.fin("third")
        return "third-result"

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            r = yield from third()
            t.result(r, "sub")
        return "sub-result"

    def parent():
        s = sub()
        try:
            yield from s
        except RuntimeError as exc:
            t.caught(exc, "parent")
        r = yield from s
        t.result(r, "parent")
        t.done("parent")

    g = parent()
    t.next(g)
    t.close(g)
    t.state(g)


# --------------------------------------- an exception propagating through a finally that yields

@scenario
def corner_throw_through_finally_that_yields(t):
    # The thrown error is not handled; the finally yields while it propagates: throw()
    # returns that value, and the error is raised at the next resume (after the finally).
    def g():
        try:
            yield 1
        finally:
            t.fin()
            yield 2

    a = g()
    t.next(a, "a")
    t.throw(a, ValueError("v"), "a")
    t.state(a, "a")
    t.next(a, "a")
    t.state(a, "a")
    # close() at that yield: GeneratorExit replaces the error; the finally ends, close is ok.
    b = g()
    t.next(b, "b")
    t.throw(b, ValueError("v"), "b")
    t.close(b, "b")
    t.state(b, "b")
    # throw() at that yield: the new error replaces the first.
    c = g()
    t.next(c, "c")
    t.throw(c, ValueError("v"), "c")
    t.throw(c, KeyError("k"), "c")
    t.state(c, "c")


@scenario
def corner_raise_through_finally_that_yields(t):
    # The body raises by itself under a finally that yields twice, inside another finally
    # that yields: every value comes out, in order, before the error. (The outer finally logs
    # nothing: in stasis a destructor's code runs on, up to the end of the unwinding, before
    # the values yielded earlier come out; README "Differences".)
    def g():
        try:
            try:
                yield 1
                raise ValueError("own")
            finally:
                t.fin("inner")
                yield 2
                yield 3
        finally:
            yield 4

    a = g()
    t.next(a)
    t.next(a)
    t.next(a)
    t.next(a)
    t.next(a)
    t.state(a)
    t.next(a)


@scenario
def corner_throw_exit_through_finally_that_yields(t):
    # throw(GeneratorExit) is a throw, not a close: the value the finally yields comes out of
    # throw(), and GeneratorExit is raised at the next resume.
    def g():
        try:
            yield 1
        finally:
            t.fin()
            yield 2

    a = g()
    t.next(a)
    t.throw(a, GeneratorExit)
    t.state(a)
    t.next(a)
    t.state(a)


@scenario
def corner_close_turned_into_error_through_finally_that_yields(t):
    # close(): the body turns GeneratorExit into ValueError, and an outer finally yields while
    # that error propagates: the generator ignored GeneratorExit; it stays suspended in the
    # finally, and the ValueError comes out of the next resume.
    def g(who):
        try:
            try:
                yield 1
            except GeneratorExit:
                t.genexit(who)
                raise ValueError("from-exit")
        finally:
            t.fin(who)
            yield 2

    a = g("a")
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    t.next(a, "a")
    t.state(a, "a")
    b = g("b")
    t.next(b, "b")
    t.close(b, "b")
    t.close(b, "b")
    t.state(b, "b")


@scenario
def corner_sub_raises_through_finally_that_yields(t):
    # Under ``yield from``: the sub's error propagates through the sub's finally, which
    # yields (the value comes out of the delegator), then through the delegator's finally,
    # which yields too; the error reaches the consumer last.
    def sub():
        try:
            yield "sub-1"
            raise ValueError("sub")
        finally:
            t.fin("sub")
            yield "sub-finally"

    def parent():
        try:
            yield from sub()
        finally:
            t.fin("parent")
            yield "parent-finally"

    g = parent()
    t.next(g)
    t.next(g)
    t.next(g)
    t.next(g)
    t.state(g)


@scenario
def corner_throw_through_delegate_finally_that_yields(t):
    # throw() into a delegator: forwarded to the sub, which does not handle it; its finally
    # yields while the error propagates (the value comes out of throw()), then the delegator
    # catches the error at its ``yield from``.
    def sub():
        try:
            yield "sub-1"
        finally:
            t.fin("sub")
            yield "sub-finally"

    def parent():
        try:
            yield from sub()
        except ValueError as exc:
            t.caught(exc, "parent")
        yield "parent-after"
        t.done("parent")

    g = parent()
    t.next(g)
    t.throw(g, ValueError("v"))
    t.next(g)
    t.next(g)


@scenario
def corner_close_through_delegate_finally_that_yields(t):
    # close() of a delegator whose sub yields in a finally while it is closed (a: the exit
    # itself propagates; b: the sub turns it into ValueError first): the sub ignored
    # GeneratorExit, so the delegator gets RuntimeError at its ``yield from``, catches it and
    # returns: close() succeeds.
    def sub(turns):
        try:
            yield "sub-1"
        except GeneratorExit:
            if turns:
                t.genexit("sub")
                raise ValueError("from-exit")
            raise
        finally:
            t.fin("sub")
            yield "sub-finally"

    def parent(who, turns):
        try:
            yield from sub(turns)
        except RuntimeError as exc:
            t.caught(exc, who)
        t.done(who)

    a = parent("a", False)
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    b = parent("b", True)
    t.next(b, "b")
    t.close(b, "b")
    t.state(b, "b")


# ------------------------------------------------------------- close() at a finally that yields

@scenario
def corner_close_finally_that_yields(t):
    # close() reaches the yield; the finally yields: the generator ignored GeneratorExit, so
    # close() raises RuntimeError and the generator stays suspended in the finally. Then
    # a: next() ends the finally, and the GeneratorExit comes out of next(); b: close() again
    # raises GeneratorExit at the finally's yield, which ends it: ok; c: throw() raises its
    # error there instead, which replaces the GeneratorExit.
    def g(who):
        try:
            yield 1
        finally:
            t.fin(who)
            yield 99

    a = g("a")
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    t.next(a, "a")
    t.state(a, "a")
    t.next(a, "a")
    b = g("b")
    t.next(b, "b")
    t.close(b, "b")
    t.close(b, "b")
    t.state(b, "b")
    c = g("c")
    t.next(c, "c")
    t.close(c, "c")
    t.throw(c, ValueError("v"), "c")
    t.state(c, "c")


@scenario
def corner_close_two_finallies_that_yield(t):
    # Two nested finally blocks that yield: close() stops at the inner one's yield (98), the
    # next resume at the outer one's (99), and the one after raises the GeneratorExit (a).
    # A second close() at 98 raises GeneratorExit there, the outer finally yields 99 while it
    # propagates: the generator ignored GeneratorExit again (b). (Nothing is logged in the
    # finally blocks: in stasis a destructor's code runs on, up to the end of the unwinding,
    # before the values yielded earlier come out; README "Differences".)
    def g():
        try:
            try:
                yield 1
            finally:
                yield 98
        finally:
            yield 99

    a = g()
    t.next(a, "a")
    t.close(a, "a")
    t.next(a, "a")
    t.state(a, "a")
    t.next(a, "a")
    t.state(a, "a")
    b = g()
    t.next(b, "b")
    t.close(b, "b")
    t.close(b, "b")
    t.state(b, "b")
    t.close(b, "b")
    t.state(b, "b")


@scenario
def corner_close_through_shared_delegate_finally_that_yields(t):
    # close() of a delegator whose sub (a generator the consumer also holds) yields in a
    # finally while it is closed: the sub ignored GeneratorExit and stays suspended in its
    # finally; the delegator gets RuntimeError at its ``yield from`` and does not catch it, so
    # close() raises it and the delegator is closed. The consumer then resumes the sub itself:
    # a: next() raises the GeneratorExit; b: close() ends it; c: throw() raises its error.
    box = {}

    def sub(who):
        try:
            yield "sub-1"
        finally:
            t.fin(who)
            yield "sub-finally"

    def parent(who):
        try:
            yield from box[who]
        finally:
            t.fin(who)

    for who, sub_who, finish in [("a", "sub_a", "next"), ("b", "sub_b", "close"),
                                 ("c", "sub_c", "throw")]:
        box[who] = sub(sub_who)
        g = parent(who)
        t.next(g, who)
        t.close(g, who)
        t.state(g, who)
        t.state(box[who], sub_who)
        if finish == "next":
            t.next(box[who], sub_who)
        elif finish == "close":
            t.close(box[who], sub_who)
        else:
            t.throw(box[who], ValueError("v"), sub_who)
        t.state(box[who], sub_who)


# --------------------------------------------- the yield from chain of a delegate left waiting

@scenario
def corner_yield_from_chain_of_a_delegate_left_waiting(t):
    # close() reaches the sub, which catches the exit and delegates to ``third``, which
    # delegates to ``fourth``, which yields: the sub ignored GeneratorExit and is left waiting
    # in its ``yield from``, two levels deep. The delegator catches the RuntimeError, yields,
    # then delegates to the same sub again: its chain is three levels deep, and finishes.
    box = {}

    def fourth():
        try:
            yield "fourth-1"
            yield "fourth-2"
        finally:
            t.fin("fourth")

    def third():
        try:
            yield from fourth()
        finally:
            t.fin("third")

    def sub():
        try:
            yield "sub-1"
        except GeneratorExit:
            t.genexit("sub")
            yield from third()
        return "sub-result"

    def parent():
        try:
            yield from box["sub"]
        except RuntimeError as exc:
            t.caught(exc, "parent")
        yield "parent-after"
        r = yield from box["sub"]
        t.result(r, "parent")

    box["sub"] = sub()
    g = parent()
    t.next(g, "parent")
    t.yieldfrom(g, "parent")
    t.close(g, "parent")
    t.state(g, "parent")
    t.yieldfrom(g, "parent")
    t.yieldfrom(box["sub"], "sub")
    t.next(g, "parent")
    t.yieldfrom(g, "parent")
    t.next(g, "parent")
    t.yieldfrom(g, "parent")
    t.yieldfrom(box["sub"], "sub")
    t.state(box["sub"], "sub")


# ------------------------------------------- sweep of CPython's test_generators (issue 9, B)

@scenario
def corner_send_value_after_the_end(t):
    # test_generators' pep 342 doctests: a finished generator answers every send, even a value
    # that is not None, with StopIteration; a throw raises the thrown exception unchanged.
    # The same after close() of a generator that never started (it is finished, not "just
    # started") and after the body raised.
    def returns():
        yield 1
        return 2

    def raises():
        yield 1
        raise KeyError("k")

    a = returns()
    t.next(a, "a")
    t.next(a, "a")
    t.send(a, "x", "a")
    t.throw(a, ValueError("late"), "a")
    t.state(a, "a")
    b = returns()
    t.close(b, "b")
    t.send(b, "x", "b")
    t.throw(b, ValueError("late"), "b")
    t.next(b, "b")
    t.state(b, "b")
    c = raises()
    t.next(c, "c")
    t.next(c, "c")
    t.send(c, "x", "c")
    t.close(c, "c")
    t.state(c, "c")


@scenario
def corner_exit_caught_and_returns(t):
    # ``except GeneratorExit: return 5``: close() succeeds (3.11 gives None; 3.13 returns 5)
    # and the generator is closed; throw(GeneratorExit) into the same body reports the
    # return value as StopIteration(5).
    def gen(who):
        try:
            yield 1
        except GeneratorExit:
            t.genexit(who)
            return 5
        finally:
            t.fin(who)

    a = gen("a")
    t.next(a, "a")
    t.close(a, "a")
    t.state(a, "a")
    t.next(a, "a")
    t.close(a, "a")
    b = gen("b")
    t.next(b, "b")
    t.throw(b, GeneratorExit, "b")
    t.state(b, "b")
    t.next(b, "b")


@scenario
def corner_throw_caught_and_returns(t):
    # A thrown exception the body catches and then returns: throw() raises StopIteration with
    # the return value, once; the generator is closed.
    def gen():
        t.started()
        try:
            yield 1
        except ValueError as exc:
            t.caught(exc)
            return "r"
        finally:
            t.fin()
        yield "never"

    g = gen()
    t.next(g)
    t.throw(g, ValueError("x"))
    t.state(g)
    t.next(g)
    t.throw(g, ValueError("y"))


@scenario
def corner_exit_turned_into_error(t):
    # ``except GeneratorExit: raise ValueError``: close() raises that error, the generator is
    # closed, and a second close() is a no-op (test_generators' "close() ... raise TypeError").
    def gen():
        try:
            yield 1
        except GeneratorExit:
            t.genexit()
            raise ValueError("fie")

    g = gen()
    t.next(g)
    t.close(g)
    t.state(g)
    t.close(g)
    t.next(g)


@scenario
def corner_two_delegators_share_a_sub(t):
    # Two generators wait in ``yield from`` of the same sub, which itself waits in ``yield
    # from`` a third: each next() goes down its own delegator to wherever the shared sub is
    # now. The sub's return value goes to the delegator that resumed it last; closing the
    # other closes the finished sub (a no-op) and raises GeneratorExit in it.
    def third():
        for i in range(1, 4):
            yield "t%d" % i
        return "third-result"

    def sub():
        result = yield from third()
        t.result(result, "sub")
        yield "sub-after"
        return "sub-result"

    def parent(who, inner):
        try:
            result = yield from inner
            t.result(result, who)
            yield who + "-after"
        finally:
            t.fin(who)

    s = sub()
    p = parent("p", s)
    q = parent("q", s)
    t.next(p, "p")
    t.next(q, "q")
    t.state(s, "s")
    t.next(p, "p")
    t.next(q, "q")
    t.next(p, "p")
    t.state(q, "q")
    t.close(p, "p")
    t.state(p, "p")
    t.close(q, "q")
    t.state(q, "q")


@scenario
def corner_throw_into_one_of_two_delegators_of_a_sub(t):
    # As above, with throw(): a throw into either delegator goes down to wherever the shared
    # sub is now (its third level), whichever delegator resumed it last.
    def third():
        i = 0
        while True:
            i += 1
            try:
                yield "t%d" % i
            except ValueError as exc:
                t.caught(exc, "third")
                yield "third-caught"

    def sub():
        yield from third()

    def parent(who, inner):
        try:
            yield from inner
        finally:
            t.fin(who)

    s = sub()
    p = parent("p", s)
    q = parent("q", s)
    t.next(p, "p")
    t.next(q, "q")
    t.throw(p, ValueError("v"), "p")
    t.next(q, "q")
    t.throw(q, KeyError("k"), "q")
    t.state(q, "q")
    t.state(s, "s")
    t.state(p, "p")
    t.close(p, "p")


@scenario
def corner_sub_closes_and_throws_into_its_running_delegator(t):
    # A sub reaches its running delegator (``box["parent"]``) and calls close() and throw()
    # on it: both raise ValueError("generator already executing") in the sub, and the
    # delegator goes on.
    box = {}

    def sub():
        yield "s1"
        t.close(box["parent"], "parent")
        t.throw(box["parent"], KeyError("k"), "parent")
        t.state(box["parent"], "parent")
        yield "s2"

    def parent():
        yield from sub()
        t.done("parent")

    p = parent()
    box["parent"] = p
    t.next(p, "parent")
    t.next(p, "parent")
    t.next(p, "parent")
    t.state(p, "parent")


@scenario
def corner_sub_closes_its_delegator_while_it_is_closed(t):
    # While close() of the delegator is being passed to its sub, the sub's finally reaches
    # the delegator (``box["parent"]``) and closes it: ValueError("generator already
    # executing") in the sub, whose finally goes on; then the delegator gets GeneratorExit.
    # (The same with throw() is left out: CPython 3.11 then closes the delegator while that
    # throw() returns the sub's next value, an artefact of its implementation.)
    box = {}

    def sub():
        try:
            yield "s1"
        finally:
            t.fin("sub")
            t.close(box["parent"], "parent")
            t.state(box["parent"], "parent")

    def parent():
        try:
            yield from sub()
        finally:
            t.fin("parent")

    box["parent"] = parent()
    t.next(box["parent"], "parent")
    t.close(box["parent"], "parent")
    t.state(box["parent"], "parent")


@scenario
def corner_yield_from_chain_through_a_shared_sub(t):
    # gi_yieldfrom links of a delegator whose sub (named, so resumable from outside) delegates
    # in turn: the chain counts the sub's own delegation, follows it as the sub moves on
    # through its own handle, and still counts the sub once it finished behind the
    # delegator's back (until the delegator resumes).
    def third():
        yield "t1"
        yield "t2"
        return "third-result"

    def sub():
        yield from third()
        yield "sub-after"
        return "sub-result"

    def parent(inner):
        yield from inner
        t.done("parent")

    s = sub()
    p = parent(s)
    t.yieldfrom(p, "p")
    t.next(p, "p")
    t.yieldfrom(p, "p")
    t.next(s, "s")
    t.next(s, "s")
    t.yieldfrom(p, "p")
    t.next(s, "s")
    t.yieldfrom(p, "p")
    t.close(p, "p")
    t.yieldfrom(p, "p")
