"""``/api/v1/impact/...``: the impact designs (docs/impact.md), library calls only.

Design results come from :func:`foedus.impact.profile.cached_design` (run once per warehouse and
kept next to it): the first request for a design that is not cached yet waits while it is computed
(a worker thread; no time limit), later ones read the cache.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from foedus.api.http import API, PROBLEMS

router = APIRouter()


DesignP = Annotated[str, Path(description="Design name, e.g. dca-alignment (see /api/v1/impact).",
                              min_length=2, max_length=40, pattern=r"^[A-Za-z][A-Za-z_-]*$")]


def _clean(value: Any) -> Any:
    """NaN and infinities become null (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


async def _answer(request: Request, work: Any) -> Response:
    """Run the library call in a worker thread, without the API's time limit (a design's first
    fit can take longer; later answers come from the design cache next to the warehouse);
    library errors reach the app's problem+json handlers."""
    from starlette.concurrency import run_in_threadpool

    document = await run_in_threadpool(work)
    body = json.dumps(_clean(document), default=str, ensure_ascii=False, allow_nan=False)
    return Response(content=body, media_type="application/json")


def _warehouse(request: Request) -> Any:
    return request.app.state.service.wh.path


@router.get(f"{API}/impact", tags=["impact"], responses=PROBLEMS,
            summary="Impact designs, treatments and outcomes")  # fmt: skip
async def impact_index(request: Request) -> Response:
    """The named designs with their default treatment and outcome, every treatment with its
    covered years, every outcome."""

    def work() -> dict[str, Any]:
        from foedus.impact.designs import DESIGNS
        from foedus.impact.panel import OUTCOMES, TREATMENTS

        return {
            "designs": [{"name": d.name, "question": d.question, "treatment": d.treatment,
                         "outcome": d.outcome} for d in DESIGNS.values()],
            "treatments": [{"name": t.name, "label": t.label, "coverage": list(t.coverage),
                            "us_only": t.us_only} for t in TREATMENTS.values()],
            "outcomes": [{"name": o.name, "label": o.label, "kind": o.kind,
                          "coverage": list(o.coverage)} for o in OUTCOMES.values()],
        }  # fmt: skip

    return await _answer(request, work)


@router.get(f"{API}/impact/designs/{{design}}", tags=["impact"], responses=PROBLEMS,
            summary="One design's estimates, tables, specification and notes")  # fmt: skip
async def impact_design(
    request: Request,
    design: DesignP,
    coding: Annotated[Literal["alliance-war-member", "relevance", "unconditional"] | None, Query(
        description="honouring-rates only: 'alliance-war-member' (default: one case per war, "
        "alliance and obliged ally), 'relevance' (ally-partner pairs) or 'unconditional'.")] = None,
    estimator: Annotated[Literal["sun-abraham", "callaway-santanna", "lpdid"] | None, Query(
        description="designs with an event study only: 'sun-abraham' (default), "
        "'callaway-santanna' or 'lpdid' (cached apart).")] = None,
    comparison: Annotated[Literal["never", "not-yet"] | None, Query(
        description="event-study comparison dyads: 'never' (default) or 'not-yet' "
        "(callaway-santanna: both; lpdid: not-yet only).")] = None,
) -> Response:
    """The named design with its default treatment and outcome on the whole warehouse:
    estimates with 95% CIs, N, pre-trend and placebo tests, event-study and other tables."""

    def work() -> dict[str, Any]:
        from foedus.errors import FoedusError
        from foedus.impact.designs import get_design
        from foedus.impact.profile import cached_design

        name = get_design(design).name
        if coding is not None and name != "honouring-rates":
            raise FoedusError(f"design '{name}' takes no coding",
                              fix="use coding with honouring-rates only")  # fmt: skip
        if (estimator or comparison) and not get_design(name).event_study:
            raise FoedusError(f"design '{name}' has no event study: estimator and comparison "
                              "do not apply", fix="leave them out")  # fmt: skip
        doc = cached_design(name, _warehouse(request), coding=coding, estimator=estimator,
                            comparison=comparison)
        return {k: v for k, v in doc.items() if not k.startswith("_")}

    return await _answer(request, work)


@router.get(f"{API}/impact/dyad", tags=["impact"], responses=PROBLEMS,
            summary="A pair's instruments and their estimated average effects")  # fmt: skip
async def impact_dyad(
    request: Request,
    state1: Annotated[str, Query(description="COW code, abbreviation or name.", min_length=1,
                                 max_length=80)],
    state2: Annotated[str, Query(description="COW code, abbreviation or name.", min_length=1,
                                 max_length=80)],
) -> Response:
    """Which instruments the pair used when, and each instrument's average effect estimated
    over all pairs by the named designs."""

    def work() -> dict[str, Any]:
        from foedus.impact.profile import dyad_impact

        return dyad_impact(state1, state2, _warehouse(request))

    return await _answer(request, work)


@router.get(f"{API}/impact/alliance/{{alliance}}", tags=["impact"], responses=PROBLEMS,
            summary="An alliance's members, early exits and honouring record")  # fmt: skip
async def impact_alliance(
    request: Request,
    alliance: Annotated[str, Path(description="Alliance name or ATOP id, e.g. NATO or 3180.",
                                  min_length=1, max_length=120)],
) -> Response:
    """Members with entry, exit and how they left; honouring rates in the alliance's wars and
    disputes (alliance-war-member coding, cannot-be-judged cases counted apart); exit hazard."""

    def work() -> dict[str, Any]:
        from foedus.impact.profile import alliance_impact

        return alliance_impact(alliance, _warehouse(request))

    return await _answer(request, work)
