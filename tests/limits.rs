//! Resource limits: when the OS refuses a new generator stack, creation returns
//! `StackError::Os` naming the cause and the knobs — no panic, no abort — and the process
//! recovers once generators are dropped, even while its pool holds their stacks.
//!
//! The limit is an address-space rlimit (`RLIMIT_AS`) lowered in a child process (this binary
//! re-executed with `STASIS_LIMITS_CHILD=1`; it has `harness = false`), since an rlimit applies
//! to the whole process. Skipped under AddressSanitizer (`STASIS_ASAN`), whose shadow memory
//! needs terabytes of address space.

use std::env;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, ExitCode};

use stasis::{Gen, StackError, clear_pool};

const CHILD: &str = "STASIS_LIMITS_CHILD";

/// Bytes of address space this process uses now (`/proc/self/statm`, first field, in pages).
fn address_space() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: `sysconf` has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize
}

fn child() -> Result<(), String> {
    clear_pool();
    let mut live = Vec::with_capacity(100_000);
    let headroom = 64 << 20;
    let limit = (address_space() + headroom) as libc::rlim_t;
    let rlim = libc::rlimit { rlim_cur: limit, rlim_max: libc::RLIM_INFINITY };
    // SAFETY: a valid `rlimit`; lowering the soft limit needs no privilege.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &rlim) } != 0 {
        return Err("setrlimit(RLIMIT_AS) failed".into());
    }
    let err = loop {
        if live.len() == live.capacity() {
            return Err(format!("{} generators fit under a {headroom}-byte headroom", live.len()));
        }
        match Gen::try_new(|co, ()| co.yield_(1u8)) {
            Ok(mut g) => {
                g.next();
                live.push(g);
            }
            Err(e) => break e,
        }
    };
    let count = live.len();
    let StackError::Os { size, source, .. } = &err else {
        return Err(format!("expected StackError::Os, got {err:?}"));
    };
    println!("created {count} generators, then: {err}");
    if *size != stasis::DEFAULT_STACK_SIZE || source.raw_os_error() != Some(libc::ENOMEM) {
        return Err(format!("expected ENOMEM for the default size, got {err:?}"));
    }
    // The panicking constructor reports the same text.
    let panic = catch_unwind(AssertUnwindSafe(|| Gen::new(|co, ()| co.yield_(1u8))))
        .err()
        .ok_or("Gen::new succeeded at the limit")?;
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    println!("Gen::new panicked with: {text}");
    // Dropping generators keeps their stacks in the pool (hot places, then the live tier),
    // address space included: a stack of another size no longer fits beside them, so the
    // thread unmaps its pool and maps again.
    live.truncate(count / 2);
    if stasis::pool_stats().stacks != count - count / 2 {
        return Err(format!("the pool kept {:?} of {}", stasis::pool_stats(), count - count / 2));
    }
    let other = Gen::builder()
        .stack_size(4 << 20)
        .build(|co, ()| co.yield_(3u8))
        .map_err(|e| format!("the pool was not given back: {e}"))?;
    if stasis::pool_stats().stacks != 0 {
        return Err(format!("the pool was not unmapped: {:?}", stasis::pool_stats()));
    }
    println!("another size beside a full pool: {:?}", other.collect::<Vec<_>>());
    clear_pool();
    let again = Gen::try_new(|co, ()| co.yield_(2u8)).map_err(|e| format!("no recovery: {e}"))?;
    println!("after dropping half: {:?}", again.collect::<Vec<_>>());
    Ok(())
}

fn main() -> ExitCode {
    if env::var_os(CHILD).is_some() {
        return match child() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                println!("child failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if env::var_os("STASIS_ASAN").is_some() {
        println!("limits: skipped under AddressSanitizer (its shadow memory ignores RLIMIT_AS)");
        return ExitCode::SUCCESS;
    }
    let out = Command::new(env::current_exe().unwrap()).env(CHILD, "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The child's report (the expected "the OS refused to map ...") is shown only on failure:
    // a passing run prints nothing alarming.
    let expected = [
        "the OS refused to map a 262144-byte generator stack (Cannot allocate memory",
        "the address-space limit is reached (RLIMIT_AS is ",
        "raise vm.max_map_count",
        "RLIMIT_AS, `ulimit -v`",
        "Gen::new panicked with: the OS refused to map",
        "another size beside a full pool: [3]",
        "after dropping half: [2]",
    ];
    let missing: Vec<_> = expected.iter().filter(|e| !stdout.contains(*e)).collect();
    if out.status.success() && missing.is_empty() {
        println!("test limits::rlimit_as ... ok");
        ExitCode::SUCCESS
    } else {
        println!(
            "test limits::rlimit_as ... FAILED ({:?}); missing {missing:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        );
        ExitCode::FAILURE
    }
}
