"""Benchmark: all 11 alliance-portfolio similarity measures for every directed dyad-year 1816-2018.

Inputs (read in place, not timed): ATOP 5.1 directed dyad-years (peacesciencer ``atop_alliance``),
COW state-years 1816-2018 from isard's ``cw_system`` (``create_state_years``), COW NMC CINC
(peacesciencer ``cow_nmc``). Timed: ``similarity_dyad_years(..., capabilities=nmc)`` with the
default 11 measures — best and median of N runs after one warm-up run.

Run:  uv run --frozen python benchmarks/similarity.py [--data ../shared/data] [--runs 5] [--json]
          [--blas-threads N] [--coding cow-types|fpsim] [--compare-codings]

``--coding fpsim`` times FPSIM's ATOP coding instead of the default (tau-b is computed a second time,
over the columns of each year's tie matrix). ``--compare-codings`` (not timed) prints how far the
two codings' unweighted S and tau-b lie apart over 1816-2018.

The yearly matrices are small (at most 195 x 195 states), so multi-threaded BLAS gains little and,
on a machine busy with other work, OpenBLAS's spinning threads can make a run several times
slower; ``--blas-threads 1`` sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS before NumPy is loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--blas-threads", type=int, default=None, help="BLAS threads (default: leave as is)"
    )
    parser.add_argument("--coding", default="cow-types", choices=["cow-types", "fpsim"])
    parser.add_argument(
        "--compare-codings", action="store_true", help="compare cow-types and fpsim (not timed)"
    )
    args = parser.parse_args()
    if args.blas_threads is not None:  # must happen before NumPy is first imported
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.blas_threads)

    import polars as pl

    from foedus.frames.systems import create_state_years
    from foedus.measures.similarity import ALL_MEASURES, similarity_dyad_years
    from foedus.sources.normalize import cast_keys

    data = Path(args.data)
    atop = cast_keys(pl.read_parquet(data / "peacesciencer" / "atop_alliance.parquet"))
    nmc = cast_keys(pl.read_parquet(data / "peacesciencer" / "cow_nmc.parquet"))
    system = cast_keys(pl.read_parquet(data / "isard" / "cw_system.parquet"))
    state_years = create_state_years(system, system="cow", years=(1816, 2018))

    if args.compare_codings:
        compare_codings(atop, state_years, args.json)
        return

    def run() -> pl.DataFrame:
        return similarity_dyad_years(
            atop, state_years, capabilities=nmc, years=(1816, 2018), coding=args.coding
        )

    t0 = time.perf_counter()
    out = run()  # warm-up (first BLAS call, polars thread pool)
    first = time.perf_counter() - t0
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)

    result = {
        "rows": out.height,
        "measures": len(ALL_MEASURES),
        "years": "1816-2018",
        "coding": args.coding,
        "first_run_seconds": round(first, 3),
        "best_seconds": round(min(times), 3),
        "median_seconds": round(statistics.median(times), 3),
        "runs": args.runs,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"similarity_dyad_years: {result['rows']:,} directed dyad-years x "
            f"{result['measures']} measures, {result['years']}, coding {args.coding}"
        )
        print(
            f"  first run {result['first_run_seconds']} s; best {result['best_seconds']} s, "
            f"median {result['median_seconds']} s of {args.runs} runs"
        )
        print(
            f"  peak RSS {result['peak_rss_mb']} MB; {result['cpus']} CPUs "
            f"(BLAS threads: {result['blas_threads']}, load average "
            f"{result['load_average_1min']}); Python {result['python']}"
        )


def compare_codings(atop: object, state_years: object, as_json: bool) -> None:
    """How far the ``cow-types`` and ``fpsim`` codings lie apart, every directed dyad-year."""
    from foedus.measures.similarity import similarity_dyad_years

    measures = ["s_un_val_sq", "s_un_val_abs", "tau_b"]
    keys = ["ccode1", "ccode2", "year"]
    runs = {
        coding: similarity_dyad_years(atop, state_years, measures=measures, coding=coding)  # type: ignore[arg-type]
        for coding in ("cow-types", "fpsim")
    }
    both = runs["cow-types"].join(runs["fpsim"], on=keys, suffix="_fpsim")
    report = {}
    for m in measures:
        diff = (both[m] - both[f"{m}_fpsim"]).abs()
        top = both.filter(diff == diff.max()).sort(keys).row(0, named=True)
        report[m] = {
            "max_abs_difference": round(float(diff.max()), 4),  # type: ignore[arg-type]
            "share_over_0.01": round(float((diff > 0.01).mean()), 4),  # type: ignore[arg-type]
            "largest_at": {k: top[k] for k in keys},
        }
    if as_json:
        print(json.dumps({"rows": both.height, "measures": report}, indent=2))
        return
    print(f"cow-types vs fpsim over {both.height:,} directed dyad-years 1816-2018")
    for m, r in report.items():
        print(
            f"  {m}: max |difference| {r['max_abs_difference']} at {r['largest_at']}; "
            f"{100 * r['share_over_0.01']:.1f} % of rows differ by more than 0.01"
        )


if __name__ == "__main__":
    main()
