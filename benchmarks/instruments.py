"""Benchmark: every DCA, exercise, training, posture, visit and peace-operation enricher on the full
directed COW dyad-year frame 1816–2024 (2,214,930 rows; issue 4's acceptance: all instrument
enrichers together in under 3 s).

The source files are parsed first (not timed); the frame is peacesciencer's ``cow_ddy`` with its
keys cast to Int64. Each run applies, in one process:
``add_dcas``, ``add_joint_exercises`` (JME + MME), ``add_us_training``, ``add_us_troops`` (with bases
and MILCON), ``add_us_visits`` and ``add_pko_codeployment``. Prints the best and median of N runs
after one warm-up, in seconds, plus the time of each enricher in the best run. The SIPRI enrichers
(arms, milex) live in another module and are not included here.

Run:  uv run --frozen python benchmarks/instruments.py [--data ../shared/data] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
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
    args = parser.parse_args()

    import polars as pl

    from foedus.frames.instruments.defence_cooperation import add_dcas
    from foedus.frames.instruments.exercises import add_joint_exercises
    from foedus.frames.instruments.peacekeeping import add_pko_codeployment
    from foedus.frames.instruments.posture import add_us_troops
    from foedus.frames.instruments.training import add_us_training
    from foedus.frames.instruments.visits import add_us_visits
    from foedus.sources.instruments import (
        dcad,
        exercises,
        peacekeeping,
        training,
        us_posture,
        visits,
    )

    data = Path(args.data)
    t0 = time.perf_counter()
    tables = {
        "dcad": dcad.parse_dcad_main(data / "dcad" / "DCAD-v1.0-main.csv"),
        "jme": exercises.parse_jme(data / "military_exercises" / "jme_v3_dorazio.csv"),
        "mme": exercises.parse_mme_long(
            data / "military_exercises" / "mme_v7_long_exercise_country_year.csv"
        ),
        "training": training.parse_fmtr(
            data
            / "us_military_training_fmtr"
            / "fmtr_foreign_military_training_FY1999_2020.parquet"
        ),
        "troops": us_posture.parse_troops(
            data / "us_troops_bases" / "us_troops_abroad_country_year_1950_2024.csv"
        ),
        "bases": us_posture.parse_bases(data / "us_troops_bases" / "us_bases_vine.csv"),
        "milcon": us_posture.parse_milcon(
            data / "us_troops_bases" / "us_milcon_spending_location_year_2008_2019.csv"
        ),
        "visits": visits.parse_visits(
            data / "defense_diplomacy_visits" / "us_defense_leader_visits_1992_2012.csv"
        ),
        "geo": peacekeeping.parse_geo_pko(
            data / "peacekeeping" / "geo_pko_africa_1994_2018_deployment_location_month.csv"
        ),
    }
    parse_seconds = time.perf_counter() - t0
    frame = pl.read_parquet(data / "peacesciencer" / "cow_ddy.parquet").select(
        pl.col("ccode1", "ccode2", "year").cast(pl.Int64)
    )

    steps = [
        ("dcas", lambda df: add_dcas(df, tables["dcad"])),
        ("joint_exercises", lambda df: add_joint_exercises(df, tables["jme"], tables["mme"])),
        ("us_training", lambda df: add_us_training(df, tables["training"])),
        (
            "us_troops",
            lambda df: add_us_troops(
                df, tables["troops"], bases=tables["bases"], milcon=tables["milcon"]
            ),
        ),  # fmt: skip
        ("us_visits", lambda df: add_us_visits(df, tables["visits"])),
        ("pko_codeployment", lambda df: add_pko_codeployment(df, tables["geo"])),
    ]

    def run() -> tuple[float, dict[str, float], int]:
        df = frame
        parts = {}
        start = time.perf_counter()
        for name, step in steps:
            t = time.perf_counter()
            df = step(df)
            parts[name] = time.perf_counter() - t
        return time.perf_counter() - start, parts, df.width

    run()  # warm-up
    results = [run() for _ in range(args.runs)]
    totals = [r[0] for r in results]
    best = min(results, key=lambda r: r[0])
    out = {
        "rows": frame.height,
        "columns_added": best[2] - frame.width,
        "parse_seconds": round(parse_seconds, 3),
        "best_seconds": round(best[0], 3),
        "median_seconds": round(statistics.median(totals), 3),
        "per_enricher_seconds": {k: round(v, 3) for k, v in best[1].items()},
        "runs": args.runs,
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"directed COW dyad-years 1816-2024: {out['rows']:,} rows, "
          f"{out['columns_added']} columns added")  # fmt: skip
    print(f"parse source files (not timed): {out['parse_seconds']:.3f} s")
    print(f"all instrument enrichers: best {out['best_seconds']:.3f} s, "
          f"median {out['median_seconds']:.3f} s over {args.runs} runs")  # fmt: skip
    for name, seconds in out["per_enricher_seconds"].items():
        print(f"  {name:<18} {seconds:.3f} s")


if __name__ == "__main__":
    main()
