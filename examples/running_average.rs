//! PEP 342's running average coroutine, driven by `send`, then fed from a pull source.
//!
//! Run with `cargo run --example running_average`.

use stasis::prelude::*;
use stasis::push;

/// Send numbers in, get the average so far out. Python-style: it yields once (`None`) to be
/// primed before the first number, and `close()` returns the final average.
fn averager() -> Gen<Option<f64>, Option<f64>, f64, ()> {
    Gen::throwing(|co, _prime| {
        let (mut total, mut count) = (0.0, 0.0);
        let mut average = None;
        loop {
            match co.try_yield(average) {
                Ok(value) => {
                    total += value;
                    count += 1.0;
                    average = Some(total / count);
                }
                // close(): return the result, as Python 3.13's close() hands it back.
                Err(Thrown::Exit) => return average,
                Err(Thrown::Error(())) => {
                    (total, count, average) = (0.0, 0.0, None);
                }
                Err(runtime @ Thrown::Runtime(_)) => co.raise(runtime),
            }
        }
    })
}

fn main() {
    println!("== send by hand");
    let mut avg = averager();
    println!("prime        -> {:?}", avg.resume(0.0));
    for x in [10.0, 20.0, 60.0] {
        println!("send({x:>4}) -> {:?}", avg.resume(x));
    }
    println!("throw(reset) -> {:?}", avg.throw(()));
    println!("send(   5) -> {:?}", avg.resume(5.0));
    println!("close        -> {:?}", avg.close());

    println!("== a pull source pushed through it (push::through)");
    let mut avg = averager();
    let _ = avg.resume(0.0);
    let readings = stasis::count(1.0, 1.0).gen_take(5);
    // The averager can raise (its error type is `()`), so it is iterated with `try_iter`:
    // an error would arrive as an `Err` item instead of ending the loop silently.
    for (i, a) in push::through(readings, &mut avg).try_iter().enumerate() {
        match a {
            Ok(a) => println!("after reading {}: average {a:?}", i + 1),
            Err(e) => println!("raised {e:?}"),
        }
    }

    println!("== push::feed returns what close() returns");
    let mut avg = averager();
    let _ = avg.resume(0.0);
    println!("final average: {:?}", push::feed([3.0, 4.0, 8.0], avg));
}
