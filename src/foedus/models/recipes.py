"""Canonical conflict designs as one-call recipes on the warehouse's real data.

Each recipe builds its frame from the warehouse (frames + enrichers), derives the design's
variables, fits the model with :func:`foedus.models.fit` and returns a :class:`RecipeResult`:
N, the coefficient table, the sample definition, what each variable means, which covariates of
the published design are unavailable in the shared data and why, and each key term's sign and
significance next to the published finding. ``docs/models.md`` records what they found.

* :func:`dangerous_dyads` — Bremer (1992) as in peacesciencer's vignette: MID onset on
  non-directed politically relevant dyad-years, 1816–2010.
* :func:`alliance_deterrence` — Leeds (2003), Johnson & Leeds (2011): MID initiation on directed
  dyad-years against the target's defensive commitments from third parties.
* :func:`engagement_conflict` — MID onset against defence cooperation agreements, joint exercises,
  arms transfers and the engagement index, 1980–2010.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from foedus.errors import FoedusError
from foedus.models.runner import ModelResult, fit

WarehouseArg = Any  # a foedus Warehouse, a path, or None (the default warehouse)

#: GML MID 2.2.1 coverage: the outcome exists for these years only.
GML_YEARS = (1816, 2010)
#: ATOP 5.1 coverage.
ATOP_YEARS = (1815, 2018)


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Published:
    """A published finding for one term: the direction (``"+"``, ``"-"``) and where it is from.

    Example:
        >>> Published("-", True, "Leeds (2003)").direction
        '-'
    """

    direction: str
    significant: bool
    source: str


@dataclass(frozen=True)
class RecipeResult:
    """What a recipe found: the model, the sample, the variables and the published comparison.

    ``model`` is the main model; ``models`` holds it under ``"main"`` plus any alternative
    specifications (e.g. ``"index"`` in :func:`engagement_conflict`). ``unavailable`` maps each
    covariate of the published design that the shared data cannot supply to the reason.

    Example:
        >>> res = alliance_deterrence("warehouse.duckdb")  # doctest: +SKIP
        >>> res.comparison().filter(pl.col("term") == "target_defense")  # doctest: +SKIP
    """

    name: str
    title: str
    design: str
    model: ModelResult
    sample_definition: str
    variables: dict[str, str]
    unavailable: dict[str, str]
    published: dict[str, Published]
    key_terms: tuple[str, ...]
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    models: dict[str, ModelResult] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def n(self) -> int:
        """Observations in the main model."""
        return self.model.n

    def comparison(self, model: str = "main") -> pl.DataFrame:
        """Each key term's estimate, standard error, p-value, sign and significance (5 %) next
        to the published direction, and whether they agree (``agrees`` is null where nothing
        was published).

        Example:
            >>> res = dangerous_dyads()  # doctest: +SKIP
            >>> res.comparison()["agrees"].to_list()  # doctest: +SKIP
        """
        fitted = self.models.get(model, self.model)
        rows = []
        for term in self.key_terms:
            if term not in fitted.terms:
                continue
            c = fitted.coefficient(term)
            sign = "+" if c["estimate"] > 0 else "-"
            pub = self.published.get(term)
            significant = bool(c["p_value"] < 0.05)
            rows.append(
                {
                    "term": term,
                    "estimate": c["estimate"],
                    "std_error": c["std_error"],
                    "p_value": c["p_value"],
                    "sign": sign,
                    "significant": significant,
                    "published": (
                        f"{pub.direction}{' (significant)' if pub.significant else ''}: "
                        f"{pub.source}"
                        if pub
                        else None
                    ),
                    "agrees": (
                        (sign == pub.direction and (significant or not pub.significant))
                        if pub and pub.direction in "+-"
                        else None
                    ),
                }
            )
        schema = {"term": pl.String, "estimate": pl.Float64, "std_error": pl.Float64,
                  "p_value": pl.Float64, "sign": pl.String, "significant": pl.Boolean,
                  "published": pl.String, "agrees": pl.Boolean}  # fmt: skip
        return pl.DataFrame(rows, schema=schema)

    def finding(self, term: str, model: str = "main") -> str:
        """One sentence: the term's estimate, SE, sign and significance, and the published one.

        Example:
            >>> alliance_deterrence().finding("target_defense")  # doctest: +SKIP
        """
        row = self.comparison(model).filter(pl.col("term") == term)
        if row.height == 0:
            raise FoedusError(f"'{term}' is not a key term", fix=f"use one of {self.key_terms}")
        r = row.row(0, named=True)
        text = (
            f"{term}: {r['estimate']:+.3f} (SE {r['std_error']:.3f}, p = {r['p_value']:.3g}), "
            f"{'positive' if r['sign'] == '+' else 'negative'} and "
            f"{'significant' if r['significant'] else 'not significant'} at 5 %"
        )
        if r["published"]:
            text += f"; published: {r['published']}"
            text += " — agrees" if r["agrees"] else " — differs"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (used by ``foedus assess … --json``).

        Example:
            >>> sorted(dangerous_dyads().to_dict())[:3]  # doctest: +SKIP
            ['comparison', 'design', 'key_terms']
        """
        return {
            "recipe": self.name,
            "title": self.title,
            "design": self.design,
            "n": self.n,
            "sample_definition": self.sample_definition,
            "variables": self.variables,
            "unavailable": self.unavailable,
            "key_terms": list(self.key_terms),
            "comparison": self.comparison().to_dicts(),
            "model": self.model.to_dict(),
            "models": {
                k: v.to_dict() | {"comparison": self.comparison(k).to_dicts()}
                for k, v in self.models.items()
                if k != "main"
            },
            "sources": list(self.sources),
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
        }


# ---------------------------------------------------------------------------------------------
# shared pieces
# ---------------------------------------------------------------------------------------------
def _open(warehouse: WarehouseArg) -> Any:
    from foedus.warehouse import Warehouse

    if isinstance(warehouse, Warehouse):
        return warehouse
    return Warehouse(Path(warehouse) if warehouse is not None else None, read_only=True)


def _years(years: tuple[int, int], limit: tuple[int, int], what: str) -> tuple[int, int]:
    first, last = int(years[0]), int(years[1])
    if first > last:
        raise FoedusError(f"the years {first}–{last} are reversed", fix="give FIRST ≤ LAST")
    if last < limit[0] or first > limit[1]:
        raise FoedusError(
            f"the years {first}–{last} are outside {what} ({limit[0]}–{limit[1]})",
            fix=f"choose years within {limit[0]}–{limit[1]}",
        )
    return max(first, limit[0]), min(last, limit[1])


def _weak_link_min(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    # The lower of the two values, null when either is missing (min_horizontal skips nulls).
    return pl.when(a.is_null() | b.is_null()).then(None).otherwise(pl.min_horizontal(a, b))


def _dyad_controls() -> list[pl.Expr]:
    """Bremer-style dyadic controls from contiguity, major powers and NMC."""
    total = pl.col("cinc1") + pl.col("cinc2")
    return [
        (pl.col("conttype") == 1).cast(pl.Float64).alias("landcontig"),
        ((pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)).cast(pl.Float64).alias("cowmajdyad"),
        pl.when(total > 0)
        .then((pl.max_horizontal("cinc1", "cinc2") / total).log())
        .otherwise(None)
        .alias("caprat"),
        _weak_link_min(
            pl.col("milper1") / pl.col("tpop1") * 1000, pl.col("milper2") / pl.col("tpop2") * 1000
        ).alias("minmilit"),
    ]


_CONTROL_DEFINITIONS = {
    "landcontig": "1 if the two states share a land border (COW direct contiguity conttype = 1)",
    "cowmajdyad": "1 if either state is a COW major power",
    "caprat": "log of the stronger state's share of the dyad's CINC (NMC): capability "
    "preponderance, from log(0.5) at parity to 0",
    "minmilit": "weak-link militarisation: the lower of the two states' military personnel per "
    "1,000 population (NMC milper/tpop)",
    "atop_defense": "1 if the dyad has an ATOP defence obligation (ATOP 5.1)",
    "atop_alliance": "1 if the two states share any ATOP alliance",
}

_PEACE_YEARS = (
    "peace-years: gmlmidspell (years since the dyad's last dispute year, peacesciencer's "
    "add_spells rule), its square and cube (Carter & Signorino 2010)"
)

_NOT_IN_DATA = {
    "democracy": "no regime-type data (Polity, V-Dem, or the extended Unified Democracy Scores "
    "behind peacesciencer's add_democracy) is in the shared data",
    "development": "no GDP per capita data (peacesciencer's add_sim_gdp_pop / Anders et al.) is in "
    "the shared data",
}


def _fit_kwargs(family: str, cluster: str | None) -> dict[str, Any]:
    return {"family": family, "peace_years": "cubic", "spell": "gmlmidspell", "cluster": cluster}


def _with_sample(model: ModelResult, definition: str) -> ModelResult:
    return replace(model, sample=definition)


# ---------------------------------------------------------------------------------------------
# Bremer (1992): dangerous dyads
# ---------------------------------------------------------------------------------------------
def dangerous_dyads(
    warehouse: WarehouseArg = None,
    *,
    years: tuple[int, int] = GML_YEARS,
    alliance: str = "defense",
    family: str = "logit",
    cluster: str | None = "dyad",
) -> RecipeResult:
    """Bremer's (1992) "dangerous dyads" on non-directed politically relevant dyad-years, as in
    peacesciencer's vignette (``vignettes/bremer-example.Rmd``).

    Frame: non-directed COW dyad-years (default 1816–2010, GML MID coverage) → politically
    relevant dyads → GML MID onset → peace-years → NMC → ATOP, in the vignette's order. Model:
    ``gmlmidonset ~ landcontig + cowmajdyad + atop_defense + caprat + minmilit`` + cubic
    peace-years, logit with dyad-clustered SEs. ``alliance="any"`` uses ``atop_alliance``
    instead of the defence pact. Democracy and GDP per capita are not in the shared data and are
    listed in ``unavailable``.

    Example:
        >>> res = dangerous_dyads("warehouse.duckdb")  # doctest: +SKIP
        >>> res.n, res.model.coefficient("landcontig")["estimate"] > 0  # doctest: +SKIP
        (111842, True)
    """
    from foedus.frames.universe import dyad_years

    started = time.perf_counter()
    span = _years(years, GML_YEARS, "GML MID coverage")
    if alliance not in ("defense", "any"):
        raise FoedusError(f"unknown alliance measure '{alliance}'", fix="use defense or any")
    wh = _open(warehouse)
    frame = (
        dyad_years("cow", directed=False, years=span, warehouse=wh)
        .add_contiguity()
        .add_cow_majors()
        .filter_prd()
        .add_gml_mids(keep=[])
        .add_peace_years()
        .add_nmc()
        .add_atop_alliance()
    )
    df = frame.df.with_columns(_dyad_controls())
    ally = "atop_defense" if alliance == "defense" else "atop_alliance"
    covariates = ["landcontig", "cowmajdyad", ally, "caprat", "minmilit"]
    model = fit(df, "gmlmidonset", covariates, **_fit_kwargs(family, cluster))
    definition = (
        f"non-directed COW dyad-years {span[0]}–{span[1]} (GML MID 2.2.1 coverage), politically "
        "relevant dyads only (directly contiguous, conttype 1–5, or either state a COW major "
        "power), built in peacesciencer's vignette order: filter_prd → add_gml_mids → "
        "add_spells → add_nmc → add_atop_alliance; dispute-continuation years kept with onset 0 "
        f"(as the vignette). {frame.df.height:,} dyad-years; listwise deletion dropped "
        f"{model.n_dropped:,}"
        + _dropped_text(model)
        + f"; N = {model.n:,} with {model.n_events:,} onsets in {model.n_clusters or 0:,} dyads."
    )
    published = {
        "landcontig": Published("+", True, "Bremer (1992): contiguity, the strongest condition"),
        ally: Published("-", True, "Bremer (1992): absence of alliance makes dyads dangerous"),
        "caprat": Published(
            "-", True, "Bremer (1992): absence of overwhelming preponderance makes dyads dangerous"
        ),  # fmt: skip
        "cowmajdyad": Published("+", True, "Bremer (1992): presence of a major power"),
        "minmilit": Published(
            "+",
            False,
            "Bremer (1992): militarisation raises war in bivariate analysis; it is "
            "not among his multivariate conditions",
        ),  # fmt: skip
    }
    model = _with_sample(model, definition)
    return RecipeResult(
        name="dangerous-dyads",
        title='"Dangerous dyads" (Bremer 1992) on politically relevant dyad-years',
        design="Bremer (1992, JCR 36(2)); peacesciencer's replication vignette (Miller 2022)",
        model=model,
        sample_definition=definition,
        variables={
            "gmlmidonset": "1 in a dyad-year with the onset of a GML militarized interstate "
            "dispute (MID 2.2.1), else 0",
            **{c: _CONTROL_DEFINITIONS[c] for c in covariates},
            "gmlmidspell": _PEACE_YEARS,
        },
        unavailable={
            "mindemest (weak-link democracy)": _NOT_IN_DATA["democracy"],
            "minmgdppc (weak-link GDP per capita)": _NOT_IN_DATA["development"],
        },
        published=published,
        key_terms=tuple(covariates),
        sources=tuple(frame.sources()),
        notes=(
            "Bremer's outcome was war onset 1816–1965 with all dyads; the vignette (and this "
            "recipe) use GML MID onset on politically relevant dyads.",
            "The vignette measures capability as the weaker/stronger CINC proportion (parity, "
            "expected +) rescaled by two SDs; this recipe uses the log of the stronger's share "
            "(preponderance, expected −): a monotone decreasing transform of the same ratio.",
            "Standard errors are clustered on the dyad (the vignette reports model-based SEs; "
            "the coefficients are the same).",
        ),
        models={"main": model},
        seconds=time.perf_counter() - started,
    )


def _dropped_text(model: ModelResult) -> str:
    parts = [f"{k}: {v:,}" for k, v in model.dropped_by_variable.items() if v]
    return f" ({', '.join(parts)} missing)" if parts else ""


# ---------------------------------------------------------------------------------------------
# Leeds (2003), Johnson & Leeds (2011): alliance deterrence
# ---------------------------------------------------------------------------------------------
def third_party_commitments(frame_df: pl.DataFrame, ddy: pl.DataFrame) -> pl.DataFrame:
    """Count the third-party ATOP commitments of each directed dyad-year (challenger ``ccode1``,
    target ``ccode2``).

    ``ddy`` is ATOP's directed dyad-year table (``ccode1`` has the obligation toward ``ccode2``).
    Added columns (null where the frame's year is outside ATOP's 1815–2018):

    * ``target_defense_n`` — states other than the challenger with a defence obligation toward
      the target;
    * ``challenger_offense_n`` — states other than the target with an offence obligation toward
      the challenger;
    * ``challenger_neutral_n`` — states other than the target with a neutrality obligation
      toward the challenger;
    * ``target_defense``, ``challenger_offense``, ``challenger_neutral`` — 1 if the count is
      above 0.

    Example:
        >>> ddy = pl.DataFrame({"ccode1": [200, 2, 220], "ccode2": [2, 200, 2], "year": [1900] * 3,
        ...                     "atop_defense": [1.0, 1.0, 1.0], "atop_offense": [0.0, 1.0, 0.0],
        ...                     "atop_neutral": [0.0, 0.0, 1.0]})
        >>> frame = pl.DataFrame({"ccode1": [200, 220], "ccode2": [2, 2], "year": [1900, 1900]})
        >>> third_party_commitments(frame, ddy).select("target_defense_n").to_series().to_list()
        [1.0, 1.0]
    """
    keys = ["ccode1", "ccode2", "year"]
    ddy = ddy.select(*keys, "atop_defense", "atop_offense", "atop_neutral")
    toward = ddy.group_by(pl.col("ccode2").alias("state"), "year").agg(
        pl.col("atop_defense").sum().alias("_def_in"),
        pl.col("atop_offense").sum().alias("_off_in"),
        pl.col("atop_neutral").sum().alias("_neu_in"),
    )
    own = ddy.select(*keys, pl.col("atop_defense").alias("_a_def_b"))
    reverse = ddy.select(
        pl.col("ccode2").alias("ccode1"),
        pl.col("ccode1").alias("ccode2"),
        "year",
        pl.col("atop_offense").alias("_b_off_a"),
        pl.col("atop_neutral").alias("_b_neu_a"),
    )
    out = (
        frame_df.join(
            toward.select(pl.col("state").alias("ccode2"), "year", "_def_in"),
            on=["ccode2", "year"], how="left", maintain_order="left",
        )
        .join(
            toward.select(pl.col("state").alias("ccode1"), "year", "_off_in", "_neu_in"),
            on=["ccode1", "year"], how="left", maintain_order="left",
        )
        .join(own, on=keys, how="left", maintain_order="left")
        .join(reverse, on=keys, how="left", maintain_order="left")
    )  # fmt: skip
    inside = pl.col("year").is_between(*ATOP_YEARS)
    counts = {
        "target_defense_n": pl.col("_def_in").fill_null(0) - pl.col("_a_def_b").fill_null(0),
        "challenger_offense_n": pl.col("_off_in").fill_null(0) - pl.col("_b_off_a").fill_null(0),
        "challenger_neutral_n": pl.col("_neu_in").fill_null(0) - pl.col("_b_neu_a").fill_null(0),
    }
    out = out.with_columns(
        pl.when(inside).then(expr.cast(pl.Float64)).otherwise(None).alias(name)
        for name, expr in counts.items()
    ).with_columns((pl.col(name) > 0).cast(pl.Float64).alias(name[:-2]) for name in counts)
    return out.drop("_def_in", "_off_in", "_neu_in", "_a_def_b", "_b_off_a", "_b_neu_a")


def alliance_deterrence(
    warehouse: WarehouseArg = None,
    *,
    years: tuple[int, int] = GML_YEARS,
    sample: str = "prd",
    commitments: str = "any",
    substitute: str | None = None,
    family: str = "logit",
    cluster: str | None = "dyad",
) -> RecipeResult:
    """Alliance deterrence (Leeds 2003; Johnson & Leeds 2011) on directed dyad-years.

    Outcome: ``initiation`` = 1 when a GML MID starts in the year and ``ccode1`` (the potential
    challenger) is an initiator (``init1``: on side A or a joiner); years of an ongoing dispute
    without a new onset are left out. Key covariates (:func:`third_party_commitments`, from
    ATOP's directed dyad-year table): the target's defensive commitments from third parties,
    the challenger's offensive and neutrality commitments from third parties (``commitments``:
    ``"any"`` 0/1, as Leeds, or ``"count"``). Controls: challenger and target allied, the
    challenger's share of the dyad's CINC, land contiguity, challenger and target major power,
    cubic peace-years. Joint democracy is not in the shared data; ``substitute=
    "idealpoint-distance"`` adds the UN ideal-point distance (from 1946, so earlier years drop
    out). ``sample``: politically relevant dyads (default) or all. Dyad-clustered SEs.

    Example:
        >>> res = alliance_deterrence("warehouse.duckdb")  # doctest: +SKIP
        >>> res.finding("target_defense")  # doctest: +SKIP
    """
    from foedus.frames.universe import dyad_years

    started = time.perf_counter()
    span = _years(years, GML_YEARS, "GML MID coverage")
    span = _years(span, ATOP_YEARS, "ATOP coverage")
    if sample not in ("prd", "all"):
        raise FoedusError(f"unknown sample '{sample}'", fix="use prd or all")
    if commitments not in ("any", "count"):
        raise FoedusError(f"unknown commitments measure '{commitments}'", fix="use any or count")
    sub = None if substitute in (None, "none") else substitute
    if sub not in (None, "idealpoint-distance"):
        raise FoedusError(
            f"unknown substitute '{substitute}'", fix="use none or idealpoint-distance"
        )
    wh = _open(warehouse)
    frame = (
        dyad_years("cow", directed=True, years=span, warehouse=wh)
        .add_contiguity()
        .add_cow_majors()
    )
    if sample == "prd":
        frame = frame.filter_prd()
    frame = frame.add_gml_mids(keep=["init1"]).add_peace_years().add_atop_alliance().add_nmc()
    if sub == "idealpoint-distance":
        frame = frame.add_ideal_point_distance()
    ddy, _ = frame._atop_obligations()
    df = third_party_commitments(frame.df, ddy)
    total = pl.col("cinc1") + pl.col("cinc2")
    ongoing = (pl.col("gmlmidongoing") == 1) & (pl.col("gmlmidonset") == 0)
    n_ongoing = int(df.select(ongoing.sum()).item())
    df = df.filter(~ongoing.fill_null(False)).with_columns(
        ((pl.col("gmlmidonset") == 1) & (pl.col("init1") == 1)).cast(pl.Float64).alias("initiation"),
        pl.when(total > 0).then(pl.col("cinc1") / total).otherwise(None).alias("capshare"),
        (pl.col("conttype") == 1).cast(pl.Float64).alias("landcontig"),
        pl.col("atop_alliance").alias("allied"),
    )  # fmt: skip
    suffix = "" if commitments == "any" else "_n"
    key = [f"target_defense{suffix}", f"challenger_offense{suffix}", f"challenger_neutral{suffix}"]
    covariates = [*key, "allied", "capshare", "landcontig", "cowmaj1", "cowmaj2"]
    if sub:
        covariates.append("idealpointdist")
    model = fit(df, "initiation", covariates, **_fit_kwargs(family, cluster))
    relevance = (
        "politically relevant directed dyads (directly contiguous, conttype 1–5, or either "
        "state a COW major power)"
        if sample == "prd"
        else "all directed dyads"
    )
    definition = (
        f"directed COW dyad-years {span[0]}–{span[1]} (GML MID and ATOP coverage), {relevance}; "
        f"{n_ongoing:,} dyad-years of an ongoing dispute without a new onset left out; "
        "outcome: a GML MID onset with ccode1 an initiator (init1); "
        f"listwise deletion dropped {model.n_dropped:,}{_dropped_text(model)}; N = {model.n:,} "
        f"with {model.n_events:,} initiations in {model.n_clusters or 0:,} dyads."
    )
    how = "1 if any" if commitments == "any" else "number of"
    variables = {
        "initiation": "1 when a GML MID starts in the year with ccode1 (the potential challenger) "
        "on side A or joining, else 0",
        key[0]: f"{how} third states (not the challenger) with an ATOP defence obligation toward "
        "the target (ccode2)",
        key[1]: f"{how} third states (not the target) with an ATOP offence obligation toward the "
        "challenger (ccode1)",
        key[2]: f"{how} third states (not the target) with an ATOP neutrality obligation toward "
        "the challenger (ccode1)",
        "allied": "1 if challenger and target share an ATOP alliance",
        "capshare": "challenger's share of the dyad's CINC, cinc1 / (cinc1 + cinc2) (NMC)",
        "landcontig": _CONTROL_DEFINITIONS["landcontig"],
        "cowmaj1": "1 if the challenger is a COW major power",
        "cowmaj2": "1 if the target is a COW major power",
        "gmlmidspell": _PEACE_YEARS,
    }
    if sub:
        variables["idealpointdist"] = (
            "absolute distance between the two states' UN General Assembly ideal points (Bailey, "
            "Strezhnev & Voeten), the stated substitute for joint democracy; from 1946"
        )
    unavailable = {
        "joint democracy": _NOT_IN_DATA["democracy"]
        + (
            "; substitute used: UN ideal-point distance (idealpointdist)"
            if sub
            else "; no substitute in the main model (substitute='idealpoint-distance' adds UN "
            "ideal-point distance, from 1946)"
        ),
        "commitment conditions": "Leeds counts only commitments that apply to a conflict with "
        "this challenger (conditions on the adversary, location, non-provocation); ATOP's "
        "dyad-year table codes obligations, not their conditions, so every defence obligation "
        "toward the target counts",
    }
    published = {
        key[0]: Published(
            "-", True, "Leeds (2003, AJPS 47(3)) and Johnson & Leeds (2011, FPA 7(1), "
            "1816–2000): defensive commitments to the target deter initiation"
        ),
        key[1]: Published("+", True, "Leeds (2003): offensive support promised to the challenger "
                                     "raises initiation"),
        key[2]: Published("+", True, "Leeds (2003): promises of neutrality to the challenger "
                                     "raise initiation"),
    }  # fmt: skip
    model = _with_sample(model, definition)
    return RecipeResult(
        name="deterrence",
        title="Alliance deterrence (Leeds 2003; Johnson & Leeds 2011) on directed dyad-years",
        design="Leeds (2003, AJPS 47(3): 427–439); Johnson & Leeds (2011, FPA 7(1): 45–65)",
        model=model,
        sample_definition=definition,
        variables=variables,
        unavailable=unavailable,
        published=published,
        key_terms=tuple(key),
        sources=tuple(frame.sources()),
        notes=(
            "Commitments come from ATOP 5.1's directed dyad-year table: an obligation of state "
            "A toward state B, whatever its conditions.",
            "Peace-years count years since the dyad's last dispute year in either direction.",
        ),
        models={"main": model},
        seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------------------------
# engagement and conflict
# ---------------------------------------------------------------------------------------------
def _engagement_adder() -> tuple[Callable[..., Any] | None, str]:
    try:
        module = importlib.import_module("foedus.measures.engagement")
    except ImportError as exc:
        return None, f"foedus.measures.engagement cannot be imported ({exc})"
    adder = getattr(module, "add_engagement", None)
    if adder is None:
        return None, "foedus.measures.engagement has no add_engagement"
    return adder, ""


def engagement_conflict(
    warehouse: WarehouseArg = None,
    *,
    years: tuple[int, int] = (1980, 2010),
    sample: str = "prd",
    index: bool = True,
    family: str = "logit",
    cluster: str | None = "dyad",
) -> RecipeResult:
    """Military engagement and dispute onset on non-directed dyad-years (default 1980–2010, the
    years DCAD, the exercise data and GML MIDs all cover).

    Main model: ``gmlmidonset ~ dca_active + jme_joint + log_arms`` + the dangerous-dyads
    controls (land contiguity, major-power dyad, ATOP defence pact, log capability
    preponderance, weak-link militarisation) + cubic peace-years, dyad-clustered SEs. With
    ``index`` and ``foedus.measures.engagement`` available, a second model (``models["index"]``)
    replaces the three instruments by the bilateral engagement index, fitted on every
    non-directed dyad-year of the period (no bootstrap). Peace-years are counted from 1816 so
    they are not left-censored at the first year.

    Example:
        >>> res = engagement_conflict("warehouse.duckdb")  # doctest: +SKIP
        >>> res.comparison()["term"].to_list()  # doctest: +SKIP
        ['dca_active', 'jme_joint', 'log_arms']
    """
    from foedus.frames.universe import dyad_years

    started = time.perf_counter()
    span = _years(years, GML_YEARS, "GML MID coverage")
    if sample not in ("prd", "all"):
        raise FoedusError(f"unknown sample '{sample}'", fix="use prd or all")
    wh = _open(warehouse)
    base = (
        dyad_years("cow", directed=False, years=(GML_YEARS[0], span[1]), warehouse=wh)
        .add_contiguity()
        .add_cow_majors()
    )
    if sample == "prd":
        base = base.filter_prd()
    base = base.add_gml_mids(keep=[]).add_peace_years()
    frame = replace(base, df=base.df.filter(pl.col("year").is_between(*span)))
    frame = frame.add_nmc().add_atop_alliance().add_dcas().add_joint_exercises()
    frame = frame.add_arms_transfers()
    df = frame.df.with_columns(*_dyad_controls(), pl.col("arms_tiv").log1p().alias("log_arms"))
    controls = ["landcontig", "cowmajdyad", "atop_defense", "caprat", "minmilit"]
    instruments = ["dca_active", "jme_joint", "log_arms"]
    kwargs = _fit_kwargs(family, cluster)
    model = fit(df, "gmlmidonset", [*instruments, *controls], **kwargs)
    unavailable: dict[str, str] = {
        "democracy": _NOT_IN_DATA["democracy"],
        "development": _NOT_IN_DATA["development"],
    }
    models = {"main": model}
    notes = [
        "DCAs (DCAD 1.0) cover 1980–2010, joint exercises (JME) 1970–2010, SIPRI arms transfers "
        "1950–2024, GML MIDs to 2010: years outside a source's coverage are missing, not 0.",
        "Instruments are measured in the same year as the onset: the design shows association, "
        "not deterrence or pacification (engagement is also chosen with conflict risk in mind).",
    ]
    variables = {
        "gmlmidonset": "1 in a dyad-year with a GML MID onset, else 0",
        "dca_active": "defence cooperation agreements in force between the two states (DCAD)",
        "jme_joint": "joint military exercises the two states took part in that year (JME)",
        "log_arms": "log(1 + SIPRI TIV delivered between the two states in the year, both "
        "directions)",
        **{c: _CONTROL_DEFINITIONS[c] for c in controls},
        "gmlmidspell": _PEACE_YEARS,
    }
    adder, why = _engagement_adder() if index else (None, "not asked for (index=False)")
    if adder is not None:
        try:
            scope = dyad_years("cow", directed=False, years=span, warehouse=wh)
            try:
                scored = adder(scope, bootstrap=0)
            except TypeError:
                scored = adder(scope)
            keys = ["ccode1", "ccode2", "year"]
            indexed = df.join(
                scored.df.select(*keys, "engagement"), on=keys, how="left", maintain_order="left"
            )
            models["index"] = fit(indexed, "gmlmidonset", ["engagement", *controls], **kwargs)
            variables["engagement"] = (
                "bilateral military-engagement index (foedus.measures.engagement: one-factor "
                "model of alliances, arms, DCAs, exercises, peace operations and US instruments), "
                "fitted on every non-directed dyad-year of the period"
            )
        except FoedusError as exc:
            why = f"the engagement index could not be computed: {exc}"
            adder = None
    if adder is None:
        unavailable["engagement index"] = why
    definition = (
        f"non-directed COW dyad-years {span[0]}–{span[1]}, "
        + (
            "politically relevant dyads only (directly contiguous or a major power)"
            if sample == "prd"
            else "all dyads"
        )
        + f"; peace-years counted from {GML_YEARS[0]}; dispute-continuation years kept with "
        f"onset 0; listwise deletion dropped {model.n_dropped:,}{_dropped_text(model)}; "
        f"N = {model.n:,} with {model.n_events:,} onsets in {model.n_clusters or 0:,} dyads."
    )
    notes.append(
        "No canonical published estimate exists for these instruments: the comparison column is "
        "empty. The cooperation (liberal) expectation is negative; the realist/selection "
        "expectation is that engagement goes with rivalry and risk (positive or null)."
    )
    if "index" in models:
        notes.append(
            "The engagement index includes ATOP alliance obligations among its instruments, so "
            "it overlaps with the atop_defense control."
        )
    models = {k: _with_sample(v, definition) for k, v in models.items()}
    return RecipeResult(
        name="engagement",
        title="Military engagement (DCAs, exercises, arms transfers, engagement index) and "
        "dispute onset",
        design="Dangerous-dyads controls with the instruments of military diplomacy",
        model=models["main"],
        sample_definition=definition,
        variables=variables,
        unavailable=unavailable,
        published={},
        key_terms=(*instruments, "engagement"),
        sources=tuple(frame.sources()),
        notes=tuple(notes),
        models=models,
        seconds=time.perf_counter() - started,
    )


#: The recipes by their CLI names.
RECIPES: dict[str, Callable[..., RecipeResult]] = {
    "dangerous-dyads": dangerous_dyads,
    "deterrence": alliance_deterrence,
    "engagement": engagement_conflict,
}

__all__ = [
    "ATOP_YEARS",
    "GML_YEARS",
    "RECIPES",
    "Published",
    "RecipeResult",
    "alliance_deterrence",
    "dangerous_dyads",
    "engagement_conflict",
    "third_party_commitments",
]
