"""HTTP plumbing shared by the API's routers: JSON encoding, problem documents (RFC 9457), the
thread pool with its time limit and response cache, and the helpers a route handler needs
(:func:`answer`, :func:`service`, :func:`path_state`).

A router module (``foedus/api/routes/<topic>.py``) imports only from here and from the library;
see :mod:`foedus.api.routes` for how routers are listed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import polars as pl
from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from foedus.errors import FoedusError, PathNotFound, TimeLimitExceeded, UnknownStateError

if TYPE_CHECKING:  # pragma: no cover
    from foedus.api.service import Service

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
    options: dict[str, Any] = {
        "default": _default,
        "ensure_ascii": False,
        "allow_nan": False,
        "separators": (",", ":"),
    }
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

    type: str = Field(
        description="URI naming the kind of problem, e.g. urn:foedus:problem:unknown-state"
    )
    title: str = Field(description="Short summary of the kind of problem")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="What is wrong with this request (and where)")
    fix: str | None = Field(None, description="How to fix it (the library's FoedusError.fix)")
    error: str | None = Field(None, description="The foedus error class, e.g. UnknownStateError")
    where: str | None = Field(None, description="Where the problem is (file, table, parameter)")
    instance: str | None = Field(None, description="The request path")




def _slug(name: str) -> str:
    name = name.removesuffix("Error") or "foedus"
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    fix: str | None = None,
    error: str | None = None,
    where: str | None = None,
    instance: str | None = None,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """An ``application/problem+json`` response.

    Example:
        >>> problem(404, "Not found", "no route /x").media_type
        'application/problem+json'
    """
    body: dict[str, Any] = {
        "type": f"urn:foedus:problem:{slug or _slug(error or title.replace(' ', ''))}",
        "title": title,
        "status": status,
        "detail": detail,
        "fix": fix,
        "error": error,
        "where": where,
        "instance": instance,
    }
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
    title = exc.title
    detail = f"{exc.where}: {exc.what}" if exc.where else exc.what
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="foedus records"'
    if getattr(exc, "retry_after", None):
        headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
    if getattr(exc, "problems", None):
        extra["problems"] = exc.problems  # type: ignore[attr-defined]
    return problem(
        status,
        title,
        detail,
        fix=exc.fix,
        error=name,
        where=exc.where,
        instance=instance,
        slug=_slug(name) if name != "FoedusError" else "invalid-request",
        headers=headers or None,
        extra=extra or None,
    )


def status_of(exc: FoedusError) -> int:
    """HTTP status of a library error raised while answering a request (the error class's
    ``http_status``).

    Example:
        >>> from foedus.errors import MissingDataError, UnknownStateError
        >>> status_of(UnknownStateError("x")), status_of(MissingDataError("y"))
        (422, 503)
    """
    return int(exc.http_status)


_PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Invalid input (unknown state, impossible year, unknown name …)",
        "content": _PROBLEM_CONTENT,
    },
    503: {
        "description": "Warehouse not ready, or the answer took longer than the time limit "
        "(see Retry-After)",
        "content": _PROBLEM_CONTENT,
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "The state or alliance in the path is unknown",
        "content": _PROBLEM_CONTENT,
    }
}
FRAME_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One JSON page, or the whole frame as CSV or Parquet (`format`)",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"description": "The result has more rows than the row limit", "content": _PROBLEM_CONTENT}
}


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

    def __init__(
        self, time_limit_s: float, *, workers: int = 4, cache_bytes: int = 256 * 1024 * 1024
    ) -> None:
        self.time_limit_s = time_limit_s
        self.workers = workers
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, Payload] = OrderedDict()
        self._size = 0
        self._inflight: dict[str, concurrent.futures.Future[Payload]] = {}
        self._waiting: dict[str, int] = {}  # requests waiting for each in-flight key
        self._lock = threading.Lock()
        self._generation = 0  # bumped by clear(): answers computed before are not kept

    def clear(self) -> None:
        """Drop every cached answer; answers still being computed are not cached when done.

        Example:
            >>> runner = Runner(1.0)
            >>> _ = asyncio.run(runner.run("k", lambda: Payload(b"1"))); runner.clear()
            >>> runner.cached("k") is None
            True
            >>> runner.close()
        """
        with self._lock:
            self._cache.clear()
            self._size = 0
            self._inflight.clear()
            self._generation += 1

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

    def _store(self, key: str, payload: Payload, generation: int | None = None) -> None:
        if not payload.cacheable or len(payload.body) > MAX_CACHED_BODY:
            return
        with self._lock:
            if generation is not None and generation != self._generation:
                return  # computed from a warehouse that has since been replaced
            old = self._cache.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._cache[key] = payload
            self._size += len(payload.body)
            while self._size > self.cache_bytes and self._cache:
                _, dropped = self._cache.popitem(last=False)
                self._size -= len(dropped.body)

    def _done(
        self, key: str, future: concurrent.futures.Future[Payload], generation: int
    ) -> None:
        with self._lock:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        if future.cancelled() or future.exception() is not None:
            return
        self._store(key, future.result(), generation)

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
                        self.workers, thread_name_prefix="foedus-api"
                    )
                future = self._pool.submit(work)
                self._inflight[key] = future
            generation = self._generation
        if started:  # outside the lock: a future already done runs the callback at once
            future.add_done_callback(lambda f: self._done(key, f, generation))
        with self._lock:
            self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            payload = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), self.time_limit_s
            )
        except TimeoutError:
            with self._lock:
                alone = self._waiting.get(key, 0) <= 1
            # Work that has not started and that nobody waits for any more is dropped (a retry
            # queues it again); work already running cannot be interrupted safely in a thread and
            # finishes into the cache, where the retry the 503 asks for finds it.
            if alone and future.cancel():
                with self._lock:
                    self._inflight.pop(key, None)
            raise TimeLimitExceeded("the answer took longer than the time limit") from None
        finally:
            with self._lock:
                left = self._waiting.get(key, 1) - 1
                if left > 0:
                    self._waiting[key] = left
                else:
                    self._waiting.pop(key, None)
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


def cache_key(request: Request) -> str:
    """The cache key of a request: path and sorted query parameters."""
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
# what a route handler uses
# ---------------------------------------------------------------------------------------------
YearQ = Annotated[int, Query(description="Year, e.g. 2010.")]
OptYearQ = Annotated[int | None, Query(description="Year, e.g. 2010.")]
StateQ = Annotated[
    str | None, Query(description="COW code (740), abbreviation (JPN) or name (Japan).")
]


def service(request: Request) -> Service:
    """The application's :class:`~foedus.api.service.Service` (one per app).

    Example:
        >>> from foedus.api import create_app
        >>> from starlette.requests import Request
        >>> app = create_app("/nonexistent/w.duckdb")
        >>> type(service(Request({"type": "http", "app": app}))).__name__
        'Service'
    """
    return request.app.state.service  # type: ignore[no-any-return]


async def answer(request: Request, work: Callable[[], Payload]) -> Response:
    """Run ``work`` in the app's thread pool under the time limit, cached by URL (path and the
    endpoint's own query parameters).

    Example:
        >>> async def handler(request):  # doctest: +SKIP
        ...     return await answer(request, lambda: json_payload({"ok": True}))
    """
    check_query(request)
    runner: Runner = request.app.state.runner
    if request.app.state.service.refresh():  # an import swapped the warehouse in
        runner.clear()
    key = cache_key(request)
    hit = runner.cached(key)
    if hit is not None:
        return hit.response(cached=True)
    payload = await runner.run(key, work)
    return payload.response(cached=False)


def path_state(svc: Service, value: str) -> None:
    """Raise :class:`PathNotFound` (404) when a state in the URL path names no state.

    Example:
        >>> path_state(Service(path), "JPX")  # doctest: +SKIP
        Traceback (most recent call last):
        PathNotFound: ...
    """
    try:
        svc.resolve_state(value)
    except UnknownStateError as exc:
        raise PathNotFound(exc) from None


def short(value: Any, limit: int = 200) -> Any:
    """A value cut to ``limit`` characters for an error message.

    Example:
        >>> short("x" * 300)[-3:], short(3)
        ('xx…', 3)
    """
    if value is None or isinstance(value, int | float | bool):
        return value
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------------------------
# what every response gets: security headers, a trusted Host, HEAD where GET is
# ---------------------------------------------------------------------------------------------
#: The policy of every response that sets none of its own (JSON, problems, /api/docs): nothing
#: may be loaded or framed; the docs page's inline style is allowed.
API_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
#: Host names answered by default: the loopback names (and Starlette's test client's).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without port or IPv6 brackets, lower-case.

    Example:
        >>> host_name("[::1]:8000"), host_name("LocalHost:80"), host_name("evil.example")
        ('::1', 'localhost', 'evil.example')
    """
    text = header.strip().lower()
    if text.startswith("["):
        return text[1:text.find("]")] if "]" in text else text[1:]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


class EdgeMiddleware:
    """ASGI middleware on every HTTP response of the app.

    * refuses a request whose ``Host`` is not one of ``allowed_hosts`` (400 problem+json): a page
      on another site that rebinds its DNS name to 127.0.0.1 cannot read the API or dashboard;
    * answers ``HEAD`` wherever ``GET`` is answered (same status and headers, no body);
    * adds ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and, when the
      response sets none, the Content-Security-Policy :data:`API_CSP`.

    Example:
        >>> EdgeMiddleware(None, allowed_hosts=["localhost"]).allowed
        frozenset({'localhost'})
    """

    def __init__(self, app: Any, allowed_hosts: Sequence[str] = LOCAL_HOSTS) -> None:
        self.app = app
        self.allowed = frozenset(host_name(h) for h in allowed_hosts)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = host_name(headers.get("host", ""))
        if "*" not in self.allowed and host not in self.allowed:
            response = problem(400, "Host not allowed",
                               f"this server does not answer for the host '{host[:100]}'",
                               fix="open the dashboard at http://localhost:PORT or "
                               "http://127.0.0.1:PORT (foedus serve --allowed-host NAME adds a name)",
                               slug="host-not-allowed", instance=scope.get("path"))
            await _secured(response)(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")

        async def send_secured(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                names = {k.lower() for k, _ in raw}
                if b"x-content-type-options" not in names:
                    raw.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in names:
                    raw.append((b"referrer-policy", b"no-referrer"))
                if b"content-security-policy" not in names:
                    raw.append((b"content-security-policy", API_CSP.encode()))
                message = dict(message, headers=raw)
            elif head and message["type"] == "http.response.body":
                message = dict(message, body=b"", more_body=message.get("more_body", False))
            await send(message)

        await self.app(scope, receive, send_secured)


def _secured(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = API_CSP
    return response


def check_query(request: Request) -> None:
    """Refuse query parameters the endpoint does not declare (a :class:`FoedusError`, 422), so
    that a misspelt parameter (``yaer=1990``) is not silently ignored and cannot fill the cache.

    Example:
        >>> from starlette.requests import Request
        >>> check_query(Request({"type": "http", "query_string": b"", "headers": []}))
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known: set[str] = set()
    stack = [dependant]
    while stack:
        dep = stack.pop()
        known.update(str(getattr(p, "alias", None) or p.name) for p in dep.query_params)
        stack.extend(dep.dependencies)
    unknown = sorted({k for k in request.query_params if k not in known})
    if unknown:
        raise FoedusError(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
            + ", ".join(f"'{short(u, 40)}'" for u in unknown[:5]),
            where="query",
            fix=("this endpoint takes " + ", ".join(sorted(known)) if known
                 else "this endpoint takes no query parameter"),
        )
