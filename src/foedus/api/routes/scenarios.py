"""``POST /api/v1/scenarios`` (run a scenario sent as TOML or JSON) and ``GET /api/v1/recommend``."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from foedus.api.http import API, PROBLEMS, Payload, answer, check_query, json_payload, service
from foedus.errors import ScenarioFileError

router = APIRouter()

MAX_SCENARIO_BYTES = 200_000


@router.post(
    f"{API}/scenarios",
    tags=["scenarios"],
    responses=PROBLEMS,
    summary="Run a what-if scenario",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/toml": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}},
        "text/plain": {"schema": {"type": "string"}}}}},
)
async def run_scenario(request: Request) -> Response:
    """Run a scenario file (the body: TOML, or the same keys as a JSON object; format in
    docs/scenarios.md) and return the result document of `foedus scenario run --json`: the
    simulated attack (responder probabilities, coalition sizes and capabilities, escalation
    depth) and the deltas against the base year. Same seed, same answer (cached by the body)."""
    check_query(request)
    raw = await request.body()
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioFileError(f"the scenario is {len(raw):,} bytes", where="request body",
                                fix=f"send at most {MAX_SCENARIO_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioFileError("the body is not UTF-8 text", where="request body",
                                fix="send the scenario as UTF-8 TOML or JSON") from None

    def work() -> Payload:
        from foedus.scenarios.run import run_scenario as run
        from foedus.scenarios.spec import parse_scenario

        scenario = parse_scenario(text, source="request body")
        doc = run(scenario, warehouse=service(request).wh).to_dict()
        doc.pop("seconds", None)
        return json_payload(doc)

    key = f"{API}/scenarios#" + hashlib.sha256(raw).hexdigest()
    runner = request.app.state.runner
    hit = runner.cached(key)
    if hit is not None:
        return hit.response(cached=True)
    return (await runner.run(key, work)).response(cached=False)


@router.get(
    f"{API}/recommend",
    tags=["scenarios"],
    responses=PROBLEMS,
    summary="Ranked partner × instrument options",
)
async def recommend(
    request: Request,
    state: Annotated[str, Query(description="The state advised (code, abbreviation, name).")],
    objective: Annotated[str, Query(description="deter:RIVAL, capability, alignment or burden.")],
    instruments: Annotated[str | None, Query(
        description="Comma list of alliance,dca,exercises,arms,training,visits.")] = None,
    year: Annotated[int | None, Query(description="Year (default: this year).")] = None,
    top: Annotated[int, Query(ge=1, le=200, description="Options returned.")] = 10,
    w_entrapment: Annotated[float, Query(ge=0, le=2)] = 1.0,
    w_distance: Annotated[float, Query(ge=0, le=1)] = 1.0,
    w_regime: Annotated[float, Query(ge=-2, le=2)] = 0.0,
) -> Response:
    """The result of `foedus recommend --json`: options ranked by modelled gain for the
    objective, each factor's contribution, intervals and the sensitivity check."""

    def work() -> Payload:
        from foedus.scenarios.recommend import recommend as rec

        doc = rec(state, objective, instruments=[instruments] if instruments else None,
                  year=year, top=top, warehouse=service(request).wh,
                  w_entrapment=w_entrapment, w_distance=w_distance, w_regime=w_regime)
        doc.pop("seconds", None)
        return json_payload(doc)

    return await answer(request, work)
