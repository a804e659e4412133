"""``/api/v1/treaties…`` and ``/api/v1/arms-control/…``: arms-control treaties, state profiles,
extended deterrence and the cross-source conflict report (library calls only)."""

from __future__ import annotations

from enum import Enum
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
TAG: list[str | Enum] = ["arms control"]


@router.get(f"{API}/treaties", tags=TAG, responses=PROBLEMS, summary="Arms-control treaties")
async def treaties(request: Request) -> Response:
    """Every treaty foedus knows: kind, sources in order of precedence, data date, and today's
    numbers of parties, signatories and withdrawn states."""
    from foedus.arms_control.analysis import treaty_list

    return await answer(request, lambda: json_payload(
        {"treaties": treaty_list(service(request).wh)}))


@router.get(f"{API}/treaties/{{name}}", tags=TAG, responses=PROBLEMS,
            summary="A treaty's status for every state on a date")
async def treaty_status(
    request: Request,
    name: Annotated[str, PathParam(description="Treaty key or name, e.g. NPT, CTBT, OTTAWA.")],
    year: OptYearQ = None,
) -> Response:
    """Every state's status (not signed, signed, party, withdrawn, ended) on 31 December of
    `year` (default: today), with the dates, sources and flags behind it. An unknown treaty is a
    422 problem listing the valid names."""
    from foedus.arms_control.analysis import treaty_show

    return await answer(request, lambda: json_payload(
        treaty_show(service(request).wh, name, year)))


@router.get(f"{API}/arms-control/states/{{state}}", tags=TAG, responses=PROBLEMS | NOT_FOUND,
            summary="A state's arms-control profile")
async def profile(
    request: Request,
    state: Annotated[str, PathParam(description="COW code, abbreviation or name.")],
    year: OptYearQ = None,
) -> Response:
    """Status under every treaty, the timeline of the state's treaty actions, and its nuclear
    status, tests and enrichment/reprocessing facilities."""
    from foedus.arms_control.analysis import state_profile

    def work() -> Payload:
        path_state(service(request), state)
        return json_payload(state_profile(service(request).wh, state, year))

    return await answer(request, work)


@router.get(f"{API}/arms-control/deterrence", tags=TAG, responses=PROBLEMS,
            summary="Allies of nuclear-weapon states and their NPT/TPNW choices")
async def deterrence(request: Request, year: YearQ) -> Response:
    """States under an ATOP defence obligation of a nuclear-weapon state in `year`, with their
    NPT and TPNW status."""
    from foedus.arms_control.analysis import extended_deterrence

    return await answer(request, lambda: json_payload(
        extended_deterrence(service(request).wh, year)))


@router.get(f"{API}/arms-control/membership", tags=TAG, responses=PROBLEMS,
            summary="Treaty status of every state in a year (for maps)")
async def membership(
    request: Request,
    year: YearQ,
    treaty: Annotated[str, Query(description="Treaty key or name, e.g. NPT.")] = "NPT",
) -> Response:
    """One row per state: COW code, ISO3 code (for maps) and status under `treaty` on 31
    December of `year`."""
    from foedus.arms_control.analysis import membership_map

    return await answer(request, lambda: json_payload(
        membership_map(service(request).wh, treaty, year)))


@router.get(f"{API}/arms-control/conflicts", tags=TAG, responses=PROBLEMS,
            summary="Disagreements between arms-control sources")
async def conflicts(
    request: Request,
    treaty: Annotated[str | None, Query(description="Only this treaty.")] = None,
) -> Response:
    """Every disagreement between two sources on a state's signature, consent or withdrawal
    date, with both values, their file lines and the value foedus uses."""
    from foedus.arms_control.status import conflicts as list_conflicts

    def work() -> Payload:
        df = list_conflicts(service(request).wh, treaty_name=treaty)
        return json_payload({"conflicts": df.to_dicts()})

    return await answer(request, work)
