//! `gen_chunk_by` streams a run of any length in constant memory: reading a group of 10^7 equal
//! keys allocates exactly the blocks a group of 10^3 does (none per value), and the heap's peak
//! does not grow.
//!
//! Its own process, without the test harness: dhat's counting allocator is the binary's global
//! allocator and counts every thread's allocations (the harness's threads would add theirs),
//! and dhat allows one profiler per process.

use stasis::{GeneratorExt, from_iter};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Reads one run of `n` equal keys through `gen_chunk_by`, checking every value arrives;
/// returns (blocks allocated, peak heap bytes) since the profiler started.
fn read_one_run(n: u64) -> (u64, usize) {
    let mut runs = from_iter(0..n).gen_chunk_by(|_| 'k');
    let (key, group) = runs.next().expect("one group");
    let (count, sum) = group.fold((0u64, 0u64), |(c, s), v| (c + 1, s.wrapping_add(v)));
    assert_eq!((key, count, sum), ('k', n, n * (n - 1) / 2));
    assert!(runs.next().is_none());
    let stats = dhat::HeapStats::get();
    (stats.total_blocks, stats.max_bytes)
}

fn main() {
    let profiler = dhat::Profiler::builder().testing().build();
    let (blocks_small, peak_small) = read_one_run(1_000);
    let (blocks_both, peak_both) = read_one_run(10_000_000);
    drop(profiler);
    let blocks_big = blocks_both - blocks_small;
    println!(
        "run of 10^3: {blocks_small} blocks, peak {peak_small} B; \
         run of 10^7: {blocks_big} blocks, peak {peak_both} B"
    );
    assert_eq!(blocks_big, blocks_small, "a run of 10^7 allocates per value");
    assert_eq!(peak_both, peak_small, "the heap's peak grows with the run");
    assert!(peak_small < 4096, "more than the shared state: {peak_small} bytes");
    println!("chunk_by_memory: 1 passed, 0 failed");
}
