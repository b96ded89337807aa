//! A log-processing push pipeline (David Beazley's coroutine pipelines, PEP 342 style): lines
//! are read lazily from a `BufRead`, pushed through filters and maps, and broadcast to several
//! sinks that report when the stream is closed.
//!
//! Run with `cargo run --example log_pipeline`.

use std::collections::BTreeMap;
use std::convert::Infallible;

use stasis::prelude::*;
use stasis::{push, stream};

const LOG: &str = "\
2026-11-25T10:00:01 INFO  api   request /users 12ms
2026-11-25T10:00:02 ERROR db    connection refused
2026-11-25T10:00:02 WARN  api   slow request /search 950ms
2026-11-25T10:00:03 INFO  api   request /users 9ms
2026-11-25T10:00:04 ERROR api   upstream timeout /search
this line is not a log line
2026-11-25T10:00:05 ERROR db    connection refused
2026-11-25T10:00:06 INFO  cache hit ratio 0.93
";

/// One parsed log line.
#[derive(Debug, Clone)]
struct Entry {
    level: String,
    component: String,
    message: String,
}

fn parse(line: &str) -> Result<Entry, String> {
    let mut parts = line.splitn(4, char::is_whitespace).filter(|p| !p.is_empty());
    let (Some(_time), Some(level), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("not a log line: {line:?}"));
    };
    let rest = line[line.find(rest).unwrap_or(0)..].trim_start();
    let (component, message) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if !["INFO", "WARN", "ERROR"].contains(&level) {
        return Err(format!("unknown level {level:?} in {line:?}"));
    }
    Ok(Entry { level: level.into(), component: component.into(), message: message.trim().into() })
}

type Sink = Box<dyn Generator<Entry, Yield = (), Return = String, Error = Infallible>>;

fn main() {
    // Sink 1: count entries per level.
    let per_level: Sink = Box::new(
        push::fold(BTreeMap::new(), |mut m: BTreeMap<String, u32>, e: Entry| {
            *m.entry(e.level).or_default() += 1;
            m
        })
        .map_return(|m| format!("entries per level: {m:?}")),
    );
    // Sink 2: errors only, as "component: message", de-duplicated with counts.
    let errors: Sink = Box::new(
        push::filter(
            |e: &Entry| e.level == "ERROR",
            push::map(
                |e: Entry| format!("{}: {}", e.component, e.message),
                push::fold(BTreeMap::new(), |mut m: BTreeMap<String, u32>, msg| {
                    *m.entry(msg).or_default() += 1;
                    m
                }),
            ),
        )
        .gen_map(|_| ())
        .map_return(|m| format!("errors: {m:#?}")),
    );
    let fan_out = push::broadcast(vec![per_level, errors]);

    // The pull side: lines of any BufRead, parsed; bad lines are reported, not dropped silently.
    let mut bad = Vec::new();
    let entries = stream::lines(LOG.as_bytes())
        .stop_on_error()
        .gen_enumerate()
        .gen_map(|(i, line)| parse(&line).map_err(|e| format!("line {}: {e}", i + 1)))
        .skip_errors(|e| bad.push(e));

    match push::feed(entries, fan_out) {
        Ok(Some(reports)) => reports.into_iter().flatten().for_each(|r| println!("{r}")),
        Ok(None) => println!("no report"),
        Err(e) => println!("pipeline failed: {e}"),
    }
    for e in bad {
        println!("skipped {e}");
    }
}
