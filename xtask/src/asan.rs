//! `cargo xtask asan`: the whole test suite under AddressSanitizer and LeakSanitizer.
//!
//! What it runs, from the project root:
//!
//! ```text
//! RUSTFLAGS="-Zsanitizer=address" ASAN_OPTIONS=detect_leaks=1:... RUST_TEST_THREADS=1 \
//! STASIS_ASAN=1 cargo test --workspace --target x86_64-unknown-linux-gnu \
//!     --target-dir target/asan --features stasis-core/sanitizer --lib --bins --tests --examples
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
//! - Doctests are left out: rustdoc does not get `RUSTFLAGS`, so they would be uninstrumented
//!   binaries linked against instrumented libraries. The same code paths run in the unit and
//!   integration tests.

use std::env;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// The target triple the instrumented build uses (see `../shared/FACTS.md`).
pub(crate) const TARGET: &str = "x86_64-unknown-linux-gnu";

/// Runs the instrumented test suite; extra `args` go to `cargo test` (for example `-p stasis`
/// or `--test overflow`).
pub(crate) fn run(root: &std::path::Path, args: &[String]) -> Result<()> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut rustflags = env::var("RUSTFLAGS").unwrap_or_default();
    if !rustflags.is_empty() {
        rustflags.push(' ');
    }
    rustflags.push_str("-Zsanitizer=address");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(root)
        .args(["test", "--target", TARGET, "--target-dir", "target/asan"])
        .args(["--features", "stasis-core/sanitizer"])
        .args(["--lib", "--bins", "--tests", "--examples"]);
    if !args.iter().any(|a| a == "-p" || a.starts_with("--package")) {
        cmd.arg("--workspace");
    }
    cmd.args(args)
        .env("RUSTFLAGS", rustflags)
        .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:halt_on_error=1")
        .env("RUST_TEST_THREADS", "1")
        .env("STASIS_ASAN", "1");
    eprintln!("xtask asan: {cmd:?}");
    let started = Instant::now();
    let status = cmd.status().with_context(|| format!("running {cargo}"))?;
    let took = started.elapsed();
    eprintln!("xtask asan: finished in {:.0} s ({status})", took.as_secs_f64());
    if !status.success() {
        bail!("the test suite under AddressSanitizer failed ({status}); see the report above");
    }
    Ok(())
}
