#!/usr/bin/env python3
"""Opens every Arrow IPC table of a run directory with polars and prints its rows, columns,
size and read time: the check of issue 18's target 2 ("nodes.arrow of a 1M-pod run opens in
apache-arrow JS and polars") on the run itself. Development tool, not runtime code; needs
Python 3 with polars (`pip install polars`):

    node bin/simctl.js run bench/scenarios/1m-pods-50k-nodes.yaml --out /tmp/1m
    python3 bench/polars-open.py /tmp/1m/1m-pods-50k-nodes-42

Reads each file whole (`pl.read_ipc`, no memory map), so the time includes decoding every
column. Exits 1 if a table fails to open.
"""

import os
import sys
import time

import polars as pl


def main(run_dir: str) -> int:
    tables = sorted(f for f in os.listdir(run_dir) if f.endswith(".arrow"))
    if not tables:
        print(f"{run_dir}: no .arrow files", file=sys.stderr)
        return 1
    print(f"polars {pl.__version__}")
    failed = 0
    for name in tables:
        path = os.path.join(run_dir, name)
        t0 = time.perf_counter()
        try:
            df = pl.read_ipc(path, memory_map=False)
        except Exception as e:  # a table that does not open is the finding, not a crash
            print(f"{name}: FAILED: {e}")
            failed += 1
            continue
        seconds = time.perf_counter() - t0
        size_mb = os.path.getsize(path) / 1e6
        print(f"{name}: {df.height:,} rows x {df.width} columns, {size_mb:.1f} MB, read in {seconds:.2f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: polars-open.py RUN_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
