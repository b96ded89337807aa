//! Benchmark workloads and measurement helpers for stasis.
//!
//! The criterion benches in the top-level `benches/` folder and the `stasis-memory` binary share
//! these workloads, so every mechanism runs the same body:
//!
//! - [`counter`] / [`counter_machine`]: an endless generator yielding `0, 1, 2, ...`, for the
//!   round-trip benches (one `next()` per iteration, the generator lives across iterations);
//! - [`one_shot`] / [`one_shot_fresh`] / [`one_shot_machine`]: a generator that yields once and
//!   returns, for the creation benches (create, run to the end, drop);
//! - [`resident_per_generator`]: resident bytes per suspended generator, from the process's RSS
//!   before and after keeping many of them alive;
//! - [`max_live_stackful`]: how many live stackful generators the OS allows before it refuses a
//!   stack, and the error it gives;
//! - [`streaming`]: the JSON-lines aggregation of the streaming section (`stasis-stream`);
//! - [`live`]: CPython's sieve (thousands of live generators in one chain) and its filter alone
//!   as a chain of any length (`benches/live.rs`, `examples/hops.rs`).
//!
//! `cargo xtask bench` runs the benches and the binary and writes the report.
#![feature(coroutines)]

pub mod clock;
pub mod live;
pub mod streaming;

use std::convert::Infallible;
use std::fs;
use std::hint::black_box;
use std::io;
use std::process::ExitCode;

use stasis::{Gen, Generator};

/// The stack size the memory probes use for stackful generators: the smallest allowed, so the
/// live-generator limit is reached by the mapping count, not by address space.
pub const PROBE_STACK_SIZE: usize = stasis::MIN_STACK_SIZE;

/// An endless stackful generator yielding `0, 1, 2, ...` (pooled stack, default size).
///
/// # Examples
///
/// ```
/// let mut g = stasis_bench::counter();
/// assert_eq!(g.next(), Some(0));
/// assert_eq!(g.next(), Some(1));
/// ```
pub fn counter() -> Gen<u64> {
    Gen::new(|co, ()| {
        let mut i = 0u64;
        loop {
            co.yield_(i);
            i = i.wrapping_add(1);
        }
    })
}

/// An endless state-machine generator (nightly `#[coroutine]` behind [`stasis::from_coroutine`])
/// yielding `0, 1, 2, ...`.
///
/// # Examples
///
/// ```
/// let mut g = stasis_bench::counter_machine();
/// assert_eq!(g.next(), Some(0));
/// assert_eq!(g.next(), Some(1));
/// ```
pub fn counter_machine()
-> impl Generator<(), Yield = u64, Return = (), Error = Infallible> + Iterator<Item = u64> {
    stasis::from_coroutine(
        #[coroutine]
        || {
            let mut i = 0u64;
            loop {
                yield i;
                i = i.wrapping_add(1);
            }
        },
    )
}

/// A stackful generator on a pooled stack that yields `1` once and returns.
///
/// # Examples
///
/// ```
/// assert_eq!(stasis_bench::one_shot().collect::<Vec<_>>(), [1]);
/// ```
pub fn one_shot() -> Gen<u64> {
    Gen::new(|co, ()| {
        co.yield_(1);
    })
}

/// Like [`one_shot`], on a freshly mapped stack (`pooled(false)`) that is unmapped on drop.
///
/// # Panics
///
/// If the OS refuses to map the stack.
///
/// # Examples
///
/// ```
/// assert_eq!(stasis_bench::one_shot_fresh().collect::<Vec<_>>(), [1]);
/// ```
pub fn one_shot_fresh() -> Gen<u64> {
    Gen::builder()
        .pooled(false)
        .build(|co, ()| {
            co.yield_(1);
        })
        .expect("the OS refused a generator stack")
}

/// A state-machine generator that yields `1` once and returns.
///
/// # Examples
///
/// ```
/// assert_eq!(stasis_bench::one_shot_machine().collect::<Vec<_>>(), [1]);
/// ```
pub fn one_shot_machine()
-> impl Generator<(), Yield = u64, Return = (), Error = Infallible> + Iterator<Item = u64> {
    stasis::from_coroutine(
        #[coroutine]
        || {
            yield 1u64;
        },
    )
}

/// Drives `g` to its end, feeding every item to [`black_box`]; returns how many it yielded.
///
/// # Examples
///
/// ```
/// assert_eq!(stasis_bench::drain(stasis_bench::one_shot()), 1);
/// ```
pub fn drain<I: Iterator<Item = u64>>(g: I) -> usize {
    let mut n = 0;
    for x in g {
        black_box(x);
        n += 1;
    }
    n
}

/// This process's resident set size in bytes (`VmRSS` in `/proc/self/status`).
///
/// # Errors
///
/// When `/proc/self/status` cannot be read or has no `VmRSS` line (not Linux).
///
/// # Examples
///
/// ```
/// # if cfg!(target_os = "linux") {
/// assert!(stasis_bench::resident_bytes().unwrap() > 0);
/// # }
/// ```
pub fn resident_bytes() -> io::Result<u64> {
    let status = fs::read_to_string("/proc/self/status")?;
    parse_vm_rss(&status).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "/proc/self/status has no readable `VmRSS: <n> kB` line; resident memory is only \
             measured on Linux",
        )
    })
}

/// Reads the `VmRSS: <n> kB` line of a `/proc/<pid>/status` text, in bytes.
///
/// # Examples
///
/// ```
/// let text = "Name:\tx\nVmRSS:\t    1204 kB\nThreads:\t1\n";
/// assert_eq!(stasis_bench::parse_vm_rss(text), Some(1204 * 1024));
/// assert_eq!(stasis_bench::parse_vm_rss("Name:\tx\n"), None);
/// ```
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    status_bytes(status, "VmRSS:")
}

/// The `<key> <n> kB` line of a `/proc/<pid>/status` text, in bytes.
fn status_bytes(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    let mut fields = line[key.len()..].split_whitespace();
    let kib: u64 = fields.next()?.parse().ok()?;
    (fields.next()? == "kB").then_some(kib * 1024)
}

/// The peak resident set size of this process so far (`VmHWM`), in bytes.
///
/// # Errors
///
/// When `/proc/self/status` cannot be read or has no `VmHWM` line (not Linux).
///
/// # Examples
///
/// ```
/// # if cfg!(target_os = "linux") {
/// // The kernel updates the peak lazily, so it can lag the current RSS by a little.
/// let peak = stasis_bench::peak_resident_bytes().unwrap();
/// assert!(peak > 0);
/// # }
/// ```
pub fn peak_resident_bytes() -> io::Result<u64> {
    let status = fs::read_to_string("/proc/self/status")?;
    status_bytes(&status, "VmHWM:").ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "/proc/self/status has no readable `VmHWM: <n> kB` line; peak memory is only \
             measured on Linux",
        )
    })
}

/// A resident-memory measurement of `count` live objects.
///
/// # Examples
///
/// ```
/// # if cfg!(target_os = "linux") {
/// let sample = stasis_bench::resident_per_generator(1000, || {
///     let mut g = stasis_bench::counter_machine();
///     g.next();
///     g
/// })
/// .unwrap();
/// assert_eq!(sample.count, 1000);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResidentSample {
    /// How many objects were alive at the second reading.
    pub count: usize,
    /// RSS before creating them, in bytes.
    pub before: u64,
    /// RSS with all of them alive, in bytes.
    pub after: u64,
}

impl ResidentSample {
    /// The RSS growth divided by the count (0 if RSS did not grow).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = stasis_bench::ResidentSample { count: 4, before: 1000, after: 9192 };
    /// assert_eq!(s.per_item(), 2048.0);
    /// ```
    pub fn per_item(&self) -> f64 {
        self.after.saturating_sub(self.before) as f64 / self.count.max(1) as f64
    }
}

/// Keeps `count` objects from `make` alive at once and measures the RSS growth. Make each one
/// the way it will be measured (for a generator: created and resumed to its first `yield`, so
/// its frame is suspended).
///
/// The objects are kept in a `Vec`, which counts too: for a state machine the vector's slots
/// *are* the generators.
///
/// # Errors
///
/// When the RSS cannot be read (see [`resident_bytes`]).
///
/// # Examples
///
/// ```
/// # if cfg!(target_os = "linux") {
/// let sample = stasis_bench::resident_per_generator(100, || vec![7u8; 8192]).unwrap();
/// assert!(sample.per_item() >= 4096.0, "{sample:?}");
/// # }
/// ```
pub fn resident_per_generator<T>(
    count: usize,
    mut make: impl FnMut() -> T,
) -> io::Result<ResidentSample> {
    let before = resident_bytes()?;
    let mut live: Vec<T> = Vec::with_capacity(count);
    for _ in 0..count {
        live.push(make());
    }
    let after = resident_bytes()?;
    black_box(&live);
    drop(live);
    Ok(ResidentSample { count, before, after })
}

/// The outcome of [`max_live_stackful`].
///
/// # Examples
///
/// ```
/// let live = stasis_bench::max_live_stackful(10);
/// assert_eq!(live.live, 10);
/// assert!(live.error.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxLive {
    /// How many stackful generators were alive (created, started and suspended) at once.
    pub live: usize,
    /// The error that stopped creation, `None` if `cap` was reached first.
    pub error: Option<String>,
}

/// Creates stackful generators on fresh [`PROBE_STACK_SIZE`] stacks (`pooled(false)`), starts
/// each one and keeps it suspended, until the OS refuses a stack or `cap` are alive.
///
/// On Linux with the default `vm.max_map_count` (65530) this stops near 32,000: every stack is
/// two mappings (guard page and stack). Run it in a child process: it leaves the process close
/// to its mapping limit while it runs (everything is unmapped when it returns).
///
/// # Examples
///
/// ```
/// let live = stasis_bench::max_live_stackful(3);
/// assert_eq!(live, stasis_bench::MaxLive { live: 3, error: None });
/// ```
pub fn max_live_stackful(cap: usize) -> MaxLive {
    let mut live = Vec::new();
    let mut error = None;
    while live.len() < cap {
        match Gen::builder().stack_size(PROBE_STACK_SIZE).pooled(false).build(|co, ()| {
            co.yield_(1u64);
        }) {
            Ok(mut g) => {
                black_box(g.next());
                live.push(g);
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    MaxLive { live: live.len(), error }
}

/// The `main` of the probe binaries (`stasis-memory`, `stasis-stream`): runs `run` on the
/// command-line arguments and prints its JSON object on stdout, or its error and `usage` on
/// stderr with a failing exit code.
///
/// # Examples
///
/// ```
/// let code = stasis_bench::json_main("probe", "usage: probe", |_args| Ok(serde_json::json!({"ok": 1})));
/// assert_eq!(code, std::process::ExitCode::SUCCESS);
/// ```
pub fn json_main(
    name: &str,
    usage: &str,
    run: impl FnOnce(&[String]) -> Result<serde_json::Value, String>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{name}: {e}\n{usage}");
            ExitCode::FAILURE
        }
    }
}
