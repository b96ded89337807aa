"""The generator bodies of the differential test, in Python, and the driver that runs cases.

The same bodies are written in Rust in `bodies.rs` (stackful and state-machine backends); the
test `tests/differential.rs` sends every case of a batch on stdin as one JSON array and reads
one trace per case from stdout, so a whole batch costs one python3 process.

Input:  [{"body": "count", "n": 2, "ops": ["next", "send(3)", "throw(ValueError(1))", ...]}, ...]
Output: [[event, ...], ...]   events in the grammar of tests/conformance/README.md

After the ops, every case closes its generator until `close` returns (at most three times),
so no body event can happen later, when the garbage collector finalizes it.
"""

import inspect
import json
import re
import sys


def js(value):
    return json.dumps(value, separators=(",", ":"))


def exc(e):
    name = type(e).__name__
    return f"{name}({js(e.args[0])})" if e.args else name


def count(log, n):
    log("started")
    for i in range(n):
        got = yield i
        log(f"got {js(got)}")
    log("done")
    return 100 + n


def finally_(log, n):
    log("started")
    try:
        for i in range(n):
            yield i
    finally:
        log("finally")
    log("done")


def catcher(log, n):
    log("started")
    i = 0
    while i < n:
        try:
            got = yield i
            log(f"got {js(got)}")
        except ValueError as e:
            log(f"caught {exc(e)}")
            yield -1
        i += 1
    log("done")
    return 200 + n


def ignore_exit(log, n):
    log("started")
    for i in range(n):
        try:
            yield i
        except GeneratorExit:
            log("GeneratorExit")
            yield 99
    log("done")


def raiser(log, n):
    log("started")
    i = 0
    while True:
        got = yield i
        log(f"got {js(got)}")
        if got is not None and got >= n:
            raise KeyError(got)
        i += 1
        if i > 3:
            log("done")
            return i


def returner(log, n):
    log("started")
    try:
        for i in range(n):
            try:
                yield i
            except ValueError as e:
                log(f"caught {exc(e)}")
                log("done")
                return 10 + i
    finally:
        log("finally")
    log("done")


def exit_to_error(log, n):
    log("started")
    try:
        for i in range(n + 1):
            yield i
    except GeneratorExit:
        log("GeneratorExit")
        raise ValueError("exit")
    log("done")


def return_on_exit(log, n):
    log("started")
    try:
        for i in range(n + 1):
            yield i
    except GeneratorExit:
        log("GeneratorExit")
        return 7
    log("done")


def yield_in_finally(log, n):
    log("started")
    try:
        for i in range(n):
            yield i
    finally:
        log("finally")
        yield 50
        log("after")
    log("done")


def exit_delegates(log, n):
    log("started")
    for i in range(n):
        try:
            got = yield i
        except GeneratorExit:
            log("GeneratorExit")
            result = yield from count(log, i)
            log(f"result {js(result)}")
            return
        log(f"got {js(got)}")
    log("done")


def delegator(log, n):
    log("started")
    result = yield from catcher(log, n)
    log(f"result {js(result)}")
    yield result
    log("done")


def delegate_ignore(log, n):
    log("started")
    result = yield from ignore_exit(log, n)
    log(f"result {js(result)}")
    yield 7
    log("done")


def delegate_recover(log, n):
    log("started")
    try:
        result = yield from raiser(log, n)
        log(f"result {js(result)}")
    except KeyError as e:
        log(f"caught {exc(e)}")
        yield -7
    log("done")
    return 3


def delegate_finally(log, n):
    log("started")
    try:
        yield from yield_in_finally(log, n)
    finally:
        log("finally")
    log("done")


def delegate_exit_delegates(log, n):
    log("started")
    try:
        result = yield from exit_delegates(log, n)
        log(f"result {js(result)}")
    except RuntimeError as e:
        log(f"caught {exc(e)}")
        yield -9
    log("done")
    return 5


def delegate_deep(log, n):
    log("started")
    result = yield from delegator(log, n)
    log(f"result {js(result)}")
    log("done")
    return 40


BODIES = {
    "count": count,
    "finally": finally_,
    "catcher": catcher,
    "ignore_exit": ignore_exit,
    "raiser": raiser,
    "returner": returner,
    "exit_to_error": exit_to_error,
    "return_on_exit": return_on_exit,
    "yield_in_finally": yield_in_finally,
    "exit_delegates": exit_delegates,
    "delegator": delegator,
    "delegate_ignore": delegate_ignore,
    "delegate_recover": delegate_recover,
    "delegate_finally": delegate_finally,
    "delegate_deep": delegate_deep,
    "delegate_exit_delegates": delegate_exit_delegates,
}

EXCEPTIONS = {"ValueError": ValueError, "KeyError": KeyError}
STATES = {
    inspect.GEN_CREATED: "GEN_CREATED",
    inspect.GEN_RUNNING: "GEN_RUNNING",
    inspect.GEN_SUSPENDED: "GEN_SUSPENDED",
    inspect.GEN_CLOSED: "GEN_CLOSED",
}


def outcome(call):
    try:
        return js(call())
    except StopIteration as stop:
        return "exhausted" if stop.value is None else f"return {js(stop.value)}"
    except BaseException as e:  # noqa: BLE001 - every exception (GeneratorExit too) is traced
        return f"raised {exc(e)}"


def close(gen, trace):
    try:
        gen.close()
        trace.append("close -> ok")
        return True
    except BaseException as e:  # noqa: BLE001
        trace.append(f"close -> raised {exc(e)}")
        return False


def run_case(case):
    trace = []
    gen = BODIES[case["body"]](lambda text: trace.append(f"body: {text}"), case["n"])
    for op in case["ops"]:
        if op == "next":
            trace.append(f"next -> {outcome(lambda: next(gen))}")
        elif op == "close":
            close(gen, trace)
        elif op == "state":
            trace.append(f"state -> {STATES[inspect.getgeneratorstate(gen)]}")
        elif m := re.fullmatch(r"send\((-?\d+)\)", op):
            value = int(m.group(1))
            trace.append(f"{op} -> {outcome(lambda: gen.send(value))}")
        elif m := re.fullmatch(r"throw\((\w+)(?:\((-?\d+)\))?\)", op):
            cls = EXCEPTIONS[m.group(1)]
            thrown = cls if m.group(2) is None else cls(int(m.group(2)))
            trace.append(f"{op} -> {outcome(lambda: gen.throw(thrown))}")
        else:
            raise ValueError(f"unknown op {op!r}")
    for _ in range(3):
        if close(gen, trace):
            break
    return trace


def main():
    cases = json.load(sys.stdin)
    json.dump([run_case(case) for case in cases], sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
