"""CPU per request of the engagement-records API, one request at a time, by kind of request.

Starts ``foedus serve --workers 1`` on a fresh records database (a SQLite file or a PostgreSQL
database it wipes; prepared as ``records_load.py`` does, with 20 engagements), then sends, one
after another on one keep-alive connection and after 20 requests of warm-up each: ``GET /me``
(authentication only), ``GET /engagements/{id}`` (one engagement), ``GET /engagements?limit=50``
and a read followed by an edit (``GET`` + ``PATCH``, always based on the version read, so never a
409). For each kind it prints the server process's CPU (user + system, ``/proc``) per request,
the CPU of PostgreSQL's backends serving the database (PostgreSQL on this machine only) and the
wall time per request. With ``--concurrent`` it instead sends ``GET /engagements/{id}`` from 30
connections at once (10 requests each per round).

    FOEDUS_WAREHOUSE=… uv run --frozen python benchmarks/records_requests.py --database sqlite
    FOEDUS_WAREHOUSE=… uv run --frozen python benchmarks/records_requests.py \\
        --database postgresql+psycopg://foedus:foedus@127.0.0.1/foedus_bench --requests 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from records_load import Connection, cpu_seconds, database_backends, descendants, prepare  # noqa: E402


async def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh temporary file) or a PostgreSQL URL to wipe")
    parser.add_argument("--requests", type=int, default=1000,
                        help="requests of each kind (lists and read + edit pairs: a quarter)")
    parser.add_argument("--concurrent", action="store_true",
                        help="30 connections reading engagements at once instead")
    parser.add_argument("--warehouse", default=os.environ.get("FOEDUS_WAREHOUSE"))
    args = parser.parse_args()
    if not args.warehouse:
        parser.error("give --warehouse (an imported warehouse) or set FOEDUS_WAREHOUSE")
    folder = Path(tempfile.mkdtemp(prefix="foedus-requests-"))
    url = f"sqlite:///{folder / 'records.sqlite'}" if args.database == "sqlite" else args.database
    write_tokens, read_tokens, ids = prepare(url, 2, 2, 20)
    server = subprocess.Popen(
        [sys.executable, "-c", "from foedus.cli import main; main()", "serve", "--port", "0",
         "--json", "--no-warm", "--workers", "1", "--warehouse", str(args.warehouse),
         "--database", url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    port = int(json.loads(server.stdout.readline())["port"])
    api = "/api/v1/records"
    conn = Connection("127.0.0.1", port)
    for _ in range(300):
        try:
            if (await conn.request("GET", api + "/me", read_tokens[0]))[0] == 200:
                break
        except OSError:
            pass
        await asyncio.sleep(0.2)
    pids = descendants(server.pid)
    result: dict[str, object] = {"database": "sqlite" if url.startswith("sqlite") else "postgresql",
                                 "load_average_before": [round(x, 2) for x in os.getloadavg()]}

    def backend_cpu() -> dict[int, float]:
        return {pid: cpu_seconds([pid]) for pid in database_backends(url)}

    async def measure(kind: str, send: object, n: int, per_round: int = 1) -> None:
        for i in range(20):
            await send(i)  # type: ignore[operator]
        cpu0, db0, t0 = cpu_seconds(pids), backend_cpu(), time.perf_counter()
        for i in range(n):
            await send(i)  # type: ignore[operator]
        db = sum(v - db0.get(k, 0.0) for k, v in backend_cpu().items())
        count = n * per_round
        result[kind] = {"requests": count,
                        "server_cpu_ms": round(1000 * (cpu_seconds(pids) - cpu0) / count, 2),
                        "database_cpu_ms": (None if url.startswith("sqlite")
                                            else round(1000 * db / count, 2)),
                        "wall_ms": round(1000 * (time.perf_counter() - t0) / count, 2)}

    async def ok(method: str, path: str, token: str, body: object = None,
                 connection: Connection = conn) -> object:
        status, document = await connection.request(method, api + path, token, body)
        if status != 200:
            raise SystemExit(f"{method} {path}: {status} {document}")
        return document

    async def me(i: int) -> None:
        await ok("GET", "/me", read_tokens[0])

    async def one(i: int) -> None:
        await ok("GET", f"/engagements/{ids[i % len(ids)]}", read_tokens[0])

    async def listing(i: int) -> None:
        await ok("GET", "/engagements?limit=50", read_tokens[0])

    async def edit(i: int) -> None:
        eid = ids[i % len(ids)]
        doc: dict[str, int] = await ok("GET", f"/engagements/{eid}", write_tokens[0])  # type: ignore[assignment]
        await ok("PATCH", f"/engagements/{eid}", write_tokens[0],
                 {"participants": doc["participants"] + 1, "version": doc["version"]})

    connections = [Connection("127.0.0.1", port) for _ in range(30)]

    async def concurrent(i: int) -> None:
        async def user(k: int, c: Connection) -> None:
            for j in range(10):
                await ok("GET", f"/engagements/{ids[(k + j) % len(ids)]}", read_tokens[k % 2],
                         connection=c)
        await asyncio.gather(*(user(k, c) for k, c in enumerate(connections)))

    try:
        if args.concurrent:
            await measure("read-one, 30 connections", concurrent, max(1, args.requests // 300), 300)
        else:
            await measure("me", me, args.requests)
            await measure("read-one", one, args.requests)
            await measure("list of 20", listing, args.requests // 4)
            await measure("read + edit (2 requests)", edit, args.requests // 4)
    finally:
        for c in [conn, *connections]:
            await c.close()
        server.terminate()
        server.wait()
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=1))
