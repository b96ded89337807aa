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

mod errors;
mod json_lines;
mod lines;

pub use errors::{SkipErrors, StopOnError};
pub use json_lines::{JsonLines, json_lines};
pub use lines::{Lines, lines};

use std::io;

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
            | StreamError::Json { line, .. } => *line,
        }
    }
}

/// Reads one line at a time into a reused buffer.
#[derive(Debug)]
struct LineReader<R> {
    reader: Option<R>,
    buf: Vec<u8>,
    line: u64,
    started: bool,
}

impl<R: io::BufRead> LineReader<R> {
    fn new(reader: R) -> Self {
        LineReader { reader: Some(reader), buf: Vec::with_capacity(256), line: 0, started: false }
    }

    /// The next line's number and bytes, without `\n` / `\r\n`; `None` at the end. An I/O error is returned
    /// once, then the reader is dropped.
    fn next_line(&mut self) -> Option<Result<(u64, &[u8]), StreamError>> {
        let reader = self.reader.as_mut()?;
        self.started = true;
        self.buf.clear();
        self.line += 1;
        loop {
            match reader.read_until(b'\n', &mut self.buf) {
                Ok(0) if self.buf.is_empty() => {
                    self.line -= 1;
                    self.reader = None;
                    return None;
                }
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    self.reader = None;
                    return Some(Err(StreamError::Io { line: self.line, source }));
                }
            }
        }
        let mut line = &self.buf[..];
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest.strip_suffix(b"\r").unwrap_or(rest);
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
