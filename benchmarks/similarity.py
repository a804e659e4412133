"""Benchmark: all 11 alliance-portfolio similarity measures for every directed dyad-year 1816-2018.

Inputs (read in place, not timed): ATOP 5.1 directed dyad-years (peacesciencer ``atop_alliance``),
COW state-years 1816-2018 from isard's ``cw_system`` (``create_state_years``), COW NMC CINC
(peacesciencer ``cow_nmc``). Timed: ``similarity_dyad_years(..., capabilities=nmc)`` with the
default 11 measures — best and median of N runs after one warm-up run.

Run:  uv run --frozen python benchmarks/similarity.py [--data ../shared/data] [--runs 5] [--json]
          [--blas-threads N]

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

    def run() -> pl.DataFrame:
        return similarity_dyad_years(atop, state_years, capabilities=nmc, years=(1816, 2018))

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
            f"{result['measures']} measures, {result['years']}"
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


if __name__ == "__main__":
    main()
