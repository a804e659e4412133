"""Screenshots of every dashboard page, taken in headless Chromium, for ``docs/screenshots/``.

Starts the API with the dashboard on 127.0.0.1 (a free port) over a warehouse, opens each page in
Debian's ``chromium`` through Playwright (the system browser: never ``playwright install``), waits
until the page says it has rendered (``body[data-ready]``), and writes one PNG per page. Every
request the pages make is recorded; the script fails if any goes to another host.

Usage::

    uv run --frozen python scripts/screenshots.py --warehouse WAREHOUSE.duckdb
    uv run --frozen python scripts/screenshots.py --data ../shared/data      # import into a temp warehouse first
    uv run --frozen python scripts/screenshots.py --base-url http://127.0.0.1:8000   # a running `foedus serve`

Options: ``--out DIR`` (default ``docs/screenshots``), ``--chromium PATH`` (default
``/usr/bin/chromium``), ``--width`` / ``--max-height`` (pixels).
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]

#: (file name, page path and query, what to do before the screenshot)
SHOTS: list[tuple[str, str, str | None]] = [
    ("home.png", "/dashboard/", None),
    ("network.png", "/dashboard/network?year=1989&compare=1992", None),
    ("map.png", "/dashboard/map?measure=cinc&year=2010&scale=log", None),
    ("state.png", "/dashboard/state?state=JPN&year=2010", None),
    ("alliance.png", "/dashboard/alliance?id=NATO&year=2018", None),
    ("dyad.png", "/dashboard/dyad?a=USA&b=KOR&from=1950", None),
    ("defend.png", "/dashboard/defend?target=POL&year=2018&attacker=RUS&location=POL", None),
]

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_app(warehouse: Path):  # type: ignore[no-untyped-def]
    from foedus.api.app import create_app
    from foedus.dashboard import mount_dashboard

    app = create_app(warehouse, time_limit_s=600)  # a cold answer is awaited, not retried
    mount_dashboard(app)  # does nothing if create_app has mounted it already
    return app


class Server:
    """uvicorn in a background thread on 127.0.0.1."""

    def __init__(self, app, port: int) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        self.port = port
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the dashboard server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def take(base_url: str, out: Path, chromium: str, width: int, max_height: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    origin = urlsplit(base_url).netloc
    foreign: list[str] = []
    written = []
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="foedus-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": 900},
            device_scale_factor=1,
        )
        try:
            page = context.new_page()
            page.on(
                "request",
                lambda r: (
                    foreign.append(r.url)
                    if urlsplit(r.url).scheme not in ("data", "blob")
                    and urlsplit(r.url).netloc != origin
                    else None
                ),
            )
            for name, path, _action in SHOTS:
                page.goto(base_url + path)
                page.wait_for_selector("body[data-ready]", state="attached", timeout=600_000)
                page.wait_for_timeout(600)  # Plotly transitions settle
                height = min(max_height, page.evaluate("document.documentElement.scrollHeight"))
                target = out / name
                page.screenshot(
                    path=str(target),
                    clip={"x": 0, "y": 0, "width": width, "height": height},
                    full_page=True,
                )
                written.append(target)
                print(
                    f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target} "
                    f"({target.stat().st_size:,} bytes)"
                )
        finally:
            context.close()
    if foreign:
        raise SystemExit(f"pages requested other hosts: {sorted(set(foreign))}")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--warehouse", type=Path, help="a built warehouse (.duckdb)")
    source.add_argument(
        "--data", type=Path, help="import this data folder into a temporary warehouse"
    )
    source.add_argument("--base-url", help="use a server that is already running")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--max-height", type=int, default=1500)
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        sys.exit(f"{args.chromium} not found: apt-get install -y chromium chromium-driver")
    if args.base_url:
        take(args.base_url.rstrip("/"), args.out, args.chromium, args.width, args.max_height)
        return
    with tempfile.TemporaryDirectory(prefix="foedus-shots-") as tmp:
        warehouse = args.warehouse
        if args.data:
            from foedus.warehouse import Warehouse

            warehouse = Path(tmp) / "warehouse.duckdb"
            with Warehouse(warehouse) as wh:
                wh.import_dir(args.data)
        with Server(build_app(warehouse), free_port()) as server:
            take(server.url, args.out, args.chromium, args.width, args.max_height)


if __name__ == "__main__":
    main()
