//! The generator bodies of the differential test, in Rust: each one of `bodies.py` written for
//! the stackful backend and for the state-machine backend. All log body events into a
//! [`Trace`] in the grammar of `tests/conformance/README.md`, exactly as the Python version does.
//!
//! Python's `finally` is a [`Finally`] guard (or code after a `try_yield` that saw an error);
//! `except E` is a match on `Err(Thrown::Error(e))` from `try_yield` (stackful) or from the
//! value of `yield` (state machine); `raise` is `co.raise(..)` / `return Err(..)`.
//!
//! The `delegat*` bodies use `yield from` (PEP 380). Each runs in every form stasis offers
//! ([`backends`]): on the stackful backend as an inline call of the sub-body's function
//! (frames fused on one stack), as `co.try_yield_from(gen)` with a stackful sub-generator (the
//! O(1) adoption path) and with a state-machine sub-generator; on the state-machine backend as
//! `yield_from_throwing!` over a state-machine and over a stackful sub-generator.

use std::rc::Rc;

use stasis::{Co, Gen, Generator, Thrown, from_throwing_coroutine, yield_from_throwing};

use crate::support::{Finally, PyExc, Trace, Val, runtime_exc};

/// Every body of the family, as named in `bodies.py`.
pub(crate) const BODIES: [&str; 16] = [
    "count",
    "finally",
    "catcher",
    "ignore_exit",
    "raiser",
    "returner",
    "exit_to_error",
    "return_on_exit",
    "yield_in_finally",
    "exit_delegates",
    "delegator",
    "delegate_ignore",
    "delegate_recover",
    "delegate_finally",
    "delegate_deep",
    "delegate_exit_delegates",
];

/// The Rust forms a body runs in (see the module docs).
pub(crate) fn backends(body: &str) -> Vec<&'static str> {
    if sub_of(body).is_none() {
        return vec!["stackful", "state machine"];
    }
    let mut forms = vec![];
    // An inline call cannot catch what its sub-body raises (that unwinds the whole stack), so
    // `except` around a `yield from` needs a generator object.
    if !catches_at_yield_from(body) {
        forms.push("stackful, inline call");
    }
    forms.extend([
        "stackful, yield from a Gen",
        "stackful, yield from a state machine",
        "state machine, yield from a state machine",
        "state machine, yield from a Gen",
    ]);
    forms
}

/// Whether `body` catches what its `yield from` raises (so it has no inline-call form).
pub(crate) fn catches_at_yield_from(body: &str) -> bool {
    matches!(body, "delegate_recover" | "delegate_exit_delegates")
}

/// Builds `body` in the form `backend` (one of [`backends`]).
pub(crate) fn build(backend: &str, body: &str, n: i64, t: &Rc<Trace>) -> DynGen {
    match backend {
        "stackful" => Box::new(stackful(body, n, t)),
        "state machine" => state_machine(body, n, t),
        "stackful, inline call" => Box::new(stackful_delegating(body, Via::Call, n, t)),
        "stackful, yield from a Gen" => Box::new(stackful_delegating(body, Via::Gen, n, t)),
        "stackful, yield from a state machine" => {
            Box::new(stackful_delegating(body, Via::StateMachine, n, t))
        }
        "state machine, yield from a state machine" => sm_delegating(body, Via::StateMachine, n, t),
        "state machine, yield from a Gen" => sm_delegating(body, Via::Gen, n, t),
        other => panic!("no backend {other:?}"),
    }
}

/// The generator type every backend is driven through.
pub(crate) type DynGen =
    Box<dyn Generator<Option<i64>, Yield = i64, Return = Option<i64>, Error = PyExc>>;

type C = Co<i64, Option<i64>, PyExc>;
type Input = Result<Option<i64>, Thrown<PyExc>>;

fn is_value_error(e: &PyExc) -> bool {
    e.name == "ValueError"
}

// --------------------------------------------------------------------------- stackful bodies

fn count(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    for i in 0..n {
        let got = co.yield_(i);
        t.body(None, format!("got {}", got.render()));
    }
    t.body(None, "done");
    Some(100 + n)
}

fn finally(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    {
        let _finally = Finally::new(t, None);
        for i in 0..n {
            co.yield_(i);
        }
    }
    t.body(None, "done");
    None
}

fn catcher(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    let mut i = 0;
    while i < n {
        match co.try_yield(i) {
            Ok(got) => t.body(None, format!("got {}", got.render())),
            Err(Thrown::Error(e)) if is_value_error(&e) => {
                t.body(None, format!("caught {}", e.render()));
                co.yield_(-1);
            }
            Err(thrown) => co.raise(thrown),
        }
        i += 1;
    }
    t.body(None, "done");
    Some(200 + n)
}

fn ignore_exit(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    for i in 0..n {
        match co.try_yield(i) {
            Ok(_) => {}
            Err(Thrown::Exit) => {
                t.body(None, "GeneratorExit");
                co.yield_(99);
            }
            Err(thrown) => co.raise(thrown),
        }
    }
    t.body(None, "done");
    None
}

fn raiser(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    let mut i = 0;
    loop {
        let got = co.yield_(i);
        t.body(None, format!("got {}", got.render()));
        if let Some(g) = got
            && g >= n
        {
            co.raise(Thrown::Error(PyExc::new("KeyError", g)));
        }
        i += 1;
        if i > 3 {
            t.body(None, "done");
            return Some(i);
        }
    }
}

fn returner(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    let finally = Finally::new(t, None);
    for i in 0..n {
        match co.try_yield(i) {
            Ok(_) => {}
            Err(Thrown::Error(e)) if is_value_error(&e) => {
                t.body(None, format!("caught {}", e.render()));
                t.body(None, "done");
                return Some(10 + i);
            }
            Err(thrown) => co.raise(thrown),
        }
    }
    drop(finally);
    t.body(None, "done");
    None
}

fn exit_to_error(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    for i in 0..=n {
        match co.try_yield(i) {
            Ok(_) => {}
            Err(Thrown::Exit) => {
                t.body(None, "GeneratorExit");
                co.raise(Thrown::Error(PyExc::new("ValueError", "exit")));
            }
            Err(thrown) => co.raise(thrown),
        }
    }
    t.body(None, "done");
    None
}

fn return_on_exit(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    for i in 0..=n {
        match co.try_yield(i) {
            Ok(_) => {}
            Err(Thrown::Exit) => {
                t.body(None, "GeneratorExit");
                return Some(7);
            }
            Err(thrown) => co.raise(thrown),
        }
    }
    t.body(None, "done");
    None
}

fn yield_in_finally(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    let mut pending = None;
    for i in 0..n {
        if let Err(thrown) = co.try_yield(i) {
            pending = Some(thrown);
            break;
        }
    }
    t.body(None, "finally");
    co.yield_(50);
    t.body(None, "after");
    if let Some(thrown) = pending {
        co.raise(thrown);
    }
    t.body(None, "done");
    None
}

/// Catches the exit and delegates to `count(i)` (which yields, so ignores the exit, unless
/// `i` is 0).
fn exit_delegates(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    for i in 0..n {
        match co.try_yield(i) {
            Ok(got) => t.body(None, format!("got {}", got.render())),
            Err(Thrown::Exit) => {
                t.body(None, "GeneratorExit");
                let result =
                    co.try_yield_from(stackful("count", i, t)).unwrap_or_else(|e| co.raise(e));
                t.body(None, format!("result {}", result.render()));
                return None;
            }
            Err(thrown) => co.raise(thrown),
        }
    }
    t.body(None, "done");
    None
}

/// The stackful generator type of the family.
pub(crate) type G = Gen<i64, Option<i64>, Option<i64>, PyExc>;

/// A plain `body` on the stackful backend.
pub(crate) fn stackful(body: &str, n: i64, t: &Rc<Trace>) -> G {
    let f: fn(&C, &Rc<Trace>, i64) -> Option<i64> = match body {
        "count" => count,
        "finally" => finally,
        "catcher" => catcher,
        "ignore_exit" => ignore_exit,
        "raiser" => raiser,
        "returner" => returner,
        "exit_to_error" => exit_to_error,
        "return_on_exit" => return_on_exit,
        "yield_in_finally" => yield_in_finally,
        "exit_delegates" => exit_delegates,
        other => panic!("no plain body {other:?}"),
    };
    let t = t.clone();
    Gen::throwing(move |co, _first| f(co, &t, n))
}

// ----------------------------------------------------------------------- state-machine bodies

/// A plain `body` on the state-machine backend.
pub(crate) fn state_machine(body: &str, n: i64, t: &Rc<Trace>) -> DynGen {
    let t = t.clone();
    macro_rules! sm {
        ($c:expr) => {
            Box::new(from_throwing_coroutine::<_, Option<i64>, PyExc, Option<i64>>($c)) as DynGen
        };
    }
    match body {
        "count" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                for i in 0..n {
                    let got = (yield i)?;
                    t.body(None, format!("got {}", got.render()));
                }
                t.body(None, "done");
                Ok::<_, Thrown<PyExc>>(Some(100 + n))
            }
        ),
        "finally" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let finally = Finally::new(&t, None);
                for i in 0..n {
                    (yield i)?;
                }
                drop(finally);
                t.body(None, "done");
                Ok::<_, Thrown<PyExc>>(None)
            }
        ),
        "catcher" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let mut i: i64 = 0;
                while i < n {
                    match (yield i) {
                        Ok(got) => t.body(None, format!("got {}", got.render())),
                        Err(Thrown::Error(e)) if is_value_error(&e) => {
                            t.body(None, format!("caught {}", e.render()));
                            (yield -1)?;
                        }
                        Err(thrown) => return Err(thrown),
                    }
                    i += 1;
                }
                t.body(None, "done");
                Ok(Some(200 + n))
            }
        ),
        "ignore_exit" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                for i in 0..n {
                    match (yield i) {
                        Ok(_) => {}
                        Err(Thrown::Exit) => {
                            t.body(None, "GeneratorExit");
                            (yield 99)?;
                        }
                        Err(thrown) => return Err(thrown),
                    }
                }
                t.body(None, "done");
                Ok(None)
            }
        ),
        "raiser" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let mut i: i64 = 0;
                loop {
                    let got = (yield i)?;
                    t.body(None, format!("got {}", got.render()));
                    if let Some(g) = got
                        && g >= n
                    {
                        return Err(Thrown::Error(PyExc::new("KeyError", g)));
                    }
                    i += 1;
                    if i > 3 {
                        t.body(None, "done");
                        return Ok(Some(i));
                    }
                }
            }
        ),
        "returner" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let finally = Finally::new(&t, None);
                for i in 0..n {
                    match (yield i) {
                        Ok(_) => {}
                        Err(Thrown::Error(e)) if is_value_error(&e) => {
                            t.body(None, format!("caught {}", e.render()));
                            t.body(None, "done");
                            return Ok(Some(10 + i));
                        }
                        Err(thrown) => return Err(thrown),
                    }
                }
                drop(finally);
                t.body(None, "done");
                Ok(None)
            }
        ),
        "exit_to_error" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                for i in 0..=n {
                    match (yield i) {
                        Ok(_) => {}
                        Err(Thrown::Exit) => {
                            t.body(None, "GeneratorExit");
                            return Err(Thrown::Error(PyExc::new("ValueError", "exit")));
                        }
                        Err(thrown) => return Err(thrown),
                    }
                }
                t.body(None, "done");
                Ok(None)
            }
        ),
        "return_on_exit" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                for i in 0..=n {
                    match (yield i) {
                        Ok(_) => {}
                        Err(Thrown::Exit) => {
                            t.body(None, "GeneratorExit");
                            return Ok(Some(7));
                        }
                        Err(thrown) => return Err(thrown),
                    }
                }
                t.body(None, "done");
                Ok(None)
            }
        ),
        "yield_in_finally" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let mut pending = None;
                for i in 0..n {
                    if let Err(thrown) = (yield i) {
                        pending = Some(thrown);
                        break;
                    }
                }
                t.body(None, "finally");
                (yield 50)?;
                t.body(None, "after");
                if let Some(thrown) = pending {
                    return Err(thrown);
                }
                t.body(None, "done");
                Ok(None)
            }
        ),
        "exit_delegates" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                for i in 0..n {
                    match (yield i) {
                        Ok(got) => t.body(None, format!("got {}", got.render())),
                        Err(Thrown::Exit) => {
                            t.body(None, "GeneratorExit");
                            let result = yield_from_throwing!(state_machine("count", i, &t))?;
                            t.body(None, format!("result {}", result.render()));
                            return Ok(None);
                        }
                        Err(thrown) => return Err(thrown),
                    }
                }
                t.body(None, "done");
                Ok(None)
            }
        ),
        other => panic!("no plain body {other:?}"),
    }
}

// ------------------------------------------------------------------------ delegation bodies

/// The body each delegating body delegates to (`None`: not a delegating body).
pub(crate) fn sub_of(body: &str) -> Option<&'static str> {
    Some(match body {
        "delegator" => "catcher",
        "delegate_ignore" => "ignore_exit",
        "delegate_recover" => "raiser",
        "delegate_finally" => "yield_in_finally",
        "delegate_deep" => "delegator",
        "delegate_exit_delegates" => "exit_delegates",
        _ => return None,
    })
}

/// How a delegating body reaches its sub-generator.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Via {
    /// Calls the sub-body's function with its own `&Co` (stackful only).
    Call,
    /// Delegates to a stackful generator object.
    Gen,
    /// Delegates to a state-machine generator object.
    StateMachine,
}

type Res = Result<Option<i64>, Thrown<PyExc>>;

/// The sub-generator of `body` as an object, on the backend `via` names.
fn sub_object(body: &str, via: Via, n: i64, t: &Rc<Trace>) -> DynGen {
    let sub = sub_of(body).expect("a delegating body");
    match (via, sub_of(sub).is_some()) {
        (Via::Gen, false) => Box::new(stackful(sub, n, t)),
        (Via::Gen, true) => Box::new(stackful_delegating(sub, Via::Gen, n, t)),
        (Via::StateMachine, false) => state_machine(sub, n, t),
        (Via::StateMachine, true) => sm_delegating(sub, Via::StateMachine, n, t),
        (Via::Call, _) => unreachable!("an inline call has no object"),
    }
}

/// The sub-generator of `body` as a stackful `Gen` (adopted by the delegating body).
fn sub_gen(body: &str, n: i64, t: &Rc<Trace>) -> G {
    let sub = sub_of(body).expect("a delegating body");
    if sub_of(sub).is_some() {
        stackful_delegating(sub, Via::Gen, n, t)
    } else {
        stackful(sub, n, t)
    }
}

/// Runs the sub-body of `body` inline, on the caller's stack.
fn call_sub(body: &str, co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    let sub = sub_of(body).expect("a delegating body");
    if sub_of(sub).is_some() {
        run_delegating(sub, co, t, &|co| Ok(call_sub(sub, co, t, n)))
    } else {
        let f: fn(&C, &Rc<Trace>, i64) -> Option<i64> = match sub {
            "catcher" => catcher,
            "ignore_exit" => ignore_exit,
            "raiser" => raiser,
            "yield_in_finally" => yield_in_finally,
            other => panic!("no sub-body {other:?}"),
        };
        f(co, t, n)
    }
}

/// A delegating body on the stackful backend; `sub` is its `yield from`.
fn run_delegating(body: &str, co: &C, t: &Rc<Trace>, sub: &dyn Fn(&C) -> Res) -> Option<i64> {
    t.body(None, "started");
    match body {
        "delegator" => {
            let result = sub(co).unwrap_or_else(|thrown| co.raise(thrown));
            t.body(None, format!("result {}", result.render()));
            co.yield_(result.expect("catcher returns a value"));
            t.body(None, "done");
            None
        }
        "delegate_ignore" => {
            let result = sub(co).unwrap_or_else(|thrown| co.raise(thrown));
            t.body(None, format!("result {}", result.render()));
            co.yield_(7);
            t.body(None, "done");
            None
        }
        "delegate_recover" => {
            match sub(co) {
                Ok(result) => t.body(None, format!("result {}", result.render())),
                Err(Thrown::Error(e)) if e.name == "KeyError" => {
                    t.body(None, format!("caught {}", e.render()));
                    co.yield_(-7);
                }
                Err(thrown) => co.raise(thrown),
            }
            t.body(None, "done");
            Some(3)
        }
        "delegate_finally" => {
            {
                let _finally = Finally::new(t, None);
                if let Err(thrown) = sub(co) {
                    co.raise(thrown);
                }
            }
            t.body(None, "done");
            None
        }
        "delegate_deep" => {
            let result = sub(co).unwrap_or_else(|thrown| co.raise(thrown));
            t.body(None, format!("result {}", result.render()));
            t.body(None, "done");
            Some(40)
        }
        "delegate_exit_delegates" => {
            match sub(co) {
                Ok(result) => t.body(None, format!("result {}", result.render())),
                Err(Thrown::Runtime(r)) => {
                    t.body(None, format!("caught {}", runtime_exc(r)));
                    co.yield_(-9);
                }
                Err(thrown) => co.raise(thrown),
            }
            t.body(None, "done");
            Some(5)
        }
        other => panic!("no delegating body {other:?}"),
    }
}

/// A delegating `body` on the stackful backend, reaching its sub-generator `via`.
pub(crate) fn stackful_delegating(body: &str, via: Via, n: i64, t: &Rc<Trace>) -> G {
    let body = sub_of(body).map(|_| body).expect("a delegating body");
    let body: &'static str = BODIES.into_iter().find(|b| *b == body).expect("a known body");
    let t = t.clone();
    match via {
        Via::Call => Gen::throwing(move |co, _| {
            run_delegating(body, co, &t, &|co| Ok(call_sub(body, co, &t, n)))
        }),
        // Python creates the sub-generator object when the `yield from` runs; creating it
        // has no visible effect, so it is made right there.
        Via::Gen => Gen::throwing(move |co, _| {
            // The `Gen` itself, not boxed as `dyn Generator`: the outermost body adopts it
            // (and the levels it delegates to), which a trait object would hide.
            run_delegating(body, co, &t, &|co| co.try_yield_from(sub_gen(body, n, &t)))
        }),
        Via::StateMachine => Gen::throwing(move |co, _| {
            run_delegating(body, co, &t, &|co| co.try_yield_from(sub_object(body, via, n, &t)))
        }),
    }
}

/// A delegating `body` on the state-machine backend (`yield_from_throwing!`), delegating to a
/// sub-generator object on the backend `via` names.
pub(crate) fn sm_delegating(body: &str, via: Via, n: i64, t: &Rc<Trace>) -> DynGen {
    let t = t.clone();
    let sub = sub_object(body, via, n, &t);
    macro_rules! sm {
        ($c:expr) => {
            Box::new(from_throwing_coroutine::<_, Option<i64>, PyExc, Option<i64>>($c)) as DynGen
        };
    }
    match body {
        "delegator" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let result = yield_from_throwing!(sub)?;
                t.body(None, format!("result {}", result.render()));
                (yield result.expect("catcher returns a value"))?;
                t.body(None, "done");
                Ok(None)
            }
        ),
        "delegate_ignore" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let result = yield_from_throwing!(sub)?;
                t.body(None, format!("result {}", result.render()));
                (yield 7)?;
                t.body(None, "done");
                Ok(None)
            }
        ),
        "delegate_recover" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                match yield_from_throwing!(sub) {
                    Ok(result) => t.body(None, format!("result {}", result.render())),
                    Err(Thrown::Error(e)) if e.name == "KeyError" => {
                        t.body(None, format!("caught {}", e.render()));
                        (yield -7)?;
                    }
                    Err(thrown) => return Err(thrown),
                }
                t.body(None, "done");
                Ok(Some(3))
            }
        ),
        "delegate_finally" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let finally = Finally::new(&t, None);
                yield_from_throwing!(sub)?;
                drop(finally);
                t.body(None, "done");
                Ok(None)
            }
        ),
        "delegate_deep" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                let result = yield_from_throwing!(sub)?;
                t.body(None, format!("result {}", result.render()));
                t.body(None, "done");
                Ok(Some(40))
            }
        ),
        "delegate_exit_delegates" => sm!(
            #[coroutine]
            move |_: Input| {
                t.body(None, "started");
                match yield_from_throwing!(sub) {
                    Ok(result) => t.body(None, format!("result {}", result.render())),
                    Err(Thrown::Runtime(r)) => {
                        t.body(None, format!("caught {}", runtime_exc(r)));
                        (yield -9)?;
                    }
                    Err(thrown) => return Err(thrown),
                }
                t.body(None, "done");
                Ok(Some(5))
            }
        ),
        other => panic!("no delegating body {other:?}"),
    }
}
