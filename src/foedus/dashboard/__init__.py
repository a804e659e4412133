"""The foedus dashboard: HTML pages and offline assets served by the API's FastAPI process.

``mount_dashboard(app)`` adds, under ``/dashboard``:

* ``/dashboard/`` — home: what the warehouse holds and where to go;
* ``/dashboard/network`` — the alliance network of a year (year slider, obligation filter);
* ``/dashboard/map`` — a world map coloured by a measure for a year;
* ``/dashboard/state`` — one state: profile and alliances in a year;
* ``/dashboard/alliance`` — one alliance: phases, provisions, members;
* ``/dashboard/dyad`` — two states over time: obligations and instrument timeline;
* ``/dashboard/defend`` — collective defence: responders, conditions, escalation tree;
* ``/dashboard/regions`` — a region's profile: members on a map, shares, arms flows, year by year;
* ``/dashboard/groupings`` — two groupings compared (BRICS vs G7…): shares, arms, alignment, map;
* ``/dashboard/static/…`` — Plotly's bundled JavaScript, the Natural Earth 110m world geometry and
  the dashboard's own CSS and JavaScript (see ``static/LICENSES.md``).

Pages are static HTML; their JavaScript reads every number it shows from the REST API under
``/api/v1`` of the same server. Nothing is fetched from any other host: no CDN, fonts or map tiles,
and every page is sent with a Content-Security-Policy that allows only the server itself.
Page parameters live in the query string (``/dashboard/state?state=JPN&year=2010``), so a view can be
bookmarked and shared.

Example:
    >>> sorted(PAGES)[:3]
    ['alliance', 'defend', 'dyad']
    >>> "/dashboard/static/pages/network.js" in render_page("network")
    True
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

__all__ = ["API_PREFIX", "PAGES", "PREFIX", "STATIC_DIR", "mount_dashboard", "render_page"]

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"

#: Where the dashboard lives and where its pages find the API.
PREFIX = "/dashboard"
API_PREFIX = "/api/v1"

#: page key -> (title shown in the navigation, path under PREFIX)
PAGES: dict[str, tuple[str, str]] = {
    "home": ("Home", "/"),
    "network": ("Network", "/network"),
    "map": ("World map", "/map"),
    "state": ("State", "/state"),
    "alliance": ("Alliance", "/alliance"),
    "dyad": ("Dyad", "/dyad"),
    "defend": ("Collective defence", "/defend"),
    "regions": ("Regions", "/regions"),
    "groupings": ("Groupings", "/groupings"),
    "treaties": ("Arms control", "/treaties"),
    "events": ("Events", "/events"),
    "records": ("Records", "/records"),
    "whatif": ("What-if", "/whatif"),
    "recommend": ("Options", "/recommend"),
    "impact": ("Impact", "/impact"),
}

#: Only the server itself: scripts, styles, data, images. Plotly sets inline styles and draws
#: images from data:/blob: URLs (PNG export), never from another host.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)

_LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="foedus-api" content="{api}">
<meta name="foedus-dashboard" content="{prefix}">
<title>{title} · foedus</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{prefix}/static/dashboard.css">
{head}
</head>
<body data-page="{page}">
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="{prefix}/">foedus</a>
  <nav aria-label="Pages">{nav}</nav>
  <a class="apidocs" href="/api/docs">API</a>
</header>
<div id="busy" class="busy" role="status" hidden>Loading…</div>
<main id="main" tabindex="-1">
{body}
</main>
<footer class="footer">Data: the warehouse's imported releases (see <a href="{prefix}/">Home</a>).
All assets are served by this server; nothing is loaded from elsewhere.</footer>
<script src="{prefix}/static/common.js"></script>
{scripts}
</body>
</html>
"""

#: Pages that draw charts load Plotly first.
_PLOTLY_PAGES = {"network", "map", "dyad", "defend", "home", "alliance", "treaties", "events",
                 "regions", "groupings", "impact"}


def render_page(page: str) -> str:
    """The HTML of one page (layout + ``templates/<page>.html`` + its scripts).

    Example:
        >>> html = render_page("dyad")
        >>> html.lower().startswith("<!doctype html>")
        True
        >>> "/dashboard/static/pages/dyad.js" in html
        True
    """
    if page not in PAGES:
        raise KeyError(page)
    title = PAGES[page][0]
    active = ' class="active"'
    nav = "".join(
        f'<a href="{PREFIX}{path}"{active if key == page else ""}>{escape(label)}</a>'
        for key, (label, path) in PAGES.items()
    )
    scripts = []
    if page in _PLOTLY_PAGES:
        scripts.append(f'<script src="{PREFIX}/static/plotly.min.js"></script>')
    scripts.append(f'<script src="{PREFIX}/static/pages/{page}.js"></script>')
    body = (TEMPLATES_DIR / f"{page}.html").read_text(encoding="utf-8")
    if page == "map":
        body = body.replace("<!--measure-options-->", _measure_options())
    return _LAYOUT.format(
        api=API_PREFIX,
        prefix=PREFIX,
        title=escape(title),
        head="",
        page=page,
        nav=nav,
        body=body,
        scripts="\n".join(scripts),
    )


def _measure_options() -> str:
    """``<option>``s of the measures ``/api/v1/map`` accepts (the API's own list)."""
    from foedus.measures.year_views import MAP_MEASURES

    return "".join(
        f'<option value="{escape(name)}" title="{escape(text)}">{escape(label)}</option>'
        for name, (label, text, _) in MAP_MEASURES.items()
    )


def plotly_js_path() -> Path:
    """The bundled ``plotly.min.js`` of the installed Python ``plotly`` package.

    Example:
        >>> plotly_js_path().name
        'plotly.min.js'
    """
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard pages and their static assets from ``app`` under ``/dashboard``.

    Also redirects ``/`` to the dashboard when the app has no route of its own there.
    Calling it twice on the same app does nothing the second time.

    Example:
        >>> from fastapi import FastAPI
        >>> app = FastAPI()
        >>> mount_dashboard(app)
        >>> "/dashboard/network" in {route.path for route in app.routes}
        True
    """
    from fastapi.responses import HTMLResponse, RedirectResponse
    from fastapi.staticfiles import StaticFiles

    if getattr(app.state, "foedus_dashboard", False):
        return
    app.state.foedus_dashboard = True

    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }

    def _handler(page: str):  # type: ignore[no-untyped-def]
        def handler() -> HTMLResponse:
            return HTMLResponse(render_page(page), headers=headers)

        handler.__name__ = f"dashboard_{page}"
        return handler

    taken = {getattr(route, "path", None) for route in app.router.routes}
    for key, (_label, path) in PAGES.items():
        paths = [PREFIX + path] if path != "/" else [PREFIX + "/", PREFIX]
        for full in paths:
            if full in taken:
                continue
            app.add_api_route(
                full,
                _handler(key),
                methods=["GET"],
                include_in_schema=False,
                response_class=HTMLResponse,
            )
    # plotly.js is served from the installed Python ``plotly`` package (pinned in uv.lock) rather than
    # kept as a 4.8 MB copy in the repository; it is the same file, offline either way.
    from fastapi.responses import FileResponse

    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript",
                            headers={"Cache-Control": "max-age=86400"})

    app.add_api_route(f"{PREFIX}/static/plotly.min.js", plotly_js, methods=["GET"],
                      include_in_schema=False)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
    if "/" not in taken:

        def root() -> RedirectResponse:
            return RedirectResponse(f"{PREFIX}/")

        app.add_api_route("/", root, methods=["GET"], include_in_schema=False)
