//! Shared helpers for the CPython conformance tests: a trace recorder that writes events in the
//! grammar of `tests/conformance/README.md`, value and exception rendering, and the check that
//! snapshots a Rust trace (insta) and asserts it equals CPython's.
//!
//! Every module of the `it` test binary reaches it as `crate::support`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::OnceLock;

use stasis::{RuntimeError, State, Step, Thrown};

pub(crate) mod child;
pub(crate) mod kit;

/// The recorded CPython 3.11 traces: the shared oracle's (`expected.json`, copied from it) and
/// the project's own scenarios (`cases_*.py`, recorded in `expected_*.json`), all in
/// `tests/conformance/`. Scenario names are unique across the files.
const ORACLE_FILES: [(&str, &str); 5] = [
    ("expected.json", include_str!("../../conformance/expected.json")),
    ("expected_runtime.json", include_str!("../../conformance/expected_runtime.json")),
    (
        "expected_itertools_forms.json",
        include_str!("../../conformance/expected_itertools_forms.json"),
    ),
    ("expected_tee_chunk_by.json", include_str!("../../conformance/expected_tee_chunk_by.json")),
    ("expected_corners.json", include_str!("../../conformance/expected_corners.json")),
];

/// Every recorded trace, parsed once for the whole test binary: scenario name to its file and
/// its list of events.
fn oracle() -> &'static BTreeMap<String, (&'static str, Vec<String>)> {
    static ORACLE: OnceLock<BTreeMap<String, (&'static str, Vec<String>)>> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let mut all = BTreeMap::new();
        for (file, text) in ORACLE_FILES {
            let traces: BTreeMap<String, Vec<String>> = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("{file} maps scenario names to lists of strings: {e}"));
            for (name, events) in traces {
                let earlier = all.insert(name.clone(), (file, events));
                assert!(earlier.is_none(), "scenario {name:?} is recorded twice ({file})");
            }
        }
        all
    })
}

/// CPython's trace of `scenario`, from whichever oracle file records it.
pub(crate) fn expected(scenario: &str) -> Vec<String> {
    oracle()
        .get(scenario)
        .unwrap_or_else(|| panic!("no scenario {scenario:?} in tests/conformance/expected*.json"))
        .1
        .clone()
}

/// The scenario names recorded in one oracle file (e.g. `"expected_runtime.json"`).
pub(crate) fn scenarios_of(file: &str) -> Vec<String> {
    oracle().iter().filter(|(_, (f, _))| *f == file).map(|(name, _)| name.clone()).collect()
}

/// Name prefixes of the oracle's itertools and laziness scenarios (`tests/it/conformance_itertools.rs`).
pub(crate) const ITERTOOLS_SCENARIOS: [&str; 14] = [
    "lazy_pipeline",
    "islice",
    "takewhile",
    "dropwhile",
    "chain_lazy",
    "zip_",
    "accumulate",
    "pairwise",
    "batched",
    "tee_",
    "groupby",
    "enumerate",
    "count_islice",
    "cycle_islice",
];

/// Every scenario name in the shared oracle (`expected.json`).
pub(crate) fn all_scenarios() -> Vec<String> {
    scenarios_of("expected.json")
}

/// CPython's `logged_source(t, who, values)`: a stasis generator logging each item before
/// yielding it.
pub(crate) fn logged<T: Val + 'static>(
    t: &Rc<Trace>,
    who: &'static str,
    values: Vec<T>,
) -> stasis::Gen<T> {
    let t = t.clone();
    stasis::Gen::new(move |co, ()| {
        t.body(Some(who), "started");
        for v in values {
            t.body(Some(who), format!("produce {}", v.render()));
            co.yield_(v);
        }
        t.body(Some(who), "done");
    })
}

/// Snapshots `events` (so a reviewer reads the Rust trace in a diff) and asserts it equals
/// CPython's trace for `scenario`.
#[track_caller]
pub(crate) fn check(scenario: &str, events: Vec<String>) {
    snapshot(scenario, &events);
    assert_eq!(events, expected(scenario), "trace of {scenario} differs from CPython's");
}

/// Snapshots a trace as `tests/it/snapshots/<test file>__<name>.snap`, where `<test file>` is
/// the stem of the file that called [`check`] / [`check_as`] (so the name does not depend on
/// the test binary the module is compiled into).
#[track_caller]
pub(crate) fn snapshot(name: &str, events: &[String]) {
    let caller = std::path::Path::new(std::panic::Location::caller().file());
    let test_file = caller.file_stem().and_then(|s| s.to_str()).unwrap_or("conformance");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_json_snapshot!(format!("{test_file}__{name}"), events));
}

/// A value rendered as compact JSON, the grammar's `value`.
pub(crate) trait Val {
    /// The compact JSON text.
    fn render(&self) -> String;
}

macro_rules! int_val {
    ($($t:ty),*) => {$(impl Val for $t { fn render(&self) -> String { self.to_string() } })*};
}
int_val!(i32, i64, u32, u64, usize);

impl Val for () {
    fn render(&self) -> String {
        "null".into()
    }
}
impl Val for &str {
    fn render(&self) -> String {
        serde_json::to_string(self).unwrap()
    }
}
impl Val for String {
    fn render(&self) -> String {
        serde_json::to_string(self).unwrap()
    }
}
impl Val for char {
    fn render(&self) -> String {
        serde_json::to_string(&self.to_string()).unwrap()
    }
}
impl Val for serde_json::Value {
    fn render(&self) -> String {
        serde_json::to_string(self).unwrap()
    }
}
impl<T: Val> Val for Option<T> {
    fn render(&self) -> String {
        self.as_ref().map_or_else(|| "null".into(), Val::render)
    }
}
impl<T: Val> Val for Vec<T> {
    fn render(&self) -> String {
        format!("[{}]", self.iter().map(Val::render).collect::<Vec<_>>().join(","))
    }
}
impl<T: Val, const N: usize> Val for [T; N] {
    fn render(&self) -> String {
        format!("[{}]", self.iter().map(Val::render).collect::<Vec<_>>().join(","))
    }
}
impl<A: Val, B: Val> Val for (A, B) {
    fn render(&self) -> String {
        format!("[{},{}]", self.0.render(), self.1.render())
    }
}
impl<T: Val> Val for &T {
    fn render(&self) -> String {
        (**self).render()
    }
}

/// A Python exception as the grammar writes it: `Name` or `Name(value)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyExc {
    pub(crate) name: &'static str,
    pub(crate) arg: Option<String>,
}

impl PyExc {
    /// An exception class thrown without an argument (`throw(KeyError)`).
    pub(crate) fn class(name: &'static str) -> Self {
        PyExc { name, arg: None }
    }
    /// An exception instance with one argument (`ValueError("x")`).
    pub(crate) fn new(name: &'static str, arg: impl Val) -> Self {
        PyExc { name, arg: Some(arg.render()) }
    }
    pub(crate) fn render(&self) -> String {
        match &self.arg {
            None => self.name.to_string(),
            Some(a) => format!("{}({a})", self.name),
        }
    }
}

/// How an error type is written in the grammar.
pub(crate) trait Exc {
    fn render_exc(&self) -> String;
}
impl Exc for PyExc {
    fn render_exc(&self) -> String {
        self.render()
    }
}
impl Exc for std::convert::Infallible {
    fn render_exc(&self) -> String {
        match *self {}
    }
}
impl<E: Exc> Exc for Thrown<E> {
    fn render_exc(&self) -> String {
        match self {
            Thrown::Exit => "GeneratorExit".into(),
            Thrown::Error(e) => e.render_exc(),
            Thrown::Runtime(r) => runtime_exc(*r),
        }
    }
}

/// A runtime error as CPython's exception: its class and message.
pub(crate) fn runtime_exc(r: RuntimeError) -> String {
    let class = match r {
        RuntimeError::AlreadyExecuting => "ValueError",
        RuntimeError::SendToIterator => "AttributeError",
        _ => "RuntimeError",
    };
    format!("{class}({:?})", r.to_string())
}

/// The outcome text of a step: a value, `return v`, `exhausted` or `raised E`.
pub(crate) fn outcome<Y: Val, R: Val, E: Exc>(step: &Step<Y, R, E>) -> String {
    match step {
        Step::Yielded(y) => y.render(),
        Step::Complete(r) => match r.render() {
            null if null == "null" => "exhausted".into(),
            v => format!("return {v}"),
        },
        Step::Raised(t) => format!("raised {}", t.render_exc()),
        Step::Exhausted => "exhausted".into(),
    }
}

/// Records a scenario's events. Clone the `Rc` into generator bodies and callbacks.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    events: RefCell<Vec<String>>,
}

impl Trace {
    pub(crate) fn new() -> Rc<Trace> {
        Rc::new(Trace::default())
    }

    pub(crate) fn push(&self, event: impl Into<String>) {
        self.events.borrow_mut().push(event.into());
    }

    fn prefix(who: Option<&str>) -> String {
        who.map_or_else(String::new, |w| format!("{w}."))
    }

    /// A consumer event: `[who.]op -> outcome`.
    pub(crate) fn op(&self, who: Option<&str>, op: &str, outcome: impl AsRef<str>) {
        self.push(format!("{}{op} -> {}", Self::prefix(who), outcome.as_ref()));
    }

    /// Records a step and hands it back.
    pub(crate) fn step<Y: Val, R: Val, E: Exc>(
        &self,
        who: Option<&str>,
        op: &str,
        step: Step<Y, R, E>,
    ) -> Step<Y, R, E> {
        self.op(who, op, outcome(&step));
        step
    }

    /// `[who.]state -> GEN_...`
    pub(crate) fn state(&self, who: Option<&str>, state: State) {
        self.op(who, "state", state.python_name());
    }

    /// A body event: `body[who]: text`.
    pub(crate) fn body(&self, who: Option<&str>, text: impl AsRef<str>) {
        match who {
            Some(w) => self.push(format!("body[{w}]: {}", text.as_ref())),
            None => self.push(format!("body: {}", text.as_ref())),
        }
    }

    pub(crate) fn events(&self) -> Vec<String> {
        self.events.borrow().clone()
    }
}

/// An event log shared between a test and the bodies it runs, for the tests whose events are
/// not in the oracle's grammar.
pub(crate) type Log = Rc<RefCell<Vec<String>>>;

/// A new, empty [`Log`].
pub(crate) fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

/// Python's `finally`: a guard that records one event when dropped (on return, raise, close
/// or drop), either `body[who]: finally` in a conformance [`Trace`] ([`Finally::new`]) or any
/// text in a [`Log`] ([`Finally::log`]).
#[derive(Debug)]
pub(crate) struct Finally(FinallySink);

#[derive(Debug)]
enum FinallySink {
    Trace(Rc<Trace>, Option<&'static str>),
    Log(Log, String),
}

impl Finally {
    /// Logs `body[who]: finally` in `trace` when dropped.
    pub(crate) fn new(trace: &Rc<Trace>, who: Option<&'static str>) -> Self {
        Finally(FinallySink::Trace(trace.clone(), who))
    }

    /// Pushes `text` to `log` when dropped.
    pub(crate) fn log(log: &Log, text: impl Into<String>) -> Self {
        Finally(FinallySink::Log(log.clone(), text.into()))
    }
}

impl Drop for Finally {
    fn drop(&mut self) {
        match &self.0 {
            FinallySink::Trace(trace, who) => trace.body(*who, "finally"),
            FinallySink::Log(log, text) => log.borrow_mut().push(text.clone()),
        }
    }
}

use stasis::{CloseError, Generator};

/// `[who.]next -> outcome` (Python's `next(g)`, which is `send(None)`).
pub(crate) fn next<S: Default, G>(t: &Trace, who: Option<&str>, g: &mut G)
where
    G: Generator<S> + ?Sized,
    G::Yield: Val,
    G::Return: Val,
    G::Error: Exc,
{
    let step = g.resume(S::default());
    let _ = t.step(who, "next", step);
}

/// `[who.]send(v) -> outcome`.
pub(crate) fn send<S: Val, G>(t: &Trace, who: Option<&str>, g: &mut G, v: S)
where
    G: Generator<S> + ?Sized,
    G::Yield: Val,
    G::Return: Val,
    G::Error: Exc,
{
    let op = format!("send({})", v.render());
    let step = g.resume(v);
    let _ = t.step(who, &op, step);
}

/// `[who.]throw(E) -> outcome`.
pub(crate) fn throw<S, G>(t: &Trace, who: Option<&str>, g: &mut G, e: G::Error)
where
    G: Generator<S> + ?Sized,
    G::Yield: Val,
    G::Return: Val,
    G::Error: Exc,
{
    let op = format!("throw({})", e.render_exc());
    let step = g.throw(e);
    let _ = t.step(who, &op, step);
}

/// `[who.]throw(GeneratorExit) -> outcome` (Python's `g.throw(GeneratorExit)`).
pub(crate) fn throw_exit<S, G>(t: &Trace, who: Option<&str>, g: &mut G)
where
    G: Generator<S> + ?Sized,
    G::Yield: Val,
    G::Return: Val,
    G::Error: Exc,
{
    let step = g.throw_exit();
    let _ = t.step(who, "throw(GeneratorExit)", step);
}

/// `[who.]list -> [...]` or `raised ...`: Python's `list(g)` through the lossless
/// [`Generator::try_iter`].
pub(crate) fn list_try<G>(t: &Trace, who: Option<&str>, g: G)
where
    G: Generator,
    G::Yield: Val,
    G::Error: Exc,
{
    let outcome = match g.try_iter().collect::<Result<Vec<_>, _>>() {
        Ok(items) => items.render(),
        Err(e) => format!("raised {}", e.render_exc()),
    };
    t.op(who, "list", outcome);
}

/// `[who.]close -> ok` or `raised ...`.
pub(crate) fn close<S, G>(t: &Trace, who: Option<&str>, g: &mut G)
where
    G: Generator<S> + ?Sized,
    G::Error: Exc,
{
    let outcome = match g.close() {
        Ok(_) => "ok".to_string(),
        Err(CloseError::IgnoredExit(_)) => {
            "raised RuntimeError(\"generator ignored GeneratorExit\")".to_string()
        }
        Err(CloseError::Raised(e)) => format!("raised {}", e.render_exc()),
        Err(CloseError::Runtime(r)) => format!("raised {}", runtime_exc(r)),
    };
    t.op(who, "close", outcome);
}

/// `[who.]state -> GEN_...`.
pub(crate) fn state<S, G: Generator<S> + ?Sized>(t: &Trace, who: Option<&str>, g: &G) {
    t.state(who, g.state());
}

/// `[who.]list -> [...]`: drains the generator like Python's `list(g)`.
pub(crate) fn list<S: Default, G>(t: &Trace, who: Option<&str>, g: &mut G)
where
    G: Generator<S> + ?Sized,
    G::Yield: Val,
    G::Error: Exc,
{
    let mut items = Vec::new();
    let outcome = loop {
        match g.resume(S::default()) {
            Step::Yielded(y) => items.push(y.render()),
            Step::Complete(_) | Step::Exhausted => break format!("[{}]", items.join(",")),
            Step::Raised(e) => break format!("raised {}", e.render_exc()),
        }
    };
    t.op(who, "list", outcome);
}

/// `[who.]list -> [...]` for any iterator (itertools-style pipelines).
pub(crate) fn list_iter<I: Iterator>(t: &Trace, who: Option<&str>, it: I)
where
    I::Item: Val,
{
    let items: Vec<String> = it.map(|v| v.render()).collect();
    t.op(who, "list", format!("[{}]", items.join(",")));
}

/// Snapshots `events` under `{scenario}@{variant}` and asserts they equal CPython's trace for
/// `scenario`: the same scenario reproduced with another backend or form.
#[track_caller]
pub(crate) fn check_as(scenario: &str, variant: &str, events: Vec<String>) {
    snapshot(&format!("{scenario}@{variant}"), &events);
    assert_eq!(
        events,
        expected(scenario),
        "trace of {scenario} ({variant}) differs from CPython's"
    );
}

/// Items that need the `nightly` cargo feature (state machines: `#[coroutine]` bodies). On
/// stable they are dropped unparsed: `yield` does not even parse there, so a `#[cfg]` on the
/// item is not enough. `cargo test --workspace` turns the feature on (see
/// `crates/stasis-bench/Cargo.toml`), so every one of them runs in the workspace.
#[cfg(feature = "nightly")]
#[allow(unused_macros)] // not every test file has state-machine items
macro_rules! nightly {
    ($($item:item)*) => { $($item)* };
}
/// Items that need the `nightly` cargo feature, dropped on this build (see above).
#[cfg(not(feature = "nightly"))]
#[allow(unused_macros)]
macro_rules! nightly {
    ($($tokens:tt)*) => {};
}
#[allow(unused_imports)]
pub(crate) use nightly;
