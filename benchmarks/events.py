"""Events pipeline at scale: whole-process time and peak memory of ``foedus events aggregate`` on
synthetic GDELT-shaped files (scripts/make_synthetic_events.py), per engine and size.

    uv run --frozen python benchmarks/events.py --rows 1000000 10000000 --engines duckdb spark
    uv run --frozen python benchmarks/events.py --rows 100000000 --engines duckdb

Prints one JSON line per run: rows, engine, seconds, rows per second per core, peak RSS (MiB) of
the whole process tree (``/usr/bin/time -v`` when present, else the children's rusage).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb"])
    parser.add_argument("--data", type=Path, default=Path("/tmp/foedus-bench-events"))
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    for rows in args.rows:
        folder = args.data / f"{rows}"
        if not folder.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_synthetic_events.py"),
                            "--rows", str(rows), "--out", str(folder)], check=True)
        files = sorted(str(p) for p in folder.glob("*.parquet"))
        for engine in args.engines:
            out = args.data / f"agg-{rows}-{engine}.parquet"
            cmd = [shutil.which("foedus") or "foedus", "events", "aggregate", *files, "-o", str(out),
                   "--engine", engine, "--master", args.master, "--json"]
            timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
            if timer:
                cmd = [timer, "-v", *cmd]
            started = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                print(json.dumps({"rows": rows, "engine": engine, "error": done.stderr[-500:]}))
                continue
            peak = None
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
            if found:
                peak = int(found.group(1)) / 1024
            else:
                peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            report = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps({"rows": rows, "engine": engine, "seconds": round(seconds, 1),
                              "rows_per_s_per_core": round(rows / seconds / cores),
                              "peak_rss_mib": None if peak is None else round(peak),
                              "output_rows": report["output_rows"],
                              "note": "Spark's JVM is a child process; its memory is counted by "
                                      "/usr/bin/time -v only" if engine == "spark" else ""}),
                  flush=True)


if __name__ == "__main__":
    main()
