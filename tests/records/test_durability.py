"""kill -9 of the API server during writes: on restart every acknowledged (201) engagement is
there, whole (partners and audit entry), and no partial record exists."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from foedus.records import RecordStore

SERVER = """
import sys, uvicorn
from foedus.api.app import create_app
app = create_app(sys.argv[1], database=sys.argv[2])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="error")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kill_9_during_writes_loses_no_acknowledged_record(db_url: str, tmp_path: Path):
    with RecordStore(db_url) as store:
        admin = store.system_principal()
        store.add_user(admin, "ana", "analyst")
        token = store.create_token(admin, "ana")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path / "none.duckdb"), db_url, str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/api/v1/records"
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 240  # a busy 2-core machine starts Python slowly
    while True:
        try:
            if httpx.get(base + "/me", headers=headers, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    # The first write loads the country resolver (seconds on a busy machine): not part of the test.
    warm = httpx.post(base + "/engagements", headers=headers, timeout=120, json={
        "title": "warm-up", "instrument": "training", "marking": "internal",
        "partners": ["Japan", "Australia", "India"], "start_date": "2024-05-01"})
    assert warm.status_code == 201, warm.text
    acknowledged: list[int] = [int(warm.json()["id"])]
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(headers=headers, timeout=5) as client:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = client.post(base + "/engagements", json={
                        "title": f"w{n}-{i}", "instrument": "training", "marking": "internal",
                        "partners": ["Japan", "Australia", "India"], "start_date": "2024-05-01"})
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(int(r.json()["id"]))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 30
    with RecordStore(db_url) as store:
        admin = store.system_principal()
        rows = store.list_engagements(admin, limit=100_000)
        audit = store.audit(admin, entity="engagement", limit=100_000)
    ids = {r["id"] for r in rows}
    assert set(acknowledged) <= ids
    assert all(len(r["partners"]) == 3 for r in rows)
    assert sorted(a["entity_id"] for a in audit if a["action"] == "create") == sorted(ids)
