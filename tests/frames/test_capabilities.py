"""NMC and COW major-power enrichers against peacesciencer, cell for cell, plus properties."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.capabilities import (
    NMC_COLUMNS,
    add_cow_majors,
    add_nmc,
    nmc_from_official_csv,
)
from foedus.frames.systems import create_state_years
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, reference, shared_file

NMC_DYADIC = [f"{c}{i}" for i in (1, 2) for c in NMC_COLUMNS]


@pytest.fixture(scope="module")
def nmc() -> pl.DataFrame:
    return ps_table("cow_nmc")


@pytest.fixture(scope="module")
def majors() -> pl.DataFrame:
    return ps_table("cow_majors")


@pytest.fixture(scope="module")
def cow_sy() -> pl.DataFrame:
    cw = cast_keys(pl.read_parquet(shared_file("isard/cw_system.parquet")))
    return create_state_years(cw, system="cow")


@pytest.fixture(scope="module")
def cow_ddy() -> pl.DataFrame:
    return ps_table("cow_ddy")


@pytest.fixture(scope="module")
def ddy_enriched(cow_ddy: pl.DataFrame, nmc: pl.DataFrame, majors: pl.DataFrame) -> pl.DataFrame:
    return add_cow_majors(add_nmc(cow_ddy, nmc), majors)


# --- value for value with peacesciencer -------------------------------------------------------


def test_state_year_pipeline_equals_peacesciencer(
    cow_sy: pl.DataFrame, nmc: pl.DataFrame, majors: pl.DataFrame
) -> None:
    """create_stateyears(mry = FALSE) %>% add_nmc() %>% add_cow_majors()."""
    ours = add_cow_majors(add_nmc(cow_sy, nmc), majors)
    ref = reference("cow_sy_pipeline6")
    assert ours.height == 15_951
    assert ours.schema == ref.schema
    sub = ours.filter(pl.col("year") % 5 == 0)
    assert_frame_equal(
        sub.group_by("year").len().sort("year"), ref.group_by("year").len().sort("year")
    )
    assert_frame_equal(sub, ref)


def test_dyad_year_nmc_and_majors_equal_peacesciencer(ddy_enriched: pl.DataFrame) -> None:
    """cow_ddy %>% … add_nmc() %>% add_cow_majors() …: the nmc and majors columns."""
    columns = ["ccode1", "ccode2", "year", *NMC_DYADIC, "cowmaj1", "cowmaj2"]
    assert ddy_enriched.columns == columns
    assert ddy_enriched.height == 2_214_930
    ref = reference("cow_ddy_pipeline5").select(columns)
    sub = ddy_enriched.filter(pl.col("year") % 5 == 0)
    assert_frame_equal(
        sub.group_by("year").len().sort("year"), ref.group_by("year").len().sort("year")
    )
    assert_frame_equal(sub, ref)


def test_rows_and_order_are_kept(cow_ddy: pl.DataFrame, ddy_enriched: pl.DataFrame) -> None:
    assert_frame_equal(ddy_enriched.select(cow_ddy.columns), cow_ddy)


# --- coverage rules ----------------------------------------------------------------------------


def test_nmc_is_null_outside_its_years_never_zero(ddy_enriched: pl.DataFrame) -> None:
    after = ddy_enriched.filter(pl.col("year") > 2022)
    assert after.height > 0
    assert after.select(pl.all_horizontal(pl.col(NMC_DYADIC).is_null()).all()).item()
    within = ddy_enriched.filter(pl.col("year") <= 2022)
    assert within.select(pl.col("cinc1").is_not_null().mean()).item() > 0.99


def test_major_status_is_filled_for_every_year(ddy_enriched: pl.DataFrame) -> None:
    assert ddy_enriched.select(pl.col("cowmaj1", "cowmaj2").null_count().sum()).row(0) == (0, 0)
    assert ddy_enriched.schema["cowmaj1"] == pl.Int64


@pytest.mark.parametrize(
    ("ccode", "year", "expected"),
    [
        (2, 1897, 0),  # USA from 1898 (13 August)
        (2, 1898, 1),
        (2, 2016, 1),
        (2, 2020, 1),  # after COW's 2016: the 2016 majors carry forward
        (2, 2024, 1),
        (220, 1940, 1),  # France ends 22 June 1940: the year counts
        (220, 1942, 0),
        (220, 1945, 1),  # back 15 August 1945
        (255, 1918, 1),
        (255, 1919, 0),
        (255, 1991, 1),  # Germany from 11 December 1991
        (740, 1895, 1),
        (740, 1946, 0),
        (710, 2024, 1),
        (365, 1920, 0),
        (20, 2020, 0),
    ],
)
def test_major_power_years(
    cow_sy: pl.DataFrame, majors: pl.DataFrame, ccode: int, year: int, expected: int
) -> None:
    frame = pl.DataFrame({"ccode": [ccode], "year": [year]})
    assert add_cow_majors(frame, majors)["cowmaj"].item() == expected


def test_majors_from_the_raw_cow_csv_give_the_same_result(
    cow_sy: pl.DataFrame, majors: pl.DataFrame
) -> None:
    raw = cast_keys(pl.read_csv(shared_file("cow/majors2016.csv")))
    assert_frame_equal(add_cow_majors(cow_sy, raw), add_cow_majors(cow_sy, majors))


# --- NMC v6 from the raw COW file --------------------------------------------------------------


def test_raw_nmc_v6_is_read_into_the_canonical_shape() -> None:
    path = shared_file("cow/NMC-60-abridged.csv")
    v6 = nmc_from_official_csv(path)
    raw = pl.read_csv(path, infer_schema_length=None)
    assert v6.columns == ["ccode", "year", *NMC_COLUMNS]
    assert v6.schema["ccode"] == pl.Int64 and v6.schema["milex"] == pl.Float64
    assert v6.height == raw.height == 15_951
    for c in NMC_COLUMNS:
        assert v6[c].null_count() == (raw[c] == -9).sum()
        kept = raw[c] != -9
        assert v6[c].filter(kept).to_list() == raw[c].filter(kept).cast(pl.Float64).to_list()
    assert v6.select((pl.col(NMC_COLUMNS) < 0).any()).row(0) == (False,) * 7


def test_add_nmc_takes_the_raw_v6_frame_directly(cow_sy: pl.DataFrame) -> None:
    path = shared_file("cow/NMC-60-abridged.csv")
    raw = pl.read_csv(path, infer_schema_length=None)
    shouting = raw.rename({c: c.upper() for c in raw.columns})
    via_reader = add_nmc(cow_sy, nmc_from_official_csv(path))
    assert_frame_equal(add_nmc(cow_sy, shouting), via_reader)
    assert via_reader.columns == [*cow_sy.columns, *NMC_COLUMNS]
    # v6 covers 1816–2016, the whole COW state-year universe
    assert via_reader["cinc"].null_count() == 0


def test_raw_file_errors_are_source_format_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceFormatError, match="not found"):
        nmc_from_official_csv(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("stateabb,ccode,year\nUSA,2,1816\n")
    with pytest.raises(SourceFormatError, match="milex"):
        nmc_from_official_csv(bad)


def test_repeated_state_years_in_nmc_raise(cow_sy: pl.DataFrame, nmc: pl.DataFrame) -> None:
    with pytest.raises(SourceFormatError, match="repeat"):
        add_nmc(cow_sy, pl.concat([nmc, nmc.head(1)]))


# --- frame errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [["gwcode", "year"], ["gwcode1", "gwcode2", "year"]])
def test_gw_frames_must_be_bridged_first(
    nmc: pl.DataFrame, majors: pl.DataFrame, columns: list[str]
) -> None:
    frame = pl.DataFrame({c: [2] for c in columns})
    for enrich, table in ((add_nmc, nmc), (add_cow_majors, majors)):
        with pytest.raises(FoedusError, match="Gleditsch-Ward") as err:
            enrich(frame, table)
        assert "bridge" in (err.value.fix or "")


def test_frames_without_codes_or_years_raise(nmc: pl.DataFrame) -> None:
    with pytest.raises(FoedusError, match="'year'"):
        add_nmc(pl.DataFrame({"ccode": [2]}), nmc)
    with pytest.raises(FoedusError, match="neither"):
        add_nmc(pl.DataFrame({"country": ["USA"], "year": [2000]}), nmc)


def test_enriching_twice_raises(
    cow_sy: pl.DataFrame, nmc: pl.DataFrame, majors: pl.DataFrame
) -> None:
    with pytest.raises(FoedusError, match="already has"):
        add_nmc(add_nmc(cow_sy, nmc), nmc)
    with pytest.raises(FoedusError, match="already has"):
        add_cow_majors(add_cow_majors(cow_sy, majors), majors)


# --- properties: the lookup is a left join on (code, year) -------------------------------------

codes = st.sampled_from([2, 20, 200, 220, 255, 365, 710, 740, 817, 999])
years = st.integers(1810, 2030)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(codes, codes, years), max_size=40))
def test_dyadic_enrichment_is_a_left_join(
    nmc: pl.DataFrame, majors: pl.DataFrame, rows: list[tuple[int, int, int]]
) -> None:
    frame = pl.DataFrame(rows, schema=["ccode1", "ccode2", "year"], orient="row").cast(pl.Int64)
    out = add_cow_majors(add_nmc(frame, nmc), majors)
    expected = frame
    for i in (1, 2):
        side = nmc.rename({"ccode": f"ccode{i}", **{c: f"{c}{i}" for c in NMC_COLUMNS}})
        expected = expected.join(side, on=[f"ccode{i}", "year"], how="left", maintain_order="left")
    assert_frame_equal(out.select(expected.columns), expected)
    spells = majors.select("ccode", "styear", "endyear").rows()
    for c1, c2, year, m1, m2 in out.select(*frame.columns, "cowmaj1", "cowmaj2").iter_rows():
        for code, flag in ((c1, m1), (c2, m2)):
            y = min(year, 2016)
            assert flag == int(any(c == code and s <= y <= e for c, s, e in spells))
