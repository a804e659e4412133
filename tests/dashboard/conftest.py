"""Browser-test fixtures: the API + dashboard on 127.0.0.1 over the real-data warehouse, and
Debian's headless Chromium driven by Playwright (the system browser; never `playwright install`).

Missing pieces (Chromium, Playwright, FastAPI/uvicorn, the API package) skip the tests locally and
fail them under ``CI=true``, like the real data in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

#: The browser: Debian's package (`apt-get install chromium chromium-driver`), or FOEDUS_CHROMIUM.
CHROMIUM = os.environ.get("FOEDUS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Seconds a page may take to render (first answers build the API's caches on a 2-core machine).
READY_TIMEOUT_MS = 120_000


def require(condition: bool, message: str) -> None:
    """Skip locally, fail under CI=true."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """uvicorn serving ``app`` in a background thread on 127.0.0.1:``port``."""

    def __init__(self, app: Any, port: int) -> None:
        import uvicorn

        self.port = port
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name="dashboard-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the dashboard server did not start on 127.0.0.1")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def dashboard_app(built_warehouse: Path) -> Any:
    """The API's app over the real-data warehouse, with the dashboard mounted."""
    require(
        _importable("fastapi") and _importable("uvicorn"),
        "fastapi/uvicorn not installed (uv sync: they are foedus dependencies)",
    )
    require(_importable("foedus.api"), "foedus.api (the REST API) is not available")
    from foedus.api import create_app
    from foedus.dashboard import mount_dashboard

    app = create_app(built_warehouse, time_limit_s=300)  # no 503 retries: Chromium logs them as errors
    mount_dashboard(app)  # a no-op when create_app mounts it already
    return app


@pytest.fixture(scope="session")
def server(dashboard_app: Any) -> Iterator[Server]:
    srv = Server(dashboard_app, free_port())
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def api(server: Server) -> Iterator[Any]:
    """GET a JSON answer from the same server: ``api("/network", year=1985)``."""
    import httpx

    with httpx.Client(base_url=server.url + "/api/v1", timeout=120) as client:

        def get(path: str, **params: Any) -> Any:
            for _ in range(10):  # 503 + Retry-After: the answer is still being computed
                r = client.get(path, params={k: v for k, v in params.items() if v is not None})
                if r.status_code != 503:
                    break
                time.sleep(float(r.headers.get("Retry-After", "1")))
            r.raise_for_status()
            return r.json()

        yield get


# Package scope: Playwright's sync API keeps an event loop running in this thread until it stops,
# which would break later tests that call asyncio.run().
@pytest.fixture(scope="package")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium (Debian's) with a fresh profile, through Playwright."""
    found = Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None
    require(
        found,
        f"Chromium not found at {CHROMIUM}: apt-get install -y chromium chromium-driver "
        "(or set FOEDUS_CHROMIUM)",
    )
    require(_importable("playwright"), "playwright (Python) not installed")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        context.set_default_timeout(READY_TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@dataclass
class Browser:
    """One page of the shared context, with every request and console error it caused."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str, ready: str | None = None) -> Any:
        """Go to ``path`` and wait until the page says it has rendered (``body[data-ready]``,
        equal to ``ready`` when given)."""
        self.page.goto(self.base + path)
        self.wait_ready(ready)
        return self.page

    def wait_ready(self, ready: str | None = None) -> None:
        selector = f'body[data-ready="{ready}"]' if ready else "body[data-ready]"
        self.page.wait_for_selector(selector, state="attached", timeout=READY_TIMEOUT_MS)

    def foreign(self) -> list[str]:
        """Requests to any host but the server itself (data:/blob: URLs are not requests)."""
        origin = urlsplit(self.base).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != origin
        ]

    def assert_local(self) -> None:
        assert self.requests, "the page made no request at all"
        assert self.foreign() == [], f"requests to other hosts: {self.foreign()}"

    def metric(self, key: str) -> tuple[str, str]:
        """(data-value, shown text) of the metric ``key``."""
        el = self.page.locator(f'[data-metric="{key}"] .num').first
        return el.get_attribute("data-value") or "", el.inner_text().strip()


@pytest.fixture
def browser(browser_context: Any, server: Server) -> Iterator[Browser]:
    page = browser_context.new_page()
    b = Browser(page, server.url)
    page.on("request", lambda r: b.requests.append(r.url))
    page.on("requestfailed", lambda r: b.failed.append(f"{r.url} {r.failure}"))
    page.on("console", lambda m: b.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: b.errors.append(f"page error: {e}"))
    try:
        yield b
    finally:
        page.close()
