//! The comparison with a saved baseline (`cargo xtask bench --baseline NAME`): one table of
//! benchmark, baseline, now, change with its confidence interval, and a verdict that does not
//! cry wolf on a noisy shared machine.
//!
//! The verdict, from criterion's relative change of the mean and its 95% confidence interval
//! (`change/estimates.json`):
//!
//! ```text
//!   slower        lower bound of the change >  +NOISE_THRESHOLD
//!   faster        upper bound of the change <  −NOISE_THRESHOLD
//!   within noise  otherwise (the interval reaches into ±NOISE_THRESHOLD)
//! ```
//!
//! Criterion's own verdict (a t-test plus a 1% noise threshold) assumes that two runs differ only
//! by sampling; on a shared 2-core machine they also differ by whatever else runs, which its
//! interval does not see. Two things keep the verdict honest here: the benches time the
//! benchmark thread's CPU time (`stasis_bench::clock`), which leaves out the time slices other
//! processes get, and [`NOISE_THRESHOLD`] sits above the run-to-run changes measured between two
//! runs of one commit (see its docs).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::inputs::{Compared, Comparison, Interval};
use super::report::{fmt_ns, table};

/// A change is a verdict only when its whole confidence interval lies beyond this fraction.
///
/// Measured on the shared 2-core machine (load average 10) with quick runs of one unchanged
/// commit, 2026-11-30, twice (`--save-baseline X`, then `--baseline X`). On the thread-CPU
/// clock the 2 × 29 changes lay between −8.0% (interval −11.6% to −4.3%,
/// `delegation/state_machine/1`) and +4.9% (+4.3% to +5.6%, `create/corosensei_reused`); the
/// bound nearest zero was never beyond ±5.6%. Criterion's own rule (interval beyond 1%) would
/// have called 7 and 8 of them regressions or improvements. On the wall clock the same
/// experiment gave −65% to +111%, which no threshold separates from a real change. 10% is
/// about twice the largest bound-nearest-zero seen on the CPU clock; a real change smaller
/// than that needs `--full` runs on a quiet machine.
pub(crate) const NOISE_THRESHOLD: f64 = 0.10;

/// What a change means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Faster,
    Slower,
    WithinNoise,
}

impl Verdict {
    pub(crate) fn of(change: &Interval) -> Verdict {
        if change.lower > NOISE_THRESHOLD {
            Verdict::Slower
        } else if change.upper < -NOISE_THRESHOLD {
            Verdict::Faster
        } else {
            Verdict::WithinNoise
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::WithinNoise => "within noise",
        }
    }
}

fn count(c: &Comparison, v: Verdict) -> usize {
    c.rows.iter().filter(|r| Verdict::of(&r.change) == v).count()
}

/// `+3.2%`.
fn pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

/// `+3.2% [−1.0%, +7.5%]`.
fn fmt_change(c: &Interval) -> String {
    format!("{} [{}, {}]", pct(c.point), pct(c.lower), pct(c.upper))
}

fn row(r: &Compared) -> Vec<String> {
    vec![
        r.id.clone(),
        fmt_ns(Some(r.base_ns)),
        fmt_ns(Some(r.now_ns)),
        fmt_change(&r.change),
        Verdict::of(&r.change).as_str().to_string(),
    ]
}

/// The rule, in one sentence.
fn rule() -> String {
    format!(
        "Change: criterion's relative change of the mean time with its 95% confidence interval. \
         Verdict: slower (or faster) only when the whole interval lies beyond ±{:.0}%, a \
         threshold above the run-to-run noise measured between two runs of one commit on this \
         shared machine; otherwise within noise.",
        NOISE_THRESHOLD * 100.0
    )
}

fn totals(c: &Comparison) -> String {
    format!(
        "{} slower, {} faster, {} within noise (of {} compared).",
        count(c, Verdict::Slower),
        count(c, Verdict::Faster),
        count(c, Verdict::WithinNoise),
        c.rows.len()
    )
}

/// `report.json`'s `comparison`: `regressions` is what a script fails on.
pub(crate) fn json(c: &Comparison) -> Value {
    let rows: Vec<Value> = c
        .rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "baseline_ns": r.base_ns,
                "now_ns": r.now_ns,
                "change": { "point": r.change.point, "lower": r.change.lower, "upper": r.change.upper },
                "verdict": Verdict::of(&r.change).as_str(),
            })
        })
        .collect();
    let ids = |v: Verdict| -> Vec<&str> {
        c.rows.iter().filter(|r| Verdict::of(&r.change) == v).map(|r| r.id.as_str()).collect()
    };
    json!({
        "baseline": c.baseline,
        "noise_threshold": NOISE_THRESHOLD,
        "confidence_level": 0.95,
        "benchmarks": rows,
        "regressions": ids(Verdict::Slower),
        "improvements": ids(Verdict::Faster),
        "not_compared": c.missing,
    })
}

/// The report.md section.
pub(crate) fn markdown(c: &Comparison, out: &mut String) {
    let _ = writeln!(out, "## Compared with baseline `{}`\n", c.baseline);
    let _ = writeln!(out, "{}\n", rule());
    let rows: Vec<Vec<String>> = c.rows.iter().map(row).collect();
    table(out, &["benchmark", "baseline", "now", "change [95% CI]", "verdict"], &rows);
    let _ = writeln!(out, "{}", totals(c));
    if !c.missing.is_empty() {
        let _ = writeln!(out, "Not compared (no baseline or not run): {}.", c.missing.join(", "));
    }
    out.push('\n');
}

/// The terminal table.
pub(crate) fn summary(c: &Comparison, out: &mut String) {
    let header = ["benchmark", "baseline", "now", "change [95% CI]", "verdict"].map(String::from);
    let rows: Vec<Vec<String>> = c.rows.iter().map(row).collect();
    let width = |i: usize| {
        rows.iter().chain([&header.to_vec()]).map(|r| r[i].chars().count()).max().unwrap_or(0)
    };
    let w: Vec<usize> = (0..header.len()).map(width).collect();
    let _ = writeln!(out, "\ncompared with baseline `{}`:", c.baseline);
    for r in std::iter::once(&header.to_vec()).chain(&rows) {
        let _ = writeln!(
            out,
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3]
        );
    }
    let _ = writeln!(out, "{}", totals(c));
    let _ = writeln!(
        out,
        "(verdict: slower/faster only when the whole 95% interval is beyond ±{:.0}%)",
        NOISE_THRESHOLD * 100.0
    );
    if !c.missing.is_empty() {
        let _ = writeln!(out, "not compared: {}", c.missing.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(point: f64, lower: f64, upper: f64) -> Interval {
        Interval { point, lower, upper }
    }

    #[test]
    fn verdict_needs_the_whole_interval_beyond_the_threshold() {
        assert_eq!(Verdict::of(&change(0.30, 0.20, 0.40)), Verdict::Slower);
        assert_eq!(Verdict::of(&change(-0.30, -0.40, -0.20)), Verdict::Faster);
        // Large point estimate, interval reaching into the noise band.
        assert_eq!(Verdict::of(&change(0.18, 0.09, 0.26)), Verdict::WithinNoise);
        assert_eq!(Verdict::of(&change(0.18, 0.11, 0.26)), Verdict::Slower);
        // Criterion would call this a regression (interval above +1%); not here.
        assert_eq!(Verdict::of(&change(0.08, 0.06, 0.10)), Verdict::WithinNoise);
        assert_eq!(Verdict::of(&change(-0.02, -0.30, 0.25)), Verdict::WithinNoise);
    }
}
