//! Stack overflow inside a generator: the process says which stack overflowed and how to give
//! it more, then aborts (SIGABRT) — on a fresh and on a pooled stack, on the main thread, on a
//! spawned thread, on a thread that had no alternate signal stack, and in a thread-local
//! destructor (after std removed the thread's alternate stack). Overflows of ordinary
//! thread stacks still get Rust's own "has overflowed its stack" message.
//!
//! Each scenario runs in a child process: this binary re-executes itself with
//! `STASIS_OVERFLOW_CHILD=<scenario>` (it has `harness = false`, so `main` decides). Under
//! AddressSanitizer (`STASIS_ASAN` set by `cargo xtask asan`) the scenarios are skipped with a
//! printed line: ASan owns `SIGSEGV` there and reports overflows itself.

use std::env;
use std::hint::black_box;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Output};

use stasis::{Co, Gen, clear_pool, pool_stats};

const CHILD: &str = "STASIS_OVERFLOW_CHILD";
const SIGABRT: i32 = 6;
const STACK: usize = 64 * 1024;

/// Recurses without bound, using about 1 KiB of stack per level.
#[inline(never)]
fn deep(n: u64) -> u64 {
    let mut frame = [0u8; 1024];
    black_box(&mut frame);
    if black_box(n) == 0 { 0 } else { deep(n - 1) + u64::from(frame[7]) + 1 }
}

/// A generator body that yields once, then recurses far beyond any stack.
fn overflowing(co: &Co<u64>, (): ()) {
    co.yield_(1);
    co.yield_(deep(u64::MAX));
}

fn child(scenario: &str) {
    match scenario {
        "fresh" => {
            let mut g = Gen::builder().stack_size(STACK).pooled(false).build(overflowing).unwrap();
            assert_eq!(g.next(), Some(1));
            g.next();
        }
        "pooled" => {
            clear_pool();
            // A generator that never runs gives its stack back to the pool on drop.
            drop(Gen::builder().stack_size(STACK).build(overflowing).unwrap());
            assert_eq!(pool_stats().stacks, 1);
            let mut g = Gen::builder().stack_size(STACK).build(overflowing).unwrap();
            assert_eq!(pool_stats().stacks, 0, "the second generator reuses the pooled stack");
            assert_eq!(g.next(), Some(1));
            g.next();
        }
        "thread" => {
            std::thread::Builder::new()
                .name("worker".into())
                .spawn(|| {
                    let mut g = Gen::builder().stack_size(STACK).build(overflowing).unwrap();
                    assert_eq!(g.next(), Some(1));
                    g.next();
                })
                .unwrap()
                .join()
                .unwrap();
        }
        "no_altstack" => {
            std::thread::spawn(|| {
                // A thread created outside std has no alternate signal stack; make this one
                // look like it, so stasis must install its own.
                let disable = libc::stack_t {
                    ss_sp: std::ptr::null_mut(),
                    ss_flags: libc::SS_DISABLE,
                    ss_size: 0,
                };
                // SAFETY: a valid `stack_t` that disables the alternate stack.
                assert_eq!(unsafe { libc::sigaltstack(&disable, std::ptr::null_mut()) }, 0);
                let mut g = Gen::builder().stack_size(STACK).build(overflowing).unwrap();
                assert_eq!(g.next(), Some(1));
                g.next();
            })
            .join()
            .unwrap();
        }
        "tls_destructor" => {
            // A thread-local whose destructor resumes a generator that then overflows. std
            // removes the thread's alternate signal stack when its main function returns,
            // before thread-local destructors run; without one the kernel cannot deliver the
            // SIGSEGV to a handler and the process dies bare (exit 139), with no message.
            struct ResumeOnDrop(Option<Gen<u64>>);
            impl Drop for ResumeOnDrop {
                fn drop(&mut self) {
                    if let Some(g) = self.0.as_mut() {
                        g.next();
                    }
                }
            }
            thread_local! {
                static HOLDER: std::cell::RefCell<ResumeOnDrop> =
                    const { std::cell::RefCell::new(ResumeOnDrop(None)) };
            }
            std::thread::spawn(|| {
                HOLDER.with(|h| {
                    let mut g = Gen::builder().stack_size(STACK).build(overflowing).unwrap();
                    assert_eq!(g.next(), Some(1));
                    h.borrow_mut().0 = Some(g);
                });
            })
            .join()
            .unwrap();
        }
        "tls_destructor_first_generator" => {
            // The same from a thread whose first generator is created inside the destructor.
            struct CreateOnDrop;
            impl Drop for CreateOnDrop {
                fn drop(&mut self) {
                    let mut g = Gen::builder().stack_size(STACK).build(overflowing).unwrap();
                    assert_eq!(g.next(), Some(1));
                    g.next();
                }
            }
            thread_local! {
                static GUARD: CreateOnDrop = const { CreateOnDrop };
            }
            std::thread::spawn(|| GUARD.with(|_| ())).join().unwrap();
        }
        "nested" => {
            // A generator whose body drives another generator that overflows: the inner
            // stack is the one reported.
            let mut outer = Gen::builder()
                .stack_size(4 * STACK)
                .build(|co, ()| {
                    let mut inner = Gen::builder().stack_size(STACK).build(overflowing).unwrap();
                    co.yield_(inner.next().unwrap());
                    co.yield_(inner.next().unwrap_or(0));
                })
                .unwrap();
            assert_eq!(outer.next(), Some(1));
            outer.next();
        }
        "busy" => {
            // Other threads keep mapping, registering, unregistering and unmapping stacks
            // while this one overflows: the reporter still finds the right stack.
            for _ in 0..3 {
                std::thread::spawn(|| {
                    loop {
                        for pooled in [true, false] {
                            let mut g = Gen::builder()
                                .stack_size(STACK * 2)
                                .pooled(pooled)
                                .build(|co, ()| co.yield_(1u64))
                                .unwrap();
                            g.next();
                        }
                        clear_pool();
                    }
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            let mut g = Gen::builder().stack_size(STACK).pooled(false).build(overflowing).unwrap();
            assert_eq!(g.next(), Some(1));
            g.next();
        }
        "main_thread" => {
            // The handler is installed (a generator exists), then the main thread overflows:
            // Rust's own message must still appear.
            let mut g = Gen::new(overflowing);
            assert_eq!(g.next(), Some(1));
            println!("{}", deep(u64::MAX));
        }
        "spawned_thread" => {
            let mut g = Gen::new(overflowing);
            assert_eq!(g.next(), Some(1));
            std::thread::Builder::new()
                .name("plain".into())
                .spawn(|| deep(u64::MAX))
                .unwrap()
                .join()
                .unwrap();
        }
        "null_deref" => {
            // A fault that is not a stack overflow at all goes to the default action (SIGSEGV).
            let g = Gen::new(overflowing);
            let p: *const u8 = black_box(std::ptr::null());
            // SAFETY: not safe at all: this deliberately faults to test the signal chain.
            println!("{}", unsafe { std::ptr::read_volatile(p) });
            drop(g);
        }
        other => panic!("unknown scenario {other:?}"),
    }
    // Reaching this line means the overflow did not happen.
    std::process::exit(3);
}

fn run(scenario: &str) -> Output {
    let exe = env::current_exe().expect("the test binary's path");
    Command::new(exe).env(CHILD, scenario).output().expect("re-running the test binary")
}

fn check(scenario: &str, signal: i32, expected: &[&str]) -> Result<String, String> {
    let out = run(scenario);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.signal() != Some(signal) {
        return Err(format!(
            "{scenario}: expected death by signal {signal}, got {:?}\nstderr:\n{stderr}",
            out.status
        ));
    }
    for text in expected {
        if !stderr.contains(text) {
            return Err(format!("{scenario}: stderr lacks {text:?}\nstderr:\n{stderr}"));
        }
    }
    Ok(stderr)
}

fn main() -> ExitCode {
    if let Ok(scenario) = env::var(CHILD) {
        child(&scenario);
    }
    if env::var_os("STASIS_ASAN").is_some() {
        println!(
            "overflow: skipped under AddressSanitizer (it handles SIGSEGV and overflows itself)"
        );
        return ExitCode::SUCCESS;
    }
    let generator_message = [
        "stasis: a generator overflowed its stack (65536 bytes",
        "Gen::builder().stack_size(131072)",
        "fatal runtime error: generator stack overflow, aborting",
    ];
    let cases: [(&str, i32, &[&str]); 11] = [
        ("fresh", SIGABRT, &generator_message),
        ("pooled", SIGABRT, &generator_message),
        ("thread", SIGABRT, &generator_message),
        ("no_altstack", SIGABRT, &generator_message),
        ("nested", SIGABRT, &generator_message),
        ("tls_destructor", SIGABRT, &generator_message),
        ("tls_destructor_first_generator", SIGABRT, &generator_message),
        ("busy", SIGABRT, &generator_message),
        ("main_thread", SIGABRT, &["thread 'main'", "has overflowed its stack"]),
        ("spawned_thread", SIGABRT, &["thread 'plain'", "has overflowed its stack"]),
        ("null_deref", libc::SIGSEGV, &[]),
    ];
    let mut failed = 0;
    for (scenario, signal, expected) in cases {
        match check(scenario, signal, expected) {
            // The child's stderr (the expected "fatal runtime error: generator stack overflow")
            // is captured and shown only when the scenario fails: a passing run prints nothing
            // alarming.
            Ok(stderr) => {
                println!("test overflow::{scenario} ... ok");
                if stderr.contains("stasis:") != scenario_is_ours(scenario) {
                    println!("test overflow::{scenario} ... FAILED: wrong reporter\n{stderr}");
                    failed += 1;
                }
            }
            Err(e) => {
                println!("test overflow::{scenario} ... FAILED\n{e}");
                failed += 1;
            }
        }
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Whether stasis (rather than Rust's runtime) should report this scenario's overflow.
fn scenario_is_ours(scenario: &str) -> bool {
    !matches!(scenario, "main_thread" | "spawned_thread" | "null_deref")
}
