//! `fork()` while other threads map and unmap generator stacks: the child can go on using
//! stasis (issue 10, item 1). The stack-overflow registry's lock may be held by another thread
//! at the moment of the fork; the child must not inherit it locked.
//!
//! The parent forks in a loop while three threads churn unpooled generators (each one maps,
//! registers, unregisters and unmaps a stack). Every child creates, runs and drops a pooled and
//! an unpooled generator and exits 0; the parent waits for each with a timeout, kills a child
//! that hangs, and fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use stasis::Gen;

/// How many children to fork (on the old code, about one in a few hundred hung).
const CHILDREN: usize = 400;

/// How long a child may take before it counts as hung (a healthy one takes about a millisecond).
const TIMEOUT: Duration = Duration::from_secs(5);

/// What a child does: generators of both kinds, then `_exit` (no test harness, no atexit).
fn child() -> ! {
    let ok = std::panic::catch_unwind(|| {
        for pooled in [false, true] {
            let mut g = Gen::builder()
                .pooled(pooled)
                .build(|co, ()| {
                    co.yield_(1u32);
                    co.yield_(2);
                })
                .unwrap();
            assert_eq!(g.next(), Some(1));
            assert_eq!(g.next(), Some(2));
            drop(g);
        }
    })
    .is_ok();
    // SAFETY: `_exit` ends the child at once, as a forked child of a threaded process should.
    unsafe { libc::_exit(if ok { 0 } else { 1 }) }
}

/// Waits for `pid` up to `TIMEOUT`; kills it if it is still running. `Ok(status)` or `Err(())`
/// for a hang.
fn wait_or_kill(pid: libc::pid_t) -> Result<libc::c_int, ()> {
    let start = Instant::now();
    let mut status = 0;
    loop {
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        assert!(got >= 0, "waitpid failed: {}", std::io::Error::last_os_error());
        if got == pid {
            return Ok(status);
        }
        if start.elapsed() > TIMEOUT {
            // SAFETY: `pid` is our child, still running; then reap it.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Err(());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn children_forked_while_threads_churn_stacks_can_use_generators() {
    if std::env::var_os("STASIS_ASAN").is_some() {
        // ASan's runtime is not fork-safe with threads running (its own allocator locks).
        return;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let churners: Vec<_> = (0..3)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let mut g =
                        Gen::builder().pooled(false).build(|co, ()| co.yield_(1u8)).unwrap();
                    g.next();
                }
            })
        })
        .collect();
    let mut hung = 0;
    let mut failed = 0;
    for _ in 0..CHILDREN {
        // SAFETY: the child only runs `child`, which ends in `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed: {}", std::io::Error::last_os_error());
        if pid == 0 {
            child();
        }
        match wait_or_kill(pid) {
            Ok(status) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => {}
            Ok(_) => failed += 1,
            Err(()) => hung += 1,
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in churners {
        t.join().unwrap();
    }
    assert_eq!((hung, failed), (0, 0), "of {CHILDREN} children, {hung} hung and {failed} failed");
}
