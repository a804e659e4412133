"""REST endpoints of regions and groupings equal the library's answers; errors are problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foedus.api import create_app
from foedus.regions.groupings import grouping_members


@pytest.fixture(scope="module")
def client(built_warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(built_warehouse)) as c:
        yield c


def test_regions_groupings_and_compare(client: TestClient) -> None:
    regions = client.get("/api/v1/regions").json()["regions"]
    assert "asia-pacific" in {r["name"] for r in regions}
    sco = client.get("/api/v1/groupings/SCO", params={"year": 2023}).json()
    assert {m["ccode"] for m in sco["members"]} == {m["ccode"] for m in grouping_members("SCO", 2023)}
    cmp = client.get("/api/v1/groupings/compare", params={"a": "BRICS", "b": "G7", "year": 2023})
    assert cmp.status_code == 200
    assert cmp.json()["cinc"]["year_used"] == 2022


def test_unknown_names_and_long_spans_are_problems(client: TestClient) -> None:
    bad = client.get("/api/v1/groupings/Warsaw", params={"year": 2000})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert "BRICS" in bad.json()["fix"]
    wide = client.get("/api/v1/regions/asia-pacific/profile", params={"from": 1900, "to": 2000})
    assert wide.status_code == 422 and "at most" in wide.json()["fix"]
    ok = client.get("/api/v1/regions/un:eastern-asia/profile", params={"from": 2015, "to": 2016})
    assert ok.status_code == 200 and len(ok.json()["series"]) == 2
