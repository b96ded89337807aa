//! The combinators keep the protocol: `send`, `throw`, `close`, the state and the return value
//! reach the source as each adaptor's doc says, on both backends; push pipelines and the
//! streaming sources behave as documented (errors name their line, nothing is dropped).

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;

use stasis::combinators::{count, from_iter, push, stream};

use crate::support::Finally;
use stasis::prelude::*;

/// A sending generator: yields the running total of the values sent to it, returns "end"
/// after `n` yields.
fn running_total(n: usize) -> Gen<i64, &'static str, i64> {
    Gen::new(move |co, first| {
        let mut total = first;
        for _ in 0..n {
            total += co.yield_(total);
        }
        "end"
    })
}

#[test]
fn send_reaches_the_source_through_one_to_one_adaptors() {
    let mut g = running_total(10).gen_map(|t| t * 10).enumerate_from(1).gen_take(3);
    assert_eq!(g.resume(1), Step::Yielded((1, 10)));
    assert_eq!(g.resume(2), Step::Yielded((2, 30)));
    assert_eq!(g.resume(3), Step::Yielded((3, 60)));
    assert_eq!(g.resume(4), Step::Complete(None), "the limit answers, the source is not resumed");
    let mut g = running_total(1).accumulate(|a, b| a + b).map_return(str::len);
    assert_eq!(g.resume(5), Step::Yielded(5));
    assert_eq!(g.resume(1), Step::Complete(3));
}

#[test]
fn skipping_adaptors_answer_skipped_values_with_default() {
    // Yields (n, the value sent for the previous yield).
    let numbered = || {
        Gen::<(i64, i64), (), i64>::new(|co, first| {
            let (mut n, mut sent) = (1, first);
            loop {
                sent = co.yield_((n, sent));
                n += 1;
            }
        })
    };
    let mut odd = numbered().gen_filter(|(n, _)| n % 2 == 1);
    assert_eq!(odd.resume(10), Step::Yielded((1, 10)));
    // 7 answers (1, 10); the source yields (2, 7), rejected, and is answered with 0.
    assert_eq!(odd.resume(7), Step::Yielded((3, 0)));
    let mut skip = numbered().gen_skip(2);
    assert_eq!(skip.resume(10), Step::Yielded((3, 0)), "the first send starts the source");
    assert_eq!(skip.resume(5), Step::Yielded((4, 5)), "then one to one");
    let mut islice = numbered().islice(1, None, 2);
    // 10 starts the source: (1, 10) is index 0, skipped; index 1 is pulled with 0.
    assert_eq!(islice.resume(10), Step::Yielded((2, 0)));
    // 6 answers (2, 0): the source yields (3, 6), skipped; index 3 is pulled with 0.
    assert_eq!(islice.resume(6), Step::Yielded((4, 0)));
}

#[test]
fn chain_forwards_send_like_yield_from() {
    let mut g = running_total(1).gen_chain(running_total(1));
    assert_eq!(g.resume(5), Step::Yielded(5));
    // The first returns; the second starts with S::default() = 0, as `yield from` starts with next().
    assert_eq!(g.resume(1), Step::Yielded(0));
    assert_eq!(g.resume(7), Step::Complete("end"));
    assert_eq!(g.take_first_return(), Some("end"));
}

crate::support::nightly! {
#[test]
fn send_through_a_state_machine_source() {
    let source = from_sending_coroutine(
        #[coroutine]
        |first: i64| {
            let mut x = first;
            loop {
                x = yield x * x;
            }
        },
    );
    let mut g = source.gen_map(|sq| sq + 1).pairwise();
    assert_eq!(g.resume(2), Step::Yielded((5, 1)), "first pull gets 2, second gets 0");
    assert_eq!(g.resume(3), Step::Yielded((1, 10)));
}
}

/// A source that handles thrown errors by yielding a marker, and logs its `finally`.
fn resilient(log: Rc<RefCell<Vec<String>>>) -> Gen<String, &'static str, (), String> {
    Gen::throwing(move |co, ()| {
        let _f = Finally::log(&log, "finally");
        let mut n = 0;
        loop {
            n += 1;
            match co.try_yield(format!("item {n}")) {
                Ok(()) => {}
                Err(Thrown::Error(e)) => {
                    if e == "stop" {
                        return "stopped";
                    }
                    if let Err(Thrown::Exit) = co.try_yield(format!("handled {e}")) {
                        return "closed";
                    }
                }
                Err(Thrown::Exit) => return "closed",
                Err(runtime @ Thrown::Runtime(_)) => co.raise(runtime),
            }
        }
    })
}

#[test]
fn throw_and_close_reach_the_source() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut g = resilient(log.clone()).gen_map(|s| s.to_uppercase()).gen_filter(|s| !s.is_empty());
    assert_eq!(g.state(), State::Created);
    assert_eq!(g.resume(()), Step::Yielded("ITEM 1".into()));
    assert_eq!(g.throw("oops".into()), Step::Yielded("HANDLED OOPS".into()));
    assert_eq!(g.state(), State::Suspended);
    assert_eq!(g.close(), Ok(Some("closed")), "close returns the source's return value");
    assert_eq!(g.state(), State::Closed);
    assert_eq!(*log.borrow(), ["finally"]);

    let mut g = resilient(log.clone()).gen_take(5).map_return(|r| format!("{r:?}"));
    assert_eq!(g.resume(()), Step::Yielded("item 1".into()));
    assert_eq!(g.throw("stop".into()), Step::Complete("Some(\"stopped\")".into()));
}

#[test]
fn a_value_yielded_while_ignoring_close_is_mapped() {
    let stubborn = Gen::new(|co, ()| {
        let _ = co.try_yield(1);
        co.yield_(2);
    });
    let mut g = stubborn.gen_map(|x| x * 10).enumerate_from(5);
    assert_eq!(g.next(), Some((5, 10)));
    assert_eq!(g.close(), Err(CloseError::IgnoredExit((6, 20))));
    assert_eq!(g.state(), State::Suspended);
}

crate::support::nightly! {
#[test]
fn throw_into_a_state_machine_through_adaptors() {
    let source = from_throwing_coroutine::<_, (), &'static str, ()>(
        #[coroutine]
        |_: Result<(), Thrown<&'static str>>| {
            let mut n = 0;
            loop {
                n += 1;
                match (yield n) {
                    Ok(()) => {}
                    Err(Thrown::Error(_)) => n = 100,
                    Err(exit) => return Err(exit),
                }
            }
        },
    );
    let mut g = source.gen_enumerate().gen_skip(1);
    assert_eq!(g.resume(()), Step::Yielded((1, 2)));
    assert_eq!(g.throw("reset"), Step::Yielded((2, 101)));
    assert_eq!(g.close(), Ok(None));
    assert_eq!(g.state(), State::Closed);
}
}

#[test]
fn return_values_are_kept_where_they_mean_something() {
    let src = Gen::new(|co, ()| {
        co.yield_(1);
        co.yield_(2);
        "source done"
    });
    let mut take = src.gen_take(5);
    assert_eq!(take.by_ref().count(), 2);
    // Iterator::next loses it; resume shows it once.
    let mut take = Gen::new(|co, ()| {
        co.yield_(1);
        "source done"
    })
    .gen_take(5);
    assert_eq!(take.resume(()), Step::Yielded(1));
    assert_eq!(take.resume(()), Step::Complete(Some("source done")));
    assert_eq!(take.resume(()), Step::Exhausted);

    let mut z = from_iter([1, 2, 3]).gen_zip(from_iter(["a"]));
    assert_eq!(z.resume(()), Step::Yielded((1, "a")));
    assert_eq!(z.resume(()), Step::Complete(ZipEnd::Second(())));
    assert_eq!(z.take_unpaired(), Some(2));

    let mut b = Gen::new(|co, ()| {
        co.yield_(1);
        co.yield_(2);
        co.yield_(3);
        'r'
    })
    .batched(2);
    assert_eq!(b.resume(()), Step::Yielded(vec![1, 2]));
    assert_eq!(b.resume(()), Step::Yielded(vec![3]));
    assert_eq!(b.resume(()), Step::Complete('r'));
}

use stasis::combinators::ZipEnd;

#[test]
fn errors_raised_mid_batch_come_after_the_values_pulled() {
    let mut b = Gen::<i32>::throwing::<&str>(|co, ()| {
        co.yield_(1);
        co.raise(Thrown::Error("broken"))
    })
    .batched(3);
    assert_eq!(b.resume(()), Step::Yielded(vec![1]));
    assert_eq!(b.resume(()), Step::Raised(Thrown::Error("broken")));
    assert_eq!(b.resume(()), Step::Exhausted);
}

#[test]
fn tee_cursors_report_the_end_and_close_the_source_last() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let [mut a, mut b] = resilient(log.clone()).gen_tee();
    assert_eq!(a.resume(()), Step::Yielded("item 1".into()));
    assert_eq!(a.close(), Ok(None));
    assert!(log.borrow().is_empty(), "b is still open");
    assert_eq!(b.resume(()), Step::Yielded("item 1".into()));
    assert_eq!(b.close(), Ok(Some("closed")));
    assert_eq!(*log.borrow(), ["finally"]);

    let [mut a, mut b] = Gen::new(|co, ()| {
        co.yield_(1);
        "ret"
    })
    .gen_tee();
    assert_eq!(a.resume(()), Step::Yielded(1));
    assert_eq!(a.resume(()), Step::Complete("ret"));
    assert_eq!(b.resume(()), Step::Yielded(1));
    assert_eq!(b.resume(()), Step::Complete("ret"));
    assert_eq!((a.state(), b.state()), (State::Closed, State::Closed));
}

#[test]
#[should_panic(expected = "islice: step must be at least 1")]
fn islice_step_zero_is_refused() {
    let _ = count(0, 1).islice(0, None, 0);
}

#[test]
#[should_panic(expected = "batched: n must be at least 1")]
fn batched_zero_is_refused() {
    let _ = count(0, 1).batched(0);
}

#[test]
fn adaptors_are_debug() {
    let g = from_iter([1, 2]).gen_map(|x| x).gen_filter(|_| true).gen_take(1);
    let text = format!("{g:?}");
    assert!(text.starts_with("Take { source: Filter { source: Map { source: FromIter"), "{text}");
    let [a, _b] = from_iter([1]).gen_tee();
    assert!(format!("{a:?}").contains("buffered: 0"));
}

// ---------------------------------------------------------------------------- push pipelines

#[test]
fn running_average_coroutine_through_a_pull_source() {
    // PEP 342's averager, Python-style: primed with one next() whose value it ignores.
    let averager = Gen::<Option<f64>, (), Option<f64>>::new(|co, _prime| {
        let (mut total, mut count) = (0.0, 0.0);
        let mut value = co.yield_(None);
        loop {
            total += value.expect("numbers only after priming");
            count += 1.0;
            value = co.yield_(Some(total / count));
        }
    });
    let mut averager = averager;
    assert_eq!(averager.resume(None), Step::Yielded(None));
    let averages: Vec<_> = push::through([10.0, 20.0, 60.0].map(Some), &mut averager).collect();
    assert_eq!(averages, [Some(10.0), Some(15.0), Some(30.0)]);
    assert_eq!(averager.state(), State::Closed, "through closes the target at the end");
}

#[test]
fn log_pipeline_filter_map_broadcast() {
    let log = "INFO boot\nERROR disk full\nWARN slow\nERROR net down\nINFO done\n";
    let keep = || {
        push::fold(Vec::new(), |mut v: Vec<String>, s: String| {
            v.push(s);
            v
        })
    };
    // Route: every line to `all`, ERROR lines (upper-cased message) to `errors`.
    let all: Box<dyn Generator<String, Yield = (), Return = Vec<String>, Error = Infallible>> =
        Box::new(keep());
    let errs = push::filter(
        |l: &String| l.starts_with("ERROR"),
        push::map(|l: String| l[6..].to_uppercase(), keep()),
    )
    .gen_map(|_| ());
    let errs: Box<dyn Generator<String, Yield = (), Return = Vec<String>, Error = Infallible>> =
        Box::new(errs);
    let fan = push::broadcast(vec![all, errs]);
    let lines = stream::lines(log.as_bytes()).stop_on_error();
    let result = push::feed(lines, fan).unwrap().unwrap();
    assert_eq!(result[0].as_ref().unwrap().len(), 5);
    assert_eq!(result[1].as_deref(), Some(&["DISK FULL".to_string(), "NET DOWN".to_string()][..]));
}

#[test]
fn push_errors_reach_the_sender() {
    let picky = Gen::<(), (), i32>::throwing::<String>(|co, first| {
        let mut x = first;
        loop {
            if x < 0 {
                co.raise(Thrown::Error(format!("negative: {x}")));
            }
            x = co.yield_(());
        }
    });
    assert_eq!(push::feed([1, 2, -3, 4], picky), Err(CloseError::Raised("negative: -3".into())));
    let stops_early = Gen::<(), usize, i32>::new(|co, first| {
        let mut seen = 1;
        let mut x = first;
        while x != 0 {
            x = co.yield_(());
            seen += 1;
        }
        seen
    });
    assert_eq!(push::feed([5, 0, 7, 8], stops_early), Ok(Some(2)));
}

// -------------------------------------------------------------------------- streaming sources

#[test]
fn json_lines_errors_name_the_line_and_the_cause() {
    let input = "{\"a\": 1}\n\n{\"a\": 2\n   \n{\"a\": \"x\"}\n{\"a\": 3}\r\n";
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Rec {
        a: i64,
    }
    let mut errors = Vec::new();
    let ok: Vec<i64> = stream::json_lines::<Rec, _>(input.as_bytes())
        .skip_errors(|e| errors.push(e.to_string()))
        .map(|r| r.a)
        .collect();
    assert_eq!(ok, [1, 3]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("line 3: invalid JSON: EOF while parsing an object"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("line 5: invalid JSON: invalid type: string \"x\", expected i64"),
        "{}",
        errors[1]
    );

    let mut stopping = stream::json_lines::<Rec, _>(input.as_bytes()).stop_on_error();
    assert_eq!(stopping.next(), Some(Rec { a: 1 }));
    match stopping.resume(()) {
        Step::Complete(Err(e)) => assert_eq!(e.line(), 3),
        other => panic!("expected the line-3 error, got {other:?}"),
    }
}

/// json_lines decodes a line that is valid UTF-8 as `&str` (one validation per line) and keeps
/// serde_json's own report for bad UTF-8 inside a string: a JSON error with its position, the
/// error `serde_json::from_slice` gives for the same bytes.
#[test]
fn json_lines_reports_bad_utf8_as_serde_json_does() {
    let input = b"[\"ok\"]\n[\"b\xffd\"]\n[\"\xc3\xa9t\xc3\xa9\", 1]\n";
    let mut g = stream::json_lines::<serde_json::Value, _>(&input[..]);
    assert_eq!(g.next().unwrap().unwrap(), serde_json::json!(["ok"]));
    let err = g.next().unwrap().unwrap_err();
    let expected = serde_json::from_slice::<serde_json::Value>(b"[\"b\xffd\"]").unwrap_err();
    assert_eq!(err.to_string(), format!("line 2: invalid JSON: {expected}"));
    assert!(matches!(err, stream::StreamError::Json { line: 2, .. }), "{err:?}");
    assert_eq!(g.next().unwrap().unwrap(), serde_json::json!(["été", 1]));
    assert!(g.next().is_none());
}

#[test]
fn lines_report_bad_utf8_and_count_lines() {
    let mut g = stream::lines(&b"a\n\xff\xfe\nc"[..]);
    assert_eq!(g.resume(()).yielded().unwrap().unwrap(), "a");
    let err = g.resume(()).yielded().unwrap().unwrap_err();
    assert_eq!(err.line(), 2);
    assert!(err.to_string().starts_with("line 2: not valid UTF-8"), "{err}");
    assert_eq!(g.resume(()).yielded().unwrap().unwrap(), "c");
    assert!(matches!(g.resume(()), Step::Complete(3)));
}

#[test]
fn io_errors_end_the_stream_after_one_error_item() {
    struct Failing(u8);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                self.0 = 1;
                buf[..2].copy_from_slice(b"1\n");
                Ok(2)
            } else {
                Err(std::io::Error::other("disk on fire"))
            }
        }
    }
    let mut g = stream::json_lines::<u8, _>(std::io::BufReader::new(Failing(0)));
    assert_eq!(g.next().unwrap().unwrap(), 1);
    let err = g.next().unwrap().unwrap_err();
    assert_eq!(err.to_string(), "line 2: I/O error: disk on fire");
    assert!(matches!(g.resume(()), Step::Complete(2)));
    assert_eq!(g.state(), State::Closed);
}

// ------------------------------------------------ mixed types in delegation chains (issue 9 B7)

crate::support::nightly! {
#[test]
fn a_plain_iterator_joins_a_throwing_state_machine_chain() {
    use stasis::yield_from_throwing;
    // Python: `try: yield from iter([1, 2, 3]) except ValueError as e: yield f"caught {e}"`.
    let mut g = from_throwing_coroutine::<_, (), String, _>(
        #[coroutine]
        |_: Result<(), Thrown<String>>| {
            match yield_from_throwing!(
                from_iter(["1", "2", "3"].map(String::from)).gen_err_into::<String>()
            ) {
                Ok(()) => (yield "finished".to_string())?,
                Err(Thrown::Error(e)) => (yield format!("caught {e}"))?,
                Err(exit) => return Err(exit),
            }
            Ok("done")
        },
    );
    let g = &mut g;
    assert_eq!(g.resume(()), Step::Yielded("1".to_string()));
    // The iterator cannot take the error: it reaches the delegator, which catches it.
    assert_eq!(g.throw("x".to_string()), Step::Yielded("caught x".to_string()));
    assert_eq!(g.resume(()), Step::Complete("done"));
}
}

#[test]
fn send_into_a_plain_iterator_is_refused_with_an_error_the_delegator_catches() {
    // Python: sending a value (not None) into `yield from iter(...)` raises AttributeError in
    // the delegator.
    let mut g = Gen::<&str, &str, Option<i64>>::throwing::<String>(|co, first| {
        let mut sub = from_iter(["a", "b"])
            .gen_err_into::<String>()
            .gen_refuse_send(|v: Option<i64>| format!("cannot send {v:?} to a plain iterator"));
        match co.delegate(&mut sub, first) {
            Ok(()) => "finished",
            Err(Thrown::Error(e)) => {
                assert_eq!(e, "cannot send Some(7) to a plain iterator");
                "caught"
            }
            Err(exit) => co.raise(exit),
        }
    });
    assert_eq!(g.resume(None), Step::Yielded("a"));
    assert_eq!(g.resume(Some(7)), Step::Complete("caught"));
    // The same chain, driven with `None` only, runs to its end.
    let mut sub =
        from_iter(["a"]).gen_err_into::<String>().gen_refuse_send(|_: Option<i64>| String::new());
    assert_eq!(sub.resume(None), Step::Yielded("a"));
    assert_eq!(sub.resume(None), Step::Complete(()));
}

#[test]
fn map_err_changes_the_errors_that_leave_and_unwinds_the_source_on_a_foreign_throw() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let source = Gen::<i32, &str>::throwing::<u16>(move |co, ()| {
        struct Cleanup(Rc<RefCell<Vec<String>>>);
        impl Drop for Cleanup {
            fn drop(&mut self) {
                self.0.borrow_mut().push("source cleaned up".into());
            }
        }
        let _cleanup = Cleanup(l);
        match co.try_yield(1) {
            Err(Thrown::Error(code)) => co.raise(Thrown::Error(code + 1)),
            Err(exit) => co.raise(exit),
            Ok(()) => {}
        }
        co.yield_(2);
        "end"
    });
    // Errors raised by the source leave mapped.
    let mut g = source.gen_map_err(|code| format!("E{code}"));
    assert_eq!(g.resume(()), Step::Yielded(1));
    // A `String` cannot be raised in a body that takes `u16`: the body is unwound (its
    // cleanup runs) and the error comes back, as an uncaught exception does in Python.
    assert_eq!(g.throw("foreign".into()), Step::Raised(Thrown::Error("foreign".into())));
    assert_eq!(*log.borrow(), ["source cleaned up"]);
    assert_eq!((g.state(), g.resume(())), (State::Closed, Step::Exhausted));

    let mut g = Gen::<i32>::throwing::<u16>(|co, ()| {
        co.yield_(1);
        co.raise(Thrown::Error(404))
    })
    .gen_map_err(|code| format!("HTTP {code}"));
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.resume(()), Step::Raised(Thrown::Error("HTTP 404".into())));
}

// ------------------------------------------ the return value survives the pipeline (issue 11 §3)

#[test]
fn the_return_value_survives_a_pipeline_driven_as_an_iterator() {
    // The user's program: JSON lines, errors counted, then "lines read".
    let input = "{\"n\": 1}\noops\n\n{\"n\": 3}\n";
    let mut bad = 0;
    let mut records =
        stream::json_lines::<serde_json::Value, _>(input.as_bytes()).skip_errors(|_| bad += 1);
    let total: i64 = records.by_ref().map(|v| v["n"].as_i64().unwrap()).sum();
    assert_eq!(records.take_return(), Some(4), "lines read");
    assert_eq!(records.take_return(), None, "readable once");
    drop(records);
    assert_eq!((total, bad), (4, 1));

    // A stackful source's return value through several adaptors and a `for` loop.
    let mut pipeline = Gen::new(|co, ()| {
        for i in 0..5 {
            co.yield_(i);
        }
        "source done"
    })
    .gen_map(|x| x * 10)
    .gen_filter(|x| *x != 20)
    .enumerate_from(1)
    // An error type a `for` loop can drive (`Infallible`: an `Iterator` cannot lose an error).
    .gen_err_into::<std::convert::Infallible>()
    .map_return(str::len);
    let mut seen = Vec::new();
    for pair in &mut pipeline {
        seen.push(pair);
    }
    assert_eq!(seen, [(1, 0), (2, 10), (3, 30), (4, 40)]);
    assert_eq!(pipeline.take_return(), Some(11));

    // Adaptors that end early say so in their return value.
    let mut first_two = from_iter(1..=5).gen_take(2);
    assert_eq!(first_two.by_ref().count(), 2);
    assert_eq!(first_two.take_return(), Some(None), "the limit ended it, not the source");
    let mut zipped = from_iter([1]).gen_zip(from_iter([2, 3]));
    assert_eq!(zipped.by_ref().count(), 1);
    assert_eq!(zipped.take_return(), Some(stasis::combinators::ZipEnd::First(())));
}

// ------------------------------------------------------------------------ tee and chunk_by

use stasis::combinators::Tee;

#[test]
fn gen_tee_of_n_cursors_each_yield_every_value_and_the_return_value() {
    let [a, b, c, mut d] = Gen::new(|co, ()| {
        co.yield_(1);
        co.yield_(2);
        "ret"
    })
    .gen_tee();
    for mut cursor in [a, b, c] {
        assert_eq!(cursor.resume(()), Step::Yielded(1));
        assert_eq!(cursor.resume(()), Step::Yielded(2));
        assert_eq!(cursor.resume(()), Step::Complete("ret"));
        assert_eq!(cursor.resume(()), Step::Exhausted);
    }
    assert_eq!(d.buffered(), 2, "d holds back what it has not read");
    assert_eq!(d.by_ref().collect::<Vec<_>>(), [1, 2]);
    let [] = from_iter([1]).gen_tee::<0>();
}

#[test]
fn tee_throw_reaches_the_source_and_an_error_goes_to_the_thrower_only() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let [mut a, mut b, mut c] = resilient(log.clone()).gen_tee();
    assert_eq!(a.resume(()), Step::Yielded("item 1".into()));
    // The source handles it and yields: every cursor sees that value next.
    assert_eq!(a.throw("oops".into()), Step::Yielded("handled oops".into()));
    assert_eq!(b.resume(()), Step::Yielded("item 1".into()));
    assert_eq!(b.resume(()), Step::Yielded("handled oops".into()));
    // A cursor behind the frontier throws; it reads on from its own position.
    // (The source, at its "handled" yield, goes on to item 2.)
    assert_eq!(c.throw("again".into()), Step::Yielded("item 1".into()));
    assert_eq!(a.resume(()), Step::Yielded("item 2".into()));
    assert_eq!(log.borrow().len(), 0);

    let source = Gen::<i32>::throwing::<&str>(|co, ()| {
        co.yield_(1);
        co.yield_(2);
    });
    let [mut a, mut b] = source.gen_tee();
    assert_eq!(a.resume(()), Step::Yielded(1));
    assert_eq!(
        b.throw("unhandled"),
        Step::Raised(Thrown::Error("unhandled")),
        "the thrower gets the error, and is closed"
    );
    assert_eq!((b.state(), a.state()), (State::Closed, State::Suspended));
    assert_eq!(a.resume(()), Step::Exhausted, "the source is finished: a stops");
}

#[test]
fn a_tee_cursor_read_inside_its_own_source_is_running_and_raises_reentered() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let cursor: Rc<RefCell<Option<Tee<Gen<i32>>>>> = Rc::default();
    let (slot, s) = (cursor.clone(), seen.clone());
    let source = Gen::new(move |co, ()| {
        let mut b = slot.borrow_mut().take().expect("filled");
        s.borrow_mut().push(format!("{:?}", b.state()));
        s.borrow_mut().push(format!("{:?}", b.resume(())));
        s.borrow_mut().push(format!("{:?}", b.state()));
        co.yield_(1);
    });
    let [mut a, b] = source.gen_tee();
    *cursor.borrow_mut() = Some(b);
    assert_eq!(a.resume(()), Step::Yielded(1), "the source goes on after the error");
    assert_eq!(*seen.borrow(), ["Running", "Raised(Runtime(TeeReentered))", "Closed"]);
    assert_eq!(a.resume(()), Step::Complete(()));
}

#[test]
fn chunk_by_groups_follow_the_protocol() {
    let source = Gen::new(|co, ()| {
        for v in [1, 1, 2] {
            co.yield_(v);
        }
        "ret"
    });
    let mut runs = source.gen_chunk_by(|x| *x);
    assert_eq!(runs.state(), State::Created);
    let (one, mut ones) = runs.next().expect("a group");
    assert_eq!((one, ones.state()), (1, State::Suspended));
    assert_eq!(ones.close(), Ok(None), "closing a group ends the view only");
    assert_eq!((ones.state(), ones.resume(())), (State::Closed, Step::Exhausted));
    let (two, twos) = runs.next().expect("a group");
    assert_eq!((two, twos.collect::<Vec<_>>()), (2, vec![2]));
    assert_eq!(runs.state(), State::Suspended, "the group pulled the end; the outer reports it");
    assert_eq!(runs.resume(()).map_yield(|_| ()), Step::Complete("ret"));
    assert_eq!(runs.state(), State::Closed);

    // A group outlives its outer generator, as CPython's does.
    let (_, group) = from_iter([7, 7]).gen_chunk_by(|x| *x).next().expect("a group");
    assert_eq!(group.collect::<Vec<_>>(), [7, 7]);

    // A key unequal to itself: each value is a group (its first value belongs to it anyway).
    let nans = from_iter([f64::NAN, f64::NAN, 1.0]).gen_chunk_by(|x| *x);
    assert_eq!(nans.map(|(_, g)| g.count()).collect::<Vec<_>>(), [1, 1, 1]);
}

#[test]
fn chunk_by_throw_and_close_reach_the_source() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let first_word = |s: &String| s.split(' ').next().unwrap_or_default().to_string();
    let mut runs = resilient(log.clone()).gen_chunk_by(first_word);
    let (key, mut items) = runs.resume(()).yielded().expect("a group");
    assert_eq!((key.as_str(), items.resume(())), ("item", Step::Yielded("item 1".into())));
    // Thrown through the group: the answer is the next value pulled, here another key's.
    assert_eq!(items.throw("oops".into()), Step::Complete(()));
    let (key, mut handled) = runs.resume(()).yielded().expect("a group");
    assert_eq!(key, "handled");
    assert_eq!(handled.resume(()), Step::Yielded("handled oops".into()));
    // Thrown through the outer: the group is invalidated, the answer starts the next group.
    let step = runs
        .throw("again".into())
        .map_yield(|(k, g)| (k, g.try_iter().take(2).collect::<Result<Vec<_>, _>>()));
    assert_eq!(step, Step::Yielded(("item".into(), Ok(vec!["item 2".into(), "item 3".into()]))));
    assert_eq!(handled.resume(()), Step::Complete(()), "invalidated by the outer's advance");
    assert!(matches!(runs.close(), Ok(Some("closed"))));
    assert_eq!(*log.borrow(), ["finally"]);
    assert_eq!(runs.state(), State::Closed);
}

#[test]
fn chunk_by_reports_a_value_yielded_while_ignoring_close_as_a_new_group() {
    let stubborn = Gen::<i32>::new(|co, ()| {
        let _ = co.try_yield(1); // close() arrives here...
        co.yield_(2); // ...and the body yields anyway
    });
    let mut runs = stubborn.gen_chunk_by(|x| *x);
    let (_, mut ones) = runs.next().expect("a group");
    match runs.close() {
        Err(CloseError::IgnoredExit((key, group))) => {
            assert_eq!((key, group.collect::<Vec<_>>()), (2, vec![2]));
        }
        other => panic!("expected IgnoredExit, got {other:?}"),
    }
    assert_eq!(ones.resume(()), Step::Complete(()), "close() invalidated the group");
    assert_eq!(runs.resume(()).map_yield(|_| ()), Step::Complete(()), "the source's end");
}
