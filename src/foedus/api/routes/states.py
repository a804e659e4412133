"""``/api/v1/states`` and ``/api/v1/states/{state}``: states of a system and a state's yearly profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from foedus.api.http import (
    API,
    NOT_FOUND,
    PROBLEMS,
    OptYearQ,
    Payload,
    YearQ,
    answer,
    json_payload,
    path_state,
    service,
)

router = APIRouter()


@router.get(f"{API}/states", tags=["states"], responses=PROBLEMS, summary="States of a system")
async def states(
    request: Request,
    system: Annotated[str, Query(description="State system: cow or gw.")] = "cow",
    year: OptYearQ = None,
) -> Response:
    """Every state of the COW (or Gleditsch–Ward) system — or its members in `year` —
    with code, abbreviation, name, ISO3 code (present-day country, for maps) and first
    and last year."""
    return await answer(request, lambda: json_payload(service(request).states(system[:20], year)))


@router.get(
    f"{API}/states/{{state}}",
    tags=["states"],
    responses=PROBLEMS | NOT_FOUND,
    summary="A state's yearly profile",
)
async def state_profile(
    request: Request,
    state: Annotated[str, PathParam(description="COW code, abbreviation or name.")],
    year: YearQ,
) -> Response:
    """NMC capabilities, COW major-power status, alliances with obligations and conditions,
    UN General Assembly ideal point (if imported) and alliance-network position in `year`."""

    def work() -> Payload:
        path_state(service(request), state)
        return json_payload(service(request).state_profile(state, year))

    return await answer(request, work)
