//! Lazy video frames: a generator of 10,000 frames versus a `Vec` holding them all.
//!
//! Run with `cargo run --release --example video_frames`. It prints what each approach holds in
//! memory: the `Vec` grows with the number of frames, the generator holds one frame and a stack
//! page or two whatever the length of the video.

use std::mem::size_of_val;

use stasis::prelude::*;

const FRAMES: usize = 10_000;
const FRAME_BYTES: usize = 64 * 48 * 3; // a tiny 64x48 RGB frame

/// A synthetic frame: a gradient that moves with the frame number.
fn render(n: usize) -> Vec<u8> {
    (0..FRAME_BYTES).map(|i| ((i + n) % 251) as u8).collect()
}

fn frames(count: usize) -> Gen<Vec<u8>> {
    Gen::new(move |co, ()| {
        for n in 0..count {
            co.yield_(render(n));
        }
    })
}

fn checksum(frame: &[u8]) -> u64 {
    frame.iter().map(|&b| u64::from(b)).sum()
}

/// Resident memory of this process, from /proc (Linux); `None` elsewhere.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    let before = rss_bytes();
    let all: Vec<Vec<u8>> = (0..FRAMES).map(render).collect();
    let eager_sum: u64 = all.iter().map(|f| checksum(f)).sum();
    let vec_bytes = size_of_val(all.as_slice()) + all.iter().map(Vec::capacity).sum::<usize>();
    let after = rss_bytes();
    println!("Vec of {FRAMES} frames: {vec_bytes} bytes of frame data");
    if let (Some(b), Some(a)) = (before, after) {
        println!("  resident memory grew by {} KiB", a.saturating_sub(b) / 1024);
    }
    drop(all);

    let lazy = frames(FRAMES);
    println!(
        "generator of {FRAMES} frames: {} bytes for the handle, one {FRAME_BYTES}-byte frame at a time",
        size_of_val(&lazy)
    );
    let lazy_sum: u64 = lazy.map(|f| checksum(&f)).sum();
    assert_eq!(eager_sum, lazy_sum);
    println!("same checksum both ways: {lazy_sum}");
}
