"""Benchmark: democracy/GDP enrichers and the COW MID rebuild (issue 10, items 2 and 5).

Timed in one warm process (best and median of N runs after a warm-up):

* ``democracy+gdp``: ``--with democracy,gdp`` on the full directed COW dyad-year frame 1816-2024
  (2,214,930 rows; building the frame itself is not timed);
* ``cow-mid rebuild``: participants, every directed dispute-dyad-year and the whittled table from
  the warehouse's ``MIDB 5.0.csv`` / ``MIDA 5.0.csv`` tables (``cow_mid_dyad_years``);
* ``cow-mids enricher``: ``--with cow-mids`` on the same frame (rebuild cached per warehouse, as in
  the command's single run).

Run:  uv run --frozen python benchmarks/effects_data.py [--warehouse FILE] [--runs 5] [--json]
(default warehouse: FOEDUS_WAREHOUSE or the user's; it must hold an ``import-all`` of
../shared/data).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any


def _time(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"best_s": round(min(times), 3), "median_s": round(statistics.median(times), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import foedus
    from foedus.frames.cow_mids import cow_mid_dyad_years

    wh = foedus.Warehouse(args.warehouse, read_only=True)
    frame = foedus.dyad_years("cow", directed=True, years="1816-2024", warehouse=wh)
    midb, mida = wh.table("cow_mid_b"), wh.table("cow_mid_a")
    result = {
        "rows": frame.height,
        "democracy+gdp": _time(lambda: frame.enrich(["democracy", "gdp"]), args.runs),
        "cow-mid rebuild": _time(lambda: cow_mid_dyad_years(midb, mida), args.runs),
        "cow-mids enricher": _time(lambda: frame.enrich(["cow-mids"]), args.runs),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"directed COW dyad-years 1816-2024: {result['rows']:,} rows")
    for name in ("democracy+gdp", "cow-mid rebuild", "cow-mids enricher"):
        r = result[name]
        print(f"  {name}: best {r['best_s']} s, median {r['median_s']} s of {args.runs}")  # type: ignore[index]
    print(f"  load average {result['load_average_1min']}")


if __name__ == "__main__":
    main()
