//! [`lines`](crate::stream::lines): the lines of a `BufRead`, one at a time.

use core::convert::Infallible;
use std::io::BufRead;

use stasis_core::{Generator, Step};

use super::{LineReader, StreamError, line_source_methods};
use crate::util::iterator_for;

/// The lines of `reader`, without their `\n` or `\r\n`, one `String` per resume; a line that is
/// not UTF-8 yields [`StreamError::Utf8`](crate::stream::StreamError::Utf8) with its number and the stream goes on; a read error
/// yields [`StreamError::Io`](crate::stream::StreamError::Io) and ends the stream; a line longer than
/// [`DEFAULT_MAX_LINE_LEN`](super::DEFAULT_MAX_LINE_LEN) (or [`Lines::max_line_len`](crate::stream::Lines::max_line_len)) yields
/// [`StreamError::TooLong`](crate::stream::StreamError::TooLong) without being buffered, and the stream goes on. Returns the number
/// of lines read (also kept for [`Lines::take_return`](crate::stream::Lines::take_return)).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::stream::lines;
/// use stasis::{Generator, Step};
/// let mut it = lines(&b"one\r\ntwo"[..]);
/// assert_eq!(it.resume(()).yielded().unwrap().unwrap(), "one");
/// assert_eq!(it.resume(()).yielded().unwrap().unwrap(), "two");
/// assert!(matches!(it.resume(()), Step::Complete(2)));
/// ```
pub fn lines<R: BufRead>(reader: R) -> Lines<R> {
    Lines { reader: LineReader::new(reader), finished: false, ret: None }
}

/// The generator [`lines`](crate::stream::lines) returns.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// let n = stasis::stream::lines(&b"a\nb\n"[..]).count();
/// assert_eq!(n, 2);
/// ```
#[must_use = "generators are lazy and do nothing unless resumed"]
#[derive(Debug)]
pub struct Lines<R> {
    reader: LineReader<R>,
    finished: bool,
    ret: Option<u64>,
}

line_source_methods!([R] Lines<R>, "stasis::stream::lines");

impl<R: BufRead> Generator<()> for Lines<R> {
    type Yield = Result<String, StreamError>;
    type Return = u64;
    type Error = Infallible;

    fn resume(&mut self, (): ()) -> Step<Self::Yield, u64> {
        if self.finished {
            return Step::Exhausted;
        }
        match self.reader.next_line() {
            None => {
                self.finished = true;
                self.ret = Some(self.reader.line);
                Step::Complete(self.reader.line)
            }
            Some(Err(e)) => Step::Yielded(Err(e)),
            Some(Ok((line, bytes))) => Step::Yielded(match std::str::from_utf8(bytes) {
                Ok(s) => Ok(s.to_owned()),
                Err(source) => Err(StreamError::Utf8 { line, source }),
            }),
        }
    }

    line_source_protocol!();
}

iterator_for!([R] Lines<R>);
