"""The foedus REST API (FastAPI): states, alliances, collective defence, dyads, alliance
measures, a choropleth feed and frame export, read-only over the embedded warehouse.

``create_app(warehouse)`` returns the application; ``foedus serve`` runs it with uvicorn. Every
endpoint lives under ``/api/v1`` in a router module listed in :mod:`foedus.api.routes`; the
OpenAPI 3 document is at ``/openapi.json`` and a reference page rendered from it, with no external
asset, at ``/api/docs``.

How a request runs: its answer is computed by :class:`foedus.api.service.Service` in a thread
pool, under a per-request time limit (over it: ``503`` with ``Retry-After``; the work goes on and
its answer is cached, so a retry gets it). Answers are cached by URL. Every error is an
``application/problem+json`` document (RFC 9457) with ``type``, ``title``, ``status``, ``detail``
and the library's ``fix``; bad input is a 4xx, never a 500. Reference: ``docs/api-rest.md``.
"""

from __future__ import annotations

import gc
import html
import logging
import math
import re
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from foedus.api.http import (
    API,
    LOCAL_HOSTS,
    MAX_CACHED_BODY,
    MAX_PAGE_SIZE,
    PROBLEM_JSON,
    EdgeMiddleware,
    PathNotFound,
    Payload,
    Problem,
    Runner,
    TimeLimitExceeded,
    dumps,
    foedus_problem,
    json_payload,
    problem,
    short,
    status_of,
)
from foedus.api.service import ATOP_LAST, Service
from foedus.errors import FoedusError

__all__ = ["API", "MAX_CACHED_BODY", "MAX_PAGE_SIZE", "PROBLEM_JSON", "SERVE_OPTIONS_ENV", "Payload",
           "Runner", "app_from_environment", "create_app", "dumps", "json_payload", "problem",
           "render_docs"]

#: Environment variable through which ``foedus serve --workers N`` hands :func:`create_app`'s
#: arguments (JSON) to its worker processes.
SERVE_OPTIONS_ENV = "FOEDUS_SERVE_OPTIONS"

log = logging.getLogger("foedus.api")

# ---------------------------------------------------------------------------------------------
# the docs page (rendered from the OpenAPI document; no external asset)
# ---------------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1b1f24;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #d0d7de}
.op{border:1px solid #d0d7de;border-radius:6px;margin:1em 0;padding:.6em 1em}
.m{font-weight:700;color:#fff;background:#1f6feb;border-radius:4px;padding:.1em .5em;margin-right:.5em}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
pre{background:#f6f8fa;padding:.6em;border-radius:6px;overflow:auto}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f6f8fa}.req{color:#cf222e}
"""


def _schema_type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_schema_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list of {_schema_type(schema.get('items', {}))}"
    return str(schema.get("type", "any"))


def _prose(text: str) -> str:
    """Escaped text with `code` spans and blank-line paragraphs."""
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))
    return escaped.replace("\n\n", "<p>")


def render_docs(openapi: dict[str, Any]) -> str:
    """An HTML reference page for an OpenAPI document: every path, its parameters, responses.

    Example:
        >>> page = render_docs({"info": {"title": "t", "version": "1"}, "paths": {}})
        >>> page.startswith("<!doctype html>")
        True
    """
    e = html.escape
    info = openapi.get("info", {})
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>{e(info.get('title', 'API'))} — reference</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(info.get('title', 'API'))} <small>{e(str(info.get('version', '')))}</small></h1>",
             f"<div><p>{_prose(info.get('description', ''))}</div>",
             "<p>Machine-readable: <a href='/openapi.json'>/openapi.json</a> (OpenAPI 3).</p>",
             "<h2>Endpoints</h2>"]
    for path, methods in openapi.get("paths", {}).items():
        for method, op in methods.items():
            parts.append("<div class='op'>")
            parts.append(f"<h3><span class='m'>{e(method.upper())}</span><code>{e(path)}</code></h3>")
            if op.get("summary"):
                parts.append(f"<p><b>{e(op['summary'])}</b></p>")
            if op.get("description"):
                parts.append(f"<p>{_prose(op['description'])}</p>")
            params = op.get("parameters", [])
            if params:
                parts.append("<table><tr><th>parameter</th><th>in</th><th>type</th>"
                             "<th>default</th><th>description</th></tr>")
                for p in params:
                    schema = p.get("schema", {})
                    req = " <span class='req'>required</span>" if p.get("required") else ""
                    default = schema.get("default")
                    parts.append(
                        f"<tr><td><code>{e(p['name'])}</code>{req}</td><td>{e(p.get('in', ''))}</td>"
                        f"<td>{e(_schema_type(schema))}</td>"
                        f"<td>{'' if default is None else '<code>' + e(str(default)) + '</code>'}</td>"
                        f"<td>{_prose(p.get('description', ''))}</td></tr>")
                parts.append("</table>")
            responses = op.get("responses", {})
            if responses:
                parts.append("<p>Responses: " + ", ".join(
                    f"<code>{e(str(code))}</code> {e(r.get('description', ''))}"
                    for code, r in responses.items()) + "</p>")
            parts.append("</div>")
    parts.append("<h2>Errors</h2><p>Every error is <code>application/problem+json</code>:</p>"
                 "<pre>{\"type\": \"urn:foedus:problem:unknown-state\", \"title\": \"Unknown state\", "
                 "\"status\": 404, \"detail\": \"COW state list (cow_system): unknown state 'JPX'\", "
                 "\"fix\": \"did you mean JPN = JPN (740)? …\", \"error\": \"UnknownStateError\", "
                 "\"where\": \"COW state list (cow_system)\", \"instance\": \"/api/v1/states/JPX\"}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# the application
# ---------------------------------------------------------------------------------------------
DESCRIPTION = """Read-only REST API over the foedus warehouse: states and their yearly profile,
alliances and their members and provisions, the collective-defence engine, dyad profiles,
alliance-portfolio similarity, the alliance network, system structure, a choropleth feed, and
state-year / dyad-year frame export with the same `with` vocabulary as `foedus frame --with`.

Errors are `application/problem+json` with `type`, `title`, `status`, `detail` and `fix`. Each
request has a time limit (503 with Retry-After past it) and frame exports a row limit (413 past
it). Data answers carry `provenance`: the sources and versions used."""




def create_app(warehouse: Path | str | None = None, *, row_limit: int = 100_000,
               time_limit_s: float = 10.0, workers: int = 4, warm: bool = False,
               allowed_hosts: Sequence[str] | None = None,
               database: str | Path | None = None) -> FastAPI:
    """The foedus REST API over a warehouse (read-only).

    Args:
        warehouse: the warehouse file (default: ``$FOEDUS_WAREHOUSE`` or the user data dir).
        row_limit: most rows a frame export may have (any format).
        time_limit_s: seconds a request may take before a 503 problem.
        workers: threads computing answers.
        warm: build the shared caches (alliance data, similarity, networks) at start-up.
        allowed_hosts: host names the server answers for (``Host`` header; others get 400,
            against DNS rebinding); default the loopback names :data:`LOCAL_HOSTS`; ``"*"`` any.
        database: the engagement-records database (SQLAlchemy URL or SQLite file; default
            ``$FOEDUS_DATABASE`` or ``records.sqlite`` beside the warehouse), opened on first use.

    Example:
        >>> app = create_app("/nonexistent/warehouse.duckdb")
        >>> [p for p in api_paths(app) if p.startswith("/api/v1/st")]
        ['/api/v1/states', '/api/v1/states/{state}', '/api/v1/status', '/api/v1/structure']
    """
    import foedus

    service = Service(warehouse, row_limit=row_limit)
    runner = Runner(time_limit_s, workers=workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm, args=(service,), name="foedus-warm", daemon=True).start()
        if database is not None:  # an explicit records database: open it before serving
            from starlette.concurrency import run_in_threadpool

            from foedus.api.routes.records import open_store

            await run_in_threadpool(open_store, app)
        yield
        runner.close()
        records = getattr(app.state, "records", None)
        if records is not None:
            records.close()

    app = FastAPI(title="foedus API", version=foedus.__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan)
    app.state.service = service
    from foedus.records import default_database_url

    app.state.records_url = str(database) if database is not None else default_database_url(warehouse)
    app.state.runner = runner
    # Outermost first: the edge checks (Host, HEAD, security headers) wrap the compression.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(EdgeMiddleware, allowed_hosts=[*LOCAL_HOSTS, *(allowed_hosts or ())])

    # -- errors ------------------------------------------------------------------------------
    @app.exception_handler(FoedusError)
    async def _foedus_error(request: Request, exc: FoedusError) -> Response:
        return foedus_problem(exc, status_of(exc), request.url.path)

    @app.exception_handler(PathNotFound)
    async def _not_found(request: Request, exc: PathNotFound) -> Response:
        return foedus_problem(exc.error, 404, request.url.path)

    @app.exception_handler(TimeLimitExceeded)
    async def _timeout(request: Request, exc: TimeLimitExceeded) -> Response:
        return problem(503, "Time limit exceeded",
                       f"the answer took longer than the time limit of {runner.time_limit_s:g} s",
                       fix="retry in a few seconds (the answer is still being computed and will "
                       "be cached), or narrow the request (fewer years, fewer enrichments)",
                       instance=request.url.path, slug="time-limit",
                       headers={"Retry-After": str(max(1, math.ceil(runner.time_limit_s)))})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
            errors.append({"parameter": where, "message": err.get("msg", ""),
                           "input": short(err.get("input"))})
        detail = "; ".join(f"{e_['parameter']}: {e_['message']}" for e_ in errors)
        return problem(422, "Invalid parameter", detail or "invalid request",
                       fix="check the parameters against /openapi.json or /api/docs",
                       instance=request.url.path, slug="invalid-parameter",
                       extra={"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        detail = str(exc.detail) if exc.status_code != 404 else f"no resource at {request.url.path}"
        return problem(exc.status_code, title, detail, fix="see /api/docs for the endpoints",
                       instance=request.url.path,
                       slug={404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error"),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url)
        return problem(500, "Internal error",
                       "foedus could not answer this request because of an internal error "
                       "(the server's log has the details)",
                       fix="this is a bug in foedus: please report it with the request URL",
                       instance=request.url.path, slug="internal")

    # -- docs ---------------------------------------------------------------------------------
    @app.get("/api/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(render_docs(app.openapi()))

    @app.get("/docs", include_in_schema=False)
    async def docs_redirect() -> RedirectResponse:
        return RedirectResponse("/api/docs")

    # -- endpoints: one router per module of foedus.api.routes.ROUTER_MODULES --------------------
    from foedus.api.routes import routers

    for router in routers():
        app.include_router(router)

    @app.get(API, include_in_schema=False)
    async def index() -> Response:
        paths = api_paths(app)
        return json_payload({"foedus_version": foedus.__version__, "endpoints": paths,
                             "openapi": "/openapi.json", "docs": "/api/docs"}).response(cached=False)

    _problem_schema(app)
    from foedus.dashboard import mount_dashboard

    mount_dashboard(app)
    return app



def app_from_environment() -> FastAPI:
    """The app described by ``$FOEDUS_SERVE_OPTIONS`` (a JSON object of :func:`create_app`'s
    keyword arguments): what each worker process of ``foedus serve --workers N`` serves.

    Example:
        >>> import json, os
        >>> os.environ[SERVE_OPTIONS_ENV] = json.dumps({"warehouse": "/nonexistent/w.duckdb"})
        >>> "/api/v1/records/engagements" in api_paths(app_from_environment())
        True
    """
    import json
    import os

    raw = os.environ.get(SERVE_OPTIONS_ENV)
    if not raw:
        raise FoedusError(f"${SERVE_OPTIONS_ENV} is not set",
                          fix="start the server with foedus serve --workers N")
    return create_app(**json.loads(raw))


def _flat_routes(routes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI ≥ 0.16x wraps included routers
        out.extend(_flat_routes(list(inner.routes)) if inner is not None else [route])
    return out


def api_paths(app: FastAPI) -> list[str]:
    """Every path under ``/api/v1/`` the app serves, sorted.

    Example:
        >>> "/api/v1/network" in api_paths(create_app("/nonexistent/w.duckdb"))
        True
    """
    return sorted({str(p) for r in _flat_routes(list(app.routes))
                   if str(p := getattr(r, "path", "")).startswith(API + "/")})


def _problem_schema(app: FastAPI) -> None:
    """Put the Problem schema into the OpenAPI components."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
            Problem.model_json_schema())
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _warm(service: Service) -> None:
    try:
        service.warm(years=range(ATOP_LAST - 2, ATOP_LAST + 1))
    except Exception:  # noqa: BLE001 — warming is an optimisation; requests report errors
        log.warning("warming the caches failed", exc_info=True)
        return
    # The caches hold a few million long-lived Python objects (alliance spells, indexes);
    # moving them out of the collector's sight keeps full collections — pauses of a few hundred
    # milliseconds under load — short.
    gc.collect()
    gc.freeze()


