"""``/api/v1/similarity``, ``/network``, ``/structure`` and ``/map``: the alliance measures."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from foedus.api.http import (
    API,
    PROBLEMS,
    YearQ,
    answer,
    json_payload,
    service,
)
from foedus.api.service import MAP_MEASURES, split_list

router = APIRouter()


@router.get(
    f"{API}/similarity",
    tags=["measures"],
    responses=PROBLEMS,
    summary="Alliance-portfolio similarity matrix of a year",
)
async def similarity(
    request: Request,
    year: Annotated[int, Query(description="Year (ATOP: 1816–2018).")],
    measure: Annotated[
        str,
        Query(
            description="s_un_val_abs, s_un_val_sq, s_un_bin_abs, "
            "s_un_bin_sq, s_wt_val_abs, s_wt_val_sq, s_wt_bin_abs, "
            "s_wt_bin_sq, tau_b, kappa or pi."
        ),
    ] = "s_un_val_sq",
) -> Response:
    """Every pair of COW members in `year` (as `foedus similarity --json`): codes,
    abbreviations, names and the N×N matrix (null where undefined)."""
    return await answer(
        request, lambda: json_payload(service(request).similarity(year, measure[:40]))
    )


@router.get(
    f"{API}/network",
    tags=["measures"],
    responses=PROBLEMS,
    summary="The alliance network of a year",
)
async def network(
    request: Request,
    year: YearQ,
    obligation: Annotated[
        list[str] | None,
        Query(
            description="Obligations making a tie: defense, offense, neutral, nonagg, consul "
            "(repeat or comma-separate; default all)."
        ),
    ] = None,
) -> Response:
    """Nodes (every COW member: code, abbreviation, name, ISO3, bloc, degree, weighted degree,
    betweenness, eigenvector, clustering), edges with weights and obligation flags, and the
    year's metrics (density, components, blocs, modularity, polarisation). After 2018: ATOP
    alliances carried forward with the curated changes (`basis`)."""
    chosen = split_list(obligation)
    return await answer(
        request, lambda: json_payload(service(request).network(year, chosen or None))
    )


@router.get(
    f"{API}/structure", tags=["measures"], responses=PROBLEMS, summary="System structure per year"
)
async def structure(
    request: Request,
    from_: Annotated[
        int | None, Query(alias="from", description="First year (default 1816).")
    ] = None,
    to: Annotated[int | None, Query(description="Last year (default 2022, NMC's last).")] = None,
    group: Annotated[
        Literal["majors", "all"], Query(description="Among the COW major powers or all states.")
    ] = "majors",
) -> Response:
    """Per year: states with a CINC, missing CINC, total CINC, HHI, CON, effective number of
    poles, leading state and its share (as `foedus structure --json`)."""
    return await answer(request, lambda: json_payload(service(request).structure(from_, to, group)))


@router.get(
    f"{API}/map",
    tags=["measures"],
    responses=PROBLEMS,
    summary="One value per state for a choropleth",
)
async def map_values(
    request: Request,
    year: YearQ,
    measure: Annotated[str, Query(description="One of: " + ", ".join(MAP_MEASURES) + ".")] = "cinc",
) -> Response:
    """Every COW member in `year` with its ISO3 code (present-day country; null where none
    or shared) and the measure's value, plus min and max."""
    return await answer(
        request, lambda: json_payload(service(request).map_values(measure[:40], year))
    )
