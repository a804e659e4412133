"""``/api/v1/events``: monthly military cooperation and conflict from event data (DuckDB engine)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from foedus.api.http import API, PROBLEMS, Payload, answer, json_payload, service

router = APIRouter()

SourceQ = Annotated[str, Query(description="Event source: gdelt, gdelt-georgia or icews.",
                               pattern="^(gdelt|gdelt-georgia|icews)$")]
MonthQ = Annotated[str, Query(description="Month YYYY-MM.", pattern=r"^\d{4}-\d{2}$")]


@router.get(f"{API}/events/dyads/{{a}}/{{b}}", tags=["events"], responses=PROBLEMS,
            summary="Monthly military cooperation and conflict between two states")
async def events_dyad(
    request: Request,
    a: Annotated[str, PathParam(description="State: name, ISO3 or COW code.")],
    b: Annotated[str, PathParam(description="State: name, ISO3 or COW code.")],
    from_: Annotated[str, Query(alias="from", description="First month YYYY-MM.",
                                pattern=r"^\d{4}-\d{2}$")] = "2018-01",
    to: MonthQ = "2018-12",
    source: SourceQ = "gdelt",
    directed: Annotated[bool, Query(description="Only A → B events.")] = False,
) -> Response:
    """Per month: events of each military cooperation and conflict family (CAMEO), the
    Goldstein-weighted cooperation and conflict indices, the conflict z-score against the previous
    12 months and the anomaly flag; months outside the source's coverage are null."""

    def work() -> Payload:
        from foedus.events.monitor import dyad_monthly

        return json_payload(dyad_monthly(a, b, from_, to, source=source,
                                         warehouse=service(request).wh, directed=directed))

    return await answer(request, work)


@router.get(f"{API}/events/top", tags=["events"], responses=PROBLEMS,
            summary="Most active dyads of a year")
async def events_top(
    request: Request,
    year: Annotated[int, Query(description="Year.", ge=1979, le=2100)],
    source: SourceQ = "gdelt",
    n: Annotated[int, Query(description="How many dyads.", ge=1, le=100)] = 10,
) -> Response:
    """The directed dyads with the most military cooperation and conflict events in the year."""

    def work() -> Payload:
        from foedus.events.monitor import top_dyads

        return json_payload(top_dyads(year, source=source, n=n, warehouse=service(request).wh))

    return await answer(request, work)
