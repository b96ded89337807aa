//! The adaptors' contracts that need no CPython trace: sources at their numeric limits,
//! `Iterator` traits and size hints, accessors, type-changing adaptors, the itertools forms,
//! and names that do not collide with itertools.

use std::convert::Infallible;
use std::iter::FusedIterator;

use stasis_combinators::{
    FromIter, GeneratorExt, chain_from_iterable, count, from_fn, from_iter, stream, zip_all,
};
use stasis_core::{Gen, Generator};

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

/// Accepts only fused iterators (the compile-time half of the test).
fn fused<I: FusedIterator>(it: I) -> I {
    it
}

/// Checks, at every step of `mk()`, that the length hint (through `Iterator::size_hint`)
/// bounds what is really left, and returns the first hint.
fn checked_hint<I: Iterator>(mk: impl Fn() -> I) -> (usize, Option<usize>) {
    let total = mk().count();
    let mut it = mk();
    let first = it.size_hint();
    for left in (0..=total).rev() {
        let (lo, hi) = it.size_hint();
        assert!(lo <= left && hi.is_none_or(|h| left <= h), "{left} left, hint ({lo}, {hi:?})");
        if left > 0 {
            it.next();
        }
    }
    assert!(it.next().is_none());
    first
}

#[test]
fn every_adaptor_is_a_fused_iterator_with_a_correct_length_hint() {
    let src = || from_iter([1, 2, 3, 4, 5]);
    let exact = (5, Some(5));
    assert_eq!(checked_hint(|| fused(src())), exact);
    assert_eq!(checked_hint(|| fused(src().gen_map(|x| x * 2))), exact);
    assert_eq!(checked_hint(|| fused(src().map_return(|()| 1))), exact);
    assert_eq!(checked_hint(|| fused(src().gen_filter(|x| x % 2 == 1))), (0, Some(5)));
    assert_eq!(checked_hint(|| fused(src().gen_enumerate())), exact);
    assert_eq!(checked_hint(|| fused(src().islice(1, 4, 2))), (2, Some(2)));
    assert_eq!(checked_hint(|| fused(src().islice(1, None, 3))), (2, Some(2)));
    assert_eq!(checked_hint(|| fused(src().islice(7, None, 1))), (0, Some(0)));
    assert_eq!(checked_hint(|| fused(src().gen_take(2))), (2, Some(2)));
    assert_eq!(checked_hint(|| fused(src().gen_take(9))), exact);
    assert_eq!(checked_hint(|| fused(src().gen_skip(2))), (3, Some(3)));
    assert_eq!(checked_hint(|| fused(src().gen_take_while(|x| *x < 3))), (0, Some(5)));
    assert_eq!(checked_hint(|| fused(src().drop_while(|x| *x < 3))), (0, Some(5)));
    assert_eq!(checked_hint(|| fused(src().accumulate(|a, b| a + b))), exact);
    assert_eq!(checked_hint(|| fused(src().accumulate_from(0, |a, b| a + b))), (6, Some(6)));
    assert_eq!(checked_hint(|| fused(src().pairwise())), (4, Some(4)));
    assert_eq!(checked_hint(|| fused(src().gen_flat_map(|x| 0..x))), (0, None));
    assert_eq!(checked_hint(|| fused(src().gen_chain(from_iter([6, 7])))), (7, Some(7)));
    assert_eq!(checked_hint(|| fused(src().gen_zip(from_iter([6, 7])))), (2, Some(2)));
    assert_eq!(checked_hint(|| fused(src().gen_map_err(|e| e))), exact);
    // An error type other than `Infallible`: not an `Iterator` (an error must not end a
    // `collect()` silently), so its hint is read through the protocol.
    assert_eq!(src().gen_err_into::<String>().length_hint(), exact);
    assert_eq!(checked_hint(|| fused(src().gen_ignore_send::<()>())), exact);
    assert_eq!(checked_hint(|| fused(src().gen_refuse_send(|()| unreachable!()))), exact);
    assert_eq!(checked_hint(|| fused(src().filter_false(|x| x % 2 == 1))), (0, Some(5)));
    assert_eq!(checked_hint(|| fused(src().compress([true, false, true]))), (0, Some(3)));
    assert_eq!(checked_hint(|| fused(src().gen_map(|x| (x, 1)).starmap(|a, b| a + b))), exact);
    assert_eq!(checked_hint(|| fused(src().gen_zip_longest(from_iter([6, 7])))), exact);
    assert_eq!(checked_hint(|| fused(from_iter([6, 7]).gen_zip_longest(src()))), exact);
    assert_eq!(checked_hint(|| fused(src().accumulate_sum())), exact);
    assert_eq!(checked_hint(|| fused(chain_from_iterable([src(), src()]))), (0, None));
    assert_eq!(checked_hint(|| fused(zip_all([src(), src(), src()]))), exact);
    assert_eq!(
        checked_hint(|| fused(zip_all::<FromIter<std::vec::IntoIter<u8>>, _>([]))),
        (0, Some(0))
    );
    let results = || from_iter([Ok(1), Err("bad"), Ok(3)]);
    assert_eq!(checked_hint(|| fused(results().stop_on_error())), (0, Some(3)));
    assert_eq!(checked_hint(|| fused(results().skip_errors(drop))), (0, Some(3)));
    assert_eq!(checked_hint(|| fused(stasis_combinators::repeat_n('x', 3))), (3, Some(3)));
    assert_eq!(checked_hint(|| fused(stream::lines(&b"a\nb\n"[..]))), (0, None));
    assert_eq!(checked_hint(|| fused(stream::json_lines::<u8, _>(&b"1\n"[..]))), (0, None));
    assert_eq!(checked_hint(|| fused(from_fn(|()| None::<u8>))), (0, None));
    // Endless sources say so.
    assert_eq!(fused(count(0, 1)).size_hint(), (usize::MAX, None));
    assert_eq!(fused(stasis_combinators::repeat(1)).size_hint(), (usize::MAX, None));
    assert_eq!(fused(stasis_combinators::cycle(src())).size_hint(), (usize::MAX, None));
    assert_eq!(
        checked_hint(|| fused(stasis_combinators::cycle(from_iter::<[u8; 0]>([])))),
        (0, Some(0))
    );
    assert_eq!(count(0, 1).gen_take(3).size_hint(), (3, Some(3)));
    // Forwarded through `&mut G` and `Box<G>`, and kept after the end.
    let mut g = src();
    assert_eq!((&mut g).gen_map(|x| x).size_hint(), exact);
    let boxed: Box<dyn Generator<Yield = i32, Return = (), Error = Infallible>> = Box::new(src());
    assert_eq!(boxed.length_hint(), exact);
    assert_eq!(Box::new(src()).gen_take(2).size_hint(), (2, Some(2)));
    // A stackful generator knows nothing, and says so.
    assert_eq!(Gen::<u8>::new(|co, ()| co.yield_(1)).gen_map(|x| x).size_hint(), (0, None));
}

/// With itertools' trait in scope too, every `GeneratorExt` method is called without its
/// trait's name: none is ambiguous (E0034). A method added to `GeneratorExt` belongs here.
mod beside_itertools {
    #[allow(unused_imports)] // the point: it is in scope
    use itertools::Itertools;
    use stasis_combinators::{GeneratorExt, from_iter};

    #[test]
    fn every_generator_ext_method_resolves_beside_itertools() {
        let src = || from_iter([1, 2, 3]);
        assert_eq!(src().gen_map(|x| x).count(), 3);
        assert_eq!(src().map_return(|()| 0).count(), 3);
        assert_eq!(src().gen_filter(|x| *x > 1).count(), 2);
        assert_eq!(src().gen_enumerate().count(), 3);
        assert_eq!(src().enumerate_from(1).count(), 3);
        assert_eq!(src().islice(0, 2, 1).count(), 2);
        assert_eq!(src().gen_take(1).count(), 1);
        assert_eq!(src().gen_skip(1).count(), 2);
        assert_eq!(src().gen_take_while(|x| *x < 2).count(), 1);
        assert_eq!(src().drop_while(|x| *x < 2).count(), 2);
        assert_eq!(src().gen_chain(src()).count(), 6);
        assert_eq!(src().gen_zip(src()).count(), 3);
        assert_eq!(src().accumulate(|a, b| a + b).count(), 3);
        assert_eq!(src().accumulate_from(0, |a, b| a + b).count(), 4);
        assert_eq!(src().pairwise().count(), 2);
        assert_eq!(src().batched(2).count(), 2);
        assert_eq!(src().gen_flat_map(|x| 0..x).count(), 6);
        assert_eq!(src().gen_map_err(|e| e).count(), 3);
        assert_eq!(src().filter_false(|x| *x > 1).count(), 1);
        assert_eq!(src().compress([true, false, true]).count(), 2);
        assert_eq!(src().gen_map(|x| (x, x)).starmap(|a, b| a + b).count(), 3);
        assert_eq!(src().gen_zip_longest(from_iter([1])).count(), 3);
        assert_eq!(src().accumulate_sum().count(), 3);
        assert_eq!(stasis_core::Generator::try_iter(src().gen_err_into::<String>()).count(), 3);
        assert_eq!(src().gen_ignore_send::<()>().count(), 3);
        assert_eq!(src().gen_refuse_send(|()| unreachable!()).count(), 3);
        assert_eq!(src().gen_chunk_by(|x| x % 2).count(), 3);
        let [a, b] = src().gen_tee();
        assert_eq!((a.count(), b.count()), (3, 3));
        assert_eq!(from_iter([Ok::<i32, ()>(1), Err(())]).stop_on_error().count(), 1);
        assert_eq!(from_iter([Ok::<i32, ()>(1), Err(())]).skip_errors(drop).count(), 1);
    }
}

#[test]
fn map_err_raises_a_foreign_error_after_the_cleanup_that_yielded() {
    use stasis_core::{State, Step, Thrown};
    // Python: `try: yield 1 finally: yield 99`, thrown into with an exception the body does
    // not catch: `throw` gives 99, the next `next` raises the exception.
    let mut g = Gen::<i32>::throwing::<u16>(|co, ()| {
        if let Err(Thrown::Exit) = co.try_yield(1) {
            let _ = co.try_yield(99);
            co.raise(Thrown::Exit)
        }
    })
    .gen_map_err(|code| format!("E{code}"));
    assert_eq!(g.resume(()), Step::Yielded(1));
    assert_eq!(g.throw("foreign".into()), Step::Yielded(99));
    assert_eq!(g.resume(()), Step::Raised(Thrown::Error("foreign".into())));
    assert_eq!((g.state(), g.resume(())), (State::Closed, Step::Exhausted));
}

// ------------------------------------------------------------ itertools forms (issue 11 §2)

#[test]
fn zip_longest_fills_with_none_and_returns_both_return_values() {
    use stasis_core::{State, Step};
    let a = Gen::new(|co, ()| {
        co.yield_(1);
        "a done"
    });
    let b = Gen::new(|co, ()| {
        co.yield_('x');
        co.yield_('y');
        co.yield_('z');
        "b done"
    });
    let mut z = a.gen_zip_longest(b);
    assert_eq!(z.state(), State::Created);
    assert_eq!(z.resume(()), Step::Yielded((Some(1), Some('x'))));
    assert_eq!(z.resume(()), Step::Yielded((None, Some('y'))));
    assert_eq!(z.resume(()), Step::Yielded((None, Some('z'))));
    assert_eq!(z.resume(()), Step::Complete((Some("a done"), Some("b done"))));
    assert_eq!((z.state(), z.resume(())), (State::Closed, Step::Exhausted));
    // An error from either source ends it; the other source is left as it is (CPython's
    // `zip_longest` does not touch it): it goes on where the zip left it.
    let raising = Gen::<i32>::throwing::<&str>(|co, ()| {
        co.yield_(1);
        co.raise(stasis_core::Thrown::Error("bad"))
    });
    let mut other = from_iter([1, 2, 3]).gen_err_into::<&str>();
    let mut z = raising.gen_zip_longest(&mut other);
    assert_eq!(z.resume(()), Step::Yielded((Some(1), Some(1))));
    assert_eq!(z.resume(()), Step::Raised(stasis_core::Thrown::Error("bad")));
    assert_eq!(z.state(), State::Closed);
    drop(z);
    assert_eq!(other.state(), State::Suspended);
    assert_eq!(other.resume(()), Step::Yielded(2));
}

#[test]
fn compress_pulls_the_value_then_its_selector_and_keeps_the_return_value() {
    use stasis_core::Step;
    let mut g = Gen::new(|co, ()| {
        co.yield_('a');
        co.yield_('b');
        "source done"
    })
    .compress([false, true, true, true]);
    assert_eq!(g.resume(()), Step::Yielded('b'));
    assert_eq!(g.resume(()), Step::Complete(Some("source done")));
    // The selectors end first: the value pulled for them is dropped, as in Python.
    let mut data = from_iter(1..=5);
    let picked: Vec<_> = (&mut data).compress([true, true]).collect();
    assert_eq!((picked, data.next()), (vec![1, 2], Some(4)));
}

#[test]
fn chain_from_iterable_takes_each_generator_only_when_the_one_before_ends() {
    use std::cell::Cell;
    use std::rc::Rc;

    use stasis_core::Step;
    let taken = Rc::new(Cell::new(0));
    let t = taken.clone();
    let gens = (1..=3).map(move |n| {
        t.set(t.get() + 1);
        Gen::new(move |co, ()| {
            co.yield_(n);
            n * 10
        })
    });
    let mut c = chain_from_iterable(gens);
    assert_eq!(taken.get(), 0);
    assert_eq!(c.resume(()), Step::Yielded(1));
    assert_eq!(taken.get(), 1);
    assert_eq!(c.resume(()), Step::Yielded(2));
    assert_eq!(taken.get(), 2);
    assert_eq!(c.resume(()), Step::Yielded(3));
    assert_eq!(c.resume(()), Step::Complete(Some(30)), "the last one's return value");
    // A send reaches the running generator; each next one starts with the default.
    let echo = |tag: &'static str| {
        Gen::<String, (), String>::new(move |co, first| {
            let got = co.yield_(format!("{tag} got {first:?}"));
            co.yield_(format!("{tag} got {got:?}"));
        })
    };
    let mut c = chain_from_iterable([echo("a"), echo("b")]);
    assert_eq!(c.resume("x".into()), Step::Yielded("a got \"x\"".into()));
    assert_eq!(c.resume("y".into()), Step::Yielded("a got \"y\"".into()));
    assert_eq!(c.resume("z".into()), Step::Yielded("b got \"\"".into()));
}

#[test]
fn zip_all_stops_at_the_first_source_to_end_and_keeps_its_return_value() {
    use stasis_core::Step;
    let src = |n: i32| {
        Gen::new(move |co, ()| {
            for i in 0..n {
                co.yield_(i);
            }
            n
        })
    };
    let mut z = zip_all([src(3), src(3), src(1)]);
    assert_eq!(z.resume(()), Step::Yielded(vec![0, 0, 0]));
    assert_eq!(z.resume(()), Step::Complete(Some((2, 1))));
    assert_eq!(z.take_partial(), [1, 1]);
    assert_eq!(zip_all(Vec::<Gen<i32>>::new()).resume(()), Step::Complete(None));
}
