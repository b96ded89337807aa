//! [`json_lines`]: JSON lines decoded one record at a time.

use core::convert::Infallible;
use core::fmt;
use core::marker::PhantomData;
use std::io::BufRead;

use serde::de::DeserializeOwned;
use stasis_core::{CloseError, Generator, State, Step};

use super::{LineReader, StreamError};
use crate::util::iterator_for;

/// Decodes `reader` as JSON lines (one JSON value per line), one record of type `T` per resume,
/// straight from a reused line buffer: memory stays at one line and one record, whatever the
/// size of the stream.
///
/// A line that does not decode yields [`StreamError::Json`] (or [`StreamError::Utf8`]) with
/// its number, and decoding goes on with the next line; a read error yields
/// [`StreamError::Io`] and ends the stream. Lines holding only whitespace carry no record and
/// are passed over (they count in the line numbers). A line longer than
/// [`DEFAULT_MAX_LINE_LEN`](super::DEFAULT_MAX_LINE_LEN) (or [`JsonLines::max_line_len`])
/// yields [`StreamError::TooLong`] without being buffered, and decoding goes on. Returns the
/// number of lines read (also kept for [`JsonLines::take_return`]).
///
/// # Examples
///
/// ```
/// use serde::Deserialize;
/// use stasis_combinators::GeneratorExt;
/// use stasis_combinators::stream::json_lines;
/// use stasis_core::{Generator, Step};
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

/// The generator [`json_lines`] returns.
///
/// # Examples
///
/// ```
/// let sum: u32 = stasis_combinators::stream::json_lines::<u32, _>(&b"1\n2\n"[..])
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

impl<T, R> JsonLines<T, R> {
    /// Sets the longest line, in bytes without its `\n` or `\r\n`, that is decoded (default
    /// [`DEFAULT_MAX_LINE_LEN`](super::DEFAULT_MAX_LINE_LEN)); a longer line yields
    /// [`StreamError::TooLong`], and no more than `max` bytes of it are held in memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use stasis_combinators::stream::{StreamError, json_lines};
    /// let mut it = json_lines::<u32, _>(&b"1\n123456\n3\n"[..]).max_line_len(3);
    /// assert_eq!(it.next().unwrap().unwrap(), 1);
    /// let err = it.next().unwrap().unwrap_err();
    /// assert!(matches!(err, StreamError::TooLong { line: 2, len: 6, limit: 3 }));
    /// assert_eq!(it.next().unwrap().unwrap(), 3);
    /// ```
    pub fn max_line_len(mut self, max: usize) -> Self {
        self.reader.max_len = max;
        self
    }

    /// The number of lines read so far (blank lines included, as in the line numbers).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut it = stasis_combinators::stream::json_lines::<u8, _>(&b"\n1\n2\n"[..]);
    /// it.next();
    /// assert_eq!(it.lines_read(), 2);
    /// ```
    pub fn lines_read(&self) -> u64 {
        self.reader.line
    }

    /// The return value (the number of lines read) once the stream has ended, also when it was
    /// driven as an `Iterator`; readable once (as [`Gen::take_return`](stasis_core::Gen::take_return)).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut it = stasis_combinators::stream::json_lines::<u8, _>(&b"1\n\n2\n"[..]);
    /// assert_eq!(it.by_ref().count(), 2);
    /// assert_eq!(it.take_return(), Some(3));
    /// assert_eq!(it.take_return(), None);
    /// ```
    pub fn take_return(&mut self) -> Option<u64> {
        self.ret.take()
    }

    /// The reader, given back (positioned after the last line read).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut it = stasis_combinators::stream::json_lines::<u8, _>(&b"1\n2\n"[..]);
    /// it.next();
    /// assert_eq!(it.into_inner(), Some(&b"2\n"[..]));
    /// ```
    pub fn into_inner(self) -> Option<R> {
        self.reader.reader
    }
}

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
                    return Step::Yielded(serde_json::from_slice(bytes).map_err(|source| {
                        // serde_json reports bad UTF-8 inside strings as a syntax error, with
                        // the position; keep it as a JSON error.
                        StreamError::Json { line, source }
                    }));
                }
            }
        }
    }

    fn throw(&mut self, err: Infallible) -> Step<Self::Yield, u64> {
        match err {}
    }

    fn close(&mut self) -> Result<Option<u64>, CloseError<Self::Yield, Infallible>> {
        self.reader.reader = None;
        self.finished = true;
        Ok(None)
    }

    fn state(&self) -> State {
        self.reader.state(self.finished)
    }

    #[inline]
    fn length_hint(&self) -> (usize, Option<usize>) {
        if self.finished { (0, Some(0)) } else { (0, None) }
    }
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
