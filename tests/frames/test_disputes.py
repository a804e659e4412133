"""Dispute enrichers: peacesciencer's add_gml_mids() / add_cow_mids() reproduced cell for cell."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.disputes import (
    DEFAULT_WHITTLE,
    WHITTLE_STEPS,
    add_cow_mids,
    add_gml_mids,
    whittle_dyad_year_disputes,
)
from foedus.frames.spells import add_peace_years
from tests.conftest import ps_table, reference

KEYS = ["ccode1", "ccode2", "year"]
GML_COLUMNS = [
    "gmlmidonset",
    "gmlmidongoing",
    "init1",
    "init2",
    "sidea1",
    "sidea2",
    "orig1",
    "orig2",
    "gmlmidspell",
]
COW_COLUMNS = ["cowmidonset", "cowmidongoing", "cowmidspell"]


@pytest.fixture(scope="module")
def cow_ddy() -> pl.DataFrame:
    return ps_table("cow_ddy")


def compare_with_reference(ours: pl.DataFrame, ref: pl.DataFrame, columns: list[str]) -> int:
    """Mismatching cells between our div-5 years and the reference (nulls must meet nulls)."""
    ours5 = ours.filter(pl.col("year") % 5 == 0).select(*KEYS, *columns)
    assert ours5.height == ref.height
    joined = ref.select(*KEYS, *columns).join(ours5, on=KEYS, how="full", suffix="_ours")
    assert joined.height == ref.height  # every reference row found, and no extra rows
    assert joined.filter(pl.col("year").is_null() | pl.col("year_ours").is_null()).height == 0
    bad = 0
    for c in columns:
        same = pl.col(c).cast(pl.Float64).eq_missing(pl.col(f"{c}_ours").cast(pl.Float64))
        bad += joined.filter(~same).height
    return bad


# --- real data: the reference outputs -------------------------------------------------------


def test_gml_mids_and_peace_years_match_pipeline5(cow_ddy: pl.DataFrame) -> None:
    out = add_peace_years(
        add_gml_mids(cow_ddy, ps_table("gml_mid_ddydisps"), ps_table("gml_mid_disps"), keep=None)
    )
    assert out.height == 2_214_930
    assert out.select(KEYS).equals(cow_ddy.select(KEYS))  # row order kept
    assert out.columns == [*KEYS, *GML_COLUMNS]  # the reference's set and order
    ref = reference("cow_ddy_pipeline5")
    assert ref.height == 428_144
    assert compare_with_reference(out, ref, GML_COLUMNS) == 0  # 3,853,296 cells


def test_cow_mids_and_peace_years_match_reference(cow_ddy: pl.DataFrame) -> None:
    out = add_peace_years(
        add_cow_mids(cow_ddy, ps_table("cow_mid_ddydisps"), ps_table("cow_mid_disps"), keep=None)
    )
    assert out.columns == [*KEYS, *COW_COLUMNS]
    ref = reference("cow_ddy_cowmids_peace")
    assert compare_with_reference(out, ref, COW_COLUMNS) == 0  # 1,284,432 cells


@pytest.mark.parametrize(
    ("raw", "disps", "bundled", "renames"),
    [
        (
            "cow_mid_dirdisps",
            "cow_mid_disps",
            "cow_mid_ddydisps",
            {"dispongoing": "cowmidongoing", "disponset": "cowmidonset"},
        ),
        (
            "gml_dirdisp",
            "gml_mid_disps",
            "gml_mid_ddydisps",
            {"midongoing": "gmlmidongoing", "midonset": "gmlmidonset"},
        ),
    ],
)
def test_default_whittling_rebuilds_the_bundled_dyad_years(
    raw: str, disps: str, bundled: str, renames: dict[str, str]
) -> None:
    """The unwhittled directed dispute-years, whittled by the default order, give the peer's
    whittled table: same rows, same disputes, same values."""
    raw_df = ps_table(raw)
    assert raw_df.select(KEYS).is_duplicated().any()
    ours = whittle_dyad_year_disputes(raw_df, ps_table(disps), DEFAULT_WHITTLE).rename(renames)
    theirs = ps_table(bundled)
    assert not ours.select(KEYS).is_duplicated().any()
    assert set(theirs.columns) <= set(ours.columns)
    assert ours.select(theirs.columns).equals(theirs)


def test_whittling_is_a_no_op_on_the_bundled_tables() -> None:
    for name in ("gml_mid", "cow_mid"):
        ddy = ps_table(f"{name}_ddydisps")
        out = whittle_dyad_year_disputes(ddy, ps_table(f"{name}_disps"))
        assert out.select(ddy.columns).equals(ddy.sort(KEYS, maintain_order=True))


def test_non_directed_frame_gets_the_lower_code_first_direction(cow_ddy: pl.DataFrame) -> None:
    ddy, disps = ps_table("gml_mid_ddydisps"), ps_table("gml_mid_disps")
    ndy = cow_ddy.filter(pl.col("ccode1") < pl.col("ccode2"))
    directed = add_gml_mids(cow_ddy, ddy, disps).filter(pl.col("ccode1") < pl.col("ccode2"))
    assert add_gml_mids(ndy, ddy, disps).equals(directed)


def test_coverage_zero_inside_null_outside(cow_ddy: pl.DataFrame) -> None:
    out = add_gml_mids(cow_ddy, ps_table("gml_mid_ddydisps"), ps_table("gml_mid_disps"))
    inside = out.filter(pl.col("year") <= 2010)
    outside = out.filter(pl.col("year") > 2010)
    assert inside["gmlmidonset"].null_count() == 0
    assert inside["gmlmidongoing"].null_count() == 0
    assert outside.height > 0
    assert outside.select(pl.all_horizontal(pl.col(GML_COLUMNS[:-1]).is_null()).all()).item()
    # participant columns exist only where a dispute is ongoing
    no_dispute = inside.filter(pl.col("gmlmidongoing") == 0)
    assert (
        no_dispute.select(pl.col("init1", "sidea1", "orig2").null_count()).row(0)
        == (no_dispute.height,) * 3
    )


# --- synthetic: each whittling step ------------------------------------------------------------


def dispute_years(**columns: list) -> pl.DataFrame:
    """Dispute-years of dyad 2-20 in 1900, one row per dispute (dispnum 1, 2, …)."""
    n = len(next(iter(columns.values())))
    return pl.DataFrame(
        {
            "dispnum": list(range(1, n + 1)),
            "ccode1": [2] * n,
            "ccode2": [20] * n,
            "year": [1900] * n,
            **columns,
        }
    )


def survivors(df: pl.DataFrame, order: list[str], disps: pl.DataFrame | None = None) -> list:
    return whittle_dyad_year_disputes(df, disps, order)["dispnum"].to_list()


def test_step_onsets_drops_ongoing_rows_only_when_onsets_exist() -> None:
    assert survivors(dispute_years(midonset=[0, 1, 0, 1]), ["onsets"]) == [2, 4]
    assert survivors(dispute_years(midonset=[0, 0]), ["onsets"]) == [1, 2]
    assert survivors(dispute_years(midonset=[1, 1]), ["onsets"]) == [1, 2]


def test_step_fatality_keeps_highest_and_ranks_minus_nine_as_half() -> None:
    assert survivors(dispute_years(fatality=[1, 3, 3]), ["fatality"]) == [2, 3]
    assert survivors(dispute_years(fatality=[0, -9]), ["fatality"]) == [2]
    assert survivors(dispute_years(fatality=[1, -9]), ["fatality"]) == [1]
    # -9 is kept as -9 in the output (only ranked as 0.5)
    out = whittle_dyad_year_disputes(dispute_years(fatality=[0, -9]), None, ["fatality"])
    assert out["fatality"].to_list() == [-9]


def test_steps_hostility_durations_reciprocation_keep_the_highest() -> None:
    assert survivors(dispute_years(hostlev=[2, 5, 4]), ["hostility"]) == [2]
    assert survivors(dispute_years(mindur=[10, 3]), ["mindur"]) == [1]
    assert survivors(dispute_years(maxdur=[10, 30]), ["maxdur"]) == [2]
    assert survivors(dispute_years(recip=[0, 1, 0]), ["reciprocated"]) == [2]


def test_step_stmon_keeps_the_lowest_start_month() -> None:
    assert survivors(dispute_years(stmon=[7, 2, 2]), ["stmon"]) == [2, 3]


def test_step_first_keeps_the_first_row_in_input_order() -> None:
    df = dispute_years(x=[0, 0, 0]).reverse()
    assert survivors(df, ["first"]) == [3]


def test_steps_apply_in_the_given_order() -> None:
    df = dispute_years(fatality=[2, 1], hostlev=[3, 5])
    assert survivors(df, ["fatality", "hostility"]) == [1]
    assert survivors(df, ["hostility", "fatality"]) == [2]


def test_single_row_dyad_years_are_never_touched() -> None:
    df = pl.concat(
        [
            dispute_years(fatality=[0, 2], hostlev=[2, 2]),
            pl.DataFrame(
                {"dispnum": [9], "ccode1": [2], "ccode2": [20], "year": [1901]},
            ).with_columns(fatality=pl.lit(None, pl.Int64), hostlev=pl.lit(None, pl.Int64)),
        ]
    )
    assert survivors(df, ["fatality", "hostility"]) == [2, 9]


def test_disps_values_replace_the_dispute_year_columns() -> None:
    df = dispute_years(fatality=[5, 0])
    disps = pl.DataFrame({"dispnum": [1, 2], "fatality": [0, 5]})
    assert survivors(df, ["fatality"], disps) == [2]


def test_nulls_never_win_and_all_null_keeps_all() -> None:
    assert survivors(dispute_years(hostlev=[None, 3, 2]), ["hostility"]) == [2]
    assert survivors(dispute_years(hostlev=[None, None]), ["hostility"]) == [1, 2]


def test_step_vocabulary_and_errors() -> None:
    assert set(DEFAULT_WHITTLE) == set(WHITTLE_STEPS)
    with pytest.raises(FoedusError, match="unknown whittling step"):
        whittle_dyad_year_disputes(dispute_years(x=[0]), None, ["severity"])
    with pytest.raises(SourceFormatError, match="hostlev"):
        whittle_dyad_year_disputes(dispute_years(x=[0, 0]), None, ["hostility"])
    # a step's column is only needed while duplicates remain
    single = dispute_years(x=[0])
    assert whittle_dyad_year_disputes(single, None, DEFAULT_WHITTLE).height == 1


# --- synthetic: the enrichers --------------------------------------------------------------------


def small_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {"ccode1": [2, 2, 2, 20], "ccode2": [20, 20, 20, 2], "year": [1815, 1900, 2011, 1900]}
    )


def gml_dispute_years() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "dispnum": [1, 2, 3, 3],
            "ccode1": [2, 2, 2, 20],
            "ccode2": [20, 20, 20, 2],
            "year": [1900, 1900, 1900, 1900],
            "gmlmidongoing": [1.0, 1.0, 1.0, 1.0],
            "gmlmidonset": [0.0, 1.0, 1.0, 1.0],
            "sidea1": [1.0, 0.0, 1.0, 0.0],
            "sidea2": [0.0, 1.0, 0.0, 1.0],
            "orig1": [1.0, 1.0, 1.0, 0.0],
            "orig2": [1.0, 0.0, 0.0, 1.0],
            "hostlev1": [4.0, 3.0, 2.0, 5.0],
        }
    )


def gml_disps() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "dispnum": [1, 2, 3],
            "fatality": [6, 1, 0],
            "hostlev": [5, 4, 4],
            "mindur": [1, 1, 1],
            "maxdur": [1, 1, 1],
            "recip": [1, 1, 1],
            "stmon": [1, 1, 1],
        }
    )


def test_add_gml_mids_whittles_joins_and_derives_initiators() -> None:
    out = add_gml_mids(small_frame(), gml_dispute_years(), gml_disps())
    assert out.columns == [*KEYS, *GML_COLUMNS[:-1]]
    rows = {r["ccode1"] * 10_000 + r["year"]: r for r in out.to_dicts()}
    # 2-20 in 1900: dispute 1 is ongoing only, 2 beats 3 on fatality
    assert rows[21900]["gmlmidonset"] == 1.0
    assert (rows[21900]["sidea1"], rows[21900]["orig2"]) == (0.0, 0.0)
    # ccode1 = 2 is a side-B originator (0); ccode2 = 20 is on side A (1)
    assert (rows[21900]["init1"], rows[21900]["init2"]) == (0.0, 1.0)
    # 20-2: ccode1 = 20 joined side B (not an originator), so it counts as an initiator
    assert (rows[201900]["init1"], rows[201900]["init2"]) == (1.0, 1.0)
    # outside 1816-2010: everything null
    for year in (1815, 2011):
        assert all(rows[20_000 + year][c] is None for c in GML_COLUMNS[:-1])


def test_keep_options() -> None:
    frame, dy, ds = small_frame(), gml_dispute_years(), gml_disps()
    assert add_gml_mids(frame, dy, ds, keep=[]).columns == [*KEYS, "gmlmidonset", "gmlmidongoing"]
    out = add_gml_mids(frame, dy, ds, keep=["dispnum", "hostlev1", "init2"])
    assert out.columns[3:] == ["gmlmidonset", "gmlmidongoing", "dispnum", "hostlev1", "init2"]
    assert out.filter(pl.col("year") == 1900)["dispnum"].to_list() == [2, 3]
    with pytest.raises(FoedusError, match="does not have"):
        add_gml_mids(frame, dy, ds, keep=["nonsense"])


def test_cow_keep_none_adds_onset_and_ongoing_only() -> None:
    dy = gml_dispute_years().rename(
        {"gmlmidongoing": "cowmidongoing", "gmlmidonset": "cowmidonset"}
    )
    out = add_cow_mids(small_frame(), dy, gml_disps())
    assert out.columns == [*KEYS, "cowmidonset", "cowmidongoing"]
    assert out["cowmidonset"].to_list() == [None, 1.0, 0.0, 1.0]  # 2011 is inside 1816-2014


def test_custom_whittle_and_coverage() -> None:
    frame, dy, ds = small_frame(), gml_dispute_years(), gml_disps()
    # hostility first, then input order: dispute 2 (hostlev 4) ties with 3, first kept is 2
    out = add_gml_mids(frame, dy, ds, keep=["dispnum"], whittle=["onsets", "hostility", "first"])
    assert out.filter(pl.col("ccode1") == 2, pl.col("year") == 1900)["dispnum"].item() == 2
    # without onsets, fatality picks the ongoing dispute 1
    out = add_gml_mids(frame, dy, ds, keep=["dispnum"], whittle=["fatality", "first"])
    assert out.filter(pl.col("ccode1") == 2, pl.col("year") == 1900)["dispnum"].item() == 1
    out = add_gml_mids(frame, dy, ds, coverage=(1800, 2020), keep=[])
    assert out["gmlmidonset"].to_list() == [0.0, 1.0, 0.0, 1.0]


def test_enricher_errors() -> None:
    frame, dy, ds = small_frame(), gml_dispute_years(), gml_disps()
    with pytest.raises(FoedusError, match="duplicate dyad-years remain"):
        add_gml_mids(frame, dy, ds, whittle=["onsets"])
    with pytest.raises(FoedusError, match="already has"):
        add_gml_mids(add_gml_mids(frame, dy, ds), dy, ds)
    with pytest.raises(FoedusError, match="lacks key"):
        add_gml_mids(frame.drop("year"), dy, ds)
    with pytest.raises(SourceFormatError, match="gmlmidonset"):
        add_gml_mids(frame, dy.drop("gmlmidonset"), ds)
