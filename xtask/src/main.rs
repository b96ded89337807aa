//! `cargo xtask`: the project's automation, one binary with subcommands.
//!
//! Run `cargo xtask help` for the list. Cargo is invoked through `$CARGO` so the pinned
//! toolchain is the one that runs.

mod asan;
mod bench;
mod fuzz;
mod tidy;

use std::env;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const HELP: &str = "\
cargo xtask <command>

commands:
  bench     run the benchmark harness: bench [--full] [--save-baseline NAME | --baseline NAME]
  tidy      check repository hygiene (also run by `cargo test`)
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
        Some("tidy") => tidy::check(&tidy::project_root()),
        Some("asan") => asan::run(&tidy::project_root(), &args[1..]),
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

/// Runs `$CARGO` with `args` from the project root.
fn cargo(args: &[&str]) -> Result<()> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(tidy::project_root())
        .status()
        .with_context(|| format!("running {cargo}"))?;
    if !status.success() {
        bail!("`cargo {}` failed with {status}", args.join(" "));
    }
    Ok(())
}
