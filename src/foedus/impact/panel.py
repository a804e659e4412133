"""The dyad-year panel the impact designs estimate on: treatments, outcomes and their coverage.

Unit: the **non-directed** COW dyad-year (``ccode1 < ccode2``), from the COW state system, with the
pair identified by ``dyad = ccode1 * 1000 + ccode2``. Every treatment and outcome is read through
the frame enrichers of :mod:`foedus.frames` (nothing is re-coded here), so a year a source does not
cover is *missing*, never 0; the designs then restrict their sample to the years every variable
they use covers, and say so (:func:`coverage_window`).

Treatments (:data:`TREATMENTS`) are binary "in treatment" indicators with an intensity (volume)
and an onset year (the first covered year the indicator is 1); outcomes (:data:`OUTCOMES`) are
alliance formation (onset of a new ATOP obligation of a type), alignment (alliance-portfolio S,
tau-b, UN ideal-point distance) and burden (the partner's military spending).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from foedus.errors import DegenerateSampleError, FoedusError, OutsideCoverageError

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "OBLIGATIONS",
    "OUTCOMES",
    "TREATMENTS",
    "USA",
    "Outcome",
    "Treatment",
    "add_formation",
    "add_treatment",
    "coverage_window",
    "get_outcome",
    "get_treatment",
    "impact_panel",
]

USA = 2

#: ATOP obligation types and their frame columns.
OBLIGATIONS: dict[str, str] = {
    "defense": "atop_defense",
    "offense": "atop_offense",
    "neutral": "atop_neutral",
    "nonagg": "atop_nonagg",
    "consul": "atop_consul",
    "any": "atop_alliance",
}


@dataclass(frozen=True)
class Treatment:
    """An instrument of military diplomacy as a treatment of a dyad-year.

    ``indicator`` and ``volume`` are Polars expressions on the enriched frame; ``coverage`` the
    first and last year its source covers (``gaps``: years inside it the source lacks);
    ``us_only`` marks US-only sources (the sample is then the United States' dyads).

    Example:
        >>> TREATMENTS["dca"].coverage
        (1980, 2010)
    """

    name: str
    label: str
    enrichers: tuple[str, ...]
    indicator: Callable[[], pl.Expr]
    volume: Callable[[], pl.Expr]
    coverage: tuple[int, int]
    sources: tuple[str, ...]
    gaps: tuple[int, ...] = ()
    us_only: bool = False
    note: str = ""
    continuous: bool = False

    def years(self) -> list[int]:
        """The covered years.

        Example:
            >>> 2006 in TREATMENTS["us-training"].years()
            False
        """
        lo, hi = self.coverage
        return [y for y in range(lo, hi + 1) if y not in self.gaps]


def _log1p(col: str) -> Callable[[], pl.Expr]:
    return lambda: pl.col(col).cast(pl.Float64).log1p()


#: The treatments, by name.
TREATMENTS: dict[str, Treatment] = {
    t.name: t
    for t in (
        Treatment("dca", "defence cooperation agreement in force (DCAD v1.0)", ("add_dcas",),
                  lambda: pl.col("dca_active") > 0, lambda: pl.col("dca_active").cast(pl.Float64),
                  (1980, 2010), ("dcad",),
                  note="onset = first year a DCA between the pair is in force (signature)"),
        Treatment("exercises", "joint military exercise that year (JME v3 or MME v7)",
                  ("add_joint_exercises",),
                  lambda: (pl.col("jme_joint") > 0) | (pl.col("mme_joint") > 0),
                  lambda: pl.max_horizontal("jme_joint", "mme_joint").cast(pl.Float64),
                  (1980, 2010), ("jme", "mme"),
                  note="1980-2010, the years both JME and MME cover"),
        Treatment("arms", "SIPRI arms deliveries between the pair that year (TIV > 0, either "
                  "direction)", ("add_arms_transfers",), lambda: pl.col("arms_tiv") > 0,
                  _log1p("arms_tiv"), (1950, 2024), ("sipri-arms-transfers",),
                  note="volume = log(1 + TIV delivered, both directions; each deal's TIV split "
                  "evenly over its delivery years)"),
        Treatment("us-training", "US training of the partner's military personnel (FMTR)",
                  ("add_us_training",), lambda: pl.col("us_training_students") > 0,
                  _log1p("us_training_students"), (1999, 2020), ("fmtr",), gaps=(2006,),
                  us_only=True),
        Treatment("us-troops", "US active-duty troops in the partner, 1,000 or more",
                  ("add_us_troops",), lambda: pl.col("us_troops") >= 1000,
                  _log1p("us_troops"), (1950, 2024), ("us-troops",), us_only=True,
                  note="threshold 1,000: embassy guards and attachés put a few US troops almost "
                  "everywhere"),
        Treatment("us-visits", "visit of a US senior defence leader (1992-2012)",
                  ("add_us_visits",), lambda: pl.col("us_visits") > 0,
                  lambda: pl.col("us_visits").cast(pl.Float64), (1992, 2012), ("us-visits",),
                  us_only=True),
        Treatment("pko", "peacekeepers of both states in the same operation (Geo-PKO: UN "
                  "operations in Africa)", ("add_pko",), lambda: pl.col("pko_codeployed") > 0,
                  lambda: pl.col("pko_shared_missions").cast(pl.Float64), (1994, 2018),
                  ("geo-pko",), note="Geo-PKO covers UN operations in Africa only"),
        Treatment("engagement", "bilateral military-engagement index (factor model of every "
                  "instrument, docs/engagement.md), fitted on the panel's own dyad-years",
                  ("engagement",), lambda: pl.col("engagement").is_not_null(),
                  lambda: pl.col("engagement"), (1950, 2024), ("sipri-arms-transfers", "dcad",
                  "jme", "mme", "geo-pko", "fmtr", "us-troops", "us-visits", "atop"),
                  continuous=True, note="continuous: TWFE on the index only (no onset, no event "
                  "study); the index shrinks toward 0 in years fewer instruments cover, and it "
                  "contains the pair's ATOP obligations, so its association with S and tau-b is "
                  "partly mechanical: prefer the UN distance outcome"),
        Treatment("us-aid", "US foreign assistance to the partner, economic and military "
                  "together (ForeignAssistance.gov obligations; no military split)", ("us-aid",),
                  lambda: pl.col("us_aid_constant") > 0, _log1p("us_aid_constant"),
                  (1946, 2021), ("us-foreign-aid",), us_only=True,
                  note="an economic-statecraft covariate: TOTAL US aid, not military aid"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """A dyad-year outcome: its column, label, covered years and kind.

    Example:
        >>> OUTCOMES["idealpointdist"].kind
        'alignment'
    """

    name: str
    column: str
    label: str
    kind: str
    coverage: tuple[int, int]
    sources: tuple[str, ...]
    binary: bool = False


#: The outcomes, by name.
OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        *(Outcome(f"formation-{k}", f"form_{k}", f"onset of a new ATOP {k} obligation between the "
                  "pair (either direction), among pairs without one the year before", "formation",
                  (1816, 2018), ("atop",), binary=True) for k in OBLIGATIONS),
        Outcome("s", "s_un_val_abs", "alliance-portfolio similarity S (Signorino-Ritter, "
                "unweighted, valued, absolute distance; global system)", "alignment",
                (1816, 2018), ("atop", "cow-states")),
        Outcome("tau-b", "tau_b", "alliance-portfolio tau-b", "alignment", (1816, 2018),
                ("atop", "cow-states")),
        Outcome("idealpointdist", "idealpointdist", "distance between the two states' UN General "
                "Assembly ideal points (Bailey, Strezhnev & Voeten)", "alignment", (1946, 2024),
                ("unga-ideal-points",)),
        Outcome("milex-gdp", "sipri_milex_gdp2", "the partner's military expenditure as a share "
                "of GDP, a fraction (0.02 = 2%; SIPRI; US dyads, partner = the non-US state)", "burden", (1949, 2023),
                ("sipri-milex",)),
        Outcome("milex", "log_milex2", "log of the partner's military expenditure, constant "
                "2022 USD (SIPRI; US dyads)", "burden", (1949, 2023), ("sipri-milex",)),
    )
}  # fmt: skip


def get_treatment(name: str) -> Treatment:
    """The treatment called ``name`` (clear error listing the valid ones).

    Example:
        >>> get_treatment("DCA").name
        'dca'
    """
    key = name.strip().lower().replace("_", "-")
    if key not in TREATMENTS:
        raise FoedusError(f"unknown treatment '{name}'",
                          fix="use one of: " + ", ".join(TREATMENTS))  # fmt: skip
    return TREATMENTS[key]


def get_outcome(name: str) -> Outcome:
    """The outcome called ``name`` (clear error listing the valid ones).

    Example:
        >>> get_outcome("formation-defense").column
        'form_defense'
    """
    key = name.strip().lower().replace("_", "-")
    if key not in OUTCOMES:
        raise FoedusError(f"unknown outcome '{name}'",
                          fix="use one of: " + ", ".join(OUTCOMES))  # fmt: skip
    return OUTCOMES[key]


def coverage_window(
    requested: tuple[int, int] | None, *parts: tuple[str, tuple[int, int]]
) -> tuple[tuple[int, int], str]:
    """The years every part covers, intersected with ``requested``; and a sentence saying so.

    Raises :class:`OutsideCoverageError` when the request lies outside a part's coverage.

    Example:
        >>> coverage_window(None, ("DCAD", (1980, 2010)), ("S", (1816, 2018)))[0]
        (1980, 2010)
        >>> coverage_window((2015, 2020), ("DCAD", (1980, 2010)))
        Traceback (most recent call last):
        ...
        foedus.errors.OutsideCoverageError: years 2015-2020 lie outside DCAD's coverage (1980-2010); a treatment is missing, never 0, outside its years. Fix: ask for years within 1980-2010
    """
    lo = max(p[1][0] for p in parts)
    hi = min(p[1][1] for p in parts)
    if requested is not None:
        a, b = requested
        if a > b:
            raise OutsideCoverageError(f"first year {a} is after last year {b}",
                                       fix="give years as FIRST-LAST")  # fmt: skip
        for name, (p_lo, p_hi) in parts:
            if b < p_lo or a > p_hi:
                raise OutsideCoverageError(
                    f"years {a}-{b} lie outside {name}'s coverage ({p_lo}-{p_hi}); a treatment "
                    "is missing, never 0, outside its years",
                    fix=f"ask for years within {max(lo, p_lo)}-{min(hi, p_hi)}",
                )
        lo, hi = max(lo, a), min(hi, b)
    if lo > hi:
        names = ", ".join(f"{n} {c[0]}-{c[1]}" for n, c in parts)
        raise OutsideCoverageError(f"the sources share no year ({names})",
                                   fix="choose a treatment and an outcome covered together")
    text = (f"years restricted to {lo}-{hi}, the years covered by "
            + ", ".join(f"{n} ({c[0]}-{c[1]})" for n, c in parts))  # fmt: skip
    return (lo, hi), text


_PANELS: dict[tuple[Any, ...], tuple[pl.DataFrame, Frame]] = {}


def impact_panel(
    warehouse: Any,
    years: tuple[int, int],
    enrichers: Sequence[str],
    *,
    us_only: bool = False,
    similarity: Sequence[str] = (),
) -> tuple[pl.DataFrame, Frame]:
    """Non-directed COW dyad-years ``years`` with the named Frame enrichers applied.

    Adds ``dyad`` (``ccode1 * 1000 + ccode2``). ``us_only`` keeps the United States' dyads;
    ``similarity`` adds those alliance-portfolio measures. Cached per process by warehouse
    imports and arguments. Returns the Polars table and the Frame (for its provenance).

    Example:
        >>> df, frame = impact_panel("wh.duckdb", (1980, 2010), ["add_dcas"])  # doctest: +SKIP
        >>> df.columns[:4]  # doctest: +SKIP
        ['ccode1', 'ccode2', 'year', 'dca_active']
    """
    from foedus.frames.universe import dyad_years
    from foedus.warehouse import Warehouse

    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)
    stamp = tuple(sorted((r.table, r.sha256) for r in wh.records()))
    key = (str(wh.path), stamp, years, tuple(enrichers), us_only, tuple(similarity))
    if key in _PANELS:
        return _PANELS[key]
    frame = dyad_years("cow", directed=False, years=years, warehouse=wh)
    if us_only:
        from dataclasses import replace

        frame = replace(frame, df=frame.df.filter(pl.col("ccode1") == USA))
    for name in enrichers:
        if name == "engagement":
            from foedus.measures.engagement import add_engagement

            frame = add_engagement(frame, bootstrap=0)
        elif name.startswith("add_"):
            frame = getattr(frame, name)()
        else:
            frame = frame.enrich([name])
    if similarity:
        frame = frame.add_alliance_similarity(list(similarity))
    df = frame.df.with_columns((pl.col("ccode1") * 1000 + pl.col("ccode2")).alias("dyad"))
    df = df.sort("dyad", "year")
    _PANELS.clear()  # one panel at a time: they are large
    _PANELS[key] = (df, frame)
    return df, frame


def _lag(expr: pl.Expr) -> pl.Expr:
    """Previous year's value in the same dyad (null when that year is not in the panel)."""
    prev = expr.shift(1).over("dyad", order_by="year")
    gap = pl.col("year").shift(1).over("dyad", order_by="year")
    return pl.when(gap == pl.col("year") - 1).then(prev)


def add_formation(df: pl.DataFrame) -> pl.DataFrame:
    """Add ``form_<type>``: 1 when the pair has an ATOP obligation of the type this year but not
    the year before, 0 when it has none in either, null when it had one the year before (not at
    risk) or either year is outside ATOP. Needs ``dyad``, ``year`` and the ATOP columns.

    Example:
        >>> df = pl.DataFrame({"dyad": [1, 1, 1], "year": [2000, 2001, 2002],
        ...     **{c: [0.0, 1.0, 1.0] for c in OBLIGATIONS.values()}})
        >>> add_formation(df)["form_defense"].to_list()
        [None, 1, None]
    """
    out = []
    for k, col in OBLIGATIONS.items():
        prev = _lag(pl.col(col))
        out.append(
            pl.when(prev == 0)
            .then((pl.col(col) > 0).cast(pl.Int64))
            .otherwise(None)
            .alias(f"form_{k}")
        )
    return df.with_columns(out)


def add_treatment(df: pl.DataFrame, treatment: Treatment) -> pl.DataFrame:
    """Add ``D`` (0/1 in treatment), ``V`` (volume), ``cohort`` (onset year; 0 never treated in
    the panel's covered years; null when already treated in the first covered year, whose onset
    is unknown) and ``ever`` (cumulative count of treated years up to and including this one).
    Outside the treatment's covered years ``D`` and ``V`` are null.

    Example:
        >>> df = pl.DataFrame({"dyad": [1, 1, 1, 2, 2, 2], "year": [1980, 1981, 1982] * 2,
        ...     "dca_active": [0, 1, 1, 1, 1, 0]})
        >>> add_treatment(df, TREATMENTS["dca"])["cohort"].to_list()
        [1981, 1981, 1981, None, None, None]
    """
    years = treatment.years()
    inside = pl.col("year").is_in(years)
    d = pl.when(inside).then(treatment.indicator().cast(pl.Int64))
    v = pl.when(inside).then(treatment.volume())
    df = df.with_columns(d.alias("D"), v.alias("V"))
    first_year = pl.col("year").filter(pl.col("D").is_not_null()).min().over("dyad")
    first_d = pl.col("D").filter(pl.col("year") == first_year).first().over("dyad")
    onset = pl.col("year").filter(pl.col("D") == 1).min().over("dyad")
    df = df.with_columns(
        pl.when(first_d == 1)
        .then(None)
        .when(onset.is_null())
        .then(0)
        .otherwise(onset)
        .cast(pl.Int64)
        .alias("cohort"),
        pl.col("D").fill_null(0).cum_sum().over("dyad", order_by="year").alias("ever"),
    )
    return df


def require_variation(df: pl.DataFrame, column: str, what: str, where: str) -> None:
    """Raise :class:`DegenerateSampleError` when ``column`` takes one value only in ``df``.

    Example:
        >>> require_variation(pl.DataFrame({"y": [1, 1]}), "y", "outcome 'y'", "test")
        Traceback (most recent call last):
        ...
        foedus.errors.DegenerateSampleError: test: outcome 'y' has no variation in the sample (every one of the 2 rows is 1). Fix: choose other years or another outcome; nothing was fitted
    """
    values = df.get_column(column).drop_nulls()
    if values.len() == 0:
        raise DegenerateSampleError(f"{what} is missing in every row of the sample", where=where,
                                    fix="choose years the outcome's source covers")  # fmt: skip
    if values.n_unique() < 2:
        raise DegenerateSampleError(
            f"{what} has no variation in the sample (every one of the {values.len():,} rows is "
            f"{values[0]})",
            where=where,
            fix="choose other years or another outcome; nothing was fitted",
        )


@dataclass
class PanelSpec:
    """What a panel design used: years, coverage sentence, sources."""

    years: tuple[int, int]
    coverage: str
    sources: list[str] = field(default_factory=list)
