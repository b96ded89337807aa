//! `cargo xtask bench`: runs every criterion bench of `stasis-bench`, the CPython script and the
//! memory probes, then writes the report under `target/stasis-bench/`.
//!
//! ```text
//!  cargo bench --no-run ─▶ for each bench target: cargo bench --bench X -- <criterion args>
//!                          python3 benches/cpython_bench.py            (skipped without python3)
//!                          stasis-memory resident / max-live            (one child process each)
//!  target/criterion/<group>/<id>/new/estimates.json ─┐
//!  the JSON lines printed above ─────────────────────┴─▶ report.json, report.md, *.svg, summary
//! ```
//!
//! Quick mode (the default) gives criterion short warm-up and measurement times; `--full` runs
//! criterion's defaults. `--save-baseline NAME` / `--baseline NAME` are passed to criterion.

mod charts;
mod compare;
mod inputs;
mod report;
mod streaming;

use std::env;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

use crate::project_root;

/// Selects the clock of every figure (crates/stasis-bench/src/clock.rs).
const CLOCK_ENV: &str = "STASIS_BENCH_CLOCK";

/// The help text of `cargo xtask bench`.
pub(crate) const HELP: &str = "\
cargo xtask bench [--quick | --full] [--save-baseline NAME | --baseline NAME]

Runs the criterion benches of crates/stasis-bench, benches/cpython_bench.py (when python3
exists) and the memory probes, then writes target/stasis-bench/{report.md,report.json,*.svg}
and prints a summary table.

  --quick               short criterion runs, a few minutes in all (default)
  --full                criterion's normal warm-up and measurement times
  --save-baseline NAME  passed to criterion: save the results as baseline NAME
  --baseline NAME       passed to criterion: compare against baseline NAME

Environment: STASIS_BENCH_PYTHON names the interpreter for the CPython figures (default
python3; when it cannot be run, the report says CPython was skipped and goes on).
STASIS_BENCH_CLOCK=cpu (default) times the benchmark thread's CPU time, so time slices given
to other processes on a shared machine do not count; =wall times wall-clock time. Compare a
baseline only with a run on the same clock.
";

/// Command-line options.
#[derive(Debug, Default, PartialEq)]
struct Options {
    help: bool,
    full: bool,
    criterion: Vec<String>,
    /// The `--baseline NAME` to compare with.
    baseline: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut opts = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => opts.full = false,
                "--full" => opts.full = true,
                flag @ ("--save-baseline" | "--baseline") => {
                    let Some(name) = args.next().filter(|n| !n.starts_with("--")) else {
                        bail!("{flag} needs a baseline name, e.g. `{flag} main`\n\n{HELP}");
                    };
                    opts.criterion.extend([flag.to_string(), name.clone()]);
                    if flag == "--baseline" {
                        opts.baseline = Some(name.clone());
                    }
                }
                "-h" | "--help" => opts.help = true,
                other => bail!("unknown option `{other}` for `cargo xtask bench`\n\n{HELP}"),
            }
        }
        Ok(opts)
    }

    fn mode(&self) -> &'static str {
        if self.full { "full" } else { "quick" }
    }

    /// The arguments after `--` for every criterion bench.
    fn criterion_args(&self) -> Vec<String> {
        let mut args: Vec<String> = if self.full {
            Vec::new()
        } else {
            [
                "--warm-up-time",
                "0.5",
                "--measurement-time",
                "1",
                "--nresamples",
                "20000",
                "--noplot",
            ]
            .map(String::from)
            .to_vec()
        };
        args.extend(self.criterion.iter().cloned());
        args
    }
}

/// Runs a command and returns its stdout (stderr goes to the terminal).
fn stdout_of(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd.stderr(Stdio::inherit()).output().with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        bail!("{what} failed with {}", out.status);
    }
    String::from_utf8(out.stdout).with_context(|| format!("{what} printed non-UTF-8 output"))
}

/// The bench targets of `stasis-bench` and the workspace's target directory.
fn bench_targets() -> Result<(Vec<String>, PathBuf)> {
    let meta = crate::cargo_metadata()?;
    let target_dir = PathBuf::from(
        meta["target_directory"].as_str().context("cargo metadata has no target_directory")?,
    );
    let package = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "stasis-bench"))
        .context("the workspace has no stasis-bench package (crates/stasis-bench)")?;
    let mut benches: Vec<String> = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bench")))
        .filter_map(|t| t["name"].as_str().map(String::from))
        .collect();
    // The fixed ones first, in report order; others (added later) after them.
    let order = ["roundtrip", "creation", "delegation", "combinators"];
    benches.sort_by_key(|b| (order.iter().position(|o| o == b).unwrap_or(order.len()), b.clone()));
    Ok((benches, target_dir))
}

/// Whether a line of criterion's output is worth showing: the result (`time:`), and the
/// comparison with a baseline when one was asked for.
fn keep_line(line: &str, compare: bool) -> bool {
    line.contains("time:")
        || (compare
            && ["change:", "Performance has", "No change", "Change within"]
                .iter()
                .any(|k| line.contains(k)))
        || ["error", "panicked", "Warning"].iter().any(|k| line.contains(k))
}

/// Runs one criterion bench, printing one line per benchmark (its `time:` line), plus the
/// comparison lines when `compare` (a `--baseline` run).
fn run_criterion(bench: &str, args: &[String], compare: bool) -> Result<()> {
    let mut cmd = crate::cargo_command();
    cmd.args(["bench", "-q", "-p", "stasis-bench", "--bench", bench, "--"]).args(args);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().context("starting cargo bench")?;
    let stdout = child.stdout.take().context("cargo bench stdout")?;
    let stderr = child.stderr.take().context("cargo bench stderr")?;
    // Criterion's progress ("Benchmarking x: Warming up") goes to stderr: drop it, pass the rest.
    let errors = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !line.starts_with("Benchmarking ") && !line.starts_with("Gnuplot not found") {
                eprintln!("    {line}");
            }
        }
    });
    let mut pending_id: Option<String> = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading criterion's output")?;
        let indented = line.starts_with(' ');
        if line.contains("time:") {
            match pending_id.take() {
                Some(id) if indented => println!("    {} {}", id, line.trim_start()),
                _ => println!("    {line}"),
            }
        } else if keep_line(&line, compare) {
            println!("    {line}");
        } else if !indented && !line.is_empty() && !line.starts_with("Benchmarking") {
            pending_id = Some(line.trim().to_string());
        }
    }
    let status = child.wait().context("waiting for cargo bench")?;
    let _ = errors.join();
    if !status.success() {
        bail!("bench `{bench}` failed with {status}");
    }
    Ok(())
}

/// The Python interpreter to time: `$STASIS_BENCH_PYTHON`, else `python3`.
fn python() -> String {
    env::var("STASIS_BENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The Python interpreter, or why it cannot be run.
fn python_found() -> Result<String, String> {
    let python = python();
    let found = Command::new(&python)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found { Ok(python) } else { Err(format!("{python} not found on PATH")) }
}

fn run_cpython(root: &Path, full: bool) -> Result<inputs::CPython, String> {
    let python = python_found()?;
    let mut cmd = Command::new(&python);
    cmd.current_dir(root).arg("benches/cpython_bench.py").arg(if full {
        "--full"
    } else {
        "--quick"
    });
    stdout_of(cmd, &format!("{python} benches/cpython_bench.py"))
        .and_then(|out| inputs::parse_cpython(&out))
        .map_err(|e| format!("{e:#}"))
}

/// Cargo's selection of the memory probe, built with the bench profile as the benches are.
const MEMORY_PROBE: [&str; 6] =
    ["--profile", "bench", "-p", "stasis-bench", "--bin", "stasis-memory"];

fn run_memory<T>(args: &[&str], parse: fn(&str) -> Result<T>) -> Result<T, String> {
    let mut cmd = crate::cargo_command();
    cmd.args(["run", "-q"]).args(MEMORY_PROBE).arg("--").args(args);
    stdout_of(cmd, &format!("stasis-memory {}", args.join(" ")))
        .and_then(|out| parse(&out))
        .map_err(|e| format!("{e:#}"))
}

fn machine(root: &Path) -> inputs::Machine {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU (no /proc/cpuinfo)".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new(env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-V")
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "rustc (version unknown)".into());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(" {}", k.trim()))
        .unwrap_or_default();
    inputs::Machine {
        cpu,
        cores,
        rustc,
        os: format!("{}{kernel} {}", env::consts::OS, env::consts::ARCH),
    }
}

/// The commit being measured, `-dirty` when the work tree has changes.
fn git_commit(root: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=10"])
        .current_dir(root)
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `cargo xtask bench [options]`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let opts = Options::parse(args)?;
    if opts.help {
        print!("{HELP}");
        return Ok(());
    }
    let root = project_root();
    let clock = match env::var(CLOCK_ENV).as_deref() {
        Err(_) | Ok("" | "cpu") => "cpu".to_string(),
        Ok("wall") => "wall".to_string(),
        Ok(other) => bail!("{CLOCK_ENV}={other:?}: expected `cpu` (default) or `wall`"),
    };
    let started = Instant::now();
    // Criterion files written in this run are newer than this (with slack for coarse mtimes).
    let since = SystemTime::now() - Duration::from_secs(2);
    let (benches, target_dir) = bench_targets()?;
    let steps = benches.len() + 5;
    let mut step = 0;
    let mut progress = |what: &str| {
        step += 1;
        println!("==> [{step}/{steps}] {what} ({:.0} s elapsed)", started.elapsed().as_secs_f64());
    };

    progress("building the benches, the memory probe and the streaming variants (release)");
    crate::cargo(&["bench", "-q", "-p", "stasis-bench", "--no-run"])?;
    crate::cargo(&[&["build", "-q"], &MEMORY_PROBE[..], &["--bin", "stasis-stream"]].concat())?;

    let criterion_args = opts.criterion_args();
    let compare = opts.baseline.is_some();
    let mut failures = Vec::new();
    for bench in &benches {
        progress(&format!("criterion bench `{bench}` ({} mode)", opts.mode()));
        if let Err(e) = run_criterion(bench, &criterion_args, compare) {
            println!("    {e:#}");
            failures.push(format!("{e:#}"));
        }
    }

    progress("CPython (benches/cpython_bench.py)");
    let cpython = run_cpython(&root, opts.full);
    if let Err(why) = &cpython {
        println!("    CPython skipped: {why}");
    }

    progress("resident memory per suspended generator (10,000 alive)");
    let memory = run_memory(&["resident", "10000"], inputs::parse_memory);
    progress("most live stackful generators (until the OS refuses a stack)");
    let max_live = run_memory(&["max-live"], inputs::parse_max_live);

    let (mib, runs) = streaming::plan(opts.full);
    progress(&format!(
        "streaming: {mib} MiB of JSON lines, {runs} runs of each variant, then CPython once"
    ));
    let out = target_dir.join("stasis-bench");
    // `--profile bench` builds into target/release.
    let stream_bin = target_dir.join("release").join("stasis-stream");
    let streaming =
        streaming::run(&root, &out, &stream_bin, opts.full).map_err(|e| format!("{e:#}"));
    match &streaming {
        Ok(s) => {
            if let Err(why) = &s.cpython {
                println!("    CPython skipped: {why}");
            }
        }
        Err(why) => println!("    streaming not measured: {why}"),
    }

    let criterion_dir =
        env::var_os("CRITERION_HOME").map_or_else(|| target_dir.join("criterion"), PathBuf::from);
    let inputs = inputs::Inputs {
        mode: opts.mode().into(),
        clock,
        machine: machine(&root),
        estimates: inputs::read_estimates(&criterion_dir, Some(since))?,
        cpython,
        memory,
        max_live,
        elapsed_secs: Some(started.elapsed().as_secs_f64()),
        commit: git_commit(&root),
        streaming,
        comparison: match &opts.baseline {
            Some(name) => Some(inputs::read_comparison(&criterion_dir, name, Some(since))?),
            None => None,
        },
    };
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let json = report::report_json(&inputs);
    fs::write(out.join("report.json"), serde_json::to_string_pretty(&json)? + "\n")?;
    fs::write(out.join("report.md"), report::report_markdown(&inputs))?;
    charts::roundtrip_chart(&json, &out.join("roundtrip.svg"))?;
    charts::delegation_chart(&json, &out.join("delegation.svg"))?;

    println!();
    print!("{}", report::summary(&inputs));
    println!(
        "\nreport: {} (report.md, report.json, roundtrip.svg, delegation.svg); took {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        bail!("{} bench(es) failed:\n{}", failures.len(), failures.join("\n"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        let quick = Options::parse(&[]).unwrap();
        assert_eq!(quick.mode(), "quick");
        assert!(quick.criterion_args().contains(&"--measurement-time".to_string()));
        let full = Options::parse(&args(&["--full", "--save-baseline", "main"])).unwrap();
        assert_eq!(full.mode(), "full");
        assert_eq!(full.criterion_args(), args(&["--save-baseline", "main"]));
        let err = Options::parse(&args(&["--baseline"])).unwrap_err().to_string();
        assert!(err.contains("--baseline needs a baseline name"), "{err}");
        assert!(Options::parse(&args(&["--help"])).unwrap().help);
        let err = Options::parse(&args(&["--fast"])).unwrap_err().to_string();
        assert!(err.contains("unknown option `--fast`"), "{err}");
    }
}
