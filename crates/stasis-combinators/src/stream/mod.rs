//! Streaming sources: the lines of any [`BufRead`](std::io::BufRead), and JSON lines decoded
//! one record at a time with serde_json, in constant memory.
//!
//! Each source is a stasis generator (`Generator<()>`, so an `Iterator` too) yielding
//! `Result<_, StreamError>`. A bad line becomes one error item naming its line number and the
//! cause, and the source goes on with the next line: the caller chooses what to do with it,
//! with ordinary `match`es or with two adaptors:
//!
//! - [`stop_on_error`](crate::GeneratorExt::stop_on_error): end at the first error, which
//!   becomes the return value;
//! - [`skip_errors`](crate::GeneratorExt::skip_errors): hand every error to a callback (log
//!   it, count it) and go on.
//!
//! Memory is bounded whatever the input: a line longer than [`DEFAULT_MAX_LINE_LEN`] (or the
//! limit set with `max_line_len`) becomes a [`StreamError::TooLong`](crate::stream::StreamError::TooLong) item naming its number
//! and length; the rest of it is read and dropped without being buffered, and reading goes
//! on with the next line.
//!
//! Nothing is dropped silently; only lines holding nothing but whitespace, which carry no
//! record, are passed over by [`json_lines`](crate::stream::json_lines) (they still count in the line numbers).
//!
//! # Examples
//!
//! ```
//! # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
//! use stasis::GeneratorExt;
//! use stasis::stream::json_lines;
//!
//! let input = "{\"n\": 1}\n{\"n\": oops}\n{\"n\": 3}\n";
//! let mut bad = Vec::new();
//! let total: i64 = json_lines::<serde_json::Value, _>(input.as_bytes())
//!     .skip_errors(|e| bad.push(e.to_string()))
//!     .map(|v| v["n"].as_i64().unwrap())
//!     .sum();
//! assert_eq!(total, 4);
//! assert_eq!(bad.len(), 1);
//! assert!(bad[0].starts_with("line 2: invalid JSON: expected value"), "{}", bad[0]);
//! ```

/// The protocol methods [`Lines`](crate::stream::Lines) and
/// [`JsonLines`](crate::stream::JsonLines) share, written inside their `Generator` impls: a
/// line source cannot be thrown into (`Infallible`), and closing it drops the reader.
macro_rules! line_source_protocol {
    () => {
        fn throw(&mut self, err: ::core::convert::Infallible) -> ::stasis_core::Step<Self::Yield, u64> {
            match err {}
        }

        fn close(&mut self) -> Result<Option<u64>, ::stasis_core::CloseError<Self::Yield, ::core::convert::Infallible>> {
            self.reader.reader = None;
            self.finished = true;
            Ok(None)
        }

        fn state(&self) -> ::stasis_core::State {
            self.reader.state(self.finished)
        }

        #[inline]
        fn length_hint(&self) -> (usize, Option<usize>) {
            if self.finished { (0, Some(0)) } else { (0, None) }
        }
    };
}

mod errors;
mod json_lines;
mod lines;

pub use errors::{SkipErrors, StopOnError};
pub use json_lines::{JsonLines, json_lines};
pub use lines::{Lines, lines};

use std::io;

/// The methods [`Lines`](crate::stream::Lines) and [`JsonLines`](crate::stream::JsonLines) share, each with a doctest calling `$ctor` (a path
/// to the source's function, over numbers so that both sources read them).
macro_rules! line_source_methods {
    ([$($generics:tt)*] $ty:ty, $ctor:literal) => {
        impl<$($generics)*> $ty {
            #[doc = concat!(
                "Sets the longest line, in bytes without its `\\n` or `\\r\\n`, that is read ",
                "(default [`DEFAULT_MAX_LINE_LEN`](super::DEFAULT_MAX_LINE_LEN)); a longer line ",
                "yields [`StreamError::TooLong`](super::StreamError::TooLong), and no more than ",
                "`max` bytes of it are held in memory.\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "use stasis::stream::StreamError;\n",
                "let mut it = ", $ctor, "(&b\"1\\n123456\\n3\\n\"[..]).max_line_len(3);\n",
                "assert!(it.next().unwrap().is_ok());\n",
                "let err = it.next().unwrap().unwrap_err();\n",
                "assert!(matches!(err, StreamError::TooLong { line: 2, len: 6, limit: 3 }));\n",
                "assert!(it.next().unwrap().is_ok());\n```"
            )]
            pub fn max_line_len(mut self, max: usize) -> Self {
                self.reader.max_len = max;
                self
            }

            #[doc = concat!(
                "The number of lines read so far (the numbers errors give count the same ",
                "way).\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "let mut it = ", $ctor, "(&b\"1\\n2\\n\"[..]);\n",
                "it.next();\n",
                "assert_eq!(it.lines_read(), 1);\n```"
            )]
            pub fn lines_read(&self) -> u64 {
                self.reader.line
            }

            #[doc = concat!(
                "The return value (the number of lines read) once the stream has ended, also ",
                "when it was driven as an `Iterator`; readable once (as ",
                "[`Gen::take_return`](stasis_core::Gen::take_return)).\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "let mut it = ", $ctor, "(&b\"1\\n2\\n\"[..]);\n",
                "assert_eq!(it.by_ref().count(), 2);\n",
                "assert_eq!(it.take_return(), Some(2));\n",
                "assert_eq!(it.take_return(), None);\n```"
            )]
            pub fn take_return(&mut self) -> Option<u64> {
                self.ret.take()
            }

            #[doc = concat!(
                "The reader, given back (positioned after the last line read; `None` once the ",
                "stream has ended).\n\n# Examples\n\n```\n",
                crate::util::doc_example_prelude!(),
                "let mut it = ", $ctor, "(&b\"1\\n2\\n\"[..]);\n",
                "it.next();\n",
                "assert_eq!(it.into_inner(), Some(&b\"2\\n\"[..]));\n```"
            )]
            pub fn into_inner(self) -> Option<R> {
                self.reader.reader
            }
        }
    };
}

use line_source_methods;

/// A bad line of a stream: its number (from 1) and the cause.
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::stream::{StreamError, lines};
/// let mut it = lines(&b"ok\n\xff\n"[..]);
/// assert_eq!(it.next().unwrap().unwrap(), "ok");
/// let err: StreamError = it.next().unwrap().unwrap_err();
/// assert_eq!(err.line(), 2);
/// assert!(err.to_string().starts_with("line 2: not valid UTF-8"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// Reading failed; the stream ends after this error.
    #[error("line {line}: I/O error: {source}")]
    Io {
        /// The line being read.
        line: u64,
        /// The reader's error.
        source: io::Error,
    },
    /// The line is not UTF-8.
    #[error("line {line}: not valid UTF-8: {source}")]
    Utf8 {
        /// The line's number, from 1.
        line: u64,
        /// Where the bad bytes are.
        source: std::str::Utf8Error,
    },
    /// The line is not a JSON value of the expected type (the column is within the line).
    #[error("line {line}: invalid JSON: {source}")]
    Json {
        /// The line's number, from 1.
        line: u64,
        /// serde_json's error.
        source: serde_json::Error,
    },
    /// The line is longer than the source's limit ([`DEFAULT_MAX_LINE_LEN`] unless changed with
    /// `max_line_len`). Only the limit's worth of it was held in memory; the rest was read and
    /// dropped, and the stream goes on with the next line.
    #[error(
        "line {line}: {len} bytes, longer than the limit of {limit} bytes (skipped; raise the \
         limit with `max_line_len`)"
    )]
    TooLong {
        /// The line's number, from 1.
        line: u64,
        /// The line's length in bytes, without its `\n` or `\r\n`.
        len: u64,
        /// The limit it broke.
        limit: usize,
    },
}

impl StreamError {
    /// The number (from 1) of the line this error is about.
    ///
    /// # Examples
    ///
    /// ```
    /// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
    /// use stasis::stream::json_lines;
    /// let mut it = json_lines::<u8, _>(&b"1\n\n300\n"[..]);
    /// assert_eq!(it.next().unwrap().unwrap(), 1);
    /// assert_eq!(it.next().unwrap().unwrap_err().line(), 3);
    /// ```
    pub fn line(&self) -> u64 {
        match self {
            StreamError::Io { line, .. }
            | StreamError::Utf8 { line, .. }
            | StreamError::Json { line, .. }
            | StreamError::TooLong { line, .. } => *line,
        }
    }
}

/// The longest line, in bytes (without its `\n` or `\r\n`), that [`lines`](crate::stream::lines) and [`json_lines`](crate::stream::json_lines)
/// read by default: 1 MiB. A longer line becomes a [`StreamError::TooLong`](crate::stream::StreamError::TooLong) item; change the
/// limit with [`Lines::max_line_len`](crate::stream::Lines::max_line_len) / [`JsonLines::max_line_len`](crate::stream::JsonLines::max_line_len).
///
/// # Examples
///
/// ```
/// # mod stasis { pub use ::stasis_core::*; pub use ::stasis_combinators::{GeneratorExt, count, cycle, from_fn, from_iter, push, repeat, repeat_n, stream}; pub mod combinators { pub use ::stasis_combinators::*; } }
/// use stasis::stream::{DEFAULT_MAX_LINE_LEN, lines};
/// let long = "x".repeat(DEFAULT_MAX_LINE_LEN + 1);
/// let mut it = lines(long.as_bytes());
/// assert!(it.next().unwrap().is_err());
/// ```
pub const DEFAULT_MAX_LINE_LEN: usize = 1 << 20;

/// Reads one line at a time into a reused buffer that never holds more than the limit (plus a
/// `\r`): the rest of a longer line is read and dropped a chunk at a time.
#[derive(Debug)]
struct LineReader<R> {
    reader: Option<R>,
    buf: Vec<u8>,
    line: u64,
    max_len: usize,
    started: bool,
}

impl<R: io::BufRead> LineReader<R> {
    fn new(reader: R) -> Self {
        LineReader {
            reader: Some(reader),
            buf: Vec::new(),
            line: 0,
            max_len: DEFAULT_MAX_LINE_LEN,
            started: false,
        }
    }

    /// The next line's number and bytes, without `\n` / `\r\n`; `None` at the end. An I/O
    /// error is returned once, then the reader is dropped. A line longer than `max_len` is a
    /// [`StreamError::TooLong`](crate::stream::StreamError::TooLong) (its bytes past the limit are never buffered).
    fn next_line(&mut self) -> Option<Result<(u64, &[u8]), StreamError>> {
        let reader = self.reader.as_mut()?;
        self.started = true;
        self.buf.clear();
        self.line += 1;
        // Room for the limit and a `\r` before the `\n`.
        let room = self.max_len.saturating_add(1);
        // Bytes of the line (terminator excluded) seen so far, kept or not; `Some` once the
        // line is known to be too long and is being skipped.
        let mut skipped: Option<u64> = None;
        let (mut last_cr, mut newline) = (false, false);
        loop {
            let chunk = match reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    self.reader = None;
                    return Some(Err(StreamError::Io { line: self.line, source }));
                }
            };
            if chunk.is_empty() {
                if self.buf.is_empty() && skipped.is_none() {
                    self.line -= 1;
                    self.reader = None;
                    return None;
                }
                break;
            }
            // memchr scans a word at a time: a byte-by-byte `position` here cost the JSON-lines
            // pipeline 1.21× the instructions of a hand-written `read_until` loop (1.04× with it).
            let (body, used, at_end) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            if let Some(&b) = body.last() {
                last_cr = b == b'\r';
            }
            match &mut skipped {
                Some(n) => *n += body.len() as u64,
                None if body.len() <= room - self.buf.len() => {
                    if self.buf.capacity() < self.buf.len() + body.len() {
                        // Grow as `Vec` would, but never past the limit.
                        let want = (self.buf.capacity() * 2).max(self.buf.len() + body.len());
                        self.buf.reserve_exact(want.min(room) - self.buf.len());
                    }
                    self.buf.extend_from_slice(body);
                }
                None => skipped = Some((self.buf.len() + body.len()) as u64),
            }
            reader.consume(used);
            if at_end {
                newline = true;
                break;
            }
        }
        // Only a line ended by `\n` loses a `\r` before it, as `BufRead::lines` does.
        let cr = u64::from(newline && last_cr);
        if let Some(len) = skipped {
            // More than the limit and a `\r`: too long even without its `\r`.
            return Some(Err(StreamError::TooLong {
                line: self.line,
                len: len - cr,
                limit: self.max_len,
            }));
        }
        let line = &self.buf[..self.buf.len() - cr as usize];
        if line.len() > self.max_len {
            let len = line.len() as u64;
            return Some(Err(StreamError::TooLong { line: self.line, len, limit: self.max_len }));
        }
        Some(Ok((self.line, line)))
    }

    fn state(&self, finished: bool) -> stasis_core::State {
        use stasis_core::State;
        match (finished, self.started) {
            (true, _) => State::Closed,
            (false, false) => State::Created,
            (false, true) => State::Suspended,
        }
    }
}
