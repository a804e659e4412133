"""Region profiles and grouping comparisons: capability and spending shares, arms flows, alliance
ties and blocs, UN alignment, exercises, defence cooperation agreements and conflicts.

A *group* is a region (membership by code, see :mod:`foedus.regions.schemes`) or a grouping
(dated membership, see :mod:`foedus.regions.groupings`). Every measure respects its source's
years: outside them the value is null (never 0) and the output says which years the source
covers.

Measures (per year):

* ``cinc_share`` — the group's summed CINC over the summed CINC of every state with one (NMC;
  v7.0: 1816–2022). ``milex_share`` — summed SIPRI military expenditure (constant 2022 US$) over
  the world total of the states SIPRI reports (1949–2023). A member without data is left out of
  both sums (``n_cinc`` / ``n_milex`` say how many counted).
* arms (SIPRI trade register, TIV delivered, each deal split evenly over its delivery years as
  :func:`foedus.measures.arms_trade.allocate_deliveries`; 1950–2024): ``within`` (supplier and
  recipient members), ``into`` (recipient member, supplier not — unknown suppliers and non-state
  actors included), ``out`` (supplier member, recipient not), ``world`` (all deliveries).
* alliances (ATOP 5.1 directed dyad-years, 1816–2018): ``alliance_density`` — share of member
  pairs with any ATOP obligation (either direction); blocs, modularity and polarisation of the
  members' alliance network (:func:`foedus.measures.networks.network_years`).
* UN alignment (Bailey–Strezhnev–Voeten ideal points, all votes): ``un_distance_within`` — mean
  absolute ideal-point distance over member pairs with estimates; between two groupings the mean
  over cross pairs.
* exercises (MME v7, 1980–2010): exercises with at least two members (within), or with members
  of both groupings (between). DCAs (DCAD v1.0, signed 1980–2010): agreements signed in the year
  between two members / across groupings.
* conflicts: UCDP/PRIO state-based conflicts with a location in the region (official ACD file,
  1946–2022) and UCDP non-state conflicts there (1989–2022).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError
from foedus.regions.schemes import Region, get_region, iso3_of

__all__ = ["Group", "compare_groupings", "group_for", "region_profile"]


@dataclass(frozen=True)
class Group:
    """A region or grouping: ``members`` (``ccode, year``) for groupings, ``region`` for regions."""

    name: str
    kind: str
    region: Region | None = None
    members: pl.DataFrame | None = None

    def mark(self, df: pl.DataFrame, code: str, alias: str) -> pl.DataFrame:
        """Add a boolean column ``alias``: is the row's ``code`` a member in the row's year?"""
        if self.region is not None:
            return df.with_columns(self.region.expr(code, "year").fill_null(False).alias(alias))
        assert self.members is not None
        keyed = self.members.select(pl.col("ccode").cast(pl.Int64).alias(code),
                                    pl.col("year").cast(pl.Int64),
                                    pl.lit(True).alias(alias)).unique()  # fmt: skip
        return df.join(keyed, on=[code, "year"], how="left", maintain_order="left").with_columns(
            pl.col(alias).fill_null(False))

    def codes(self, year: int, universe: list[int]) -> list[int]:
        """Member codes in ``year`` (for a region: those of ``universe``)."""
        if self.region is not None:
            return sorted(c for c in universe if self.region.contains(c, year))
        assert self.members is not None
        return sorted(self.members.filter(pl.col("year") == year)["ccode"].to_list())


class _Data:
    """The warehouse tables the profiles read, loaded once per call."""

    def __init__(self, warehouse: Any) -> None:
        from foedus.warehouse import Warehouse

        self.wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(
            warehouse, read_only=True)
        self.used: dict[str, dict[str, Any]] = {}

    def table(self, name: str, purpose: str) -> pl.DataFrame | None:
        if not self.wh.has(name):
            return None
        r = self.wh.active(name)
        self.used.setdefault(name, {
            "table": name, "source": r.source, "version": r.version,
            "file": r.path.rsplit("/", 1)[-1], "via": r.via, "purpose": purpose})  # fmt: skip
        return self.wh.table(name)

    @functools.cached_property
    def nmc(self) -> pl.DataFrame | None:
        t = self.table("nmc", "capability shares (CINC)")
        return None if t is None else t.select(pl.col("ccode", "year").cast(pl.Int64),
                                               pl.col("cinc").cast(pl.Float64))  # fmt: skip

    @functools.cached_property
    def milex(self) -> pl.DataFrame | None:
        from foedus.frames.instruments.arms import milex_state_years

        t = self.table("sipri_milex", "military expenditure shares")
        return None if t is None else milex_state_years(t).select("ccode", "year", "sipri_milex")

    @functools.cached_property
    def deliveries(self) -> pl.DataFrame | None:
        from foedus.measures.arms_trade import allocate_deliveries

        t = self.table("sipri_arms_deals", "arms transfers (TIV)")
        if t is None:
            return None
        rows = allocate_deliveries(t)
        return rows.select("year", "tiv", pl.col("ccode1").cast(pl.Int64),
                           pl.col("ccode2").cast(pl.Int64))  # fmt: skip

    @functools.cached_property
    def arms_years(self) -> tuple[int, int] | None:
        from foedus.frames.instruments.arms import arms_coverage

        t = self.table("sipri_arms_deals", "arms transfers (TIV)")
        return None if t is None else arms_coverage(t)

    @functools.cached_property
    def ideal(self) -> pl.DataFrame | None:
        t = self.table("unga_ideal_points", "UN General Assembly alignment (ideal points)")
        return None if t is None else t.select(
            pl.col("ccode", "year").cast(pl.Int64), pl.col("idealpoint").cast(pl.Float64)
        ).drop_nulls().unique(["ccode", "year"])  # fmt: skip

    @functools.cached_property
    def atop(self) -> pl.DataFrame | None:
        t = self.table("atop_ddy", "alliance ties and blocs (ATOP obligations)")
        return None if t is None else t.with_columns(pl.col("ccode1", "ccode2", "year")
                                                     .cast(pl.Int64))  # fmt: skip

    @functools.cached_property
    def mme(self) -> pl.DataFrame | None:
        t = self.table("mme_participants", "joint exercises (MME)")
        return None if t is None else t.select("mme_uid", pl.col("year").cast(pl.Int64),
                                               pl.col("ccode").cast(pl.Int64)).drop_nulls()  # fmt: skip

    @functools.cached_property
    def dcad(self) -> pl.DataFrame | None:
        t = self.table("dcad_agreements", "defence cooperation agreements (DCAD)")
        return None if t is None else t.select("dcaid", pl.col("sign_year").cast(pl.Int64),
                                               pl.col("ccode1", "ccode2").cast(pl.Int64))  # fmt: skip


def _years(start: int, end: int) -> list[int]:
    if start > end:
        raise InvalidYearsError(f"the years {start}–{end} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    if start < 1816 or end > 2100:
        raise InvalidYearsError(f"years {start}–{end} are out of range", fix="use 1816 to today")
    return list(range(start, end + 1))


def _span(df: pl.DataFrame | None, column: str = "year") -> tuple[int, int] | None:
    if df is None or df.height == 0:
        return None
    return int(df[column].min()), int(df[column].max())  # type: ignore[arg-type]


def _share_series(values: pl.DataFrame | None, column: str, group: Group, years: list[int],
                  name: str) -> pl.DataFrame:  # fmt: skip
    """Per year: the group's sum, the world's sum, the share and the members counted."""
    frame = pl.DataFrame({"year": years}, schema={"year": pl.Int64})
    out_cols = [f"{name}_group", f"{name}_world", f"{name}_share", f"n_{name}"]
    if values is None:
        return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in out_cols)
    data = values.filter(pl.col("year").is_in(years)).drop_nulls(column)
    data = group.mark(data, "ccode", "_in")
    agg = data.group_by("year").agg(
        pl.col(column).filter(pl.col("_in")).sum().alias(f"{name}_group"),
        pl.col(column).sum().alias(f"{name}_world"),
        pl.col("_in").sum().cast(pl.Int64).alias(f"n_{name}"),
    ).with_columns((pl.col(f"{name}_group") / pl.col(f"{name}_world")).alias(f"{name}_share"))
    return frame.join(agg, on="year", how="left", maintain_order="left").select("year", *out_cols)


def _arms(data: _Data, a: Group, b: Group | None, years: list[int]) -> pl.DataFrame:
    frame = pl.DataFrame({"year": years}, schema={"year": pl.Int64})
    cols = (["arms_within", "arms_into", "arms_out", "arms_world"] if b is None
            else ["arms_a_to_b", "arms_b_to_a", "arms_within_a", "arms_within_b", "arms_world"])  # fmt: skip
    rows = data.deliveries
    if rows is None or data.arms_years is None:
        return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in cols)
    lo, hi = data.arms_years
    rows = rows.filter(pl.col("year").is_in(years))
    rows = a.mark(a.mark(rows, "ccode1", "_s_a").rename({"ccode1": "_c1"}).rename(
        {"_c1": "ccode1"}), "ccode2", "_r_a")  # fmt: skip
    if b is None:
        agg = rows.group_by("year").agg(
            pl.col("tiv").filter(pl.col("_s_a") & pl.col("_r_a")).sum().alias("arms_within"),
            pl.col("tiv").filter(~pl.col("_s_a") & pl.col("_r_a")).sum().alias("arms_into"),
            pl.col("tiv").filter(pl.col("_s_a") & ~pl.col("_r_a")).sum().alias("arms_out"),
            pl.col("tiv").sum().alias("arms_world"),
        )
    else:
        rows = b.mark(b.mark(rows, "ccode1", "_s_b"), "ccode2", "_r_b")
        agg = rows.group_by("year").agg(
            pl.col("tiv").filter(pl.col("_s_a") & pl.col("_r_b")).sum().alias("arms_a_to_b"),
            pl.col("tiv").filter(pl.col("_s_b") & pl.col("_r_a")).sum().alias("arms_b_to_a"),
            pl.col("tiv").filter(pl.col("_s_a") & pl.col("_r_a")).sum().alias("arms_within_a"),
            pl.col("tiv").filter(pl.col("_s_b") & pl.col("_r_b")).sum().alias("arms_within_b"),
            pl.col("tiv").sum().alias("arms_world"),
        )
    inside = pl.col("year").is_between(lo, hi)
    out = frame.join(agg, on="year", how="left", maintain_order="left")
    return out.with_columns(
        pl.when(inside).then(pl.col(c).fill_null(0.0)).otherwise(None).alias(c) for c in cols)


def _universe(data: _Data, year: int) -> list[int]:
    codes: set[int] = set()
    for table in (data.nmc, data.milex, data.ideal):
        if table is not None:
            codes |= set(table.filter(pl.col("year") == year)["ccode"].to_list())
    return sorted(codes)


def _pair_mean(points: dict[int, float], pairs: list[tuple[int, int]]) -> tuple[float | None, int]:
    dists = [abs(points[i] - points[j]) for i, j in pairs if i in points and j in points]
    return (sum(dists) / len(dists) if dists else None), len(dists)


def _un(data: _Data, groups: list[Group], year: int, universe: list[int]) -> dict[str, Any]:
    ideal = data.ideal
    span = _span(ideal)
    if ideal is None or span is None or not span[0] <= year <= span[1]:
        return {}
    points = dict(ideal.filter(pl.col("year") == year).select("ccode", "idealpoint").iter_rows())
    out: dict[str, Any] = {}
    codes = [g.codes(year, universe) for g in groups]
    for g, members in zip(groups, codes, strict=True):
        mean, n = _pair_mean(points, list(combinations(members, 2)))
        present = [points[c] for c in members if c in points]
        out[g.name] = {"within": mean, "pairs": n,
                       "mean_idealpoint": sum(present) / len(present) if present else None}  # fmt: skip
    if len(groups) == 2:
        cross = [(i, j) for i in codes[0] for j in codes[1] if i != j]
        mean, n = _pair_mean(points, cross)
        out["between"] = {"distance": mean, "pairs": n}
    return out


def _alliance_ties(data: _Data, a: list[int], b: list[int] | None, year: int) -> dict[str, Any]:
    atop = data.atop
    span = _span(atop)
    if atop is None or span is None or not span[0] <= year <= span[1]:
        return {}
    obligations = [c for c in atop.columns if c.startswith("atop_")]
    tied = atop.filter((pl.col("year") == year) & pl.any_horizontal(
        [pl.col(c) > 0 for c in obligations]))  # fmt: skip
    edges = {(min(x, y), max(x, y)) for x, y in tied.select("ccode1", "ccode2").iter_rows()}

    def density(pairs: list[tuple[int, int]]) -> tuple[float | None, int, int]:
        keyed = [(min(x, y), max(x, y)) for x, y in pairs if x != y]
        if not keyed:
            return None, 0, 0
        hits = sum(1 for p in set(keyed) if p in edges)
        return hits / len(set(keyed)), hits, len(set(keyed))

    out: dict[str, Any] = {}
    d, hits, n = density(list(combinations(a, 2)))
    out["within_a"] = {"density": d, "allied_pairs": hits, "pairs": n}
    if b is not None:
        d, hits, n = density(list(combinations(b, 2)))
        out["within_b"] = {"density": d, "allied_pairs": hits, "pairs": n}
        d, hits, n = density([(i, j) for i in a for j in b])
        out["between"] = {"density": d, "allied_pairs": hits, "pairs": n}
    return out


def _exercises_dcas(data: _Data, a: list[int], b: list[int] | None, year: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    mme = data.mme
    span = _span(mme)
    if mme is not None and span is not None and span[0] <= year <= span[1]:
        part = mme.filter(pl.col("year") == year)
        per = part.group_by("mme_uid").agg(pl.col("ccode").unique())
        sa, sb = set(a), set(b or [])
        within_a = sum(1 for codes in per["ccode"] if len(sa & set(codes)) >= 2)
        entry: dict[str, Any] = {"within_a": within_a}
        if b is not None:
            entry["within_b"] = sum(1 for codes in per["ccode"] if len(sb & set(codes)) >= 2)
            entry["between"] = sum(1 for codes in per["ccode"]
                                   if (sa & set(codes)) and (sb & set(codes)) and
                                   (set(codes) & sa) != (set(codes) & sb))  # fmt: skip
        out["exercises"] = entry
    dcad = data.dcad
    span = _span(dcad, "sign_year")
    if dcad is not None and span is not None and span[0] <= year <= span[1]:
        signed = dcad.filter(pl.col("sign_year") == year).select("ccode1", "ccode2").rows()
        sa, sb = set(a), set(b or [])
        entry = {"within_a": sum(1 for x, y in signed if x in sa and y in sa)}
        if b is not None:
            entry["within_b"] = sum(1 for x, y in signed if x in sb and y in sb)
            entry["between"] = sum(1 for x, y in signed
                                   if (x in sa and y in sb) or (x in sb and y in sa))  # fmt: skip
        out["dcas"] = entry
    return out


def _coverage(data: _Data) -> dict[str, list[int] | None]:
    def span(df: pl.DataFrame | None, column: str = "year") -> list[int] | None:
        s = _span(df, column)
        return list(s) if s else None

    return {
        "cinc": span(data.nmc), "milex": span(data.milex),
        "arms": list(data.arms_years) if data.arms_years else None,
        "alliances": span(data.atop), "un_idealpoints": span(data.ideal),
        "exercises": span(data.mme), "dcas": span(data.dcad, "sign_year"),
    }  # fmt: skip


def group_for(name: str, start: int, end: int, *, kind: str = "auto", warehouse: Any = None,
              custom: Any = None) -> Group:  # fmt: skip
    """A region or a grouping by name, as a :class:`Group` over ``start``–``end``.

    ``kind``: ``"region"``, ``"grouping"`` or ``"auto"`` (a grouping name first, then a region).

    Example:
        >>> group_for("asia-pacific", 2000, 2001).kind
        'region'
        >>> group_for("BRICS", 2023, 2024).members.filter(pl.col("year") == 2024).height
        9
    """
    from foedus.errors import UnknownGroupingError, UnknownRegionError
    from foedus.regions.groupings import get_grouping, grouping_members

    if kind in ("auto", "grouping"):
        try:
            grouping = get_grouping(name)
        except UnknownGroupingError:
            if kind == "grouping":
                raise
        else:
            rows = [{"ccode": m["ccode"], "year": y}
                    for y in range(start, end + 1)
                    for m in grouping_members(grouping.name, y, warehouse=warehouse)]  # fmt: skip
            members = pl.DataFrame(rows, schema={"ccode": pl.Int64, "year": pl.Int64})
            return Group(grouping.name, "grouping", members=members)
    try:
        region = get_region(name, custom)
    except UnknownRegionError:
        if kind == "auto":
            from foedus.regions.groupings import GROUPINGS
            from foedus.regions.schemes import list_regions

            raise UnknownRegionError(
                f"'{name}' is neither a grouping nor a region",
                fix="use a grouping (" + ", ".join(GROUPINGS) + ") or a region ("
                + ", ".join(r.name for r in list_regions(custom)) + ")",
            ) from None
        raise
    return Group(region.name, "region", region=region)


def _sources(data: _Data) -> list[dict[str, Any]]:
    return list(data.used.values())


def region_profile(name: str, start: int, end: int, *, warehouse: Any = None,
                   custom: Any = None) -> dict[str, Any]:  # fmt: skip
    """A region's (or grouping's) security profile, year by year, with a window summary.

    Returns a JSON-ready dict: ``region`` (definition, source, members of the last year),
    ``series`` (one dict per year: shares, arms flows, alliance structure, UN alignment,
    conflicts), ``summary`` (window totals and first/last-year values), ``coverage`` (each
    source's years), ``sources`` (tables, versions, files) and ``notes``.

    Example:
        >>> p = region_profile("asia-pacific", 2000, 2023, warehouse=wh)  # doctest: +SKIP
        >>> p["summary"]["cinc_share_first"] > 0.3  # doctest: +SKIP
        True
    """
    years = _years(start, end)
    group = group_for(name, start, end, warehouse=warehouse, custom=custom)
    data = _Data(warehouse)
    series = _share_series(data.nmc, "cinc", group, years, "cinc")
    series = series.join(_share_series(data.milex, "sipri_milex", group, years, "milex"),
                         on="year", maintain_order="left")  # fmt: skip
    series = series.join(_arms(data, group, None, years), on="year", maintain_order="left")
    rows = series.to_dicts()
    net_years = _network(data, group, years)
    conflicts = _conflicts(data, group, years)
    for row in rows:
        year = row["year"]
        universe = _universe(data, year)
        un = _un(data, [group], year, universe)
        row["un_distance_within"] = un.get(group.name, {}).get("within") if un else None
        row["un_mean_idealpoint"] = un.get(group.name, {}).get("mean_idealpoint") if un else None
        row.update(net_years.get(year, {k: None for k in _NET_KEYS}))
        row.update(conflicts.get(year, {k: None for k in _CONFLICT_KEYS}))
    used = dict(data.used)
    coverage = _coverage(data)
    data.used = used  # reading a source's years for the coverage note is not using it
    coverage.pop("exercises", None)
    coverage.pop("dcas", None)
    coverage["state_based_conflicts"] = _acd_span(data)
    coverage["nonstate_conflicts"] = _span_list(data.table("ucdp_nonstate", "non-state conflicts"))
    last_universe = _universe(data, end) or _universe(data, min(end, 2022))
    members = group.codes(end, last_universe if group.region is not None else [])
    notes = _notes(coverage, start, end)
    summary = _summary(rows)
    info: dict[str, Any] = (group.region.to_dict() if group.region is not None else
                            {"name": group.name, "kind": "grouping"})  # fmt: skip
    if group.region is not None:
        info.pop("codes", None)
    info["members_last_year"] = members
    info["members_iso3"] = {str(c): iso3_of(c) for c in members}
    return {"region": info, "from": start, "to": end, "series": rows, "summary": summary,
            "coverage": coverage, "sources": _sources(data), "notes": notes}  # fmt: skip


_NET_KEYS = ("alliance_density", "alliance_blocs", "alliance_modularity",
             "alliance_polarisation", "alliance_states")  # fmt: skip
_CONFLICT_KEYS = ("state_based_conflicts", "nonstate_conflicts", "nonstate_fatalities_best")


def _network(data: _Data, group: Group, years: list[int]) -> dict[int, dict[str, Any]]:
    from foedus.measures.networks import network_years

    atop = data.atop
    span = _span(atop)
    if atop is None or span is None:
        return {}
    inside = [y for y in years if span[0] <= y <= span[1]]
    if not inside:
        return {}
    # Nodes: the states NMC lists (the COW system, to 2022; the COW list itself ends in 2016).
    nmc = data.nmc
    if nmc is not None:
        states = nmc.select("ccode", "year").filter(pl.col("year").is_in(inside))
    else:
        states = pl.concat([atop.select(pl.col("ccode1").alias("ccode"), "year"),
                            atop.select(pl.col("ccode2").alias("ccode"), "year")]).unique()
        states = states.filter(pl.col("year").is_in(inside))
    states = group.mark(states, "ccode", "_in").filter("_in").drop("_in")
    ddy = atop.filter(pl.col("year").is_in(inside))
    ddy = group.mark(group.mark(ddy, "ccode1", "_a"), "ccode2", "_b").filter(
        pl.col("_a") & pl.col("_b")).drop("_a", "_b")
    net = network_years(ddy, (inside[0], inside[-1]), states=states)
    return {
        int(r["year"]): {"alliance_density": r["density"], "alliance_blocs": r["blocs"],
                         "alliance_modularity": r["modularity"],
                         "alliance_polarisation": r["polarisation"],
                         "alliance_states": r["nodes"]}
        for r in net.iter_rows(named=True)
    }  # fmt: skip


def _acd_span(data: _Data) -> list[int] | None:
    return _span_list(data.table("ucdp_acd_raw", "state-based conflicts located in the region"))


def _span_list(df: pl.DataFrame | None) -> list[int] | None:
    s = _span(df)
    return list(s) if s else None


def _conflicts(data: _Data, group: Group, years: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {y: {k: None for k in _CONFLICT_KEYS} for y in years}
    acd = data.table("ucdp_acd_raw", "state-based conflicts located in the region")
    span = _span(acd)
    if acd is not None and span is not None:
        loc = acd.filter(pl.col("year").is_in(years)).with_columns(
            pl.col("gwno_loc").str.split(",").list.eval(pl.element().str.strip_chars()
                                                         .cast(pl.Int64)).alias("gwcode")
        ).explode("gwcode")  # fmt: skip
        loc = group.mark(loc, "gwcode", "_in").filter("_in")
        counts = dict(loc.group_by("year").agg(pl.col("conflict_id").n_unique()).iter_rows())
        for y in years:
            if span[0] <= y <= span[1]:
                out[y]["state_based_conflicts"] = int(counts.get(y, 0))
    ns = data.table("ucdp_nonstate", "non-state conflicts located in the region")
    span = _span(ns)
    if ns is not None and span is not None:
        # a dyad-year fought in two member countries counts once
        raw = ns.with_columns(pl.col("gwno_location").str.split(",").list.eval(
            pl.element().str.strip_chars().cast(pl.Int64)).alias("ccode")).explode("ccode")  # fmt: skip
        raw = group.mark(raw, "ccode", "_in").filter("_in").unique(["dyad_id", "year"])
        agg = {int(r[0]): (int(r[1]), int(r[2])) for r in raw.group_by("year").agg(
            pl.col("conflict_id").n_unique(), pl.col("best_fatality_estimate").sum()).iter_rows()}  # fmt: skip
        for y in years:
            if span[0] <= y <= span[1]:
                conflicts, deaths = agg.get(y, (0, 0))
                out[y]["nonstate_conflicts"] = conflicts
                out[y]["nonstate_fatalities_best"] = deaths
    return out


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def first_last(key: str) -> tuple[Any, Any, Any, Any]:
        present = [(r["year"], r[key]) for r in rows if r.get(key) is not None]
        if not present:
            return None, None, None, None
        return present[0][0], present[0][1], present[-1][0], present[-1][1]

    out: dict[str, Any] = {}
    for key in ("cinc_share", "milex_share", "un_distance_within", "alliance_density",
                "alliance_blocs"):  # fmt: skip
        y0, v0, y1, v1 = first_last(key)
        out[f"{key}_first_year"], out[f"{key}_first"] = y0, v0
        out[f"{key}_last_year"], out[f"{key}_last"] = y1, v1
    for key in ("arms_within", "arms_into", "arms_out", "arms_world", "state_based_conflicts",
                "nonstate_conflicts", "nonstate_fatalities_best"):  # fmt: skip
        values = [r[key] for r in rows if r.get(key) is not None]
        out[f"{key}_total"] = sum(values) if values else None
        out[f"{key}_years"] = len(values)
    within, into = out["arms_within_total"], out["arms_into_total"]
    if within is not None and into is not None and within + into > 0:
        out["arms_imports_from_inside_share"] = within / (within + into)
    return out


def _notes(coverage: dict[str, Any], start: int, end: int) -> list[str]:
    notes = []
    labels = {"cinc": "NMC CINC", "milex": "SIPRI military expenditure", "arms": "SIPRI arms "
              "transfers", "alliances": "ATOP alliances", "un_idealpoints": "UN ideal points",
              "exercises": "MME exercises", "dcas": "DCAD agreements",
              "state_based_conflicts": "UCDP/PRIO ACD (official file)",
              "nonstate_conflicts": "UCDP non-state conflicts"}  # fmt: skip
    for key, span in coverage.items():
        if span is None:
            notes.append(f"{labels.get(key, key)}: not imported — values null")
        elif start < span[0] or end > span[1]:
            notes.append(f"{labels.get(key, key)} covers {span[0]}–{span[1]}: values outside are "
                         "null")
    return notes


def compare_groupings(a: str, b: str, year: int, *, warehouse: Any = None,
                      custom: Any = None) -> dict[str, Any]:  # fmt: skip
    """Compare two groupings (or regions) in ``year``: shares of world capability and military
    spending, arms trade within and between, UN alignment within and between, alliance ties,
    joint exercises and DCAs.

    Capability and spending use the membership of ``year``; when ``year`` is past a source's
    last year (NMC v7: 2022) the latest year available is used and named (``cinc_year``).
    Exercises (MME, 1980–2010) and DCAs (DCAD, 1980–2010) are null outside their years.

    Example:
        >>> out = compare_groupings("BRICS", "G7", 2023, warehouse=wh)  # doctest: +SKIP
        >>> out["cinc"]["year_used"]  # doctest: +SKIP
        2022
    """
    if a.strip().lower() == b.strip().lower():
        raise FoedusError("the two groupings are the same", fix="name two different groupings")
    _years(year, year)
    data = _Data(warehouse)
    ga = group_for(a, year, year, warehouse=warehouse, custom=custom)
    gb = group_for(b, year, year, warehouse=warehouse, custom=custom)
    universe = _universe(data, year) or _universe(data, 2022)
    codes_a = ga.codes(year, universe)
    codes_b = gb.codes(year, universe)
    notes: list[str] = []

    def share(table: pl.DataFrame | None, column: str, label: str) -> dict[str, Any]:
        span = _span(table)
        if table is None or span is None:
            notes.append(f"{label}: not imported")
            return {"year_used": None, ga.name: None, gb.name: None}
        used = min(year, span[1])
        if year > span[1]:
            notes.append(f"{label} ends in {span[1]}: shares are for {span[1]}, with the "
                         f"membership of {year}")
        if year < span[0]:
            return {"year_used": None, ga.name: None, gb.name: None, "coverage": list(span)}
        rows = table.filter(pl.col("year") == used).drop_nulls(column)
        world = float(rows[column].sum())
        out: dict[str, Any] = {"year_used": used, "coverage": list(span), "world": world}
        for g, codes in ((ga, codes_a), (gb, codes_b)):
            sub = rows.filter(pl.col("ccode").is_in(codes))
            total = float(sub[column].sum())
            out[g.name] = {"share": total / world if world else None, "total": total,
                           "members_with_data": sub.height, "members": len(codes),
                           "missing": sorted(set(codes) - set(sub["ccode"].to_list()))}  # fmt: skip
        overlap = sorted(set(codes_a) & set(codes_b))
        if overlap:
            out["overlap"] = overlap
        return out

    cinc = share(data.nmc, "cinc", "NMC CINC")
    milex = share(data.milex, "sipri_milex", "SIPRI military expenditure")
    arms = _arms(data, ga, gb, [year]).row(0, named=True)
    un = _un(data, [ga, gb], year, universe)
    if not un:
        notes.append("UN ideal points do not cover the year: alignment null")
    ties = _alliance_ties(data, codes_a, codes_b, year)
    if not ties:
        notes.append("ATOP 5.1 ends in 2018: alliance ties null"
                     + (" (NATO's membership itself comes from the curated facts)"
                        if "NATO" in (ga.name, gb.name) else ""))  # fmt: skip
    ex = _exercises_dcas(data, codes_a, codes_b, year)
    if "exercises" not in ex:
        notes.append("MME exercises cover 1980–2010: exercises null")
    if "dcas" not in ex:
        notes.append("DCAD covers agreements signed 1980–2010: DCAs null")
    from foedus.regions.groupings import GROUPINGS

    def describe(g: Group, codes: list[int]) -> dict[str, Any]:
        info: dict[str, Any] = {"name": g.name, "kind": g.kind, "members": codes,
                                "members_iso3": {str(c): iso3_of(c) for c in codes}}
        if g.name in GROUPINGS:
            info["title"] = GROUPINGS[g.name].title
            info["basis"] = GROUPINGS[g.name].basis
        return info

    arms_out = {k: v for k, v in arms.items() if k != "year"}
    return {
        "year": year,
        "a": describe(ga, codes_a), "b": describe(gb, codes_b),
        "cinc": cinc, "milex": milex,
        "arms": {"year": year, "coverage": list(data.arms_years) if data.arms_years else None,
                 "tiv": arms_out,
                 "labels": {"arms_a_to_b": f"{ga.name} → {gb.name}",
                            "arms_b_to_a": f"{gb.name} → {ga.name}",
                            "arms_within_a": f"within {ga.name}",
                            "arms_within_b": f"within {gb.name}"}},
        "un_alignment": ({"within_" + ga.name: un.get(ga.name), "within_" + gb.name:
                          un.get(gb.name), "between": un.get("between")} if un else None),
        "alliance_ties": ties or None,
        "exercises": ex.get("exercises"), "dcas": ex.get("dcas"),
        "coverage": _coverage(data), "sources": _sources(data), "notes": notes,
    }  # fmt: skip
