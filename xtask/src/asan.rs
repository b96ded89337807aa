//! `cargo xtask asan`: the whole test suite under AddressSanitizer and LeakSanitizer.
//!
//! What it runs, from the project root: the unit, integration and example tests, then the
//! doctests (`--doc`: cargo cannot mix the two), then every example's `main` (`cargo run
//! --example`, stdin closed):
//!
//! ```text
//! RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
//! ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0:... \
//! RUST_TEST_THREADS=1 STASIS_ASAN=1 \
//! cargo test --workspace --target x86_64-unknown-linux-gnu --target-dir target/asan \
//!     --features stasis-core/sanitizer (--lib --bins --tests --examples | --doc)
//! ```
//!
//! - The explicit `--target` keeps build scripts and proc macros uninstrumented (they run on the
//!   host and would not link against the ASan runtime otherwise).
//! - `stasis-core/sanitizer` turns on corosensei's `sanitizer` feature, which tells ASan about
//!   every stack switch; without it ASan reports false stack-buffer overflows on generator stacks.
//! - `RUST_TEST_THREADS=1` so a report names the test that caused it.
//! - `target/asan` keeps the instrumented build away from the normal one.
//! - `STASIS_ASAN=1` lets the tests that deliberately overflow a stack, fault, or lower
//!   `RLIMIT_AS` (ASan reserves terabytes of shadow memory) skip themselves with a printed line.
//! - Doctests get the same flag through `RUSTDOCFLAGS`; with an explicit `--target`, cargo
//!   runs them as for the host.

use std::env;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// `detect_stack_use_after_return=0`: corosensei 0.3.4's sanitizer support leaks the ASan
/// "fake stack" of every coroutine that finishes (when a coroutine returns, it calls
/// `__sanitizer_start_switch_fiber` with a non-null `fake_stack_save`, `src/coroutine.rs` line
/// 247; ASan frees a fiber's fake stack only when that argument is null). With
/// use-after-return detection on, the delegation test that runs a million generators grew to
/// 20 GB and was killed; with it off, 0.6 GB. Every other check stays on.
const ASAN_OPTIONS: &str =
    "detect_leaks=1:detect_stack_use_after_return=0:abort_on_error=0:halt_on_error=1";

/// The target triple the instrumented build uses (see `../shared/FACTS.md`).
pub(crate) const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Runs the instrumented test suite, the doctests and the examples, and reports every step
/// that failed. Extra `args` go to `cargo test` (for example `-p stasis` or `--test overflow`;
/// with arguments the examples are not run); `--doc` runs only the doctests, `--examples-only`
/// only the examples.
pub(crate) fn run(root: &std::path::Path, args: &[String]) -> Result<()> {
    let started = Instant::now();
    let mut failures = Vec::new();
    if args.iter().any(|a| a == "--examples-only") {
        failures.extend(run_examples(root).err());
    } else {
        let extra: Vec<&String> = args.iter().filter(|a| *a != "--doc").collect();
        for selection in selections(args) {
            failures.extend(cargo_test(root, selection, &extra).err());
        }
        if args.is_empty() {
            failures.extend(run_examples(root).err());
        }
    }
    let took = started.elapsed().as_secs_f64();
    if failures.is_empty() {
        eprintln!("xtask asan: clean, {took:.0} s in all");
        Ok(())
    } else {
        let list: Vec<String> = failures.iter().map(|e| format!("- {e:#}")).collect();
        bail!(
            "{} step(s) failed under AddressSanitizer ({took:.0} s):\n{}",
            list.len(),
            list.join("\n")
        )
    }
}

/// The target selections of the `cargo test` runs for the caller's `args`: by default the
/// unit, integration and example tests, then the doctests (cargo cannot mix the two); `--doc`
/// alone for the doctests only; and one run with no selection of its own when the caller
/// chose targets (`--lib`, `--test it`, ...), which `args` then carries.
fn selections(args: &[String]) -> Vec<&'static [&'static str]> {
    const TARGETS: [&str; 5] = ["--lib", "--bin", "--test", "--example", "--all-targets"];
    if args.iter().any(|a| a == "--doc") {
        vec![&["--doc"]]
    } else if args.iter().any(|a| TARGETS.iter().any(|t| a.starts_with(t))) {
        vec![&[]]
    } else {
        vec![&["--lib", "--bins", "--tests", "--examples"], &["--doc"]]
    }
}

/// The examples of the workspace, from `cargo metadata`.
fn examples() -> Result<Vec<String>> {
    Ok(parse_examples(&crate::cargo_metadata()?))
}

/// The names of the targets of kind `example` in `cargo metadata` output (`packages[].targets[]`).
fn parse_examples(metadata: &serde_json::Value) -> Vec<String> {
    let targets = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten());
    targets
        .filter(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "example")))
        .filter_map(|t| t["name"].as_str().map(String::from))
        .collect()
}

/// Arguments for examples whose defaults are sized for a release build (under ASan a debug
/// build runs about 2.5 times slower than plain debug).
const EXAMPLE_ARGS: [(&str, &[&str]); 1] = [
    // Its default writes and aggregates 1 GiB of JSON lines (200 s under ASan); 4 MiB runs
    // the same code paths.
    ("tweets", &["--size", "4M"]),
];

/// Runs every example's `main` under the sanitizer.
fn run_examples(root: &std::path::Path) -> Result<()> {
    let names = examples()?;
    let started = Instant::now();
    for name in &names {
        let mut cmd = sanitized(root, "run");
        cmd.args(["-q", "--example", name]).stdin(std::process::Stdio::null());
        if let Some((_, args)) = EXAMPLE_ARGS.iter().find(|(e, _)| e == name) {
            cmd.arg("--").args(*args);
        }
        let out = cmd.output().with_context(|| format!("running example {name}"))?;
        if !out.status.success() {
            bail!(
                "example `{name}` failed under AddressSanitizer ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        eprintln!("xtask asan: example {name} ... ok");
    }
    eprintln!(
        "xtask asan: {} examples ran clean in {:.0} s",
        names.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo <subcommand>` with the sanitizer's flags, target, target dir and environment.
fn sanitized(root: &std::path::Path, subcommand: &str) -> Command {
    let with_asan = |var: &str| {
        let mut flags = env::var(var).unwrap_or_default();
        if !flags.is_empty() {
            flags.push(' ');
        }
        flags.push_str("-Zsanitizer=address");
        flags
    };
    let mut cmd = crate::cargo_command();
    cmd.current_dir(root)
        .args([subcommand, "--target", TARGET, "--target-dir", "target/asan"])
        .args(["--features", "stasis-core/sanitizer"])
        .env("RUSTFLAGS", with_asan("RUSTFLAGS"))
        .env("RUSTDOCFLAGS", with_asan("RUSTDOCFLAGS"))
        .env("ASAN_OPTIONS", ASAN_OPTIONS)
        .env("RUST_TEST_THREADS", "1")
        .env("STASIS_ASAN", "1");
    cmd
}

/// One `cargo test` under the sanitizer with the given target selection.
fn cargo_test(root: &std::path::Path, selection: &[&str], extra: &[&String]) -> Result<()> {
    let mut cmd = sanitized(root, "test");
    cmd.arg("--no-fail-fast").args(selection);
    if !extra.iter().any(|a| *a == "-p" || a.starts_with("--package")) {
        cmd.arg("--workspace");
    }
    cmd.args(extra);
    eprintln!("xtask asan: {cmd:?}");
    let started = Instant::now();
    let status = cmd.status().context("running cargo test")?;
    let what: Vec<&str> = if selection.is_empty() {
        extra.iter().map(|a| a.as_str()).collect()
    } else {
        selection.to_vec()
    };
    let what = what.join(" ");
    eprintln!(
        "xtask asan: `cargo test {what}` finished in {:.0} s ({status})",
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        bail!("`cargo test {what}` failed ({status}); see its report above");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    /// A target selection of the caller's replaces the default one (cargo refuses `--lib`
    /// twice, and `--tests` beside `--test it` would run every test binary again).
    #[test]
    fn the_callers_target_selection_replaces_the_default() {
        let all: Vec<&[&str]> = vec![&["--lib", "--bins", "--tests", "--examples"], &["--doc"]];
        assert_eq!(selections(&[]), all);
        assert_eq!(selections(&strings(&["-p", "stasis-core", "a_fork"])), all);
        assert_eq!(selections(&strings(&["--doc"])), [&["--doc"]]);
        let none: Vec<&[&str]> = vec![&[]];
        for narrowed in [&["--lib"][..], &["--test", "it"], &["--test=it"], &["--tests"]] {
            assert_eq!(selections(&strings(narrowed)), none, "{narrowed:?}");
        }
        assert_eq!(selections(&strings(&["-p", "xtask", "--bins"])), none);
        assert_eq!(selections(&strings(&["--examples"])), none);
    }

    #[test]
    fn examples_are_read_from_cargo_metadata() {
        let json = serde_json::json!({"packages": [{"name": "stasis", "targets": [
            {"kind": ["lib"], "crate_types": ["lib"], "name": "stasis"},
            {"kind": ["example"], "crate_types": ["bin"], "name": "tour", "src_path": "x"},
            {"kind": ["test"], "crate_types": ["bin"], "name": "panics"},
            {"kind": ["example"], "crate_types": ["bin"], "name": "tree"}]},
            {"name": "other", "targets": [{"kind": ["example"], "name": "walk"}]}]});
        assert_eq!(parse_examples(&json), ["tour", "tree", "walk"]);
        let here = examples().unwrap();
        assert!(here.iter().any(|e| e == "tour"), "{here:?}");
    }
}
