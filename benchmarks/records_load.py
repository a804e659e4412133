"""Load test of the engagement-records API on loopback: concurrent writers and readers.

Starts ``foedus serve --workers N`` (N server processes sharing the port) on a fresh records
database (SQLite file or a PostgreSQL database it wipes), creates one user and API token per
virtual user, then runs ``--writers`` analysts and ``--readers`` viewers for ``--seconds``.

Client model (stated before measuring; see benchmarks/README.md): every virtual user is a person
at a dashboard. After each answer they pause for a think time drawn from an exponential
distribution of mean ``--think`` seconds (so each user's requests, and the users' requests
together, arrive close to a Poisson process), and their first request also comes after such a
pause. A writer reads an engagement, thinks, saves an edit based on the version read (a 409
means someone else saved first; the next cycle reads again), thinks. A reader fetches one
engagement three times in four and lists 50 engagements once in four. ``--think 0`` is the
saturated closed loop: every user sends its next request the moment the last one is answered.

Reports the offered rate (users / mean think time: what the users would send if every answer
were instant), the achieved rate, p50/p95/p99 latency per kind of request and overall, errors
(any status but 200/201/409, and dropped connections), 409 conflicts, the lost-update check (for
every engagement, final version − 1 and the edited counter must both equal the number of edits
the server acknowledged with 200), CPU used by the server processes, by PostgreSQL's backends
serving the database (when it is PostgreSQL on this machine) and by this load generator, and the
load average before and after.

    uv run --frozen python benchmarks/records_load.py --database sqlite --workers 2 --think 1
    uv run --frozen python benchmarks/records_load.py --database sqlite --workers 2 --think 0
    uv run --frozen python benchmarks/records_load.py --workers 2 \\
        --database postgresql+psycopg://foedus:foedus@127.0.0.1/foedus_bench
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

#: Seconds after which the client opens a new connection instead of reusing an idle one
#: (uvicorn closes keep-alive connections idle for 5 s).
IDLE_S = 4.0


class Connection:
    """One keep-alive HTTP/1.1 connection, as a browser tab holds one: a minimal client (asyncio
    streams; Content-Length and chunked bodies; gzip), so that the load generator spends far less
    CPU per request than the server it measures (httpx needed ~6 ms per request here)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def request(self, method: str, path: str, token: str, body: object = None
                      ) -> tuple[int, object]:
        """Send a request; returns the status and the decoded JSON body (None if empty).

        A kept-alive connection the server closed while idle (uvicorn closes them after 5 s)
        gives an empty answer before any byte: then, as browsers do, the request is sent once
        more on a new connection (the server never read it)."""
        if self.writer is not None and time.monotonic() - self.used > IDLE_S:
            await self.close()  # as a browser drops an idle connection before the server does
        reused = self.writer is not None
        try:
            return await self._request(method, path, token, body)
        except ConnectionAbortedError:
            if not reused:
                raise
            return await self._request(method, path, token, body)

    async def _request(self, method: str, path: str, token: str, body: object
                       ) -> tuple[int, object]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"
                "Accept-Encoding: gzip\r\n"
                + ("Content-Type: application/json\r\n" if body is not None else "")
                + f"Content-Length: {len(payload)}\r\n\r\n")
        try:
            self.writer.write(head.encode() + payload)
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionAbortedError("the server closed the connection")
            status = int(status_line.split()[1])
            headers = {}
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                data = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while (size := int((await self.reader.readline()).split(b";")[0], 16)):
                    parts.append(await self.reader.readexactly(size))
                    await self.reader.readline()
                await self.reader.readline()
                data = b"".join(parts)
            else:
                data = b""
            if headers.get("connection", "").lower() == "close":
                await self.close()
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            await self.close()
            raise
        self.used = time.monotonic()
        if headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return status, (json.loads(data) if data else None)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the processes ``pids`` (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def database_backends(url: str) -> list[int]:
    """PostgreSQL server processes serving the database of ``url`` (their title names it:
    ``postgres: 15/main: USER DB 127.0.0.1(port) idle``); none for SQLite, which runs inside the
    server processes."""
    if url.startswith("sqlite"):
        return []
    from sqlalchemy.engine import make_url

    name = f" {make_url(url).database} ".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"postgres:") and name in title:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return found


def prepare(url: str, writers: int, readers: int, engagements: int
            ) -> tuple[list[str], list[str], list[int]]:
    """A fresh database with one analyst per writer, one viewer (clearance internal) per reader,
    a token each and ``engagements`` engagements marked internal."""
    from foedus.records import RecordStore

    if not url.startswith("sqlite"):
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    with RecordStore(url) as store:
        admin = store.system_principal("benchmark")
        write_tokens, read_tokens = [], []
        for i in range(writers):
            store.add_user(admin, f"analyst{i}", "analyst")
            write_tokens.append(store.create_token(admin, f"analyst{i}"))
        for i in range(readers):
            store.add_user(admin, f"viewer{i}", "viewer", clearance="internal")
            read_tokens.append(store.create_token(admin, f"viewer{i}"))
        ids = [store.create_engagement(admin, {
            "title": f"Programme {i}", "instrument": "training", "partners": ["Japan"],
            "start_date": "2024-01-01", "marking": "internal", "participants": 0})["id"]
            for i in range(engagements)]
    return write_tokens, read_tokens, ids


async def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh temporary file) or a PostgreSQL URL to wipe")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--engagements", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean think time in seconds (exponential); 0: saturated closed loop")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warehouse", default=os.environ.get("FOEDUS_WAREHOUSE"),
                        help="an imported warehouse for foedus serve (default $FOEDUS_WAREHOUSE)")
    args = parser.parse_args()
    if not args.warehouse:
        parser.error("give --warehouse (an imported warehouse) or set FOEDUS_WAREHOUSE")

    folder = Path(tempfile.mkdtemp(prefix="foedus-load-"))
    url = f"sqlite:///{folder / 'records.sqlite'}" if args.database == "sqlite" else args.database
    write_tokens, read_tokens, ids = prepare(url, args.writers, args.readers, args.engagements)
    server = subprocess.Popen(
        [sys.executable, "-c", "from foedus.cli import main; main()", "serve", "--port", "0", "--json", "--no-warm",
         "--workers", str(args.workers), "--warehouse", str(args.warehouse), "--database", url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    started_doc = json.loads(server.stdout.readline())
    rng = random.Random(args.seed)

    def think() -> float:
        return rng.expovariate(1 / args.think) if args.think > 0 else 0.0

    api = "/api/v1/records"
    host, port = "127.0.0.1", int(started_doc["port"])
    try:
        probe = Connection(host, port)
        for _ in range(600):  # until the server answers
            try:
                if (await probe.request("GET", api + "/me", write_tokens[0]))[0] == 200:
                    break
            except (OSError, asyncio.IncompleteReadError):
                pass
            await asyncio.sleep(0.2)
        for _ in range(60):  # until every worker process has finished starting (CPU idle)
            before = cpu_seconds(descendants(server.pid))
            await asyncio.sleep(1)
            if cpu_seconds(descendants(server.pid)) - before < 0.05:
                break
        latencies: dict[str, list[float]] = defaultdict(list)
        statuses: Counter[tuple[str, int]] = Counter()
        acknowledged: Counter[int] = Counter()
        failures: Counter[str] = Counter()
        load_before = os.getloadavg()
        pids = descendants(server.pid)
        server_cpu0, client_cpu0 = cpu_seconds(pids), time.process_time()
        backends0 = {pid: cpu_seconds([pid]) for pid in database_backends(url)}
        stop = time.monotonic() + args.seconds

        async def timed(conn: Connection, kind: str, method: str, path: str, token: str,
                        body: object = None) -> tuple[int, object] | None:
            t0 = time.perf_counter()
            try:
                answer = await conn.request(method, api + path, token, body)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                statuses[(kind, -1)] += 1  # a dropped connection counts as an error
                failures[type(exc).__name__] += 1
                return None
            latencies[kind].append(time.perf_counter() - t0)
            statuses[(kind, answer[0])] += 1
            return answer

        async def writer(n: int) -> None:
            token, i, conn = write_tokens[n], n, Connection(host, port)
            await asyncio.sleep(think())
            while time.monotonic() < stop:
                eid = ids[i % len(ids)]
                i += 1
                got = await timed(conn, "read-one", "GET", f"/engagements/{eid}", token)
                await asyncio.sleep(think())
                if got is None or got[0] != 200 or time.monotonic() >= stop:
                    continue
                current: dict[str, int] = got[1]  # type: ignore[assignment]
                r = await timed(conn, "edit", "PATCH", f"/engagements/{eid}", token,
                                {"participants": current["participants"] + 1,
                                 "version": current["version"]})
                if r is not None and r[0] == 200:
                    acknowledged[eid] += 1
                await asyncio.sleep(think())
            await conn.close()

        async def reader(n: int) -> None:
            token, i, conn = read_tokens[n], n, Connection(host, port)
            await asyncio.sleep(think())
            while time.monotonic() < stop:
                i += 1
                if i % 4 == 0:
                    await timed(conn, "list", "GET", "/engagements?limit=50", token)
                else:
                    await timed(conn, "read-one", "GET", f"/engagements/{ids[i % len(ids)]}",
                                token)
                await asyncio.sleep(think())
            await conn.close()

        t_start = time.monotonic()
        await asyncio.gather(*(writer(n) for n in range(args.writers)),
                             *(reader(n) for n in range(args.readers)))
        elapsed = time.monotonic() - t_start
        server_cpu = cpu_seconds(pids) - server_cpu0
        # PostgreSQL's backends: CPU since the start (0 for one opened meanwhile); a backend
        # that exited during the run is missed, so this is a lower bound.
        database_cpu = sum(cpu_seconds([pid]) - backends0.get(pid, 0.0)
                           for pid in database_backends(url))
        client_cpu = time.process_time() - client_cpu0
        load_after = os.getloadavg()
        finals: dict[int, dict[str, int]] = {}
        for eid in ids:
            finals[eid] = (await probe.request("GET", f"{api}/engagements/{eid}",
                                               write_tokens[0]))[1]  # type: ignore[assignment]
        await probe.close()
    finally:
        server.terminate()
        server.wait()
    lost = sum(1 for eid in ids if finals[eid]["version"] - 1 != acknowledged[eid]
               or finals[eid]["participants"] != acknowledged[eid])
    errors = sum(c for (kind, code), c in statuses.items() if code not in (200, 201, 409))
    requests = sum(statuses.values())
    everything = [x for v in latencies.values() for x in v]

    def summary(values: list[float]) -> dict[str, float]:
        return {"n": len(values), "p50": round(1000 * percentile(values, 0.5), 1),
                "p95": round(1000 * percentile(values, 0.95), 1),
                "p99": round(1000 * percentile(values, 0.99), 1)}

    users = args.writers + args.readers
    return {
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "server_processes": args.workers, "writers": args.writers, "readers": args.readers,
        "think_mean_s": args.think,
        "client_model": ("exponential think time (close to Poisson arrivals)" if args.think
                         else "saturated closed loop (no think time)"),
        "offered_requests_per_s": round(users / args.think, 1) if args.think else None,
        "seconds": round(elapsed, 1), "requests": requests,
        "achieved_requests_per_s": round(requests / elapsed, 1), "errors": errors,
        "statuses": {f"{k} {c}": n for (k, c), n in sorted(statuses.items())},
        "connection_errors": dict(failures),
        "edits_acknowledged": sum(acknowledged.values()),
        "conflicts_409": sum(c for (k, code), c in statuses.items() if code == 409),
        "engagements_with_lost_updates": lost,
        "latency_ms": {"all": summary(everything),
                       **{k: summary(v) for k, v in sorted(latencies.items())}},
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(requests, 1), 2),
        "client_cpu_ms_per_request": round(1000 * client_cpu / max(requests, 1), 2),
        "database_cpu_ms_per_request": (None if url.startswith("sqlite") else
                                        round(1000 * database_cpu / max(requests, 1), 2)),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=1))
