"""Alliance burden sharing: members' military spending, the 2 % guideline and the
Olson–Zeckhauser test of disproportionate burdens (``foedus burden ALLIANCE``).

**Members by year** come from the alliance registry (:mod:`foedus.alliances`): ATOP 5.1 member
spells to 2018, carried forward and changed by the curated facts afterwards. A state counts as a
member in a year when its membership is *in force* (or suspended) at some point of that year; a
state that has only *signed* (an accession protocol awaiting ratification: North Macedonia in
2019, Finland and Sweden in 2022) is listed as ``acceding`` and left out of every total. ATOP
dates membership from signature and has no separate in-force date, so before 2019 an accession
counts from the year its protocol was signed (Montenegro: 2016, joined 5 June 2017).

**Spending** is SIPRI's military expenditure (``sipri_milex``): ``milex`` in millions of constant
2022 US dollars and ``milex_gdp``, the share of GDP as a fraction (0.02 = 2 %). **GDP is derived**
as ``milex / milex_gdp`` (constant 2022 US$ m): SIPRI's shares are computed from current-price
spending and GDP, so the derived series is GDP deflated with the same (SIPRI's) deflator as the
spending. A member without a share (Iceland has no armed forces: spending 0, share missing) has no
derived GDP: it is counted in the spending total but left out of every GDP-based figure.

**The 2 % guideline** (NATO's Wales Summit pledge, 2014): ``meets_2pct`` is ``milex_gdp >= 0.02``
on SIPRI's figures, which differ from NATO's own (NATO's definition of defence expenditure and
its GDP estimates).

**Shares.** Among members with both spending and GDP, each member's share of the alliance's
spending and of its GDP, and their ratio (``burden_ratio`` > 1: it carries more than its economic
weight).

**Olson and Zeckhauser (1966)**: if an alliance provides a public good (deterrence), its larger
members carry a disproportionate share of the burden: across members, size (GDP) and burden
(spending as a share of GDP) are positively correlated. They tested it with the Spearman rank
correlation across the NATO members of 1964 (positive and significant). :func:`olson_zeckhauser` computes
Spearman's rho per year with ``scipy.stats.spearmanr`` (average ranks for ties), its two-sided
p-value and the one-sided p-value of the Olson–Zeckhauser hypothesis (rho > 0): exact (all
orderings) for up to eight members, the t approximation above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from foedus.errors import FoedusError, InvalidYearsError

__all__ = [
    "EXACT_UP_TO",
    "GUIDELINE",
    "BurdenSharing",
    "alliance_members_by_year",
    "burden_shares",
    "burden_sharing",
    "olson_zeckhauser",
]

#: NATO's spending guideline: 2 % of GDP (as a fraction, like SIPRI's shares).
GUIDELINE = 0.02

_MEMBER_STATUSES = ("in force", "suspended")


def _open(warehouse: Any) -> Any:
    from foedus.warehouse import Warehouse

    if isinstance(warehouse, Warehouse):
        return warehouse
    return Warehouse(warehouse, read_only=True)


_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")


def alliance_roster(data: Any, key: str, start: int, end: int) -> pl.DataFrame:
    """Member-years of alliance ``key`` in the loaded alliance data, with obligations.

    Columns: ``alliance_id``, ``year``, ``ccode``, ``abb``, ``name``, ``status``, ``member``,
    ``basis``, ``phase``, ``obligations`` (list). A state in two phases in one year keeps its latest
    spell. Shared by :func:`alliance_members_by_year` and the alliance assessment.

    Example:
        >>> from foedus.alliances.data import get_data  # doctest: +SKIP
        >>> alliance_roster(get_data(wh), "3180", 2019, 2019).height  # doctest: +SKIP
        29
    """
    spells = sorted((s for s in data.spells if s.key == key), key=lambda s: (s.start, s.phase))
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for spell in spells:
        for year in range(start, end + 1):
            if not spell.active(year):
                continue
            state = data.states.get(spell.member)
            status = spell.status(year)
            rows[(year, spell.member)] = {
                "alliance_id": key, "year": year, "ccode": spell.member, "abb": state.abb,
                "name": state.name, "status": status, "member": status in _MEMBER_STATUSES,
                "basis": spell.basis(year), "phase": spell.phase,
                "obligations": [o for o in _OBLIGATIONS if o in spell.obligations],
            }  # fmt: skip
    schema: dict[str, Any] = {
        "alliance_id": pl.String, "year": pl.Int64, "ccode": pl.Int64, "abb": pl.String,
        "name": pl.String, "status": pl.String, "member": pl.Boolean, "basis": pl.String,
        "phase": pl.Int64, "obligations": pl.List(pl.String),
    }  # fmt: skip
    return pl.DataFrame(list(rows.values()), schema=schema).sort("year", "ccode")


def alliance_members_by_year(
    name: str | int, start: int, end: int, *, warehouse: Any = None, curated: Any = None
) -> pl.DataFrame:
    """One row per state and year of an alliance's membership (registry: ATOP + curated facts).

    Columns: ``alliance_id``, ``year``, ``ccode``, ``abb``, ``name``, ``status`` (``in force``,
    ``suspended`` or ``signed``), ``member`` (True unless only signed), ``basis`` (``atop``,
    ``atop-carried-forward``, ``curated``). A state in two phases of the alliance in one year
    appears once (its latest spell).

    Example:
        >>> nato = alliance_members_by_year("NATO", 2019, 2020, warehouse="wh.duckdb")  # doctest: +SKIP
        >>> nato.filter(pl.col("abb") == "MAC").select("year", "member").rows()  # doctest: +SKIP
        [(2019, False), (2020, True)]
    """
    from foedus.alliances.data import check_year, get_data
    from foedus.alliances.registry import resolve_alliance

    if start > end:
        raise InvalidYearsError(f"the years {start}–{end} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    check_year(start)
    check_year(end)
    data = get_data(_open(warehouse), curated=curated)
    key = resolve_alliance(name, data)
    columns = ["alliance_id", "year", "ccode", "abb", "name", "status", "member", "basis"]
    return alliance_roster(data, key, start, end).select(columns)


def burden_shares(members: pl.DataFrame, milex: pl.DataFrame) -> pl.DataFrame:
    """Spending, % GDP, derived GDP, the 2 % guideline and shares per member-year.

    ``members``: ``year``, ``ccode`` (and any other columns, kept) of the member-years counted;
    ``milex``: ``ccode``, ``year``, ``sipri_milex`` (constant US$ m), ``sipri_milex_gdp``
    (fraction), as from :func:`foedus.frames.instruments.arms.milex_state_years`. Adds
    ``milex``, ``milex_gdp``, ``gdp`` (= milex / milex_gdp), ``meets_2pct`` (null without a
    share), ``complete`` (both spending and GDP known), ``share_milex`` and ``share_gdp``
    (within the year's complete members), ``burden_ratio`` = share_milex / share_gdp.

    Example:
        >>> import polars as pl
        >>> members = pl.DataFrame({"year": [2014, 2014], "ccode": [2, 200]})
        >>> milex = pl.DataFrame({"ccode": [2, 200], "year": [2014, 2014],
        ...     "sipri_milex": [750.0, 50.0], "sipri_milex_gdp": [0.03, 0.02]})
        >>> out = burden_shares(members, milex)
        >>> out.select("ccode", "gdp", "meets_2pct", "share_milex").rows()
        [(2, 25000.0, True, 0.9375), (200, 2500.0, True, 0.0625)]
    """
    m = milex.select(
        pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64),
        pl.col("sipri_milex").cast(pl.Float64).alias("milex"),
        pl.col("sipri_milex_gdp").cast(pl.Float64).alias("milex_gdp"),
    )  # fmt: skip
    df = members.join(m, on=["ccode", "year"], how="left", maintain_order="left")
    gdp = pl.when(pl.col("milex_gdp") > 0).then(pl.col("milex") / pl.col("milex_gdp"))
    df = df.with_columns(
        gdp.alias("gdp"),
        pl.when(pl.col("milex_gdp").is_null()).then(None)
        .otherwise(pl.col("milex_gdp") >= GUIDELINE).alias("meets_2pct"),
    )  # fmt: skip
    df = df.with_columns(
        (pl.col("milex").is_not_null() & pl.col("gdp").is_not_null()).alias("complete")
    )
    complete = pl.col("complete")
    df = df.with_columns(
        pl.when(complete).then(pl.col("milex") / pl.col("milex").filter(complete).sum()
                               .over("year")).alias("share_milex"),
        pl.when(complete).then(pl.col("gdp") / pl.col("gdp").filter(complete).sum()
                               .over("year")).alias("share_gdp"),
    )  # fmt: skip
    return df.with_columns((pl.col("share_milex") / pl.col("share_gdp")).alias("burden_ratio"))


#: Up to this many members the p-values are exact (all n! orderings), above it the t approximation.
EXACT_UP_TO = 8


def _exact_p(x: np.ndarray, y: np.ndarray, rho: float) -> tuple[float, float]:
    """Exact permutation p-values (two-sided, rho > 0) of Spearman's rho over all orderings."""
    from itertools import permutations

    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    rx = (rx - rx.mean()) / np.sqrt(((rx - rx.mean()) ** 2).sum())
    ry = (ry - ry.mean()) / np.sqrt(((ry - ry.mean()) ** 2).sum())
    perms = np.array(list(permutations(ry)))
    rhos = perms @ rx
    eps = 1e-12
    return float(np.mean(np.abs(rhos) >= abs(rho) - eps)), float(np.mean(rhos >= rho - eps))


def olson_zeckhauser(shares: pl.DataFrame) -> pl.DataFrame:
    """Spearman rank correlation between size (GDP) and burden (milex/GDP) per year.

    ``shares`` has ``year``, ``gdp``, ``milex_gdp`` (rows with either missing are left out).
    Columns: ``year``, ``n``, ``rho``, ``p_value`` (two-sided), ``p_greater`` (one-sided,
    rho > 0: the Olson–Zeckhauser hypothesis), ``p_method`` (``exact``: all orderings of up to
    :data:`EXACT_UP_TO` members; ``t``: the t approximation with n − 2 degrees of freedom, as
    ``scipy.stats.spearmanr``); null with fewer than 3 members or no variation.

    Example:
        >>> import polars as pl
        >>> df = pl.DataFrame({"year": [1964] * 4, "gdp": [600.0, 90.0, 80.0, 5.0],
        ...                    "milex_gdp": [0.09, 0.06, 0.07, 0.02]})
        >>> row = olson_zeckhauser(df).row(0, named=True)
        >>> row["n"], round(row["rho"], 3), round(row["p_greater"], 4), row["p_method"]
        (4, 0.8, 0.1667, 'exact')
    """
    from scipy.stats import spearmanr

    out = []
    data = shares.filter(pl.col("gdp").is_not_null() & pl.col("milex_gdp").is_not_null())
    for year in sorted(set(shares.get_column("year").to_list())):
        sub = data.filter(pl.col("year") == year)
        n = sub.height
        rho = p_two = p_one = method = None
        x, y = sub.get_column("gdp").to_numpy(), sub.get_column("milex_gdp").to_numpy()
        if n >= 3 and x.std() > 0 and y.std() > 0:
            two = spearmanr(x, y)
            rho = float(two.statistic)
            if n <= EXACT_UP_TO:
                p_two, p_one = _exact_p(x, y, rho)
                method = "exact"
            else:
                p_two = float(two.pvalue)
                p_one = float(spearmanr(x, y, alternative="greater").pvalue)
                method = "t"
        out.append({"year": year, "n": n, "rho": rho, "p_value": p_two, "p_greater": p_one,
                    "p_method": method})  # fmt: skip
    schema = {"year": pl.Int64, "n": pl.Int64, "rho": pl.Float64, "p_value": pl.Float64,
              "p_greater": pl.Float64, "p_method": pl.String}  # fmt: skip
    return pl.DataFrame(out, schema=schema)


@dataclass(frozen=True)
class BurdenSharing:
    """Burden sharing in one alliance over a span of years.

    ``members``: one row per state-year (members and acceding states) with spending, % GDP,
    derived GDP, the guideline and shares; ``years``: one row per year (members, members with
    data, totals, the alliance's spending/GDP, members meeting 2 %, the largest spender and its
    share, the Olson–Zeckhauser rho and p-values).
    """

    alliance_id: str
    atopid: int | None
    name: str
    start: int
    end: int
    members: pl.DataFrame
    years: pl.DataFrame
    milex_source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN as None).

        Example:
            >>> import polars as pl
            >>> b = BurdenSharing("3180", 3180, "NATO", 2014, 2014, pl.DataFrame(),
            ...                   pl.DataFrame({"year": [2014]}), "sipri-milex")
            >>> b.to_dict()["years"], b.to_dict()["olson_zeckhauser"]["years_tested"]
            ([{'year': 2014}], 0)
        """
        def clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                     for k, v in r.items()} for r in rows]  # fmt: skip

        return {
            "alliance": {"alliance_id": self.alliance_id, "atopid": self.atopid,
                         "name": self.name},
            "years": clean(self.years.to_dicts()),
            "members": clean(self.members.to_dicts()),
            "olson_zeckhauser": self.summary(),
            "units": {"milex": "US$ m, constant 2022 prices (SIPRI)",
                      "milex_gdp": "fraction of GDP", "gdp": "US$ m, derived milex / milex_gdp"},
            "source": self.milex_source,
        }  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """Olson–Zeckhauser over the span: years tested, mean rho, years with rho > 0 at 5 %.

        Example:
            >>> import polars as pl
            >>> years = pl.DataFrame({"year": [1964, 1965], "rho": [0.6, 0.2],
            ...                       "p_value": [0.01, 0.4]})
            >>> b = BurdenSharing("3180", 3180, "NATO", 1964, 1965, pl.DataFrame(), years, "x")
            >>> b.summary()["positive_significant_years"], round(b.summary()["mean_rho"], 2)
            ([1964], 0.4)
        """
        if "rho" not in self.years.columns:
            tested = pl.DataFrame()
        else:
            tested = self.years.filter(pl.col("rho").is_not_null())
        if tested.height == 0:
            return {"years_tested": 0, "mean_rho": None, "positive_significant_years": [],
                    "negative_significant_years": []}  # fmt: skip
        pos = tested.filter((pl.col("rho") > 0) & (pl.col("p_value") < 0.05))
        neg = tested.filter((pl.col("rho") < 0) & (pl.col("p_value") < 0.05))
        return {
            "years_tested": tested.height,
            "mean_rho": float(tested.get_column("rho").mean()),  # type: ignore[arg-type]
            "positive_significant_years": pos.get_column("year").to_list(),
            "negative_significant_years": neg.get_column("year").to_list(),
        }


def burden_sharing(
    alliance_name: str | int,
    start: int,
    end: int,
    *,
    warehouse: Any = None,
    curated: Any = None,
) -> BurdenSharing:
    """Burden sharing in an alliance (name, alias or ATOPID) for ``start``–``end``.

    Members by year from the registry (:func:`alliance_members_by_year`), spending from SIPRI
    (1949–2023 in the staged release; years outside it have members but no spending), shares
    and the guideline from :func:`burden_shares`, the Olson–Zeckhauser test from
    :func:`olson_zeckhauser`.

    Example:
        >>> b = burden_sharing("NATO", 2014, 2023, warehouse="wh.duckdb")  # doctest: +SKIP
        >>> b.years.filter(pl.col("year") == 2023)["members"].item()  # doctest: +SKIP
        31
    """
    from foedus.alliances.data import get_data
    from foedus.frames.instruments.arms import milex_state_years

    wh = _open(warehouse)
    roster = alliance_members_by_year(alliance_name, start, end, warehouse=wh, curated=curated)
    data = get_data(wh, curated=curated)
    from foedus.alliances.registry import resolve_alliance

    key = resolve_alliance(alliance_name, data)
    info = data.info[key]
    record = wh.active("sipri_milex")
    milex = milex_state_years(wh.table("sipri_milex"))
    lo, hi = int(milex["year"].min()), int(milex["year"].max())  # type: ignore[arg-type]
    if end < lo or start > hi:
        raise InvalidYearsError(
            f"SIPRI's military expenditure covers {lo}–{hi}, not {start}–{end}",
            fix=f"choose years within {lo}–{hi}",
        )
    if roster.height == 0:
        raise FoedusError(f"{info.name} has no members in {start}–{end}",
                          fix="check the alliance's years with `foedus alliance show`")  # fmt: skip
    counted = burden_shares(roster.filter(pl.col("member")), milex)
    acceding = roster.filter(~pl.col("member"))
    members = pl.concat([counted, acceding], how="diagonal_relaxed").sort("year", "ccode")
    tests = olson_zeckhauser(counted.filter(pl.col("complete")))
    per_year = (
        counted.group_by("year")
        .agg(
            pl.len().alias("members"),
            pl.col("complete").sum().alias("members_with_data"),
            pl.col("milex").sum().alias("total_milex"),
            pl.col("gdp").filter(pl.col("complete")).sum().alias("total_gdp"),
            pl.col("meets_2pct").sum().alias("meeting_2pct"),
            pl.col("abb").filter(pl.col("meets_2pct")).sort().alias("meeting_2pct_states"),
            pl.col("abb").filter(~pl.col("complete")).sort().alias("incomplete"),
            pl.col("milex").filter(pl.col("complete")).sum().alias("_milex_complete"),
            pl.col("abb").sort_by("milex", descending=True, nulls_last=True).first()
            .alias("largest"),
            pl.col("milex").max().alias("_largest_milex"),
        )
        .with_columns(
            pl.when(pl.col("total_gdp") > 0)
            .then(pl.col("_milex_complete") / pl.col("total_gdp")).alias("alliance_milex_gdp"),
            pl.when(pl.col("total_milex") > 0)
            .then(pl.col("_largest_milex") / pl.col("total_milex")).alias("largest_share_milex"),
            pl.when(pl.col("_largest_milex").is_null()).then(None).otherwise(pl.col("largest"))
            .alias("largest"),
        )
        .drop("_milex_complete", "_largest_milex")
    )  # fmt: skip
    acc = acceding.group_by("year").agg(pl.col("abb").sort().alias("acceding"))
    years = (
        pl.DataFrame({"year": list(range(start, end + 1))}, schema={"year": pl.Int64})
        .join(per_year, on="year", how="left", maintain_order="left")
        .join(acc, on="year", how="left", maintain_order="left")
        .join(tests.drop("n"), on="year", how="left", maintain_order="left")
        .with_columns(pl.col("acceding").fill_null([]))
        .sort("year")
    )  # fmt: skip
    return BurdenSharing(
        alliance_id=key, atopid=info.atopid, name=info.name, start=start, end=end,
        members=members, years=years, milex_source=f"{record.source} {record.version}",
    )  # fmt: skip
