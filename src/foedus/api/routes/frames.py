"""``/api/v1/frames/{unit}``: state-year and dyad-year frame export."""

from __future__ import annotations

import io
import json
import math
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from foedus.api.http import (
    API,
    FRAME_FORMATS,
    MAX_PAGE_SIZE,
    PROBLEMS,
    TOO_LARGE,
    Payload,
    answer,
    dumps,
    service,
)
from foedus.api.service import Service, split_list
from foedus.errors import FoedusError

router = APIRouter()


@router.get(
    f"{API}/frames/{{unit}}",
    tags=["frames"],
    responses=FRAME_FORMATS | PROBLEMS | TOO_LARGE,
    summary="State-year or dyad-year frame export",
)
async def frames(
    request: Request,
    unit: Annotated[
        Literal["dyad-years", "state-years"], PathParam(description="dyad-years or state-years.")
    ],
    system: Annotated[str, Query(description="State system: cow or gw.")] = "cow",
    directed: Annotated[bool, Query(description="Directed dyads (dyad-years only).")] = True,
    years: Annotated[
        str | None,
        Query(
            description="A year (2000) or a range (1990-2000); default: the state list's coverage."
        ),
    ] = None,
    with_: Annotated[
        list[str] | None,
        Query(
            alias="with",
            description="Enrichments, as the CLI's --with: atop, nmc, majors, "
            "contiguity, cow-mids, gml-mids, peace-years, … (repeat or comma-separate).",
        ),
    ] = None,
    whittle: Annotated[
        str | None, Query(description="Order of the MID whittling steps (cow-mids, gml-mids).")
    ] = None,
    format: Annotated[
        Literal["json", "csv", "parquet"],
        Query(description="json (paginated), csv or parquet (whole frame)."),
    ] = "json",
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page (json).")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page (json).")
    ] = 1000,
) -> Response:
    """The frame `foedus frame state-years|dyad-years --with …` builds, as JSON pages (with
    provenance and links), CSV or Parquet (provenance in the file's `foedus` metadata and
    the `X-Foedus-Provenance` header). A frame over the row limit is refused (413) before it
    is enriched, with how to narrow it."""
    names = split_list(with_)
    steps = split_list(whittle)

    def work() -> Payload:
        frame = service(request).frame(
            unit, system[:20], directed, years[:40] if years else None, names, steps
        )
        return frame_payload(request, frame, unit, format, page, page_size, names)

    return await answer(request, work)


def frame_payload(
    request: Request, frame: Any, unit: str, fmt: str, page: int, page_size: int, names: list[str]
) -> Payload:
    """A Frame as JSON (one page), CSV or Parquet."""
    prov = frame.provenance()
    header_prov = json.dumps(
        {"sources": prov["sources"]}, default=str, ensure_ascii=True, separators=(",", ":")
    )
    span = frame.years()
    stem = f"foedus-{unit}-{frame.system}" + (f"-{span[0]}-{span[1]}" if span else "")
    headers = {"X-Foedus-Provenance": header_prov, "X-Total-Rows": str(frame.height)}
    df: pl.DataFrame = frame.df
    if fmt == "csv":
        nested = [c for c, t in df.schema.items() if t.is_nested()]
        if nested:
            df = df.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(";") for c in nested)
        headers["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return Payload(df.write_csv().encode("utf-8"), "text/csv; charset=utf-8", headers)
    if fmt == "parquet":
        with tempfile.TemporaryDirectory() as tmp:
            path = frame.write_parquet(Path(tmp) / "frame.parquet")
            body = path.read_bytes()
        headers["Content-Disposition"] = f'attachment; filename="{stem}.parquet"'
        return Payload(body, "application/vnd.apache.parquet", headers)
    pages = max(1, math.ceil(frame.height / page_size))
    if page > pages:
        raise FoedusError(
            f"page {page} is past the last page ({pages})",
            where="page",
            fix=f"ask for a page between 1 and {pages}",
        )
    part = df.slice((page - 1) * page_size, page_size)
    links = {"self": str(request.url)}
    if page < pages:
        links["next"] = str(request.url.include_query_params(page=page + 1))
    if page > 1:
        links["prev"] = str(request.url.include_query_params(page=page - 1))
    envelope = {
        "unit": prov["unit"],
        "system": prov["system"],
        "directed": prov["directed"],
        "years": prov["years"],
        "with": names,
        "total_rows": frame.height,
        "page": page,
        "page_size": page_size,
        "pages": pages,
        "columns": df.columns,
        "dtypes": {c: str(t) for c, t in df.schema.items()},
        "links": links,
        "provenance": {
            "foedus_version": Service.frame_provenance(frame)["foedus_version"],
            "sources": prov["sources"],
        },
    }
    head = dumps(envelope)
    buffer = io.BytesIO()
    part.write_json(buffer)
    body = head[:-1] + b',"rows":' + buffer.getvalue() + b"}"
    return Payload(body, "application/json", headers)
