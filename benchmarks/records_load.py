"""Load test of the engagement-records API on loopback: concurrent writers and readers.

Starts ``foedus``'s API (uvicorn, one process) on a fresh records database, then for
``--seconds`` runs ``--writers`` clients that edit shared engagements with optimistic locking
(re-reading after a 409) and ``--readers`` clients that list and fetch engagements. Reports
errors (any status other than 200/201/409), p50/p95/p99 latency per kind of request and the
lost-update check: for every engagement, final version − 1 must equal the number of edits the
server acknowledged (200) — a lost update would leave fewer versions than acknowledgements.

    uv run --frozen python benchmarks/records_load.py --database sqlite
    uv run --frozen python benchmarks/records_load.py --database postgresql+psycopg://foedus:foedus@127.0.0.1/foedus_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

SERVER = """
import sys, uvicorn
from foedus.api.app import create_app
app = create_app(sys.argv[1], database=sys.argv[2])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="error", backlog=4096,
            limit_concurrency=None)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh temporary file) or a PostgreSQL URL to wipe")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--engagements", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each client pauses between requests (0: closed loop, as "
                        "fast as the server answers)")
    args = parser.parse_args()

    from foedus.records import RecordStore

    folder = Path(tempfile.mkdtemp(prefix="foedus-load-"))
    url = f"sqlite:///{folder / 'records.sqlite'}" if args.database == "sqlite" else args.database
    if not url.startswith("sqlite"):
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    with RecordStore(url) as store:
        admin = store.system_principal()
        store.add_user(admin, "ana", "analyst")
        token = store.create_token(admin, "ana")
        ids = [store.create_engagement(admin, {
            "title": f"Programme {i}", "instrument": "training", "partners": ["Japan"],
            "start_date": "2024-01-01", "marking": "internal", "participants": 0})["id"]
            for i in range(args.engagements)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(folder / "none.duckdb"), url,
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/api/v1/records"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(headers=headers, timeout=30,
                                     limits=httpx.Limits(max_connections=1000)) as client:
            for _ in range(300):
                try:
                    if (await client.get(base + "/me")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
            latencies: dict[str, list[float]] = defaultdict(list)
            statuses: Counter[tuple[str, int]] = Counter()
            acknowledged: Counter[int] = Counter()
            failures: Counter[str] = Counter()
            stop = time.monotonic() + args.seconds

            async def timed(kind: str, method: str, path: str, **kw: object) -> httpx.Response | None:
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, base + path, **kw)  # type: ignore[arg-type]
                except httpx.HTTPError as exc:  # a dropped connection counts as an error
                    statuses[(kind, -1)] += 1
                    failures[type(exc).__name__] += 1
                    return None
                latencies[kind].append(time.perf_counter() - t0)
                statuses[(kind, r.status_code)] += 1
                return r

            async def writer(n: int) -> None:
                i = n
                while time.monotonic() < stop:
                    eid = ids[i % len(ids)]
                    i += 1
                    got = await timed("read-one", "GET", f"/engagements/{eid}")
                    if got is None or got.status_code != 200:
                        continue
                    current = got.json()
                    r = await timed("edit", "PATCH", f"/engagements/{eid}",
                                    json={"participants": current["participants"] + 1,
                                          "version": current["version"]})
                    if r is not None and r.status_code == 200:
                        acknowledged[eid] += 1
                    if args.think:
                        await asyncio.sleep(args.think)

            async def reader(n: int) -> None:
                i = n
                while time.monotonic() < stop:
                    i += 1
                    if i % 4 == 0:
                        await timed("list", "GET", "/engagements", params={"limit": 50})
                    else:
                        await timed("read-one", "GET", f"/engagements/{ids[i % len(ids)]}")
                    if args.think:
                        await asyncio.sleep(args.think)

            started = time.monotonic()
            await asyncio.gather(*(writer(n) for n in range(args.writers)),
                                 *(reader(n) for n in range(args.readers)))
            elapsed = time.monotonic() - started
            finals = {eid: (await client.get(f"{base}/engagements/{eid}")).json() for eid in ids}
    finally:
        server.terminate()
        server.wait()
    lost = sum(1 for eid in ids if finals[eid]["version"] - 1 != acknowledged[eid]
               or finals[eid]["participants"] != acknowledged[eid])
    errors = sum(c for (kind, code), c in statuses.items() if code not in (200, 201, 409))
    requests = sum(statuses.values())
    return {
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "writers": args.writers, "readers": args.readers, "think_s": args.think,
        "seconds": round(elapsed, 1),
        "requests": requests, "requests_per_s": round(requests / elapsed, 1), "errors": errors,
        "connection_errors": dict(failures),
        "edits_acknowledged": sum(acknowledged.values()),
        "conflicts_409": sum(c for (k, code), c in statuses.items() if code == 409),
        "engagements_with_lost_updates": lost,
        "latency_ms": {k: {"n": len(v), "p50": round(1000 * percentile(v, 0.5), 1),
                           "p95": round(1000 * percentile(v, 0.95), 1),
                           "p99": round(1000 * percentile(v, 0.99), 1)}
                       for k, v in sorted(latencies.items())},
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=1))
