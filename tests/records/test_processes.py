"""Several server processes on one records database: what one process knows (cached tokens,
cached engagement documents, failed log-ins) must hold for all of them. Each RecordStore below
stands for one process; the last test runs `foedus serve --workers 2` itself."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import foedus.records.store as store_module
from foedus.errors import (
    AuthenticationError,
    EditConflictError,
    RecordNotFoundError,
    TooManyAttemptsError,
)
from foedus.records import RecordStore

ENGAGEMENT = {"title": "Staff talks", "instrument": "visits", "partners": ["Japan"],
              "start_date": "2024-03-01", "marking": "internal", "participants": 0}


def test_a_revocation_reaches_the_other_processes(db_url: str, monkeypatch: pytest.MonkeyPatch):
    with RecordStore(db_url) as one, RecordStore(db_url) as two:
        admin = one.system_principal()
        one.add_user(admin, "ana", "analyst")
        secret = one.create_token(admin, "ana")
        assert two.authenticate_token(secret).username == "ana"  # now cached in "two"
        assert one.authenticate_token(secret).username == "ana"
        epoch = two.auth_epoch()
        one.revoke_tokens(admin, "ana")
        with pytest.raises(AuthenticationError):  # the revoking process: at once
            one.authenticate_token(secret)
        # The other process re-reads the shared epoch at most EPOCH_CHECK_S later; with the
        # check interval at 0 that is the next request.
        monkeypatch.setattr(store_module, "EPOCH_CHECK_S", 0.0)
        assert two.auth_epoch() == epoch + 1
        with pytest.raises(AuthenticationError):
            two.authenticate_token(secret)


def test_the_login_limit_counts_failures_in_every_process(db_url: str):
    with RecordStore(db_url) as one, RecordStore(db_url) as two:
        one.add_user(one.system_principal(), "ana", "analyst", password="a long passphrase")
        for store in (one, two, one, two, one):
            with pytest.raises(AuthenticationError):
                store.login("ana", "wrong", address="10.0.0.9")
        with pytest.raises(TooManyAttemptsError):
            two.login("ana", "a long passphrase", address="10.0.0.9")
        assert two.retry_after("ana", "10.0.0.9") > 0 and one.retry_after("ana", "10.0.0.8") == 0


def test_cached_documents_follow_every_change_made_elsewhere(db_url: str):
    with RecordStore(db_url) as one, RecordStore(db_url) as two:
        admin = one.system_principal()
        one.add_user(admin, "pub", "viewer", clearance="public")
        one.add_user(admin, "vera", "viewer")
        pub = one.authenticate_token(one.create_token(admin, "pub"))
        vera = two.authenticate_token(one.create_token(admin, "vera"))
        e = one.create_engagement(admin, ENGAGEMENT)
        version, body = two.engagement_json(vera, e["id"])  # cached in "two"
        assert version == 1 and json.loads(body) == two.get_engagement(vera, e["id"])
        with pytest.raises(RecordNotFoundError):  # the cache never bypasses the marking
            two.engagement_json(pub, e["id"])
        one.update_engagement(admin, e["id"], {"participants": 7}, version=1)
        one.add_child(admin, e["id"], "indicator", {"objective": "Interoperability",
                                                    "indicator": "Joint drills", "baseline": 0,
                                                    "target": 4, "observed": 1})
        version, body = two.engagement_json(vera, e["id"])
        doc = json.loads(body)
        assert (version, doc["participants"], doc["indicators"][0]["progress"]) == (3, 7, 0.25)
        assert doc == one.get_engagement(admin, e["id"])
        count, listed = two.engagements_json(vera)
        assert count == 1 and json.loads(listed) == [doc]
        one.update_engagement(admin, e["id"], {"marking": "restricted"}, version=3)
        with pytest.raises(RecordNotFoundError):
            two.engagement_json(vera, e["id"])
        assert two.engagements_json(vera) == (0, b"[]")
        one.delete_engagement(admin, e["id"], version=4)
        with pytest.raises(RecordNotFoundError):
            two.engagement_json(admin, e["id"])


def test_two_processes_editing_lose_no_update(db_url: str):
    """Writers in two 'processes' add 1 to a counter, re-reading after each conflict."""
    with RecordStore(db_url) as one, RecordStore(db_url) as two:
        admin = one.system_principal()
        e = one.create_engagement(admin, ENGAGEMENT)
        done: list[int] = []

        def writer(store: RecordStore) -> None:
            for _ in range(4):
                while True:
                    current = json.loads(store.engagement_json(admin, e["id"])[1])
                    try:
                        store.update_engagement(admin, e["id"],
                                                {"participants": current["participants"] + 1},
                                                version=current["version"])
                        done.append(1)
                        break
                    except EditConflictError:
                        continue

        threads = [threading.Thread(target=writer, args=(s,)) for s in (one, two, one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = json.loads(two.engagement_json(admin, e["id"])[1])
        assert final["participants"] == len(done) == 16 and final["version"] == 17


def test_serve_with_two_worker_processes(built_warehouse: Path, tmp_path: Path):
    """`foedus serve --workers 2` on SQLite: both processes share the port and the database;
    the log-in limit holds whichever process answers; edits keep their versions."""
    database = tmp_path / "records.sqlite"
    with RecordStore(database) as store:
        admin = store.system_principal()
        store.add_user(admin, "ana", "analyst", password="a long passphrase")
        token = store.create_token(admin, "ana")
        eid = store.create_engagement(admin, ENGAGEMENT)["id"]
    server = subprocess.Popen(
        [sys.executable, "-c", "from foedus.cli import main; main()", "serve", "--port", "0",
         "--json", "--no-warm", "--workers", "2", "--warehouse", str(built_warehouse),
         "--database", str(database)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        started = json.loads(server.stdout.readline())
        assert started["workers"] == 2
        base = started["url"] + "/api/v1/records"
        auth = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 240  # a busy 2-core machine starts Python slowly
        while True:
            try:
                if httpx.get(base + "/me", headers=auth, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        # a new connection per request: the kernel spreads them over both processes
        codes = [httpx.post(base + "/login", json={"username": "ana", "password": "wrong"},
                            timeout=60).status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]
        for expected in (2, 3, 4):
            current = httpx.get(f"{base}/engagements/{eid}", headers=auth, timeout=60).json()
            edited = httpx.patch(f"{base}/engagements/{eid}", headers=auth, timeout=60,
                                 json={"participants": current["participants"] + 1,
                                       "version": current["version"]})
            assert edited.status_code == 200 and edited.json()["version"] == expected
        stale = httpx.patch(f"{base}/engagements/{eid}", headers=auth, timeout=60,
                            json={"participants": 0, "version": 1})
        assert stale.status_code == 409
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_write_lock_held_too_long_is_a_503_not_a_crash(tmp_path: Path):
    import sqlite3

    from foedus.errors import RecordsBusyError

    path = tmp_path / "records.sqlite"
    with RecordStore(path, busy_timeout_s=0.2) as store:
        admin = store.system_principal()
        other = sqlite3.connect(path, isolation_level=None)  # another process's writer
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(RecordsBusyError) as busy:
                store.create_engagement(admin, ENGAGEMENT)
            assert busy.value.http_status == 503 and busy.value.retry_after > 0
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert store.create_engagement(admin, ENGAGEMENT)["version"] == 1
        assert store.list_engagements(admin)[0]["title"] == "Staff talks"
