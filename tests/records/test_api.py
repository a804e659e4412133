"""/api/v1/records over HTTP: authentication, the role × endpoint × marking matrix, CSRF,
optimistic locking, problem documents — on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from foedus.api.app import create_app
from foedus.records import RecordStore

API = "/api/v1/records"
NEW = {"title": "Staff talks", "instrument": "visits", "partners": ["Japan"],
       "start_date": "2024-03-01", "marking": "internal"}


@pytest.fixture
def world(db_url: str, tmp_path: Path):
    """An app on a fresh database with one engagement per marking and a token per role."""
    with RecordStore(db_url) as store:
        admin = store.system_principal()
        for name, role in (("vera", "viewer"), ("ana", "analyst"), ("ada", "admin")):
            store.add_user(admin, name, role, password=f"{name} long passphrase")
        tokens = {n: store.create_token(admin, n) for n in ("vera", "ana", "ada")}
        ids = {m: store.create_engagement(admin, NEW | {"marking": m, "title": m})["id"]
               for m in ("public", "internal", "restricted")}
    app = create_app(tmp_path / "no-warehouse.duckdb", database=db_url)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, tokens, ids


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_anonymous_requests_get_401_problem(world):
    client, _, ids = world
    for method, path in (("GET", "/engagements"), ("POST", "/engagements"),
                         ("GET", f"/engagements/{ids['public']}"), ("GET", "/audit")):
        r = client.request(method, API + path, json=NEW if method == "POST" else None)
        assert r.status_code == 401, (method, path)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["status"] == 401
    bad = client.get(API + "/engagements", headers=auth("fdr_not-a-token"))
    assert bad.status_code == 401


def test_openapi_declares_security_schemes(world):
    client, _, _ = world
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    operation = spec["paths"][f"{API}/engagements"]["get"]
    assert operation["security"]
    public = spec["paths"]["/api/v1/status"]["get"]
    assert not public.get("security")


# (role, marking) → what each endpoint must answer. Viewers (clearance internal) never learn that a
# restricted record exists: 404 exactly as for an id that does not exist.
VISIBLE = {"vera": {"public", "internal"}, "ana": {"public", "internal", "restricted"},
           "ada": {"public", "internal", "restricted"}}


@pytest.mark.parametrize(("user", "marking"),
                         list(itertools.product(("vera", "ana", "ada"),
                                                ("public", "internal", "restricted"))))
def test_role_endpoint_marking_matrix(world, user, marking):
    client, tokens, ids = world
    h, rid = auth(tokens[user]), ids[marking]
    visible = marking in VISIBLE[user]
    listed = {e["id"] for e in client.get(API + "/engagements", headers=h).json()["engagements"]}
    assert (rid in listed) is visible
    got = client.get(f"{API}/engagements/{rid}", headers=h)
    missing = client.get(f"{API}/engagements/999999", headers=h)
    assert got.status_code == (200 if visible else 404)
    if not visible:
        assert got.json()["title"] == missing.json()["title"]
        assert got.json()["detail"].replace(str(rid), "N") == missing.json()["detail"].replace("999999", "N")
    patch = client.patch(f"{API}/engagements/{rid}", headers=h | {"If-Match": '"1"'},
                         json={"participants": 3})
    expected_patch = 403 if user == "vera" else (200 if visible else 404)
    assert patch.status_code == expected_patch, patch.text
    child = client.post(f"{API}/engagements/{rid}/evidence", headers=h,
                        json={"title": "After-action report", "kind": "report",
                              "reference": "doc-17"})
    assert child.status_code == (403 if user == "vera" else (201 if visible else 404))
    version = client.get(f"{API}/engagements/{rid}", headers=auth(tokens["ada"])).json()["version"]
    delete = client.delete(f"{API}/engagements/{rid}", headers=h | {"If-Match": f'"{version}"'})
    assert delete.status_code == (204 if user == "ada" else 403)
    audit = client.get(API + "/audit", headers=h)
    assert audit.status_code == (200 if user == "ada" else 403)
    create = client.post(API + "/engagements", headers=h, json=NEW | {"marking": marking})
    assert create.status_code == (403 if user == "vera" else 201)


def test_optimistic_locking_over_http(world):
    client, tokens, ids = world
    h = auth(tokens["ana"])
    rid = ids["internal"]
    first = client.patch(f"{API}/engagements/{rid}", headers=h | {"If-Match": '"1"'},
                         json={"location": "Yokosuka"})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = client.patch(f"{API}/engagements/{rid}", headers=h, json={"location": "Sasebo",
                                                                      "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"] == "EditConflictError"
    no_version = client.patch(f"{API}/engagements/{rid}", headers=h, json={"location": "x"})
    assert no_version.status_code == 422
    assert client.get(f"{API}/engagements/{rid}", headers=h).json()["location"] == "Yokosuka"


def test_cookie_login_needs_csrf_for_writes(world):
    client, _, _ = world
    wrong = client.post(API + "/login", json={"username": "ana", "password": "nope"})
    assert wrong.status_code == 401
    r = client.post(API + "/login", json={"username": "ana", "password": "ana long passphrase"})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = r.json()["csrf_token"]
    assert client.get(API + "/me").json()["role"] == "analyst"
    assert client.post(API + "/engagements", json=NEW).status_code == 403
    ok = client.post(API + "/engagements", json=NEW, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    client.post(API + "/logout", headers={"X-CSRF-Token": csrf})
    assert client.get(API + "/me").status_code == 401


def test_login_rate_limit(world):
    client, _, _ = world
    codes = [client.post(API + "/login", json={"username": "vera", "password": "bad"}).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]
    limited = client.post(API + "/login", json={"username": "vera",
                                                "password": "vera long passphrase"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_import_report_and_nothing_imported(world):
    client, tokens, _ = world
    h = auth(tokens["ana"])
    before = client.get(API + "/engagements", headers=h).json()["count"]
    body = ("title,instrument,partners,start_date,marking,budget,currency\n"
            "A,exercise,Japan,2024-01-05,public,10,USD\n"
            "B,visit,Narnia,2024-02-30,internal,,\n")
    r = client.post(API + "/import", headers=h | {"Content-Type": "text/csv"}, content=body)
    assert r.status_code == 422
    assert {(p["row"], p["column"]) for p in r.json()["problems"]} == {(3, "start_date"),
                                                                        (3, "partners")}
    assert client.get(API + "/engagements", headers=h).json()["count"] == before
    good = body.splitlines()[0] + "\n" + body.splitlines()[1] + "\n"
    assert client.post(API + "/import", headers=h, content=good).json()["imported"] == 1


def test_out_of_range_numbers_are_422_not_500(world):
    client, tokens, ids = world
    h = auth(tokens["ada"])
    huge = 2**70
    assert client.get(f"{API}/engagements/{huge}", headers=h).status_code == 422
    assert client.get(f"{API}/engagements", headers=h, params={"offset": huge}).status_code == 422
    for field, value in (("participants", huge), ("budget", "1e30")):
        r = client.post(f"{API}/engagements", headers=h,
                        json=NEW | {field: value, "currency": "USD"})
        assert r.status_code == 422 and r.json()["problems"][0]["column"] == field
    r = client.patch(f"{API}/engagements/{ids['public']}", headers=h,
                     json={"notes": "x", "version": huge})
    assert r.status_code == 422
