"""Dense dyad-year and state-year row lookups equal a left join, in every case."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import foedus
from foedus.frames._lookup import _joined_rows, dyad_year_rows, state_year_rows

codes = st.integers(min_value=-3, max_value=5000)
small = st.integers(min_value=0, max_value=6)
years = st.integers(min_value=1800, max_value=1806)


def _join_rows(frame: pl.DataFrame, table: pl.DataFrame, keys: list[str]) -> list[int | None]:
    numbered = table.with_row_index("row").unique(keys, keep="last")
    joined = frame.join(numbered, on=keys, how="left", maintain_order="left")
    return [None if r is None else int(r) for r in joined["row"]]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(small, small, years), max_size=30),
    st.lists(st.tuples(small, small, years), max_size=12),
    st.booleans(),
)
def test_dyad_year_rows_equal_a_join(
    left: list[tuple[int, int, int]], right: list[tuple[int, int, int]], wide: bool
) -> None:
    keys = ["ccode1", "ccode2", "year"]
    if wide:  # codes beyond the dense bounds take the join path
        right = [(a * 1000, b, y) for a, b, y in right]
    frame = pl.DataFrame(left, schema={k: pl.Int64 for k in keys}, orient="row")
    table = pl.DataFrame(right, schema={k: pl.Int64 for k in keys}, orient="row")
    rows, repeated = dyad_year_rows(frame, table)
    assert repeated == (table.height != table.unique().height)
    if not repeated:
        assert rows.to_list() == _join_rows(frame, table, keys)
    else:  # the kept row is one of the repeated ones, with the same keys
        for i, r in enumerate(rows.to_list()):
            if r is not None:
                assert table.row(r) == frame.row(i)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(codes, years), max_size=30), st.lists(st.tuples(codes, years), max_size=12,
       unique=True))  # fmt: skip
def test_state_year_rows_equal_a_join(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> None:
    frame = pl.DataFrame(left, schema={"ccode": pl.Int64, "year": pl.Int64}, orient="row")
    table = pl.DataFrame(right, schema={"ccode": pl.Int64, "year": pl.Int64}, orient="row")
    rows, repeated = state_year_rows(frame["ccode"], frame["year"], table)
    assert not repeated
    assert rows.to_list() == _join_rows(frame, table, ["ccode", "year"])


def test_join_path_marks_repeats() -> None:
    frame = pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1900]})
    table = pl.DataFrame({"ccode1": [2, 2], "ccode2": [20, 20], "year": [1900, 1900]})
    assert _joined_rows(frame, table, ["ccode1", "ccode2", "year"])[1] is True
    assert dyad_year_rows(frame, table)[1] is True


def test_side_by_side_enrichment_equals_the_chain(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    base = foedus.dyad_years("cow", directed=True, years="1900-2000", warehouse=wh)
    together = base.enrich(["gml-mids", "atop", "nmc", "majors", "contiguity", "peace-years"])
    chained = (
        base.add_gml_mids().add_atop_alliance().add_nmc().add_cow_majors().add_contiguity()
        .add_peace_years()
    )  # fmt: skip
    assert together.columns == chained.columns
    assert together.df.equals(chained.df)
    assert together.provenance() == chained.provenance()
    # USA–UK 1950: NATO (defence), land contiguity none, both majors… facts, not only equality.
    row = together.df.filter(
        (pl.col("ccode1") == 2) & (pl.col("ccode2") == 200) & (pl.col("year") == 1950)
    ).row(0, named=True)
    assert row["atop_defense"] == 1.0 and row["cowmaj1"] == 1 and row["cowmaj2"] == 1


def test_side_by_side_keeps_the_enrichers_own_clash_error(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    base = foedus.dyad_years("cow", directed=True, years="1900-2000", warehouse=wh).add_nmc()
    with pytest.raises(foedus.FoedusError, match="milex1|already"):
        base.enrich(["atop", "nmc"])
