"""``/api/v1/records``: an organisation's own engagement records (authenticated).

Every endpoint here requires credentials — an API token (``Authorization: Bearer fdr_…``) or a
dashboard session cookie set by ``POST /api/v1/records/login`` (then writes also need the
``X-CSRF-Token`` header the log-in returned). Anonymous requests get 401; a role that may not do
something gets 403; a record above the user's clearance is 404, exactly like a missing one. Edits
carry the version they were based on (``If-Match: "3"`` or ``"version": 3``); a stale version is
409 and nothing changes. The public-data endpoints elsewhere stay anonymous and read-only.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from foedus.api.http import API, dumps
from foedus.errors import AuthenticationError, RecordValidationError

router = APIRouter()

SESSION_COOKIE = "foedus_session"
CSRF_COOKIE = "foedus_csrf"
_bearer = HTTPBearer(auto_error=False, description="API token: foedus records token create USER")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                       description="Dashboard session (POST /api/v1/records/login)")
_lock = threading.Lock()
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_PROBLEM = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid credentials", **_PROBLEM},
    403: {"description": "The role may not do this (or CSRF token missing)", **_PROBLEM},
    404: {"description": "No such record visible to this user", **_PROBLEM},
    409: {"description": "Edit conflict: the record changed since the given version", **_PROBLEM},
    422: {"description": "Invalid record (problems listed by field / row and column)", **_PROBLEM},
}


def store(request: Request) -> Any:
    """The app's :class:`~foedus.records.RecordStore`, opened (and migrated) on first use."""
    return open_store(request.app)


def open_store(app: Any) -> Any:
    """Open the records store of ``app`` (once; ``foedus serve --database`` does it at start-up,
    before the process takes connections, so no request waits for it)."""
    state = app.state
    existing = getattr(state, "records", None)
    if existing is not None:
        return existing
    with _lock:
        if getattr(state, "records", None) is None:
            from foedus.records import RecordStore, default_database_url

            url = getattr(state, "records_url", None) or default_database_url()
            state.records = RecordStore(url)
    return state.records


async def principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_cookie)],
) -> Any:
    """The authenticated user: token first, then the session cookie (with CSRF on writes).

    Runs on the event loop: a token this process checked recently (and the shared
    authentication epoch read within the last second) is answered from memory; anything that
    needs the database — opening the store, a token look-up, a session — runs in a thread."""
    from starlette.concurrency import run_in_threadpool

    records: Any = getattr(request.app.state, "records", None)
    if records is None:
        records = await run_in_threadpool(store, request)
    if bearer is not None and bearer.credentials:
        known = records.cached_token(bearer.credentials)
        if known is not None:
            return known
        return await run_in_threadpool(records.authenticate_token, bearer.credentials)
    if session:
        return await run_in_threadpool(
            records.authenticate_session, session, csrf=request.headers.get("x-csrf-token"),
            require_csrf=request.method in _UNSAFE)
    raise AuthenticationError("this endpoint needs credentials",
                              fix="send Authorization: Bearer <token>, or log in to the dashboard")


User = Annotated[Any, Depends(principal)]
#: Record ids are 32-bit in every back end.
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Engagement id")]


def _json(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(document), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", **(headers or {})})


def _raw(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", **(headers or {})})


def _version(if_match: str | None, body: dict[str, Any]) -> int:
    raw = body.pop("version", None)
    if raw is None and if_match:
        raw = if_match.strip().removeprefix("W/").strip('"')
    try:
        number = int(raw)  # type: ignore[arg-type]
        if not 1 <= number <= 2_147_483_647:
            raise ValueError(number)
        return number
    except (TypeError, ValueError):
        raise RecordValidationError(
            "an edit needs the version it is based on",
            fix='send If-Match: "N" or "version": N (the version from the last GET)',
            problems=[{"column": "version", "value": None if raw is None else str(raw),
                       "reason": "required whole number"}]) from None


@router.post(f"{API}/records/login", tags=["records"], responses=ERRORS | {429: {"description": "Too many failed log-ins", **_PROBLEM}},
             summary="Log in to the dashboard (session cookie + CSRF token)")
def login(request: Request, credentials: Annotated[dict[str, str], Body(
        examples=[{"username": "ana", "password": "a long passphrase"}])]) -> Response:
    """Checks the password (failed attempts per user name and address are limited) and sets an
    HttpOnly, SameSite=Strict session cookie; returns the CSRF token writes must send."""
    address = request.client.host if request.client else "unknown"
    user, secret, csrf = store(request).login(str(credentials.get("username", "")),
                                              str(credentials.get("password", "")), address=address)
    response = _json({"username": user.username, "role": user.role, "clearance": user.clearance,
                      "csrf_token": csrf})
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="strict", secure=secure,
                        max_age=8 * 3600, path="/")
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure,
                        max_age=8 * 3600, path="/")
    return response


@router.post(f"{API}/records/logout", tags=["records"], responses=ERRORS, summary="Log out")
def logout(request: Request, user: User) -> Response:
    """Ends the dashboard session."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        store(request).logout(secret)
    response = _json({"logged_out": user.username})
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get(f"{API}/records/me", tags=["records"], responses=ERRORS, summary="Who am I")
def me(user: User) -> Response:
    """The authenticated user's name, role and clearance."""
    return _json({"username": user.username, "role": user.role, "clearance": user.clearance,
                  "can_write": user.can_write, "is_admin": user.is_admin})


@router.get(f"{API}/records/engagements", tags=["records"], responses=ERRORS,
            summary="Engagements visible to the user")
def list_engagements(
    request: Request, user: User,
    partner: Annotated[str | None, Query(description="Partner state: name, ISO3 or COW code")] = None,
    status: Annotated[str | None, Query()] = None,
    instrument: Annotated[str | None, Query()] = None,
    year: Annotated[int | None, Query(ge=1816, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> Response:
    """Newest first; only records at or below the user's clearance exist for them."""
    code = None
    if partner is not None:
        code = _partner_code(partner)
    count, rows = store(request).engagements_json(user, partner=code, status=status,
                                                  instrument=instrument, year=year, limit=limit,
                                                  offset=offset)
    return _raw(b'{"engagements":' + rows
                + f',"count":{count},"limit":{limit},"offset":{offset}}}'.encode())


def _partner_code(value: str) -> int:
    if value.strip().isdigit():
        return int(value)
    from foedus.records.validation import resolve_partners

    found, unknown = resolve_partners([value], None)
    if unknown:
        raise RecordValidationError(f"unknown partner '{value}'",
                                    fix="use a state name (Japan), ISO3 (JPN) or COW code (740)")
    return int(found[0]["ccode"])


@router.post(f"{API}/records/engagements", tags=["records"], responses=ERRORS, status_code=201,
             summary="Create an engagement")
def create_engagement(request: Request, user: User, body: Annotated[dict[str, Any], Body(
        examples=[{"title": "Staff talks", "instrument": "visits", "partners": ["Japan"],
                   "start_date": "2024-03-01", "marking": "internal"}])]) -> Response:
    """Analysts and admins; the new engagement starts as ``proposed`` at version 1."""
    doc = store(request).create_engagement(user, body)
    return _json(doc, 201, {"Location": f"{API}/records/engagements/{doc['id']}",
                            "ETag": f'"{doc["version"]}"'})


@router.get(f"{API}/records/engagements/{{engagement_id}}", tags=["records"], responses=ERRORS,
            summary="One engagement")
def get_engagement(request: Request, user: User, engagement_id: RecordId) -> Response:
    """With partners, indicators (and their progress), assessments and evidence."""
    version, body = store(request).engagement_json(user, engagement_id)
    return _raw(body, headers={"ETag": f'"{version}"'})


@router.patch(f"{API}/records/engagements/{{engagement_id}}", tags=["records"], responses=ERRORS,
              summary="Edit an engagement (optimistic locking)")
def update_engagement(request: Request, user: User, engagement_id: RecordId,
                      body: Annotated[dict[str, Any], Body()],
                      if_match: Annotated[str | None, Header()] = None) -> Response:
    """Changes only the given fields; 409 when the version is not the current one."""
    version = _version(if_match, body)
    doc = store(request).update_engagement(user, engagement_id, body, version=version)
    return _json(doc, headers={"ETag": f'"{doc["version"]}"'})


@router.post(f"{API}/records/engagements/{{engagement_id}}/status", tags=["records"],
             responses=ERRORS, summary="Move an engagement along its lifecycle")
def set_status(request: Request, user: User, engagement_id: RecordId,
               body: Annotated[dict[str, Any], Body(examples=[{"status": "approved", "version": 1}])],
               if_match: Annotated[str | None, Header()] = None) -> Response:
    """proposed → approved (admins) → ongoing → completed → assessed; or cancelled."""
    version = _version(if_match, body)
    doc = store(request).set_status(user, engagement_id, str(body.get("status")), version=version)
    return _json(doc, headers={"ETag": f'"{doc["version"]}"'})


@router.delete(f"{API}/records/engagements/{{engagement_id}}", tags=["records"], responses=ERRORS,
               summary="Delete an engagement (admins)")
def delete_engagement(request: Request, user: User, engagement_id: RecordId,
                      if_match: Annotated[str | None, Header()] = None,
                      version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> Response:
    """The audit log keeps the deleted record's last state."""
    v = _version(if_match, {} if version is None else {"version": version})
    store(request).delete_engagement(user, engagement_id, version=v)
    return Response(status_code=204)


@router.post(f"{API}/records/engagements/{{engagement_id}}/{{kind}}", tags=["records"],
             responses=ERRORS, status_code=201,
             summary="Add an indicator, assessment or evidence item")
def add_child(request: Request, user: User, engagement_id: RecordId, kind: str,
              body: Annotated[dict[str, Any], Body()]) -> Response:
    """``kind`` is ``indicators``, ``assessments`` or ``evidence``."""
    singular = {"indicators": "indicator", "assessments": "assessment",
                "evidence": "evidence"}.get(kind, kind)
    return _json(store(request).add_child(user, engagement_id, singular, body), 201)


@router.get(f"{API}/records/audit", tags=["records"], responses=ERRORS,
            summary="The audit log (admins)")
def audit(request: Request, user: User, entity: str | None = None,
          entity_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
          limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> Response:
    """Append-only: who, what, when, before and after."""
    return _json({"entries": store(request).audit(user, entity=entity, entity_id=entity_id,
                                                   limit=limit)})


@router.post(f"{API}/records/import", tags=["records"], responses=ERRORS,
             summary="Import engagements from CSV (all-or-nothing)")
async def import_csv(request: Request, user: User) -> Response:
    """Body: a UTF-8 CSV with a header row. Any problem → 422 listing row, column and reason, and
    nothing is imported."""
    import asyncio
    import tempfile
    from pathlib import Path

    from foedus.records.files import read_rows

    data = await request.body()

    def work() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.csv"
            path.write_bytes(data)
            rows = read_rows(path)
        return store(request).import_rows(user, rows, source="upload.csv")

    return _json(await asyncio.to_thread(work))
