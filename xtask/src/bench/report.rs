//! The benchmark report: `report.json`, `report.md` and the terminal summary, rendered from the
//! [`Inputs`] that [`inputs`](super::inputs) read.
//!
//! Everything here is a pure function of its inputs, so the tests below build a report from
//! fixture files and snapshot its structure. A figure that was not measured in this run is `null`
//! in the JSON and `n/a` in the tables: never an older or made-up number.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::compare;
use super::inputs::{
    CHAIN, CHAIN_RAW, COMBINATORS, CREATE, DELEGATION, DEPTHS, Inputs, ROUNDTRIP, SIEVE_HOPS,
    Streaming, criterion_ids,
};
use super::streaming::{COUNTED_MIB, VARIANTS};

/// Milliseconds with one decimal, or `n/a`.
fn fmt_ms(ms: Option<f64>) -> String {
    ms.map_or("n/a".into(), |ms| format!("{ms:.1} ms"))
}

/// ns per hop of the sieve on stackful generators.
fn sieve_hop_ns(inputs: &Inputs) -> Option<f64> {
    inputs.live("sieve", "stackful").map(|ms| ms * 1e6 / SIEVE_HOPS)
}

/// ns per hop of a chain of `n` filters (`who`: `stackful` or `corosensei`): one item takes
/// `n + 1` hops.
fn chain_hop_ns(inputs: &Inputs, who: &str, n: u32) -> Option<f64> {
    inputs.est(&format!("live/chain_{who}/{n}")).map(|ns| ns / f64::from(n + 1))
}

/// The chain lengths measured for `who`.
fn chain_lengths(who: &str) -> &'static [u32] {
    if who == "stackful" { &CHAIN } else { &CHAIN_RAW }
}

fn num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |x| json!(x))
}

/// `report.json`: the figures for machines, `null` where a mechanism was not measured.
pub(crate) fn report_json(inputs: &Inputs) -> Value {
    let mut roundtrip = Map::new();
    for name in ROUNDTRIP.iter().copied().chain(["cpython"]) {
        roundtrip.insert(name.into(), num(inputs.roundtrip(name)));
    }
    let mut create = Map::new();
    for name in CREATE.iter().copied().chain(["cpython"]) {
        create.insert(name.into(), num(inputs.create(name)));
    }
    let mut delegation = Map::new();
    for mech in DELEGATION.iter().copied().chain(["cpython"]) {
        let by_depth: Map<String, Value> =
            DEPTHS.iter().map(|&d| (d.to_string(), num(inputs.delegation(mech, d)))).collect();
        delegation.insert(mech.into(), Value::Object(by_depth));
    }
    let mut resident = Map::new();
    for name in ["stackful", "state_machine", "cpython"] {
        resident.insert(name.into(), num(inputs.resident(name)));
    }
    let combinators: Map<String, Value> = COMBINATORS
        .iter()
        .map(|&id| (id.to_string(), num(inputs.est(&format!("combinators/{id}")))))
        .collect();
    let mut live = Map::new();
    for program in ["m235", "sieve"] {
        live.insert(
            program.into(),
            json!({
                "stackful": num(inputs.live(program, "stackful")),
                "cpython": num(inputs.live(program, "cpython")),
            }),
        );
    }
    let mut chain = Map::new();
    for who in ["stackful", "corosensei"] {
        let hops: Map<String, Value> = chain_lengths(who)
            .iter()
            .map(|&n| (n.to_string(), num(chain_hop_ns(inputs, who, n))))
            .collect();
        chain.insert(who.into(), Value::Object(hops));
    }
    let max_live = match &inputs.max_live {
        Ok(m) => json!({
            "live": m.live,
            "cap": m.cap,
            "stack_size": m.stack_size,
            "error": m.error,
        }),
        Err(_) => Value::Null,
    };
    json!({
        "roundtrip_ns": roundtrip,
        "create_ns": create,
        "delegation_ns": delegation,
        "resident_bytes": resident,
        "combinators_ns": combinators,
        "max_live_stackful": max_live,
        "live_ms": live,
        "sieve_hop_ns": num(sieve_hop_ns(inputs)),
        "chain_hop_ns": chain,
        "resident_count": inputs.memory.as_ref().ok().map(|m| m.count),
        "cpython_version": inputs.cpy().map(|c| c.version.clone()),
        "mode": inputs.mode,
        "clock": inputs.clock,
        "elapsed_s": inputs.elapsed_secs,
        "commit": inputs.commit,
        "machine": {
            "cpu": inputs.machine.cpu,
            "cores": inputs.machine.cores,
            "rustc": inputs.machine.rustc,
            "os": inputs.machine.os,
        },
        "streaming": inputs.streaming.as_ref().ok().map(streaming_json),
        "comparison": inputs.comparison.as_ref().map(compare::json),
        "notes": notes(inputs),
    })
}

/// The goal for the stasis pipeline against the hand-written loop (issue 12).
const STREAM_GOAL: f64 = 1.05;

/// Decimal megabytes per second.
fn mb_per_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

/// `time(a) / time(b)` of two streaming variants.
fn stream_ratio(s: &Streaming, a: &str, b: &str) -> Option<f64> {
    Some(s.get(a)?.secs / s.get(b)?.secs)
}

/// `instructions(a) / instructions(b)`, from cachegrind.
fn instr_ratio(s: &Streaming, a: &str, b: &str) -> Option<f64> {
    let counts = s.instructions.as_ref().ok()?;
    Some(*counts.get(a)? as f64 / *counts.get(b)? as f64)
}

/// The share of the hand-written loop's time that goes to JSON parsing: what the same loop saves
/// with the parsing replaced by one pass over the bytes (`scan`).
fn parse_share(s: &Streaming) -> Option<f64> {
    stream_ratio(s, "scan", "loop").map(|r| 1.0 - r)
}

fn streaming_json(s: &Streaming) -> Value {
    let variants: Map<String, Value> = VARIANTS
        .iter()
        .copied()
        .chain(["cpython"])
        .map(|v| {
            let run = s.get(v).map(|r| {
                json!({
                    "secs": r.secs,
                    "mb_per_s": mb_per_s(r.bytes, r.secs),
                    "records_per_s": r.records as f64 / r.secs,
                    "peak_rss_bytes": r.peak_rss_bytes,
                })
            });
            (v.to_string(), run.unwrap_or(Value::Null))
        })
        .collect();
    json!({
        "bytes": s.bytes,
        "records": s.get("stasis").map(|r| r.records),
        "bad_lines": s.get("stasis").map(|r| r.bad),
        "runs_per_variant": s.runs,
        "variants": variants,
        "stasis_over_loop": num(stream_ratio(s, "stasis", "loop")),
        "goal_stasis_over_loop": STREAM_GOAL,
        "goal": stream_goal(instr_ratio(s, "stasis", "loop"), stream_ratio(s, "stasis", "loop")),
        "cpython_over_stasis": num(stream_ratio(s, "cpython", "stasis")),
        "parse_share_of_loop": num(parse_share(s)),
        "sonic_over_loop": num(stream_ratio(s, "sonic", "loop")),
        "slice_over_loop": num(stream_ratio(s, "slice", "loop")),
        "slice_over_loop_instructions": num(instr_ratio(s, "slice", "loop")),
        "instructions": s.instructions.as_ref().ok(),
        "instructions_file_mib": COUNTED_MIB,
        "stasis_over_loop_instructions": num(instr_ratio(s, "stasis", "loop")),
        "parse_share_of_loop_instructions": num(instr_ratio(s, "scan", "loop").map(|r| 1.0 - r)),
    })
}

/// One row per variant: time, MB/s, records/s, peak RSS, × loop.
fn streaming_rows(s: &Streaming) -> Vec<Vec<String>> {
    VARIANTS
        .iter()
        .copied()
        .chain(["cpython"])
        .map(|v| match s.get(v) {
            Some(r) => vec![
                v.to_string(),
                format!("{:.2} s", r.secs),
                format!("{:.0}", mb_per_s(r.bytes, r.secs)),
                format!("{:.0}", r.records as f64 / r.secs),
                format!("{:.1} MiB", r.peak_rss_bytes as f64 / (1 << 20) as f64),
                fmt_ratio(stream_ratio(s, v, "loop"), Some(1.0)),
            ],
            None => vec![
                v.to_string(),
                "n/a".into(),
                "n/a".into(),
                "n/a".into(),
                "n/a".into(),
                "n/a".into(),
            ],
        })
        .collect()
}

/// Whether the pipeline meets [`STREAM_GOAL`]: judged on instructions executed when cachegrind
/// counted them (deterministic; the best-of-5 times of one commit moved by ±3% between runs on
/// the shared machine, 1.03× and 1.06×), else on time.
fn stream_goal(instr: Option<f64>, time: Option<f64>) -> &'static str {
    match (instr, time) {
        (Some(r), _) if r <= STREAM_GOAL => "met (instructions)",
        (Some(_), _) => "missed (instructions)",
        (None, Some(r)) if r <= STREAM_GOAL => "met (time)",
        (None, Some(_)) => "missed (time)",
        (None, None) => "not measured",
    }
}

/// The verdicts of the streaming section, one line each.
fn streaming_lines(s: &Streaming) -> Vec<String> {
    let ratio = stream_ratio(s, "stasis", "loop");
    let instr = instr_ratio(s, "stasis", "loop");
    vec![
        format!(
            "stasis pipeline ÷ hand-written loop: {} in instructions executed (cachegrind, \
             {COUNTED_MIB} MiB file{}), {} in time; goal ≤ {STREAM_GOAL:.2}×: {}.",
            fmt_ratio(instr, Some(1.0)),
            match instr_ratio(s, "scan", "loop") {
                Some(r) =>
                    format!("; parsing is {:.0}% of the loop's instructions", (1.0 - r) * 100.0),
                None => String::new(),
            },
            fmt_ratio(ratio, Some(1.0)),
            stream_goal(instr, ratio),
        ),
        format!(
            "CPython ÷ stasis pipeline: {}.",
            fmt_ratio(stream_ratio(s, "cpython", "stasis"), Some(1.0))
        ),
        format!(
            "JSON parsing takes {} of the hand-written loop's time (the loop without parsing, \
             `scan`, takes {} of it).",
            parse_share(s).map_or("n/a".into(), |p| format!("{:.0}%", p * 100.0)),
            fmt_ratio(stream_ratio(s, "scan", "loop"), Some(1.0)),
        ),
        format!(
            "serde_json's `from_slice` in place of one UTF-8 check and `from_str` (what \
             `json_lines` does): {} the loop's time, {} its instructions.",
            fmt_ratio(stream_ratio(s, "slice", "loop"), Some(1.0)),
            fmt_ratio(instr_ratio(s, "slice", "loop"), Some(1.0))
        ),
        format!(
            "sonic-rs in place of serde_json (default target features): {} the loop's time.",
            fmt_ratio(stream_ratio(s, "sonic", "loop"), Some(1.0))
        ),
    ]
}

/// One line for every part that was not measured, saying why.
pub(crate) fn notes(inputs: &Inputs) -> Vec<String> {
    let mut notes = Vec::new();
    if let Err(why) = &inputs.cpython {
        notes.push(format!("CPython: skipped ({why})."));
    }
    if let Err(why) = &inputs.memory {
        notes.push(format!("Resident memory: not measured ({why})."));
    }
    if let Err(why) = &inputs.max_live {
        notes.push(format!("Live stackful generators: not measured ({why})."));
    }
    match &inputs.streaming {
        Err(why) => notes.push(format!("Streaming: not measured ({why}).")),
        Ok(s) => {
            if let Err(why) = &s.cpython {
                notes.push(format!("Streaming, CPython: skipped ({why})."));
            }
            if let Err(why) = &s.instructions {
                notes.push(format!("Streaming, instruction counts: not measured ({why})."));
            }
        }
    }
    let missing: Vec<String> =
        criterion_ids().into_iter().filter(|id| !inputs.estimates.contains_key(id)).collect();
    if !missing.is_empty() {
        notes.push(format!(
            "Not measured in this run (no criterion bench with that id ran): {}.",
            missing.join(", ")
        ));
    }
    notes
}

/// A duration in ns, in a readable unit.
pub(crate) fn fmt_ns(ns: Option<f64>) -> String {
    match ns {
        None => "n/a".into(),
        Some(x) if x < 10.0 => format!("{x:.2} ns"),
        Some(x) if x < 1_000.0 => format!("{x:.1} ns"),
        Some(x) if x < 1_000_000.0 => format!("{:.2} µs", x / 1_000.0),
        Some(x) => format!("{:.2} ms", x / 1_000_000.0),
    }
}

fn fmt_bytes(b: Option<f64>) -> String {
    b.map_or("n/a".into(), |b| format!("{b:.0} B"))
}

/// `a / b` as `1.23×`, `n/a` when either is missing.
pub(crate) fn fmt_ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => {
            let r = a / b;
            if r >= 0.1 || r == 0.0 {
                format!("{r:.2}×")
            } else {
                // Two significant digits: 0.065×, 0.00017×.
                let decimals = (-r.log10()).ceil() as usize + 1;
                format!("{r:.decimals$}×")
            }
        }
        _ => "n/a".into(),
    }
}

pub(crate) fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { " --- |" } else { " ---: |" })
            .collect::<String>()
    );
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

fn roundtrip_rows(inputs: &Inputs) -> Vec<Vec<String>> {
    let coro = inputs.roundtrip("corosensei");
    let cpy = inputs.roundtrip("cpython");
    ROUNDTRIP
        .iter()
        .copied()
        .chain(["cpython"])
        .map(|name| {
            let ns = inputs.roundtrip(name);
            vec![name.to_string(), fmt_ns(ns), fmt_ratio(ns, coro), fmt_ratio(ns, cpy)]
        })
        .collect()
}

fn create_rows(inputs: &Inputs) -> Vec<Vec<String>> {
    let coro = inputs.create("corosensei_reused");
    let cpy = inputs.create("cpython");
    CREATE
        .iter()
        .copied()
        .chain(["cpython"])
        .map(|name| {
            let ns = inputs.create(name);
            vec![name.to_string(), fmt_ns(ns), fmt_ratio(ns, coro), fmt_ratio(ns, cpy)]
        })
        .collect()
}

fn delegation_rows(inputs: &Inputs) -> Vec<Vec<String>> {
    let mechs: Vec<&str> = DELEGATION.iter().copied().chain(["cpython"]).collect();
    let mut rows: Vec<Vec<String>> = DEPTHS
        .iter()
        .map(|&d| {
            let mut row = vec![d.to_string()];
            row.extend(mechs.iter().map(|m| fmt_ns(inputs.delegation(m, d))));
            row
        })
        .collect();
    let mut growth = vec!["1000 ÷ 1".to_string()];
    growth.extend(
        mechs.iter().map(|m| fmt_ratio(inputs.delegation(m, 1000), inputs.delegation(m, 1))),
    );
    rows.push(growth);
    rows
}

fn resident_rows(inputs: &Inputs) -> Vec<Vec<String>> {
    let cpy = inputs.resident("cpython");
    ["stackful", "state_machine", "cpython"]
        .iter()
        .map(|&name| {
            let b = inputs.resident(name);
            vec![name.to_string(), fmt_bytes(b), fmt_ratio(b, cpy)]
        })
        .collect()
}

fn max_live_line(inputs: &Inputs) -> String {
    match &inputs.max_live {
        Ok(m) => match &m.error {
            Some(err) => format!(
                "Most live stackful generators ({} KiB stacks, not pooled): {} before the error: \"{err}\"",
                m.stack_size / 1024,
                m.live
            ),
            None => format!(
                "Most live stackful generators ({} KiB stacks, not pooled): no error up to the probe's cap of {}",
                m.stack_size / 1024,
                m.cap
            ),
        },
        Err(why) => format!("Most live stackful generators: not measured ({why})"),
    }
}

/// `report.md`: the tables for people, with ratios against raw corosensei and CPython.
pub(crate) fn report_markdown(inputs: &Inputs) -> String {
    let mut out = String::new();
    let m = &inputs.machine;
    let _ = writeln!(out, "# stasis benchmark report\n");
    let _ = writeln!(
        out,
        "Machine: {} ({} cores), {}; {}. Commit: {}. Mode: {}{}.",
        m.cpu,
        m.cores,
        m.os,
        m.rustc,
        inputs.commit.as_deref().unwrap_or("unknown"),
        inputs.mode,
        inputs.elapsed_secs.map_or(String::new(), |s| format!(", run took {s:.0} s"))
    );
    if let Some(c) = inputs.cpy() {
        let _ = writeln!(out, "CPython: {} (benches/cpython_bench.py).", c.version);
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Times are criterion's estimate per iteration (one run, on a shared machine: compare \
         ratios, not absolute figures), on the {} clock{}. `× x` columns divide by the time of \
         `x`.\n",
        inputs.clock,
        if inputs.clock == "cpu" {
            " (the benchmark thread's CPU time, so time slices given to other processes are not \
             counted; CPython's figures too; `STASIS_BENCH_CLOCK=wall` for wall time)"
        } else {
            ""
        }
    );

    let _ = writeln!(out, "## Round trip (resume + yield of a live generator)\n");
    let _ = writeln!(
        out,
        "One `next()` on an endless counter created outside the timed loop (benches/roundtrip.rs). \
         `corosensei` is the raw stack switch stasis's stackful backend is built on; \
         `nightly_coroutine` the bare `#[coroutine]` under the state-machine backend.\n"
    );
    table(&mut out, &["mechanism", "time", "× corosensei", "× CPython"], &roundtrip_rows(inputs));

    let _ = writeln!(out, "## Creation (create, run to the end with one yield, drop)\n");
    let _ = writeln!(
        out,
        "`stackful_pooled` takes its stack from the per-thread pool; `stackful_fresh` maps and \
         unmaps one each time; `corosensei_reused` runs a raw coroutine on a stack kept across \
         iterations (benches/creation.rs).\n"
    );
    table(
        &mut out,
        &["mechanism", "time", "× corosensei reused", "× CPython"],
        &create_rows(inputs),
    );

    let _ = writeln!(out, "## Delegation (time per item through a chain of the given depth)\n");
    let _ = writeln!(
        out,
        "Depth d: d delegating levels above the generator that yields (CPython: d generators \
         each doing `yield from` the next). `inline`: nested generator functions run on one \
         stack; `object`: generator objects delegating to generator objects; `state_machine`: \
         nested `#[coroutine]`s with `yield_from!` (`_throwing`: `yield_from_throwing!`); \
         `mixed`: state machines around one stackful level (`mixed_reverse`: the reverse) \
         (benches/delegation.rs).\n"
    );
    let header: Vec<&str> = ["depth"].into_iter().chain(DELEGATION).chain(["cpython"]).collect();
    table(&mut out, &header, &delegation_rows(inputs));

    let _ = writeln!(out, "## Combinators\n");
    let _ = writeln!(
        out,
        "Chains: `map → filter → take(1000)` over a state-machine source, summed; the time is \
         for the whole chain, with std's `Iterator` adaptors and with stasis's protocol-keeping \
         `gen_*` adaptors (benches/combinators.rs).\n"
    );
    let std_chain = inputs.est("combinators/std_iter_chain");
    let chain_rows: Vec<Vec<String>> = ["std_iter_chain", "state_machine_chain"]
        .iter()
        .map(|&id| {
            let ns = inputs.est(&format!("combinators/{id}"));
            vec![id.to_string(), fmt_ns(ns), fmt_ratio(ns, std_chain)]
        })
        .collect();
    table(&mut out, &["chain", "time per chain", "× std_iter_chain"], &chain_rows);
    let _ = writeln!(
        out,
        "Stages: one `next()` through k `gen_map` stages over a live stackful counter.\n"
    );
    let stage = |k: u32| inputs.est(&format!("combinators/stackful_stage/{k}"));
    let stage_rows: Vec<Vec<String>> = [1, 2, 4, 8]
        .iter()
        .map(|&k| vec![k.to_string(), fmt_ns(stage(k)), fmt_ratio(stage(k), stage(1))])
        .collect();
    table(&mut out, &["stages", "time per item", "× 1 stage"], &stage_rows);
    let slope = stage(8).zip(stage(1)).map(|(t8, t1)| (t8 - t1) / 7.0);
    let _ = writeln!(out, "Cost per stage, (t8 − t1) / 7: {}.\n", fmt_ns(slope));

    let count = inputs.memory.as_ref().ok().map_or(String::from("n/a"), |m| m.count.to_string());
    let _ = writeln!(
        out,
        "## Memory (resident bytes per suspended generator, RSS growth with {count} alive)\n"
    );
    let _ = writeln!(
        out,
        "Each generator created and resumed to its first yield, all kept alive in a `Vec` \
         (CPython: a list); RSS (`VmRSS`) growth divided by the count, so the container's slots \
         count too: for a state machine they are the generator.\n"
    );
    table(&mut out, &["mechanism", "bytes", "× CPython"], &resident_rows(inputs));
    let _ = writeln!(out, "{}\n", max_live_line(inputs));

    let _ = writeln!(out, "## Many live generators (CPython's test_generators programs)\n");
    let _ = writeln!(
        out,
        "Time per run (benches/live.rs; CPython: the same Python in benches/cpython_bench.py). \
         `m235`: the naive Hamming numbers, one generator per `times` / `merge` / `m235` call, \
         100 terms (about 15,000 generators alive at the end). `sieve`: one `exclude_multiples` \
         and one `sieve` generator per prime, 2,000 primes (a chain about 4,000 deep).\n"
    );
    let live_rows: Vec<Vec<String>> = ["m235", "sieve"]
        .iter()
        .map(|&p| {
            let (ours, cpy) = (inputs.live(p, "stackful"), inputs.live(p, "cpython"));
            vec![p.to_string(), fmt_ms(ours), fmt_ms(cpy), fmt_ratio(ours, cpy)]
        })
        .collect();
    table(&mut out, &["program", "stackful", "CPython", "× CPython"], &live_rows);
    let hop = sieve_hop_ns(inputs);
    let single = inputs.est("live/roundtrip_stackful");
    let _ = writeln!(
        out,
        "A sieve hop (one resume-yield pair of one generator of the chain, {SIEVE_HOPS} per \
         run): {}, {} the round trip of a single generator ({}). The sieve's time also holds \
         creating and dropping its 4,000 generators, the filters' `%` and the bench's hop count; \
         the hop alone, by chain length, is below.\n",
        fmt_ns(hop),
        fmt_ratio(hop, single),
        fmt_ns(single)
    );
    let _ = writeln!(
        out,
        "Hop by chain length (`chain_*`: one item through N `exclude_multiples` filters that \
         pass everything, over a counter, N + 1 hops; built once). stasis places its stacks for \
         this (see \"Colour\" in crates/stasis-core/src/stackful/stack.rs); corosensei is the \
         backend alone, on its own default stacks.\n"
    );
    let base = |who| chain_hop_ns(inputs, who, 1);
    let chain_rows: Vec<Vec<String>> = CHAIN
        .iter()
        .map(|&n| {
            let ours = chain_hop_ns(inputs, "stackful", n);
            let raw = CHAIN_RAW.contains(&n).then(|| chain_hop_ns(inputs, "corosensei", n));
            let raw = raw.flatten();
            vec![
                n.to_string(),
                fmt_ns(ours),
                fmt_ratio(ours, base("stackful")),
                fmt_ratio(ours, single),
                if CHAIN_RAW.contains(&n) { fmt_ns(raw) } else { "".into() },
                if CHAIN_RAW.contains(&n) { fmt_ratio(raw, base("corosensei")) } else { "".into() },
            ]
        })
        .collect();
    table(
        &mut out,
        &["chain", "stackful hop", "× 1 deep", "× round trip", "corosensei hop", "× 1 deep"],
        &chain_rows,
    );
    let _ = writeln!(out);

    if let Ok(s) = &inputs.streaming {
        let _ = writeln!(
            out,
            "## Streaming ({:.0} MB of JSON lines, {} records)\n",
            s.bytes as f64 / 1e6,
            s.get("stasis").map_or(0, |r| r.records)
        );
        let _ = writeln!(
            out,
            "One generated JSON-lines file in the page cache, aggregated by each variant in its \
             own process (parse each line, skip bad ones, keep `lang == \"en\"`, sum `retweets + \
             hashtags`): `stasis` is `stream::json_lines → skip_errors → gen_filter → gen_map → \
             fold`; `loop` the same work hand-written over `BufRead::read_until` and serde_json \
             (the floor: one UTF-8 check of the line, `from_str`); `slice` that loop with \
             `from_slice`; `scan` that loop with the parsing replaced by one pass over the bytes; \
             `sonic` that loop with sonic-rs; `cpython` a generator pipeline with `json.loads` \
             (benches/streaming.py). Best of {} runs for the Rust variants; peak RSS is `VmHWM` \
             (CPython: `ru_maxrss`). MB are 10⁶ bytes (crates/stasis-bench/src/streaming.rs).\n",
            s.runs
        );
        table(
            &mut out,
            &["variant", "time", "MB/s", "records/s", "peak RSS", "× loop"],
            &streaming_rows(s),
        );
        for line in streaming_lines(s) {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    if let Some(c) = &inputs.comparison {
        compare::markdown(c, &mut out);
    }

    let notes = notes(inputs);
    if !notes.is_empty() {
        let _ = writeln!(out, "## Notes\n");
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "Charts: `roundtrip.svg`, `delegation.svg` beside this file.");
    out
}

/// The summary printed on the terminal at the end of `cargo xtask bench`.
pub(crate) fn summary(inputs: &Inputs) -> String {
    let mut rows: Vec<(String, String, String, String)> = Vec::new();
    let coro = inputs.roundtrip("corosensei");
    let cpy = inputs.roundtrip("cpython");
    for name in ROUNDTRIP.iter().copied().chain(["cpython"]) {
        let ns = inputs.roundtrip(name);
        rows.push((
            format!("round trip  {name}"),
            fmt_ns(ns),
            fmt_ratio(ns, coro),
            fmt_ratio(ns, cpy),
        ));
    }
    let coro = inputs.create("corosensei_reused");
    let cpy = inputs.create("cpython");
    for name in CREATE.iter().copied().chain(["cpython"]) {
        let ns = inputs.create(name);
        rows.push((
            format!("create      {name}"),
            fmt_ns(ns),
            fmt_ratio(ns, coro),
            fmt_ratio(ns, cpy),
        ));
    }
    for mech in DELEGATION.iter().copied().chain(["cpython"]) {
        for d in [1, 1000] {
            let ns = inputs.delegation(mech, d);
            rows.push((
                format!("delegation  {mech} depth {d}"),
                fmt_ns(ns),
                String::new(),
                fmt_ratio(ns, inputs.delegation("cpython", d)),
            ));
        }
    }
    let cpy = inputs.resident("cpython");
    for name in ["stackful", "state_machine", "cpython"] {
        let b = inputs.resident(name);
        rows.push((format!("resident    {name}"), fmt_bytes(b), String::new(), fmt_ratio(b, cpy)));
    }
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0).max(9);
    let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0).max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w0$}  {:>w1$}  {:>13}  {:>10}",
        "benchmark", "time", "× corosensei", "× CPython"
    );
    for (a, b, c, d) in rows {
        let _ = writeln!(out, "{a:<w0$}  {b:>w1$}  {c:>13}  {d:>10}");
    }
    let _ = writeln!(out, "{}", max_live_line(inputs));
    if let Ok(s) = &inputs.streaming {
        let _ = writeln!(
            out,
            "\nstreaming ({:.0} MB of JSON lines)    time     MB/s  records/s   peak RSS  × loop",
            s.bytes as f64 / 1e6
        );
        for r in streaming_rows(s) {
            let _ = writeln!(
                out,
                "  {:<30} {:>7} {:>8} {:>10} {:>10} {:>7}",
                r[0], r[1], r[2], r[3], r[4], r[5]
            );
        }
        for line in streaming_lines(s) {
            let _ = writeln!(out, "{line}");
        }
    }
    if let Some(c) = &inputs.comparison {
        compare::summary(c, &mut out);
    }
    for note in notes(inputs) {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::inputs::testing::{scratch_dir, write_comparison, write_estimate};
    use crate::bench::inputs::{
        Machine, MaxLive, Memory, StreamRun, read_comparison, read_estimates,
    };
    use std::fs;
    use std::path::Path;

    /// A run where delegation and combinators never ran and python3 was missing.
    fn fixture_inputs(dir: &Path) -> Inputs {
        write_fixture_comparison(dir);
        for (i, id) in ROUNDTRIP.iter().enumerate() {
            write_estimate(dir, &format!("roundtrip/{id}"), 1.0 + i as f64);
        }
        for (i, id) in CREATE.iter().enumerate() {
            write_estimate(dir, &format!("create/{id}"), 10.0 * (1 + i) as f64);
        }
        write_estimate(dir, "delegation/state_machine/1", 9.0);
        write_estimate(dir, "delegation/state_machine/1000", 10_900.0);
        write_estimate(dir, "combinators/stackful_stage_1", 3.0);
        write_estimate(dir, "combinators/stackful_stage_8", 10.0);
        write_estimate(dir, "live/sieve_stackful", 400e6);
        write_estimate(dir, "live/roundtrip_stackful", 10.0);
        write_estimate(dir, "live/chain_stackful/1", 4.0);
        write_estimate(dir, "live/chain_stackful/4000", 40_010.0);
        write_estimate(dir, "live/chain_corosensei/1", 4.0);
        write_estimate(dir, "live/chain_corosensei/4000", 80_020.0);
        Inputs {
            mode: "quick".into(),
            clock: "cpu".into(),
            machine: Machine {
                cpu: "Test CPU".into(),
                cores: 2,
                rustc: "rustc 1.0.0-test".into(),
                os: "linux x86_64".into(),
            },
            estimates: read_estimates(dir, None).unwrap(),
            cpython: Err("python3 not found on PATH".into()),
            memory: Ok(Memory { count: 10_000, stackful: Some(4200.0), state_machine: Some(16.0) }),
            max_live: Ok(MaxLive {
                live: 32_751,
                cap: 200_000,
                stack_size: 16_384,
                error: Some("the OS refused to map a stack".into()),
            }),
            elapsed_secs: Some(93.0),
            commit: Some("abc1234".into()),
            streaming: Ok(fixture_streaming()),
            comparison: Some(read_comparison(dir, "before", None).unwrap()),
        }
    }

    /// Baseline `before` for three round-trip benches: within noise, slower, faster.
    fn write_fixture_comparison(dir: &Path) {
        write_comparison(dir, "roundtrip/stackful", "before", 1.0, [0.02, -0.03, 0.06]);
        write_comparison(dir, "roundtrip/corosensei", "before", 1.5, [0.4, 0.3, 0.5]);
        write_comparison(dir, "roundtrip/state_machine", "before", 4.0, [-0.3, -0.4, -0.2]);
    }

    /// Every Rust variant measured; CPython computed something else.
    fn fixture_streaming() -> Streaming {
        let run = |variant: &str, secs: f64| StreamRun {
            variant: variant.into(),
            bytes: 200_000_000,
            secs,
            records: 1_000_000,
            bad: 100,
            kept: 300_000,
            sum: 123_456,
            peak_rss_bytes: 2 << 20,
        };
        let variants =
            [("stasis", 0.52), ("loop", 0.5), ("slice", 0.55), ("scan", 0.2), ("sonic", 0.7)]
                .map(|(v, secs)| (v.to_string(), run(v, secs)))
                .into();
        Streaming {
            bytes: 200_000_000,
            runs: 3,
            variants,
            cpython: Err("CPython computed (1, 2, 3, 4), stasis (5, 6, 7, 8)".into()),
            instructions: Ok([("stasis", 1030), ("loop", 1000), ("slice", 1150), ("scan", 250)]
                .map(|(v, n)| (v.to_string(), n))
                .into()),
        }
    }

    /// Every number replaced by a placeholder, so the snapshot shows the structure only.
    fn redact(v: &Value) -> Value {
        match v {
            Value::Number(_) => Value::String("[number]".into()),
            Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), redact(v))).collect())
            }
            other => other.clone(),
        }
    }

    fn redact_digits(text: &str) -> String {
        let mut out = String::new();
        let mut in_number = false;
        for c in text.chars() {
            if c.is_ascii_digit() || (in_number && c == '.') {
                if !in_number {
                    out.push('#');
                }
                in_number = true;
            } else {
                in_number = false;
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn json_has_every_key_with_null_for_missing() {
        let dir = scratch_dir("json");
        let inputs = fixture_inputs(&dir);
        let v = report_json(&inputs);
        assert_eq!(v["roundtrip_ns"]["corosensei"], json!(2.0));
        assert_eq!(v["roundtrip_ns"]["cpython"], Value::Null);
        assert_eq!(v["delegation_ns"]["inline"]["1000"], Value::Null);
        assert_eq!(v["delegation_ns"]["state_machine"]["1000"], json!(10_900.0));
        assert_eq!(v["resident_bytes"]["stackful"], json!(4200.0));
        assert_eq!(v["create_ns"]["stackful_fresh"], json!(20.0));
        insta::assert_json_snapshot!("report_json_structure", redact(&v));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn markdown_has_ratios_and_notes() {
        let dir = scratch_dir("md");
        let inputs = fixture_inputs(&dir);
        let md = report_markdown(&inputs);
        // stackful 1 ns against corosensei 2 ns; stackful_pooled 10 ns against reused 30 ns.
        assert!(md.contains("| stackful | 1.00 ns | 0.50× | n/a |"), "{md}");
        assert!(md.contains("| stackful_pooled | 10.0 ns | 0.33× | n/a |"), "{md}");
        assert!(md.contains("| 1000 ÷ 1 | n/a | n/a | 1211.11× | n/a |"), "{md}");
        assert!(md.contains("CPython: skipped (python3 not found on PATH)."), "{md}");
        assert!(md.contains("32751 before the error"), "{md}");
        assert!(md.contains("| 8 | 10.0 ns | 3.33× |"), "{md}");
        assert!(md.contains("Cost per stage, (t8 − t1) / 7: 1.00 ns."), "{md}");
        insta::assert_snapshot!("report_md_structure", redact_digits(&md));
        let summary = summary(&inputs);
        assert!(summary.contains("round trip  corosensei"), "{summary}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn streaming_reports_ratios_and_the_goal() {
        let dir = scratch_dir("stream");
        let inputs = fixture_inputs(&dir);
        let md = report_markdown(&inputs);
        assert!(md.contains("| stasis | 0.52 s | 385 | 1923077 | 2.0 MiB | 1.04× |"), "{md}");
        assert!(md.contains("| cpython | n/a | n/a | n/a | n/a | n/a |"), "{md}");
        assert!(
            md.contains(
                "hand-written loop: 1.03× in instructions executed (cachegrind, 20 MiB file; \
                 parsing is 75% of the loop's instructions), 1.04× in time; goal ≤ 1.05×: met \
                 (instructions)."
            ),
            "{md}"
        );
        assert!(md.contains("JSON parsing takes 60% of the hand-written loop's time"), "{md}");
        assert!(md.contains("Streaming, CPython: skipped (CPython computed (1, 2, 3, 4)"), "{md}");
        let v = report_json(&inputs);
        assert_eq!(v["streaming"]["stasis_over_loop"], json!(0.52 / 0.5));
        assert_eq!(v["streaming"]["variants"]["cpython"], Value::Null);
        assert_eq!(v["streaming"]["goal"], json!("met (instructions)"));
        assert_eq!(v["streaming"]["variants"]["loop"]["mb_per_s"], json!(400.0));
        let summary = summary(&inputs);
        assert!(summary.contains("goal ≤ 1.05×: met (instructions)."), "{summary}");
        assert_eq!(stream_goal(None, Some(1.06)), "missed (time)");
        assert_eq!(stream_goal(Some(1.06), Some(1.0)), "missed (instructions)");
        let _ = fs::remove_dir_all(&dir);
    }

    /// The `--baseline` table: one row per compared benchmark, in the summary, report.md and
    /// report.json, with a verdict a script can act on.
    #[test]
    fn baseline_comparison_table() {
        let dir = scratch_dir("baseline");
        let inputs = fixture_inputs(&dir);
        let v = report_json(&inputs);
        let c = &v["comparison"];
        assert_eq!(c["regressions"], json!(["roundtrip/corosensei"]));
        assert_eq!(c["improvements"], json!(["roundtrip/state_machine"]));
        assert_eq!(c["benchmarks"].as_array().unwrap().len(), 3);
        assert_eq!(c["benchmarks"][0]["verdict"], json!("within noise"));
        let md = report_markdown(&inputs);
        assert!(
            md.contains(
                "| roundtrip/corosensei | 2.25 ns | 3.00 ns | +40.0% [+30.0%, +50.0%] | slower |"
            ),
            "{md}"
        );
        let section = &md[md.find("## Compared with").unwrap()..md.find("## Notes").unwrap()];
        let summary = summary(&inputs);
        let table = &summary[summary.find("compared with baseline").unwrap()..];
        let table = &table[..table.find("note:").unwrap_or(table.len())];
        assert!(table.contains("1 slower, 1 faster, 1 within noise (of 3 compared)."), "{table}");
        insta::assert_snapshot!(
            "baseline_comparison",
            format!(
                "report.json:\n{}\n\nreport.md:\n{}\nsummary:\n{}",
                serde_json::to_string_pretty(&redact(c)).unwrap(),
                redact_digits(section),
                redact_digits(table)
            )
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_ns(Some(0.5456)), "0.55 ns");
        assert_eq!(fmt_ns(Some(48.13)), "48.1 ns");
        assert_eq!(fmt_ns(Some(8960.0)), "8.96 µs");
        assert_eq!(fmt_ns(None), "n/a");
        assert_eq!(fmt_ratio(Some(2.7347), Some(2.4744)), "1.11×");
        assert_eq!(fmt_ratio(Some(1.0), Some(0.0)), "n/a");
        assert_eq!(fmt_ratio(Some(0.5), Some(48.0)), "0.010×");
        assert_eq!(fmt_ratio(Some(4.52), Some(26_000.0)), "0.00017×");
        assert_eq!(fmt_ratio(Some(0.75), Some(3.48)), "0.22×");
    }
}
