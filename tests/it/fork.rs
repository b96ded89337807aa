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
use std::time::Duration;

use crate::support::kit::{self, Child};

/// How many children to fork (on the old code, about one in a hundred hung).
const CHILDREN: usize = 400;

/// How long a child may take before it counts as hung. A healthy one takes about a
/// millisecond, a hung one for ever; 5 s was once exceeded by a healthy child on a shared
/// 2-core machine under heavy load, so the margin is wide.
const TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn children_forked_while_threads_churn_stacks_can_use_generators() {
    if std::env::var_os("STASIS_ASAN").is_some() {
        // ASan's runtime is not fork-safe with threads running (its own allocator locks).
        return;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let churners = kit::churn(3, &stop);
    let (mut hung, mut failed) = (0, 0);
    for _ in 0..CHILDREN {
        match kit::fork_child(TIMEOUT) {
            Child::Ok => {}
            Child::Failed => failed += 1,
            Child::Hung => hung += 1,
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in churners {
        t.join().unwrap();
    }
    assert_eq!((hung, failed), (0, 0), "of {CHILDREN} children, {hung} hung and {failed} failed");
}
