//! The big-data example: a JSON-lines file of tweets, written by a lazy generator and then
//! aggregated record by record (top hashtags, tweets per language) in constant memory.
//!
//! ```text
//! cargo run --release --example tweets -- --size 100M        # write a temp file, aggregate, delete it
//! cargo run --release --example tweets -- --write tweets.jsonl --size 1G  # write a sample file (kept) ...
//! cargo run --release --example tweets -- --file tweets.jsonl             # ... and aggregate it again
//! cargo run --release --example tweets -- --size 100M --eager             # the same through a Vec
//! ```
//!
//! `--file` only reads: a path that does not exist is an error, never a new sample file.
//! `--write` never overwrites a file that exists.
//!
//! Sizes take K, M or G suffixes (powers of 1024); the default is 1G. The program prints the
//! throughput and the peak resident memory (VmHWM from /proc/self/status): flat for the lazy
//! pipeline whatever the file size, growing with the file for `--eager`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use stasis::prelude::*;
use stasis::stream;

#[derive(Debug, Serialize, Deserialize)]
struct Tweet {
    id: u64,
    user: String,
    lang: String,
    text: String,
    hashtags: Vec<String>,
    retweets: u32,
}

const LANGS: [&str; 8] = ["en", "es", "ja", "pt", "fr", "de", "ar", "ko"];
const WORDS: [&str; 16] = [
    "generators",
    "are",
    "lazy",
    "rust",
    "python",
    "stream",
    "records",
    "memory",
    "flat",
    "yield",
    "send",
    "close",
    "frame",
    "stack",
    "pipeline",
    "data",
];

/// An endless, deterministic stream of synthetic tweets, one JSON line each: a lazy generator,
/// so writing a 1 GB file holds one tweet at a time.
fn tweet_lines() -> Gen<String> {
    Gen::new(|co, ()| {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rand = move || {
            // xorshift64*: deterministic, no dependency.
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        for id in 0u64.. {
            let r = rand();
            // Skewed: a few hashtags are common, most are rare (0..=500).
            let hashtags: Vec<String> =
                (0..(r % 4)).map(|i| format!("tag{}", (rand() % 23) * (rand() % 23) + i)).collect();
            let words = 6 + (r >> 8) % 14;
            let text: Vec<&str> = (0..words).map(|_| WORDS[(rand() % 16) as usize]).collect();
            let tweet = Tweet {
                id,
                user: format!("user{}", rand() % 100_000),
                lang: LANGS[((r >> 16) % 8 * (r >> 24) % 8 % 8) as usize].to_string(),
                text: text.join(" "),
                hashtags,
                retweets: (rand() % 1000) as u32,
            };
            co.yield_(serde_json::to_string(&tweet).expect("a tweet serializes"));
        }
    })
}

#[derive(Debug, Default)]
struct Stats {
    tweets: u64,
    hashtags: HashMap<String, u64>,
    langs: HashMap<String, u64>,
}

impl Stats {
    fn add(&mut self, tweet: Tweet) {
        self.tweets += 1;
        *self.langs.entry(tweet.lang).or_default() += 1;
        for tag in tweet.hashtags {
            *self.hashtags.entry(tag).or_default() += 1;
        }
    }

    fn print(&self) {
        let mut tags: Vec<_> = self.hashtags.iter().collect();
        tags.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        println!("top hashtags:");
        for (tag, n) in tags.iter().take(10) {
            println!("  #{tag:<10} {n:>12}");
        }
        let mut langs: Vec<_> = self.langs.iter().collect();
        langs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        println!("tweets per language:");
        for (lang, n) in langs {
            println!("  {lang:<4} {n:>12}");
        }
    }
}

/// Where the tweets come from.
#[derive(Debug, PartialEq)]
enum Source {
    /// A sample file of `size` bytes in the temp directory, deleted at the end.
    Temporary,
    /// A sample file of `size` bytes written at this path (which must not exist), kept.
    Write(PathBuf),
    /// A JSON-lines file that exists: read only.
    Read(PathBuf),
}

#[derive(Debug)]
struct Args {
    size: u64,
    source: Source,
    eager: bool,
}

const USAGE: &str = "usage: tweets [--size 100M] [--write PATH | --file PATH] [--eager]";

fn parse_size(text: &str) -> Result<u64> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let n: u64 = digits.parse().with_context(|| {
        format!("--size {text:?}: expected a number with an optional K, M or G suffix, like 100M")
    })?;
    let scale = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        other => bail!("--size {text:?}: unknown unit {other:?}; use K, M or G (like 100M)"),
    };
    Ok(n * scale)
}

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Args> {
    let mut args = Args { size: 1 << 30, source: Source::Temporary, eager: false };
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let source = match arg.as_str() {
            "--size" => {
                args.size = parse_size(&it.next().context("--size needs a value, like 100M")?)?;
                continue;
            }
            "--eager" => {
                args.eager = true;
                continue;
            }
            "--file" => Source::Read(it.next().context("--file needs a path")?.into()),
            "--write" => Source::Write(it.next().context("--write needs a path")?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}; {USAGE}"),
        };
        if args.source != Source::Temporary {
            bail!("give one of --file PATH (read a file) and --write PATH (write a sample file)");
        }
        args.source = source;
    }
    match &args.source {
        Source::Read(path) if !path.is_file() => bail!(
            "--file {}: no such file. --file reads an existing JSON-lines file; to write a \
             sample file there first, use --write {} [--size 1G]",
            path.display(),
            path.display()
        ),
        Source::Write(path) if path.exists() => bail!(
            "--write {}: the file exists and would be overwritten; read it with --file {}, or \
             delete it first",
            path.display(),
            path.display()
        ),
        _ => {}
    }
    Ok(args)
}

/// Peak resident memory of this process (VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn write_file(path: &PathBuf, size: u64) -> Result<u64> {
    let started = Instant::now();
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    let mut written = 0u64;
    let mut lines = 0u64;
    for line in tweet_lines() {
        if written >= size {
            break;
        }
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        written += line.len() as u64 + 1;
        lines += 1;
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "wrote {lines} tweets, {:.1} MiB to {} in {secs:.2} s ({:.0} MiB/s)",
        written as f64 / (1 << 20) as f64,
        path.display(),
        written as f64 / (1 << 20) as f64 / secs
    );
    Ok(written)
}

fn main() -> Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let (path, temporary) = match &args.source {
        Source::Temporary => {
            let path = std::env::temp_dir().join(format!(
                "stasis-tweets-{}-{}.jsonl",
                args.size,
                std::process::id()
            ));
            write_file(&path, args.size)?;
            (path, true)
        }
        Source::Write(path) => {
            write_file(path, args.size)?;
            (path.clone(), false)
        }
        Source::Read(path) => (path.clone(), false),
    };
    let bytes = std::fs::metadata(&path)?.len();
    let rss_before = peak_rss_kib();

    let started = Instant::now();
    let reader = BufReader::with_capacity(
        1 << 16,
        File::open(&path).with_context(|| format!("opening {}", path.display()))?,
    );
    let mut bad = 0u64;
    let tweets = stream::json_lines::<Tweet, _>(reader).skip_errors(|e| {
        bad += 1;
        eprintln!("skipping {e}");
    });
    let mut stats = Stats::default();
    let mode = if args.eager {
        // Everything in memory first: watch VmHWM grow with the file.
        let all: Vec<Tweet> = tweets.collect();
        for t in all {
            stats.add(t);
        }
        "eager (Vec)"
    } else {
        for t in tweets {
            stats.add(t);
        }
        "lazy (generator pipeline)"
    };
    let secs = started.elapsed().as_secs_f64();
    stats.print();
    println!("mode: {mode}");
    println!(
        "{} records ({bad} bad lines) from {:.1} MiB in {secs:.2} s: {:.0} records/s, {:.0} MiB/s",
        stats.tweets,
        bytes as f64 / (1 << 20) as f64,
        stats.tweets as f64 / secs,
        bytes as f64 / (1 << 20) as f64 / secs
    );
    match (rss_before, peak_rss_kib()) {
        (Some(before), Some(peak)) => println!(
            "peak RSS (VmHWM): {:.1} MiB (after writing: {:.1} MiB)",
            peak as f64 / 1024.0,
            before as f64 / 1024.0
        ),
        _ => println!("peak RSS: /proc/self/status not available on this system"),
    }
    if temporary {
        std::fs::remove_file(&path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args> {
        parse_args(args.iter().map(|a| a.to_string()))
    }

    /// A file that exists: this package's manifest.
    const EXISTING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

    #[test]
    fn a_missing_input_file_is_an_error_that_says_how_to_write_one() {
        let missing = std::env::temp_dir().join("stasis-tweets-test-no-such-file.jsonl");
        let err = parse(&["--file", missing.to_str().unwrap()]).unwrap_err().to_string();
        assert!(err.contains("no such file"), "{err}");
        assert!(err.contains("--write"), "{err}");
        assert!(!missing.exists(), "parsing the arguments wrote nothing");
    }

    #[test]
    fn writing_a_sample_file_is_asked_for_and_never_overwrites() {
        let err = parse(&["--write", EXISTING]).unwrap_err().to_string();
        assert!(err.contains("exists"), "{err}");
        let new = std::env::temp_dir().join("stasis-tweets-test-new.jsonl");
        let args = parse(&["--write", new.to_str().unwrap(), "--size", "1K"]).unwrap();
        assert_eq!(args.source, Source::Write(new));
        assert_eq!(args.size, 1024);
    }

    #[test]
    fn an_existing_file_is_read_and_the_default_is_a_temporary_file() {
        let args = parse(&["--file", EXISTING]).unwrap();
        assert_eq!(args.source, Source::Read(EXISTING.into()));
        assert_eq!(parse(&[]).unwrap().source, Source::Temporary);
        assert!(parse(&["--file", EXISTING, "--write", "x"]).is_err());
    }
}
