"""US foreign assistance: importer and enricher (total economic + military aid, no split)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

import foedus


def test_us_aid_import_and_coverage(built_warehouse: Path) -> None:
    from foedus.warehouse import Warehouse

    with Warehouse(built_warehouse, read_only=True) as wh:
        aid = wh.table("us_aid")
    assert aid.height == 21_973
    assert aid.filter(pl.col("resolution") == "unresolved").height == 0
    assert aid.filter(pl.col("country_name").str.ends_with("Region"))["ccode"].null_count() == \
        aid.filter(pl.col("country_name").str.ends_with("Region")).height
    sy = foedus.state_years("cow", years=(2016, 2016), warehouse=built_warehouse).enrich(["us-aid"])
    values = dict(zip(sy.df["ccode"].to_list(), sy.df["us_aid_constant"].to_list(), strict=True))
    assert values[666] > 1e9  # Israel: billions of dollars a year
    assert values[2] == 0  # the United States gives, it does not receive
    dy = foedus.dyad_years("cow", years=(2016, 2016), warehouse=built_warehouse).enrich(["us-aid"])
    pair = dy.df.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 666))
    assert pair["us_aid_constant"].to_list() == [values[666]]
    other = dy.df.filter((pl.col("ccode1") == 220) & (pl.col("ccode2") == 666))
    assert other["us_aid_constant"].to_list() == [None]  # not a US dyad: outside the scope
    assert "us-foreign-aid" in dy.sources()
