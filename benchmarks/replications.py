"""Benchmark: each replication of the gallery end to end (issue 10: under 20 s each).

For every replication: a fresh ``foedus replicate run NAME --json`` process (wall clock, including
interpreter start and imports) and the run inside one process (``foedus.replications.run``,
best of ``--runs``, wall clock and the process's CPU time over all threads). The machine's load
average is printed with the figures.

Note: with ``PYTHONDONTWRITEBYTECODE=1`` in the environment every fresh process recompiles the
imported libraries (several seconds); the in-process figure excludes that.

Run:  uv run --frozen python benchmarks/replications.py --warehouse FILE [--runs 2] [--json]
      [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", default=os.environ.get("FOEDUS_WAREHOUSE"))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--only", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from foedus.replications import names, run

    rows = []
    for name in [args.only] if args.only else names():
        t0 = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "foedus"), "replicate", "run", name, "--json",
                        "--warehouse", args.warehouse], capture_output=True, check=True)
        fresh = time.perf_counter() - t0
        inner, cpu = [], []
        for _ in range(max(1, args.runs)):
            c1 = time.process_time()
            t1 = time.perf_counter()
            result = run(name, args.warehouse)
            inner.append(time.perf_counter() - t1)
            cpu.append(time.process_time() - c1)
        rows.append({"name": name, "n": result.model.n, "fresh_process_s": round(fresh, 2),
                     "in_process_best_s": round(min(inner), 2),
                     "in_process_cpu_s": round(min(cpu), 2),
                     "load_average": os.getloadavg()[0],
                     "under_target": min(inner) < TARGET_S})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        print(f"{r['name']:<22} N {r['n']:>9,}  fresh {r['fresh_process_s']:6.1f} s  in process "
              f"{r['in_process_best_s']:6.1f} s (CPU {r['in_process_cpu_s']:.1f} s)  (load "
              f"{r['load_average']:.1f})  under "
              f"{TARGET_S:.0f} s: {'yes' if r['under_target'] else 'NO'}")


if __name__ == "__main__":
    main()
