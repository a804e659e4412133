"""The records store on SQLite and PostgreSQL: roles, markings, locking, audit, files, backup."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from foedus.errors import (
    AuthenticationError,
    EditConflictError,
    PermissionDeniedError,
    RecordNotFoundError,
    RecordValidationError,
    TooManyAttemptsError,
)
from foedus.records import RecordStore
from foedus.records.files import read_rows, write_export

ENGAGEMENT = {"title": "Staff talks", "instrument": "visits", "partners": ["Japan"],
              "start_date": "2024-03-01", "marking": "internal"}


def users(store: RecordStore) -> dict[str, object]:
    admin = store.system_principal()
    store.add_user(admin, "vera", "viewer")
    store.add_user(admin, "pub", "viewer", clearance="public")
    store.add_user(admin, "ana", "analyst")
    tokens = {name: store.create_token(admin, name) for name in ("vera", "pub", "ana")}
    return {name: store.authenticate_token(tok) for name, tok in tokens.items()} | {"admin": admin}


def test_partners_resolve_to_cow_and_gw_codes(store):
    e = store.create_engagement(store.system_principal(), ENGAGEMENT | {
        "partners": ["Germany", "KOR", "Côte d’Ivoire"], "start_date": "1985-06-01"})
    assert [(p["ccode"], p["gwcode"]) for p in e["partners"]] == [(260, 260), (732, 732), (437, 437)]


def test_markings_are_enforced_in_queries(store):
    who = users(store)
    admin = who["admin"]
    ids = {m: store.create_engagement(admin, ENGAGEMENT | {"marking": m, "title": m})["id"]
           for m in ("public", "internal", "restricted")}
    seen = {name: sorted(e["marking"] for e in store.list_engagements(p))
            for name, p in who.items()}
    assert seen == {"vera": ["internal", "public"], "pub": ["public"],
                    "ana": ["internal", "public", "restricted"],
                    "admin": ["internal", "public", "restricted"]}
    # A record above the clearance is "not found", worded exactly like a missing one.
    with pytest.raises(RecordNotFoundError) as hidden:
        store.get_engagement(who["vera"], ids["restricted"])
    with pytest.raises(RecordNotFoundError) as missing:
        store.get_engagement(who["vera"], 10_000)
    assert str(hidden.value).replace(str(ids["restricted"]), "N") == str(missing.value).replace("10000", "N")


def test_roles(store):
    who = users(store)
    with pytest.raises(PermissionDeniedError):
        store.create_engagement(who["vera"], ENGAGEMENT)
    e = store.create_engagement(who["ana"], ENGAGEMENT)
    with pytest.raises(PermissionDeniedError):
        store.set_status(who["ana"], e["id"], "approved", version=e["version"])
    approved = store.set_status(who["admin"], e["id"], "approved", version=e["version"])
    ongoing = store.set_status(who["ana"], e["id"], "ongoing", version=approved["version"])
    with pytest.raises(RecordValidationError):
        store.set_status(who["ana"], e["id"], "assessed", version=ongoing["version"])
    with pytest.raises(PermissionDeniedError):
        store.delete_engagement(who["ana"], e["id"], version=ongoing["version"])
    with pytest.raises(PermissionDeniedError):
        store.audit(who["ana"])
    store.delete_engagement(who["admin"], e["id"], version=ongoing["version"])
    assert store.list_engagements(who["admin"]) == []
    actions = [(a["action"], a["actor"]) for a in store.audit(who["admin"], entity="engagement")]
    assert actions == [("create", "ana"), ("status", "cli"), ("status", "ana"), ("delete", "cli")]


def test_stale_version_is_refused(store):
    admin = store.system_principal()
    e = store.create_engagement(admin, ENGAGEMENT)
    store.update_engagement(admin, e["id"], {"participants": 5}, version=1)
    with pytest.raises(EditConflictError):
        store.update_engagement(admin, e["id"], {"participants": 6}, version=1)
    assert store.get_engagement(admin, e["id"])["participants"] == 5


def test_concurrent_edits_lose_no_update(store):
    """Eight writers each add 1 to ``participants`` five times, re-reading after a conflict; the
    final count equals the number of successful edits and the version advanced once per edit."""
    admin = store.system_principal()
    e = store.create_engagement(admin, ENGAGEMENT | {"participants": 0})
    done = []

    def writer() -> None:
        for _ in range(5):
            while True:
                current = store.get_engagement(admin, e["id"])
                try:
                    store.update_engagement(admin, e["id"],
                                            {"participants": current["participants"] + 1},
                                            version=current["version"])
                    done.append(1)
                    break
                except EditConflictError:
                    continue

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = store.get_engagement(admin, e["id"])
    assert final["participants"] == len(done) == 40
    assert final["version"] == 41


def test_audit_log_is_append_only_in_the_database(store):
    admin = store.system_principal()
    store.create_engagement(admin, ENGAGEMENT)
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(statement))
    assert [a["actor"] for a in store.audit(admin)] == ["cli"]


def test_tokens_and_passwords_are_stored_hashed(store):
    admin = store.system_principal()
    store.add_user(admin, "ana", "analyst", password="a long passphrase")
    secret = store.create_token(admin, "ana")
    dump = json.dumps(store.backup())
    assert secret not in dump and "a long passphrase" not in dump
    store.revoke_tokens(admin, "ana")
    with pytest.raises(AuthenticationError):
        store.authenticate_token(secret)


def test_login_attempts_are_limited(store):
    admin = store.system_principal()
    store.add_user(admin, "ana", "analyst", password="a long passphrase")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            store.login("ana", "wrong", address="10.0.0.9")
    with pytest.raises(TooManyAttemptsError) as limited:
        store.login("ana", "a long passphrase", address="10.0.0.9")
    assert limited.value.retry_after > 0
    user, session, csrf = store.login("ana", "a long passphrase", address="10.0.0.10")
    assert user.role == "analyst"
    assert store.authenticate_session(session, csrf=csrf, require_csrf=True).username == "ana"
    with pytest.raises(PermissionDeniedError):
        store.authenticate_session(session, csrf="forged", require_csrf=True)


def test_import_is_all_or_nothing_with_a_report(store, tmp_path: Path):
    good = tmp_path / "good.csv"
    good.write_text("title,instrument,partners,start_date,end_date,marking,budget,currency\n"
                    "Exercise A,exercise,Japan;Australia,2024-01-05,2024-01-20,public,1500.5,USD\n"
                    "Visit B,visit,KOR,2024-02-01,,internal,,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("title,instrument,partners,start_date,end_date,marking,budget,currency\n"
                   "Fine,visit,Japan,2024-01-05,,public,,\n"
                   "Late,visit,Narnia,2024-03-10,2024-03-01,internal,10,EUR\n"
                   "Money,training,France,2024-04-01,,internal,12,ABC\n", encoding="utf-8")
    admin = store.system_principal()
    with pytest.raises(RecordValidationError) as report:
        store.import_rows(admin, read_rows(bad), source="bad.csv")
    found = {(p["row"], p["column"]) for p in report.value.problems}
    assert found == {(3, "partners"), (3, "end_date"), (4, "currency")}
    assert store.list_engagements(admin) == []
    result = store.import_rows(admin, read_rows(good), source="good.csv")
    assert result["imported"] == 2
    rows = store.list_engagements(admin)
    assert {r["title"]: r["budget"] for r in rows} == {"Exercise A": 1500.5, "Visit B": None}
    out = write_export(rows, tmp_path / "export.csv")
    again = read_rows(out)
    assert [r["partners"] for r in again] == ["KOR", "Japan;Australia"]


def test_xlsx_import(store, tmp_path: Path):
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["title", "instrument", "partners", "start_date", "marking"])
    sheet.append(["Advisers", "advisory", "Ghana", date(2023, 5, 2), "internal"])
    sheet.append(["Bad", "rocket", "Ghana", date(2023, 5, 2), "internal"])
    path = tmp_path / "e.xlsx"
    book.save(path)
    with pytest.raises(RecordValidationError) as report:
        store.import_rows(store.system_principal(), read_rows(path), source="e.xlsx")
    assert [(p["row"], p["column"]) for p in report.value.problems] == [(3, "instrument")]
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(RecordValidationError):
        read_rows(tmp_path / "junk.xlsx")


def test_backup_restore_round_trip(store, tmp_path: Path, backend):
    admin = store.system_principal()
    store.add_user(admin, "ana", "analyst", password="a long passphrase")
    e = store.create_engagement(admin, ENGAGEMENT | {"budget": "12.50", "currency": "EUR"})
    store.add_child(admin, e["id"], "indicator", {"objective": "Interoperability",
                    "indicator": "STANAGs adopted", "baseline": 2, "target": 10, "observed": 6})
    before = store.backup()
    if backend == "sqlite":
        target_url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    else:
        target_url = f"sqlite:///{tmp_path / 'restored-from-pg.sqlite'}"
    with RecordStore(target_url) as restored:
        restored.restore(json.loads(json.dumps(before)))
        after = restored.backup()
        doc = restored.get_engagement(admin, e["id"])
        with pytest.raises(Exception, match="not empty"):
            restored.restore(before)
    assert after["tables"] == before["tables"]
    assert doc["indicators"][0]["progress"] == 0.5
