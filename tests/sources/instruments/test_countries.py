"""Country resolution (names → COW, G-W, ISO3): the API others code against, the reviewed table of
historical and ambiguous names, and every name of the real SIPRI files checked against isard's
COW–G-W panel."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import SourceFormatError
from foedus.sources.instruments.countries import (
    NAME_COLUMNS,
    RESOLUTION_COLUMNS,
    attach_codes,
    name_table,
    report_unresolved,
    resolve_names,
    unresolved_in,
)
from tests.conftest import shared_file

SIPRI = "sipri-arms-transfers"


def one(name: str, year: int | None, source: str = SIPRI) -> dict[str, object]:
    return resolve_names([name], [year], source=source).row(0, named=True)


# -- the API ------------------------------------------------------------------------------------


def test_columns_types_and_input_order() -> None:
    names = ["Japan", "Soviet Union", "Atlantis", "Japan", None]
    out = resolve_names(names, [2000, 1980, 2000, 1950, 2000], source=SIPRI)
    assert out.columns == list(RESOLUTION_COLUMNS)
    assert dict(out.schema) == RESOLUTION_COLUMNS
    assert out.get_column("name").to_list() == names
    assert out.get_column("year").to_list() == [2000, 1980, 2000, 1950, 2000]
    assert out.get_column("ccode").to_list() == [740, 365, None, 740, None]
    assert out.get_column("resolution").to_list() == [
        "resolved", "resolved", "unresolved", "resolved", "unresolved"]  # fmt: skip


def test_series_input_and_no_years() -> None:
    out = resolve_names(pl.Series(["France", "Germany"]), source=SIPRI)
    assert out.get_column("year").to_list() == [None, None]
    # without a year a name takes its first row: Germany's first row is the pre-1945 one
    assert out.get_column("ccode").to_list() == [220, 255]


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="2 names but 1 years"):
        resolve_names(["France", "Japan"], [2000], source=SIPRI)


def test_spacing_and_case_do_not_matter() -> None:
    assert one("  soviet   UNION ", 1980)["ccode"] == 365


# -- successor states: the year decides ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "year", "ccode", "gwcode", "iso3", "kind"),
    [
        ("Soviet Union", 1991, 365, 365, "SUN", "historical"),
        ("Soviet Union", 1992, 365, 365, "RUS", "state"),
        ("USSR", 1990, 365, 365, "SUN", "historical"),
        ("Russia", 1995, 365, 365, "RUS", "state"),
        ("Yugoslavia", 1990, 345, 345, "YUG", "historical"),
        ("Yugoslavia", 2006, 345, 340, "SRB", "state"),
        ("Serbia and Montenegro", 2004, 345, 345, "SCG", "historical"),
        ("Serbia", 2000, 345, 345, "SRB", "state"),
        ("Serbia", 2010, 345, 340, "SRB", "state"),
        ("Montenegro", 2010, 341, 341, "MNE", "state"),
        ("Czechoslovakia", 1990, 315, 315, "CSK", "historical"),
        ("Czechia", 2000, 316, 316, "CZE", "state"),
        ("Slovakia", 2000, 317, 317, "SVK", "state"),
        ("East Germany (GDR)", 1990, 265, 265, "DDR", "historical"),
        ("East Germany (GDR)", 1991, 255, 260, "DEU", "state"),
        ("German Democratic Republic", 1970, 265, 265, "DDR", "historical"),
        ("Germany", 1938, 255, 255, "DEU", "state"),
        ("Germany", 1970, 260, 260, "DEU", "state"),
        ("Germany", 1990, 255, 260, "DEU", "state"),
        ("Germany", 2020, 255, 260, "DEU", "state"),
        ("North Yemen", 1985, 678, 678, "YEM", "historical"),
        ("Yemen Arab Republic (North Yemen)", 1967, 678, 678, "YEM", "historical"),
        ("South Yemen", 1985, 680, 680, "YMD", "historical"),
        ("South Yemen", 1995, 679, 678, "YEM", "state"),
        ("Yemen", 1985, 678, 678, "YEM", "state"),
        ("Yemen", 2015, 679, 678, "YEM", "state"),
        ("South Vietnam", 1970, 817, 817, None, "historical"),
        ("South Vietnam", 1980, 816, 816, "VNM", "state"),
        ("Viet Nam", 1970, 816, 816, "VNM", "state"),
        ("Zaire", 1980, 490, 490, "COD", "state"),
        ("DR Congo", 2000, 490, 490, "COD", "state"),
        ("Congo", 2000, 484, 484, "COG", "state"),
        ("Burma", 1980, 775, 775, "MMR", "state"),
        ("Tonga", 2000, 955, 972, "TON", "state"),
        ("Turkiye", 2000, 640, 640, "TUR", "state"),
        ("Kosovo", 2010, 347, 347, "XKX", "state"),
        ("Taiwan", 2000, 713, 713, "TWN", "state"),
    ],
)
def test_historical_and_ambiguous_names(
    name: str, year: int, ccode: int, gwcode: int, iso3: str | None, kind: str
) -> None:
    row = one(name, year)
    assert (row["ccode"], row["gwcode"], row["iso3"], row["kind"]) == (ccode, gwcode, iso3, kind)
    assert row["resolution"] == "resolved"


# -- non-states, organisations, unknown parties -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "iso3"),
    [
        ("unknown supplier(s)", "unknown", None),
        ("unknown recipient(s)", "unknown", None),
        ("United Nations**", "organisation", None),
        ("NATO**", "organisation", None),
        ("African Union**", "organisation", None),
        ("European Union", "organisation", None),
        ("Hezbollah (Lebanon)*", "non-state", None),
        ("unknown rebel group*", "non-state", None),
        ("Biafra", "non-state", None),
        ("Katanga", "non-state", None),
        ("Northern Cyprus", "non-state", None),
        ("Aruba", "non-state", "ABW"),
        ("Palestine", "non-state", "PSE"),
        ("Western Sahara", "non-state", "ESH"),
    ],
)
def test_non_state_entries(name: str, kind: str, iso3: str | None) -> None:
    row = one(name, 2000)
    assert (row["kind"], row["resolution"], row["iso3"]) == (kind, "non-state", iso3)
    assert row["ccode"] is None and row["gwcode"] is None


def test_sipri_markers_apply_to_sipri_sources_only() -> None:
    rows = name_table().filter(pl.col("match") == "regex", pl.col("name").str.contains(r"\\\*"))
    assert set(rows.get_column("source").to_list()) == {"sipri.*"}
    assert one("Hezbollah (Lebanon)*", 2000, source="sipri-milex")["kind"] == "non-state"


def test_unknown_name_is_unresolved_not_dropped() -> None:
    row = one("Atlantis", 2000)
    assert row == {"name": "Atlantis", "year": 2000, "ccode": None, "gwcode": None,
                   "iso3": None, "kind": "unknown", "resolution": "unresolved"}  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


def test_attach_codes_adds_suffixed_columns() -> None:
    deals = pl.DataFrame({"supplier": ["Soviet Union", "Atlantis"], "order_year": [1970, 1970]})
    out = attach_codes(deals, "supplier", year="order_year", source=SIPRI, suffix="_supplier")
    assert out.columns == ["supplier", "order_year", "ccode_supplier", "gwcode_supplier",
                           "iso3_supplier", "resolution_supplier"]  # fmt: skip
    assert out.get_column("resolution_supplier").to_list() == ["resolved", "unresolved"]


def test_report_unresolved_names_file_line_and_column() -> None:
    table = pl.DataFrame({"country": ["France", "Narnia", "Atlantis"],
                          "resolution": ["resolved", "unresolved", "unresolved"],
                          "source_line": [2, 3, 9]})  # fmt: skip
    rep = report_unresolved(table, name_column="country", resolution_column="resolution",
                            line_column="source_line", where="m.csv")  # fmt: skip
    assert rep.columns == ["file", "line", "column", "value"]
    assert rep.rows() == [("m.csv", 3, "country", "Narnia"), ("m.csv", 9, "country", "Atlantis")]
    listing = unresolved_in({"sipri_milex": (table, "m.csv")})
    assert listing.get_column("line").to_list() == [3, 9]
    assert "sipri_arms_deals" in NAME_COLUMNS


def test_name_table_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "names.csv"
    bad.write_text("name,match,source,start,end,ccode,gwcode,iso3,kind,note\n"
                   "Atlantis,exact,,,,1,1,ATL,empire,\n")  # fmt: skip
    with pytest.raises(SourceFormatError, match=r"line 2: kind 'empire' is not one of"):
        name_table(bad)
    bad.write_text("name,match,source,start,end,ccode,gwcode,iso3,kind,note\n"
                   "Atlantis,exact,,1990,1980,1,1,ATL,state,\n")  # fmt: skip
    name_table.cache_clear()
    with pytest.raises(SourceFormatError, match="start 1990 is after end 1980"):
        name_table(bad)
    name_table.cache_clear()


def test_name_table_rows_cover_every_year_without_gaps() -> None:
    """Rows of one name must tile the years: each range starts the year after the previous ends."""
    table = name_table()
    for (name, match), rows in table.group_by("name", "match", maintain_order=True):
        spans = rows.select("start", "end").rows()
        assert spans[0][0] is None, (name, match)
        assert spans[-1][1] is None, (name, match)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start == end + 1, (name, match, spans)


# -- the real SIPRI names against isard's COW–G-W panel -----------------------------------------


def test_every_sipri_name_resolves_and_matches_the_cow_gw_panel() -> None:
    register = pl.read_csv(
        shared_file("sipri_arms_transfers/sipri_trade_register_orders_1940_2024_generated_2025-03-13.csv"),
        columns=["supplier", "recipient", "order_year"], infer_schema_length=0,
    )  # fmt: skip
    milex = pl.read_csv(shared_file("sipri_milex/sipri_milex_1949_2023_country_year.csv"),
                        columns=["country", "year"], infer_schema_length=0)  # fmt: skip
    names = pl.concat([register["supplier"], register["recipient"], milex["country"]])
    years = pl.concat([register["order_year"], register["order_year"], milex["year"]]).cast(pl.Int64)
    res = resolve_names(names, years, source=SIPRI).unique(["name", "year"])
    assert res.filter(pl.col("resolution") == "unresolved").height == 0
    panel = pl.read_parquet(shared_file("isard/cw_gw_panel.parquet")).select(
        pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64),
        pl.col("gwcode").cast(pl.Int64).alias("panel_gwcode"),
    )  # fmt: skip
    checked = res.filter(pl.col("ccode").is_not_null()).join(panel, on=["ccode", "year"])
    assert checked.height > 8000  # every state-year where the state is a COW member
    wrong = checked.filter(pl.col("gwcode") != pl.col("panel_gwcode"))
    assert wrong.height == 0, wrong.head()
