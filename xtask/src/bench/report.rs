//! The benchmark report: reading criterion's estimates, the CPython script's and the memory
//! probe's JSON, and building `report.json`, `report.md` and the terminal summary.
//!
//! Everything here is a pure function of its inputs (files or strings), so the tests below build
//! a report from fixture files and snapshot its structure. A figure that was not measured in this
//! run is `null` in the JSON and `n/a` in the tables: never an older or made-up number.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// Criterion ids of group `roundtrip`, in table order.
pub(crate) const ROUNDTRIP: [&str; 7] = [
    "stackful",
    "corosensei",
    "state_machine",
    "nightly_coroutine",
    "generator_rs",
    "genawaiter",
    "iterator",
];

/// Criterion ids of group `create`, in table order.
pub(crate) const CREATE: [&str; 5] = [
    "stackful_pooled",
    "stackful_fresh",
    "corosensei_reused",
    "state_machine",
    "stackful_after_burst",
];

/// Delegation mechanisms measured by criterion (group `delegation`, ids `<mechanism>/<depth>`).
pub(crate) const DELEGATION: [&str; 3] = ["inline", "object", "state_machine"];

/// Delegation depths.
pub(crate) const DEPTHS: [u32; 4] = [1, 10, 100, 1000];

/// Criterion ids of group `combinators`.
pub(crate) const COMBINATORS: [&str; 6] = [
    "std_iter_chain",
    "state_machine_chain",
    "stackful_stage/1",
    "stackful_stage/2",
    "stackful_stage/4",
    "stackful_stage/8",
];

/// Criterion ids of group `live` (benches/live.rs): CPython's test_generators programs with
/// thousands of generators alive, and the single-generator round trip a sieve hop compares to.
pub(crate) const LIVE: [&str; 3] = ["m235_stackful", "sieve_stackful", "roundtrip_stackful"];

/// Resume-yield pairs (hops) in one run of the sieve for 2,000 primes: a property of the
/// program, asserted by benches/live.rs.
pub(crate) const SIEVE_HOPS: f64 = 4_043_625.0;

/// Every criterion id the report reads, as `group/id`.
pub(crate) fn criterion_ids() -> Vec<String> {
    let mut ids = Vec::new();
    ids.extend(ROUNDTRIP.iter().map(|id| format!("roundtrip/{id}")));
    ids.extend(CREATE.iter().map(|id| format!("create/{id}")));
    for mech in DELEGATION {
        ids.extend(DEPTHS.iter().map(|d| format!("delegation/{mech}/{d}")));
    }
    ids.extend(COMBINATORS.iter().map(|id| format!("combinators/{id}")));
    ids.extend(LIVE.iter().map(|id| format!("live/{id}")));
    ids
}

/// The typical time per iteration in ns from a criterion `estimates.json`: the slope of the
/// linear regression when criterion computed one (what its terminal output shows), else the mean.
pub(crate) fn parse_estimate(text: &str) -> Result<f64> {
    let v: Value = serde_json::from_str(text).context("estimates.json is not valid JSON")?;
    for key in ["slope", "mean"] {
        if let Some(x) = v.get(key).and_then(|e| e.get("point_estimate")).and_then(Value::as_f64) {
            return Ok(x);
        }
    }
    bail!("estimates.json has neither slope.point_estimate nor mean.point_estimate")
}

/// The folders under `target/criterion` where criterion may keep the results of `group/id`.
///
/// `BenchmarkId::new("inline", 10)` in group `delegation` lands in `delegation/inline/10`, but
/// `bench_function("inline/10", ..)` lands in `delegation/inline_10` (criterion replaces `/` in a
/// function name), so both are tried.
fn criterion_dirs(id: &str) -> Vec<String> {
    let mut dirs = vec![id.to_string()];
    if let Some((group, rest)) = id.split_once('/')
        && rest.contains('/')
    {
        dirs.push(format!("{group}/{}", rest.replace('/', "_")));
    }
    dirs
}

/// Reads `<criterion_dir>/<group>/<id>/new/estimates.json` for every id of [`criterion_ids`].
/// Missing files are left out; so are files older than `since` (a benchmark that did not run
/// this time keeps its old results on disk, and the report must not pass them off as new).
pub(crate) fn read_estimates(
    criterion_dir: &Path,
    since: Option<SystemTime>,
) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for id in criterion_ids() {
        let Some((path, text)) = criterion_dirs(&id)
            .into_iter()
            .map(|dir| criterion_dir.join(dir).join("new").join("estimates.json"))
            .find_map(|path| match fs::read_to_string(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                read => Some((path, read)),
            })
        else {
            continue;
        };
        let text = text.with_context(|| format!("reading {}", path.display()))?;
        if let Some(since) = since {
            let modified = fs::metadata(&path).and_then(|m| m.modified());
            if modified.map_or(true, |m| m < since) {
                continue;
            }
        }
        let ns = parse_estimate(&text).with_context(|| format!("in {}", path.display()))?;
        out.insert(id, ns);
    }
    Ok(out)
}

/// What `benches/cpython_bench.py` measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CPython {
    pub(crate) version: String,
    pub(crate) roundtrip_ns: Option<f64>,
    pub(crate) create_ns: Option<f64>,
    /// Depth (as a string, e.g. `"10"`) to ns per item.
    pub(crate) delegation_ns: BTreeMap<String, f64>,
    pub(crate) resident_bytes: Option<f64>,
    /// Program (`m235`, `sieve`) to ms per run.
    pub(crate) live_ms: BTreeMap<String, f64>,
}

/// Parses the one JSON line printed by `benches/cpython_bench.py`.
pub(crate) fn parse_cpython(text: &str) -> Result<CPython> {
    let v: Value = serde_json::from_str(text.trim())
        .with_context(|| format!("cpython_bench.py printed something other than JSON: {text:?}"))?;
    let by_key = |key: &str| -> BTreeMap<String, f64> {
        v.get(key)
            .and_then(Value::as_object)
            .map(|o| o.iter().filter_map(|(k, x)| Some((k.clone(), x.as_f64()?))).collect())
            .unwrap_or_default()
    };
    let delegation_ns = by_key("delegation_ns");
    Ok(CPython {
        version: v.get("python").and_then(Value::as_str).unwrap_or("unknown").to_string(),
        roundtrip_ns: v.get("roundtrip_ns").and_then(Value::as_f64),
        create_ns: v.get("create_ns").and_then(Value::as_f64),
        delegation_ns,
        resident_bytes: v.get("resident_bytes").and_then(Value::as_f64),
        live_ms: by_key("live_ms"),
    })
}

/// Resident bytes per suspended generator, from `stasis-memory resident`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Memory {
    pub(crate) count: u64,
    pub(crate) stackful: Option<f64>,
    pub(crate) state_machine: Option<f64>,
}

/// Parses the output of `stasis-memory resident`.
pub(crate) fn parse_memory(text: &str) -> Result<Memory> {
    let v: Value = serde_json::from_str(text.trim()).with_context(|| {
        format!("stasis-memory resident printed something other than JSON: {text:?}")
    })?;
    Ok(Memory {
        count: v.get("count").and_then(Value::as_u64).context("no `count` in memory output")?,
        stackful: v.get("stackful").and_then(Value::as_f64),
        state_machine: v.get("state_machine").and_then(Value::as_f64),
    })
}

/// The most live stackful generators, from `stasis-memory max-live`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MaxLive {
    pub(crate) live: u64,
    pub(crate) cap: u64,
    pub(crate) stack_size: u64,
    /// The error text; `None` when the cap was reached first.
    pub(crate) error: Option<String>,
}

/// Parses the output of `stasis-memory max-live`.
pub(crate) fn parse_max_live(text: &str) -> Result<MaxLive> {
    let v: Value = serde_json::from_str(text.trim()).with_context(|| {
        format!("stasis-memory max-live printed something other than JSON: {text:?}")
    })?;
    let num = |k: &str| v.get(k).and_then(Value::as_u64).with_context(|| format!("no `{k}`"));
    Ok(MaxLive {
        live: num("live")?,
        cap: num("cap")?,
        stack_size: num("stack_size")?,
        error: v.get("error").and_then(Value::as_str).map(str::to_string),
    })
}

/// The machine the figures come from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Machine {
    pub(crate) cpu: String,
    pub(crate) cores: usize,
    pub(crate) rustc: String,
    pub(crate) os: String,
}

/// Everything one report is made of. A part that could not be measured holds the reason.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inputs {
    /// `quick` or `full`.
    pub(crate) mode: String,
    pub(crate) machine: Machine,
    /// `group/id` to ns per iteration.
    pub(crate) estimates: BTreeMap<String, f64>,
    pub(crate) cpython: Result<CPython, String>,
    pub(crate) memory: Result<Memory, String>,
    pub(crate) max_live: Result<MaxLive, String>,
    /// Wall time of the whole run, when known.
    pub(crate) elapsed_secs: Option<f64>,
    /// The commit measured (`git describe --always --dirty`), when known.
    pub(crate) commit: Option<String>,
}

impl Inputs {
    fn est(&self, id: &str) -> Option<f64> {
        self.estimates.get(id).copied()
    }

    fn cpy(&self) -> Option<&CPython> {
        self.cpython.as_ref().ok()
    }

    fn roundtrip(&self, name: &str) -> Option<f64> {
        if name == "cpython" {
            self.cpy().and_then(|c| c.roundtrip_ns)
        } else {
            self.est(&format!("roundtrip/{name}"))
        }
    }

    fn create(&self, name: &str) -> Option<f64> {
        if name == "cpython" {
            self.cpy().and_then(|c| c.create_ns)
        } else {
            self.est(&format!("create/{name}"))
        }
    }

    fn delegation(&self, mech: &str, depth: u32) -> Option<f64> {
        if mech == "cpython" {
            self.cpy().and_then(|c| c.delegation_ns.get(&depth.to_string()).copied())
        } else {
            self.est(&format!("delegation/{mech}/{depth}"))
        }
    }

    /// ms per run of `program` (`m235`, `sieve`) on `who` (`stackful`, `cpython`).
    fn live(&self, program: &str, who: &str) -> Option<f64> {
        if who == "cpython" {
            self.cpy().and_then(|c| c.live_ms.get(program).copied())
        } else {
            self.est(&format!("live/{program}_{who}")).map(|ns| ns / 1e6)
        }
    }

    fn resident(&self, name: &str) -> Option<f64> {
        match name {
            "cpython" => self.cpy().and_then(|c| c.resident_bytes),
            "stackful" => self.memory.as_ref().ok().and_then(|m| m.stackful),
            "state_machine" => self.memory.as_ref().ok().and_then(|m| m.state_machine),
            _ => None,
        }
    }
}

/// Milliseconds with one decimal, or `n/a`.
fn fmt_ms(ms: Option<f64>) -> String {
    ms.map_or("n/a".into(), |ms| format!("{ms:.1} ms"))
}

/// ns per hop of the sieve on stackful generators.
fn sieve_hop_ns(inputs: &Inputs) -> Option<f64> {
    inputs.live("sieve", "stackful").map(|ms| ms * 1e6 / SIEVE_HOPS)
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
        "resident_count": inputs.memory.as_ref().ok().map(|m| m.count),
        "cpython_version": inputs.cpy().map(|c| c.version.clone()),
        "mode": inputs.mode,
        "elapsed_s": inputs.elapsed_secs,
        "commit": inputs.commit,
        "machine": {
            "cpu": inputs.machine.cpu,
            "cores": inputs.machine.cores,
            "rustc": inputs.machine.rustc,
            "os": inputs.machine.os,
        },
        "notes": notes(inputs),
    })
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

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
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
         ratios, not absolute figures). `× x` columns divide by the time of `x`.\n"
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
         nested `#[coroutine]`s re-yielding (benches/delegation.rs).\n"
    );
    table(
        &mut out,
        &["depth", "inline", "object", "state_machine", "cpython"],
        &delegation_rows(inputs),
    );

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
         run): {}, {} the round trip of a single generator ({}).\n",
        fmt_ns(hop),
        fmt_ratio(hop, single),
        fmt_ns(single)
    );

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
    for note in notes(inputs) {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixture `estimates.json` (slope present or not).
    fn estimates_json(ns: f64, slope: bool) -> String {
        let est = |x: f64| {
            json!({"confidence_interval": {"confidence_level": 0.95, "lower_bound": x * 0.9,
                "upper_bound": x * 1.1}, "point_estimate": x, "standard_error": x * 0.01})
        };
        json!({
            "mean": est(ns * 1.5),
            "median": est(ns),
            "median_abs_dev": est(ns * 0.01),
            "slope": if slope { est(ns) } else { Value::Null },
            "std_dev": est(ns * 0.02),
        })
        .to_string()
    }

    fn scratch_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("stasis-xtask-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_estimate(dir: &Path, id: &str, ns: f64) {
        let d = dir.join(id).join("new");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("estimates.json"), estimates_json(ns, true)).unwrap();
    }

    /// A run where delegation and combinators never ran and python3 was missing.
    fn fixture_inputs(dir: &Path) -> Inputs {
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
        Inputs {
            mode: "quick".into(),
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
    fn estimate_prefers_slope_then_mean() {
        assert_eq!(parse_estimate(&estimates_json(4.0, true)).unwrap(), 4.0);
        assert_eq!(parse_estimate(&estimates_json(4.0, false)).unwrap(), 6.0);
        let err = parse_estimate("{}").unwrap_err().to_string();
        assert!(err.contains("neither slope"), "{err}");
        assert!(parse_estimate("not json").is_err());
    }

    #[test]
    fn missing_and_stale_estimates_are_left_out() {
        let dir = scratch_dir("stale");
        write_estimate(&dir, "roundtrip/stackful", 3.0);
        let all = read_estimates(&dir, None).unwrap();
        assert_eq!(all.keys().collect::<Vec<_>>(), ["roundtrip/stackful"]);
        // `bench_function("stackful_stage/2")` is stored as `stackful_stage_2`.
        write_estimate(&dir, "combinators/stackful_stage_2", 7.0);
        let all = read_estimates(&dir, None).unwrap();
        assert_eq!(all.get("combinators/stackful_stage/2"), Some(&7.0));
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(read_estimates(&dir, Some(later)).unwrap().is_empty());
        let _ = fs::remove_dir_all(&dir);
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
    fn cpython_and_memory_outputs_parse() {
        let c = parse_cpython(
            r#"{"python": "3.11.7", "roundtrip_ns": 48.1, "create_ns": 83.2,
               "delegation_ns": {"1": 71.9, "1000": 31691.4}, "resident_bytes": null}"#,
        )
        .unwrap();
        assert_eq!(c.version, "3.11.7");
        assert_eq!(c.delegation_ns.get("1000"), Some(&31691.4));
        assert_eq!(c.resident_bytes, None);
        assert!(parse_cpython("Traceback (most recent call last)").is_err());
        let m =
            parse_memory(r#"{"count": 10000, "stackful": 4096.5, "state_machine": 16}"#).unwrap();
        assert_eq!(m.state_machine, Some(16.0));
        let l =
            parse_max_live(r#"{"live": 5, "cap": 5, "stack_size": 16384, "error": null}"#).unwrap();
        assert_eq!(l.error, None);
        assert!(parse_max_live(r#"{"cap": 5}"#).is_err());
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
