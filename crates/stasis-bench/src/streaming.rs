//! The streaming workload of `cargo xtask bench`: one JSON-lines file of synthetic tweets,
//! aggregated the same way by every variant, so their times compare.
//!
//! The aggregation: parse each line as a [`Tweet`] (a line that is not valid JSON is counted
//! and skipped), keep the tweets in English, and sum `retweets + number of hashtags` over them.
//! Every variant returns the same [`Tally`]; `cargo xtask bench` checks that they agree before it
//! reports their times.
//!
//! ```text
//! generate ─▶ target/…/streaming.jsonl ─┬─▶ stasis_pipeline   json_lines → skip_errors → gen_filter → gen_map → fold
//!                                        ├─▶ hand_loop         read_until + from_utf8 + serde_json::from_str (the floor)
//!                                        ├─▶ slice_loop        the same with serde_json::from_slice
//!                                        ├─▶ scan_only         read_until + one pass over the bytes (no parsing)
//!                                        └─▶ benches/streaming.py  CPython generators (json.loads)
//! ```

use std::io::{self, BufRead, Write};

use serde::Deserialize;
use stasis::prelude::*;
use stasis::stream;

/// One record of the file. Every field is read (owned), as a program aggregating them would.
#[derive(Debug, Deserialize)]
pub struct Tweet {
    /// Sequence number.
    pub id: u64,
    /// Author.
    pub user: String,
    /// Language code (`en`, `es`, ...).
    pub lang: String,
    /// The words.
    pub text: String,
    /// Hashtags, without `#`.
    pub hashtags: Vec<String>,
    /// Retweet count.
    pub retweets: u32,
}

/// What every variant computes.
///
/// # Examples
///
/// ```
/// let t = stasis_bench::streaming::Tally::default();
/// assert_eq!(t.records + t.bad + t.kept + t.sum, 0);
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Lines parsed into a record.
    pub records: u64,
    /// Lines that were not valid JSON (skipped).
    pub bad: u64,
    /// Records that passed the filter (`lang == "en"`).
    pub kept: u64,
    /// Sum of `retweets + hashtags.len()` over the kept records.
    pub sum: u64,
}

/// The filter of the workload.
#[inline]
fn keep(t: &Tweet) -> bool {
    t.lang == "en"
}

/// The map of the workload.
#[inline]
fn weight(t: Tweet) -> u64 {
    u64::from(t.retweets) + t.hashtags.len() as u64
}

/// Every this many lines, the generator writes a line that is not valid JSON.
pub const BAD_EVERY: u64 = 10_007;

const LANGS: [&str; 8] = ["en", "es", "ja", "pt", "fr", "de", "ar", "ko"];
const WORDS: [&str; 12] = [
    "generators",
    "are",
    "lazy",
    "rust",
    "python",
    "stream",
    "records",
    "yield",
    "frame",
    "stack",
    "pipeline",
    "data",
];

/// Writes at least `size` bytes of JSON lines (whole lines; deterministic) and returns the bytes
/// written. Every [`BAD_EVERY`]th line is a truncated record, so error handling is on the path.
///
/// # Errors
///
/// The writer's errors.
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// let n = stasis_bench::streaming::generate(&mut out, 1000).unwrap();
/// assert_eq!(n, out.len() as u64);
/// assert!(n >= 1000 && out.ends_with(b"\n"));
/// ```
pub fn generate(out: &mut impl Write, size: u64) -> io::Result<u64> {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rand = move || {
        // xorshift64*: deterministic, no dependency.
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut line = String::with_capacity(512);
    let mut written = 0u64;
    let mut id = 0u64;
    while written < size {
        use std::fmt::Write as _;
        id += 1;
        line.clear();
        let r = rand();
        let lang = LANGS[((r >> 16) % 8 * ((r >> 24) % 8) % 8) as usize];
        let _ = write!(
            line,
            r#"{{"id":{id},"user":"user{}","lang":"{lang}","text":""#,
            rand() % 100_000
        );
        for i in 0..6 + (r >> 8) % 14 {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(WORDS[(rand() % WORDS.len() as u64) as usize]);
        }
        line.push_str(r#"","hashtags":["#);
        for i in 0..r % 4 {
            if i > 0 {
                line.push(',');
            }
            let _ = write!(line, r#""tag{}""#, (rand() % 23) * (rand() % 23) + i);
        }
        let _ = write!(line, r#"],"retweets":{}}}"#, rand() % 1000);
        if id.is_multiple_of(BAD_EVERY) {
            line.truncate(line.len() / 2);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(written)
}

/// (a) The stasis pipeline: `stream::json_lines` → `skip_errors` → `gen_filter` → `gen_map` →
/// `fold`.
///
/// # Examples
///
/// ```
/// use stasis_bench::streaming::{generate, stasis_pipeline, hand_loop};
/// let mut file = Vec::new();
/// generate(&mut file, 100_000).unwrap();
/// let tally = stasis_pipeline(&file[..]);
/// assert!(tally.records > 100 && tally.bad > 0 || file.len() < 2_000_000);
/// assert_eq!(tally, hand_loop(&file[..]).unwrap());
/// ```
pub fn stasis_pipeline(reader: impl BufRead) -> Tally {
    let mut bad = 0u64;
    let mut records = 0u64;
    let (kept, sum) = stream::json_lines::<Tweet, _>(reader)
        .skip_errors(|_| bad += 1)
        .gen_filter(|t| {
            records += 1;
            keep(t)
        })
        .gen_map(weight)
        .fold((0u64, 0u64), |(n, s), w| (n + 1, s + w));
    Tally { records, bad, kept, sum }
}

/// (b) The same work as a hand-written loop: `read_until` into one reused buffer, one UTF-8
/// check of the line, `serde_json::from_str`, `if`, `+=`. The floor for this work with
/// serde_json.
///
/// # Errors
///
/// I/O errors of the reader.
///
/// # Examples
///
/// ```
/// let t = stasis_bench::streaming::hand_loop(&b"{\"x\":1}\n"[..]).unwrap();
/// assert_eq!((t.records, t.bad), (0, 1)); // not a Tweet
/// ```
pub fn hand_loop(reader: impl BufRead) -> io::Result<Tally> {
    parse_loop(reader, |line| match std::str::from_utf8(line) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(line),
    })
}

/// The hand-written loop with `serde_json::from_slice` on the line's bytes, which checks the
/// UTF-8 of every string on its own (where [`hand_loop`] checks the line once and parses a
/// `&str`). Same [`Tally`].
///
/// # Errors
///
/// I/O errors of the reader.
///
/// # Examples
///
/// ```
/// use stasis_bench::streaming::{generate, hand_loop, slice_loop};
/// let mut file = Vec::new();
/// generate(&mut file, 50_000).unwrap();
/// assert_eq!(slice_loop(&file[..]).unwrap(), hand_loop(&file[..]).unwrap());
/// ```
pub fn slice_loop(reader: impl BufRead) -> io::Result<Tally> {
    parse_loop(reader, |line| serde_json::from_slice(line))
}

/// The loop of [`hand_loop`] with the parser `parse` (an error: not a record).
#[inline]
fn parse_loop<E>(
    reader: impl BufRead,
    mut parse: impl FnMut(&[u8]) -> Result<Tweet, E>,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    each_line(reader, |line| match parse(line) {
        Ok(t) => {
            tally.records += 1;
            if keep(&t) {
                tally.kept += 1;
                tally.sum += weight(t);
            }
        }
        Err(_) => tally.bad += 1,
    })?;
    Ok(tally)
}

/// Calls `f` with every line that holds more than whitespace (without its `\n`), read with
/// `read_until` into one reused buffer.
#[inline]
fn each_line(mut reader: impl BufRead, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if !line.iter().all(u8::is_ascii_whitespace) {
            f(line);
        }
    }
}

/// The hand-written loop with the parsing replaced by one cheap pass over each line's bytes
/// (counting quotes): what reading and splitting the lines cost alone. Its [`Tally`] counts
/// lines in `records` and quotes in `sum`, so it does not match the others.
///
/// # Errors
///
/// I/O errors of the reader.
///
/// # Examples
///
/// ```
/// let t = stasis_bench::streaming::scan_only(&b"{\"x\":1}\n\n"[..]).unwrap();
/// assert_eq!((t.records, t.sum), (1, 2));
/// ```
pub fn scan_only(reader: impl BufRead) -> io::Result<Tally> {
    let mut tally = Tally::default();
    each_line(reader, |line| {
        tally.records += 1;
        tally.sum += line.iter().filter(|&&b| b == b'"').count() as u64;
    })?;
    Ok(tally)
}

/// The hand-written loop with sonic-rs (SIMD JSON) in place of serde_json: whether a faster
/// parser would serve users of the pipeline. Same [`Tally`] as [`hand_loop`].
///
/// # Errors
///
/// I/O errors of the reader.
///
/// # Examples
///
/// ```
/// use stasis_bench::streaming::{generate, hand_loop, sonic_loop};
/// let mut file = Vec::new();
/// generate(&mut file, 50_000).unwrap();
/// assert_eq!(sonic_loop(&file[..]).unwrap(), hand_loop(&file[..]).unwrap());
/// ```
pub fn sonic_loop(reader: impl BufRead) -> io::Result<Tally> {
    parse_loop(reader, |line| sonic_rs::from_slice(line))
}
