"""REST: POST /api/v1/scenarios (TOML or JSON) and GET /api/v1/recommend, equal to the library."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foedus.api import create_app
from foedus.scenarios.recommend import recommend
from foedus.scenarios.run import run_scenario
from foedus.scenarios.spec import parse_scenario

V1 = "/api/v1"
TOML = """format = 1
year = 2010
draws = 2000
seed = 5
[attack]
attackers = ["PRK"]
target = "JPN"
"""


@pytest.fixture(scope="module")
def client(built_warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(built_warehouse)) as c:
        yield c


def test_post_toml_and_json_equal_library(client: TestClient, built_warehouse: Path) -> None:
    r = client.post(f"{V1}/scenarios", content=TOML, headers={"content-type": "application/toml"})
    assert r.status_code == 200, r.text
    doc = r.json()
    lib = run_scenario(parse_scenario(TOML, source="request body"),
                       warehouse=built_warehouse).to_dict()
    lib.pop("seconds")
    assert json.loads(json.dumps(lib, default=str)) == doc
    usa = [x for x in doc["simulation"]["scenario"]["responders"] if x["state"] == "USA"]
    assert usa and usa[0]["depth"] == 1
    as_json = {"format": 1, "year": 2010, "draws": 2000, "seed": 5,
               "attack": {"attackers": ["PRK"], "target": "JPN"}}
    r2 = client.post(f"{V1}/scenarios", json=as_json)
    assert r2.status_code == 200
    assert r2.json()["simulation"] == doc["simulation"]


@pytest.mark.parametrize(("body", "status", "what"), [
    ("format = 1\nyear = [", 422, "malformed TOML"),
    ("format = 1\nyear = 2010\n[attack]\nattackers = ['RUS']\ntarget = 'ZZZ'", 422,
     "unknown state"),
])
def test_post_errors_are_problems(client: TestClient, body: str, status: int, what: str) -> None:
    r = client.post(f"{V1}/scenarios", content=body)
    assert r.status_code in (400, 404, 422), r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert what in r.json()["detail"]


def test_recommend_equals_library(client: TestClient, built_warehouse: Path) -> None:
    r = client.get(f"{V1}/recommend", params={"state": "JPN", "objective": "deter:CHN",
                                              "top": 5})
    assert r.status_code == 200, r.text
    lib = recommend("JPN", "deter:CHN", top=5, warehouse=built_warehouse)
    lib.pop("seconds")
    assert r.json()["options"] == json.loads(json.dumps(lib["options"]))
    bad = client.get(f"{V1}/recommend", params={"state": "JPN", "objective": "win"})
    assert bad.status_code >= 400 and bad.headers["content-type"] == "application/problem+json"
