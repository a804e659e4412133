"""The impact designs applied to an organisation's own engagements (issue 15, item 5).

The organisation's records name partner states; with the organisation's own state (``home``) each
partner makes a dyad. For every partner dyad the first year an engagement took place (status
ongoing, completed or assessed — proposals, approvals and cancelled plans are not engagements that
happened) is its *onset*. The public outcomes of :data:`foedus.impact.OUTCOMES` are then compared
before and after that onset:

* alignment — alliance-portfolio similarity S (``s``; higher = more alike; ATOP years, to 2018) and
  the distance between the two states' UN General Assembly ideal points (``idealpointdist``; lower
  = closer; 1946–2024): mean of the ``window`` years before the onset against the ``window`` years
  after it (the onset year itself belongs to neither side);
* formation — whether a new ATOP obligation (any, or defence) appeared in the onset year or the
  ``window`` years after, among dyads without one the year before the onset.

Each partner dyad's change is set beside the change, over the same calendar years, of the home
state's other dyads (states the organisation has no record with): the difference is a
difference-in-differences of one dyad. Pooled over the partner dyads, a randomisation test draws
as many comparison dyads, gives them the partners' onset years and asks how often their mean
difference is as large. With ten or more partner dyads the library's two-way fixed-effects design
(:func:`foedus.impact.twfe`, dyad and year effects, dyad-clustered errors) and its permutation
placebo (:func:`foedus.impact.placebo`) run too; below ten they refuse, and the output says so.

What this can and cannot show is stated in the output's ``limits``: a handful of dyads chosen by
the organisation (often because alignment was expected to grow) cannot separate the engagements'
effect from the reasons the partners were chosen, nor from the public instruments of the same
dyads (:func:`public_instruments`).

Example:
    >>> from foedus.records import RecordStore
    >>> store = RecordStore("sqlite://")
    >>> admin = store.system_principal()
    >>> e = store.create_engagement(admin, {"title": "Staff talks", "instrument": "visits",
    ...     "partners": ["Ghana"], "start_date": "2009-05-02", "marking": "public",
    ...     "status": "completed"})
    >>> [(d["partner"], d["onset"]) for d in partner_dyads(store, admin, "USA")["dyads"]]
    [('Ghana', 2009)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from foedus.errors import FoedusError, RecordsError
from foedus.records.store import Principal, RecordStore
from foedus.records.vocabulary import MARKINGS, visible_markings

__all__ = ["HELD_STATUSES", "organisation_impact", "partner_dyads", "public_instruments"]

#: Statuses of engagements that took place (the others are plans or were cancelled).
HELD_STATUSES = ("ongoing", "completed", "assessed")
#: The alignment outcomes compared (names in :data:`foedus.impact.OUTCOMES`).
ALIGNMENT = ("s", "idealpointdist")
#: The ATOP obligation types whose formation is counted (``atop_<type>`` columns).
FORMATION = ("any", "defense")
_ATOP_COLUMN = {"any": "atop_alliance", "defense": "atop_defense"}


def _state(text: str) -> dict[str, Any]:
    from foedus.records.validation import resolve_partners

    if str(text).strip().isdigit():
        return {"ccode": int(text), "name": str(text).strip()}
    found, unknown = resolve_partners([text], None)
    if unknown:
        raise RecordsError(f"unknown state '{text}'",
                           fix="use a state name (United States), ISO3 (USA) or COW code (2)")
    return {"ccode": int(found[0]["ccode"]), "name": str(found[0]["name"])}


def partner_dyads(store: RecordStore, actor: Principal, home: str, *,
                  marking: str | None = None) -> dict[str, Any]:
    """The organisation's partner dyads: ``home`` × each partner of an engagement that took place
    (:data:`HELD_STATUSES`), with the onset (first start year), engagements and instruments.

    Args:
        home: the organisation's own state (name, ISO3 or COW code).
        marking: the highest marking to include (default: the actor's clearance).

    Example:
        >>> store = RecordStore("sqlite://")
        >>> partner_dyads(store, store.system_principal(), "USA")["dyads"]
        []
    """
    ceiling = marking or actor.clearance
    if ceiling not in MARKINGS or ceiling not in visible_markings(actor.clearance):
        raise RecordsError(f"the marking '{ceiling}' is unknown or above your clearance "
                           f"({actor.clearance})", fix="use one of: " + ", ".join(
                               visible_markings(actor.clearance)))
    me = _state(home)
    rows = [e for e in store.list_engagements(actor, limit=1_000_000)
            if e["marking"] in visible_markings(ceiling)]
    held: dict[int, dict[str, Any]] = {}
    named: set[int] = set()
    skipped: defaultdict[str, int] = defaultdict(int)
    for e in rows:
        for p in e["partners"]:
            if p["ccode"] is None or p["ccode"] == me["ccode"]:
                continue
            named.add(int(p["ccode"]))
            if e["status"] not in HELD_STATUSES:
                skipped[e["status"]] += 1
                continue
            d = held.setdefault(int(p["ccode"]), {"ccode": int(p["ccode"]), "partner": p["name"],
                                                  "onset": None, "engagements": 0,
                                                  "instruments": set()})
            year = int(e["start_date"][:4])
            d["onset"] = year if d["onset"] is None else min(d["onset"], year)
            d["engagements"] += 1
            d["instruments"].add(e["instrument"])
    dyads = [dict(d, instruments=sorted(d["instruments"]))
             for d in sorted(held.values(), key=lambda d: (d["onset"], d["ccode"]))]
    return {"home": me, "marking_ceiling": ceiling, "dyads": dyads,
            "partners_named": sorted(named),
            "not_held": dict(sorted(skipped.items()))}


def _home_panel(warehouse: Any, home: int, years: tuple[int, int]) -> tuple[Any, Any]:
    """Non-directed COW dyad-years of ``home`` with every other state, ``years``, with ATOP
    obligations, UN ideal-point distance and alliance-portfolio S (the enrichers the impact
    designs use for these outcomes)."""
    from dataclasses import replace

    import polars as pl

    from foedus.frames.universe import dyad_years
    from foedus.impact import OUTCOMES

    frame = dyad_years("cow", directed=False, years=f"{years[0]}-{years[1]}",
                       warehouse=warehouse)
    frame = replace(frame, df=frame.df.filter((pl.col("ccode1") == home)
                                              | (pl.col("ccode2") == home)))
    frame = frame.add_atop_alliance().add_ideal_point_distance().add_alliance_similarity(
        [OUTCOMES["s"].column])
    df = frame.df.with_columns(
        pl.when(pl.col("ccode1") == home).then(pl.col("ccode2")).otherwise(pl.col("ccode1"))
        .alias("other"),
        (pl.col("ccode1") * 1000 + pl.col("ccode2")).alias("dyad"))
    return df.sort("dyad", "year"), frame


def _mean(values: list[float]) -> float | None:
    clean = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(clean) / len(clean) if clean else None


def _windows(onset: int, window: int) -> tuple[range, range]:
    return range(onset - window, onset), range(onset + 1, onset + window + 1)


def organisation_impact(store: RecordStore, actor: Principal, home: str, warehouse: Any = None,
                        *, window: int = 3, marking: str | None = None, draws: int = 2000,
                        seed: int = 20261203) -> dict[str, Any]:
    """Public outcomes of the organisation's partner dyads before and after their first
    engagement, beside the home state's other dyads (see the module text for the design).

    Args:
        home: the organisation's own state.
        warehouse: the warehouse with the public data (default ``$FOEDUS_WAREHOUSE``).
        window: years on each side of the onset (1–10).
        marking: the highest marking of the records used (default: the actor's clearance).
        draws: random draws of the pooled randomisation test.

    Example:
        >>> doc = organisation_impact(store, admin, "USA", "wh.duckdb")  # doctest: +SKIP
        >>> doc["pooled"]["s"]["dyads"]  # doctest: +SKIP
        3
    """
    import numpy as np
    import polars as pl

    from foedus.errors import DegenerateSampleError
    from foedus.impact import OUTCOMES, placebo, proportion_ci, twfe
    from foedus.warehouse import Warehouse, default_path

    if not 1 <= window <= 10:
        raise RecordsError(f"window {window} is outside 1–10 years",
                           fix="give --window between 1 and 10")
    found = partner_dyads(store, actor, home, marking=marking)
    me, dyads = found["home"], found["dyads"]
    if not dyads:
        raise RecordsError("no engagement that took place (ongoing, completed or assessed) names "
                           "a partner", fix="record engagements, or move them along their "
                           "lifecycle, before asking for their impact")
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(
        warehouse or default_path(), read_only=True)
    first = max(1816, min(d["onset"] for d in dyads) - window - 1)
    last = min(2024, max(d["onset"] for d in dyads) + window)
    df, frame = _home_panel(wh, me["ccode"], (first, last))
    partners = {d["ccode"] for d in dyads}
    comparison = df.filter(~pl.col("other").is_in(sorted(set(found["partners_named"]))))
    by_other = {k[0]: g for k, g in comparison.partition_by("other", as_dict=True).items()}

    def series(g: Any, column: str) -> dict[int, float | None]:
        return dict(zip(g.get_column("year").to_list(), g.get_column(column).to_list(),
                        strict=True))

    outcome_cols = {name: OUTCOMES[name].column for name in ALIGNMENT}
    comp_series = {name: {o: series(g, col) for o, g in by_other.items()}
                   for name, col in outcome_cols.items()}

    def change(values: dict[int, float | None], onset: int) -> tuple[float | None, int, int,
                                                                     float | None, float | None]:
        pre, post = _windows(onset, window)
        before = [values.get(y) for y in pre if values.get(y) is not None]
        after = [values.get(y) for y in post if values.get(y) is not None]
        b, a = _mean(before), _mean(after)  # type: ignore[arg-type]
        return (None if a is None or b is None else a - b), len(before), len(after), b, a

    def comparison_changes(name: str, onset: int) -> list[float]:
        out = []
        for values in comp_series[name].values():
            c = change(values, onset)[0]
            if c is not None:
                out.append(c)
        return out

    rows = []
    for d in dyads:
        g = df.filter(pl.col("other") == d["ccode"])
        row: dict[str, Any] = {k: d[k] for k in ("partner", "ccode", "onset", "engagements",
                                                 "instruments")}
        for name, col in outcome_cols.items():
            diff, n_before, n_after, before, after = change(series(g, col), d["onset"])
            comp = comparison_changes(name, d["onset"])
            comp_mean = _mean(comp)  # type: ignore[arg-type]
            row[name] = {
                "before": before, "after": after, "change": diff,
                "years_before": n_before, "years_after": n_after,
                "comparison_change": comp_mean, "comparison_dyads": len(comp),
                "difference": None if diff is None or comp_mean is None else diff - comp_mean,
                # share of comparison dyads whose change was at least as large (same sign)
                "share_of_comparison_as_large": None if diff is None or not comp else round(
                    sum(1 for c in comp if (c >= diff if diff >= 0 else c <= diff)) / len(comp), 4),
            }
        for kind in FORMATION:
            vals = series(g, _ATOP_COLUMN[kind])
            row[f"formation-{kind}"] = _formation(vals, d["onset"], window)
        rows.append(row)

    rng = np.random.default_rng(seed)
    pooled: dict[str, Any] = {}
    for name in ALIGNMENT:
        used = [r for r in rows if r[name]["difference"] is not None]
        actual = _mean([r[name]["difference"] for r in used])  # type: ignore[arg-type]
        entry: dict[str, Any] = {"outcome": name, "label": OUTCOMES[name].label,
                                 "dyads": len(used), "mean_difference": actual,
                                 "randomisation_p": None, "draws": 0}
        if used and actual is not None:
            pools = {r["onset"]: [c - _mean(comparison_changes(name, r["onset"]))  # type: ignore
                                  for c in comparison_changes(name, r["onset"])] for r in used}
            if all(pools[r["onset"]] for r in used):
                sims = np.array([np.mean([pools[r["onset"]][rng.integers(len(pools[r["onset"]]))]
                                          for r in used]) for _ in range(draws)])
                entry["randomisation_p"] = round(float(
                    (1 + np.sum(np.abs(sims) >= abs(actual))) / (draws + 1)), 4)
                entry["draws"] = draws
        pooled[name] = entry

    formation: dict[str, Any] = {}
    for kind in FORMATION:
        at_risk = [r for r in rows if r[f"formation-{kind}"]["at_risk"]]
        formed = sum(1 for r in at_risk if r[f"formation-{kind}"]["formed"])
        comp_risk = comp_formed = 0
        for g in by_other.values():
            for d in dyads:  # each comparison dyad at every partner onset, as the partners were
                f = _formation(series(g, _ATOP_COLUMN[kind]), d["onset"], window)
                if f["at_risk"]:
                    comp_risk += 1
                    comp_formed += int(bool(f["formed"]))
        formation[kind] = {
            "partners": {"at_risk": len(at_risk), "formed": formed,
                         **(proportion_ci(formed, len(at_risk)) if at_risk else {})},
            "comparison": {"at_risk": comp_risk, "formed": comp_formed,
                           **(proportion_ci(comp_formed, comp_risk) if comp_risk else {})},
        }

    panel_rows = df.with_columns(
        pl.col("other").is_in(sorted(partners)).alias("partner"),
        pl.col("other").replace_strict({d["ccode"]: d["onset"] for d in dyads}, default=0)
        .alias("cohort"))
    panel_rows = panel_rows.filter(pl.col("partner")
                                   | ~pl.col("other").is_in(found["partners_named"]))
    panel_rows = panel_rows.with_columns(
        ((pl.col("cohort") > 0) & (pl.col("year") >= pl.col("cohort"))).cast(pl.Float64)
        .alias("D"))
    designs: dict[str, Any] = {}
    for name, col in outcome_cols.items():
        try:
            est = twfe(panel_rows, col, "D", where=f"records impact: {name}")
            doc = est.to_dict()
            doc["placebo"] = placebo(panel_rows, col, est.estimate, draws=50,
                                     where=f"records impact placebo: {name}")
            designs[name] = doc
        except (DegenerateSampleError, FoedusError) as exc:
            designs[name] = {"refused": str(exc)}

    limits = [
        f"{len(dyads)} partner dyad(s). A before/after change of a handful of dyads is a "
        "description, not an estimate of what the engagements did: the organisation chose its "
        "partners, often because closer alignment was expected or already under way, and the "
        "comparison dyads (the home state's other dyads) were not chosen.",
        "The same dyads had public instruments too (arms deliveries, agreements, exercises, US "
        "programmes; see public_instruments and the AM&E brief); a change after the onset "
        "cannot be told apart from theirs.",
        f"Windows: {window} year(s) before the onset against {window} after (the onset year in "
        "neither). S and ATOP end in 2018 and UN ideal points in 2024: later onsets have no "
        "'after' years for them (shown as years_after = 0), earlier ones may have few.",
        "randomisation_p: how often as many comparison dyads, given the partners' onset years, "
        "show a mean difference at least as large; it speaks to chance, not to selection.",
        "The two-way fixed-effects design needs 10 or more partner dyads (MIN_TREATED of "
        "foedus.impact); with fewer it refuses and only the description is given.",
    ]
    return {
        "title": f"Public outcomes of {me['name']}'s partner dyads before and after the "
                 "organisation's first engagement",
        "home": me, "window": window, "marking_ceiling": found["marking_ceiling"],
        "statuses_used": list(HELD_STATUSES), "not_held": found["not_held"],
        "dyads": rows, "pooled": pooled, "formation": formation, "twfe": designs,
        "outcomes": {name: {"column": OUTCOMES[name].column, "label": OUTCOMES[name].label,
                            "coverage": list(OUTCOMES[name].coverage)} for name in ALIGNMENT},
        "provenance": frame.provenance(),
        "limits": limits,
    }


def _formation(values: dict[int, Any], onset: int, window: int) -> dict[str, Any]:
    """At risk = no obligation the year before the onset (and ATOP covers it); formed = an
    obligation in the onset year or the ``window`` years after (null when ATOP covers none)."""
    prior = values.get(onset - 1)
    years = [y for y in range(onset, onset + window + 1) if values.get(y) is not None]
    at_risk = prior is not None and prior == 0 and bool(years)
    formed = next((y for y in years if values[y] > 0), None) if at_risk else None
    return {"allied_before": None if prior is None else bool(prior > 0), "at_risk": at_risk,
            "formed": at_risk and formed is not None, "first_year": formed}


def public_instruments(home: str, partner: str, warehouse: Any = None, *,
                       years: tuple[int, int] | None = None) -> dict[str, Any]:
    """The public instruments (:data:`foedus.impact.TREATMENTS`) and alignment outcomes of the
    dyad ``home`` – ``partner``, year by year: what the public data show beside the records.

    Example:
        >>> doc = public_instruments("USA", "Ghana", "wh.duckdb", years=(2005, 2015))  # doctest: +SKIP
        >>> doc["instruments"][0]["treatment"]  # doctest: +SKIP
        'dca'
    """
    import polars as pl

    from foedus.frames.frame import Frame
    from foedus.impact import OUTCOMES, TREATMENTS
    from foedus.warehouse import Warehouse, default_path

    a, b = _state(home), _state(partner)
    if a["ccode"] == b["ccode"]:
        raise RecordsError("the home state and the partner are the same state")
    lo, hi = sorted((a["ccode"], b["ccode"]))
    first, last = years or (1990, 2024)
    if first > last:
        raise RecordsError(f"years {first}-{last} are out of order", fix="give FIRST-LAST")
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(
        warehouse or default_path(), read_only=True)
    pair = pl.DataFrame({"ccode1": lo, "ccode2": hi, "year": list(range(first, last + 1))},
                        schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64})
    base = Frame(pair, unit="dyad-year", system="cow", directed=False, warehouse=wh)
    outcomes = base.add_atop_alliance().add_ideal_point_distance().add_alliance_similarity(
        [OUTCOMES["s"].column])
    timeline = {r["year"]: {"year": r["year"], "s": r[OUTCOMES["s"].column],
                            "idealpointdist": r[OUTCOMES["idealpointdist"].column],
                            "atop_defense": r["atop_defense"], "atop_any": r["atop_alliance"],
                            "public_instruments": []}
                for r in outcomes.df.iter_rows(named=True)}
    used_sources = list(outcomes.sources())
    instruments = []
    for t in TREATMENTS.values():
        if (t.us_only and lo != 2) or "engagement" in t.enrichers:
            continue  # US-only sources for other pairs; the engagement index is not an instrument
        try:
            f = base
            for e in t.enrichers:
                f = getattr(f, e)() if e.startswith("add_") else f.enrich([e])
        except FoedusError as exc:
            instruments.append({"treatment": t.name, "label": t.label, "available": False,
                                "reason": exc.what, "years_used": [], "covered_years": 0})
            continue
        df = f.df.with_columns(pl.when(pl.col("year").is_in(t.years())).then(t.indicator())
                               .alias("D"))
        used = df.filter(pl.col("D") == True).get_column("year").to_list()  # noqa: E712
        covered = df.filter(pl.col("D").is_not_null()).height
        for y in used:
            timeline[y]["public_instruments"].append(t.name)
        used_sources += [s for s in f.sources() if s not in used_sources]
        instruments.append({"treatment": t.name, "label": t.label, "available": True,
                            "coverage": f"{t.coverage[0]}-{t.coverage[1]}",
                            "covered_years": covered, "years_used": used})
    return {"home": a, "partner": b, "years": [first, last], "instruments": instruments,
            "timeline": [timeline[y] for y in sorted(timeline)], "sources": used_sources,
            "notes": ["A public instrument is listed in a year only where its source covers "
                      "that year; an empty cell outside coverage means unknown, not none.",
                      "S and ATOP end in 2018, UN ideal points in 2024 (null after)."]}
