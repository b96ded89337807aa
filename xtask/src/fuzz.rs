//! `cargo xtask fuzz [--cases N] [--seed S]`: differential testing of stasis against CPython.
//!
//! The engine lives in the test module `tests/it/differential.rs` (Rust bodies in
//! `tests/it/differential/bodies.rs`, the same bodies in Python in `tests/it/differential/bodies.py`),
//! so `cargo test` runs a small seeded sample of it and this command runs many cases. This
//! command only parses its arguments and runs that test with
//! `STASIS_FUZZ_CASES` / `STASIS_FUZZ_SEED` set; the xtask itself stays quick to build.
//!
//! Each case is a body of the family, a parameter and a random sequence of
//! `next`/`send`/`throw`/`close`/`state`; every case runs on the stackful backend, on the
//! state-machine backend and (all cases in one `python3` process) on CPython, and the three
//! traces must be equal. A divergence is shrunk and printed as a minimal reproduction.

use anyhow::{Context, Result, bail};

/// How many cases `cargo xtask fuzz` runs without `--cases`.
pub(crate) const DEFAULT_CASES: u64 = 10_000;

/// The options of `cargo xtask fuzz`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Number of random cases.
    pub(crate) cases: u64,
    /// Seed of the case generator; `None` picks one from the clock (and prints it).
    pub(crate) seed: Option<u64>,
}

/// Parses `[--cases N] [--seed S]` (also `--cases=N`).
pub(crate) fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options { cases: DEFAULT_CASES, seed: None };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<u64> {
            let text = match inline.clone() {
                Some(v) => v,
                None => it.next().cloned().with_context(|| format!("{name} needs a number"))?,
            };
            text.parse().with_context(|| {
                format!("{name} takes a non-negative integer, got `{text}` (e.g. {name} 500)")
            })
        };
        match flag {
            "--cases" => opts.cases = value("--cases")?,
            "--seed" => opts.seed = Some(value("--seed")?),
            other => {
                bail!("unknown option `{other}`; usage: cargo xtask fuzz [--cases N] [--seed S]")
            }
        }
    }
    if opts.cases == 0 {
        bail!("--cases must be at least 1");
    }
    Ok(opts)
}

/// Runs the differential test with the parsed options.
pub(crate) fn main(args: &[String]) -> Result<()> {
    let opts = parse(args)?;
    let seed = opts.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    eprintln!("xtask fuzz: {} cases, seed {seed} (rerun with --seed {seed})", opts.cases);
    let status = crate::cargo_command()
        // The differential bodies run on both backends: the `nightly` feature compiles them in
        // (without it the `differential` module is left out and nothing would run).
        .args(["test", "-p", "stasis", "--features", "nightly", "--test", "it"])
        .args(["--", "differential::", "--nocapture"])
        .env("STASIS_FUZZ_CASES", opts.cases.to_string())
        .env("STASIS_FUZZ_SEED", seed.to_string())
        .env("STASIS_FUZZ_REQUIRE_PYTHON", "1")
        .status()
        .with_context(|| format!("running {}", crate::cargo_bin()))?;
    if !status.success() {
        bail!("differential testing failed ({status}); the reproduction is printed above");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_options() {
        assert_eq!(parse(&[]).unwrap(), Options { cases: DEFAULT_CASES, seed: None });
        assert_eq!(
            parse(&args("--cases 5 --seed=9")).unwrap(),
            Options { cases: 5, seed: Some(9) }
        );
    }

    #[test]
    fn rejects_bad_options() {
        let err = parse(&args("--cases many")).unwrap_err();
        assert!(format!("{err:#}").contains("non-negative integer, got `many`"), "{err:#}");
        assert!(parse(&args("--cases")).is_err());
        assert!(parse(&args("--cases 0")).is_err());
        assert!(parse(&args("--frobnicate")).unwrap_err().to_string().contains("usage"));
    }
}
