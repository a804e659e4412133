"""Load test of the REST API on loopback: a fixed request rate for a fixed time across the main
endpoints, then errors and latency percentiles.

    uv run --frozen python benchmarks/api_load.py --warehouse FILE      # or --data ../shared/data
    uv run --frozen python benchmarks/api_load.py --rate 200 --duration 60

It starts `foedus serve` (the `serve` command of `foedus.api.cli`) on 127.0.0.1 with a free port
in a subprocess, waits for it, requests every URL of the mix once in turn (the cold pass: first
answers, timed, filling the caches), then sends `rate` requests per second for `duration`
seconds — open loop, on a fixed schedule, at most `--concurrency` in flight — with an async httpx
client. Everything is bounded: `rate × duration` requests, each with a timeout, a hard deadline
for the whole run; the server is stopped at the end. Traffic goes to 127.0.0.1 only.

Latency is measured from each request's scheduled time (so a client or server that falls behind
shows up in the figures) and from its actual start. An error is any answer other than 200, or a
request that fails or times out. Not part of the test suite: speed is measured here only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
SERVER = "from foedus.cli import app\napp()\n"  # `foedus serve …` in this interpreter


def mix() -> list[tuple[str, str]]:
    """(endpoint, URL path) of every request in the mix: what a dashboard asks while a user
    moves the year slider, opens state, alliance and dyad pages and runs defence queries."""
    v = "/api/v1"
    urls: list[tuple[str, str]] = [("status", f"{v}/status"), ("states", f"{v}/states"),
                                   ("states", f"{v}/states?year=2010"),
                                   ("states", f"{v}/states?system=gw&year=1990")]
    for year in [*range(1820, 2021, 5), 2022, 2024]:
        urls.append(("network", f"{v}/network?year={year}"))
    for year in (1914, 1939, 1962, 1985, 2010):
        urls.append(("network", f"{v}/network?year={year}&obligation=defense"))
    for measure in ("cinc", "milex", "degree", "idealpoint", "cowmaj"):
        for year in (1914, 1962, 1990, 2010):
            urls.append(("map", f"{v}/map?measure={measure}&year={year}"))
    for state in ("USA", "RUS", "CHN", "JPN", "POL", "GMY", "FRN", "UKG", "IND", "BRA"):
        for year in (1914, 1985, 2010):
            urls.append(("state", f"{v}/states/{state}?year={year}"))
    for state, year in (("JPN", 2010), ("POL", 2018), ("SWD", 2024), ("USA", 1985), ("GMY", 1914)):
        urls.append(("alliances", f"{v}/alliances?state={state}&year={year}"))
    urls += [("alliances", f"{v}/alliances?year=1914"), ("alliances", f"{v}/alliances")]
    for name in ("NATO", "Warsaw Pact", "Rio Pact", "3375"):
        urls.append(("alliance", f"{v}/alliances/{name}?year=1985"))
    for query in ("target=POL&year=2018&attacker=RUS&location=POL",
                  "target=JPN&year=2010&attacker=PRK&location=JPN",
                  "target=GMY&year=1914&attacker=FRN,RUS&provoked=false",
                  "target=USA&year=2010&location=USA",
                  "target=EST&year=2024&attacker=RUS",
                  "target=ROK&year=1985&attacker=PRK"):
        urls.append(("defend", f"{v}/defend?{query}"))
    for a, b in (("USA", "RUS"), ("USA", "CHN"), ("FRN", "GMY"), ("IND", "PAK"), ("ISR", "EGY"),
                 ("UKG", "FRN"), ("JPN", "CHN"), ("GRC", "TUR")):
        urls.append(("dyad", f"{v}/dyads/{a}/{b}"))
    for year in (1914, 1939, 1962, 1985, 2010):
        urls.append(("similarity", f"{v}/similarity?year={year}"))
    urls += [("structure", f"{v}/structure?from=1816&to=2022"),
             ("structure", f"{v}/structure?from=1946&to=1991&group=all"),
             ("frames", f"{v}/frames/state-years?years=2010&with=nmc,majors"),
             ("frames", f"{v}/frames/state-years?years=1990&with=nmc&format=csv"),
             ("frames", f"{v}/frames/dyad-years?years=2010&with=atop,contiguity&page_size=1000")]
    return urls


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of ``values``; None when empty.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
        2.0
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def start_server(warehouse: Path, workers: int) -> tuple[subprocess.Popen[str], str]:
    """Start `foedus serve` on 127.0.0.1 (free port); return the process and its base URL."""
    cmd = [sys.executable, "-c", SERVER, "serve", "--host", HOST, "--port", "0", "--json",
           "--warehouse", str(warehouse), "--threads", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise SystemExit(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")
    url = json.loads(line)["url"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/status", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(proc: subprocess.Popen[str]) -> None:
    """Stop the server: SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


async def cold_pass(url: str, urls: list[tuple[str, str]], timeout: float) -> dict[str, Any]:
    """Each URL once, in turn: the first answers (caches empty); an answer past the time limit is
    awaited through its 503 + Retry-After, and its time counts in full."""
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        for endpoint, path in urls:
            started = time.perf_counter()
            try:
                r = await client.get(path)
                for _ in range(30):  # 503 + Retry-After: still computing; retry as the dashboard does
                    if r.status_code != 503 or "Retry-After" not in r.headers:
                        break
                    await asyncio.sleep(float(r.headers["Retry-After"]))
                    r = await client.get(path)
                ok = r.status_code == 200
            except httpx.HTTPError as exc:
                ok, r = False, None
                errors.append(f"{path}: {type(exc).__name__}")
            elapsed = time.perf_counter() - started
            times.setdefault(endpoint, []).append(elapsed)
            if not ok and r is not None:
                errors.append(f"{path}: {r.status_code} {r.text[:200]}")
    every = [t for ts in times.values() for t in ts]
    return {"requests": len(every), "errors": errors, "seconds": round(sum(every), 2),
            "p50_ms": _ms(percentile(every, 50)), "p95_ms": _ms(percentile(every, 95)),
            "max_ms": _ms(max(every) if every else None),
            "by_endpoint_max_ms": {k: _ms(max(v)) for k, v in sorted(times.items())}}


async def load(url: str, urls: list[tuple[str, str]], rate: float, duration: float,
               concurrency: int, timeout: float, seed: int) -> dict[str, Any]:
    """Open-loop load: request i is due at start + i/rate; at most ``concurrency`` in flight."""
    rng = random.Random(seed)
    total = int(rate * duration)
    plan = [urls[rng.randrange(len(urls))] for _ in range(total)]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    results: list[tuple[str, float, float, int | str]] = []

    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:

        async def one(due: float, endpoint: str, path: str) -> None:
            async with gate:
                began = time.perf_counter()
                try:
                    r = await client.get(path)
                    outcome: int | str = r.status_code
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                ended = time.perf_counter()
                results.append((endpoint, ended - due, ended - began, outcome))

        start = time.perf_counter() + 0.5
        tasks = []
        for i, (endpoint, path) in enumerate(plan):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due, endpoint, path)))
        hard = duration + timeout + 30
        done, pending = await asyncio.wait(tasks, timeout=hard)
        for task in pending:
            task.cancel()
        sent_for = time.perf_counter() - start
    lat = [r[1] for r in results]
    service = [r[2] for r in results]
    errors: dict[str, int] = {}
    for _, _, _, outcome in results:
        if outcome != 200:
            errors[str(outcome)] = errors.get(str(outcome), 0) + 1
    by_endpoint: dict[str, dict[str, Any]] = {}
    for endpoint in sorted({r[0] for r in results}):
        values = [r[1] for r in results if r[0] == endpoint]
        by_endpoint[endpoint] = {"n": len(values), "p50_ms": _ms(percentile(values, 50)),
                                 "p95_ms": _ms(percentile(values, 95)),
                                 "p99_ms": _ms(percentile(values, 99))}
    return {
        "planned": total, "completed": len(results), "unfinished": len(pending),
        "errors": sum(errors.values()) + len(pending), "error_kinds": errors,
        "achieved_rate": round(len(results) / sent_for, 1) if sent_for > 0 else None,
        "p50_ms": _ms(percentile(lat, 50)), "p95_ms": _ms(percentile(lat, 95)),
        "p99_ms": _ms(percentile(lat, 99)), "max_ms": _ms(max(lat) if lat else None),
        "mean_ms": _ms(statistics.fmean(lat) if lat else None),
        "service_p95_ms": _ms(percentile(service, 95)),
        "by_endpoint": by_endpoint,
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def main() -> None:
    """Parse options, start the server, run the cold pass and the load, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="warehouse file to serve")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"),
                        help="release files to import into a temporary warehouse (when no "
                        "--warehouse is given)")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=64, help="most requests in flight")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--workers", type=int, default=4, help="server threads computing answers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    if args.rate <= 0 or args.duration <= 0 or args.rate * args.duration > 100_000:
        raise SystemExit("rate and duration must be positive, at most 100,000 requests in all")

    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse
        if warehouse is None:
            from foedus.warehouse import Warehouse

            warehouse = Path(tmp) / "warehouse.duckdb"
            started = time.perf_counter()
            with Warehouse(warehouse) as wh:
                wh.import_dir(args.data)
            print(f"imported {args.data} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        proc, url = start_server(warehouse, args.workers)
        try:
            urls = mix()
            cold = asyncio.run(cold_pass(url, urls, args.timeout * 3))
            hot = asyncio.run(load(url, urls, args.rate, args.duration, args.concurrency,
                                   args.timeout, args.seed))
        finally:
            stop_server(proc)
    report = {"command": " ".join(sys.argv), "date": time.strftime("%Y-%m-%d"),
              "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
              "distinct_urls": len(urls), "rate": args.rate, "duration_s": args.duration,
              "concurrency": args.concurrency, "cold_pass": cold, "load": hot}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"cold pass: {cold['requests']} distinct URLs in {cold['seconds']} s, "
          f"p50 {cold['p50_ms']} ms, p95 {cold['p95_ms']} ms, max {cold['max_ms']} ms, "
          f"errors {len(cold['errors'])}")
    print(f"load: {hot['completed']}/{hot['planned']} requests at {hot['achieved_rate']}/s "
          f"(target {args.rate:g}/s for {args.duration:g} s), errors {hot['errors']}")
    print(f"latency from schedule: p50 {hot['p50_ms']} ms, p95 {hot['p95_ms']} ms, "
          f"p99 {hot['p99_ms']} ms, max {hot['max_ms']} ms (service p95 {hot['service_p95_ms']} ms)")
    for endpoint, figures in hot["by_endpoint"].items():
        print(f"  {endpoint:<11} n={figures['n']:<5} p50 {figures['p50_ms']} ms  "
              f"p95 {figures['p95_ms']} ms  p99 {figures['p99_ms']} ms")
    print(f"load average after: {report['load_average']}")
    if cold["errors"]:
        print("cold-pass errors:", *cold["errors"][:10], sep="\n  ")


if __name__ == "__main__":
    main()
