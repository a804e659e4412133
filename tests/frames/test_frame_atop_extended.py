"""ATOP obligations past 2018: carried forward and changed by the curated alliance facts."""

from __future__ import annotations

from pathlib import Path

import polars as pl

import foedus


def _cell(df: pl.DataFrame, c1: int, c2: int, year: int, column: str) -> object:
    row = df.filter((pl.col("ccode1") == c1) & (pl.col("ccode2") == c2) & (pl.col("year") == year))
    assert row.height == 1
    return row[column].item()


def test_default_keeps_years_after_atop_null(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    df = foedus.dyad_years("cow", years="2018-2020", warehouse=wh).add_atop_alliance().df
    assert df.filter(pl.col("year") > 2018)["atop_defense"].null_count() == df.filter(
        pl.col("year") > 2018
    ).height
    assert "atop_basis" not in df.columns


def test_extended_uses_curated_nato_accessions(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    frame = foedus.dyad_years("cow", years="2018-2024", warehouse=wh).enrich(["atop-extended"])
    df = frame.df
    assert df["atop_defense"].null_count() == 0
    # Finland (375) joined NATO on 4 April 2023, Sweden (380) on 7 March 2024 (curated.csv).
    assert _cell(df, 375, 2, 2021, "atop_defense") == 0.0
    assert _cell(df, 375, 2, 2023, "atop_defense") == 1.0
    assert _cell(df, 2, 375, 2023, "atop_defense") == 1.0
    assert _cell(df, 380, 2, 2024, "atop_defense") == 1.0
    assert _cell(df, 2, 380, 2024, "atop_basis") == "curated"
    # An alliance in force at the end of 2018 goes on: USA–Japan.
    assert _cell(df, 2, 740, 2020, "atop_defense") == 1.0
    assert _cell(df, 2, 740, 2020, "atop_basis") == "atop-carried-forward"
    assert set(df.filter(pl.col("year") <= 2018)["atop_basis"].unique()) == {"atop"}
    assert "alliances-curated" in frame.sources()
    assert "foedus2026curated" in frame.citation()


def test_extended_non_directed(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    df = foedus.dyad_years("cow", directed=False, years="2024", warehouse=wh).enrich(
        ["atop-extended"]
    ).df
    assert _cell(df, 2, 380, 2024, "atop_defense") == 1.0
    assert df.height == df.select("ccode1", "ccode2").unique().height
