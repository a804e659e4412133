"""Benchmark of ``foedus impact`` (issue 11): every named design on all dyad-years, and a warm
``foedus impact dyad USA JPN``.

Usage::

    FOEDUS_WAREHOUSE=/path/warehouse.duckdb uv run --frozen python benchmarks/impact.py \
        [--out DIR] [--designs a,b] [--dyad-runs 3]

Each design runs as a fresh ``foedus impact run NAME --json -o DIR/NAME.json`` process; the script
prints wall-clock and CPU (user+sys) seconds of each, and the in-process seconds the design reports.
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

DESIGNS = ("dca-alignment", "exercises-formation", "arms-alignment", "troops-burden",
           "honouring-rates", "member-exit")  # fmt: skip


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
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "foedus-impact-pycache")
    foedus = [str(Path(sys.executable).parent / "foedus")]
    print(f"load average {os.getloadavg()[0]:.1f}; results in {out}")
    _run([*foedus, "impact", "list", "--json"], env)  # warm-up: bytecode
    for name in args.designs.split(","):
        target = out / f"{name}.json"
        wall, cpu, rc = _run([*foedus, "impact", "run", name, "--json", "-o", str(target)], env)
        inner = json.loads(target.read_text())["seconds"] if target.exists() else None
        print(f"{name:22s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  design {inner} s  exit {rc}")
    _run([*foedus, "impact", "dyad", "USA", "JPN", "--json"], env)  # fills the design cache
    for _ in range(args.dyad_runs):
        wall, cpu, rc = _run([*foedus, "impact", "dyad", "USA", "JPN", "--json"], env)
        print(f"{'dyad USA JPN (warm)':22s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  exit {rc}")


if __name__ == "__main__":
    main()
