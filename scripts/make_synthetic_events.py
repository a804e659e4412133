"""Write synthetic GDELT-shaped event files for scale tests (seeded; never stored in the repo).

Files have GDELT 1.0's 58 field names and types, as Parquet (default; columns the generator does
not fill are null) or in the official tab-separated layout (``--format tsv``), in chunks of
``--chunk`` rows. Actors are drawn from 60 state codes plus region codes (≈1 %: no state), CAMEO
event codes from a weighted list with GDELT's Goldstein weights, dates uniformly over 2015–2020,
a military actor type on ≈5 % of actors; ≈10 % of rows repeat an earlier report of the same event
(same day, actors, code and place), as GDELT's repeated reports do.

    uv run --frozen python scripts/make_synthetic_events.py --rows 100000000 --out /tmp/synthetic-events
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from foedus.sources.gdelt import COLUMN_TYPES, GDELT1_COLUMNS  # noqa: E402

STATES = ("USA CHN RUS GBR FRA DEU JPN IND PAK IRN ISR SAU TUR UKR POL KOR PRK AUS CAN BRA MEX EGY "
          "NGA ZAF KEN ETH IRQ SYR AFG IDN PHL VNM THA MYS SGP NZL ITA ESP NLD BEL SWE NOR FIN DNK "
          "GRC ROU HUN CZE AUT CHE ARG CHL COL VEN CUB QAT ARE JOR LBN GEO").split()
REGIONS = ("AFR", "EUR", "WST", "ASA", "MEA")
#: CAMEO code → (weight in the draw, Goldstein weight from GDELT's lookup).
CODES = {"010": (14, 0.0), "020": (6, 3.0), "036": (5, 4.0), "040": (9, 1.0), "042": (7, 1.9),
         "043": (6, 2.8), "051": (5, 3.4), "057": (3, 8.0), "062": (2, 7.4), "072": (1, 8.3),
         "074": (1, 8.5), "0312": (1, 5.2), "0332": (1, 5.2), "0232": (1, 3.4), "0861": (1, 9.0),
         "111": (6, -2.0), "112": (4, -2.0), "130": (3, -4.4), "150": (1, -7.2), "152": (1, -7.2),
         "173": (3, -5.0), "180": (1, -9.0), "183": (1, -10.0), "190": (2, -10.0),
         "191": (1, -9.5), "193": (2, -10.0), "195": (1, -10.0), "202": (1, -10.0)}


def _chunk(rng: np.random.Generator, start_id: int, n: int) -> pa.Table:
    actors = np.array(STATES + list(REGIONS))
    weights = np.r_[np.linspace(3, 1, len(STATES)), np.full(len(REGIONS), 0.12)]
    weights /= weights.sum()
    a1 = rng.choice(actors, n, p=weights)
    a2 = rng.choice(actors, n, p=weights)
    codes = np.array(list(CODES))
    golds = np.array([g for _, g in CODES.values()])
    cw = np.array([w for w, _ in CODES.values()], dtype=float)
    ci = rng.choice(len(codes), n, p=cw / cw.sum())
    dates = np.datetime64("2015-01-01") + rng.integers(0, 6 * 365, n).astype("timedelta64[D]")
    months = dates.astype("datetime64[M]")
    sqldate = ((months.astype("datetime64[Y]").astype(np.int64) + 1970) * 10000
               + (months.astype(np.int64) % 12 + 1) * 100
               + (dates - months.astype("datetime64[D]")).astype(np.int64) + 1)
    geo = rng.integers(0, 500, n)
    t1 = rng.choice(3, n, p=[0.75, 0.20, 0.05])  # none, GOV, MIL
    t2 = rng.choice(3, n, p=[0.75, 0.20, 0.05])
    repeat = rng.random(n) < 0.10  # a repeated report copies the previous row's event
    src = np.where(repeat & (np.arange(n) > 0), np.arange(n) - 1, np.arange(n))
    a1, a2, ci, sqldate, geo, t1, t2 = (x[src] for x in (a1, a2, ci, sqldate, geo, t1, t2))
    types = np.array(["", "GOV", "MIL"])

    def text(values: np.ndarray, empty: bool = False) -> pa.Array:
        return pa.array(values.astype(str), type=pa.string(),
                        mask=(values == "") if empty else None)

    data = {
        "GLOBALEVENTID": pa.array(np.arange(start_id, start_id + n, dtype=np.int64)),
        "SQLDATE": pa.array(sqldate), "MonthYear": pa.array(sqldate // 100),
        "Year": pa.array(sqldate // 10000),
        "Actor1Code": text(np.char.add(a1, types[t1])), "Actor2Code": text(np.char.add(a2, types[t2])),
        "Actor1CountryCode": text(a1), "Actor2CountryCode": text(a2),
        "Actor1Type1Code": text(types[t1], empty=True), "Actor2Type1Code": text(types[t2], empty=True),
        "IsRootEvent": pa.array(np.ones(n, np.int64)), "EventCode": text(codes[ci]),
        "EventBaseCode": text(np.array([c[:3] for c in codes])[ci]),
        "EventRootCode": text(np.array([c[:2] for c in codes])[ci]),
        "QuadClass": pa.array(np.array([1 if c < "06" else 2 if c < "09" else 3 if c < "14" else 4
                                        for c in codes], dtype=np.int64)[ci]),
        "GoldsteinScale": pa.array(golds[ci]),
        "NumMentions": pa.array(rng.integers(1, 11, n)),
        "ActionGeo_FeatureID": text(geo.astype(str)),
    }
    arrays = {}
    for column in GDELT1_COLUMNS:
        typ = {"BIGINT": pa.int64(), "DOUBLE": pa.float64()}.get(COLUMN_TYPES.get(column, ""),
                                                                pa.string())
        arrays[column] = data[column] if column in data else pa.nulls(n, type=typ)
    return pa.table(arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, default=Path("/tmp/foedus-synthetic-events"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=2_000_000)
    parser.add_argument("--format", choices=("parquet", "tsv"), default="parquet")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    started, written, part = time.perf_counter(), 0, 0
    while written < args.rows:
        n = min(args.chunk, args.rows - written)
        table = _chunk(rng, written + 1, n)
        name = args.out / f"events-{part:05d}.{'parquet' if args.format == 'parquet' else 'export.CSV'}"
        if args.format == "parquet":
            pq.write_table(table, name, compression="zstd")
        else:
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, name, pacsv.WriteOptions(include_header=False, delimiter="\t",
                                                            quoting_style="none"))
        written += n
        part += 1
        print(f"\r{written:,} / {args.rows:,} rows ({time.perf_counter() - started:.0f} s)",
              end="", file=sys.stderr, flush=True)
    print(f"\n{part} files in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
