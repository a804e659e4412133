"""A pair of states over time: every instrument, alliance obligations, disputes, similarity and the
military-engagement index (``foedus dyad A B``).

:func:`dyad_profile` builds the two directed dyad-years of the pair for every year asked for —
whether or not both states are members of the COW system that year (a ``in_system`` flag says
so; Japan, for instance, is outside the system from 1945 to April 1952, when its alliance with
the United States was signed) — and adds every enricher: SIPRI arms deliveries both ways, DCAs,
joint exercises, US training/troops/visits when one side is the United States, peace-operation
co-deployment, ATOP obligations (extended past 2018 with the curated facts), GML and COW MIDs,
alliance-portfolio similarity and the distance between UN ideal points. The engagement index
comes from :func:`foedus.measures.engagement.reference_model`, fitted on every dyad-year, so that
the pair is placed on the scale of all pairs. Values outside a source's years are null (``None``
in the JSON), never 0.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl
else:  # imported on first use: a kept answer is served without Polars
    from foedus._lazy import module

    pl = module("polars")

from foedus.errors import FoedusError, InvalidYearsError

__all__ = ["DEFAULT_LAST_YEAR", "SIMILARITY_MEASURE", "UNITS", "dyad_profile", "prepare_dyad_profiles",
           "resolve_state"]

#: Last year of a profile when none is given: the last year of the instrument sources.
DEFAULT_LAST_YEAR = 2024

#: The alliance-portfolio similarity measure shown (Signorino–Ritter S, unweighted, valued ties,
#: squared distance; ``docs/similarity.md``).
SIMILARITY_MEASURE = "s_un_val_sq"

_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")

#: What each timeline value counts or measures, and its unit (a → b: from the first state to
#: the second; _a/_b: each state's own value).
UNITS: dict[str, str] = {
    "arms_tiv_ab": "SIPRI arms deliveries a → b, TIV (millions of trend-indicator values)",
    "arms_tiv_ba": "SIPRI arms deliveries b → a, TIV (millions of trend-indicator values)",
    "arms_deals_ab": "SIPRI deals with deliveries a → b that year (count)",
    "arms_deals_ba": "SIPRI deals with deliveries b → a that year (count)",
    "dca_active": "defence cooperation agreements in force (count; DCAD, 1980–2010)",
    "dca_new": "defence cooperation agreements signed that year (count)",
    "jme_joint": "joint military exercises together (JME, count)",
    "mme_joint": "multinational military exercises together (MME, count)",
    "pko_codeployed": "serving in the same peace operation (1 yes, 0 no; Geo-PKO)",
    "pko_shared_missions": "peace operations served in together (count)",
    "us_training_students": "students from the partner trained by the United States (count)",
    "us_training_cost": "cost of that training (current US$)",
    "us_troops": "US active-duty troops in the partner (persons)",
    "us_visits": "US senior defence-leader visits to the partner (count)",
    "gml_ongoing": "militarised interstate dispute ongoing (GML MID)",
    "cow_ongoing": "militarised interstate dispute ongoing (COW MID)",
    SIMILARITY_MEASURE: "alliance-portfolio similarity S (unweighted, −1 to 1; ATOP, 1816–2018)",
    "idealpointdist": "distance between UN General Assembly ideal points",
    "cinc": "NMC composite index of national capability (share of the system's, 0–1)",
    "nmc_milex": "NMC military expenditure, thousands of current US$ (£ before 1914)",
    "milper": "NMC military personnel (thousands)",
    "sipri_milex": "SIPRI military expenditure, US$ millions at constant 2022 prices",
    "sipri_milex_gdp": "SIPRI military expenditure as a share of GDP (0.02 = 2 %)",
    "conttype": "COW direct contiguity (0 none, 1 land … 5 up to 400 miles of water)",
    "engagement": "military-engagement index (factor score; percentile among all dyad-years)",
}  # fmt: skip

# column of the (a → b) row → timeline key; "_ba" columns come from the (b → a) row
_AB = {
    "arms_tiv": "arms_tiv_ab", "arms_deals": "arms_deals_ab",
    "dca_active": "dca_active", "dca_new": "dca_new",
    "jme_joint": "jme_joint", "jme_bilateral": "jme_bilateral",
    "mme_joint": "mme_joint", "mme_bilateral": "mme_bilateral",
    "jme_host1": "jme_hosted_a", "jme_host2": "jme_hosted_b",
    "mme_host1": "mme_hosted_a", "mme_host2": "mme_hosted_b",
    "pko_codeployed": "pko_codeployed", "pko_shared_missions": "pko_shared_missions",
    "atop_basis": "atop_basis",
    "gmlmidonset": "gml_onset", "gmlmidongoing": "gml_ongoing", "gml_dispnum": "gml_dispnum",
    "gml_hostlev": "gml_hostlev",
    "cowmidonset": "cow_onset", "cowmidongoing": "cow_ongoing", "dispnum": "cow_dispnum",
    "hostlev": "cow_hostlev",
    SIMILARITY_MEASURE: SIMILARITY_MEASURE, "idealpointdist": "idealpointdist",
}  # fmt: skip
_BA = {"arms_tiv": "arms_tiv_ba", "arms_deals": "arms_deals_ba"}
_US = {"us_training_students": "us_training_students", "us_training_cost": "us_training_cost",
       "us_troops": "us_troops", "us_visits": "us_visits"}  # fmt: skip
# per-state columns: ``<x>1`` of the (a → b) row → ``<key>_a``, ``<x>2`` → ``<key>_b``
_SIDES = {"cinc": "cinc", "milex": "nmc_milex", "milper": "milper", "sipri_milex": "sipri_milex",
          "sipri_milex_gdp": "sipri_milex_gdp"}  # fmt: skip
_ENGAGEMENT = ("engagement", "engagement_se", "engagement_lo", "engagement_hi",
               "engagement_instruments")  # fmt: skip


def _open(warehouse: Any) -> Any:
    from foedus.warehouse import Warehouse

    if isinstance(warehouse, Warehouse):
        return warehouse
    return Warehouse(warehouse, read_only=True)


def resolve_state(value: str | int, *, warehouse: Any = None) -> dict[str, Any]:
    """A state by COW code, COW abbreviation or name: ``{"ccode", "abb", "name", "first_year"}``.

    Unknown input raises :class:`~foedus.errors.UnknownStateError` whose fix lists close matches.

    Example:
        >>> resolve_state("JPN", warehouse="warehouse.duckdb")["ccode"]  # doctest: +SKIP
        740
    """
    from foedus.alliances.data import get_data

    state = get_data(_open(warehouse)).states.resolve(value)
    first = min((start.year for start, _ in state.spells), default=None)
    return {"ccode": state.ccode, "abb": state.abb, "name": state.name, "first_year": first}


def _num(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _obligations(row: dict[str, Any]) -> list[str] | None:
    if row.get("atop_alliance") is None:
        return None
    return [o for o in _OBLIGATIONS if (row.get(f"atop_{o}") or 0) > 0]


def _alliance_spells(data: Any, a: int, b: int, span: tuple[int, int]) -> list[dict[str, Any]]:
    """Alliances both states belong to, as runs of consecutive years with each side's pledges."""
    by_key: dict[str, dict[int, dict[int, Any]]] = {}
    for spell in data.spells:
        if spell.member not in (a, b):
            continue
        last = spell.last_year if spell.last_year is not None else span[1]
        for year in range(max(spell.first_year, span[0]), min(last, span[1]) + 1):
            by_key.setdefault(spell.key, {}).setdefault(year, {})[spell.member] = spell
    runs: list[dict[str, Any]] = []
    for key, years in by_key.items():
        shared = sorted(y for y, members in years.items() if a in members and b in members)
        start = None
        for i, year in enumerate(shared):
            if start is None:
                start = year
            if i + 1 < len(shared) and shared[i + 1] == year + 1:
                continue
            sa, sb = years[year][a], years[year][b]
            runs.append({
                "alliance_id": key, "atopid": sa.atopid, "name": data.name(key),
                "first_year": start, "last_year": year,
                "obligations_a": sorted(sa.obligations, key=_OBLIGATIONS.index),
                "obligations_b": sorted(sb.obligations, key=_OBLIGATIONS.index),
                "status": sa.status(year), "basis": sa.basis(year),
            })  # fmt: skip
            start = None
    runs.sort(key=lambda r: (r["first_year"], r["alliance_id"]))
    return runs


def _frame(a: int, b: int, span: tuple[int, int], wh: Any) -> Any:
    from foedus.frames.frame import Frame
    from foedus.measures.engagement import _with_instruments

    years = list(range(span[0], span[1] + 1))
    df = pl.DataFrame(
        {"ccode1": [a] * len(years) + [b] * len(years),
         "ccode2": [b] * len(years) + [a] * len(years), "year": years * 2},
        schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64},
    )  # fmt: skip
    keys = Frame(df, unit="dyad-year", system="cow", directed=True, warehouse=wh)

    def gml(f: Frame) -> Frame:
        f = f.add_gml_mids(keep=["dispnum", "hostlev"])
        return f._with(f.df.rename({"dispnum": "gml_dispnum", "hostlev": "gml_hostlev"}))

    steps: list[Callable[[Frame], Frame]] = [
        _with_instruments, gml, lambda f: f.add_cow_mids(keep=["dispnum", "hostlev"]),
        lambda f: f.add_ideal_point_distance(),
        lambda f: f.add_alliance_similarity([SIMILARITY_MEASURE]),
    ]  # fmt: skip
    for table, method in (("nmc", "add_nmc"), ("cow_contdir", "add_contiguity"),
                          ("sipri_milex", "add_military_expenditure")):  # fmt: skip
        if wh.has(table):
            steps.append(_method_step(method))
    # Each step reads whole tables for a few hundred rows: they run side by side on the keys
    # (Polars and NumPy release the GIL) and their columns are appended in this order.
    workers = max(1, min(len(steps), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="foedus-dyad") as pool:
        done = list(pool.map(lambda step: step(keys), steps))
    frame = keys
    for part in done:
        assert part.df.height == keys.df.height and part.df.columns[:keys.df.width] == keys.df.columns
        added = part.df.select(part.df.columns[keys.df.width:])
        frame = frame._with(frame.df.hstack(added.get_columns()), *part.used)
    return frame


def _method_step(method: str) -> Callable[[Any], Any]:
    """A step of :func:`_frame` calling the frame method ``method``."""
    return lambda frame: getattr(frame, method)()


def _span(years: Any, first_a: int | None, first_b: int | None) -> tuple[int, int]:
    from foedus.frames.universe import parse_years

    span = parse_years(years)
    if span is None:
        start = max(y for y in (first_a, first_b, 1816) if y is not None)
        return start, DEFAULT_LAST_YEAR
    if span[0] > span[1]:
        raise InvalidYearsError(f"the years {span[0]}–{span[1]} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    return span


def _run_summary(years: list[int]) -> dict[str, Any]:
    if not years:
        return {"years": 0, "first": None, "last": None}
    return {"years": len(years), "first": min(years), "last": max(years)}


def _covered(rows: list[dict[str, Any]], key: str) -> list[int] | None:
    ys = [r["year"] for r in rows if r.get(key) is not None]
    return [min(ys), max(ys)] if ys else None


def _summary(rows: list[dict[str, Any]], us_pair: bool) -> dict[str, Any]:
    def active(key: str) -> list[int]:
        return [r["year"] for r in rows if (r.get(key) or 0) > 0]

    def total(key: str) -> float:
        return float(sum(r.get(key) or 0 for r in rows))

    def peak(key: str) -> dict[str, Any]:
        vals = [(r[key], r["year"]) for r in rows if r.get(key) is not None]
        if not vals:
            return {"value": None, "year": None}
        value, year = max(vals, key=lambda v: (v[0], -v[1]))
        return {"value": value, "year": year}

    def latest(key: str) -> dict[str, Any]:
        vals = [(r["year"], r[key]) for r in rows if r.get(key) is not None]
        return {"value": vals[-1][1], "year": vals[-1][0]} if vals else {"value": None, "year": None}

    out: dict[str, Any] = {
        "arms": {
            "covered": _covered(rows, "arms_tiv_ab"),
            "a_to_b": {"tiv": total("arms_tiv_ab"), **_run_summary(active("arms_tiv_ab")),
                       "peak": peak("arms_tiv_ab")},
            "b_to_a": {"tiv": total("arms_tiv_ba"), **_run_summary(active("arms_tiv_ba")),
                       "peak": peak("arms_tiv_ba")},
        },
        "dca": {"covered": _covered(rows, "dca_active"), "signed": total("dca_new"),
                **_run_summary(active("dca_active"))},
        "exercises": {"covered": _covered(rows, "jme_joint"),
                      "jme_exercise_years": total("jme_joint"),
                      "mme_exercise_years": total("mme_joint"),
                      **_run_summary(sorted(set(active("jme_joint")) | set(active("mme_joint"))))},
        "pko": {"covered": _covered(rows, "pko_codeployed"),
                **_run_summary(active("pko_codeployed"))},
        "alliance": {"covered": _covered(rows, "obligations_ab"),
                     **_run_summary([r["year"] for r in rows
                                     if r.get("obligations_ab") or r.get("obligations_ba")]),
                     "defense_years": sum(1 for r in rows
                                          if "defense" in (r.get("obligations_ab") or [])
                                          or "defense" in (r.get("obligations_ba") or []))},
        "disputes": {
            "gml": {"covered": _covered(rows, "gml_ongoing"), "onsets": total("gml_onset"),
                    **_run_summary(active("gml_ongoing")),
                    "disputes": sorted({r["gml_dispnum"] for r in rows if r.get("gml_dispnum")}),
                    "max_hostlev": max((r["gml_hostlev"] for r in rows if r.get("gml_hostlev")),
                                       default=None)},
            "cow": {"covered": _covered(rows, "cow_ongoing"), "onsets": total("cow_onset"),
                    **_run_summary(active("cow_ongoing")),
                    "disputes": sorted({r["cow_dispnum"] for r in rows if r.get("cow_dispnum")}),
                    "max_hostlev": max((r["cow_hostlev"] for r in rows if r.get("cow_hostlev")),
                                       default=None)},
        },
        "similarity": {
            SIMILARITY_MEASURE: {"covered": _covered(rows, SIMILARITY_MEASURE),
                                 "latest": latest(SIMILARITY_MEASURE)},
            "idealpointdist": {"covered": _covered(rows, "idealpointdist"),
                               "latest": latest("idealpointdist")},
        },
        "engagement": {"covered": _covered(rows, "engagement"), "latest": latest("engagement"),
                       "peak": peak("engagement")},
    }  # fmt: skip
    if us_pair:
        out["us_training"] = {"covered": _covered(rows, "us_training_students"),
                              "students": total("us_training_students"),
                              "cost_usd": total("us_training_cost"),
                              **_run_summary(active("us_training_students"))}  # fmt: skip
        out["us_troops"] = {"covered": _covered(rows, "us_troops"), "peak": peak("us_troops"),
                            "latest": latest("us_troops"),
                            **_run_summary(active("us_troops"))}  # fmt: skip
        out["us_visits"] = {"covered": _covered(rows, "us_visits"), "visits": total("us_visits"),
                            **_run_summary(active("us_visits"))}  # fmt: skip
    return out


def _events(row: dict[str, Any]) -> bool:
    keys = ("arms_tiv_ab", "arms_tiv_ba", "arms_deals_ab", "arms_deals_ba", "dca_active",
            "jme_joint", "mme_joint", "pko_codeployed", "us_training_students", "us_troops",
            "us_visits", "gml_ongoing", "cow_ongoing")  # fmt: skip
    return (any((row.get(k) or 0) > 0 for k in keys) or bool(row.get("obligations_ab"))
            or bool(row.get("obligations_ba")) or bool(row.get("alliances")))  # fmt: skip


def dyad_profile(
    a: str | int,
    b: str | int,
    *,
    years: Any = None,
    warehouse: Any = None,
    engagement: bool = True,
    bootstrap: int = 100,
    seed: int = 0,
) -> dict[str, Any]:
    """The military relationship of states ``a`` and ``b`` year by year, as a JSON-ready dict.

    ``a``/``b``: COW code (740), COW abbreviation (JPN) or name (Japan); unknown input raises
    :class:`~foedus.errors.UnknownStateError` with close matches. ``years``: a year, a
    ``"1950-2024"`` string or a ``(start, end)`` tuple; default from the later of the two
    states' first COW-system year to :data:`DEFAULT_LAST_YEAR`. ``engagement=False`` skips the
    engagement index (which fits the reference model on every dyad-year once per process:
    several seconds); ``bootstrap`` and ``seed`` are passed to it.

    Keys: ``a``, ``b`` (code, abbreviation, name), ``years``, ``summary`` (per instrument:
    coverage, totals, first/last active year, peaks; alliances with names and each side's
    obligations; disputes; similarity; engagement), ``alliances`` (runs of shared alliances),
    ``timeline`` (one dict per year: ``_ab`` = from a to b, ``_ba`` = from b to a, ``_a``/``_b`` =
    each state's own value — ``cinc``, ``nmc_milex`` (NMC, thousands of current US$), ``milper``
    (thousands), ``sipri_milex`` (SIPRI, US$ m at constant 2022 prices), ``sipri_milex_gdp``
    (share of GDP) —, ``conttype`` (COW direct contiguity), ``active`` = something happened), ``engagement_model`` and ``sources``.

    Example:
        >>> p = dyad_profile("USA", "JPN", warehouse="warehouse.duckdb")  # doctest: +SKIP
        >>> p["alliances"][0]["first_year"], p["alliances"][0]["name"]  # doctest: +SKIP
        (1951, 'Security Treaty between the United States and Japan (1951)')
    """
    from foedus._kept import default_path, kept_document

    # An answer depends on the warehouse's content, its arguments and the package's code and
    # curated tables: kept beside the warehouse under that key (an import recomputes it).
    path = getattr(warehouse, "path", None) or (
        Path(warehouse).expanduser() if warehouse is not None else default_path()
    )
    options = {"a": str(a).strip().casefold(), "b": str(b).strip().casefold(),
               "years": repr(years), "engagement": engagement, "bootstrap": bootstrap,
               "seed": seed}  # fmt: skip
    return kept_document(
        Path(path), "dyad-profile", options,
        lambda: _build_profile(a, b, years=years, wh=_open(warehouse), engagement=engagement,
                               bootstrap=bootstrap, seed=seed),
    )  # fmt: skip


def _build_profile(
    a: str | int, b: str | int, *, years: Any, wh: Any, engagement: bool, bootstrap: int, seed: int
) -> dict[str, Any]:
    from foedus.alliances.data import get_data

    data = get_data(wh)
    sa, sb = data.states.resolve(a), data.states.resolve(b)
    if sa.ccode == sb.ccode:
        raise FoedusError(f"'{a}' and '{b}' are the same state ({sa.label()})",
                          fix="give two different states")  # fmt: skip
    first_a = min((s.year for s, _ in sa.spells), default=None)
    first_b = min((s.year for s, _ in sb.spells), default=None)
    span = _span(years, first_a, first_b)
    frame = _frame(sa.ccode, sb.ccode, span, wh)
    df = frame.df
    model_info: dict[str, Any] | None = None
    if engagement:
        from foedus.measures.engagement import engagement_index, reference_model

        model = reference_model(wh, seed=seed, bootstrap=bootstrap)
        df = engagement_index(df, model=model)
        df = df.with_columns(
            pl.Series("engagement_percentile",
                      model.percentile(df["engagement"].cast(pl.Float64).fill_null(float("nan"))
                                       .to_numpy()), dtype=pl.Float64, nan_to_null=True)
        )  # fmt: skip
        model_info = {k: v for k, v in model.to_dict().items() if k != "coverage"}
    ab = df.filter(pl.col("ccode1") == sa.ccode).sort("year")
    ba = df.filter(pl.col("ccode1") == sb.ccode).sort("year")
    us_row = ab if sa.ccode == 2 else ba if sb.ccode == 2 else None
    runs = _alliance_spells(data, sa.ccode, sb.ccode, span)
    rows: list[dict[str, Any]] = []
    us_rows = us_row.to_dicts() if us_row is not None else [{}] * ab.height
    for r_ab, r_ba, r_us in zip(ab.to_dicts(), ba.to_dicts(), us_rows, strict=True):
        year = r_ab["year"]
        row: dict[str, Any] = {"year": year,
                               "in_system": sa.in_system(year) and sb.in_system(year)}
        row.update({key: _num(r_ab.get(col)) for col, key in _AB.items()})
        row.update({key: _num(r_ba.get(col)) for col, key in _BA.items()})
        for col, key in _SIDES.items():
            row[f"{key}_a"] = _num(r_ab.get(f"{col}1"))
            row[f"{key}_b"] = _num(r_ab.get(f"{col}2"))
        row["conttype"] = _num(r_ab.get("conttype"))
        if us_row is not None:
            row.update({key: _num(r_us.get(col)) for col, key in _US.items()})
        row["obligations_ab"] = _obligations(r_ab)
        row["obligations_ba"] = _obligations(r_ba)
        row["alliances"] = [r["name"] for r in runs if r["first_year"] <= year <= r["last_year"]]
        if engagement:
            row.update({k: _num(r_ab.get(k)) for k in (*_ENGAGEMENT, "engagement_percentile")})
        row["active"] = _events(row)
        rows.append(row)
    state = {"ccode": sa.ccode, "abb": sa.abb, "name": sa.name}
    other = {"ccode": sb.ccode, "abb": sb.abb, "name": sb.name}
    summary = _summary(rows, us_row is not None)
    summary["alliance"]["alliances"] = runs
    return {
        "a": state, "b": other, "years": list(span), "us_pair": us_row is not None,
        "summary": summary, "alliances": runs, "timeline": rows,
        "engagement_model": model_info, "units": UNITS,
        "sources": sorted({f"{u.source} {u.version}" for u in frame.used}),
    }  # fmt: skip


def prepare_dyad_profiles(warehouse: Any = None) -> list[dict[str, Any]]:
    """Compute and keep what every dyad profile reads beside the warehouse's releases: the
    standard dyad-year file's universe and columns (:func:`foedus.frames.standard_dyad_years`), the
    engagement reference model (fitted on every dyad-year; the default options of
    :func:`dyad_profile`) and the alliance similarity of every ATOP year. Run after an import
    (``foedus data import-all`` does, unless ``--no-derive``) so that the first
    ``foedus dyad`` answers in about a second instead of fitting the model.

    Returns one entry per result: ``{"result", "seconds", "status"}`` with status ``"kept"``, or
    ``"skipped: …"`` with the reason (e.g. a table the warehouse lacks); the import stands.

    Example:
        >>> [r["result"] for r in prepare_dyad_profiles("warehouse.duckdb")]  # doctest: +SKIP
        ['standard dyad-year columns 1816-2024', 'engagement reference model', 'alliance similarity 1816-2018']
    """
    import time

    from foedus.frames.frame import Frame
    from foedus.measures.engagement import reference_model

    wh = _open(warehouse)
    done: list[dict[str, Any]] = []

    def step(name: str, work: Any) -> None:
        started = time.perf_counter()
        try:
            work()
            status = "kept"
        except FoedusError as exc:  # (a warehouse without some table: nothing to derive)
            status = f"skipped: {exc.what}"
        done.append({"result": name, "seconds": round(time.perf_counter() - started, 1),
                     "status": status})  # fmt: skip

    from foedus.frames.universe import STANDARD_YEARS, standard_dyad_years

    # (the standard dyad-year file's universe and columns, kept for `foedus build` and the
    # pipeline-5 frame command: the first such command after an import reads them back)
    step(f"standard dyad-year columns {STANDARD_YEARS}",
         lambda: standard_dyad_years(warehouse=wh))  # fmt: skip
    step("engagement reference model", lambda: reference_model(wh, seed=0, bootstrap=100))
    years = list(range(1816, 2019))
    pair = pl.DataFrame({"ccode1": [2] * len(years), "ccode2": [200] * len(years),
                         "year": years}, schema={k: pl.Int64 for k in ("ccode1", "ccode2", "year")})
    step("alliance similarity 1816-2018",
         lambda: Frame(pair, unit="dyad-year", system="cow", directed=True, warehouse=wh)
         .add_alliance_similarity([SIMILARITY_MEASURE]))  # fmt: skip
    return done
