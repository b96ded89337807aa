//! Compile-fail tests (trybuild): the unsound uses of stasis are rejected by the compiler.
//!
//! Each file in `tests/ui/` must fail to compile with the error in its `.stderr` file:
//! - `gen_not_send`, `gen_not_sync`, `co_not_send`: a stackful generator and its yield handle
//!   stay on their thread (a suspended stack may hold `Rc`s and thread-local references);
//! - `co_escapes_body`, `co_escapes_return`: the yield handle `&Co` cannot leave its body;
//! - `yield_borrow_of_local`, `state_machine_yield_borrow`: a body cannot yield a borrow of its
//!   own frame, which the consumer could hold past the next resume;
//! - `yield_borrow_of_consumer_data`: a body cannot borrow the consumer's data (bodies are
//!   `'static`: a suspended generator can be leaked with `mem::forget`);
//! - `gen_unused_is_a_warning`: `Gen` is `#[must_use]` (generators do nothing unless resumed);
//! - `gen_invariant_in_error`, `gen_not_covariant_in_send`: the variance of `Gen` keeps a
//!   short-lived error or sent value from reaching a body that keeps it longer;
//! - `reenter_from_own_body`, `reenter_while_iterating`: Python's "generator already
//!   executing" (`ValueError`) cannot happen through a generator's owner or a `&mut` to it: a
//!   body cannot capture its own generator (E0381: the generator would contain itself), and
//!   resuming a generator while a `for` loop resumes it needs a second `&mut` (E0499). Through
//!   shared ownership (`stasis::delegate::Shared`) re-entry is a runtime error the body can
//!   catch instead, `RuntimeError::AlreadyExecuting` (`tests/it/conformance_runtime.rs`).
//! - `collect_a_raising_generator`, `collect_a_raising_adaptor`: a generator (or an adaptor
//!   over one) that can raise errors is not an `Iterator`, so an error cannot end a
//!   `collect()` silently; `try_iter()` yields `Result` items instead.
//! - `override_resume_adopted`: the delegation drivers' hidden trait methods are sealed: a type
//!   outside stasis cannot override `Generator::__resume_adopted` to forward it to a generator
//!   that can be resumed some other way too, which would let a driver resume a frame that has
//!   lent that generator out (found by the audit of mixed chains).
//!
//! The `.stderr` files match the pinned nightly's messages; after a toolchain update,
//! regenerate them with `TRYBUILD=overwrite cargo test -p stasis --test compile_fail` and
//! review the diff.
//!
//! The auto traits are asserted at compile time below: `Gen` and `Co` are neither `Send` nor
//! `Sync`; a state machine is `Send` exactly when its coroutine is; the plain data types are
//! `Send + Sync`.
#![feature(coroutines)]

use std::rc::Rc;

use stasis::{
    CloseError, Co, Gen, GenBuilder, PoolStats, StackError, State, Step, Thrown, from_coroutine,
};

fn assert_send_sync<T: Send + Sync>() {}

/// Compiles only if the expression's type is not `Send` (the same ambiguity trick, for values
/// of unnameable types such as coroutines).
macro_rules! assert_value_not_send {
    ($value:expr) => {{
        trait AmbiguousIfSend<A> {
            fn check(&self) {}
        }
        impl<T: ?Sized> AmbiguousIfSend<()> for T {}
        impl<T: ?Sized + Send> AmbiguousIfSend<u8> for T {}
        AmbiguousIfSend::check(&$value);
    }};
}

fn is_send<T: Send>(_: &T) {}

static_assertions::assert_not_impl_any!(Gen<i32>: Send);
static_assertions::assert_not_impl_any!(Gen<i32>: Sync);
static_assertions::assert_not_impl_any!(Gen<String, String, String, String>: Send);
static_assertions::assert_not_impl_any!(Co<i32>: Send);
static_assertions::assert_not_impl_any!(Co<i32>: Sync);

/// The variance of `Gen`'s parameters, decided on purpose (see the marker field of `Gen`):
/// these compile only if `Y` and `R` are covariant and `S` contravariant. `E` is invariant:
/// `tests/ui/gen_invariant_in_error.rs` (and `gen_not_covariant_in_send.rs` for `S`).
#[allow(dead_code)]
mod variance {
    use stasis::Gen;

    fn covariant_in_yield<'a>(g: Gen<&'static str>) -> Gen<&'a str> {
        g
    }

    fn covariant_in_return<'a>(g: Gen<(), &'static str>) -> Gen<(), &'a str> {
        g
    }

    fn contravariant_in_send(g: Gen<(), (), &str>) -> Gen<(), (), &'static str> {
        g
    }
}

fn plain_state_machine() -> impl Iterator<Item = i32> {
    from_coroutine(
        #[coroutine]
        || {
            yield 1;
        },
    )
}

fn rc_holding_state_machine() -> impl Iterator<Item = i32> {
    from_coroutine(
        #[coroutine]
        || {
            let rc = Rc::new(1);
            yield *rc;
        },
    )
}

#[test]
fn auto_traits() {
    assert_send_sync::<GenBuilder>();
    assert_send_sync::<Step<i32, i32, i32>>();
    assert_send_sync::<Thrown<String>>();
    assert_send_sync::<stasis::RuntimeError>();
    assert_send_sync::<State>();
    assert_send_sync::<CloseError<i32, String>>();
    assert_send_sync::<StackError>();
    assert_send_sync::<PoolStats>();

    // A state machine is `Send` when its coroutine is (it is a plain value, no stack)...
    let sendable = plain_state_machine();
    is_send(&sendable);
    // ...and not otherwise: this one holds an `Rc` across a `yield`.
    let local = rc_holding_state_machine();
    assert_value_not_send!(local);
    assert_eq!(sendable.chain(local).collect::<Vec<_>>(), [1, 1]);
}

#[test]
fn unsound_uses_do_not_compile() {
    if std::env::var_os("STASIS_ASAN").is_some() {
        // trybuild would build the ui files with the sanitizer flags but without `--target`,
        // instrumenting proc macros; compile errors do not depend on the sanitizer anyway.
        println!("compile_fail: skipped under AddressSanitizer (compile-time checks only)");
        return;
    }
    // trybuild colours its report whenever `TERM` is set, even into a file or a pipe; keep
    // redirected output (CI logs, `cargo test > log`) free of escape codes.
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        // SAFETY: no other thread reads or writes the environment meanwhile: the other test of
        // this binary (`auto_traits`) only checks types, and the test harness reads its
        // variables before it starts the tests.
        unsafe { std::env::set_var("NO_COLOR", "1") };
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("../../tests/ui/*.rs");
}
