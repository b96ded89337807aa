//! `cargo xtask`: the project's automation, one binary with subcommands.
//!
//! Run `cargo xtask help` for the list. Cargo is invoked through `$CARGO` so the pinned
//! toolchain is the one that runs.

mod asan;
mod bench;
mod fuzz;
mod tidy;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const HELP: &str = "\
cargo xtask <command>

commands:
  bench     run the benchmark harness: bench [--full] [--save-baseline NAME | --baseline NAME]
  tidy      check repository hygiene (also run by `cargo test --workspace`)
  asan      tests, doctests and examples under AddressSanitizer + LeakSanitizer (target/asan):
            asan [cargo test args | --doc | --examples-only]
  fuzz      differential test against CPython: fuzz [--cases N] [--seed S]
  stress    threads, generators, random orders, panics, deep bodies, fork churn; checks
            finally guards, RSS and mappings (examples/stress.rs, release):
            stress [--full] [--seed N]   (short form under a minute, as CI runs it)
  help      print this text
";

fn main() -> ExitCode {
    match run(env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("bench") => bench::run(&args[1..]),
        Some("tidy") => tidy::check(&project_root()),
        Some("asan") => asan::run(&project_root(), &args[1..]),
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("stress") => {
            let mut cargo_args =
                vec!["run", "--release", "-p", "stasis", "--example", "stress", "--"];
            cargo_args.extend(args[1..].iter().map(String::as_str));
            cargo(&cargo_args)
        }
        Some("help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{HELP}"),
    }
}

/// The workspace root (the parent of `xtask/`).
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").into()
}

/// `$CARGO` (the cargo that runs `cargo xtask`, so the pinned toolchain), or `cargo`.
pub(crate) fn cargo_bin() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// A `$CARGO` command run from the project root.
pub(crate) fn cargo_command() -> Command {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(project_root());
    cmd
}

/// Runs `$CARGO` with `args` from the project root.
fn cargo(args: &[&str]) -> Result<()> {
    let status =
        cargo_command().args(args).status().with_context(|| format!("running {}", cargo_bin()))?;
    if !status.success() {
        bail!("`cargo {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

/// `cargo metadata --no-deps` of the workspace, parsed.
pub(crate) fn cargo_metadata() -> Result<serde_json::Value> {
    let out = cargo_command()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .with_context(|| format!("running {} metadata", cargo_bin()))?;
    if !out.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    serde_json::from_slice(&out.stdout).context("cargo metadata printed invalid JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help says tidy runs under `cargo test --workspace`: true while xtask is a member of
    /// the workspace (it is not a default member, so a bare `cargo test` leaves it out), and the
    /// README's test command is that one.
    #[test]
    fn tidy_runs_under_the_readme_test_command() {
        assert!(HELP.contains("also run by `cargo test --workspace`"), "{HELP}");
        let meta = cargo_metadata().unwrap();
        let members = meta["workspace_members"].as_array().unwrap();
        let xtask = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "xtask")
            .expect("xtask is a package of the workspace");
        assert!(members.contains(&xtask["id"]), "xtask is not a workspace member: {members:?}");
        let readme = std::fs::read_to_string(project_root().join("README.md")).unwrap();
        assert!(readme.contains("cargo test --workspace   # the tests"), "README test command");
    }
}
