//! `cargo xtask asan`: the whole test suite under AddressSanitizer and LeakSanitizer.
//!
//! What it runs, from the project root (twice: once for the unit, integration and example
//! tests, once with `--doc` for the doctests, since cargo cannot mix the two):
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

/// Runs the instrumented test suite, then the doctests; extra `args` go to `cargo test` (for
/// example `-p stasis`, `--test overflow`, or `--doc` for the doctests only).
pub(crate) fn run(root: &std::path::Path, args: &[String]) -> Result<()> {
    let started = Instant::now();
    let doc_only = args.iter().any(|a| a == "--doc");
    let mut selections: Vec<&[&str]> = Vec::new();
    if !doc_only {
        selections.push(&["--lib", "--bins", "--tests", "--examples"]);
    }
    let narrowed = args.iter().any(|a| a.starts_with("--test") || a.starts_with("--lib"));
    if doc_only || !narrowed {
        selections.push(&["--doc"]);
    }
    let extra: Vec<&String> = args.iter().filter(|a| *a != "--doc").collect();
    for selection in selections {
        cargo_test(root, selection, &extra)?;
    }
    eprintln!("xtask asan: clean, {:.0} s in all", started.elapsed().as_secs_f64());
    Ok(())
}

/// One `cargo test` under the sanitizer with the given target selection.
fn cargo_test(root: &std::path::Path, selection: &[&str], extra: &[&String]) -> Result<()> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let with_asan = |var: &str| {
        let mut flags = env::var(var).unwrap_or_default();
        if !flags.is_empty() {
            flags.push(' ');
        }
        flags.push_str("-Zsanitizer=address");
        flags
    };
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(root)
        .args(["test", "--no-fail-fast", "--target", TARGET, "--target-dir", "target/asan"])
        .args(["--features", "stasis-core/sanitizer"])
        .args(selection);
    if !extra.iter().any(|a| *a == "-p" || a.starts_with("--package")) {
        cmd.arg("--workspace");
    }
    cmd.args(extra)
        .env("RUSTFLAGS", with_asan("RUSTFLAGS"))
        .env("RUSTDOCFLAGS", with_asan("RUSTDOCFLAGS"))
        .env("ASAN_OPTIONS", ASAN_OPTIONS)
        .env("RUST_TEST_THREADS", "1")
        .env("STASIS_ASAN", "1");
    eprintln!("xtask asan: {cmd:?}");
    let started = Instant::now();
    let status = cmd.status().with_context(|| format!("running {cargo}"))?;
    eprintln!(
        "xtask asan: `cargo test {}` finished in {:.0} s ({status})",
        selection.join(" "),
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        bail!("the test suite under AddressSanitizer failed ({status}); see the report above");
    }
    Ok(())
}
