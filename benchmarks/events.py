"""Events pipeline at scale: whole-process time, CPU time and peak memory of ``foedus events
aggregate`` on synthetic GDELT-shaped files (scripts/make_synthetic_events.py), per engine and size,
and the scan floor (what DuckDB needs just to read the files).

    uv run --frozen python benchmarks/events.py --rows 1000000 10000000 --engines duckdb spark
    uv run --frozen python benchmarks/events.py --rows 100000000 --engines duckdb --floor
    uv run --frozen python benchmarks/events.py --rows 10000000 --format tsv --engines duckdb

Prints one JSON line per run: rows, engine, wall seconds, CPU seconds (user + system of the whole
process tree), rows per second per core (wall), peak RSS (MiB; ``/usr/bin/time -v``), the load
average before and after. The machine is shared: compare CPU seconds across runs, and read wall
times with the load next to them.

Python bytecode goes to a private ``PYTHONPYCACHEPREFIX``, warmed up once before timing (this
machine sets ``PYTHONDONTWRITEBYTECODE=1``, which makes every process recompile pandas — imported
by country_converter — polars' and DuckDB's Python layers: ≈ 5–8 CPU-s that an installed package,
with its ``.pyc`` files, does not pay). ``--cold`` keeps the environment as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NEEDED = ("SQLDATE, Actor1Code, Actor2Code, Actor1CountryCode, Actor2CountryCode, "
           "Actor1Type1Code, Actor1Type2Code, Actor1Type3Code, Actor2Type1Code, Actor2Type2Code, "
           "Actor2Type3Code, EventCode, GoldsteinScale, ActionGeo_FeatureID, NumMentions")


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _floor(files: list[str], fmt: str) -> dict[str, float]:
    """Seconds DuckDB needs to count the rows and to read the fields the pipeline uses."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count() or 1}")
    listed = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    source = (f"read_parquet({listed})" if fmt == "parquet" else
              f"read_csv({listed}, header=false, delim='\\t', quote='', escape='', "
              f"all_varchar=true, auto_detect=false, "
              f"columns={{{', '.join(f'{chr(39)}c{i}{chr(39)}: {chr(39)}VARCHAR{chr(39)}' for i in range(58))}}})")
    queries = {"count": f"SELECT count(*) FROM {source}"}
    if fmt == "parquet":
        queries["needed_fields"] = ("SELECT " + ", ".join(f"count({c})" for c in _NEEDED.split(", "))
                                    + f" FROM {source}")
        queries["needed_fields_hash"] = (f"SELECT sum(hash({_NEEDED}) % 7) FROM {source}")
    else:
        queries["all_fields_hash"] = f"SELECT sum(hash(COLUMNS(*)) % 7) FROM {source}"
    out = {}
    for name, sql in queries.items():
        started = time.perf_counter()
        cpu = os.times()
        con.execute(sql).fetchall()
        after = os.times()
        out[name] = round(time.perf_counter() - started, 2)
        out[name + "_cpu"] = round(after.user + after.system - cpu.user - cpu.system, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="*", default=["duckdb"])
    parser.add_argument("--data", type=Path, default=Path("/tmp/foedus-bench-events"))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--format", choices=("parquet", "tsv"), default="parquet")
    parser.add_argument("--floor", action="store_true", help="also measure the scan floor")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit (e.g. 3200MB)")
    parser.add_argument("--cold", action="store_true",
                        help="no private bytecode cache (recompile imports in every process)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    env = dict(os.environ)
    if not args.cold:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "foedus-events-pycache")
        foedus = shutil.which("foedus") or "foedus"
        subprocess.run([foedus, "events", "aggregate", "--help"], env=env, capture_output=True,
                       check=True)  # warm-up: bytecode of the CLI and what the pipeline imports
        subprocess.run([sys.executable, "-c", "import duckdb, polars, pyarrow.parquet, "
                        "country_converter, foedus.events.pipeline, foedus.events.actors, "
                        "foedus.sources.instruments.countries"], env=env, check=True)
    for rows in args.rows:
        folder = args.data / f"{rows}{'' if args.format == 'parquet' else '-tsv'}"
        if not folder.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_synthetic_events.py"),
                            "--rows", str(rows), "--out", str(folder), "--format", args.format],
                           check=True)
        pattern = "*.parquet" if args.format == "parquet" else "*.export.CSV"
        files = sorted(str(p) for p in folder.glob(pattern))
        if args.floor:
            print(json.dumps({"rows": rows, "format": args.format, "scan_floor_s": _floor(
                files, args.format), "load": _load()}), flush=True)
        for engine in args.engines:
            out = args.data / f"agg-{rows}-{engine}.parquet"
            cmd = [shutil.which("foedus") or "foedus", "events", "aggregate", *files, "-o", str(out),
                   "--engine", engine, "--master", args.master, "--json",
                   *(["--memory-limit", args.memory_limit] if args.memory_limit else [])]
            timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
            if timer:
                cmd = [timer, "-v", *cmd]
            load_before = _load()
            started = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                print(json.dumps({"rows": rows, "engine": engine, "error": done.stderr[-500:]}))
                continue

            def grab(pattern: str, text: str = done.stderr) -> float | None:
                found = re.search(pattern, text)
                return float(found.group(1)) if found else None
            peak = grab(r"Maximum resident set size \(kbytes\): (\d+)")
            user = grab(r"User time \(seconds\): ([\d.]+)")
            system = grab(r"System time \(seconds\): ([\d.]+)")
            report = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps({
                "rows": rows, "format": args.format, "engine": engine,
                "memory_limit": args.memory_limit or "default",
                "bytecode": "recompiled" if args.cold else "cached",
                "wall_s": round(seconds, 1),
                "cpu_s": None if user is None or system is None else round(user + system, 1),
                "rows_per_s_per_core": round(rows / seconds / cores),
                "peak_rss_mib": None if peak is None else round(peak / 1024),
                "output_rows": report["output_rows"], "rows_read": report["rows_read"],
                "load_before": load_before, "load_after": _load(),
                "note": "peak RSS is the largest process (JVM or driver), not their sum" if engine == "spark" else ""}),
                flush=True)


if __name__ == "__main__":
    main()
