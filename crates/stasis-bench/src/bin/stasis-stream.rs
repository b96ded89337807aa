//! `stasis-stream`: the streaming section of `cargo xtask bench`. Writes the JSON-lines file,
//! then aggregates it with one variant per process (so each peak RSS is its own); prints one
//! JSON object.
//!
//! ```text
//! stasis-stream generate PATH MIB     {"bytes":209715300}
//! stasis-stream run VARIANT PATH      {"variant":"stasis","bytes":..,"secs":..,"records":..,
//!                                      "bad":..,"kept":..,"sum":..,"peak_rss_bytes":..}
//! ```
//!
//! `secs` is the clock of `stasis_bench::clock` (thread CPU time unless
//! `STASIS_BENCH_CLOCK=wall`). Variants: `stasis` (the generator pipeline), `loop` (hand-written, the floor), `slice` (the
//! loop with `serde_json::from_slice` in place of `from_utf8` + `from_str`), `scan` (the loop
//! without JSON parsing), `sonic` (the loop with sonic-rs instead of serde_json).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use serde_json::json;
use stasis_bench::streaming;

const USAGE: &str = "usage: stasis-stream generate PATH MIB | \
                     stasis-stream run stasis|loop|slice|scan|sonic PATH";

/// The read buffer of every variant.
const BUF: usize = 1 << 16;

fn main() -> ExitCode {
    stasis_bench::json_main("stasis-stream", USAGE, run)
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let arg = |i: usize, what: &str| args.get(i).ok_or_else(|| format!("missing {what}"));
    match args.first().map(String::as_str) {
        Some("generate") => {
            let path = arg(1, "PATH")?;
            let mib: u64 = arg(2, "MIB")?
                .parse()
                .map_err(|_| format!("MIB must be a whole number, got `{}`", args[2]))?;
            let io_err = |e: io::Error| format!("writing {path}: {e}");
            let mut out = BufWriter::with_capacity(BUF, File::create(path).map_err(io_err)?);
            let bytes = streaming::generate(&mut out, mib << 20).map_err(io_err)?;
            out.flush().map_err(io_err)?;
            Ok(json!({ "bytes": bytes }))
        }
        Some("run") => {
            let variant = arg(1, "VARIANT")?.as_str();
            let path = arg(2, "PATH")?;
            let io_err = |e: io::Error| format!("reading {path}: {e}");
            let bytes = std::fs::metadata(path).map_err(io_err)?.len();
            let reader = BufReader::with_capacity(BUF, File::open(path).map_err(io_err)?);
            let clock = stasis_bench::clock::Clock::from_env()?;
            let started = clock.now_ns();
            let tally = match variant {
                "stasis" => streaming::stasis_pipeline(reader),
                "loop" => streaming::hand_loop(reader).map_err(io_err)?,
                "scan" => streaming::scan_only(reader).map_err(io_err)?,
                "slice" => streaming::slice_loop(reader).map_err(io_err)?,
                "sonic" => streaming::sonic_loop(reader).map_err(io_err)?,
                other => return Err(format!("unknown variant `{other}`")),
            };
            let secs = (clock.now_ns() - started) as f64 / 1e9;
            let peak = stasis_bench::peak_resident_bytes().map_err(|e| e.to_string())?;
            Ok(json!({
                "variant": variant,
                "clock": clock.name(),
                "bytes": bytes,
                "secs": secs,
                "records": tally.records,
                "bad": tally.bad,
                "kept": tally.kept,
                "sum": tally.sum,
                "peak_rss_bytes": peak,
            }))
        }
        _ => Err("expected `generate` or `run`".into()),
    }
}
