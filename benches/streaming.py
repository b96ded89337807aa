#!/usr/bin/env python3
"""CPython's generator pipeline on the streaming workload of `cargo xtask bench`.

The same aggregation as crates/stasis-bench/src/streaming.rs: parse each line of a JSON-lines
file (a line that is not valid JSON is counted and skipped), keep the tweets in English, sum
`retweets + len(hashtags)` over them. Written as the tutorial writes it, a chain of generators.
Prints one JSON object, in the shape of `stasis-stream run`.

Usage: python3 benches/streaming.py PATH
"""

import json
import os
import resource
import sys
import time


def json_lines(lines, counts):
    """Records parsed from the lines; counts[0] counts records, counts[1] bad lines."""
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            counts[1] += 1
            continue
        counts[0] += 1
        yield record


def main():
    path = sys.argv[1]
    counts = [0, 0]
    # The clock of crates/stasis-bench/src/clock.rs (this process is single-threaded).
    wall = os.environ.get("STASIS_BENCH_CLOCK") == "wall"
    now = time.perf_counter if wall else time.thread_time
    started = now()
    with open(path, "rb") as f:
        tweets = json_lines(f, counts)
        english = (t for t in tweets if t["lang"] == "en")
        weights = (t["retweets"] + len(t["hashtags"]) for t in english)
        kept = 0
        total = 0
        for w in weights:
            kept += 1
            total += w
    secs = now() - started
    # ru_maxrss is in KiB on Linux.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "variant": "cpython",
        "clock": "wall" if wall else "cpu",
        "bytes": os.path.getsize(path),
        "secs": secs,
        "records": counts[0],
        "bad": counts[1],
        "kept": kept,
        "sum": total,
        "peak_rss_bytes": peak,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
