//! The big-data example: a JSON-lines file of tweets, written by a lazy generator and then
//! aggregated record by record (top hashtags, tweets per language) in constant memory.
//!
//! ```text
//! cargo run --release --example tweets -- --size 100M        # write a temp file, aggregate, delete it
//! cargo run --release --example tweets -- --file tweets.jsonl --size 1G   # write it once (kept) ...
//! cargo run --release --example tweets -- --file tweets.jsonl              # ... and reuse it
//! cargo run --release --example tweets -- --size 100M --eager             # the same through a Vec
//! ```
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

struct Args {
    size: u64,
    file: Option<PathBuf>,
    eager: bool,
}

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

fn parse_args() -> Result<Args> {
    let mut args = Args { size: 1 << 30, file: None, eager: false };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--size" => {
                args.size = parse_size(&it.next().context("--size needs a value, like 100M")?)?
            }
            "--file" => args.file = Some(it.next().context("--file needs a path")?.into()),
            "--eager" => args.eager = true,
            "-h" | "--help" => {
                println!("usage: tweets [--size 100M] [--file PATH] [--eager]");
                std::process::exit(0);
            }
            other => bail!(
                "unknown argument {other:?}; usage: tweets [--size 100M] [--file PATH] [--eager]"
            ),
        }
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
    let mut out = BufWriter::with_capacity(
        1 << 16,
        File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
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
    let args = parse_args()?;
    let (path, temporary) = match &args.file {
        Some(p) => (p.clone(), false),
        None => (std::env::temp_dir().join(format!("stasis-tweets-{}.jsonl", args.size)), true),
    };
    if !path.exists() {
        write_file(&path, args.size)?;
    } else {
        println!("reusing {}", path.display());
    }
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
