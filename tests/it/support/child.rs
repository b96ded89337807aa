//! Running one test alone in a child process: this test binary re-runs itself with `--exact
//! <test>` (libtest names the test's thread after it) and `STASIS_IT_CHILD=1`. For scenarios
//! that may abort the process (the abort then fails the parent's assertion instead of the
//! run), and for measurements of the whole process that other tests running at the same time
//! would disturb (resident memory).

use std::env;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child.
const CHILD: &str = "STASIS_IT_CHILD";

/// How long a child may run: a scenario that hangs (a drop that never ends) fails the test
/// instead of hanging the run. Generous, for the sanitizer build.
const DEADLINE: Duration = Duration::from_secs(120);

/// Re-runs this test binary on the running test (libtest names its thread after it) with
/// `CHILD` set; returns (exit code, signal, stderr). A child still running after [`DEADLINE`]
/// is killed, and the test fails. `leaks`: the scenario leaks a generator stack on purpose
/// (with what its frames own), so LeakSanitizer, under `cargo xtask asan`, is told not to
/// count it.
fn in_child(leaks: bool) -> (Option<i32>, Option<i32>, String) {
    let current = std::thread::current();
    let test = current.name().expect("libtest names the thread after the test");
    let mut cmd = Command::new(env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if leaks && let Some(options) = env::var_os("ASAN_OPTIONS") {
        let mut options = options.into_string().expect("ASAN_OPTIONS is UTF-8");
        options.push_str(":detect_leaks=0");
        cmd.env("ASAN_OPTIONS", options);
    }
    let mut child = cmd.spawn().unwrap();
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the child running `{test}` was still running after {DEADLINE:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap();
    // A name that matched no test would pass without running anything.
    assert!(stdout.contains("running 1 test"), "the child ran no test `{test}`:\n{stdout}");
    (status.code(), status.signal(), stderr.join().unwrap())
}

/// Runs `scenario` in a child process unless this is the child (then runs it there); asserts
/// the child exited normally (status 0, no signal) and never printed "panic while panicking";
/// returns its stderr (`None` in the child). `leaks`: as for [`in_child`].
pub(crate) fn alone(leaks: bool, scenario: impl FnOnce()) -> Option<String> {
    if env::var_os(CHILD).is_some() {
        scenario();
        return None;
    }
    let (code, signal, stderr) = in_child(leaks);
    assert_eq!((code, signal), (Some(0), None), "the child must exit normally; stderr:\n{stderr}");
    for sign in ["panic while panicking", "panicked while processing panic", "during cleanup"] {
        assert!(!stderr.contains(sign), "stderr:\n{stderr}");
    }
    Some(stderr)
}
