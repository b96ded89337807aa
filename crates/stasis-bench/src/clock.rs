//! The clock the criterion benches measure with: the benchmark thread's CPU time by default,
//! wall time on request.
//!
//! On a shared machine (2 cores, many processes) the wall time of a loop includes every time
//! slice the scheduler gave to someone else; the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`,
//! user + system) does not. Measured here under a load average of 10: the same 20 M-iteration
//! loop repeated 40 times spread 1.17–4.25 ns per iteration in wall time and 0.75–0.81 ns in
//! thread CPU time. On a quiet machine the two agree for these single-threaded benches (a
//! stackful generator runs on its own stack, on the same thread).
//!
//! `STASIS_BENCH_CLOCK=wall` selects wall time. Do not compare a baseline saved with one clock
//! against a run with the other.
//!
//! ```text
//! use stasis_bench::clock::Criterion;          // criterion::Criterion<Clock>
//! criterion_group! { name = benches; config = stasis_bench::clock::criterion(); targets = f }
//! ```

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// `criterion::Criterion` measuring with [`Clock`].
pub type Criterion = criterion::Criterion<Clock>;

/// The environment variable that selects the clock: `cpu` (default) or `wall`.
pub const CLOCK_ENV: &str = "STASIS_BENCH_CLOCK";

/// The criterion configuration every bench uses: criterion's defaults (the command line of
/// `cargo bench -- ...` still applies) measured with [`Clock::from_env`].
///
/// # Panics
///
/// When `STASIS_BENCH_CLOCK` holds something other than `cpu` or `wall` (a caller's typo).
///
/// # Examples
///
/// ```
/// let c: stasis_bench::clock::Criterion = stasis_bench::clock::criterion();
/// # drop(c);
/// ```
pub fn criterion() -> Criterion {
    let clock = Clock::from_env().unwrap_or_else(|e| panic!("{e}"));
    criterion::Criterion::default().with_measurement(clock)
}

/// A criterion [`Measurement`] in nanoseconds of the chosen clock.
///
/// # Examples
///
/// ```
/// use criterion::measurement::Measurement;
/// use stasis_bench::clock::Clock;
///
/// let start = Clock::ThreadCpu.start();
/// let mut x = 0u64;
/// for i in 0..100_000 {
///     x = std::hint::black_box(x + i);
/// }
/// assert!(Clock::ThreadCpu.end(start) > std::time::Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`).
    ThreadCpu,
    /// Wall time (`Instant`).
    Wall,
}

impl Clock {
    /// The clock named by `STASIS_BENCH_CLOCK` (`cpu` when unset).
    ///
    /// # Errors
    ///
    /// When the variable names no clock; the message lists the valid values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(stasis_bench::clock::Clock::from_env().is_ok());
    /// ```
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(CLOCK_ENV).as_deref() {
            Err(_) | Ok("" | "cpu") => Ok(Clock::ThreadCpu),
            Ok("wall") => Ok(Clock::Wall),
            Ok(other) => Err(format!("{CLOCK_ENV}={other:?}: expected `cpu` (default) or `wall`")),
        }
    }

    /// `cpu` or `wall`, as the reports name it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(stasis_bench::clock::Clock::Wall.name(), "wall");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Clock::ThreadCpu => "cpu",
            Clock::Wall => "wall",
        }
    }

    /// Now, in nanoseconds since an arbitrary start.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = stasis_bench::clock::Clock::Wall;
    /// assert!(c.now_ns() <= c.now_ns());
    /// ```
    pub fn now_ns(self) -> u64 {
        match self {
            Clock::ThreadCpu => thread_cpu_ns(),
            Clock::Wall => {
                static EPOCH: OnceLock<Instant> = OnceLock::new();
                EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
            }
        }
    }
}

/// CPU time of the calling thread in ns.
fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec for the duration of the call; the clock id is a
    // constant Linux supports (the call then cannot fail, and it writes nothing else).
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Criterion's own formatter for durations (a `'static` wall clock to borrow it from).
static WALL: WallTime = WallTime;

impl Measurement for Clock {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        self.now_ns()
    }

    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(self.now_ns().saturating_sub(start))
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}
