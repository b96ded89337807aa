//! Helpers shared by the integration tests and `examples/stress.rs` (which includes this file
//! with `#[path]`): a seedable random stream, a body that recurses to a given depth, threads
//! that churn unpooled generator stacks, and a fork that waits with a timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use stasis::Gen;

/// SplitMix64: a small, seedable, dependency-free generator (the seed is printed by its users,
/// so a failing run can be repeated).
// In the `it` binary only the nightly-only `differential` module draws from it.
#[cfg_attr(not(feature = "nightly"), allow(dead_code))]
pub(crate) struct Rng(pub(crate) u64);

#[cfg_attr(not(feature = "nightly"), allow(dead_code))]
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Recurses until the frames reach `bytes` below the caller's, touching every frame (by
/// address, not by level count: frames are larger in a debug or sanitizer build).
#[inline(never)]
pub(crate) fn recurse(bytes: usize) -> u64 {
    let here = [0u8; 0];
    go(std::ptr::from_ref(&here) as usize, bytes)
}

#[inline(never)]
fn go(start: usize, bytes: usize) -> u64 {
    let mut frame = [1u8; 1024];
    std::hint::black_box(&mut frame);
    let here = std::ptr::from_ref(&frame) as usize;
    if start.saturating_sub(here) >= bytes { 0 } else { go(start, bytes) + u64::from(frame[7]) }
}

/// `n` threads that create, run and drop unpooled generators (each maps, registers,
/// unregisters and unmaps a stack) until `stop` is set.
pub(crate) fn churn(n: usize, stop: &Arc<AtomicBool>) -> Vec<JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let stop = Arc::clone(stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let mut g =
                        Gen::builder().pooled(false).build(|co, ()| co.yield_(1u8)).unwrap();
                    g.next();
                }
            })
        })
        .collect()
}

/// How a forked child ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Child {
    /// Exited with status 0.
    Ok,
    /// Exited otherwise, or died of a signal.
    Failed,
    /// Still running after the timeout (then killed).
    Hung,
}

/// Forks; the child creates, runs and drops a pooled and an unpooled generator and `_exit`s.
/// The parent waits up to `timeout`, and kills a child that takes longer.
pub(crate) fn fork_child(timeout: Duration) -> Child {
    // SAFETY: the child only runs generators and ends in `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed: {}", std::io::Error::last_os_error());
    if pid == 0 {
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
            }
        })
        .is_ok();
        // SAFETY: `_exit` ends the child at once, as a forked child of a threaded process
        // should (no atexit handlers, no test harness).
        unsafe { libc::_exit(i32::from(!ok)) };
    }
    let start = Instant::now();
    let mut status = 0;
    loop {
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        assert!(got >= 0, "waitpid failed: {}", std::io::Error::last_os_error());
        if got == pid {
            let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            return if ok { Child::Ok } else { Child::Failed };
        }
        if start.elapsed() > timeout {
            // SAFETY: `pid` is our child, still running; kill and reap it.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return Child::Hung;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}
