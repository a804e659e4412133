"""Benchmark: the alliance-deterrence recipe end to end (issue 5: under 20 s).

``foedus.models.alliance_deterrence`` builds the directed COW dyad-years 1816–2010, adds
contiguity and major powers, keeps the politically relevant dyads, adds GML MIDs (with
initiators), peace-years, ATOP obligations and NMC capabilities, derives the third-party
commitments from ATOP's directed dyad-year table and fits the dyad-clustered logit. Measured:

  1. **fresh process**: a new Python process that imports foedus and runs the recipe (interpreter
     start, imports, warehouse reads, frames, model) — what ``foedus assess deterrence`` costs;
  2. **in process**: the recipe repeated in one process (first run and the best/median of the
     rest), and how the time splits between frames and the model in the last run.

Run:  uv run --frozen python benchmarks/deterrence.py [--warehouse FILE | --data ../shared/data]
      [--runs 5] [--json]
Without --warehouse it builds a warehouse in a temporary folder from the data directory first
(not timed).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 20.0

_FRESH = (
    "import time; t = time.perf_counter(); "
    "from foedus.models.recipes import alliance_deterrence; "
    "r = alliance_deterrence({path!r}); "
    "print(time.perf_counter() - t, r.n, r.model.coefficient('target_defense')['estimate'])"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("--warehouse", default=None, help="use an existing warehouse file")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    from foedus.warehouse import Warehouse

    if args.warehouse:
        path = Path(args.warehouse)
    else:
        path = Path(tempfile.mkdtemp(prefix="foedus-bench-")) / "warehouse.duckdb"
        print(f"building a warehouse from {args.data} …", file=sys.stderr)
        with Warehouse(path) as wh:
            wh.import_dir(args.data)

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _FRESH.format(path=str(path))],
        capture_output=True,
        text=True,
        check=True,
    )
    fresh_wall = time.perf_counter() - started
    fresh_inner, n, estimate = done.stdout.split()

    from foedus.models.recipes import alliance_deterrence

    times = []
    result = None
    for _ in range(max(1, args.runs)):
        t0 = time.perf_counter()
        result = alliance_deterrence(path)
        times.append(time.perf_counter() - t0)
    assert result is not None
    model_started = time.perf_counter()
    from foedus.models import fit

    # the model alone, on the recipe's design (the frames are the rest of the run)
    design = result.model.results.model
    fit_s = None
    if design is not None:
        import polars as pl

        names = list(result.model.terms)
        df = pl.DataFrame(design.exog, schema=names, orient="row").with_columns(
            initiation=pl.Series(design.endog)
        )
        fit(df, "initiation", names[1:], cluster=None)
        fit_s = time.perf_counter() - model_started

    rest = times[1:] or times
    report = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "warehouse": str(path),
        "n": int(n),
        "target_defense": float(estimate),
        "fresh_process_wall_s": round(fresh_wall, 3),
        "fresh_process_recipe_s": round(float(fresh_inner), 3),
        "in_process_first_s": round(times[0], 3),
        "in_process_best_s": round(min(rest), 3),
        "in_process_median_s": round(statistics.median(rest), 3),
        "model_only_nonrobust_s": round(fit_s, 3) if fit_s is not None else None,
        "runs": len(times),
        "target_s": TARGET_S,
        "under_target": fresh_wall < TARGET_S and max(times) < TARGET_S,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"alliance_deterrence: N = {report['n']:,}, target_defense {report['target_defense']:+.3f}"
    )
    print(
        f"  fresh process: {fresh_wall:.2f} s wall ({float(fresh_inner):.2f} s after interpreter "
        "start)"
    )
    print(
        f"  in process: first {times[0]:.2f} s, best {min(rest):.2f} s, median "
        f"{statistics.median(rest):.2f} s over {len(rest)} runs"
    )
    if fit_s is not None:
        print(f"  the logit alone (model-based SEs, on the design matrix): {fit_s:.2f} s")
    print(f"under {TARGET_S:.0f} s: " + ("yes" if report["under_target"] else "NO"))


if __name__ == "__main__":
    main()
