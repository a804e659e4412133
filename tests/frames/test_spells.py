"""Peace years: peacesciencer's add_peace_years() (stevemisc::sbtscs) reproduced."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.frames.disputes import add_gml_mids
from foedus.frames.spells import add_peace_years
from tests.conftest import ps_table, reference


def dyad(
    years: list[int],
    ongoing: list[float | None],
    onset: list[float | None] | None = None,
    c1: int = 2,
    c2: int = 20,
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ccode1": [c1] * len(years),
            "ccode2": [c2] * len(years),
            "year": years,
            "gmlmidonset": onset if onset is not None else ongoing,
            "gmlmidongoing": ongoing,
        },
        schema_overrides={"gmlmidonset": pl.Float64, "gmlmidongoing": pl.Float64},
    )


def spells(df: pl.DataFrame, **options) -> list:
    return add_peace_years(df, **options)["gmlmidspell"].to_list()


# --- synthetic ---------------------------------------------------------------------------------


def test_counts_up_without_conflict() -> None:
    assert spells(dyad([1900, 1901, 1902, 1903], [0, 0, 0, 0])) == [0, 1, 2, 3]


def test_conflict_year_carries_the_count_and_the_next_year_restarts() -> None:
    assert spells(dyad(list(range(1900, 1907)), [0, 0, 0, 1, 0, 0, 0])) == [0, 1, 2, 3, 0, 1, 2]


def test_consecutive_conflict_years_are_zero() -> None:
    assert spells(dyad(list(range(1900, 1906)), [0, 1, 1, 1, 0, 0])) == [0, 1, 0, 0, 0, 1]


def test_conflict_in_the_first_year() -> None:
    assert spells(dyad([1900, 1901, 1902], [1, 0, 0])) == [0, 0, 1]
    assert spells(dyad([1900, 1901, 1902], [1, 1, 0])) == [0, 0, 0]


def test_spell_restarts_on_ongoing_not_onset_by_default() -> None:
    # a three-year dispute with its onset in 1901
    df = dyad(list(range(1900, 1906)), [0, 1, 1, 1, 0, 0], onset=[0, 1, 0, 0, 0, 0])
    assert spells(df) == [0, 1, 0, 0, 0, 1]
    assert spells(df, on="onset") == [0, 1, 0, 1, 2, 3]


def test_gaps_are_not_counted_rows_are() -> None:
    # the dyad is absent 1903-1909 (a state left the system); the count continues by rows
    df = dyad([1900, 1901, 1902, 1910, 1911], [0, 1, 0, 0, 0])
    assert spells(df) == [0, 1, 0, 1, 2]


def test_null_years_get_null_and_are_skipped() -> None:
    # tail (after coverage), head (before coverage) and an isolated null in the middle
    df = dyad(list(range(1900, 1908)), [None, None, 0, 1, None, 0, 0, None])
    assert spells(df) == [None, None, 0, 1, None, 0, 1, None]
    assert spells(dyad([1900, 1901], [None, None])) == [None, None]


def test_units_are_separate_and_row_order_is_kept() -> None:
    a = dyad([1900, 1901, 1902], [0, 0, 0])
    b = dyad([1900, 1901, 1902], [1, 0, 0], c1=20, c2=2)
    mixed = pl.concat([a, b]).sample(fraction=1.0, shuffle=True, seed=3)
    out = add_peace_years(mixed)
    assert out.drop("gmlmidspell").equals(mixed)
    expected = {
        (2, 1900): 0,
        (2, 1901): 1,
        (2, 1902): 2,
        (20, 1900): 0,
        (20, 1901): 0,
        (20, 1902): 1,
    }
    got = {(r["ccode1"], r["year"]): r["gmlmidspell"] for r in out.to_dicts()}
    assert got == expected


def test_every_family_present_is_computed_in_peacesciencer_order() -> None:
    df = dyad([1900, 1901], [1, 0]).with_columns(cowmidonset=pl.lit(0.0), cowmidongoing=pl.lit(0.0))
    out = add_peace_years(df)
    assert out.columns[-2:] == ["cowmidspell", "gmlmidspell"]
    assert out["cowmidspell"].to_list() == [0, 1]
    assert add_peace_years(df, events=["cowmid"]).columns[-1] == "cowmidspell"
    assert "gmlmidspell" not in add_peace_years(df, events=["cowmid"]).columns


def test_state_years_and_ucdp() -> None:
    sy = pl.DataFrame(
        {
            "ccode": [2, 2, 2, 2, 20, 20],
            "year": [1945, 1946, 1947, 1948, 1946, 1947],
            "ucdponset": [None, 1, 0, 0, 0, 0],
            "ucdpongoing": [None, 1, 0, 0, 0, 0],
        }
    )
    assert add_peace_years(sy)["ucdpspell"].to_list() == [None, 0, 0, 1, 0, 1]
    # an explicit unit
    out = add_peace_years(sy.rename({"ccode": "gwcode"}), unit=["gwcode"])
    assert out["ucdpspell"].to_list() == [None, 0, 0, 1, 0, 1]


def test_recomputing_replaces_the_spell() -> None:
    df = add_peace_years(dyad([1900, 1901], [0, 0]))
    again = add_peace_years(df)
    assert again.columns == df.columns
    assert again.equals(df)


def test_no_family_leaves_the_frame_alone_and_errors_are_explained() -> None:
    plain = pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1900]})
    assert add_peace_years(plain).equals(plain)
    with pytest.raises(FoedusError, match="cowmidongoing"):
        add_peace_years(dyad([1900], [0]), events=["cowmid"])
    with pytest.raises(FoedusError, match="unit"):
        add_peace_years(pl.DataFrame({"year": [1900], "xonset": [0], "xongoing": [0]}))
    with pytest.raises(FoedusError, match="on="):
        add_peace_years(dyad([1900], [0]), on="start")  # type: ignore[arg-type]


# --- real data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gml_ddy() -> pl.DataFrame:
    return add_gml_mids(
        ps_table("cow_ddy"), ps_table("gml_mid_ddydisps"), ps_table("gml_mid_disps"), keep=[]
    )


def test_reference_spells_and_documented_cases(gml_ddy: pl.DataFrame) -> None:
    out = add_peace_years(gml_ddy)
    keys = ["ccode1", "ccode2", "year"]
    ref = reference("cow_ddy_pipeline5").select(*keys, "gmlmidspell")
    joined = ref.join(out.select(*keys, "gmlmidspell"), on=keys, suffix="_ours")
    assert joined.height == ref.height
    same = pl.col("gmlmidspell").eq_missing(pl.col("gmlmidspell_ours").cast(pl.Float64))
    assert joined.filter(~same).height == 0
    at = {
        (r["ccode1"], r["ccode2"], r["year"]): r["gmlmidspell"]
        for r in out.to_dicts()
        if (r["ccode1"], r["ccode2"]) in {(2, 20), (2, 255)}
    }
    assert at[(2, 20, 1920)] == 0 and at[(2, 20, 1925)] == 5
    # USA-Germany: last ongoing 1945, Germany back in 1990 (row after the war: 0), 2000 is 10
    assert at[(2, 255, 1990)] == 0 and at[(2, 255, 2000)] == 10
    assert at[(2, 255, 2011)] is None


def test_unsorted_input_gives_the_same_spells(gml_ddy: pl.DataFrame) -> None:
    shuffled = gml_ddy.sample(fraction=1.0, shuffle=True, seed=11)
    keys = ["ccode1", "ccode2", "year"]
    a = add_peace_years(gml_ddy)
    b = add_peace_years(shuffled).sort(keys)
    assert a.sort(keys).equals(b)


def test_speed_on_two_million_rows(benchmark, gml_ddy: pl.DataFrame) -> None:
    """Benchmark (run with ``-o addopts=""``): about 0.05 s on 2 cores for a sorted frame."""
    benchmark(add_peace_years, gml_ddy)
