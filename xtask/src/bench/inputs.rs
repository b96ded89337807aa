//! The inputs of the benchmark report, read from disk: criterion's estimates (and its
//! comparison with a saved baseline), the JSON printed by the CPython script, the memory probes and
//! the streaming variants. [`report`](super::report) renders them.
//!
//! A figure that was not measured in this run is absent (`None`, or an `Err` holding the reason):
//! never an older or made-up number.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde_json::Value;

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
pub(crate) const DELEGATION: [&str; 6] =
    ["inline", "object", "state_machine", "state_machine_throwing", "mixed", "mixed_reverse"];

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
/// thousands of generators alive, the single-generator round trip a sieve hop compares to, the
/// floor of m235 on raw corosensei, and the cost of dropping a suspended generator.
pub(crate) const LIVE: [&str; 6] = [
    "m235_stackful",
    "sieve_stackful",
    "roundtrip_stackful",
    "m235_corosensei",
    "close_suspended_stackful",
    "close_suspended_corosensei",
];

/// Chain lengths of `live/chain_stackful/N` (benches/live.rs `CHAIN`): one item through N
/// sieve filters that pass everything, N + 1 hops.
pub(crate) const CHAIN: [u32; 4] = [1, 100, 1000, 4000];

/// Chain lengths of `live/chain_corosensei/N`, the same chain on raw corosensei.
pub(crate) const CHAIN_RAW: [u32; 2] = [1, 4000];

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
    ids.extend(CHAIN.iter().map(|n| format!("live/chain_stackful/{n}")));
    ids.extend(CHAIN_RAW.iter().map(|n| format!("live/chain_corosensei/{n}")));
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

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub(crate) point: f64,
    pub(crate) lower: f64,
    pub(crate) upper: f64,
}

/// `key` (`"mean"`, ...) of a criterion `estimates.json` or `change/estimates.json`, with its
/// confidence interval.
pub(crate) fn parse_interval(text: &str, key: &str) -> Result<Interval> {
    let v: Value = serde_json::from_str(text).context("estimates.json is not valid JSON")?;
    let e = &v[key];
    let ci = &e["confidence_interval"];
    let field = |x: &Value, name: &str| {
        x.as_f64().with_context(|| format!("estimates.json has no number at {key}.{name}"))
    };
    Ok(Interval {
        point: field(&e["point_estimate"], "point_estimate")?,
        lower: field(&ci["lower_bound"], "confidence_interval.lower_bound")?,
        upper: field(&ci["upper_bound"], "confidence_interval.upper_bound")?,
    })
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

/// Reads `<criterion_dir>/<group>/<id>/<sub>/estimates.json` (`sub` is `new`, `change` or a
/// baseline's name) from the newest of [`criterion_dirs`] that has it (a bench renamed from one
/// spelling to the other leaves the old folder behind). `None` when the file is missing or
/// older than `since` (a benchmark that did not run this time keeps its old results on disk,
/// and the report must not pass them off as new).
fn read_criterion_file(
    criterion_dir: &Path,
    id: &str,
    sub: &str,
    since: Option<SystemTime>,
) -> Result<Option<(std::path::PathBuf, String)>> {
    let mut newest: Option<(std::path::PathBuf, Option<SystemTime>)> = None;
    for dir in criterion_dirs(id) {
        let path = criterion_dir.join(dir).join(sub).join("estimates.json");
        let modified = match fs::metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            meta => meta.and_then(|m| m.modified()).ok(),
        };
        if newest.as_ref().is_none_or(|(_, m)| modified > *m) {
            newest = Some((path, modified));
        }
    }
    let Some((path, modified)) = newest else { return Ok(None) };
    if since.is_some_and(|since| modified.is_none_or(|m| m < since)) {
        return Ok(None);
    }
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some((path, text)))
}

/// Reads `<criterion_dir>/<group>/<id>/new/estimates.json` for every id of [`criterion_ids`].
/// Missing files are left out; so are files older than `since`.
pub(crate) fn read_estimates(
    criterion_dir: &Path,
    since: Option<SystemTime>,
) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for id in criterion_ids() {
        if let Some((path, text)) = read_criterion_file(criterion_dir, &id, "new", since)? {
            let ns = parse_estimate(&text).with_context(|| format!("in {}", path.display()))?;
            out.insert(id, ns);
        }
    }
    Ok(out)
}

/// One benchmark measured against a saved baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compared {
    /// `group/id`.
    pub(crate) id: String,
    /// Mean time per iteration in the baseline, ns.
    pub(crate) base_ns: f64,
    /// Mean time per iteration now, ns.
    pub(crate) now_ns: f64,
    /// Criterion's relative change of the mean (`0.05` is 5% slower), with its confidence
    /// interval, from `change/estimates.json`.
    pub(crate) change: Interval,
}

/// A `--baseline NAME` run: every benchmark of the report compared with baseline `NAME`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    pub(crate) baseline: String,
    pub(crate) rows: Vec<Compared>,
    /// Ids measured now with no comparison (not in the baseline, or not run).
    pub(crate) missing: Vec<String>,
}

/// Reads criterion's comparison of this run with baseline `baseline`: for every id of
/// [`criterion_ids`], the means in `<baseline>/estimates.json` and `new/estimates.json` and the
/// relative change in `change/estimates.json` (written by this run: not older than `since`).
pub(crate) fn read_comparison(
    criterion_dir: &Path,
    baseline: &str,
    since: Option<SystemTime>,
) -> Result<Comparison> {
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for id in criterion_ids() {
        let now = read_criterion_file(criterion_dir, &id, "new", since)?;
        let base = read_criterion_file(criterion_dir, &id, baseline, None)?;
        let change = read_criterion_file(criterion_dir, &id, "change", since)?;
        let (Some(now), Some(base), Some(change)) = (now, base, change) else {
            missing.push(id);
            continue;
        };
        let mean = |(path, text): &(std::path::PathBuf, String)| {
            parse_interval(text, "mean").with_context(|| format!("in {}", path.display()))
        };
        rows.push(Compared {
            id,
            base_ns: mean(&base)?.point,
            now_ns: mean(&now)?.point,
            change: mean(&change)?,
        });
    }
    Ok(Comparison { baseline: baseline.to_string(), rows, missing })
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

/// One aggregation of the streaming file, as printed by `stasis-stream run` and
/// `benches/streaming.py`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StreamRun {
    /// `stasis`, `loop`, `scan`, `sonic` or `cpython`.
    pub(crate) variant: String,
    pub(crate) bytes: u64,
    pub(crate) secs: f64,
    pub(crate) records: u64,
    pub(crate) bad: u64,
    pub(crate) kept: u64,
    pub(crate) sum: u64,
    pub(crate) peak_rss_bytes: u64,
}

impl StreamRun {
    /// What the variant computed: equal for every variant that parses the records.
    pub(crate) fn tally(&self) -> (u64, u64, u64, u64) {
        (self.records, self.bad, self.kept, self.sum)
    }
}

/// Parses the JSON object printed by `stasis-stream run` or `benches/streaming.py`.
pub(crate) fn parse_stream_run(text: &str) -> Result<StreamRun> {
    let v: Value = serde_json::from_str(text.trim()).with_context(|| {
        format!("the streaming run printed something other than JSON: {text:?}")
    })?;
    let int = |k: &str| v[k].as_u64().with_context(|| format!("no whole number `{k}` in {text}"));
    Ok(StreamRun {
        variant: v["variant"].as_str().context("no `variant`")?.to_string(),
        bytes: int("bytes")?,
        secs: v["secs"].as_f64().context("no `secs`")?,
        records: int("records")?,
        bad: int("bad")?,
        kept: int("kept")?,
        sum: int("sum")?,
        peak_rss_bytes: int("peak_rss_bytes")?,
    })
}

/// The streaming section: the best of several runs of each Rust variant, and CPython's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Streaming {
    /// Size of the JSON-lines file.
    pub(crate) bytes: u64,
    /// Runs of each Rust variant (the fastest is kept; peak RSS is the highest seen).
    pub(crate) runs: usize,
    /// `stasis`, `loop`, `scan`, `sonic` to their best run.
    pub(crate) variants: BTreeMap<String, StreamRun>,
    /// CPython's run, or why it was skipped.
    pub(crate) cpython: Result<StreamRun, String>,
    /// Instructions executed by `stasis`, `loop` and `scan` on a smaller file (cachegrind), or
    /// why they were not counted.
    pub(crate) instructions: Result<BTreeMap<String, u64>, String>,
}

impl Streaming {
    /// The run of `variant` (`cpython` included), when measured.
    pub(crate) fn get(&self, variant: &str) -> Option<&StreamRun> {
        match variant {
            "cpython" => self.cpython.as_ref().ok(),
            v => self.variants.get(v),
        }
    }
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
    /// The clock of the times: `cpu` (the benchmark thread's CPU time) or `wall`.
    pub(crate) clock: String,
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
    /// The streaming section, or why it was not measured.
    pub(crate) streaming: Result<Streaming, String>,
    /// The comparison with a saved baseline, in a `--baseline NAME` run.
    pub(crate) comparison: Option<Comparison>,
}

impl Inputs {
    pub(crate) fn est(&self, id: &str) -> Option<f64> {
        self.estimates.get(id).copied()
    }

    pub(crate) fn cpy(&self) -> Option<&CPython> {
        self.cpython.as_ref().ok()
    }

    pub(crate) fn roundtrip(&self, name: &str) -> Option<f64> {
        if name == "cpython" {
            self.cpy().and_then(|c| c.roundtrip_ns)
        } else {
            self.est(&format!("roundtrip/{name}"))
        }
    }

    pub(crate) fn create(&self, name: &str) -> Option<f64> {
        if name == "cpython" {
            self.cpy().and_then(|c| c.create_ns)
        } else {
            self.est(&format!("create/{name}"))
        }
    }

    pub(crate) fn delegation(&self, mech: &str, depth: u32) -> Option<f64> {
        if mech == "cpython" {
            self.cpy().and_then(|c| c.delegation_ns.get(&depth.to_string()).copied())
        } else {
            self.est(&format!("delegation/{mech}/{depth}"))
        }
    }

    /// ms per run of `program` (`m235`, `sieve`) on `who` (`stackful`, `corosensei`, `cpython`).
    pub(crate) fn live(&self, program: &str, who: &str) -> Option<f64> {
        if who == "cpython" {
            self.cpy().and_then(|c| c.live_ms.get(program).copied())
        } else {
            self.est(&format!("live/{program}_{who}")).map(|ns| ns / 1e6)
        }
    }

    pub(crate) fn resident(&self, name: &str) -> Option<f64> {
        match name {
            "cpython" => self.cpy().and_then(|c| c.resident_bytes),
            "stackful" => self.memory.as_ref().ok().and_then(|m| m.stackful),
            "state_machine" => self.memory.as_ref().ok().and_then(|m| m.state_machine),
            _ => None,
        }
    }
}

/// Fixture files for the tests of the report.
#[cfg(test)]
pub(crate) mod testing {
    use std::fs;
    use std::path::Path;

    use serde_json::{Value, json};

    /// A fixture `estimates.json` (slope present or not).
    pub(crate) fn estimates_json(ns: f64, slope: bool) -> String {
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

    pub(crate) fn scratch_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("stasis-xtask-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub(crate) fn write_estimate(dir: &Path, id: &str, ns: f64) {
        write_file(dir, id, "new", &estimates_json(ns, true));
    }

    /// `<dir>/<id>/<sub>/estimates.json`.
    pub(crate) fn write_file(dir: &Path, id: &str, sub: &str, text: &str) {
        let d = dir.join(id).join(sub);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("estimates.json"), text).unwrap();
    }

    /// A baseline `name` of `id` (its mean is `1.5 × ns`, as in [`estimates_json`]) and
    /// criterion's `change/estimates.json` for it.
    pub(crate) fn write_comparison(dir: &Path, id: &str, name: &str, ns: f64, change: [f64; 3]) {
        write_file(dir, id, name, &estimates_json(ns, true));
        let [point, lower, upper] = change;
        let est = |x: f64| {
            json!({"confidence_interval": {"confidence_level": 0.95, "lower_bound": lower,
                "upper_bound": upper}, "point_estimate": x, "standard_error": 0.01})
        };
        write_file(
            dir,
            id,
            "change",
            &json!({"mean": est(point), "median": est(point)}).to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn comparison_reads_baseline_now_and_change() {
        let dir = scratch_dir("compare");
        write_estimate(&dir, "roundtrip/stackful", 4.0);
        write_comparison(&dir, "roundtrip/stackful", "before", 2.0, [0.5, 0.4, 0.6]);
        write_estimate(&dir, "roundtrip/corosensei", 4.0);
        // Another baseline's name: not this comparison.
        write_comparison(&dir, "create/stackful_pooled", "other", 2.0, [0.5, 0.4, 0.6]);
        write_estimate(&dir, "create/stackful_pooled", 4.0);
        let c = read_comparison(&dir, "before", None).unwrap();
        assert_eq!(c.baseline, "before");
        assert_eq!(
            c.rows,
            [Compared {
                id: "roundtrip/stackful".into(),
                base_ns: 3.0,
                now_ns: 6.0,
                change: Interval { point: 0.5, lower: 0.4, upper: 0.6 },
            }]
        );
        assert!(c.missing.contains(&"roundtrip/corosensei".to_string()), "{:?}", c.missing);
        assert!(c.missing.contains(&"create/stackful_pooled".to_string()), "{:?}", c.missing);
        // A change file from an earlier run does not count.
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(read_comparison(&dir, "before", Some(later)).unwrap().rows.is_empty());
        let _ = fs::remove_dir_all(&dir);
    }

    /// Whether the bench source `text` defines criterion id `group/name`: it opens
    /// `benchmark_group("group")` and names the benchmark `bench_function("name"` or, for
    /// `name` = `prefix/n`, with `format!("prefix/{..}")` (or `format!("{form}/{depth}")` over
    /// `("prefix", ..)` forms) looped over a `const` list (`DEPTHS`, `CHAIN`) that holds `n`.
    fn defines(text: &str, id: &str) -> bool {
        let (group, name) = id.split_once('/').unwrap();
        if !text.contains(&format!("benchmark_group(\"{group}\")")) {
            return false;
        }
        if text.contains(&format!("bench_function(\"{name}\"")) {
            return true;
        }
        let Some((prefix, n)) = name.rsplit_once('/') else { return false };
        let mut lists = text.lines().filter(|l| {
            let l = l.trim_start();
            l.starts_with("const ") && l.contains(": [") && l.contains("] = [")
        });
        // `format!("prefix/{depth}")`, or `format!("{form}/{depth}")` over a list of
        // `("prefix", ..)` forms.
        let formatted = text.contains(&format!("format!(\"{prefix}/{{"))
            || (text.contains(&format!("(\"{prefix}\",")) && text.contains("}/{depth}\")"));
        formatted && lists.any(|l| l.split(|c: char| !c.is_ascii_digit()).any(|d| d == n))
    }

    /// Every id the report reads is a benchmark of `benches/*.rs`: a renamed bench fails here
    /// instead of showing as `n/a` in the report.
    #[test]
    fn every_report_id_exists_in_the_benches() {
        let benches = crate::project_root().join("benches");
        let sources: Vec<(String, String)> = fs::read_dir(&benches)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .map(|p| (p.display().to_string(), fs::read_to_string(&p).unwrap()))
            .collect();
        assert!(sources.len() >= 4, "{sources:?}");
        let missing: Vec<String> = criterion_ids()
            .into_iter()
            .filter(|id| !sources.iter().any(|(_, text)| defines(text, id)))
            .collect();
        assert!(missing.is_empty(), "report ids with no bench in benches/*.rs: {missing:?}");
        // The check itself tells a rename apart.
        let roundtrip = &sources.iter().find(|(p, _)| p.ends_with("roundtrip.rs")).unwrap().1;
        assert!(defines(roundtrip, "roundtrip/corosensei"));
        assert!(!defines(&roundtrip.replace("\"corosensei\"", "\"coro\""), "roundtrip/corosensei"));
        let delegation = &sources.iter().find(|(p, _)| p.ends_with("delegation.rs")).unwrap().1;
        assert!(defines(delegation, "delegation/object/1000"));
        assert!(!defines(delegation, "delegation/object/5000"));
        assert!(!defines(delegation, "create/object/1000"));
        assert!(defines(delegation, "delegation/mixed_reverse/10"));
        assert!(!defines(delegation, "delegation/mixed_sideways/10"));
    }

    #[test]
    fn stream_runs_parse() {
        let r = parse_stream_run(
            r#"{"variant": "cpython", "bytes": 100, "secs": 0.5, "records": 9, "bad": 1,
               "kept": 3, "sum": 44, "peak_rss_bytes": 4096, "python": "3.11.7"}"#,
        )
        .unwrap();
        assert_eq!((r.variant.as_str(), r.tally()), ("cpython", (9, 1, 3, 44)));
        let err = parse_stream_run(r#"{"variant": "loop", "bytes": 1}"#).unwrap_err();
        assert!(format!("{err:#}").contains("no `secs`"), "{err:#}");
        assert!(parse_stream_run("Traceback").is_err());
    }

    /// Both folders criterion may use for an id exist (the bench was renamed between the two
    /// spellings at some point): the one written by this run counts, not the stale other.
    #[test]
    fn the_newest_of_two_criterion_folders_counts() {
        let dir = scratch_dir("two-folders");
        let id = "delegation/inline/1000";
        assert!(criterion_ids().contains(&id.to_string()));
        write_estimate(&dir, id, 9.0);
        let hour_ago = SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(dir.join(id).join("new/estimates.json"))
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        write_estimate(&dir, "delegation/inline_1000", 5.0);
        let since = SystemTime::now() - std::time::Duration::from_secs(60);
        assert_eq!(read_estimates(&dir, Some(since)).unwrap().get(id), Some(&5.0));
        assert_eq!(read_estimates(&dir, None).unwrap().get(id), Some(&5.0));
        let _ = fs::remove_dir_all(&dir);
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
}
