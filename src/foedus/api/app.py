"""The foedus REST API (FastAPI): states, alliances, collective defence, dyads, alliance
measures, a choropleth feed and frame export, read-only over the embedded warehouse.

``create_app(warehouse)`` returns the application; ``foedus serve`` runs it with uvicorn. Every
endpoint lives under ``/api/v1``; the OpenAPI 3 document is at ``/openapi.json`` and a reference
page rendered from it, with no external asset, at ``/api/docs``.

How a request runs: its answer is computed by :class:`foedus.api.service.Service` in a thread
pool, under a per-request time limit (over it: ``503`` with ``Retry-After``; the work goes on and
its answer is cached, so a retry gets it). Answers are cached by URL. Every error is an
``application/problem+json`` document (RFC 9457) with ``type``, ``title``, ``status``, ``detail``
and the library's ``fix``; bad input is a 4xx, never a 500. Reference: ``docs/api-rest.md``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import html
import io
import json
import logging
import math
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from foedus.api.service import ATOP_LAST, MAP_MEASURES, Service, split_list
from foedus.errors import FoedusError, MissingDataError, UnknownStateError

log = logging.getLogger("foedus.api")

API = "/api/v1"
PROBLEM_JSON = "application/problem+json"
#: Largest page of a JSON frame.
MAX_PAGE_SIZE = 10_000
#: Answers larger than this are not kept in the response cache.
MAX_CACHED_BODY = 8 * 1024 * 1024


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------
def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, pl.DataFrame):
        return json.loads(value.write_json())
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, pl.DataFrame | set | frozenset) or hasattr(value, "tolist"):
        return _clean(_default(value))
    return value


def dumps(document: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities become ``null``; dates ISO 8601; Polars frames
    become lists of row objects.

    Example:
        >>> dumps({"x": float("nan"), "d": date(2018, 1, 1)})
        b'{"x":null,"d":"2018-01-01"}'
    """
    options: dict[str, Any] = {"default": _default, "ensure_ascii": False, "allow_nan": False,
                               "separators": (",", ":")}
    try:
        text = json.dumps(document, **options)
    except ValueError:
        text = json.dumps(_clean(document), **options)
    return text.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# problems (RFC 9457)
# ---------------------------------------------------------------------------------------------
class Problem(BaseModel):
    """An error, as ``application/problem+json``."""

    type: str = Field(description="URI naming the kind of problem, e.g. urn:foedus:problem:unknown-state")
    title: str = Field(description="Short summary of the kind of problem")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="What is wrong with this request (and where)")
    fix: str | None = Field(None, description="How to fix it (the library's FoedusError.fix)")
    error: str | None = Field(None, description="The foedus error class, e.g. UnknownStateError")
    where: str | None = Field(None, description="Where the problem is (file, table, parameter)")
    instance: str | None = Field(None, description="The request path")


_TITLES = {
    "UnknownStateError": "Unknown state",
    "UnknownAllianceError": "Unknown alliance",
    "InvalidYearsError": "Invalid years",
    "UnknownEnrichmentError": "Unknown enrichment",
    "MissingDataError": "Data not imported",
    "RowLimitError": "Result over the row limit",
    "FoedusError": "Invalid request",
}


class PathNotFound(Exception):
    """A path parameter (state, alliance) that names nothing: 404."""

    def __init__(self, error: FoedusError) -> None:
        super().__init__(str(error))
        self.error = error


class TimeLimitExceeded(Exception):
    """The answer took longer than the per-request time limit."""


def _slug(name: str) -> str:
    name = name.removesuffix("Error") or "foedus"
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(status: int, title: str, detail: str, *, fix: str | None = None,
            error: str | None = None, where: str | None = None, instance: str | None = None,
            slug: str | None = None, headers: dict[str, str] | None = None,
            extra: dict[str, Any] | None = None) -> Response:
    """An ``application/problem+json`` response.

    Example:
        >>> problem(404, "Not found", "no route /x").media_type
        'application/problem+json'
    """
    body: dict[str, Any] = {"type": f"urn:foedus:problem:{slug or _slug(error or title.replace(' ', ''))}",
                            "title": title, "status": status, "detail": detail, "fix": fix,
                            "error": error, "where": where, "instance": instance}
    body.update(extra or {})
    return Response(dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def foedus_problem(exc: FoedusError, status: int, instance: str | None) -> Response:
    """The problem document of a library error.

    Example:
        >>> from foedus.errors import InvalidYearsError
        >>> r = foedus_problem(InvalidYearsError("year 1700 is impossible", fix="use 1816-2024"), 422, "/x")
        >>> json.loads(r.body)["fix"]
        'use 1816-2024'
    """
    name = type(exc).__name__
    title = _TITLES.get(name) or _TITLES["FoedusError"]
    detail = f"{exc.where}: {exc.what}" if exc.where else exc.what
    return problem(status, title, detail, fix=exc.fix, error=name, where=exc.where,
                   instance=instance, slug=_slug(name) if name != "FoedusError" else "invalid-request")


def status_of(exc: FoedusError) -> int:
    """HTTP status of a library error raised while answering a request.

    Example:
        >>> from foedus.errors import MissingDataError, UnknownStateError
        >>> status_of(UnknownStateError("x")), status_of(MissingDataError("y"))
        (422, 503)
    """
    name = type(exc).__name__
    if isinstance(exc, MissingDataError):
        return 503
    if name == "RowLimitError":
        return 413
    return 422


_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (unknown state, impossible year, unknown name …)",
          "content": _PROBLEM_CONTENT},
    503: {"description": "Warehouse not ready, or the answer took longer than the time limit "
          "(see Retry-After)", "content": _PROBLEM_CONTENT},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "The state or alliance in the path is unknown",
                   "content": _PROBLEM_CONTENT}}
FRAME_FORMATS: dict[int | str, dict[str, Any]] = {200: {
    "description": "One JSON page, or the whole frame as CSV or Parquet (`format`)",
    "content": {"application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}}}}
TOO_LARGE: dict[int | str, dict[str, Any]] = {413: {"description": "The result has more rows than the row limit",
                   "content": _PROBLEM_CONTENT}}


# ---------------------------------------------------------------------------------------------
# running the work: thread pool, time limit, response cache
# ---------------------------------------------------------------------------------------------
@dataclass
class Payload:
    """A computed answer: body bytes, media type, extra headers."""

    body: bytes
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    cacheable: bool = True

    def response(self, *, cached: bool) -> Response:
        """The HTTP response.

        Example:
            >>> Payload(b"{}").response(cached=True).headers["x-foedus-cache"]
            'hit'
        """
        headers = dict(self.headers)
        headers["X-Foedus-Cache"] = "hit" if cached else "miss"
        return Response(self.body, media_type=self.media_type, headers=headers)


class Runner:
    """Runs answers in a thread pool under a time limit, once per URL (concurrent identical
    requests share one computation), and keeps answers in a bounded cache.

    Example:
        >>> runner = Runner(time_limit_s=1.0)
        >>> asyncio.run(runner.run("k", lambda: Payload(b"{}"))).body
        b'{}'
        >>> runner.close()
    """

    def __init__(self, time_limit_s: float, *, workers: int = 4,
                 cache_bytes: int = 256 * 1024 * 1024) -> None:
        self.time_limit_s = time_limit_s
        self.workers = workers
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, Payload] = OrderedDict()
        self._size = 0
        self._inflight: dict[str, concurrent.futures.Future[Payload]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> Payload | None:
        """A cached answer, if any.

        Example:
            >>> Runner(1.0).cached("/api/v1/status?") is None
            True
        """
        with self._lock:
            payload = self._cache.get(key)
            if payload is not None:
                self._cache.move_to_end(key)
            return payload

    def _store(self, key: str, payload: Payload) -> None:
        if not payload.cacheable or len(payload.body) > MAX_CACHED_BODY:
            return
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._cache[key] = payload
            self._size += len(payload.body)
            while self._size > self.cache_bytes and self._cache:
                _, dropped = self._cache.popitem(last=False)
                self._size -= len(dropped.body)

    def _done(self, key: str, future: concurrent.futures.Future[Payload]) -> None:
        with self._lock:
            self._inflight.pop(key, None)
        if future.cancelled() or future.exception() is not None:
            return
        self._store(key, future.result())

    async def run(self, key: str, work: Callable[[], Payload]) -> Payload:
        """The answer for ``key``: from the cache, from a computation already running, or
        computed now; raises :class:`TimeLimitExceeded` past the time limit.

        Example:
            >>> runner = Runner(1.0)
            >>> asyncio.run(runner.run("k", lambda: Payload(b"1"))).body, runner.cached("k").body
            (b'1', b'1')
            >>> runner.close()
        """
        hit = self.cached(key)
        if hit is not None:
            return hit
        with self._lock:
            future = self._inflight.get(key)
            started = future is None
            if future is None:
                if self._pool is None:  # first use, or used again after close()
                    self._pool = concurrent.futures.ThreadPoolExecutor(
                        self.workers, thread_name_prefix="foedus-api")
                future = self._pool.submit(work)
                self._inflight[key] = future
        if started:  # outside the lock: a future already done runs the callback at once
            future.add_done_callback(lambda f: self._done(key, f))
        try:
            payload = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)),
                                             self.time_limit_s)
        except TimeoutError:
            raise TimeLimitExceeded() from None
        if self.cached(key) is None:  # the done-callback may not have run yet
            self._store(key, payload)
        return payload

    def close(self) -> None:
        """Stop the pool (running work is abandoned; a later request starts a new pool).

        Example:
            >>> Runner(1.0).close()
        """
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _cache_key(request: Request) -> str:
    items = sorted(request.query_params.multi_items())
    return request.url.path + "?" + "&".join(f"{k}={v}" for k, v in items)


def json_payload(document: Any) -> Payload:
    """A JSON answer.

    Example:
        >>> json_payload({"a": 1}).body
        b'{"a":1}'
    """
    return Payload(dumps(document))


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

YearQ = Annotated[int, Query(description="Year, e.g. 2010.")]
OptYearQ = Annotated[int | None, Query(description="Year, e.g. 2010.")]
StateQ = Annotated[str | None, Query(description="COW code (740), abbreviation (JPN) or name (Japan).")]


def create_app(warehouse: Path | str | None = None, *, row_limit: int = 100_000,
               time_limit_s: float = 10.0, workers: int = 4, warm: bool = False) -> FastAPI:
    """The foedus REST API over a warehouse (read-only).

    Args:
        warehouse: the warehouse file (default: ``$FOEDUS_WAREHOUSE`` or the user data dir).
        row_limit: most rows a frame export may have (any format).
        time_limit_s: seconds a request may take before a 503 problem.
        workers: threads computing answers.
        warm: build the shared caches (alliance data, similarity, networks) at start-up.

    Example:
        >>> app = create_app("/nonexistent/warehouse.duckdb")
        >>> sorted(p for r in app.routes if (p := getattr(r, "path", "")).startswith("/api/v1/s"))
        ['/api/v1/similarity', '/api/v1/states', '/api/v1/states/{state}', '/api/v1/status', '/api/v1/structure']
    """
    import foedus

    service = Service(warehouse, row_limit=row_limit)
    runner = Runner(time_limit_s, workers=workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm, args=(service,), name="foedus-warm", daemon=True).start()
        yield
        runner.close()

    app = FastAPI(title="foedus API", version=foedus.__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan)
    app.state.service = service
    app.state.runner = runner

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
                           "input": _short(err.get("input"))})
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
        return problem(500, "Internal error", f"{type(exc).__name__}: {_short(str(exc))}",
                       fix="this is a bug in foedus: please report it with the request URL",
                       instance=request.url.path, slug="internal")

    async def answer(request: Request, work: Callable[[], Payload]) -> Response:
        key = _cache_key(request)
        hit = runner.cached(key)
        if hit is not None:
            return hit.response(cached=True)
        payload = await runner.run(key, work)
        return payload.response(cached=False)

    # -- docs ---------------------------------------------------------------------------------
    @app.get("/api/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(render_docs(app.openapi()))

    @app.get("/docs", include_in_schema=False)
    async def docs_redirect() -> RedirectResponse:
        return RedirectResponse("/api/docs")

    # -- endpoints ---------------------------------------------------------------------------
    @app.get(f"{API}/status", tags=["warehouse"], responses=PROBLEMS,
             summary="Warehouse releases in use")
    async def status(request: Request) -> Response:
        """Every imported release (table, source, version, file, rows, in use, pinned,
        checksum), the releases in use, and the API's limits. Never cached."""
        return json_payload(service.status()).response(cached=False)

    @app.get(f"{API}/states", tags=["states"], responses=PROBLEMS, summary="States of a system")
    async def states(
        request: Request,
        system: Annotated[str, Query(description="State system: cow or gw.")] = "cow",
        year: OptYearQ = None,
    ) -> Response:
        """Every state of the COW (or Gleditsch–Ward) system — or its members in `year` —
        with code, abbreviation, name, ISO3 code (present-day country, for maps) and first
        and last year."""
        return await answer(request, lambda: json_payload(service.states(system[:20], year)))

    @app.get(f"{API}/states/{{state}}", tags=["states"], responses=PROBLEMS | NOT_FOUND,
             summary="A state's yearly profile")
    async def state_profile(
        request: Request,
        state: Annotated[str, PathParam(description="COW code, abbreviation or name.")],
        year: YearQ,
    ) -> Response:
        """NMC capabilities, COW major-power status, alliances with obligations and conditions,
        UN General Assembly ideal point (if imported) and alliance-network position in `year`."""

        def work() -> Payload:
            _path_state(service, state)
            return json_payload(service.state_profile(state, year))

        return await answer(request, work)

    @app.get(f"{API}/alliances", tags=["alliances"], responses=PROBLEMS,
             summary="Alliances of a state, of a year, or all")
    async def alliances(request: Request, state: StateQ = None, year: OptYearQ = None) -> Response:
        """With `state` and `year`: the state's alliances that year with obligations, conditions
        and partners (as `foedus alliances --json`). With `year` only: every alliance in force
        and its members. With `state` only: every alliance it ever belonged to. Neither: all."""
        return await answer(request, lambda: json_payload(service.alliances(state, year)))

    @app.get(f"{API}/alliances/{{name_or_id}}", tags=["alliances"], responses=PROBLEMS | NOT_FOUND,
             summary="One alliance: members, phases, provisions")
    async def alliance(
        request: Request,
        name_or_id: Annotated[str, PathParam(description="ATOPID (3180), common name or alias "
                                             "(NATO, Rio Pact), or curated treaty key.")],
        year: OptYearQ = None,
    ) -> Response:
        """Names, dates, each phase's institutional provisions with codebook meanings, states
        named as threats, and members with obligations and conditions (only `year`'s with it)."""

        def work() -> Payload:
            from foedus.alliances.registry import UnknownAllianceError

            try:
                return json_payload(service.alliance(name_or_id, year))
            except UnknownAllianceError as exc:
                raise PathNotFound(exc) from None

        return await answer(request, work)

    @app.get(f"{API}/defend", tags=["alliances"], responses=PROBLEMS,
             summary="Collective defence: who is bound to come to a state's aid")
    async def defend(
        request: Request,
        target: Annotated[str, Query(description="The attacked state (code, abbreviation, name).")],
        year: YearQ,
        attacker: Annotated[list[str] | None, Query(
            description="Attacking state(s): repeat the parameter or separate with commas.")] = None,
        location: Annotated[str | None, Query(
            description="Where the attack happens: a state or a region (europe, east_asia, …).")] = None,
        provoked: Annotated[bool | None, Query(
            description="Whether the target provoked the attack (default: not stated).")] = None,
        depth: Annotated[int | None, Query(ge=0, le=100,
                                           description="Maximum depth of the escalation tree.")] = None,
    ) -> Response:
        """The collective-defence engine's full answer (`foedus.alliances.responders`):
        defence obligations toward the target with each condition's verdict, the attacker's
        pledges, pledges toward the attacker, offensive allies, the escalation tree and coalition
        capability per side — the same document as `foedus defend --json`."""

        def work() -> Payload:
            doc, _ = service.defend(target, year, split_list(attacker), location, provoked, depth)
            return json_payload(doc)

        return await answer(request, work)

    @app.get(f"{API}/dyads/{{a}}/{{b}}", tags=["dyads"], responses=PROBLEMS | NOT_FOUND,
             summary="Dyad profile timeline")
    async def dyad(
        request: Request,
        a: Annotated[str, PathParam(description="First state (code, abbreviation, name).")],
        b: Annotated[str, PathParam(description="Second state.")],
        from_: Annotated[int | None, Query(alias="from", description="First year (default 1816).")] = None,
        to: Annotated[int | None, Query(description="Last year (default: this year).")] = None,
    ) -> Response:
        """One row per year both states are COW members, from the directed dyad-year Frame of
        the pair: ATOP obligations a→b (and b→a, suffix `_ba`; after 2018 carried forward with
        the curated changes, `atop_basis`), contiguity, GML and COW MIDs with peace-years,
        alliance-portfolio similarity (1816–2018), UN ideal points and their distance, NMC
        capabilities, major-power status and the capability ratio `cinc1/cinc2`."""

        def work() -> Payload:
            _path_state(service, a)
            _path_state(service, b)
            return json_payload(service.dyad(a, b, from_, to))

        return await answer(request, work)

    @app.get(f"{API}/similarity", tags=["measures"], responses=PROBLEMS,
             summary="Alliance-portfolio similarity matrix of a year")
    async def similarity(
        request: Request,
        year: Annotated[int, Query(description="Year (ATOP: 1816–2018).")],
        measure: Annotated[str, Query(description="s_un_val_abs, s_un_val_sq, s_un_bin_abs, "
                                      "s_un_bin_sq, s_wt_val_abs, s_wt_val_sq, s_wt_bin_abs, "
                                      "s_wt_bin_sq, tau_b, kappa or pi.")] = "s_un_val_sq",
    ) -> Response:
        """Every pair of COW members in `year` (as `foedus similarity --json`): codes,
        abbreviations, names and the N×N matrix (null where undefined)."""
        return await answer(request, lambda: json_payload(service.similarity(year, measure[:40])))

    @app.get(f"{API}/network", tags=["measures"], responses=PROBLEMS,
             summary="The alliance network of a year")
    async def network(
        request: Request,
        year: YearQ,
        obligation: Annotated[list[str] | None, Query(
            description="Obligations making a tie: defense, offense, neutral, nonagg, consul "
            "(repeat or comma-separate; default all).")] = None,
    ) -> Response:
        """Nodes (every COW member: code, abbreviation, name, ISO3, bloc, degree, weighted degree,
        betweenness, eigenvector, clustering), edges with weights and obligation flags, and the
        year's metrics (density, components, blocs, modularity, polarisation). After 2018: ATOP
        alliances carried forward with the curated changes (`basis`)."""
        chosen = split_list(obligation)
        return await answer(request, lambda: json_payload(service.network(year, chosen or None)))

    @app.get(f"{API}/structure", tags=["measures"], responses=PROBLEMS,
             summary="System structure per year")
    async def structure(
        request: Request,
        from_: Annotated[int | None, Query(alias="from", description="First year (default 1816).")] = None,
        to: Annotated[int | None, Query(description="Last year (default 2022, NMC's last).")] = None,
        group: Annotated[Literal["majors", "all"], Query(
            description="Among the COW major powers or all states.")] = "majors",
    ) -> Response:
        """Per year: states with a CINC, missing CINC, total CINC, HHI, CON, effective number of
        poles, leading state and its share (as `foedus structure --json`)."""
        return await answer(request, lambda: json_payload(service.structure(from_, to, group)))

    @app.get(f"{API}/map", tags=["measures"], responses=PROBLEMS,
             summary="One value per state for a choropleth")
    async def map_values(
        request: Request,
        year: YearQ,
        measure: Annotated[str, Query(description="One of: " + ", ".join(MAP_MEASURES) + ".")] = "cinc",
    ) -> Response:
        """Every COW member in `year` with its ISO3 code (present-day country; null where none
        or shared) and the measure's value, plus min and max."""
        return await answer(request, lambda: json_payload(service.map_values(measure[:40], year)))

    @app.get(f"{API}/frames/{{unit}}", tags=["frames"], responses=FRAME_FORMATS | PROBLEMS | TOO_LARGE,
             summary="State-year or dyad-year frame export")
    async def frames(
        request: Request,
        unit: Annotated[Literal["dyad-years", "state-years"], PathParam(description="dyad-years or state-years.")],
        system: Annotated[str, Query(description="State system: cow or gw.")] = "cow",
        directed: Annotated[bool, Query(description="Directed dyads (dyad-years only).")] = True,
        years: Annotated[str | None, Query(description="A year (2000) or a range (1990-2000); "
                                           "default: the state list's coverage.")] = None,
        with_: Annotated[list[str] | None, Query(
            alias="with", description="Enrichments, as the CLI's --with: atop, nmc, majors, "
            "contiguity, cow-mids, gml-mids, peace-years, … (repeat or comma-separate).")] = None,
        whittle: Annotated[str | None, Query(description="Order of the MID whittling steps "
                                             "(cow-mids, gml-mids).")] = None,
        format: Annotated[Literal["json", "csv", "parquet"], Query(
            description="json (paginated), csv or parquet (whole frame).")] = "json",
        page: Annotated[int, Query(ge=1, le=1_000_000, description="Page (json).")] = 1,
        page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page (json).")] = 1000,
    ) -> Response:
        """The frame `foedus frame state-years|dyad-years --with …` builds, as JSON pages (with
        provenance and links), CSV or Parquet (provenance in the file's `foedus` metadata and
        the `X-Foedus-Provenance` header). A frame over the row limit is refused (413) before it
        is enriched, with how to narrow it."""
        names = split_list(with_)
        steps = split_list(whittle)

        def work() -> Payload:
            frame = service.frame(unit, system[:20], directed, years[:40] if years else None,
                                  names, steps)
            return _frame_payload(request, frame, unit, format, page, page_size, names)

        return await answer(request, work)

    from foedus.api.routes_impact import router as impact_router

    app.include_router(impact_router)

    @app.get(API, include_in_schema=False)
    async def index() -> Response:
        paths = sorted(str(getattr(r, "path", "")) for r in app.routes
                       if str(getattr(r, "path", "")).startswith(API + "/"))
        return json_payload({"foedus_version": foedus.__version__, "endpoints": paths,
                             "openapi": "/openapi.json", "docs": "/api/docs"}).response(cached=False)

    _problem_schema(app)
    from foedus.dashboard import mount_dashboard

    mount_dashboard(app)
    return app


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


def _short(value: Any, limit: int = 200) -> Any:
    if value is None or isinstance(value, int | float | bool):
        return value
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _path_state(service: Service, value: str) -> None:
    try:
        service.resolve_state(value)
    except UnknownStateError as exc:
        raise PathNotFound(exc) from None


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


def _frame_payload(request: Request, frame: Any, unit: str, fmt: str, page: int,
                   page_size: int, names: list[str]) -> Payload:
    """A Frame as JSON (one page), CSV or Parquet."""
    prov = frame.provenance()
    header_prov = json.dumps({"sources": prov["sources"]}, default=str, ensure_ascii=True,
                             separators=(",", ":"))
    span = frame.years()
    stem = f"foedus-{unit}-{frame.system}" + (f"-{span[0]}-{span[1]}" if span else "")
    headers = {"X-Foedus-Provenance": header_prov, "X-Total-Rows": str(frame.height)}
    df: pl.DataFrame = frame.df
    if fmt == "csv":
        nested = [c for c, t in df.schema.items() if t.is_nested()]
        if nested:
            df = df.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(";") for c in nested)
        headers["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return Payload(df.write_csv().encode("utf-8"), "text/csv; charset=utf-8", headers)
    if fmt == "parquet":
        with tempfile.TemporaryDirectory() as tmp:
            path = frame.write_parquet(Path(tmp) / "frame.parquet")
            body = path.read_bytes()
        headers["Content-Disposition"] = f'attachment; filename="{stem}.parquet"'
        return Payload(body, "application/vnd.apache.parquet", headers)
    pages = max(1, math.ceil(frame.height / page_size))
    if page > pages:
        raise FoedusError(f"page {page} is past the last page ({pages})",
                          where="page", fix=f"ask for a page between 1 and {pages}")
    part = df.slice((page - 1) * page_size, page_size)
    links = {"self": str(request.url)}
    if page < pages:
        links["next"] = str(request.url.include_query_params(page=page + 1))
    if page > 1:
        links["prev"] = str(request.url.include_query_params(page=page - 1))
    envelope = {
        "unit": prov["unit"], "system": prov["system"], "directed": prov["directed"],
        "years": prov["years"], "with": names, "total_rows": frame.height, "page": page,
        "page_size": page_size, "pages": pages, "columns": df.columns,
        "dtypes": {c: str(t) for c, t in df.schema.items()}, "links": links,
        "provenance": {"foedus_version": Service.frame_provenance(frame)["foedus_version"],
                       "sources": prov["sources"]},
    }
    head = dumps(envelope)
    buffer = io.BytesIO()
    part.write_json(buffer)
    body = head[:-1] + b',"rows":' + buffer.getvalue() + b"}"
    return Payload(body, "application/json", headers)
