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
        int | None,
        Query(alias="from", description="First year (default: the later of the two states' "
              "first COW-system year)."),
    ] = None,
    to: Annotated[int | None, Query(description="Last year (default 2024, the instruments' last).")] = None,
    engagement: Annotated[
        bool,
        Query(description="Add the military-engagement index (fits the reference model on "
              "every dyad-year once per server: slow the first time)."),
    ] = False,
) -> Response:
    """The dyad profile `foedus dyad A B --json` prints (`foedus.measures.dyad_profile`): one
    row per year with SIPRI arms deliveries each way (TIV), defence cooperation agreements,
    joint and multinational exercises, US training, troops and senior visits (when one side
    is the United States), peace-operation co-deployment, ATOP obligations each way (after
    2018 carried forward with the curated changes), GML and COW MIDs, alliance-portfolio
    similarity, UN ideal-point distance, each side's NMC CINC and military expenditure (NMC,
    thousands of current US$; SIPRI, US$ m at constant 2022 prices) and COW contiguity; a
    summary per instrument, the shared alliances by name, `units` and sources. Values outside
    a source's years are null."""

    def work() -> Payload:
        path_state(service(request), a)
        path_state(service(request), b)
        return json_payload(service(request).dyad(a, b, from_, to, engagement))

    return await answer(request, work)
