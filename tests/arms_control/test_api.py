"""The arms-control REST endpoints (library calls only; errors as problem+json)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foedus.api import create_app


@pytest.fixture(scope="module")
def client(built_warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(built_warehouse)) as c:
        yield c


def test_treaty_endpoints(client: TestClient) -> None:
    r = client.get("/api/v1/treaties/NPT", params={"year": 2010})
    assert r.status_code == 200
    states = {s["abb"]: s for s in r.json()["states"]}
    assert states["PRK"]["status"] == "withdrawn" and states["IND"]["status"] == "not signed"
    bad = client.get("/api/v1/treaties/narnia")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert "NPT" in bad.json()["fix"]
    listing = client.get("/api/v1/treaties").json()["treaties"]
    assert any(t["key"] == "CTBT" for t in listing)


def test_membership_profile_and_conflicts(client: TestClient) -> None:
    m = client.get("/api/v1/arms-control/membership", params={"year": 2021, "treaty": "ATT"}).json()
    chn = next(s for s in m["states"] if s["ccode"] == 710)
    assert chn["iso3"] == "CHN" and chn["status"] == "party"
    p = client.get("/api/v1/arms-control/states/RUS", params={"year": 2024}).json()
    ctbt = next(t for t in p["treaties"] if t["treaty"] == "CTBT")
    assert ctbt["status"] == "signed" and ctbt["deratified"] == "2023-11-03"
    assert client.get("/api/v1/arms-control/states/Narnia").status_code == 404
    c = client.get("/api/v1/arms-control/conflicts", params={"treaty": "PTBT"}).json()["conflicts"]
    assert any(x["kind"] == "day and month swapped" for x in c)
    d = client.get("/api/v1/arms-control/deterrence", params={"year": 2020}).json()
    assert "JPN" in {r["abb"] for r in d["protected"]}
