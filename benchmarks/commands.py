"""Benchmark: the cold time of every ``foedus`` command, each as a fresh process.

For each command (one representative invocation of every leaf command; ``serve`` and ``data
fetch`` are left out: one does not end, the other needs the network) it measures, as a new process:

  * **first run** — on a fresh copy of the warehouse with no snapshot folder: nothing read or
    computed before (what a user sees once after an import);
  * **later run** — a new process again, the snapshot folder now filled (the usual case).

Wall time, CPU time (user + system, from ``wait4``) and peak resident memory of the process.
Writes a Markdown table (``--markdown``) for benchmarks/README.md.

Run:  uv run --frozen python benchmarks/commands.py --warehouse FILE [--markdown]
      (FILE: a warehouse built with `foedus data import-all ../shared/data`; it is copied, not
      changed.) Python bytecode should be compiled first (``python -m compileall -q src``), as an
      installed package is: otherwise every process recompiles the sources it imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FOEDUS = str(Path(sys.executable).with_name("foedus"))

COMMANDS: list[list[str]] = [
    ["--help"],
    ["version"],
    ["data", "sources"],
    ["data", "status"],
    ["data", "unresolved"],
    ["data", "pin", "nmc", "6.0"],
    ["data", "unpin", "nmc"],
    ["frame", "dyad-years", "--system", "cow", "--directed", "--years", "1816-2024", "--with",
     "atop,nmc,majors,contiguity,gml-mids,peace-years", "-o", "{tmp}/ddy.parquet"],
    ["frame", "state-years", "--system", "cow", "--with", "nmc,majors,ucdp", "-o", "{tmp}/sy.csv"],
    ["cite", "atop", "nmc"],
    ["alliances", "--state", "JPN", "--year", "2010"],
    ["alliance", "show", "NATO", "--year", "2018"],
    ["alliance", "names"],
    ["alliance", "curated"],
    ["defend", "POL", "--year", "2018", "--attacker", "RUS", "--location", "POL"],
    ["similarity", "--year", "1914"],
    ["network", "--year", "1985"],
    ["structure", "--from", "1946", "--to", "2022"],
    ["arms", "shares", "--from", "2020", "--to", "2024"],
    ["arms", "concentration", "India", "--window", "2015-2019", "--window", "2020-2024"],
    ["dyad", "USA", "JPN"],
    ["burden", "NATO", "--from", "2014", "--to", "2023"],
    ["assess", "dangerous-dyads"],
    ["assess", "deterrence"],
    ["assess", "engagement"],
    ["brief", "alliance", "NATO", "-o", "{tmp}/nato.html"],
    ["brief", "dyad", "USA", "JPN", "-o", "{tmp}/usa-jpn.html"],
    ["brief", "portfolio", "JPN", "-o", "{tmp}/jpn.html"],
    ["brief", "mission", "AMISOM", "-o", "{tmp}/amisom.html"],
]  # fmt: skip


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS (KiB) and exit status of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen([FOEDUS, *argv], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--only", nargs="*", help="commands whose words start with these")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for argv in COMMANDS:
            if args.only and " ".join(argv).split()[0] not in args.only:
                continue
            argv = [a.replace("{tmp}", tmp) for a in argv]
            wh = Path(tmp) / "warehouse.duckdb"
            shutil.rmtree(wh.with_name(wh.name + ".cache"), ignore_errors=True)
            shutil.copyfile(args.warehouse, wh)
            env = dict(os.environ, FOEDUS_WAREHOUSE=str(wh), PYTHONDONTWRITEBYTECODE="1")
            first = run(argv, env)
            later = run(argv, env)
            rows.append((" ".join(argv).replace(tmp + "/", ""), first, later))
            print(f"{rows[-1][0]:<70} first {first[0]:6.2f} s wall {first[1]:6.2f} s cpu "
                  f"{first[2] / 1024:6.0f} MB rc {first[3]} | later {later[0]:6.2f} s wall "
                  f"{later[1]:6.2f} s cpu {later[2] / 1024:6.0f} MB rc {later[3]}",
                  file=sys.stderr, flush=True)  # fmt: skip
    load = os.getloadavg()[0]
    if args.markdown:
        print(f"Load average at the end: {load:.1f} (2 cores).\n")
        print("| command | first run: wall / CPU / peak RSS | later run: wall / CPU / peak RSS |")
        print("|---|---|---|")
        for name, first, later in rows:
            flag = "" if first[3] == later[3] == 0 else f" (exit {first[3]}/{later[3]})"
            print(f"| `foedus {name}`{flag} | {first[0]:.2f} s / {first[1]:.2f} s / "
                  f"{first[2] / 1024:,.0f} MB | {later[0]:.2f} s / {later[1]:.2f} s / "
                  f"{later[2] / 1024:,.0f} MB |")  # fmt: skip


if __name__ == "__main__":
    main()
