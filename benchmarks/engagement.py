"""Benchmark: the engagement index on every non-directed COW dyad-year 1816–2024, and one dyad
profile.

Builds a warehouse from ``../shared/data`` in a temporary folder (not timed), then times, in one
process:

* **frame**: ``dyad_years("cow", directed=False, years="1816-2024")`` + the eight instrument
  enrichers (1,107,465 rows);
* **fit**: ``fit_engagement`` with ``bootstrap`` replicates (default 100) and the eight
  leave-one-out refits;
* **score**: ``engagement_index(frame, model=...)`` on the same frame (intervals included);
* **profile**: ``dyad_profile("USA", "JPN")`` with the reference model already cached.

Speed is measured here, never in the tests.

Run:  uv run --frozen python benchmarks/engagement.py [--data ../shared/data] [--bootstrap 100] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    import foedus
    from foedus.measures.dyad_profile import dyad_profile
    from foedus.measures.engagement import (
        _REFERENCE,
        _with_instruments,
        engagement_index,
        fit_engagement,
        reference_model,
    )
    from foedus.warehouse import Warehouse

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warehouse.duckdb"
        with Warehouse(path) as wh:
            wh.import_dir(Path(args.data))
        wh = Warehouse(path, read_only=True)
        t0 = time.perf_counter()
        frame = _with_instruments(
            foedus.dyad_years("cow", directed=False, years="1816-2024", warehouse=wh)
        )
        results["frame"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        model = fit_engagement(frame.df, bootstrap=args.bootstrap)
        results["fit"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        engagement_index(frame.df, model=model)
        results["score"] = time.perf_counter() - t0
        reference_model(wh, bootstrap=args.bootstrap)  # cache, not timed
        t0 = time.perf_counter()
        dyad_profile("USA", "JPN", warehouse=wh, bootstrap=args.bootstrap)
        results["profile"] = time.perf_counter() - t0
        _REFERENCE.clear()
    rounded = {k: round(v, 3) for k, v in results.items()}
    if args.json:
        print(json.dumps({"rows": frame.height, "bootstrap": args.bootstrap, **rounded}))
    else:
        print(f"{frame.height:,} pair-years, bootstrap {args.bootstrap}")
        for key, value in rounded.items():
            print(f"{key:>8}: {value:.3f} s")


if __name__ == "__main__":
    main()
