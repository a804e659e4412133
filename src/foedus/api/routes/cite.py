"""``/api/v1/cite``: BibTeX for the sources an answer used (the dashboard's "cite this")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from foedus.api.http import API, PROBLEMS, Payload, answer, json_payload
from foedus.api.service import split_list

router = APIRouter()


@router.get(f"{API}/cite", tags=["warehouse"], responses=PROBLEMS,
            summary="BibTeX for sources (as `foedus cite`)")
async def cite(
    request: Request,
    source: Annotated[list[str] | None, Query(
        description="Source names as answers' `provenance.sources[].source` give them (atop, "
        "nmc, …; repeat or comma-separate). Names outside the source catalogue (curated facts) "
        "are listed in `not_in_catalogue`. foedus itself is always cited.")] = None,
) -> Response:
    """The BibTeX entries of the named sources and of foedus (`foedus.provenance.bibtex_for`,
    the text `foedus cite NAME …` prints), with their keys."""
    names = split_list(source)

    def work() -> Payload:
        from foedus.provenance import bibtex_for
        from foedus.sources.catalog import SOURCES

        known = [n for n in dict.fromkeys(names) if n in SOURCES]
        text, keys = bibtex_for(known)
        return json_payload({"sources": known, "keys": keys, "bibtex": text,
                             "not_in_catalogue": [n for n in names if n not in SOURCES]})

    return await answer(request, work)
