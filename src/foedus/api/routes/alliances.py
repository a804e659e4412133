"""``/api/v1/alliances``, ``/api/v1/alliances/{name_or_id}`` and ``/api/v1/defend``."""

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
    PathNotFound,
    Payload,
    StateQ,
    YearQ,
    answer,
    json_payload,
    service,
)
from foedus.api.service import split_list

router = APIRouter()


@router.get(
    f"{API}/alliances",
    tags=["alliances"],
    responses=PROBLEMS,
    summary="Alliances of a state, of a year, or all",
)
async def alliances(request: Request, state: StateQ = None, year: OptYearQ = None) -> Response:
    """With `state` and `year`: the state's alliances that year with obligations, conditions
    and partners (as `foedus alliances --json`). With `year` only: every alliance in force
    and its members. With `state` only: every alliance it ever belonged to. Neither: all."""
    return await answer(request, lambda: json_payload(service(request).alliances(state, year)))


@router.get(
    f"{API}/alliances/{{name_or_id}}",
    tags=["alliances"],
    responses=PROBLEMS | NOT_FOUND,
    summary="One alliance: members, phases, provisions",
)
async def alliance(
    request: Request,
    name_or_id: Annotated[
        str,
        PathParam(
            description="ATOPID (3180), common name or alias "
            "(NATO, Rio Pact), or curated treaty key."
        ),
    ],
    year: OptYearQ = None,
) -> Response:
    """Names, dates, each phase's institutional provisions with codebook meanings, states
    named as threats, and members with obligations and conditions (only `year`'s with it)."""

    def work() -> Payload:
        from foedus.alliances.registry import UnknownAllianceError

        try:
            return json_payload(service(request).alliance(name_or_id, year))
        except UnknownAllianceError as exc:
            raise PathNotFound(exc) from None

    return await answer(request, work)


@router.get(
    f"{API}/defend",
    tags=["alliances"],
    responses=PROBLEMS,
    summary="Collective defence: who is bound to come to a state's aid",
)
async def defend(
    request: Request,
    target: Annotated[str, Query(description="The attacked state (code, abbreviation, name).")],
    year: YearQ,
    attacker: Annotated[
        list[str] | None,
        Query(description="Attacking state(s): repeat the parameter or separate with commas."),
    ] = None,
    location: Annotated[
        str | None,
        Query(description="Where the attack happens: a state or a region (europe, east_asia, …)."),
    ] = None,
    provoked: Annotated[
        bool | None,
        Query(description="Whether the target provoked the attack (default: not stated)."),
    ] = None,
    depth: Annotated[
        int | None, Query(ge=0, le=100, description="Maximum depth of the escalation tree.")
    ] = None,
) -> Response:
    """The collective-defence engine's full answer (`foedus.alliances.responders`):
    defence obligations toward the target with each condition's verdict, the attacker's
    pledges, pledges toward the attacker, offensive allies, the escalation tree and coalition
    capability per side — the same document as `foedus defend --json`."""

    def work() -> Payload:
        doc, _ = service(request).defend(
            target, year, split_list(attacker), location, provoked, depth
        )
        return json_payload(doc)

    return await answer(request, work)
