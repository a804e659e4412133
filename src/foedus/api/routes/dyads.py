"""``/api/v1/dyads/{a}/{b}``: a dyad's profile timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from foedus.api.http import (
    API,
    NOT_FOUND,
    PROBLEMS,
    Payload,
    answer,
    json_payload,
    path_state,
    service,
)

router = APIRouter()


@router.get(
    f"{API}/dyads/{{a}}/{{b}}",
    tags=["dyads"],
    responses=PROBLEMS | NOT_FOUND,
    summary="Dyad profile timeline",
)
async def dyad(
    request: Request,
    a: Annotated[str, PathParam(description="First state (code, abbreviation, name).")],
    b: Annotated[str, PathParam(description="Second state.")],
    from_: Annotated[
        int | None, Query(alias="from", description="First year (default 1816).")
    ] = None,
    to: Annotated[int | None, Query(description="Last year (default: this year).")] = None,
) -> Response:
    """One row per year both states are COW members, from the directed dyad-year Frame of
    the pair: ATOP obligations a→b (and b→a, suffix `_ba`; after 2018 carried forward with
    the curated changes, `atop_basis`), contiguity, GML and COW MIDs with peace-years,
    alliance-portfolio similarity (1816–2018), UN ideal points and their distance, NMC
    capabilities, major-power status and the capability ratio `cinc1/cinc2`."""

    def work() -> Payload:
        path_state(service(request), a)
        path_state(service(request), b)
        return json_payload(service(request).dyad(a, b, from_, to))

    return await answer(request, work)
