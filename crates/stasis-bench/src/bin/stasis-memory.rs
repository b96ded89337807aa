//! `stasis-memory`: resident memory per suspended generator, and the most live stackful
//! generators this machine allows. Run by `cargo xtask bench`; prints one JSON object.
//!
//! ```text
//! stasis-memory resident [COUNT]   {"count":10000,"stackful":4100.3,"state_machine":16.4}
//! stasis-memory max-live [CAP]     {"live":32751,"error":"the OS refused ..."}
//! ```
//!
//! Each measurement runs in its own process (the harness spawns one per subcommand), so the
//! mapping limit reached by `max-live` never disturbs the other numbers.

use std::process::ExitCode;

use serde_json::json;
use stasis::Gen;

const USAGE: &str = "usage: stasis-memory resident [COUNT] | stasis-memory max-live [CAP]";

fn main() -> ExitCode {
    stasis_bench::json_main("stasis-memory", USAGE, run)
}

fn number(arg: Option<&String>, default: usize, what: &str) -> Result<usize, String> {
    match arg {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| format!("{what} must be a positive whole number, got `{s}`"))
            .and_then(|n| if n == 0 { Err(format!("{what} must be at least 1")) } else { Ok(n) }),
    }
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    match args.first().map(String::as_str) {
        Some("resident") => {
            let count = number(args.get(1), 10_000, "COUNT")?;
            // Stackful first: each one on its own stack (the pool holds only finished ones),
            // started so its first frame is suspended at `yield_`.
            let stackful = stasis_bench::resident_per_generator(count, || {
                let mut g = Gen::builder()
                    .stack_size(stasis::DEFAULT_STACK_SIZE)
                    .build(|co, ()| {
                        let mut i = 0u64;
                        loop {
                            co.yield_(i);
                            i = i.wrapping_add(1);
                        }
                    })
                    .expect("the OS refused a generator stack");
                std::hint::black_box(g.next());
                g
            })
            .map_err(|e| e.to_string())?;
            let machine = stasis_bench::resident_per_generator(count, || {
                let mut g = stasis_bench::counter_machine();
                std::hint::black_box(g.next());
                g
            })
            .map_err(|e| e.to_string())?;
            Ok(json!({
                "count": count,
                "stackful": stackful.per_item(),
                "state_machine": machine.per_item(),
            }))
        }
        Some("max-live") => {
            let cap = number(args.get(1), 200_000, "CAP")?;
            let live = stasis_bench::max_live_stackful(cap);
            Ok(json!({
                "live": live.live,
                "cap": cap,
                "stack_size": stasis_bench::PROBE_STACK_SIZE,
                "error": live.error,
            }))
        }
        Some(other) => Err(format!("unknown subcommand `{other}`")),
        None => Err("missing subcommand".into()),
    }
}
