"""What the designs say about one pair or one alliance (``foedus impact dyad|alliance``).

The average effects come from the named designs, run once per warehouse and kept as JSON next to
the warehouse (``impact-cache/<design>.json``, keyed by the imported releases' checksums), so a
warm ``foedus impact dyad`` only reads the pair's own instrument history.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl

from foedus.impact.panel import TREATMENTS, USA

__all__ = ["alliance_impact", "attach_impact", "cached_design", "dyad_impact"]

#: Which design estimates each instrument's average effect (main outcome).
EFFECT_OF: dict[str, str] = {
    "dca": "dca-alignment",
    "arms": "arms-alignment",
    "exercises": "exercises-formation",
    "us-troops": "troops-burden",
}


#: The outcomes shown per design in a pair's profile.
MAIN_OUTCOMES = ("s", "idealpointdist", "formation-defense", "formation-any", "milex-gdp")


def _warehouse(warehouse: Any) -> Any:
    from foedus.warehouse import Warehouse

    return warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)


#: Bumped when a design's definition changes, so cached results of the old one are not served
#: (2: honouring-rates default = alliance-war-member coding).
DESIGN_VERSION = 2


def _stamp(wh: Any) -> str:
    text = json.dumps([DESIGN_VERSION, sorted((r.table, r.sha256) for r in wh.records())])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cache_name(name: str, *, coding: str | None = None, estimator: str | None = None,
               comparison: str | None = None) -> str:
    """The cache file name of a design run: the design, and the coding or the event-study
    estimator and comparison group when they are not the default (so each is cached apart and
    the default keeps its name).

    Example:
        >>> _cache_name("dca-alignment"), _cache_name("dca-alignment", estimator="sun-abraham")
        ('dca-alignment.json', 'dca-alignment.json')
        >>> _cache_name("dca-alignment", estimator="callaway-santanna")
        'dca-alignment.callaway-santanna.never.json'
        >>> _cache_name("honouring-rates", coding="relevance")
        'honouring-rates.relevance.json'
    """
    from foedus.impact.designs import ESTIMATORS, check_estimator

    parts = [name]
    if coding:
        parts.append(coding)
    if estimator or comparison:
        est, comp = check_estimator(estimator, comparison)
        if (est, comp) != (next(iter(ESTIMATORS)), ESTIMATORS[next(iter(ESTIMATORS))][0]):
            parts += [est, comp]
    return ".".join(parts) + ".json"


def cached_design(name: str, warehouse: Any = None, *, coding: str | None = None,
                  estimator: str | None = None,
                  comparison: str | None = None) -> dict[str, Any]:
    """The JSON document of a named design, from the cache or run now (and cached);
    ``coding`` (honouring-rates only) and a non-default ``estimator``/``comparison`` (event
    studies) are cached apart (:func:`_cache_name`).

    Example:
        >>> cached_design("member-exit", "wh.duckdb")["design"]  # doctest: +SKIP
        'member-exit'
    """
    from foedus.impact.designs import run_design

    wh = _warehouse(warehouse)
    folder = Path(wh.path).parent / "impact-cache"
    path = folder / _cache_name(name, coding=coding, estimator=estimator, comparison=comparison)
    stamp = _stamp(wh)
    if path.exists():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("_stamp") == stamp:
                return doc
        except (OSError, ValueError):
            pass
    doc = run_design(name, wh, coding=coding, estimator=estimator,
                     comparison=comparison).to_dict()
    doc["_stamp"] = stamp
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(doc, default=str), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only location: the result is still returned
    return doc


def _runs(years: list[int]) -> str:
    if not years:
        return "never"
    years = sorted(years)
    parts, start, prev = [], years[0], years[0]
    for y in years[1:]:
        if y != prev + 1:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = y
        prev = y
    parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(parts)


def _state(value: str, system: pl.DataFrame) -> dict[str, Any]:
    """A COW state by code, abbreviation or name (from the warehouse's COW state list)."""
    import difflib

    from foedus.errors import UnknownStateError

    text = str(value).strip()
    rows = system.select("ccode", "cw_abb", "cw_name", "start", "end")
    if text.isdigit():
        hit = rows.filter(pl.col("ccode") == int(text))
    else:
        hit = rows.filter((pl.col("cw_abb").str.to_uppercase() == text.upper())
                          | (pl.col("cw_name").str.to_lowercase() == text.lower()))
    if hit.height == 0:
        names = rows.get_column("cw_name").to_list() + rows.get_column("cw_abb").to_list()
        close = difflib.get_close_matches(text, names, n=4, cutoff=0.5)
        raise UnknownStateError(f"unknown state '{value}'", where="COW state list",
                                fix="use a COW code, abbreviation or name"
                                + (f", e.g. {', '.join(close)}" if close else ""))
    r = hit.sort("start").to_dicts()
    return {"ccode": r[0]["ccode"], "abb": r[0]["cw_abb"], "name": r[0]["cw_name"],
            "first_year": min(x["start"].year for x in r),
            "last_year": 2024 if max(x["end"].year for x in r) >= 2016
            else max(x["end"].year for x in r)}


def dyad_impact(state1: str, state2: str, warehouse: Any = None) -> dict[str, Any]:
    """Which instruments the pair used when, and each instrument's estimated average effect.

    Example:
        >>> doc = dyad_impact("USA", "JPN", "wh.duckdb")  # doctest: +SKIP
        >>> doc["tables"]["instruments"][0]["treatment"]  # doctest: +SKIP
        'dca'
    """
    from foedus.errors import FoedusError
    from foedus.frames.frame import Frame

    wh = _warehouse(warehouse)
    system = wh.table("cow_system")
    a = _state(state1, system)
    b = _state(state2, system)
    if a["ccode"] == b["ccode"]:
        raise FoedusError("the two states are the same", fix="name two different states")
    lo, hi = sorted((a["ccode"], b["ccode"]))
    first = max(1950, a["first_year"], b["first_year"])
    last = min(2024, a["last_year"], b["last_year"])
    pair = pl.DataFrame({"ccode1": lo, "ccode2": hi, "year": list(range(first, last + 1))},
                        schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64})
    frame = Frame(pair, unit="dyad-year", system="cow", directed=False, warehouse=wh)
    us = lo == USA
    rows: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for t in TREATMENTS.values():
        if (t.us_only and not us) or t.continuous or t.name == "engagement":
            continue  # an index (the engagement index) is a summary, not an instrument used
        f = frame
        for e in t.enrichers:
            if not e.startswith("add_") and not wh.has("us_aid"):
                break
            f = getattr(f, e)() if e.startswith("add_") else f.enrich([e])
        if "us_aid_constant" not in f.df.columns and t.name == "us-aid":
            continue
        records += [u.to_dict() for u in getattr(f, "used", ()) if u.to_dict() not in records]
        df = f.df.with_columns(pl.when(pl.col("year").is_in(t.years()))
                               .then(t.indicator()).alias("D"))  # fmt: skip
        used = df.filter(pl.col("D") == True).get_column("year").to_list()  # noqa: E712
        covered = df.filter(pl.col("D").is_not_null()).get_column("year")
        rows.append({"treatment": t.name, "label": t.label,
                     "coverage": f"{t.coverage[0]}-{t.coverage[1]}",
                     "years_used": _runs(used),
                     "first_year": min(used) if used else None,
                     "covered_years": covered.len()})  # fmt: skip
    effects = []
    notes = ["Average effects are estimated over all pairs by the named designs (docs/impact.md),"
             " not for this pair alone; a failed pre-trend test (pretrend_p < 0.05) means the "
             "estimate is an association, not an effect.",
             f"The pair's rows cover {first}-{last} (both states independent, 1950 on); "
             "instruments are null outside their own years."]  # fmt: skip
    for r in rows:
        design = EFFECT_OF.get(str(r["treatment"]))
        if design is None or r["first_year"] is None:
            continue
        doc = cached_design(design, wh)
        for e in doc["estimates"]:
            if e.get("treatment") != r["treatment"] or e.get("estimate") is None:
                continue
            if e["part"] not in ("twfe", "event-study", "hazard-logit"):
                continue
            if e["outcome"] not in MAIN_OUTCOMES:
                continue
            effects.append({"treatment": r["treatment"], "used": r["years_used"],
                            "design": design, "part": e["part"], "outcome": e["outcome"],
                            "term": e["term"], "estimate": e["estimate"],
                            "ci_low": e["ci_low"], "ci_high": e["ci_high"], "n": e["n"],
                            "pretrend_p": e.get("pretrend_p")})  # fmt: skip
    records += _used(wh, (("atop_member", "outcomes of the designs (ATOP 5.1)"),))
    return {"title": f"Military diplomacy between {a['name']} and {b['name']}: instruments used "
            "and their estimated average effects", "states": [a, b],
            "tables": {"instruments": rows, "estimated_effects": effects}, "notes": notes,
            "used": [dict(u, section=None) for u in records]}


#: What each member-exit covariate means, and the alliance-level ATOP code it is read from.
EXIT_TERMS: dict[str, str] = {
    "defense": "defence obligation", "offense": "offence obligation",
    "neutral": "neutrality obligation", "nonagg": "non-aggression obligation",
    "bilat": "bilateral alliance", "milinst": "military institutions (milcon > 0)",
    "post1945": "entry in 1945 or later", "major": "COW major power at entry",
}  # fmt: skip


def _used(wh: Any, tables: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """Provenance records (:class:`foedus.provenance.Used` as dicts) of warehouse tables."""
    out = []
    for table, purpose in tables:
        if wh.has(table):
            r = wh.active(table)
            out.append({"source": r.source, "version": r.version, "table": table,
                        "file": Path(r.path).name, "via": None, "purpose": purpose})
    return out


def alliance_impact(alliance: str, warehouse: Any = None) -> dict[str, Any]:
    """An alliance's members and how they left, its members' honouring record in wars and
    disputes (alliance-war-member coding of :mod:`foedus.impact.reliability`, cases that cannot be judged
    counted apart), and the exit hazard the ``member-exit`` Cox model estimates for
    memberships with this alliance's features.

    Example:
        >>> alliance_impact("NATO", "wh.duckdb")["atopid"]  # doctest: +SKIP
        3180
    """
    from foedus.alliances.codebook import TERMMODE
    from foedus.alliances.data import get_data
    from foedus.alliances.registry import resolve_alliance
    from foedus.errors import FoedusError
    from foedus.impact.reliability import (
        honouring_cases,
        honouring_rates,
        relevance_summary,
        war_cases,
    )

    wh = _warehouse(warehouse)
    key = resolve_alliance(alliance, get_data(wh))
    if not key.isdigit():
        raise FoedusError(f"'{alliance}' is a curated alliance without ATOP member rows",
                          fix="use an ATOP alliance (foedus alliance names)")  # fmt: skip
    atopid = int(key)
    members = wh.table("atop_member").filter(pl.col("atopid") == atopid)
    states = {r["ccode"]: r["cw_abb"] for r in wh.table("cow_system").iter_rows(named=True)}
    exits = [{"member": states.get(r["member"], r["member"]), "entered": r["yrent"],
              "left": r["yrexit"] or None,
              "how": TERMMODE.get(int(r["termmode"] or 0), str(r["termmode"]))}
             for r in members.sort("yrent", "member").iter_rows(named=True)]  # fmt: skip
    broken = int((members.get_column("termmode").fill_null(0) == 3).sum())
    mids = honouring_cases(wh.table("cow_mid_b"), wh.table("cow_mid_a"), members)
    wars = (war_cases(wh.table("cow_interstate_wars"), members)
            if wh.has("cow_interstate_wars") else mids.head(0))  # fmt: skip

    def rates(cases: pl.DataFrame) -> list[dict[str, Any]]:
        ok = cases.filter((pl.col("relevance") == "applies")
                          & (pl.col("type") != "consultation"))  # fmt: skip
        return honouring_rates(cases, ("type",)) if ok.height else []

    # the Cox model's log hazard ratios for the features this alliance's memberships have
    doc = cached_design("member-exit", wh)
    first = members.sort("phase").head(1).to_dicts()[0] if members.height else {}
    own = {"defense": first.get("defense"), "offense": first.get("offense"),
           "neutral": first.get("neutral"), "nonagg": first.get("nonagg"),
           "bilat": first.get("bilat"),
           "milinst": None if first.get("milcon") is None else int(first["milcon"] > 0),
           "post1945": None if not members.height else int(members["yrent"].min() >= 1945)}
    hazard = []
    for e in doc["estimates"]:
        term = e.get("treatment")
        if e.get("part") != "cox" or term not in EXIT_TERMS:
            continue
        hazard.append({"feature": EXIT_TERMS[term], "term": term,
                       "this_alliance": own.get(term), "log_hr": e["estimate"],
                       "ci_low": e["ci_low"], "ci_high": e["ci_high"], "p": e.get("p"),
                       "n": e.get("n")})  # fmt: skip
    used = _used(wh, (("atop_member", "members, obligations and exits (ATOP 5.1)"),
                      ("cow_interstate_wars", "wars in which members' promises were invoked"),
                      ("cow_mid_a", "disputes in which members' promises were invoked"),
                      ("cow_mid_b", "dispute participants and sides")))  # fmt: skip
    return {"title": f"ATOP {atopid} ({alliance}): members, early exits and honouring record",
            "atopid": atopid,
            "summary": {"memberships": members.height, "broken_early": broken,
                        "war_cases": wars.height, "mid_cases": mids.height},
            "tables": {"members": exits, "honouring_wars": rates(wars),
                       "relevance_wars": relevance_summary(wars) if wars.height else [],
                       "honouring_all_mids": rates(mids),
                       "relevance_mids": relevance_summary(mids) if mids.height else [],
                       "exit_hazard": hazard},
            "used": used,
            "notes": ["Honouring: alliance-war-member coding (docs/impact.md): one case per "
                      "war or dispute and obliged member; a promise counts "
                      "only where ATOP's conditions make it apply to that war or dispute; cases "
                      "that cannot be judged are counted in relevance_* and left out of the "
                      "rates. Only this alliance's own promises are counted.",
                      "Exit hazard: log hazard ratios of early exit (ATOP termmode 3) from the "
                      "member-exit Cox model fitted on all ATOP memberships (not on this "
                      "alliance alone); this_alliance gives the alliance's own value of each "
                      "feature (first phase)."]}  # fmt: skip


def attach_impact(assessment: Any, warehouse: Any = None) -> Any:
    """A copy of an alliance or dyad assessment (:mod:`foedus.assessment`) carrying its impact
    profile (:func:`alliance_impact` / :func:`dyad_impact`) as ``impact``, with the sources it
    used added to the assessment's provenance under the section ``impact`` — what the brief's
    impact section shows.

    Example:
        >>> attach_impact(object())
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: only alliance and dyad assessments have an impact section. Fix: pass the result of assess_alliance or assess_dyad
    """
    import dataclasses

    from foedus.errors import FoedusError
    from foedus.provenance import Provenance, Used

    kind = getattr(assessment, "kind", None)
    if kind == "alliance":
        doc = alliance_impact(str(assessment.atopid or assessment.alliance_id), warehouse)
    elif kind == "dyad":
        doc = dyad_impact(str(assessment.a["ccode"]), str(assessment.b["ccode"]), warehouse)
    else:
        raise FoedusError("only alliance and dyad assessments have an impact section",
                          fix="pass the result of assess_alliance or assess_dyad")  # fmt: skip
    uses = list(assessment.provenance.uses)
    for u in doc.get("used", []):
        record = Used(u["source"], u["version"], u["table"], u["file"], u["via"], u["purpose"],
                      section="impact")  # fmt: skip
        if record not in uses:
            uses.append(record)
    return dataclasses.replace(assessment, impact=doc, provenance=Provenance(tuple(uses)))
