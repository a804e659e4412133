"""The events monitor: monthly military cooperation and conflict between two states, with
anomaly flags, and the most active dyads of a year — from the imported event data, aggregated by
:func:`foedus.events.pipeline.aggregate_events` on either engine.

Indices per dyad and period: ``cooperation`` = sum of the Goldstein weights of the cooperation
families' events; ``conflict`` = minus the sum of the conflict families' weights (a positive
number: more conflict, larger index); counts per family. Months outside the source's coverage are
missing, not 0. Anomaly: the z-score of the month's conflict events against the previous 12 months
of the same dyad (at least 3 months of history with some variation); flagged when z ≥ 2.

Example:
    >>> m = dyad_monthly("USA", "CHN", "2018-01", "2018-12", warehouse="wh.duckdb")  # doctest: +SKIP
    >>> m["months"][0]["month"]  # doctest: +SKIP
    '2018-01'
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from foedus.errors import FoedusError, UnknownStateError
from foedus.events.families import FAMILIES

__all__ = ["SOURCE_TABLES", "dyad_monthly", "resolve_state", "top_dyads"]

#: Event source → warehouse table.
SOURCE_TABLES = {"gdelt": "gdelt_events", "gdelt-georgia": "gdelt_events_georgia",
                 "icews": "icews_events"}
_COLUMNS = ("GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor2Code", "Actor1CountryCode",
            "Actor2CountryCode", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
            "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code", "EventCode",
            "GoldsteinScale", "ActionGeo_FeatureID", "NumMentions")


def resolve_state(value: str, year: int | None = None) -> dict[str, Any]:
    """A state from a name, ISO3 code or COW code: ``{"ccode", "gwcode", "iso3", "name"}``.

    Example:
        >>> resolve_state("CHN")["ccode"], resolve_state("Côte d’Ivoire")["ccode"]
        (710, 437)
    """
    from foedus.sources.instruments.countries import resolve_state_texts

    if value.strip().isdigit():
        return {"ccode": int(value), "gwcode": int(value), "iso3": None, "name": value.strip()}
    found = resolve_state_texts([value], year)[0]
    if found is None:
        raise UnknownStateError(f"unknown state '{value}'",
                                fix="use a name (China), an ISO3 code (CHN) or a COW code (710)")
    return found


def _export(table: str, warehouse: Any, folder: Path) -> tuple[Path, Any]:
    from foedus.warehouse import Warehouse

    if hasattr(warehouse, "read"):  # an open warehouse (the API's shared one)
        df, used = warehouse.read(table, "events monitor")
    else:
        with Warehouse(warehouse, read_only=True) as wh:
            df, used = wh.read(table, "events monitor")
    import polars as pl

    path = folder / f"{table}.parquet"
    # Sources without some GDELT fields (ICEWS has no actor types 2–3, places or mentions): null.
    df.select(pl.col(c) if c in df.columns else pl.lit(None, dtype=pl.String).alias(c)
              for c in _COLUMNS).write_parquet(path)
    return path, used


def _parse_month(text: str, what: str) -> tuple[int, int]:
    try:
        year, month = (int(x) for x in text.split("-"))
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise FoedusError(f"{what} '{text}' is not a month", fix="write months as YYYY-MM") from None
    return year, month


def dyad_monthly(a: str, b: str, start: str, end: str, *, source: str = "gdelt",
                 engine: str = "duckdb", master: str = "local[2]",
                 warehouse: Any = None, directed: bool = False,
                 progress: Callable[[str, float | None], None] | None = None) -> dict[str, Any]:
    """Monthly cooperation/conflict indices of ``a``–``b`` from ``start`` to ``end`` (YYYY-MM).
    ``progress`` is passed to :func:`~foedus.events.pipeline.aggregate_events`.

    Example:
        >>> doc = dyad_monthly("USA", "CHN", "2018-01", "2018-12", warehouse="wh.duckdb")  # doctest: +SKIP
        >>> [m["conflict_events"] for m in doc["months"]][:3]  # doctest: +SKIP
        [5, 1, 12]
    """
    from foedus.events.pipeline import aggregate_events

    if source not in SOURCE_TABLES:
        raise FoedusError(f"unknown event source '{source}'",
                          fix="use one of: " + ", ".join(SOURCE_TABLES))
    y0, m0 = _parse_month(start, "--from")
    y1, m1 = _parse_month(end, "--to")
    if (y1, m1) < (y0, m0):
        raise FoedusError(f"--to {end} is before --from {start}", fix="swap the months")
    sa, sb = resolve_state(a, y0), resolve_state(b, y0)
    with tempfile.TemporaryDirectory(prefix="foedus-events-") as folder:
        path, used = _export(SOURCE_TABLES[source], warehouse, Path(folder))
        import polars as pl

        dates = pl.read_parquet(path, columns=["SQLDATE"])["SQLDATE"]
        lo, hi = dates.min(), dates.max()
        lo = None if lo is None else int(lo)  # type: ignore[arg-type]
        hi = None if hi is None else int(hi)  # type: ignore[arg-type]
        result = aggregate_events([path], engine=engine, period="month", master=master,
                                  progress=progress)
    table = result.table
    pairs = [(sa["ccode"], sb["ccode"])] + ([] if directed else [(sb["ccode"], sa["ccode"])])
    cov = ((lo // 10000, lo // 100 % 100), (hi // 10000, hi // 100 % 100)) \
        if lo is not None and hi is not None else None
    months = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        covered = cov is not None and cov[0] <= (y, m) <= cov[1]
        rows = [r for r in table.iter_rows(named=True)
                if (r["ccode1"], r["ccode2"]) in pairs and r["year"] == y and r["month"] == m]
        doc: dict[str, Any] = {"month": f"{y:04d}-{m:02d}", "covered": covered}
        for fam in FAMILIES:
            doc[fam.name] = sum(r["events"] for r in rows if r["family"] == fam.name) \
                if covered else None
        coop = [r for r in rows if r["kind"] == "cooperation"]
        conf = [r for r in rows if r["kind"] == "conflict"]
        doc["cooperation_events"] = sum(r["events"] for r in coop) if covered else None
        doc["conflict_events"] = sum(r["events"] for r in conf) if covered else None
        doc["cooperation"] = sum(r["goldstein_tenths"] for r in coop) / 10 if covered else None
        doc["conflict"] = -sum(r["goldstein_tenths"] for r in conf) / 10 if covered else None
        months.append(doc)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    _flag_anomalies(months)
    return {"a": sa, "b": sb, "directed": directed, "source": source, "engine": result.engine,
            "coverage": None if cov is None else [f"{cov[0][0]}-{cov[0][1]:02d}",
                                                  f"{cov[1][0]}-{cov[1][1]:02d}"],
            "months": months, "pipeline": result.report(),
            "families": {f.name: f.label for f in FAMILIES},
            "provenance": {"table": SOURCE_TABLES[source], "source": used.source,
                           "version": used.version}}


def _flag_anomalies(months: list[dict[str, Any]]) -> None:
    history: list[int] = []
    for doc in months:
        value = doc["conflict_events"]
        doc["conflict_z"] = None
        doc["anomaly"] = None if value is None else False
        if value is None:
            history = []
            continue
        window = history[-12:]
        if len(window) >= 3:
            mean = sum(window) / len(window)
            sd = math.sqrt(sum((x - mean) ** 2 for x in window) / (len(window) - 1))
            if sd > 0:
                doc["conflict_z"] = round((value - mean) / sd, 3)
                doc["anomaly"] = doc["conflict_z"] >= 2
        history.append(value)


def top_dyads(year: int, *, source: str = "gdelt", engine: str = "duckdb", n: int = 10,
              master: str = "local[2]", warehouse: Any = None,
              progress: Callable[[str, float | None], None] | None = None) -> dict[str, Any]:
    """The directed dyads with the most military cooperation and conflict events in ``year``
    (``progress`` as in :func:`~foedus.events.pipeline.aggregate_events`).

    Example:
        >>> top_dyads(2018, warehouse="wh.duckdb")["conflict"][0]["ccode1"]  # doctest: +SKIP
        710
    """
    from foedus.events.pipeline import aggregate_events

    if source not in SOURCE_TABLES:
        raise FoedusError(f"unknown event source '{source}'",
                          fix="use one of: " + ", ".join(SOURCE_TABLES))
    with tempfile.TemporaryDirectory(prefix="foedus-events-") as folder:
        path, used = _export(SOURCE_TABLES[source], warehouse, Path(folder))
        result = aggregate_events([path], engine=engine, period="year", master=master,
                                  progress=progress)
    table = result.table
    years = sorted(set(table["year"].to_list())) if table.height else []
    if year not in years:
        raise FoedusError(f"no military events in {year} in the {source} data",
                          fix="years with events: " + (", ".join(map(str, years)) or "none"))
    import polars as pl

    t = table.filter(pl.col("year") == year)
    out: dict[str, Any] = {"year": year, "source": source, "engine": result.engine}
    for kind in ("cooperation", "conflict"):
        agg = (t.filter(pl.col("kind") == kind).group_by("ccode1", "ccode2")
               .agg(pl.col("events").sum(), pl.col("goldstein_tenths").sum())
               .sort(["events", "ccode1", "ccode2"], descending=[True, False, False]).head(n))
        out[kind] = [{"ccode1": r["ccode1"], "ccode2": r["ccode2"], "events": r["events"],
                      "index": (1 if kind == "cooperation" else -1) * r["goldstein_tenths"] / 10}
                     for r in agg.iter_rows(named=True)]
    out["provenance"] = {"table": SOURCE_TABLES[source], "source": used.source,
                         "version": used.version}
    return out
