//! Hostile input keeps memory bounded (issue 9 C): a line longer than the stream sources' limit
//! becomes one error item naming its number and length, the rest of it is skipped without
//! being buffered, and reading goes on with the next line.
//!
//! Memory is measured with a counting global allocator (bytes live at the peak), which is exact
//! and independent of timing; it is a process-wide measure, so this binary holds one test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use stasis_combinators::stream::{DEFAULT_MAX_LINE_LEN, StreamError, json_lines, lines};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees are this allocator's; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract (non-zero size), forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` was allocated by `System` (through `alloc`/`realloc` above) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `realloc`'s contract for a block `System` allocated.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            let live = LIVE.fetch_add(new_size, Relaxed) + new_size;
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes allocated at the peak while `f` runs, above what was live when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed) - base)
}

/// `{"n": 1}`, then one line of `long` bytes, then `{"n": 3}`, made on the fly so the input
/// itself takes no memory.
fn hostile_input(long: usize) -> impl Read {
    let before = &b"{\"n\": 1}\n"[..];
    let after = &b"\n{\"n\": 3}\n"[..];
    before.chain(std::io::repeat(b'x').take(long as u64)).chain(after)
}

/// What the reader's own buffer, the error item and the records may take beyond the line
/// buffer: a small constant, independent of the line's length.
const SLACK: usize = 64 << 10;
const READ_BUF: usize = 8 << 10;

#[test]
fn a_line_ten_times_the_limit_is_an_error_item_and_memory_stays_within_the_limit() {
    // The default limit, through both sources.
    let long = 10 * DEFAULT_MAX_LINE_LEN;
    let (items, peak) = peak_during(|| {
        let reader = BufReader::with_capacity(READ_BUF, hostile_input(long));
        let mut it = json_lines::<serde_json::Value, _>(reader);
        let items: Vec<_> = it.by_ref().map(|r| r.map_err(|e| e.to_string())).collect();
        (items, it.take_return())
    });
    assert!(
        peak <= DEFAULT_MAX_LINE_LEN + READ_BUF + SLACK,
        "peak {peak} bytes for a line of {long} bytes, limit {DEFAULT_MAX_LINE_LEN}"
    );
    eprintln!("peak {peak} bytes above the baseline for a line of {long} bytes");
    let (items, lines_read) = items;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0], Ok(serde_json::json!({"n": 1})));
    assert_eq!(
        items[1],
        Err(format!(
            "line 2: {long} bytes, longer than the limit of {DEFAULT_MAX_LINE_LEN} bytes \
             (skipped; raise the limit with `max_line_len`)"
        ))
    );
    assert_eq!(items[2], Ok(serde_json::json!({"n": 3})));
    assert_eq!(lines_read, Some(3));

    // A configured limit, through `lines`, with `\r\n` endings.
    let limit = 1000;
    let long = 10 * limit;
    let (items, peak) = peak_during(|| {
        let input =
            b"a\r\n".chain(std::io::repeat(b'y').take(long as u64)).chain(&b"\r\nb\r\n"[..]);
        let reader = BufReader::with_capacity(64, input);
        lines(reader).max_line_len(limit).collect::<Vec<_>>()
    });
    assert!(peak <= limit + SLACK, "peak {peak} bytes for a line of {long} bytes, limit {limit}");
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_deref().unwrap(), "a");
    match &items[1] {
        Err(e @ StreamError::TooLong { line: 2, len, limit: l }) => {
            assert_eq!((*len, *l), (long as u64, limit));
            assert_eq!(e.line(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(items[2].as_deref().unwrap(), "b");

    // The edges: the limit counts the line without its `\n` / `\r\n`, through any chunking.
    for cap in [1, 2, 3, 64] {
        let input = &b"abcd\r\nabcde\nabcd\nab\r\r\n\nabcdef"[..];
        let got: Vec<_> = lines(BufReader::with_capacity(cap, input))
            .max_line_len(4)
            .map(|r| r.map_err(|e| e.to_string()))
            .collect();
        let too_long = |line, len| {
            Err(format!(
                "line {line}: {len} bytes, longer than the limit of 4 bytes \
                 (skipped; raise the limit with `max_line_len`)"
            ))
        };
        let ok = |s: &str| Ok(s.to_owned());
        assert_eq!(
            got,
            [ok("abcd"), too_long(2, 5), ok("abcd"), ok("ab\r"), ok(""), too_long(6, 6)],
            "BufReader capacity {cap}"
        );
    }
}
