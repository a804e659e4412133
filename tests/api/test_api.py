"""The REST API on the real data: every endpoint, numbers equal to the library's, problem+json on
bad input, row limit, pagination, time limit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

import foedus
from foedus.api import create_app
from foedus.api.app import dumps
from foedus.api.service import DYAD_SIMILARITY

V1 = "/api/v1"


@pytest.fixture(scope="module")
def client(built_warehouse: Path) -> Iterator[TestClient]:
    with TestClient(create_app(built_warehouse)) as c:
        yield c


def _json(value: Any) -> Any:
    """A library value as the API serialises it."""
    return json.loads(dumps(value))


def _ok(client: TestClient, url: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def _problem(client: TestClient, url: str, status: int) -> dict[str, Any]:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    for key in ("type", "title", "status", "detail", "fix"):
        assert key in body
    assert body["status"] == status and body["type"].startswith("urn:foedus:problem:")
    return body


# ---------------------------------------------------------------------------------------------
# status, docs, OpenAPI
# ---------------------------------------------------------------------------------------------
def test_status_lists_releases_in_use(client: TestClient, built_warehouse: Path) -> None:
    doc = _ok(client, f"{V1}/status")
    assert doc["ready"] is True
    in_use = {r["table"]: r for r in doc["in_use"]}
    with foedus.Warehouse(built_warehouse, read_only=True) as wh:
        assert in_use["atop_member"]["version"] == wh.active("atop_member").version
        assert in_use["nmc"]["version"] == wh.active("nmc").version
    assert doc["row_limit"] == 100_000


def test_openapi_and_local_docs_page(client: TestClient) -> None:
    schema = _ok(client, "/openapi.json")
    assert schema["openapi"].startswith("3.")
    for path in ("/status", "/states", "/states/{state}", "/alliances", "/alliances/{name_or_id}",
                 "/defend", "/dyads/{a}/{b}", "/similarity", "/network", "/structure", "/map",
                 "/frames/{unit}"):
        assert V1 + path in schema["paths"], path
    assert "Problem" in schema["components"]["schemas"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # served locally: no script, stylesheet or font from another host
    assert "<script" not in page.text and "src=\"http" not in page.text and "href=\"http" not in page.text
    assert "/api/v1/defend" in page.text
    assert client.get("/docs", follow_redirects=False).headers["location"] == "/api/docs"


# ---------------------------------------------------------------------------------------------
# states
# ---------------------------------------------------------------------------------------------
def test_states_of_a_year_equal_the_state_years_frame(client: TestClient, built_warehouse: Path) -> None:
    doc = _ok(client, f"{V1}/states?system=cow&year=2010")
    frame = foedus.state_years("cow", years=2010, warehouse=built_warehouse)
    assert [s["code"] for s in doc["states"]] == sorted(frame.df["ccode"].to_list())
    by_abb = {s["abbreviation"]: s for s in doc["states"]}
    assert by_abb["JPN"] == {"code": 740, "abbreviation": "JPN", "name": "Japan", "iso3": "JPN",
                             "first_year": 2010, "last_year": 2010}
    iso = [s["iso3"] for s in doc["states"] if s["iso3"]]
    assert len(iso) == len(set(iso)) and len(iso) >= 0.95 * len(doc["states"])
    assert doc["provenance"]["sources"][0]["table"] == "cow_system"
    gw = _ok(client, f"{V1}/states?system=gw&year=2010")
    assert gw["count"] == foedus.state_years("gw", years=2010, warehouse=built_warehouse).height
    everyone = _ok(client, f"{V1}/states")
    assert {s["code"] for s in everyone["states"]} >= {255, 260, 265, 300}


def test_state_profile_equals_the_library(client: TestClient, built_warehouse: Path) -> None:
    from foedus.alliances import alliances_of

    doc = _ok(client, f"{V1}/states/Japan?year=2010")
    assert doc["state"]["ccode"] == 740 and doc["in_system"] is True
    sy = (foedus.state_years("cow", years=2010, warehouse=built_warehouse)
          .enrich(["nmc", "majors", "idealpoints", "network"]).df.filter(pl.col("ccode") == 740))
    row = sy.row(0, named=True)
    for column in ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc"):
        assert doc["capabilities"][column] == row[column]
    assert doc["major_power"] is bool(row["cowmaj"])
    assert doc["idealpoint"] == row["idealpoint"]
    for column in ("degree", "weighted_degree", "betweenness", "eigenvector", "clustering", "bloc"):
        assert doc["network"][column] == row[column]
    assert doc["alliances"] == _json(alliances_of("JPN", 2010, warehouse=built_warehouse).to_dicts())
    tables = {s["table"] for s in doc["provenance"]["sources"]}
    assert {"cow_system", "nmc", "cow_majors", "atop_member"} <= tables


def test_state_profile_after_atop_uses_the_extended_network(client: TestClient) -> None:
    doc = _ok(client, f"{V1}/states/SWD?year=2025")
    net = _ok(client, f"{V1}/network?year=2025")
    node = next(n for n in net["nodes"] if n["ccode"] == 380)
    assert doc["network"]["degree"] == node["degree"] > 0
    assert net["basis"] == "atop-carried-forward+curated"
    assert any("2018" in n for n in doc["notes"])


def test_unknown_state_suggests_close_matches(client: TestClient) -> None:
    body = _problem(client, f"{V1}/states/JPX?year=2010", 404)
    assert body["error"] == "UnknownStateError" and "JPN" in body["fix"]
    body = _problem(client, f"{V1}/alliances?state=Jpaan&year=2010", 422)
    assert "Japan" in body["fix"]
    _problem(client, f"{V1}/dyads/USA/RUX", 404)
    _problem(client, f"{V1}/states/%C2%B2?year=2010", 404)  # a superscript digit is no code


def test_impossible_years_are_problems(client: TestClient) -> None:
    body = _problem(client, f"{V1}/states/JPN?year=1700", 422)
    assert body["error"] == "InvalidYearsError" and "1815" in body["fix"]
    assert _problem(client, f"{V1}/states?year=3000", 422)["error"] == "InvalidYearsError"
    assert _problem(client, f"{V1}/network?year=1700", 422)["error"] == "InvalidYearsError"
    assert "2018" in _problem(client, f"{V1}/similarity?year=2020", 422)["fix"]
    assert _problem(client, f"{V1}/structure?from=2000&to=1990", 422)["fix"] == "write 1990-2000"
    assert _problem(client, f"{V1}/dyads/USA/RUS?from=1600", 422)["error"] == "InvalidYearsError"
    body = _problem(client, f"{V1}/states/JPN?year=abc", 422)
    assert body["title"] == "Invalid parameter" and body["errors"][0]["parameter"] == "year"


# ---------------------------------------------------------------------------------------------
# alliances and collective defence
# ---------------------------------------------------------------------------------------------
def test_alliances_endpoints_equal_the_registry(client: TestClient, built_warehouse: Path) -> None:
    from foedus.alliances import alliance, alliances_of

    doc = _ok(client, f"{V1}/alliances?state=JPN&year=2010")
    assert doc["alliances"] == _json(alliances_of("JPN", 2010, warehouse=built_warehouse).to_dicts())
    nato = _ok(client, f"{V1}/alliances/NATO?year=2018")
    assert nato["alliance"] == _json(alliance("NATO", 2018, warehouse=built_warehouse).to_dict())
    assert len({m["ccode"] for m in nato["alliance"]["members"]}) == 29
    in_force = _ok(client, f"{V1}/alliances?year=2018")
    row = next(a for a in in_force["alliances"] if a["atopid"] == 3180)
    assert row["n_members"] == 29 and "USA" in row["members"]
    ever = _ok(client, f"{V1}/alliances?state=JPN")
    assert 1415 in {a["atopid"] for a in ever["alliances"]}  # Anglo-Japanese Alliance
    assert _ok(client, f"{V1}/alliances")["count"] >= 700
    body = _problem(client, f"{V1}/alliances/NATX", 404)
    assert "NATO" in body["fix"]
    assert _problem(client, f"{V1}/alliances/NATO?year=1900", 422)["error"] == "InvalidYearsError"


def test_defend_equals_responders(client: TestClient, built_warehouse: Path) -> None:
    from foedus.alliances import responders

    doc = _ok(client, f"{V1}/defend?target=POL&year=2018&attacker=RUS&location=POL")
    analysis = responders("POL", 2018, attacker="RUS", location="POL", warehouse=built_warehouse)
    expected = _json(analysis.to_dict())
    for key, value in expected.items():
        assert doc[key] == value, key
    assert doc["responders"] == analysis.responder_codes()
    assert 2 in doc["responders"] and doc["escalation"]
    assert {c["side"] for c in doc["capabilities"]} == {"defenders", "attackers"}
    assert doc["curated_version"] and doc["provenance"]["sources"]
    several = _ok(client, f"{V1}/defend?target=GMY&year=1914&attacker=FRN,RUS&provoked=false")
    assert [a["abb"] for a in several["attackers"]] == ["FRN", "RUS"]
    assert _problem(client, f"{V1}/defend?target=POL&year=2018&attacker=RUX", 422)["error"] == "UnknownStateError"
    assert "itself" in _problem(client, f"{V1}/defend?target=POL&year=2018&attacker=POL", 422)["detail"]
    assert "europe" in _problem(client, f"{V1}/defend?target=POL&year=2018&location=mars", 422)["fix"]
    _problem(client, f"{V1}/defend?target=POL&year=2018&depth=-1", 422)


# ---------------------------------------------------------------------------------------------
# dyads
# ---------------------------------------------------------------------------------------------
def test_dyad_profile_equals_the_full_frame(client: TestClient, built_warehouse: Path) -> None:
    doc = _ok(client, f"{V1}/dyads/USA/RUS?from=2012&to=2021")
    timeline = pl.DataFrame(doc["timeline"])
    assert timeline["year"].to_list() == list(range(2012, 2022))
    full = (foedus.dyad_years("cow", directed=True, years=(2012, 2021), warehouse=built_warehouse)
            .enrich(["atop-extended", "nmc", "majors", "contiguity", "gml-mids", "cow-mids",
                     "idealpoints", "idealpoint-distance", "peace-years"])
            .add_alliance_similarity(list(DYAD_SIMILARITY)))
    expected = full.df.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365)).sort("year")
    for column in expected.columns:
        got, want = timeline[column].to_list(), expected[column].to_list()
        assert got == want, column
    reverse = full.df.filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 2)).sort("year")
    assert timeline["atop_defense_ba"].to_list() == reverse["atop_defense"].to_list()
    ratio = (expected["cinc1"] / expected["cinc2"]).to_list()
    assert timeline["capability_ratio"].to_list() == ratio
    assert doc["summary"]["years"] == 10 and doc["a"]["abbreviation"] == "USA"
    assert timeline.filter(pl.col("year") > 2018)["atop_basis"].null_count() == 0
    assert {"atop_ddy", "cow_contdir"} <= {s["table"] for s in doc["provenance"]["sources"]}
    same = _problem(client, f"{V1}/dyads/USA/2", 422)
    assert "two different states" in same["detail"]


# ---------------------------------------------------------------------------------------------
# measures
# ---------------------------------------------------------------------------------------------
def test_similarity_equals_similarity_matrix(client: TestClient, built_warehouse: Path) -> None:
    from foedus.frames.systems import create_state_years
    from foedus.measures.similarity import similarity_matrix

    doc = _ok(client, f"{V1}/similarity?year=1914&measure=s_wt_val_sq")
    with foedus.Warehouse(built_warehouse, read_only=True) as wh:
        ddy, _ = foedus.state_years("cow", years=1914, warehouse=wh)._atop_obligations()
        members = create_state_years(wh.table("cow_system"), system="cow",
                                     years=(1914, 1914)).select("ccode", "year")
        codes, matrix = similarity_matrix(ddy, members, 1914, measure="s_wt_val_sq",
                                          capabilities=wh.table("nmc"))
    assert doc["codes"] == codes.tolist() and len(doc["codes"]) == 45
    assert doc["matrix"] == _json(matrix.tolist())
    assert doc["abbreviations"][0] == "USA"
    body = _problem(client, f"{V1}/similarity?year=1914&measure=cosine", 422)
    assert "s_un_val_sq" in body["fix"]


def test_network_equals_the_library(client: TestClient, built_warehouse: Path) -> None:
    from foedus.frames.systems import create_state_years
    from foedus.measures import networks

    doc = _ok(client, f"{V1}/network?year=1985&obligation=defense&obligation=offense")
    with foedus.Warehouse(built_warehouse, read_only=True) as wh:
        ddy, _ = foedus.state_years("cow", years=1985, warehouse=wh)._atop_obligations()
        states = create_state_years(wh.table("cow_system"), system="cow",
                                    years=(1985, 1985)).select("ccode", "year")
        positions = networks.network_state_years(ddy, 1985, obligations=["defense", "offense"],
                                                 states=states)
        metrics = networks.network_years(ddy, 1985, obligations=["defense", "offense"],
                                         states=states, capabilities=wh.table("nmc"))
    assert doc["obligations"] == ["defense", "offense"]
    nodes = pl.DataFrame(doc["nodes"])
    for column in ("ccode", "degree", "weighted_degree", "betweenness", "eigenvector", "bloc"):
        assert nodes[column].to_list() == positions[column].to_list(), column
    assert doc["metrics"] == _json(metrics.to_dicts()[0])
    assert len(doc["edges"]) == doc["metrics"]["edges"]
    usa = next(n for n in doc["nodes"] if n["ccode"] == 2)
    assert usa["abbreviation"] == "USA" and usa["iso3"] == "USA"
    assert usa["degree"] == sum(1 for e in doc["edges"] if 2 in (e["source"], e["target"]))
    # the state profile's network position is the same network's (all obligations)
    assert (_ok(client, f"{V1}/states/USA?year=1985")["network"]["degree"]
            == next(n for n in _ok(client, f"{V1}/network?year=1985")["nodes"] if n["ccode"] == 2)["degree"])
    assert "defense" in _problem(client, f"{V1}/network?year=1985&obligation=hugs", 422)["fix"]


def test_structure_equals_capability_concentration(client: TestClient, built_warehouse: Path) -> None:
    from foedus.measures.structure import capability_concentration

    doc = _ok(client, f"{V1}/structure?from=1946&to=1991&group=majors")
    with foedus.Warehouse(built_warehouse, read_only=True) as wh:
        table = capability_concentration(wh.table("nmc"), group="majors",
                                         majors=wh.table("cow_majors"), years=(1946, 1991))
    got = [{k: v for k, v in r.items() if k != "leader_abbreviation"} for r in doc["rows"]]
    # the library's yearly sums are not bit-stable between runs (Polars sums in parallel)
    assert got == [{k: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v
                    for k, v in r.items()} for r in _json(table.to_dicts())]
    assert doc["rows"][0]["leader_abbreviation"] == "USA"
    _problem(client, f"{V1}/structure?group=some", 422)


def test_map_values(client: TestClient, built_warehouse: Path) -> None:
    doc = _ok(client, f"{V1}/map?measure=cinc&year=2010")
    nmc = (foedus.state_years("cow", years=2010, warehouse=built_warehouse).add_nmc().df
           .select("ccode", "cinc"))
    assert [(v["ccode"], v["value"]) for v in doc["values"]] == list(nmc.iter_rows())
    assert doc["max"] == nmc["cinc"].max()
    iso = [v["iso3"] for v in doc["values"] if v["iso3"]]
    assert len(iso) == len(set(iso)) > 180
    for measure in ("milex", "cowmaj", "degree", "idealpoint"):
        values = _ok(client, f"{V1}/map?measure={measure}&year=2010")["values"]
        assert sum(v["value"] is not None for v in values) > 20, measure
    yemen = {v["ccode"]: v["iso3"] for v in _ok(client, f"{V1}/map?measure=cinc&year=1980")["values"]}
    assert (yemen[678], yemen[680]) == ("YEM", None)
    body = _problem(client, f"{V1}/map?measure=gdp&year=2010", 422)
    assert "cinc" in body["fix"] and "idealpoint" in body["fix"]


# ---------------------------------------------------------------------------------------------
# frames
# ---------------------------------------------------------------------------------------------
def _frame(built_warehouse: Path) -> foedus.Frame:
    return (foedus.dyad_years("cow", directed=True, years=2000, warehouse=built_warehouse)
            .enrich(["atop", "nmc", "majors", "contiguity"]))


def test_frame_csv_and_parquet_equal_frame_df(client: TestClient, built_warehouse: Path) -> None:
    frame = _frame(built_warehouse)
    url = f"{V1}/frames/dyad-years?years=2000&with=atop,nmc&with=majors,contiguity"
    r = client.get(url + "&format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text == frame.df.write_csv()
    assert int(r.headers["x-total-rows"]) == frame.height
    sources = json.loads(r.headers["x-foedus-provenance"])["sources"]
    assert {s["table"] for s in sources} >= {"atop_ddy", "nmc", "cow_majors", "cow_contdir"}
    r = client.get(url + "&format=parquet")
    assert r.status_code == 200
    back = pl.read_parquet(io.BytesIO(r.content))
    assert back.equals(frame.df)
    meta = pl.read_parquet_metadata(io.BytesIO(r.content))
    assert json.loads(meta["foedus"])["rows"] == frame.height


def test_frame_json_pagination(client: TestClient, built_warehouse: Path) -> None:
    frame = _frame(built_warehouse)
    url = f"{V1}/frames/dyad-years?years=2000&with=atop,nmc,majors,contiguity&page_size=500"
    first = _ok(client, url)
    assert first["total_rows"] == frame.height and first["pages"] == -(-frame.height // 500)
    assert first["columns"] == frame.columns and len(first["rows"]) == 500
    third = _ok(client, first["links"]["next"].replace("page=2", "page=3"))
    assert third["page"] == 3 and "prev" in third["links"]
    assert pl.DataFrame(third["rows"], schema=frame.df.schema).equals(frame.df.slice(1000, 500))
    last = _ok(client, url + f"&page={first['pages']}")
    assert "next" not in last["links"] and len(last["rows"]) == frame.height - 500 * (first["pages"] - 1)
    assert _problem(client, url + f"&page={first['pages'] + 1}", 422)["where"] == "page"
    _problem(client, url.replace("500", "20000"), 422)
    sy = _ok(client, f"{V1}/frames/state-years?system=gw&years=2010&with=ccode")
    assert sy["system"] == "gw" and "ccode" in sy["columns"]
    assert sy["total_rows"] == foedus.state_years("gw", years=2010, warehouse=built_warehouse).height


def test_frame_problems(client: TestClient) -> None:
    body = _problem(client, f"{V1}/frames/dyad-years?years=1990-2010&with=atop", 413)
    assert body["error"] == "RowLimitError" and "years=" in body["fix"]
    body = _problem(client, f"{V1}/frames/state-years?years=2000&with=nmc,pizza", 422)
    assert body["error"] == "UnknownEnrichmentError" and "nmc" in body["fix"] and "majors" in body["fix"]
    body = _problem(client, f"{V1}/frames/state-years?years=2000&with=contiguity", 422)
    assert "state-years accept" in body["fix"]
    assert _problem(client, f"{V1}/frames/state-years?years=20x0", 422)["error"] == "InvalidYearsError"
    assert "cow" in _problem(client, f"{V1}/frames/state-years?system=xyz&years=2000", 422)["fix"]
    _problem(client, f"{V1}/frames/tanks", 422)
    _problem(client, f"{V1}/frames/state-years?format=xlsx", 422)


def test_row_limit_applies_to_every_format(built_warehouse: Path) -> None:
    with TestClient(create_app(built_warehouse, row_limit=150)) as small:
        for fmt in ("json", "csv", "parquet"):
            body = _problem(small, f"{V1}/frames/state-years?years=2000&format={fmt}", 413)
            assert "150" in body["detail"]
        assert _ok(small, f"{V1}/frames/state-years?years=1900&format=json")["total_rows"] < 150


# ---------------------------------------------------------------------------------------------
# HTTP-level problems, time limit, missing warehouse
# ---------------------------------------------------------------------------------------------
def test_http_problems(client: TestClient) -> None:
    assert _problem(client, "/api/v1/tanks", 404)["title"] == "Not found"
    r = client.post(f"{V1}/status")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


def test_time_limit_is_a_503_problem(built_warehouse: Path) -> None:
    with TestClient(create_app(built_warehouse, time_limit_s=1e-6)) as slow:
        body = _problem(slow, f"{V1}/dyads/FRN/GMY?from=1870&to=1871", 503)
        assert body["type"] == "urn:foedus:problem:time-limit"
        assert slow.get(f"{V1}/dyads/FRN/GMY?from=1870&to=1872").headers["retry-after"] == "1"


def test_missing_warehouse_says_how_to_import(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "none.duckdb")) as empty:
        status = _ok(empty, f"{V1}/status")
        assert status["ready"] is False and "import-all" in status["fix"]
        body = _problem(empty, f"{V1}/states/JPN?year=2010", 503)
        assert body["error"] == "MissingDataError" and "import-all" in body["fix"]
        _problem(empty, f"{V1}/frames/state-years?years=2000", 503)


def test_answers_are_cached(client: TestClient) -> None:
    url = f"{V1}/map?measure=milper&year=1990"
    assert client.get(url).headers["x-foedus-cache"] in ("miss", "hit")
    assert client.get(url).headers["x-foedus-cache"] == "hit"


def test_serve_refuses_an_empty_warehouse_and_imports_with_data(tmp_path: Path,
                                                                 data_dir: Path) -> None:
    from foedus.api.server import prepare_warehouse
    from foedus.errors import MissingDataError

    with pytest.raises(MissingDataError, match="foedus serve --data DIR"):
        prepare_warehouse(tmp_path / "w.duckdb", None)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "states2016.csv").symlink_to(data_dir / "cow" / "states2016.csv")
    path = prepare_warehouse(tmp_path / "w.duckdb", folder, log=lambda _m: None)
    with foedus.Warehouse(path, read_only=True) as wh:
        assert wh.has("cow_system")
