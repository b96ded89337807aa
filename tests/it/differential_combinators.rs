//! Property tests (proptest): every combinator of `stasis-combinators` yields what the
//! equivalent `std` / itertools iterator yields, on random inputs, with a stackful generator
//! as the source (so the protocol path, not only `from_iter`, is exercised).
//!
//! | stasis | reference |
//! |--------|-----------|
//! | `gen_map`, `gen_filter`, `gen_enumerate`, `gen_take`, `gen_skip`, `gen_take_while`, `gen_chain`, `gen_zip`, `gen_flat_map` | the `Iterator` method of the same name |
//! | `enumerate_from(s)` | `zip(s..)` |
//! | `islice(a, b, k)` | `skip(a).take(b - a).step_by(k)` |
//! | `drop_while` | `skip_while` |
//! | `accumulate`, `accumulate_from` | `scan` (with the initial value first) |
//! | `pairwise` | itertools `tuple_windows` |
//! | `batched(n)` | `slice::chunks(n)` |
//! | `gen_chunk_by` | itertools `chunk_by` |
//! | `tee` | two clones of the input, pulled in a random interleaving |
//! | `stop_on_error`, `skip_errors` | `map_while(Result::ok)`, `filter_map` |
//! | `count`, `cycle`, `repeat`, `repeat_n`, `from_fn`, `from_iter` | `(a..).step_by`, `cycle`, `repeat`, `repeat_n`, `from_fn`, the input |

use std::cell::RefCell;
use std::rc::Rc;

use itertools::Itertools;
use proptest::prelude::*;
use stasis::{
    Gen, Generator, GeneratorExt, Step, count, cycle, from_fn, from_iter, repeat, repeat_n,
};

/// A stackful generator yielding `items`, then returning their length.
fn source(items: &[i32]) -> Gen<i32, usize> {
    let items = items.to_vec();
    Gen::new(move |co, ()| {
        for &x in &items {
            co.yield_(x);
        }
        items.len()
    })
}

fn items() -> impl Strategy<Value = Vec<i32>> {
    prop::collection::vec(-50i32..50, 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn map_filter_enumerate(v in items(), k in 1i32..5, start in 0usize..10) {
        let f = |x: i32| x.wrapping_mul(3) + 1;
        prop_assert_eq!(source(&v).gen_map(f).collect::<Vec<_>>(), v.iter().map(|&x| f(x)).collect::<Vec<_>>());
        let p = |x: &i32| x % k == 0;
        prop_assert_eq!(source(&v).gen_filter(p).collect::<Vec<_>>(), v.iter().copied().filter(p).collect::<Vec<_>>());
        prop_assert_eq!(source(&v).gen_enumerate().collect::<Vec<_>>(), v.iter().copied().enumerate().collect::<Vec<_>>());
        prop_assert_eq!(
            source(&v).enumerate_from(start).collect::<Vec<_>>(),
            (start..).zip(v.iter().copied()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn take_skip_islice(v in items(), n in 0usize..50, a in 0usize..45, len in prop::option::of(0usize..45), step in 1usize..5) {
        prop_assert_eq!(source(&v).gen_take(n).collect::<Vec<_>>(), v.iter().copied().take(n).collect::<Vec<_>>());
        prop_assert_eq!(source(&v).gen_skip(n).collect::<Vec<_>>(), v.iter().copied().skip(n).collect::<Vec<_>>());
        let stop = len.map(|l| a + l);
        let expected: Vec<i32> = match stop {
            Some(b) => v.iter().copied().skip(a).take(b - a).step_by(step).collect(),
            None => v.iter().copied().skip(a).step_by(step).collect(),
        };
        prop_assert_eq!(source(&v).islice(a, stop, step).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn take_while_drop_while(v in items(), limit in -50i32..50) {
        let p = |x: &i32| *x < limit;
        prop_assert_eq!(source(&v).gen_take_while(p).collect::<Vec<_>>(), v.iter().copied().take_while(p).collect::<Vec<_>>());
        prop_assert_eq!(source(&v).drop_while(p).collect::<Vec<_>>(), v.iter().copied().skip_while(p).collect::<Vec<_>>());
    }

    #[test]
    fn chain_zip_flat_map(v in items(), w in items()) {
        prop_assert_eq!(
            source(&v).gen_chain(source(&w)).collect::<Vec<_>>(),
            v.iter().chain(&w).copied().collect::<Vec<_>>()
        );
        prop_assert_eq!(
            source(&v).gen_zip(source(&w)).collect::<Vec<_>>(),
            v.iter().copied().zip(w.iter().copied()).collect::<Vec<_>>()
        );
        let f = |x: i32| 0..x.rem_euclid(4);
        prop_assert_eq!(source(&v).gen_flat_map(f).collect::<Vec<_>>(), v.iter().copied().flat_map(f).collect::<Vec<_>>());
    }

    #[test]
    fn accumulate_and_accumulate_from(v in items(), init in -5i64..5) {
        let expected: Vec<i32> = v
            .iter()
            .scan(None, |acc: &mut Option<i32>, &x| {
                let next = acc.map_or(x, |a| a.wrapping_add(x));
                *acc = Some(next);
                Some(next)
            })
            .collect();
        prop_assert_eq!(source(&v).accumulate(i32::wrapping_add).collect::<Vec<_>>(), expected);
        let expected: Vec<i64> = std::iter::once(init)
            .chain(v.iter().scan(init, |acc, &x| {
                *acc = *acc * 2 + i64::from(x);
                Some(*acc)
            }))
            .collect();
        let got: Vec<i64> = source(&v).accumulate_from(init, |t, x| t * 2 + i64::from(x)).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn pairwise_batched_chunk_by(v in items(), n in 1usize..7, k in 1i32..4) {
        prop_assert_eq!(
            source(&v).pairwise().collect::<Vec<_>>(),
            v.iter().copied().tuple_windows::<(_, _)>().collect::<Vec<_>>()
        );
        prop_assert_eq!(
            source(&v).batched(n).collect::<Vec<_>>(),
            v.chunks(n).map(<[i32]>::to_vec).collect::<Vec<_>>()
        );
        let key = |x: &i32| x.rem_euclid(k);
        let chunks = v.iter().copied().chunk_by(key);
        let expected: Vec<(i32, Vec<i32>)> =
            (&chunks).into_iter().map(|(key, group)| (key, group.collect())).collect();
        let got: Vec<(i32, Vec<i32>)> =
            source(&v).gen_chunk_by(key).map(|(key, group)| (key, group.collect())).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn tee_cursors_see_everything_in_any_interleaving(v in items(), pulls in prop::collection::vec(any::<bool>(), 0..100)) {
        let [mut a, mut b] = source(&v).gen_tee();
        let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
        for first in pulls {
            if first {
                got_a.extend(a.next());
            } else {
                got_b.extend(b.next());
            }
        }
        got_a.extend(a);
        got_b.extend(b);
        prop_assert_eq!(&got_a, &v);
        prop_assert_eq!(&got_b, &v);
    }

    #[test]
    fn error_adaptors(v in prop::collection::vec(prop::result::maybe_ok(-9i32..9, "e[a-c]"), 0..30)) {
        let results = v.clone();
        let src = || {
            let results = results.clone();
            Gen::new(move |co, ()| {
                for r in results {
                    co.yield_(r);
                }
            })
        };
        prop_assert_eq!(
            src().stop_on_error().collect::<Vec<_>>(),
            v.iter().cloned().map_while(Result::ok).collect::<Vec<_>>()
        );
        let errors = Rc::new(RefCell::new(Vec::new()));
        let e = errors.clone();
        prop_assert_eq!(
            src().skip_errors(move |err: String| e.borrow_mut().push(err)).collect::<Vec<_>>(),
            v.iter().cloned().filter_map(Result::ok).collect::<Vec<_>>()
        );
        prop_assert_eq!(&*errors.borrow(), &v.iter().cloned().filter_map(Result::err).collect::<Vec<_>>());
    }

    #[test]
    fn sources(v in items(), start in -20i64..20, step in -3i64..4, n in 0usize..30) {
        prop_assert_eq!(
            count(start, step).gen_take(n).collect::<Vec<_>>(),
            std::iter::successors(Some(start), |x| Some(x + step)).take(n).collect::<Vec<_>>()
        );
        prop_assert_eq!(
            cycle(source(&v)).gen_take(n).collect::<Vec<_>>(),
            v.iter().copied().cycle().take(n).collect::<Vec<_>>()
        );
        prop_assert_eq!(repeat(start).gen_take(n).collect::<Vec<_>>(), std::iter::repeat_n(start, n).collect::<Vec<_>>());
        prop_assert_eq!(repeat_n(start, n).collect::<Vec<_>>(), std::iter::repeat_n(start, n).collect::<Vec<_>>());
        prop_assert_eq!(from_iter(v.clone()).collect::<Vec<_>>(), v.clone());
        let mut i = 0;
        let mut j = 0;
        prop_assert_eq!(
            from_fn(move |()| { i += 1; (i <= n).then_some(i) }).collect::<Vec<_>>(),
            std::iter::from_fn(move || { j += 1; (j <= n).then_some(j) }).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_source_return_value_passes_through_value_preserving_adaptors(v in items()) {
        let mut g = source(&v).gen_map(|x| x + 1).gen_enumerate();
        let mut yielded = 0;
        let ret = loop {
            match g.resume(()) {
                Step::Yielded(_) => yielded += 1,
                Step::Complete(r) => break r,
                other => panic!("unexpected {other:?}"),
            }
        };
        prop_assert_eq!(yielded, v.len());
        prop_assert_eq!(ret, v.len());
    }
}
