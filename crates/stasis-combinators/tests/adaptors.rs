//! The adaptors' contracts that need no CPython trace: sources at their numeric limits,
//! `Iterator` traits and size hints, accessors, type-changing adaptors, the itertools forms,
//! and names that do not collide with itertools.

use stasis_combinators::{GeneratorExt, count, from_iter};
use stasis_core::{Gen, Generator, Step};

#[test]
fn count_yields_the_largest_value_before_it_overflows() {
    let mut c = count(i64::MAX - 1, 1);
    assert_eq!(c.next(), Some(i64::MAX - 1));
    assert_eq!(c.next(), Some(i64::MAX));
    let mut c = count(i64::MIN, -1);
    assert_eq!(c.next(), Some(i64::MIN));
    assert_eq!(count(u8::MAX, 0).gen_take(3).collect::<Vec<_>>(), [u8::MAX; 3]);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "attempt to add with overflow")]
fn count_panics_on_the_pull_after_the_largest_value_in_debug_builds() {
    let mut c = count(i64::MAX, 1);
    assert_eq!(c.next(), Some(i64::MAX));
    c.next();
}
