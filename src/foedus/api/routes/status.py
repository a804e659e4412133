"""``/api/v1/status``: the warehouse's releases in use."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from foedus.api.http import (
    API,
    PROBLEMS,
    json_payload,
    service,
)

router = APIRouter()


@router.get(
    f"{API}/status", tags=["warehouse"], responses=PROBLEMS, summary="Warehouse releases in use"
)
async def status(request: Request) -> Response:
    """Every imported release (table, source, version, file, rows, in use, pinned,
    checksum), the releases in use, and the API's limits. Never cached."""
    svc = service(request)
    if svc.refresh():  # an import swapped the warehouse in: cached answers are stale
        request.app.state.runner.clear()
    return json_payload(svc.status()).response(cached=False)
