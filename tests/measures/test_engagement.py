"""The bilateral military-engagement index: method on synthetic data, coverage and sanity on the
real instruments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.measures.engagement import (
    INSTRUMENTS,
    add_engagement,
    engagement_index,
    fit_engagement,
    instrument_intensities,
    reference_model,
)

KEYS = ["ccode1", "ccode2", "year"]


# ---------------------------------------------------------------------------------------------
# synthetic data
# ---------------------------------------------------------------------------------------------
def _synthetic(n_dyads: int = 300, seed: int = 7, loadings: tuple[float, ...] = (0.8, 0.7, 0.6)
               ) -> tuple[pl.DataFrame, np.ndarray]:  # fmt: skip
    """A non-directed frame drawn from a one-factor model: arms, dca, troops (US dyads only) with
    year-dependent coverage (dca only 1980–1984), plus the true factor per row."""
    rng = np.random.default_rng(seed)
    rows = []
    truth = []
    for d in range(n_dyads):
        c1 = 2 if d < n_dyads // 3 else 20
        c2 = 100 + d
        base = rng.normal()
        for year in range(1978, 1986):
            f = base + 0.3 * rng.normal()
            x = [lam * f + np.sqrt(1 - lam**2) * rng.normal() for lam in loadings]
            rows.append({
                "ccode1": c1, "ccode2": c2, "year": year,
                "arms_tiv": float(np.exp(x[0] + 2)),
                "dca_active": float(np.exp(x[1])) if year >= 1980 else None,
                "us_troops": float(np.exp(x[2] + 5)) if c1 == 2 else None,
            })  # fmt: skip
            truth.append(f)
    return pl.DataFrame(rows), np.array(truth)


def _directed(df: pl.DataFrame) -> pl.DataFrame:
    """Both directions: arms split into two flows, the other instruments copied (US-only columns
    only on the US row, as the enrichers do)."""
    ab = df.with_columns(pl.col("arms_tiv") * 0.75)
    ba = df.select(
        pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year",
        pl.col("arms_tiv") * 0.25, "dca_active",
        pl.when(pl.col("ccode1") == 2).then(None).otherwise(pl.col("us_troops"))
        .alias("us_troops"),
    )  # fmt: skip
    return pl.concat([ab, ba.select(ab.columns)])


def test_same_seed_same_index_and_intervals() -> None:
    df, _ = _synthetic()
    one = engagement_index(df, seed=3, bootstrap=30)
    two = engagement_index(df, seed=3, bootstrap=30)
    assert one.equals(two)
    assert one["engagement_lo"].null_count() == 0
    other = engagement_index(df, seed=4, bootstrap=30)
    assert other["engagement"].equals(one["engagement"])  # the point estimate has no randomness
    assert not other["engagement_lo"].equals(one["engagement_lo"])  # the bootstrap does


def test_recovers_the_factor_and_its_loadings() -> None:
    df, truth = _synthetic(n_dyads=600)
    model = fit_engagement(df, bootstrap=20, transform="log1p")
    assert model.params.converged
    # on the log scale the indicators are exactly the simulated normal variables
    for name, true in zip(("arms", "dca", "troops"), (0.8, 0.7, 0.6), strict=True):
        assert model.loadings[name] == pytest.approx(true, abs=0.06), name
        lo, hi = model.loadings_interval[name]
        assert lo <= model.loadings[name] <= hi
    out = engagement_index(df, model=model)
    assert np.corrcoef(out["engagement"].to_numpy(), truth)[0, 1] > 0.8


def test_rank_transform_gives_the_same_ordering_on_normal_data() -> None:
    df, _ = _synthetic()
    ns = engagement_index(df, bootstrap=0)["engagement"].to_numpy()
    lg = engagement_index(df, bootstrap=0, transform="log1p")["engagement"].to_numpy()
    assert np.corrcoef(ns, lg)[0, 1] > 0.98


def test_uncovered_years_are_missing_not_zero() -> None:
    df, _ = _synthetic()
    out = engagement_index(df, bootstrap=0)
    early = out.filter(pl.col("year") < 1980)
    assert early["engagement_c_dca"].null_count() == early.height
    assert early.filter(pl.col("ccode1") == 20)["engagement_instruments"].unique().to_list() == [
        "arms"]
    late = out.filter((pl.col("year") >= 1980) & (pl.col("ccode1") == 2))
    assert late["engagement_instruments"].unique().to_list() == ["arms,dca,troops"]
    # a value built from fewer instruments is less reliable
    rel = out.group_by("engagement_n").agg(pl.col("engagement_reliability").first()).sort(
        "engagement_n")["engagement_reliability"].to_list()
    assert rel == sorted(rel) and rel[0] < rel[-1]
    # treating the uncovered years as 0 would change the values: they are not treated so
    zeroed = df.with_columns(pl.col("dca_active").fill_null(0.0))
    assert not engagement_index(zeroed, bootstrap=0)["engagement"].equals(out["engagement"])


def test_every_row_with_an_instrument_gets_a_value_and_others_none() -> None:
    df, _ = _synthetic()
    blank = pl.DataFrame({"ccode1": [20, 20], "ccode2": [900, 901], "year": [1940, 1941],
                          "arms_tiv": [None, None], "dca_active": [None, None],
                          "us_troops": [None, None]},
                         schema=df.schema)  # fmt: skip
    out = engagement_index(pl.concat([df, blank]), bootstrap=5)
    covered = out.filter(pl.col("engagement_n") > 0)
    assert covered.height == df.height
    assert covered["engagement"].null_count() == 0
    none = out.filter(pl.col("engagement_n") == 0)
    assert none.height == 2
    for col in ("engagement", "engagement_se", "engagement_lo", "engagement_instruments"):
        assert none[col].null_count() == 2, col


def test_contributions_add_up_and_loo_range_is_reported() -> None:
    df, _ = _synthetic()
    out = engagement_index(df, bootstrap=0)
    parts = out.select(pl.sum_horizontal(f"engagement_c_{i.name}" for i in INSTRUMENTS))
    assert np.allclose(parts.to_series().to_numpy(), out["engagement"].to_numpy())
    both = out.filter(pl.col("engagement_n") > 1)
    assert (both["engagement_loo_min"] <= both["engagement_loo_max"]).all()


def test_directed_frame_combines_both_directions() -> None:
    df, _ = _synthetic()
    directed = _directed(df)
    pairs = instrument_intensities(directed).sort(KEYS)
    # arms: both flows add up to the non-directed total; troops from the US row
    expected = df.sort(KEYS)
    assert np.allclose(pairs["arms"].to_numpy(), expected["arms_tiv"].to_numpy())
    assert pairs["troops"].equals(expected["us_troops"], check_names=False)
    out = engagement_index(directed, bootstrap=0)
    sym = out.join(out.select(pl.col("ccode1").alias("ccode2"), pl.col("ccode2").alias("ccode1"),
                              "year", pl.col("engagement").alias("back")), on=KEYS)  # fmt: skip
    assert (sym["engagement"] == sym["back"]).all()
    nd = engagement_index(df, bootstrap=0).sort(KEYS)
    same = out.filter(pl.col("ccode1") < pl.col("ccode2")).sort(KEYS)
    assert np.allclose(same["engagement"].to_numpy(), nd["engagement"].to_numpy())


def test_model_from_one_frame_scores_another() -> None:
    df, _ = _synthetic()
    model = fit_engagement(df, bootstrap=10)
    one = df.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 100))
    scored = engagement_index(one, model=model)
    full = engagement_index(df, model=model).filter(
        (pl.col("ccode1") == 2) & (pl.col("ccode2") == 100))
    assert scored.equals(full)


def test_pca_method_and_one_instrument() -> None:
    df, _ = _synthetic()
    pca = fit_engagement(df, method="pca", bootstrap=5)
    assert all(v > 0.3 for v in pca.loadings.values())
    assert engagement_index(df, method="pca", bootstrap=0)["engagement_se"].null_count() == df.height
    only = engagement_index(df.select(*KEYS, "arms_tiv"), bootstrap=0)
    z = np.log1p(df["arms_tiv"].to_numpy())
    assert np.corrcoef(only["engagement"].to_numpy(), z)[0, 1] > 0.99


def test_errors_are_clear() -> None:
    df, _ = _synthetic()
    with pytest.raises(FoedusError, match="no instrument columns"):
        engagement_index(df.select(KEYS))
    with pytest.raises(FoedusError, match="unknown engagement method"):
        engagement_index(df, method="irt")  # type: ignore[arg-type]
    with pytest.raises(FoedusError, match="too few"):
        engagement_index(df.head(10))
    with pytest.raises(FoedusError, match="COW dyad-year"):
        engagement_index(df.rename({"ccode1": "gwcode1"}))
    with pytest.raises(FoedusError, match="already has"):
        engagement_index(df.with_columns(engagement=pl.lit(1.0)), bootstrap=0)


def test_model_summary_is_json_ready() -> None:
    import json

    df, _ = _synthetic()
    doc = fit_engagement(df, bootstrap=5).to_dict()
    text = json.dumps(doc)
    assert '"instrument": "arms"' in text
    assert doc["coverage"][0]["years"] == [1978, 1979]


# ---------------------------------------------------------------------------------------------
# real data
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference(built_warehouse: Path) -> object:
    return reference_model(built_warehouse)  # seed 0, 100 replicates: shared with the profile


def test_real_loadings_are_positive_for_the_core_instruments(reference: object) -> None:
    from foedus.measures.engagement import EngagementModel

    assert isinstance(reference, EngagementModel)
    assert reference.params.converged
    assert set(reference.instruments) == {i.name for i in INSTRUMENTS}
    for name in ("alliance", "arms", "dca", "exercises", "troops"):
        assert reference.loadings[name] > 0.2, name
        assert reference.loadings_interval[name][0] > 0.1, name
    assert reference.years["exercises"] == (1980, 2010)  # JME's sparse 1970s left out
    assert reference.years["arms"] == (1950, 2024)


def test_real_index_covers_every_dyad_year_with_an_instrument(built_warehouse: Path,
                                                              reference: object) -> None:
    import foedus

    frame = foedus.dyad_years("cow", directed=True, years="1945-1955",
                              warehouse=built_warehouse).add_arms_transfers()  # fmt: skip
    out = engagement_index(frame.df, model=reference)  # type: ignore[arg-type]
    before = out.filter(pl.col("year") < 1950)
    assert before["arms_tiv"].null_count() == before.height  # SIPRI starts in 1950
    assert before["engagement"].null_count() == before.height
    after = out.filter(pl.col("year") >= 1950)
    assert after["engagement"].null_count() == 0
    assert after["engagement_instruments"].unique().to_list() == ["arms"]


def test_real_sign_sanity(built_warehouse: Path, reference: object) -> None:
    import foedus

    frame = foedus.dyad_years("cow", directed=True, years="1985-2020", warehouse=built_warehouse)
    full = add_engagement(frame, model=reference)  # type: ignore[arg-type]
    assert "arms_tiv" in full.columns and "atop_alliance" in full.columns
    df = full.df.filter(pl.col("ccode1") == 2)
    for year in (1985, 2000, 2010, 2020):
        value = {c: df.filter((pl.col("ccode2") == c) & (pl.col("year") == year))["engagement"]
                 .item() for c in (740, 200, 40)}  # fmt: skip
        assert value[740] > value[40] and value[200] > value[40], year
        assert value[740] > 2.0 and value[200] > 2.0, year
    assert "sipri-arms-transfers" in full.sources()
