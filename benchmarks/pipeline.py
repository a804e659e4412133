"""Benchmark: the full directed COW dyad-year pipeline (issue 2's acceptance sizes).

Measures, from a built warehouse:
  1. the pipeline itself in-process (dyad_years 1816–2024 + ATOP + NMC + majors + contiguity +
     GML MIDs + peace-years; 2,214,930 rows) — best and median of N runs after one warm-up;
  2. the whole command `foedus frame dyad-years … -o FILE.parquet` as a fresh process, wall time;
  3. peak resident memory of that process.

Run:  uv run --frozen python benchmarks/pipeline.py [--data ../shared/data] [--runs 5]
It builds a warehouse in a temporary folder from the data directory first (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WITH = "atop,nmc,majors,contiguity,gml-mids,peace-years"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    import foedus
    from foedus.warehouse import Warehouse

    tmp = Path(tempfile.mkdtemp(prefix="foedus-bench-"))
    wh_path = tmp / "warehouse.duckdb"
    with Warehouse(wh_path) as wh:
        t0 = time.perf_counter()
        wh.import_dir(args.data)
        import_seconds = time.perf_counter() - t0

    def pipeline() -> int:
        wh = Warehouse(wh_path, read_only=True)
        frame = foedus.dyad_years("cow", directed=True, years="1816-2024", warehouse=wh)
        frame = frame.enrich(WITH.split(","))
        wh.close()
        return frame.height

    rows = (
        pipeline()
    )  # warm-up: imports modules, fills caches for nothing persistent across processes
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        pipeline()
        times.append(time.perf_counter() - t0)

    out_file = tmp / "ddy.parquet"
    cmd = [
        sys.executable,
        "-m",
        "foedus.cli",
        "frame",
        "dyad-years",
        "--system",
        "cow",
        "--directed",
        "--years",
        "1816-2024",
        "--with",
        WITH,
        "-o",
        str(out_file),
        "--warehouse",
        str(wh_path),
    ]
    cli_times = []
    peak_kb = 0
    for _ in range(max(3, args.runs // 2)):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        cli_times.append(time.perf_counter() - t0)
        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)

    result = {
        "rows": rows,
        "warehouse_import_seconds": round(import_seconds, 3),
        "pipeline_seconds_best": round(min(times), 3),
        "pipeline_seconds_median": round(statistics.median(times), 3),
        "command_seconds_best": round(min(cli_times), 3),
        "command_seconds_median": round(statistics.median(cli_times), 3),
        "command_peak_rss_mb": round(peak_kb / 1024, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "targets": {"pipeline_seconds": 1.5, "command_seconds": 3.0, "peak_rss_mb": 2048},
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
