"""Benchmark of ``foedus impact`` (issue 11): every named design on all dyad-years, and a warm
``foedus impact dyad USA JPN``.

Usage::

    FOEDUS_WAREHOUSE=/path/warehouse.duckdb uv run --frozen python benchmarks/impact.py \
        [--out DIR] [--designs a,b:ESTIMATOR:COMPARISON] [--dyad-runs 3] [--estimators]

Each design runs as a fresh ``foedus impact run NAME --json -o DIR/NAME.json`` process (a design
written ``NAME:ESTIMATOR[:COMPARISON]`` adds ``--estimator``/``--comparison``); the script
prints wall-clock and CPU (user+sys) seconds of each, and the in-process seconds the design reports.
``--estimators`` also times, in this process, each event-study estimator alone on the
``dca-alignment`` panel (DCA → S, 1980–2010): Sun–Abraham on the seeded 1,000 never-treated dyads
and on **all** of them (the question whether the sample can go), Callaway–Sant'Anna with both
comparison groups, and lpdid.
Python bytecode goes to a private ``PYTHONPYCACHEPREFIX`` (this machine sets
``PYTHONDONTWRITEBYTECODE=1``, which makes every process recompile pyfixest, scipy and statsmodels);
one untimed warm-up run fills it. Targets (not tests): each design < 30 s; dyad < 2 s warm.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DESIGNS = ("dca-alignment", "dca-alignment:callaway-santanna:never",
           "dca-alignment:callaway-santanna:not-yet", "dca-alignment:lpdid",
           "exercises-formation", "formation-cox", "arms-alignment",
           "arms-alignment:callaway-santanna:not-yet", "troops-burden", "honouring-rates",
           "member-exit")  # fmt: skip


def _estimators(warehouse: str) -> None:
    """Each event-study estimator alone on the DCA → S panel (CPU seconds, this process)."""
    import polars as pl

    from foedus.impact.designs import _never_sample
    from foedus.impact.estimators import callaway_santanna, lpdid, sun_abraham
    from foedus.impact.panel import add_treatment, get_treatment, impact_panel

    tr = get_treatment("dca")
    df, _ = impact_panel(warehouse, (1980, 2010), list(tr.enrichers), similarity=["s_un_val_abs"])
    df = add_treatment(df, tr).filter(pl.col("cohort").is_not_null())
    runs = {
        "sun-abraham, 1,000 never-treated": lambda: sun_abraham(_never_sample(df), "s_un_val_abs"),
        "sun-abraham, all never-treated": lambda: sun_abraham(df, "s_un_val_abs"),
        "callaway-santanna never": lambda: callaway_santanna(df, "s_un_val_abs", comparison="never"),
        "callaway-santanna not-yet": lambda: callaway_santanna(df, "s_un_val_abs",
                                                               comparison="not-yet"),
        "lpdid not-yet": lambda: lpdid(df, "s_un_val_abs"),
    }
    print(f"estimators alone on DCA -> S: {df.height:,} dyad-years")
    small = df.filter(pl.col("dyad") % 20 == 0)  # warm-up: imports and bytecode, untimed
    sun_abraham(small, "s_un_val_abs")
    callaway_santanna(small, "s_un_val_abs", bootstrap=9)
    lpdid(small, "s_un_val_abs")
    for label, fit in runs.items():
        cpu0, wall0 = time.process_time(), time.perf_counter()
        es = fit()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {label:34s} cpu {cpu:6.1f} s  wall {wall:6.1f} s  rows {es.n:,}  "
              f"ATT {es.att.estimate:.4f}  peak RSS so far {peak:,.0f} MB")


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
    return wall, cpu, done.returncode


def main() -> None:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=tempfile.mkdtemp(prefix="impact-bench-"))
    parser.add_argument("--designs", default=",".join(DESIGNS))
    parser.add_argument("--dyad-runs", type=int, default=3)
    parser.add_argument("--estimators", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "foedus-impact-pycache")
    foedus = [str(Path(sys.executable).parent / "foedus")]
    print(f"load average {os.getloadavg()[0]:.1f}; results in {out}")
    _run([*foedus, "impact", "list", "--json"], env)  # warm-up: bytecode
    _run([sys.executable, "-c", "import pyfixest, differences, lifelines, statsmodels.api"], env)
    for spec in args.designs.split(","):
        name, *opts = spec.split(":")
        extra = (["--estimator", opts[0]] if opts else []) + (
            ["--comparison", opts[1]] if len(opts) > 1 else [])
        target = out / f"{spec.replace(':', '_')}.json"
        wall, cpu, rc = _run([*foedus, "impact", "run", name, *extra, "--json", "-o",
                              str(target)], env)  # fmt: skip
        inner = json.loads(target.read_text())["seconds"] if target.exists() else None
        inner_s = f"{inner:.1f}" if inner is not None else "-"
        print(f"{spec:42s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  design {inner_s} s  exit {rc}",
              flush=True)
    if args.estimators:
        _estimators(os.environ["FOEDUS_WAREHOUSE"])
    _run([*foedus, "impact", "dyad", "USA", "JPN", "--json"], env)  # fills the design cache
    for _ in range(args.dyad_runs):
        wall, cpu, rc = _run([*foedus, "impact", "dyad", "USA", "JPN", "--json"], env)
        print(f"{'dyad USA JPN (warm)':22s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  exit {rc}")


if __name__ == "__main__":
    main()
