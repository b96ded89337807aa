//! [`json_lines`](crate::stream::json_lines): JSON lines decoded one record at a time.

use core::convert::Infallible;
use core::fmt;
use core::marker::PhantomData;
use std::io::BufRead;

use serde::de::DeserializeOwned;
use stasis_core::{Generator, Step};

use super::{LineReader, StreamError, line_source_methods};
use crate::util::iterator_for;

/// Decodes `reader` as JSON lines (one JSON value per line), one record of type `T` per resume,
/// straight from a reused line buffer: memory stays at one line and one record, whatever the
/// size of the stream.
///
/// A line that does not decode yields [`StreamError::Json`](crate::stream::StreamError::Json) (or [`StreamError::Utf8`](crate::stream::StreamError::Utf8)) with
/// its number, and decoding goes on with the next line; a read error yields
/// [`StreamError::Io`](crate::stream::StreamError::Io) and ends the stream. Lines holding only whitespace carry no record and
/// are passed over (they count in the line numbers). A line longer than
/// [`DEFAULT_MAX_LINE_LEN`](super::DEFAULT_MAX_LINE_LEN) (or [`JsonLines::max_line_len`](crate::stream::JsonLines::max_line_len))
/// yields [`StreamError::TooLong`](crate::stream::StreamError::TooLong) without being buffered, and decoding goes on. Returns the
/// number of lines read (also kept for [`JsonLines::take_return`](crate::stream::JsonLines::take_return)).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use serde::Deserialize;
/// use stasis::GeneratorExt;
/// use stasis::stream::json_lines;
/// use stasis::{Generator, Step};
///
/// #[derive(Debug, Deserialize, PartialEq)]
/// struct Point { x: i32, y: i32 }
///
/// let input = "{\"x\": 1, \"y\": 2}\n{\"x\": 3}\n";
/// let mut points = json_lines::<Point, _>(input.as_bytes()).stop_on_error();
/// assert_eq!(points.resume(()).yielded(), Some(Point { x: 1, y: 2 }));
/// match points.resume(()) {
///     Step::Complete(Err(e)) => assert_eq!(e.to_string(), "line 2: invalid JSON: missing field `y` at line 1 column 8"),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn json_lines<T: DeserializeOwned, R: BufRead>(reader: R) -> JsonLines<T, R> {
    JsonLines { reader: LineReader::new(reader), finished: false, ret: None, _record: PhantomData }
}

/// The generator [`json_lines`](crate::stream::json_lines) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// let sum: u32 = stasis::stream::json_lines::<u32, _>(&b"1\n2\n"[..])
///     .map(Result::unwrap)
///     .sum();
/// assert_eq!(sum, 3);
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
pub struct JsonLines<T, R> {
    reader: LineReader<R>,
    finished: bool,
    ret: Option<u64>,
    _record: PhantomData<fn() -> T>,
}

line_source_methods!([T, R] JsonLines<T, R>, "stasis::stream::json_lines::<u32, _>");

impl<T: DeserializeOwned, R: BufRead> Generator<()> for JsonLines<T, R> {
    type Yield = Result<T, StreamError>;
    type Return = u64;
    type Error = Infallible;

    fn resume(&mut self, (): ()) -> Step<Self::Yield, u64> {
        if self.finished {
            return Step::Exhausted;
        }
        loop {
            match self.reader.next_line() {
                None => {
                    self.finished = true;
                    self.ret = Some(self.reader.line);
                    return Step::Complete(self.reader.line);
                }
                Some(Err(e)) => return Step::Yielded(Err(e)),
                Some(Ok((line, bytes))) => {
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    // One UTF-8 check of the whole line and `from_str` cost about 15% fewer
                    // instructions than `from_slice`, which checks every string on its own
                    // (`cargo xtask bench`, streaming section). Bad UTF-8 goes to `from_slice`,
                    // which reports it as a syntax error with the position: a JSON error.
                    let parsed = match std::str::from_utf8(bytes) {
                        Ok(text) => serde_json::from_str(text),
                        Err(_) => serde_json::from_slice(bytes),
                    };
                    return Step::Yielded(
                        parsed.map_err(|source| StreamError::Json { line, source }),
                    );
                }
            }
        }
    }

    line_source_protocol!();
}

iterator_for!([T, R] JsonLines<T, R>);

impl<T, R: fmt::Debug> fmt::Debug for JsonLines<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLines")
            .field("reader", &self.reader)
            .field("record", &core::any::type_name::<T>())
            .finish()
    }
}
