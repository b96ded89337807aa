//! The generator bodies of the differential test, in Rust: each one of `bodies.py` written for
//! the stackful backend ([`stackful`]) and, where the state-machine backend can express it,
//! for that one too ([`state_machine`]). Both log body events into a [`Trace`] in the
//! grammar of `tests/conformance/README.md`, exactly as the Python version does.
//!
//! Python's `finally` is a [`Finally`] guard (or code after a `try_yield` that saw an error);
//! `except E` is a match on `Err(Thrown::Error(e))` from `try_yield` (stackful) or from the
//! value of `yield` (state machine); `raise` is `co.raise(..)` / `return Err(..)`. The
//! `delegator` body is Python's `yield from catcher(...)`; on the stackful backend it is a plain
//! call of the `catcher` body with the same `&Co` (delegation by calling), and the state-machine
//! backend has no equivalent without the delegation crate.

use std::rc::Rc;

use stasis::{Co, Gen, Generator, Thrown, from_throwing_coroutine};

use crate::support::{Finally, PyExc, Trace, Val};

/// Every body of the family, as named in `bodies.py`.
pub(crate) const BODIES: [&str; 10] = [
    "count",
    "finally",
    "catcher",
    "ignore_exit",
    "raiser",
    "returner",
    "exit_to_error",
    "return_on_exit",
    "yield_in_finally",
    "delegator",
];

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

fn delegator(co: &C, t: &Rc<Trace>, n: i64) -> Option<i64> {
    t.body(None, "started");
    let result = catcher(co, t, n);
    t.body(None, format!("result {}", result.render()));
    co.yield_(result.expect("catcher returns a value"));
    t.body(None, "done");
    None
}

/// `body` on the stackful backend.
pub(crate) fn stackful(body: &str, n: i64, t: &Rc<Trace>) -> DynGen {
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
        "delegator" => delegator,
        other => panic!("no body {other:?}"),
    };
    let t = t.clone();
    Box::new(Gen::<i64, Option<i64>, Option<i64>, PyExc>::throwing(move |co, _first| f(co, &t, n)))
}

// ----------------------------------------------------------------------- state-machine bodies

/// `body` on the state-machine backend, or `None` if that backend cannot express it.
pub(crate) fn state_machine(body: &str, n: i64, t: &Rc<Trace>) -> Option<DynGen> {
    let t = t.clone();
    macro_rules! sm {
        ($c:expr) => {
            Some(Box::new(from_throwing_coroutine::<_, Option<i64>, PyExc, Option<i64>>($c))
                as DynGen)
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
        // `yield from` needs the delegation crate on this backend.
        "delegator" => None,
        other => panic!("no body {other:?}"),
    }
}
