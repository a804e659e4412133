"""The designs of the replication gallery (see :mod:`foedus.replications`, docs/replications.md).

Each ``_build_*`` takes a warehouse and a variant name and returns (model, sample definition,
notes, diagnostics). Published numbers are typed in only where they were read from the source
(table and page in ``Replication.table``); otherwise a term carries the published sign and
significance from the paper's abstract, and the table says "not at hand".
"""

from __future__ import annotations

from typing import Any

import polars as pl

from foedus.replications.model import PublishedTerm, Replication

#: ATOPIDs of the multilateral pacts Johnson & Leeds (2011) drop in a robustness check.
BIG_MULTILATERALS = {3180: "NATO", 3015: "Arab League Pact", 3205: "Arab League Joint Defence Treaty",
                     3150: "OAS Charter", 3075: "Rio Pact"}


# ---------------------------------------------------------------------------------------------
# Bremer (1992) as peacesciencer's vignette builds it
# ---------------------------------------------------------------------------------------------
def _build_bremer(wh: Any, variant: str) -> tuple[Any, str, list[str], dict[str, Any]]:
    from foedus.frames.universe import dyad_years
    from foedus.models.runner import fit

    frame = (
        dyad_years("cow", directed=False, years=(1816, 2010), warehouse=wh)
        .add_contiguity().add_cow_majors().filter_prd()
        .add_gml_mids(keep=[]).add_peace_years().add_nmc().add_democracy()
        .add_atop_alliance().add_sim_gdp_pop()
    )  # fmt: skip
    lo = pl.min_horizontal("cinc1", "cinc2")
    hi = pl.max_horizontal("cinc1", "cinc2")
    df = frame.df.with_columns(
        (pl.col("conttype") == 1).cast(pl.Float64).alias("landcontig"),
        ((pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)).cast(pl.Float64).alias("cowmajdyad"),
        pl.when(hi > 0).then(lo / hi).otherwise(None).alias("cincprop"),
        pl.when(pl.col("milper1").is_null() | pl.col("milper2").is_null()
                | (pl.col("tpop1") <= 0) | (pl.col("tpop2") <= 0)).then(None)
        .otherwise(pl.min_horizontal(pl.col("milper1") / pl.col("tpop1"),
                                     pl.col("milper2") / pl.col("tpop2"))).alias("minmilit"),
    )
    covariates = ["landcontig", "cowmajdyad", "cincprop", "atop_defense", "aeuds_min",
                  "mrgdppc_min", "minmilit"]
    model = fit(df, "gmlmidonset", covariates, family="logit", peace_years="cubic",
                spell="gmlmidspell", cluster=None)
    definition = (
        "non-directed COW dyad-years 1816–2010, politically relevant (contiguous or a major "
        "power), in the vignette's order: filter_prd → add_gml_mids → add_peace_years → add_nmc "
        "→ add_democracy → add_atop_alliance → add_sim_gdp_pop; outcome GML MID onset "
        f"(continuation years kept with 0, as the vignette); N = {model.n:,} with "
        f"{model.n_events:,} onsets; logit, model-based SEs (glm)."
    )
    notes = [
        "The vignette's rendered table (site v1.2.0) used older releases of the democracy, GDP "
        "and MID data; foedus uses the isard 2025 democracy file (extended UDS), Fariss et al. "
        "(2022) GDP and GML MID 2.2.1 as shipped in ../shared/data.",
    ]
    return model, definition, notes, {"frame_rows": frame.df.height}


BREMER = Replication(
    name="bremer-1992",
    citation="Bremer, S. A. (1992). Dangerous Dyads. Journal of Conflict Resolution 36(2): "
    "309–341; as replicated in peacesciencer's vignette (Miller 2022)",
    table="peacesciencer vignette 'A Discussion of Bremer (1992)', rendered table (site v1.2.0), "
    "as quoted in foedus issue 10",
    summary="GML MID onset on non-directed politically relevant dyad-years 1816–2010",
    sample="non-directed politically relevant COW dyad-years 1816–2010",
    estimator="logit, cubic peace-years, model-based SEs",
    terms=(
        PublishedTerm("landcontig", "land contiguity", 1.057, 0.058),
        PublishedTerm("cincprop", "CINC proportion (weaker/stronger)", 1.055, 0.082),
        PublishedTerm("cowmajdyad", "major-power dyad", 0.113, 0.059),
        PublishedTerm("atop_defense", "defence pact", -0.132, 0.058),
        PublishedTerm("aeuds_min", "weak-link democracy (aeuds)", -0.272, 0.032),
        PublishedTerm("mrgdppc_min", "weak-link GDP per capita", None, None, "-", None),
        PublishedTerm("minmilit", "weak-link militarisation (milper/tpop)", 30.152, 2.378),
        PublishedTerm("gmlmidspell", "t (peace-years)", -0.146, 0.005),
        PublishedTerm("const", "intercept", -3.517, 0.076),
    ),
    needs=("cow_ddy", "cow_contdir", "cow_majors", "gml_mid_ddydisps", "gml_mid_disps", "nmc",
           "atop_ddy", "cow_democracy", "cow_gdppop"),
    build=_build_bremer,
    published_n=106_056,
    notes=("The published GDP-per-capita coefficient is printed as −0.000 (0.000): its sign is "
           "compared, its size cannot be.",),
)


# ---------------------------------------------------------------------------------------------
# Johnson & Leeds (2011), Leeds (2003)
# ---------------------------------------------------------------------------------------------
_JL_VARIANTS = {
    "no-shared-defence": "directed dyad-years whose two states share a defence pact dropped",
    "zero-shared-defence": "ptargdef and pchalally set to 0 where the two states share a defence "
    "pact",
    "contiguity": "land contiguity added",
    "no-big-multilaterals": "NATO (3180), the Arab League's Pact (3015) and Joint Defence Treaty "
    "(3205), the OAS Charter (3150) and the Rio Pact (3075) left out of the commitment coding",
    "secret-included": "secret provisions counted",
}


def _deterrence_frame(wh: Any, years: tuple[int, int],
                      variant: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The JL/Leeds design's directed dyad-years and the obligation-years behind them."""
    from foedus.alliances.relevance import obligation_years, relevant_commitments
    from foedus.frames.universe import dyad_years

    frame = (
        dyad_years("cow", directed=True, years=years, warehouse=wh)
        .add_contiguity()
        .add_gml_mids(keep=["sidea1", "orig1"]).add_peace_years()
        .add_nmc().add_capital_distance().add_democracy()
    )  # fmt: skip
    # S is symmetric: computed once per non-directed dyad-year, then given to both directions.
    undirected = dyad_years("cow", directed=False, years=years, warehouse=wh)
    s = undirected.add_alliance_similarity(["s_un_val_abs"]).df.select(
        "ccode1", "ccode2", "year", "s_un_val_abs")
    s = pl.concat([s, s.select(pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"),
                               "year", "s_un_val_abs")])
    ddy, _ = frame._atop_obligations()
    options: dict[str, Any] = {}
    if variant == "no-big-multilaterals":
        options["exclude_alliances"] = tuple(BIG_MULTILATERALS)
    if variant == "secret-included":
        options["include_secret"] = True
    keep = ["ccode1", "ccode2", "year", "conttype", "gmlmidonset", "gmlmidongoing", "sidea1",
            "orig1", "gmlmidspell", "cinc1", "cinc2", "capdist", "polity21", "polity22"]
    obligations = obligation_years(wh.table("atop_member"), ddy)
    df = relevant_commitments(frame.df.select(keep), obligations, **options).join(
        s, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
    shared = ddy.select("ccode1", "ccode2", "year", pl.col("atop_defense").fill_null(0))
    both = shared.join(
        shared.select(pl.col("ccode1").alias("ccode2"), pl.col("ccode2").alias("ccode1"), "year",
                      pl.col("atop_defense").alias("_rev")), on=["ccode1", "ccode2", "year"],
        how="full", coalesce=True,
    ).select("ccode1", "ccode2", "year", ((pl.col("atop_defense").fill_null(0)
                                           + pl.col("_rev").fill_null(0)) > 0).alias("_shared"))
    df = df.join(both, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left").with_columns(
        pl.col("_shared").fill_null(False))
    total = pl.col("cinc1") + pl.col("cinc2")
    ongoing = (pl.col("gmlmidongoing") == 1) & (pl.col("gmlmidonset") == 0)
    df = df.filter(~ongoing.fill_null(False)).with_columns(
        ((pl.col("gmlmidonset") == 1) & (pl.col("sidea1") == 1) & (pl.col("orig1") == 1))
        .fill_null(False).cast(pl.Float64).alias("dispute"),
        pl.when(total > 0).then(pl.col("cinc1") / total).otherwise(None).alias("capprop"),
        (pl.col("capdist") + 1).log().alias("ln_distance"),
        pl.when(pl.col("polity21").is_null() | pl.col("polity22").is_null()).then(None)
        .otherwise(((pl.col("polity21") >= 6) & (pl.col("polity22") >= 6)).cast(pl.Float64))
        .alias("jdem"),
        (pl.col("conttype") == 1).cast(pl.Float64).alias("landcontig"),
        pl.col("s_un_val_abs").alias("s_un_glo"),
    )
    if variant == "no-shared-defence":
        df = df.filter(~pl.col("_shared"))
    if variant == "zero-shared-defence":
        df = df.with_columns(
            pl.when(pl.col("_shared")).then(0.0).otherwise(pl.col(c)).alias(c)
            for c in ("ptargdef", "pchalally"))
    return df, obligations


def _deterrence(wh: Any, variant: str, years: tuple[int, int]) -> tuple[Any, str, list[str],
                                                                        dict[str, Any]]:
    from foedus.models.runner import fit

    df, obligations = _deterrence_frame(wh, years, variant)
    covariates = ["ptargdef", "pchalally", "pchaloff", "pchalneu", "ln_distance", "capprop",
                  "jdem", "s_un_glo"]
    if variant == "contiguity":
        covariates.append("landcontig")
    model = fit(df, "dispute", covariates, family="probit", peace_years="cubic",
                spell="gmlmidspell", cluster=None)
    definition = (
        f"all directed COW dyad-years {years[0]}–{years[1]}; dispute-continuation years without a "
        "new onset left out; outcome: a GML MID onset with ccode1 an originator on side A; "
        "relevant commitments (docs/relevant-commitments.md), secret provisions "
        + ("counted" if variant == "secret-included" else "left out")
        + f"; variant: {variant}; N = {model.n:,} with {model.n_events:,} initiations "
        f"(listwise deletion dropped {model.n_dropped:,}); probit, model-based SEs."
    )
    diagnostics = _sign_diagnostics(df, obligations) if variant == "main" else {}
    notes = [
        "Joint democracy: both Polity2 ≥ 6 (isard's Polity5 codes; null for the USSR 1923–1991 "
        "and a few others, so those dyad-years drop out — see diagnostics).",
        "Global S: Signorino–Ritter S of ATOP alliance portfolios, unweighted, valued, absolute "
        "distance (foedus s_un_val_abs); JL used EUGene's s_un_glo.",
        "Distance: log(capital distance in km + 1) (foedus capdist).",
    ]
    return model, definition, notes, diagnostics


def _sign_diagnostics(df: pl.DataFrame, obligations: pl.DataFrame) -> dict[str, Any]:
    """Where a positive ptargdef comes from: initiation rates by commitment and period, and the
    alliances with a defence obligation toward the targets of initiations (third parties only;
    the obligation's relevance is not re-judged here)."""
    from foedus.alliances.names import common_names

    used = df.drop_nulls(["ptargdef", "ln_distance", "capprop", "jdem", "s_un_glo"])
    hits = used.filter((pl.col("dispute") == 1) & (pl.col("ptargdef") == 1)).select(
        "ccode1", "ccode2", "year")
    ob = obligations.filter(pl.col("defense") == 1)
    covering = hits.join(ob.select("atopid", pl.col("partner").alias("ccode2"), "year",
                                   pl.col("state").alias("_third")), on=["ccode2", "year"], maintain_order="left")
    covering = covering.filter(pl.col("_third") != pl.col("ccode1")).select(
        "atopid", "ccode1", "ccode2", "year").unique()
    names = common_names()
    top = covering.group_by("atopid").agg(pl.len().alias("initiations")).sort(
        "initiations", descending=True).head(10).with_columns(
        pl.col("atopid").map_elements(lambda a: names.get(str(a), f"ATOP {a}"),
                                      return_dtype=pl.String).alias("alliance"))
    by_period = (
        used.with_columns((pl.col("year") // 25 * 25).alias("period"))
        .group_by("period", "ptargdef").agg(pl.len().alias("n"), pl.col("dispute").sum())
        .with_columns((pl.col("dispute") / pl.col("n") * 1000).round(3).alias("per_1000"))
        .sort("period", "ptargdef")
    )
    return {"initiation_rate_by_period": by_period.to_dicts(),
            "initiations_against_defended_targets": hits.height,
            "alliances_defending_targets_of_initiations": top.to_dicts(),
            "n_jdem_missing": int(df["jdem"].null_count())}


def _build_jl(wh: Any, variant: str) -> tuple[Any, str, list[str], dict[str, Any]]:
    return _deterrence(wh, variant, (1816, 2000))


def _build_leeds(wh: Any, variant: str) -> tuple[Any, str, list[str], dict[str, Any]]:
    return _deterrence(wh, variant, (1816, 1944))


_DETERRENCE_NEEDS = ("cow_ddy", "cow_contdir", "gml_mid_ddydisps", "gml_mid_disps", "nmc",
                     "cow_capitals", "cow_democracy", "atop_member", "atop_ddy")

JOHNSON_LEEDS = Replication(
    name="johnson-leeds-2011",
    citation="Johnson, J. C. & Leeds, B. A. (2011). Defense Pacts: A Prescription for Peace? "
    "Foreign Policy Analysis 7(1): 45–65",
    table="Table 1 (published estimates not at hand; signs from the abstract, p. 45)",
    summary="probit of dispute initiation by originators on directed dyad-years 1816–2000 with "
    "relevant commitments",
    sample="all directed COW dyad-years 1816–2000, onset years (continuations left out)",
    estimator="probit, cubic peace-years, model-based SEs",
    terms=(
        PublishedTerm("ptargdef", "target's relevant defence commitments from third parties",
                      None, None, "-", True),
        PublishedTerm("pchalally", "challenger's relevant defensive allies", None, None, None,
                      False),
        PublishedTerm("pchaloff", "challenger's relevant offensive allies"),
        PublishedTerm("pchalneu", "challenger's relevant neutrality pledges"),
        PublishedTerm("ln_distance", "log capital distance"),
        PublishedTerm("capprop", "challenger's capability share"),
        PublishedTerm("jdem", "joint democracy"),
        PublishedTerm("s_un_glo", "global S (alliance portfolios)"),
    ),
    needs=_DETERRENCE_NEEDS,
    build=_build_jl,
    variants=dict(_JL_VARIANTS),
    notes=("The abstract (p. 45) reports that defensive alliances deter initiation and finds no "
           "evidence that states with defensive allies initiate more; the other terms' published "
           "values are not at hand.",),
)

LEEDS = Replication(
    name="leeds-2003",
    citation="Leeds, B. A. (2003). Do Alliances Deter Aggression? The Influence of Military "
    "Alliances on the Initiation of Militarized Interstate Disputes. American Journal of "
    "Political Science 47(3): 427–439",
    table="main table (published estimates not at hand; signs from the abstract, p. 427)",
    summary="the Johnson & Leeds design on directed dyad-years 1816–1944",
    sample="all directed COW dyad-years 1816–1944, onset years (continuations left out)",
    estimator="probit, cubic peace-years, model-based SEs",
    terms=(
        PublishedTerm("ptargdef", "target's relevant defence commitments from third parties",
                      None, None, "-", True),
        PublishedTerm("pchalally", "challenger's relevant defensive allies"),
        PublishedTerm("pchaloff", "challenger's relevant offensive allies", None, None, "+", True),
        PublishedTerm("pchalneu", "challenger's relevant neutrality pledges", None, None, "+",
                      True),
        PublishedTerm("ln_distance", "log capital distance"),
        PublishedTerm("capprop", "challenger's capability share"),
        PublishedTerm("jdem", "joint democracy"),
        PublishedTerm("s_un_glo", "global S (alliance portfolios)"),
    ),
    needs=_DETERRENCE_NEEDS,
    build=_build_leeds,
    variants=dict(_JL_VARIANTS),
    notes=("The abstract (p. 427): commitments to intervene for the target reduce initiation; "
           "offensive support and promised non-intervention for the challenger raise it.",),
)


# ---------------------------------------------------------------------------------------------
# Alliance termination (Leeds & Savun 2007 style)
# ---------------------------------------------------------------------------------------------
def _build_termination(wh: Any, variant: str) -> tuple[Any, str, list[str], dict[str, Any]]:
    from foedus.models.runner import fit

    m = wh.table("atop_member")
    bil = m.filter(pl.col("bilat") == 1)
    spans = bil.group_by("atopid").agg(
        pl.col("member").unique().sort().alias("members"), pl.col("yrent").min().alias("start"),
        pl.when(pl.col("yrexit").fill_null(0) == 0).then(2018).otherwise(pl.col("yrexit"))
        .max().alias("stop"),
        (pl.col("yrexit").fill_null(0) == 0).any().alias("open"),
        (pl.col("termmode") == 3).any().alias("broken"),
    ).filter((pl.col("members").list.len() == 2) & (pl.col("start") <= 1989))
    years = spans.with_columns(pl.int_ranges("start", pl.col("stop") + 1).alias("year")).explode(
        "year").with_columns(
        pl.col("members").list.get(0).alias("a"), pl.col("members").list.get(1).alias("b"),
        (pl.col("broken") & ~pl.col("open") & (pl.col("year") == pl.col("stop")))
        .cast(pl.Float64).alias("violated"),
        (pl.col("year") - pl.col("start")).alias("duration"),
    ).drop("members")
    nmc = wh.table("nmc").select("ccode", "year", "cinc")
    dem = wh.table("cow_democracy").select("ccode", "year", "polity2")
    panel = years
    for side in ("a", "b"):
        panel = (
            panel.join(nmc.rename({"ccode": side, "cinc": f"cinc_{side}"}), on=[side, "year"],
                       how="left", maintain_order="left")
            .join(nmc.rename({"ccode": side, "year": "start", "cinc": f"cinc0_{side}"}),
                  on=[side, "start"], how="left", maintain_order="left")
            .join(dem.rename({"ccode": side, "polity2": f"pol_{side}"}), on=[side, "year"],
                  how="left", maintain_order="left")
            .join(dem.rename({"ccode": side, "year": "start", "polity2": f"pol0_{side}"}),
                  on=[side, "start"], how="left", maintain_order="left")
        )
    entries = m.select(pl.col("member"), pl.col("yrent"), pl.col("atopid").alias("_other"))
    outside = []
    for side in ("a", "b"):
        hit = panel.select("atopid", "year", "start", side).join(
            entries.rename({"member": side}), on=side, maintain_order="left").filter(
            (pl.col("_other") != pl.col("atopid")) & (pl.col("yrent") > pl.col("start"))
            & (pl.col("yrent") <= pl.col("year"))).select("atopid", "year").unique()
        outside.append(hit)
    new_outside = pl.concat(outside).unique().with_columns(pl.lit(1.0).alias("newoutside"))
    mids = wh.table("gml_mid_ddydisps").filter(pl.col("gmlmidonset") == 1).select(
        "ccode1", "ccode2", "year").unique()
    threat = []
    for side, other in (("a", "b"), ("b", "a")):
        hit = panel.select("atopid", "year", side, other).join(
            mids.rename({"ccode1": side}), on=[side, "year"], maintain_order="left").filter(
            pl.col("ccode2") != pl.col(other)).select("atopid", "year").unique()
        threat.append(hit)
    ext = pl.concat(threat).unique().with_columns(pl.lit(1.0).alias("threat"))

    def change(now: str, then: str) -> pl.Expr:
        return (pl.col(now) / pl.col(then)).log().abs()

    df = panel.join(new_outside, on=["atopid", "year"], how="left", maintain_order="left").join(
        ext, on=["atopid", "year"], how="left", maintain_order="left").with_columns(
        pl.col("newoutside").fill_null(0.0), pl.col("threat").fill_null(0.0),
        pl.max_horizontal(change("cinc_a", "cinc0_a"), change("cinc_b", "cinc0_b"))
        .alias("capchange"),
        (pl.max_horizontal((pl.col("pol_a") - pl.col("pol0_a")).abs(),
                           (pl.col("pol_b") - pl.col("pol0_b")).abs()) / 20).alias("regimechange"),
        pl.when(pl.col("pol_a").is_null() | pl.col("pol_b").is_null()).then(None).otherwise(
            ((pl.col("pol_a") >= 6) & (pl.col("pol_b") >= 6)).cast(pl.Float64)).alias("jointdem"),
    ).with_columns(
        pl.when(pl.col("capchange").is_infinite()).then(None).otherwise(pl.col("capchange"))
        .alias("capchange"))
    covariates = ["capchange", "regimechange", "newoutside", "threat", "jointdem"]
    model = fit(df, "violated", covariates, family="logit", peace_years="cubic",
                spell="duration", cluster="atopid")
    n_alliances = df["atopid"].n_unique()
    definition = (
        f"bilateral ATOP 5.1 alliances formed 1816–1989 ({n_alliances} alliances), one row per "
        "alliance-year from signature to exit (or 2018); outcome: the alliance ends that year "
        "broken before its scheduled termination (member TERMMODE = 3, codebook p. 21); "
        f"N = {model.n:,} alliance-years with {model.n_events} violations; logit with cubic "
        "duration (a discrete-time hazard), SEs clustered on the alliance."
    )
    notes = [
        "Leeds & Savun (2007) estimate a competing-risks duration model; this discrete-time logit "
        "of violation against all other outcomes (censored) is the nearest design the tools "
        "here offer.",
        "capchange: the larger of the two members' |log(CINC now / CINC at signature)|; "
        "regimechange: the larger |Polity2 now − at signature| / 20; newoutside: either member "
        "has signed another ATOP alliance since; threat: either member in a new GML MID with a "
        "third state that year (GML ends 2010: later years count 0 — a caveat); jointdem: both "
        "Polity2 ≥ 6.",
    ]
    by_cause = m.filter((pl.col("bilat") == 1) & (pl.col("termmode") == 3)).group_by(
        "termcaus").agg(pl.col("atopid").n_unique().alias("alliances")).sort("termcaus")
    return model, definition, notes, {"termcaus_of_violations": by_cause.to_dicts()}


TERMINATION = Replication(
    name="alliance-termination",
    citation="Leeds, B. A. & Savun, B. (2007). Terminating Alliances: Why Do States Abrogate "
    "Agreements? Journal of Politics 69(4): 1118–1132",
    table="published estimates not at hand; signs from the abstract (p. 1118)",
    summary="which bilateral alliances end in violation, by change in capability, regime, "
    "outside alliances and external threat",
    sample="bilateral ATOP alliance-years, alliances formed 1816–1989",
    estimator="logit (discrete-time hazard), cubic duration, alliance-clustered SEs",
    terms=(
        PublishedTerm("capchange", "change in a member's capability", None, None, "+", True),
        PublishedTerm("regimechange", "change in a member's regime (Polity2)", None, None, "+",
                      True),
        PublishedTerm("newoutside", "new outside alliance", None, None, "+", True),
        PublishedTerm("threat", "external threat (MID with a third state)"),
        PublishedTerm("jointdem", "joint democracy", None, None, "-", True),
    ),
    needs=("atop_member", "nmc", "cow_democracy", "gml_mid_ddydisps"),
    build=_build_termination,
)

ALL: tuple[Replication, ...] = (BREMER, JOHNSON_LEEDS, LEEDS, TERMINATION)
