"""Benchmark: scenario simulation and recommendations (issue 12: 10,000 draws < 2 s; one
recommendation < 5 s).

Measures, on a built warehouse:
  1. the Monte Carlo alone: ``draw_responses`` + ``simulate`` with 10,000 draws over the nodes of
     the Baltic 2026 escalation tree (the largest example) — best and median of N runs;
  2. ``run_scenario`` for each shipped example (``examples/*.toml``) in one warm process,
     with and without the deltas (the first deltas run pays for fitting the dangerous-dyads
     model once);
  3. ``recommend("JPN", "deter:CHN")``: cold (first call in the process, after the alliance data
     are loaded) and warm;
  4. the one-off load of the alliance data, reported separately.

Run:  uv run --frozen python benchmarks/scenarios.py --warehouse FILE [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(fn, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {"best": min(times), "median": statistics.median(times)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from foedus.alliances.data import get_data
    from foedus.alliances.defence import _responders
    from foedus.scenarios.params import load_table
    from foedus.scenarios.recommend import recommend
    from foedus.scenarios.run import MEASURES, build_nodes, run_scenario
    from foedus.scenarios.simulate import simulate
    from foedus.scenarios.spec import load_scenario
    from foedus.scenarios.system import capabilities

    out: dict[str, object] = {}
    t = time.perf_counter()
    data = get_data(args.warehouse)
    out["load_alliance_data_s"] = time.perf_counter() - t
    table = load_table()
    a = _responders(data, "EST", 2026, ["RUS"], "EST", False, None)
    defenders, allies = build_nodes(a, table, 2026, {})
    caps = capabilities(data, 2026, args.warehouse)
    labels = {c: s.abb for c, s in data.states.by_code.items()}
    out["nodes"] = len(defenders)
    out["monte_carlo_10000_s"] = _timed(lambda: simulate(
        defenders, allies, target=data.states.resolve("EST").ccode,
        attackers=[data.states.resolve("RUS").ccode], capabilities=caps.values,
        measures=MEASURES, draws=10_000, seed=1, rho=0.5, labels=labels), args.runs)
    runs: dict[str, object] = {}
    for f in sorted((ROOT / "examples").glob("*.toml")):
        s = load_scenario(f)
        t = time.perf_counter()
        run_scenario(s, warehouse=args.warehouse)
        first = time.perf_counter() - t
        runs[f.name] = {"with_deltas_first_s": first,
                        "with_deltas_warm_s": _timed(
                            lambda s=s: run_scenario(s, warehouse=args.warehouse), 3)["median"],
                        "without_deltas_s": _timed(lambda s=s: run_scenario(
                            s, warehouse=args.warehouse, deltas=False), 3)["median"]}
    out["run_scenario"] = runs
    t = time.perf_counter()
    recommend("JPN", "deter:CHN", warehouse=args.warehouse)
    out["recommend_cold_s"] = time.perf_counter() - t
    out["recommend_warm_s"] = _timed(lambda: recommend("JPN", "deter:CHN",
                                                       warehouse=args.warehouse), 3)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    for k, v in out.items():
        print(f"{k}: {json.dumps(v, indent=1) if isinstance(v, dict) else v}")


if __name__ == "__main__":
    main()
