//! The streaming section of `cargo xtask bench`: one JSON-lines file, written on the fly under
//! `target/stasis-bench/` and removed afterwards, aggregated by each variant in its own process
//! (`stasis-stream run VARIANT`, `benches/streaming.py`), so every peak RSS is its own.
//!
//! The Rust variants run in turns (stasis, loop, slice, scan, sonic, stasis, loop, ...) and each keeps
//! its fastest run: on a shared machine the minimum is the figure least disturbed by others.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::inputs::{StreamRun, Streaming, parse_stream_run};
use super::stdout_of;

/// The Rust variants of `stasis-stream run`, in turn order.
pub(crate) const VARIANTS: [&str; 5] = ["stasis", "loop", "slice", "scan", "sonic"];

/// The variants whose result must equal the stasis pipeline's (`scan` counts other things).
const PARSING: [&str; 4] = ["stasis", "loop", "slice", "sonic"];

/// Size of the file in MiB, and runs per Rust variant.
pub(crate) fn plan(full: bool) -> (u64, usize) {
    if full { (1024, 7) } else { (200, 5) }
}

/// The variants counted by cachegrind (deterministic, unlike times on a shared machine).
const COUNTED: [&str; 4] = ["stasis", "loop", "slice", "scan"];

/// Size in MiB of the smaller file the instruction counts run on (valgrind is ~50× slower).
pub(crate) const COUNTED_MIB: u64 = 20;

/// Removes the file when dropped, whatever happened in between.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Writes the file, runs every variant, checks that they computed the same thing.
pub(crate) fn run(root: &Path, out_dir: &Path, bin: &Path, full: bool) -> Result<Streaming> {
    let (mib, runs) = plan(full);
    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let file = TempFile(out_dir.join("streaming.jsonl"));
    let path = file.0.to_str().context("the target directory's path is not UTF-8")?;
    let mut cmd = Command::new(bin);
    cmd.args(["generate", path, &mib.to_string()]);
    stdout_of(cmd, "stasis-stream generate")?;

    let mut best: BTreeMap<String, StreamRun> = BTreeMap::new();
    for _ in 0..runs {
        for variant in VARIANTS {
            let mut cmd = Command::new(bin);
            cmd.args(["run", variant, path]);
            let run = parse_stream_run(&stdout_of(cmd, &format!("stasis-stream run {variant}"))?)?;
            let peak = run.peak_rss_bytes;
            let kept = best.entry(variant.to_string()).or_insert_with(|| run.clone());
            if run.secs < kept.secs {
                *kept = run;
            }
            kept.peak_rss_bytes = kept.peak_rss_bytes.max(peak);
        }
    }
    let reference = best["stasis"].tally();
    for variant in PARSING {
        if best[variant].tally() != reference {
            bail!(
                "the streaming variants disagree: stasis computed {reference:?}, {variant} {:?} \
                 (records, bad lines, kept, sum)",
                best[variant].tally()
            );
        }
    }
    let cpython = run_cpython(root, path).and_then(|run| {
        if run.tally() == reference {
            Ok(run)
        } else {
            Err(format!(
                "CPython computed {:?}, stasis {reference:?} (records, bad lines, kept, sum)",
                run.tally()
            ))
        }
    });
    let instructions = count_instructions(out_dir, bin);
    Ok(Streaming { bytes: best["stasis"].bytes, runs, variants: best, cpython, instructions })
}

/// Instructions executed by each of [`COUNTED`] on a [`COUNTED_MIB`] file, from valgrind's
/// cachegrind (`I refs`), or why they were not counted.
fn count_instructions(out_dir: &Path, bin: &Path) -> Result<BTreeMap<String, u64>, String> {
    let found =
        Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        return Err("valgrind not found on PATH".into());
    }
    let file = TempFile(out_dir.join("streaming-small.jsonl"));
    let path = file.0.to_str().ok_or("the target directory's path is not UTF-8")?;
    let mut cmd = Command::new(bin);
    cmd.args(["generate", path, &COUNTED_MIB.to_string()]);
    stdout_of(cmd, "stasis-stream generate").map_err(|e| format!("{e:#}"))?;
    let mut counts = BTreeMap::new();
    for variant in COUNTED {
        let out = Command::new("valgrind")
            .args(["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"])
            .arg(bin)
            .args(["run", variant, path])
            .output()
            .map_err(|e| format!("running valgrind: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("valgrind stasis-stream run {variant} failed: {stderr}"));
        }
        let refs = parse_i_refs(&stderr)
            .ok_or_else(|| format!("no `I refs:` line in valgrind's output: {stderr}"))?;
        counts.insert(variant.to_string(), refs);
    }
    Ok(counts)
}

/// The `I refs:` count of cachegrind's summary (`==12== I   refs:      623,031,047`).
fn parse_i_refs(stderr: &str) -> Option<u64> {
    let line = stderr.lines().find(|l| l.contains("I   refs:") || l.contains("I refs:"))?;
    let digits: String = line.split(':').nth(1)?.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn run_cpython(root: &Path, path: &str) -> Result<StreamRun, String> {
    let python = super::python_found()?;
    let mut cmd = Command::new(&python);
    cmd.current_dir(root).args(["benches/streaming.py", path]);
    stdout_of(cmd, &format!("{python} benches/streaming.py"))
        .and_then(|out| parse_stream_run(&out))
        .map_err(|e| format!("{e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cachegrind_summary_parses() {
        let text = "==12101== Cachegrind, a cache and branch-prediction profiler\n\
                    ==12101== \n==12101== I   refs:      623,031,047\n";
        assert_eq!(parse_i_refs(text), Some(623_031_047));
        assert_eq!(parse_i_refs("==1== error"), None);
    }
}
