"""REST endpoints for regions, groupings, the multipolar system, the legal basis of alliances and
non-state conflict — thin wrappers over :mod:`foedus.regions` (no computation here).

``router`` is included by :func:`foedus.api.app.create_app`; each handler hands its work to the
app's ``answer`` (thread pool, time limit, cache by URL) through ``request.app.state``, and library
errors become ``application/problem+json`` through the app's handlers.

Example:
    >>> sorted(r.path for r in router.routes)[:2]
    ['/api/v1/groupings', '/api/v1/groupings/compare']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from foedus.api.http import API, PROBLEMS, answer, json_payload, service

router = APIRouter(responses=PROBLEMS)

FromQ = Annotated[int, Query(alias="from", ge=1816, le=2100, description="First year.")]
ToQ = Annotated[int, Query(ge=1816, le=2100, description="Last year.")]
#: Longest span of one profile or multipolarity request (longer: the CLI or the library).
MAX_SPAN = 50


def _span(start: int, end: int) -> None:
    from foedus.errors import InvalidYearsError

    if end - start + 1 > MAX_SPAN:
        raise InvalidYearsError(f"{start}–{end} is {end - start + 1} years",
                                fix=f"ask for at most {MAX_SPAN} years per request, or use "
                                "`foedus region profile` / `foedus system multipolarity`")


async def _answer(request: Request, work: Callable[[], Any]) -> Response:
    return await answer(request, lambda: json_payload(work()))


def _wh(request: Request) -> Any:
    return service(request).wh


@router.get(f"{API}/regions", tags=["regions"], summary="Every region")
async def regions(request: Request) -> Response:
    """COW, UN M49 (regions and sub-regions), UCDP and named regions (asia-pacific) with their
    definitions and sources (as `foedus region list --json`)."""
    from foedus.regions.schemes import list_regions

    return await _answer(request, lambda: {"regions": [r.to_dict() for r in list_regions()]})


@router.get(f"{API}/regions/{{name}}/profile", tags=["regions"], summary="A region's profile")
async def region_profile(
    request: Request,
    name: Annotated[str, PathParam(description="Region (asia-pacific, cow:europe…) or grouping.")],
    from_: FromQ = 2000,
    to: ToQ = 2023,
) -> Response:
    """Per year: shares of world CINC and military spending, arms flows within/into/out, alliance
    density and blocs, UN alignment, conflicts; sources and coverage named (as `foedus region
    profile --json`)."""
    from foedus.regions.profile import region_profile as profile

    _span(from_, to)
    return await _answer(request, lambda: profile(name[:60], from_, to, warehouse=_wh(request)))


@router.get(f"{API}/groupings", tags=["groupings"], summary="Every grouping")
async def groupings(request: Request) -> Response:
    """BRICS, SCO, CSTO, Quad, AUKUS, ASEAN, AU, ECOWAS, G7, NATO: what each is and where its
    membership comes from."""
    from foedus.regions.groupings import list_groupings

    return await _answer(request, lambda: {"groupings": [g.to_dict() for g in list_groupings()]})


@router.get(f"{API}/groupings/compare", tags=["groupings"], summary="Compare two groupings")
async def groupings_compare(
    request: Request,
    a: Annotated[str, Query(description="First grouping (or region).")],
    b: Annotated[str, Query(description="Second grouping (or region).")],
    year: Annotated[int, Query(ge=1816, le=2100, description="Year compared.")] = 2023,
) -> Response:
    """Shares of world capability and military spending, arms trade within and between, UN
    alignment, alliance ties, exercises and DCAs (as `foedus grouping compare --json`)."""
    from foedus.regions.profile import compare_groupings

    return await _answer(request, lambda: compare_groupings(a[:60], b[:60], year,
                                                            warehouse=_wh(request)))  # fmt: skip


@router.get(f"{API}/groupings/{{name}}", tags=["groupings"], summary="A grouping's members")
async def grouping(
    request: Request,
    name: Annotated[str, PathParam(description="BRICS, SCO, CSTO, Quad, AUKUS, ASEAN, AU, "
                                   "ECOWAS, G7, NATO.")],
    year: Annotated[int, Query(ge=1816, le=2100, description="Members on 31 December of this "
                               "year.")],
) -> Response:
    """The states of the grouping in `year` (any status: member, frozen, invited), each with its
    dates and source."""
    from foedus.regions.groupings import get_grouping, grouping_members

    def work() -> dict[str, Any]:
        g = get_grouping(name[:60])
        return {"grouping": g.to_dict(), "year": year,
                "members": grouping_members(g.name, year, status="all", warehouse=_wh(request))}

    return await _answer(request, work)


@router.get(f"{API}/system/multipolarity", tags=["system"], summary="Multipolarity per year")
async def system_multipolarity(request: Request, from_: FromQ = 2000, to: ToQ = 2023,
                               window: Annotated[int, Query(ge=1, le=50,
                                                            description="Years of growth.")] = 10
                               ) -> Response:  # fmt: skip
    """Capability concentration, effective poles, alliance blocs, rising and declining powers,
    alignment of emerging powers (as `foedus system multipolarity --json`)."""
    from foedus.regions.multipolarity import multipolarity

    _span(from_, to)
    return await _answer(request, lambda: multipolarity(from_, to, warehouse=_wh(request),
                                                        window=window))  # fmt: skip


@router.get(f"{API}/law/summary", tags=["law"], summary="Legal basis of alliances over time")
async def law_summary(
    request: Request,
    from_: FromQ = 1945,
    to: ToQ = 2018,
    by: Annotated[Literal["decade", "year"], Query(description="Period.")] = "decade",
    basis: Annotated[Literal["signed", "in-force"], Query(description="Alliances signed in "
                                                          "the period or in force.")] = "signed",
) -> Response:
    """Counts of each ATOP legal-basis code per period, with the codebook meaning."""
    from foedus.regions.law import law_summary as summary

    def work() -> dict[str, Any]:
        wh = _wh(request)
        table = summary(wh.table("atop_alliance_level"), from_, to, by=by, basis=basis)
        record = wh.active("atop_alliance_level")
        return {"from": from_, "to": to, "by": by, "basis": basis, "summary": table.to_dicts(),
                "source": {"source": record.source, "version": record.version,
                           "codebook": "ATOP Codebook v5.1 (Leeds 2022)"}}  # fmt: skip

    return await _answer(request, work)


@router.get(f"{API}/nonstate/regions", tags=["nonstate"], summary="Non-state conflict by region")
async def nonstate_regions(
    request: Request,
    from_: FromQ = 1989,
    to: ToQ = 2022,
    scheme: Annotated[str, Query(description="ucdp, cow, un, un-sub or region names, comma-"
                                 "separated.")] = "ucdp",
) -> Response:
    """UCDP non-state conflicts, dyads and fatalities per region and year."""
    from foedus.regions.nonstate import nonstate_region_years

    def work() -> dict[str, Any]:
        chosen: Any = scheme if scheme in ("ucdp", "cow", "un", "un-sub") else [
            s.strip() for s in scheme[:400].split(",") if s.strip()]  # fmt: skip
        wh = _wh(request)
        table = nonstate_region_years(wh.table("ucdp_nonstate"), chosen, (from_, to))
        r = wh.active("ucdp_nonstate")
        return {"rows": table.to_dicts(), "source": {"source": r.source, "version": r.version}}

    return await _answer(request, work)
