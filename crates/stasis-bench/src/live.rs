//! CPython's faithful sieve of Eratosthenes (`Lib/test/test_generators.py`: one
//! `exclude_multiples` and one `sieve` generator per prime, a chain about 4,000 deep for 2,000
//! primes), counting its hops, and the sieve's filter alone as a chain of any length: shared by
//! `benches/live.rs` and `examples/hops.rs`.

use std::cell::Cell;

use corosensei::stack::{DefaultStack, Stack, StackPointer};
use corosensei::{Coroutine, CoroutineResult};
use stasis::Gen;

thread_local! {
    /// Resumes of sieve generators (hops) on this thread since [`reset_hops`].
    static HOPS: Cell<u64> = const { Cell::new(0) };
}

fn hop() {
    HOPS.with(|h| h.set(h.get() + 1));
}

/// Sets this thread's hop count to 0.
///
/// # Examples
///
/// ```
/// stasis_bench::live::reset_hops();
/// assert_eq!(stasis_bench::live::hops(), 0);
/// ```
pub fn reset_hops() {
    HOPS.with(|h| h.set(0));
}

/// Resume-yield pairs of sieve generators on this thread since [`reset_hops`]: 4,043,625 for
/// the first 2,000 primes.
///
/// # Examples
///
/// ```
/// use stasis_bench::live::{hops, intsfrom, reset_hops, sieve};
///
/// reset_hops();
/// assert_eq!(sieve(intsfrom(2)).take(3).collect::<Vec<_>>(), [2, 3, 5]);
/// assert!(hops() > 3);
/// ```
pub fn hops() -> u64 {
    HOPS.with(Cell::get)
}

/// `def intsfrom(i): while 1: yield i; i += 1`
///
/// # Examples
///
/// ```
/// assert_eq!(stasis_bench::live::intsfrom(5).next(), Some(5));
/// ```
pub fn intsfrom(mut i: u64) -> Gen<u64> {
    Gen::new(move |co, ()| {
        loop {
            hop();
            co.yield_(i);
            i += 1;
        }
    })
}

/// `def exclude_multiples(n, ints): for i in ints: if i % n: yield i`
///
/// # Examples
///
/// ```
/// use stasis_bench::live::{exclude_multiples, intsfrom};
/// let odd = exclude_multiples(2, intsfrom(1));
/// assert_eq!(odd.take(3).collect::<Vec<_>>(), [1, 3, 5]);
/// ```
pub fn exclude_multiples(n: u64, ints: Gen<u64>) -> Gen<u64> {
    Gen::new(move |co, ()| {
        for i in ints {
            if i % n != 0 {
                hop();
                co.yield_(i);
            }
        }
    })
}

/// CPython's `sieve(ints)`: yield the first, then every prime of the rest with its multiples
/// excluded, through a new `sieve` generator.
///
/// # Examples
///
/// ```
/// use stasis_bench::live::{intsfrom, sieve};
/// assert_eq!(sieve(intsfrom(2)).nth(1999), Some(17389));
/// ```
pub fn sieve(mut ints: Gen<u64>) -> Gen<u64> {
    Gen::new(move |co, ()| {
        let Some(prime) = ints.next() else { return };
        hop();
        co.yield_(prime);
        for p in sieve(exclude_multiples(prime, ints)) {
            hop();
            co.yield_(p);
        }
    })
}

/// A modulus no counter value of a bench run reaches: [`filter_chain`]'s filters pass every
/// item.
pub const NEVER: u64 = 1 << 40;

/// The sieve's filter alone, `n` deep: `n` `exclude_multiples` generators (moduli from
/// [`NEVER`] up, so they pass everything) over an endless counter from 1. One item takes
/// `n + 1` resume-yield pairs, with the body work of a sieve hop and no generator created or
/// dropped.
///
/// # Examples
///
/// ```
/// let mut chain = stasis_bench::live::filter_chain(100);
/// assert_eq!(chain.next(), Some(1));
/// assert_eq!(chain.next(), Some(2));
/// ```
pub fn filter_chain(n: usize) -> Gen<u64> {
    let counter = Gen::new(|co, ()| {
        let mut i = 1u64;
        loop {
            co.yield_(i);
            i += 1;
        }
    });
    (0..n as u64).fold(counter, |g, k| {
        Gen::new(move |co, ()| {
            for i in g {
                if i % (NEVER + k) != 0 {
                    co.yield_(i);
                }
            }
        })
    })
}

/// A corosensei `DefaultStack` of the default size whose base is moved down by a multiple of
/// 64 bytes: 0 is corosensei's own layout; others imitate stasis's colours.
pub struct ColouredStack {
    stack: DefaultStack,
    colour: usize,
}

impl std::fmt::Debug for ColouredStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColouredStack")
            .field("base", &self.base().get())
            .field("limit", &self.limit().get())
            .finish()
    }
}

// SAFETY: `DefaultStack`'s own mapping, limit and guard page; the base moves down by a
// multiple of 64 (at most 31 lines, far above the limit of a 256 KiB stack), so it stays
// aligned to corosensei's 16 bytes and above the limit.
unsafe impl Stack for ColouredStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.stack.base().get() - self.colour).expect("not null")
    }

    fn limit(&self) -> StackPointer {
        self.stack.limit()
    }
}

/// A raw corosensei coroutine of [`raw_filter_chain`].
pub type RawChain = Coroutine<(), u64, (), ColouredStack>;

/// [`filter_chain`] on raw corosensei coroutines, each on a fresh `DefaultStack` of stasis's
/// default size; with `colours` > 1 each stack's base is moved down by the next of that many
/// cache lines in turn, as stasis does (1: corosensei's own layout).
///
/// # Panics
///
/// When `colours` is 0 or above 32 (a caller's mistake), or the OS refuses a stack.
///
/// # Examples
///
/// ```
/// use corosensei::CoroutineResult;
///
/// let mut chain = stasis_bench::live::raw_filter_chain(10, 1);
/// assert!(matches!(chain.resume(()), CoroutineResult::Yield(1)));
/// ```
pub fn raw_filter_chain(n: usize, colours: usize) -> RawChain {
    assert!((1..=32).contains(&colours), "colours: 1 to 32");
    let mut made = 0;
    let mut stack = || {
        made += 1;
        let stack = DefaultStack::new(stasis::DEFAULT_STACK_SIZE).expect("a stack");
        ColouredStack { stack, colour: made % colours * 64 }
    };
    let counter = Coroutine::with_stack(stack(), |y, ()| {
        let mut i = 1u64;
        loop {
            y.suspend(i);
            i += 1;
        }
    });
    (0..n as u64).fold(counter, |mut g: RawChain, k| {
        Coroutine::with_stack(stack(), move |y, ()| {
            while let CoroutineResult::Yield(i) = g.resume(()) {
                if i % (NEVER + k) != 0 {
                    y.suspend(i);
                }
            }
        })
    })
}
