"""End to end through the public API: foedus reproduces every row and cell of the peer's outputs.

Each reference file (../shared/reference/peacesciencer/*.years_div5.parquet) holds the years divisible
by 5 of one peacesciencer call (see that folder's README). foedus builds every year from a warehouse
imported from ../shared/data, and the div-5 subset must equal the reference exactly: same rows, same
columns in the same order, same values, nulls where the peer has NA.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import foedus
from tests.conftest import reference


def _div5(frame: foedus.Frame) -> pl.DataFrame:
    return frame.df.filter(pl.col("year") % 5 == 0)


def _assert_same(ours: pl.DataFrame, ref: pl.DataFrame, keys: list[str]) -> None:
    assert ours.columns == ref.columns, f"columns differ:\n{ours.columns}\n{ref.columns}"
    ours = ours.sort(keys)
    ref = ref.sort(keys)
    assert ours.height == ref.height, f"rows differ: {ours.height} vs {ref.height}"
    # Compare values, not storage types: the peer keeps R doubles for 0/1 indicators.
    ours = ours.with_columns(
        [pl.col(c).cast(ref.schema[c]) for c in ref.columns if ours.schema[c] != ref.schema[c]]
    )
    assert_frame_equal(ours, ref, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


CASES = {
    "cow_ddy_created": (
        lambda wh: foedus.dyad_years("cow", directed=True, warehouse=wh),
        ["ccode1", "ccode2", "year"],
        1_912_290,
    ),
    "gw_ddy_created": (
        lambda wh: foedus.dyad_years("gw", directed=True, warehouse=wh),
        ["gwcode1", "gwcode2", "year"],
        2_445_018,
    ),
    "cow_ndy": (
        lambda wh: foedus.dyad_years("cow", directed=False, warehouse=wh),
        ["ccode1", "ccode2", "year"],
        956_145,
    ),
    "cow_sy": (lambda wh: foedus.state_years("cow", warehouse=wh), ["ccode", "year"], 15_951),
    "gw_sy": (lambda wh: foedus.state_years("gw", warehouse=wh), ["gwcode", "year"], 19_864),
    "cow_ddy_pipeline5": (
        lambda wh: foedus.dyad_years("cow", directed=True, years="1816-2024", warehouse=wh).enrich(
            ["atop", "nmc", "majors", "contiguity", "gml-mids", "peace-years"]
        ),
        ["ccode1", "ccode2", "year"],
        2_214_930,
    ),
    "cow_sy_pipeline6": (
        lambda wh: foedus.state_years("cow", warehouse=wh).enrich(["nmc", "majors"]),
        ["ccode", "year"],
        15_951,
    ),
    "cow_sy_pipeline6_ucdp": (
        lambda wh: foedus.state_years("cow", warehouse=wh).enrich(
            ["nmc", "majors", "gwcode", "ucdp"]
        ),
        ["ccode", "year"],
        15_951,
    ),
    "cow_ddy_cowmids_peace": (
        lambda wh: foedus.dyad_years("cow", directed=True, years="1816-2024", warehouse=wh).enrich(
            ["cow-mids", "peace-years"]
        ),
        ["ccode1", "ccode2", "year"],
        2_214_930,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_reproduces_peacesciencer(name: str, built_warehouse: Path) -> None:
    build, keys, total_rows = CASES[name]
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    frame = build(wh)
    assert frame.height == total_rows
    _assert_same(_div5(frame), reference(name), keys)
