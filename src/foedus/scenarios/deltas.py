"""What-if deltas: how the scenario's alliance system differs from the base year's.

* :func:`bound_changes` — directed defence obligations gained and lost (who is bound to defend
  whom);
* :func:`network_delta` — the alliance network (all ATOP obligations, edge weight = number of
  obligation types) of the year: blocs (Louvain, seed 0), modularity and Reynal-Querol
  polarisation by states and by CINC (:func:`foedus.measures.networks.network_years`), and each
  affected state's bloc partners;
* :func:`similarity_delta` — alliance-portfolio similarity (Signorino & Ritter S, valued ties,
  squared distance: ``s_un_val_sq``) for pairs of the affected states and named rivals;
* :func:`entrapment` — each new partner's armed conflicts (UCDP/PRIO ACD, interstate and
  internationalised, latest year covered) and militarised-dispute opponents (GML MID, last ten
  years covered): what a new ally may drag its partners into.

Example:
    >>> import polars as pl
    >>> cols = {f"atop_{k}": [1, 1] for k in ("defense", "offense", "neutral", "nonagg", "consul")}
    >>> base = pl.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": [2000, 2000], **cols})
    >>> bound_changes(base, base.filter(pl.col("ccode1") == 2), {2: "USA", 20: "CAN"})["lost"]
    [{'defender': 'CAN', 'defended': 'USA'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

__all__ = ["bound_changes", "entrapment", "network_delta", "similarity_delta"]

#: UCDP uses Gleditsch–Ward codes; these differ from COW for states in the data after 1990.
GW_TO_COW: dict[int, int] = {260: 255, 340: 345, 678: 679}


def _defence_pairs(ddy: pl.DataFrame) -> set[tuple[int, int]]:
    d = ddy.filter(pl.col("atop_defense") == 1)
    return set(zip(d["ccode1"].to_list(), d["ccode2"].to_list(), strict=True))


def bound_changes(base: pl.DataFrame, scenario: pl.DataFrame,
                  labels: Mapping[int, str]) -> dict[str, Any]:
    """Directed defence obligations (``defender`` owes ``defended``) gained and lost."""
    b, s = _defence_pairs(base), _defence_pairs(scenario)

    def rows(pairs: Iterable[tuple[int, int]]) -> list[dict[str, str]]:
        return sorted(({"defender": labels.get(a, str(a)), "defended": labels.get(c, str(c))}
                       for a, c in pairs), key=lambda r: (r["defended"], r["defender"]))

    return {"gained": rows(s - b), "lost": rows(b - s), "base_total": len(b),
            "scenario_total": len(s)}


def network_delta(base: pl.DataFrame, scenario: pl.DataFrame, year: int, members: Sequence[int],
                  cinc: Mapping[int, float | None], focus: Sequence[int],
                  labels: Mapping[int, str]) -> dict[str, Any]:
    """Network structure of the year in the base and the scenario, and the focus states' blocs."""
    from foedus.measures.networks import alliance_graph, blocs, network_years

    states = pl.DataFrame({"ccode": list(members), "year": [year] * len(members)},
                          schema={"ccode": pl.Int64, "year": pl.Int64})
    caps = pl.DataFrame({"ccode": [c for c, v in cinc.items() if v is not None],
                         "year": [year] * sum(v is not None for v in cinc.values()),
                         "cinc": [v for v in cinc.values() if v is not None]},
                        schema={"ccode": pl.Int64, "year": pl.Int64, "cinc": pl.Float64})
    out: dict[str, Any] = {"method": "Louvain (seed 0) on the undirected graph of all ATOP "
                                     "obligations, weight = number of obligation types; "
                                     "polarisation = Reynal-Querol index of bloc shares"}
    member_set = set(members)
    for name, ddy in (("base", base), ("scenario", scenario)):
        ddy = ddy.filter(pl.col("ccode1").is_in(member_set) & pl.col("ccode2").is_in(member_set))
        summary = network_years(ddy, (year, year), states=states, capabilities=caps)
        out[name] = summary.row(0, named=True) if summary.height else None
        graph = alliance_graph(ddy, year, nodes=members)
        membership = blocs(graph)
        out[f"{name}_blocs"] = {
            labels.get(f, str(f)): sorted(labels.get(c, str(c)) for c, b in membership.items()
                                          if b is not None and b == membership.get(f) and c != f)
            for f in focus
        }
    if out["base"] and out["scenario"]:
        out["change"] = {k: (None if out["base"][k] is None or out["scenario"][k] is None
                             else out["scenario"][k] - out["base"][k])
                         for k in ("edges", "blocs", "modularity", "polarisation",
                                   "polarisation_cinc")}
    return out


def similarity_delta(base: pl.DataFrame, scenario: pl.DataFrame, year: int,
                     members: Sequence[int], pairs: Sequence[tuple[int, int]],
                     labels: Mapping[int, str]) -> list[dict[str, Any]]:
    """S (``s_un_val_sq``) for each pair in the base and the scenario."""
    from foedus.measures.similarity import similarity_matrix

    states = pl.DataFrame({"ccode": list(members), "year": [year] * len(members)},
                          schema={"ccode": pl.Int64, "year": pl.Int64})
    mats = {}
    for name, ddy in (("base", base), ("scenario", scenario)):
        ddy = ddy.with_columns(pl.col(c).cast(pl.Float64) for c in ddy.columns
                               if c.startswith("atop_"))
        codes, m = similarity_matrix(ddy, states, year, measure="s_un_val_sq")
        mats[name] = ({int(c): i for i, c in enumerate(codes.tolist())}, m)
    rows = []
    for a, b in pairs:
        vals: dict[str, float | None] = {}
        for name, (index, m) in mats.items():
            vals[name] = (float(m[index[a], index[b]]) if a in index and b in index else None)
        vb, vs = vals["base"], vals["scenario"]
        rows.append({"a": labels.get(a, str(a)), "b": labels.get(b, str(b)),
                     "base": vb, "scenario": vs,
                     "change": None if vb is None or vs is None else vs - vb})
    return rows


def entrapment(partners: Mapping[int, Sequence[int]], year: int, warehouse: Any,
               labels: Mapping[int, str]) -> dict[str, Any]:
    """For each state gaining partners: the partners' armed conflicts and dispute opponents."""
    from foedus.alliances.data import _open

    wh = _open(warehouse)
    notes: list[str] = []
    conflicts: dict[int, list[dict[str, Any]]] = {}
    disputes: dict[int, list[dict[str, Any]]] = {}
    everyone = {p for ps in partners.values() for p in ps}
    try:
        if wh.has("ucdp_acd"):
            acd = wh.table("ucdp_acd")
            last = int(acd["year"].max())  # type: ignore[arg-type]
            y = min(year, last)
            notes.append(f"armed conflicts: UCDP/PRIO ACD ({wh.active('ucdp_acd').label()}), "
                         f"{y} (latest year at or before {year}); Gleditsch–Ward codes mapped to "
                         "COW")
            rows = acd.filter((pl.col("year") == y)
                              & pl.col("type_of_conflict").is_in(["interstate", "II"]))
            for r in rows.iter_rows(named=True):
                side_a = _codes(r.get("gwno_a"), r.get("gwno_a_2nd"))
                side_b = _codes(r.get("gwno_b"), r.get("gwno_b_2nd"))
                for p in everyone:
                    if p in side_a:
                        other = side_b
                    elif p in side_b:
                        other = side_a
                    else:
                        continue
                    conflicts.setdefault(p, []).append({
                        "conflict_id": r["conflict_id"], "year": y,
                        "type": r["type_of_conflict"], "incompatibility": r["incompatibility"],
                        "opponents": [labels.get(c, str(c)) for c in sorted(other)]
                        or ["non-state actor"],
                    })
        if wh.has("gml_mid_ddydisps"):
            mids = wh.table("gml_mid_ddydisps")
            last = int(mids["year"].max())  # type: ignore[arg-type]
            first = min(year, last) - 9
            notes.append(f"dispute opponents: GML MID dyadic disputes "
                         f"({wh.active('gml_mid_ddydisps').label()}), {first}–{min(year, last)}")
            sub = mids.filter(pl.col("year").is_between(first, min(year, last))
                              & pl.col("ccode1").is_in(list(everyone)))
            grouped = sub.group_by("ccode1", "ccode2").agg(pl.col("dispnum").n_unique().alias("n"),
                                                          pl.col("year").max().alias("last"))
            for c1, c2, n, lastyr in grouped.sort("ccode1", "n", descending=[False, True]).iter_rows():
                disputes.setdefault(int(c1), []).append(
                    {"opponent": labels.get(int(c2), str(c2)), "disputes": int(n),
                     "last_year": int(lastyr)})
    finally:
        if wh is not warehouse:
            wh.close()
    out = []
    for state, ps in partners.items():
        for p in ps:
            out.append({"state": labels.get(state, str(state)), "new_partner": labels.get(p, str(p)),
                        "partner_armed_conflicts": conflicts.get(p, []),
                        "partner_dispute_opponents": disputes.get(p, [])[:8]})
    return {"exposure": out, "notes": notes}


def _codes(*values: Any) -> set[int]:
    out: set[int] = set()
    for v in values:
        if v is None:
            continue
        for part in str(v).split(","):
            part = part.strip()
            if part.isdigit():
                code = int(part)
                out.add(GW_TO_COW.get(code, code))
    return out
