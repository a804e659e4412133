"""Benchmark: relevant-commitment coding of every directed COW dyad-year (issue 10: under 3 s).

Times, in one process after the tables are read: (1) the directed obligation-years from ATOP's
member file (``obligation_years``), (2) ``relevant_commitments`` adding ``ptargdef``,
``pchalally``, ``pchaloff`` and ``pchalneu`` to all directed COW dyad-years 1816–2024
(about 2.2 M rows), and the two together. Each step is repeated; best and median are reported.
The machine's load average is printed too: the figures are wall-clock times, plus the process's CPU
time summed over its threads (an upper bound for the wall time on an idle machine with one core).

Run:  uv run --frozen python benchmarks/relevance.py --warehouse FILE [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

TARGET_S = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", default=None, help="warehouse file (default: FOEDUS_WAREHOUSE)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import foedus
    from foedus.alliances.relevance import obligation_years, relevant_commitments
    from foedus.warehouse import Warehouse

    wh = Warehouse(args.warehouse, read_only=True)
    members, ddy = wh.table("atop_member"), wh.table("atop_ddy")
    dyads = foedus.dyad_years("cow", directed=True, years=(1816, 2024), warehouse=wh).df.select(
        "ccode1", "ccode2", "year")
    ob_times, rc_times, cpu = [], [], []
    out = None
    for _ in range(max(1, args.runs)):
        c0 = time.process_time()
        t0 = time.perf_counter()
        ob = obligation_years(members, ddy)
        t1 = time.perf_counter()
        out = relevant_commitments(dyads, ob)
        t2 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        ob_times.append(t1 - t0)
        rc_times.append(t2 - t1)
    assert out is not None
    total = [a + b for a, b in zip(ob_times, rc_times, strict=True)]
    report = {
        "rows": dyads.height,
        "load_average": os.getloadavg()[0],
        "obligation_years_best_s": round(min(ob_times), 3),
        "relevant_commitments_best_s": round(min(rc_times), 3),
        "total_best_s": round(min(total), 3),
        "total_median_s": round(statistics.median(total), 3),
        "total_cpu_best_s": round(min(cpu), 3),
        "means": {c: round(float(out[c].mean()), 4) for c in
                  ("ptargdef", "pchalally", "pchaloff", "pchalneu")},
        "target_s": TARGET_S,
        "under_target": min(total) < TARGET_S,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"relevant commitments for {report['rows']:,} directed dyad-years "
          f"(load average {report['load_average']:.1f})")
    print(f"  obligation-years {report['obligation_years_best_s']:.2f} s, coding "
          f"{report['relevant_commitments_best_s']:.2f} s, together best "
          f"{report['total_best_s']:.2f} s, median {report['total_median_s']:.2f} s wall; "
          f"CPU time (all threads) {report['total_cpu_best_s']:.2f} s")
    print(f"under {TARGET_S:.0f} s: " + ("yes" if report["under_target"] else "NO"))


if __name__ == "__main__":
    main()
