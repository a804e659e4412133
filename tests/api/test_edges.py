"""The API's edges (issue 9, item 6): security headers on every response, the Host check against
DNS rebinding, no absolute paths, unknown query parameters, HEAD, compression, time-outs, names
with typographic apostrophes and ISO3 codes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foedus.api import create_app
from foedus.api.http import Payload, Runner, TimeLimitExceeded

V1 = "/api/v1"


@pytest.fixture(scope="module")
def client(built_warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(built_warehouse), base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.mark.parametrize("path", ["/api/docs", "/openapi.json", f"{V1}/status", f"{V1}/states?year=2010",
                                  f"{V1}/nowhere", "/dashboard/network", f"{V1}/states?year=1700"])
def test_every_response_has_nosniff_and_a_csp(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "default-src" in csp and "http" not in csp


def test_other_host_names_are_refused(built_warehouse: Path) -> None:
    app = create_app(built_warehouse)
    with TestClient(app, base_url="http://attacker.example:8000") as c:
        r = c.get(f"{V1}/status")
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
        assert "localhost" in r.json()["fix"]
        assert c.get("/dashboard/").status_code == 400
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        with TestClient(app, base_url=f"http://{host}") as c:
            assert c.get(f"{V1}/status").status_code == 200, host
    with TestClient(create_app(built_warehouse, allowed_hosts=["foedus.lan"]),
                    base_url="http://foedus.lan") as c:
        assert c.get(f"{V1}/status").status_code == 200


def test_status_shows_no_absolute_path(client: TestClient, built_warehouse: Path) -> None:
    text = client.get(f"{V1}/status").text
    assert str(built_warehouse.parent) not in text and '":"/' not in text
    assert client.get(f"{V1}/status").json()["warehouse"] == built_warehouse.name


def test_unknown_query_parameters_are_refused(client: TestClient) -> None:
    r = client.get(f"{V1}/network?yaer=1990&year=1990")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert "'yaer'" in body["detail"] and "year" in body["fix"] and "obligation" in body["fix"]
    # aliases count as declared: from/to on dyads, with on frames
    assert client.get(f"{V1}/frames/state-years?years=2010&with=nmc&page_size=1").status_code == 200


def test_head_is_answered_where_get_is(client: TestClient) -> None:
    get = client.get(f"{V1}/states?year=2010")
    head = client.head(f"{V1}/states?year=2010")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert client.head("/dashboard/network").status_code == 200
    assert client.head("/api/docs").status_code == 200


def test_answers_are_compressed(client: TestClient) -> None:
    r = client.get(f"{V1}/states?year=2010", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert int(r.headers["content-length"]) < len(r.content)  # httpx has decompressed it


def test_queued_work_is_dropped_when_its_request_times_out() -> None:
    runner = Runner(time_limit_s=0.2, workers=1)
    gate = threading.Event()
    ran: list[str] = []

    def blocker() -> Payload:
        gate.wait(5)
        return Payload(b"1")

    def queued() -> Payload:
        ran.append("queued")
        return Payload(b"2")

    async def scenario() -> None:
        first = asyncio.create_task(runner.run("a", blocker))
        await asyncio.sleep(0.05)
        with pytest.raises(TimeLimitExceeded):
            await runner.run("b", queued)  # waits behind "a", times out while still queued
        with pytest.raises(TimeLimitExceeded):
            await first
        gate.set()

    asyncio.run(scenario())
    time.sleep(0.1)
    assert ran == []  # the queued work never ran: nobody was waiting for it
    assert runner.cached("a") is not None  # running work finished into the cache for the retry
    runner.close()


@pytest.mark.parametrize("name", ["Côte d’Ivoire", "Cote d'Ivoire", "côte d‘ivoire", "CIV"])
def test_typographic_apostrophes_and_iso3_resolve(client: TestClient, name: str) -> None:
    doc = client.get(f"{V1}/states/{name}?year=2010").json()
    assert doc["state"]["ccode"] == 437, doc


@pytest.mark.parametrize(("code", "ccode"), [("DEU", 255), ("KOR", 732), ("GBR", 200), ("AUS", 305)])
def test_iso3_codes_resolve(client: TestClient, code: str, ccode: int) -> None:
    assert client.get(f"{V1}/states/{code}?year=2010").json()["state"]["ccode"] == ccode


def test_the_server_serves_a_warehouse_swapped_in_by_an_import(
    built_warehouse: Path, tmp_path: Path
) -> None:
    """An import (here a pin, which writes a copy and swaps it in) while the server runs: the
    next request sees the new release, and answers cached before are not served again."""
    import shutil

    from foedus.warehouse import Warehouse

    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, copy)
    url = "/api/v1/frames/state-years?years=2010&with=nmc&page_size=500"

    def nmc_version(body: dict) -> str:
        return next(s["version"] for s in body["provenance"]["sources"] if s["source"] == "nmc")

    with TestClient(create_app(copy), base_url="http://127.0.0.1:8000") as c:
        first = c.get(url)
        assert first.status_code == 200 and first.headers["x-foedus-cache"] == "miss"
        assert c.get(url).headers["x-foedus-cache"] == "hit"
        assert nmc_version(first.json()) == "7.0"
        with Warehouse(copy) as wh:
            wh.pin("nmc", "6.0")
        status = c.get("/api/v1/status").json()
        assert [r["version"] for r in status["in_use"] if r["table"] == "nmc"] == ["6.0"]
        after = c.get(url)
        assert after.status_code == 200 and after.headers["x-foedus-cache"] == "miss"
        assert nmc_version(after.json()) == "6.0"
        # and without a status call in between: unpin, the next answer is 7.0 again
        with Warehouse(copy) as wh:
            wh.unpin("nmc")
        again = c.get(url)
        assert again.headers["x-foedus-cache"] == "miss" and nmc_version(again.json()) == "7.0"
