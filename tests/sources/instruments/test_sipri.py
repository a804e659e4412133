"""SIPRI importers on the real staged files (../shared/data/sipri_*), registry entries, warehouse
round trip, and one test per bad-input class: encoding, split lines, sentinel codes, percent shares,
duplicated keys, unknown names (listed as unresolved with their line).

Facts checked are those of MANIFEST-instruments.md, sections 1 and 2.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import (
    DuplicateKeyError,
    InvalidValueError,
    MissingColumnError,
    SourceEncodingError,
    SourceFormatError,
)
from foedus.sources.catalog import get_source, release_for_filename
from foedus.sources.formats import FILENAMES, FORMATS, detect_format
from foedus.sources.instruments import FAMILIES
from foedus.sources.instruments.countries import report_unresolved, unresolved_in
from foedus.sources.instruments.sipri import (
    ARMS_FILE,
    DEAL_COLUMNS,
    FOOTNOTES_FILE,
    MILEX_FILE,
    MILEX_VALUES,
    WEAPON_CATEGORIES,
    parse_arms_deals,
    parse_arms_register_raw,
    parse_milex,
    parse_milex_footnotes,
    rejoin_split_records,
    weapon_category,
)
from foedus.sources.readers import LINE_COLUMN
from foedus.warehouse import Warehouse
from tests.conftest import shared_file

ARMS = f"sipri_arms_transfers/{ARMS_FILE}"
MILEX = f"sipri_milex/{MILEX_FILE}"
NOTES = f"sipri_milex/{FOOTNOTES_FILE}"

STAGED_HEADER = (
    "recipient,supplier,order_year,order_year_uncertain,n_ordered,n_ordered_uncertain,"
    "weapon_designation,weapon_description,n_delivered,n_delivered_uncertain,delivery_years,"
    "status,comments,tiv_per_unit,tiv_total_order,tiv_delivered"
)
RAW_PREAMBLE = (
    "Transfers of major conventional arms from All countries  to All countries . Deals with "
    "deliveries made for the year range 'Not specified' to 'Not specified' \n"
    "A '?' in a column indicates uncertain data.\n\n"
    "Source: SIPRI Arms Transfers Database (c) SIPRI.\n"
)
RAW_HEADER = (
    "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,Weapon description,"
    "Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV per unit,"
    "SIPRI TIV for total order,SIPRI TIV of delivered weapons"
)


@pytest.fixture(scope="module")
def deals() -> pl.DataFrame:
    return parse_arms_deals(shared_file(ARMS), keep_lines=True)


@pytest.fixture(scope="module")
def milex() -> pl.DataFrame:
    return parse_milex(shared_file(MILEX), keep_lines=True)


def staged(tmp_path: Path, *rows: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text(STAGED_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


GOOD_ROW = "Afghanistan,Soviet Union,1987,True,3,False,An-26,transport aircraft,3,False,1987,New,,8.5,25.5,25.5"


# -- registry -----------------------------------------------------------------------------------


def test_sources_and_formats_are_registered() -> None:
    assert "sipri" in FAMILIES
    arms = get_source("sipri-arms-transfers")
    assert arms.landing_page == "https://www.sipri.org/databases/armstransfers"
    assert arms.bibkey() == "sipri2025armstransfers"
    assert get_source("sipri-milex").bibkey() == "sipri2024milex"
    assert "sipri.org" in arms.terms
    assert detect_format(ARMS_FILE) == "sipri_trade_register_csv"
    assert FILENAMES["trade-register.csv"] == "sipri_trade_register_raw"
    assert detect_format(MILEX_FILE) == "sipri_milex_csv"
    assert detect_format(FOOTNOTES_FILE) == "sipri_milex_footnotes_csv"
    release = release_for_filename(ARMS_FILE)
    assert release is not None and release.table == "sipri_arms_deals"
    assert release.coverage == (1950, 2024)
    assert FORMATS["sipri_milex_csv"].table == "sipri_milex"


# -- the real trade register --------------------------------------------------------------------


def test_register_shape_and_columns(deals: pl.DataFrame) -> None:
    assert deals.height == 29_515  # manifest: 29,515 rows
    assert tuple(c for c in deals.columns if c != LINE_COLUMN) == DEAL_COLUMNS
    assert deals.schema["delivery_years"] == pl.List(pl.Int64)
    assert deals.schema["order_year_uncertain"] == pl.Boolean
    assert deals.get_column("deal_id").is_unique().all()
    assert deals.get_column("source_line").to_list() == deals.get_column(LINE_COLUMN).to_list()
    assert deals.get_column("source_line")[0] == 2
    assert deals.get_column("supplier").n_unique() == 136  # manifest: 136 suppliers
    assert deals.get_column("recipient").n_unique() == 254  # manifest: 254 recipients


def test_register_first_deal(deals: pl.DataFrame) -> None:
    first = deals.row(0, named=True)
    assert (first["recipient"], first["supplier"], first["order_year"]) == ("Afghanistan", "Brazil", 2017)
    assert (first["ccode_supplier"], first["ccode_recipient"]) == (140, 700)
    assert first["weapon_category"] == "aircraft"
    assert first["delivery_years"] == [2018]
    assert (first["tiv_per_unit"], first["tiv_total_order"], first["tiv_delivered"]) == (4.5, 27.0, 27.0)


def test_register_years_and_deliveries(deals: pl.DataFrame) -> None:
    assert deals.get_column("order_year").min() == 1940
    assert deals.get_column("order_year").max() == 2024
    years = deals.get_column("delivery_years").explode().drop_nulls()
    assert (years.min(), years.max()) == (1950, 2024)  # manifest: deliveries 1950-2024
    assert deals.filter(pl.col("n_delivery_years") == 0).height == 1_166  # no deliveries yet
    assert deals.get_column("n_ordered").null_count() == 280  # blank = not yet available


def test_register_names_all_resolve(deals: pl.DataFrame) -> None:
    for side in ("supplier", "recipient"):
        counts = dict(deals.group_by(f"resolution_{side}").len().rows())
        assert "unresolved" not in counts
    # non-state entries (rebels *, organisations **, unknown parties) keep null codes
    nonstate = deals.filter(pl.col("resolution_recipient") == "non-state")
    assert nonstate.get_column("ccode_recipient").null_count() == nonstate.height
    assert "United Nations**" in nonstate.get_column("recipient").to_list()
    # resolved with the order year: Russia's orders of 1991 and the USSR's are both COW 365
    soviet = deals.filter(pl.col("supplier") == "Soviet Union")
    assert set(soviet.get_column("ccode_supplier").to_list()) == {365}
    assert set(soviet.get_column("iso3_supplier").to_list()) == {"SUN"}
    west = deals.filter((pl.col("supplier") == "Germany") & (pl.col("order_year") == 1980))
    assert set(west.get_column("ccode_supplier").to_list()) == {260}


def test_register_no_soviet_delivery_after_1991(deals: pl.DataFrame) -> None:
    """SIPRI books deliveries after the break-up under the successor: the delivery-year check in
    the enricher (codes by delivery year) is a safeguard, not a correction of this release."""
    soviet = deals.filter(pl.col("supplier") == "Soviet Union")
    assert soviet.get_column("last_delivery_year").max() == 1991


def test_register_identical_rows_are_kept_and_counted(deals: pl.DataFrame) -> None:
    assert deals.filter(pl.col("identical_rows") == 2).height == 20  # ten identical pairs


def test_weapon_categories(deals: pl.DataFrame) -> None:
    assert set(deals.get_column("weapon_category").unique()) <= set(WEAPON_CATEGORIES)
    assert deals.filter(pl.col("weapon_category") == "other").height < 200
    cases = {
        "anti-ship missile": "missiles", "missile boat": "ships", "anti-submarine aircraft":
        "aircraft", "submarine-launched ballistic missile": "missiles", "tank turret": "other",
        "SAM system": "air defence systems", "naval SAM system": "naval weapons",
        "self-propelled gun": "artillery", "tanker/transport aircraft": "aircraft",
        "replenishment tanker": "ships", "infantry fighting vehicle": "armoured vehicles",
        "turbofan": "engines", "recce satellite": "satellites", "SONAR": "sensors",
        "anti-submarine rocket launcher": "anti-submarine warfare weapons",
        "anti-submarine/ship torpedo": "missiles",
    }  # fmt: skip
    assert {d: weapon_category(d) for d in cases} == cases


def test_register_state_codes_are_cow_codes(deals: pl.DataFrame) -> None:
    states = FORMATS["cow_states_csv"].parse(shared_file("cow/states2016.csv"))
    FORMATS["sipri_trade_register_csv"].check_states(deals, set(states["ccode"].to_list()), ARMS)


# -- the real milex files -----------------------------------------------------------------------


def test_milex_shape_and_fractions(milex: pl.DataFrame) -> None:
    assert milex.height == 13_050
    assert milex.get_column("country").n_unique() == 174
    assert (milex.get_column("year").min(), milex.get_column("year").max()) == (1949, 2023)
    assert milex.select("country", "year").is_unique().all()
    usa = milex.filter((pl.col("country") == "United States of America") & (pl.col("year") == 2023))
    row = usa.row(0, named=True)
    assert row["ccode"] == 2
    assert row["milex_const2022_usd_m"] == pytest.approx(880_070.56, abs=0.01)
    assert row["milex_share_gdp"] == pytest.approx(0.0336, abs=1e-4)  # a fraction, not 3.36
    assert milex.get_column("milex_share_gdp").median() < 0.05


def test_milex_flags(milex: pl.DataFrame) -> None:
    counts = dict(milex.group_by("milex_const2022_usd_m_flag").len().rows())
    assert counts == {None: 8_187, "unavailable": 4_628, "not_independent": 235}
    for column in MILEX_VALUES:
        both = milex.filter(pl.col(column).is_not_null() & pl.col(f"{column}_flag").is_not_null())
        assert both.height == 0
    ussr = milex.filter((pl.col("country") == "USSR") & (pl.col("year") == 1995)).row(0, named=True)
    assert (ussr["ccode"], ussr["milex_const2022_usd_m_flag"]) == (365, "not_independent")


def test_milex_names_resolve(milex: pl.DataFrame) -> None:
    assert milex.filter(pl.col("resolution") == "unresolved").height == 0
    eu = milex.filter(pl.col("country") == "European Union").get_column("resolution").unique()
    assert eu.to_list() == ["non-state"]
    gdr = milex.filter((pl.col("country") == "German Democratic Republic") & (pl.col("year") == 1980))
    assert gdr.get_column("ccode").to_list() == [265]


def test_footnotes() -> None:
    notes = parse_milex_footnotes(shared_file(NOTES))
    assert notes.height == 109
    assert notes.get_column("marker").is_unique().all()
    assert notes.filter(pl.col("marker") == "†").get_column("text")[0].startswith(
        "Figures for these countries do not include military pensions")  # fmt: skip


def test_warehouse_round_trip(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.import_file(shared_file(ARMS), "sipri-arms-transfers")
        wh.import_file(shared_file(NOTES), "sipri-milex")
        table = wh.table("sipri_arms_deals")
        assert table.height == 29_515
        assert table.schema["delivery_years"] == pl.List(pl.Int64)
        assert table.row(0, named=True)["delivery_years"] == [2018]
        assert wh.table("sipri_milex_footnotes").height == 109


# -- bad input: encoding ------------------------------------------------------------------------


def test_cp1252_bytes_in_the_staged_copy_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes((STAGED_HEADER + "\n" + GOOD_ROW.replace("Afghanistan", "Türkiye") + "\n")
                     .encode("cp1252"))  # fmt: skip
    with pytest.raises(SourceEncodingError, match=r"line 2.*as Windows-1252 it would be 'ü'.*iconv"):
        parse_arms_deals(path)


def test_raw_export_in_cp1252_is_read(tmp_path: Path) -> None:
    path = tmp_path / "trade-register.csv"
    rows = ["Türkiye,Germany,1990,?,4,,MEKO-200,frigate,4,?,1995; 1996,New,,280,1120,1120",
            "Côte d'Ivoire,France,2015,,2,,Gowind,patrol ship,,,,New,,45,90,"]  # fmt: skip
    path.write_bytes((RAW_PREAMBLE + RAW_HEADER + "\n" + "\n".join(rows) + "\n").encode("cp1252"))
    out = parse_arms_register_raw(path)
    assert out.get_column("recipient").to_list() == ["Türkiye", "Côte d'Ivoire"]
    assert out.get_column("source_line").to_list() == [6, 7]
    assert out.get_column("order_year_uncertain").to_list() == [True, False]
    assert out.get_column("n_delivered_uncertain").to_list() == [True, False]
    assert out.get_column("delivery_years").to_list() == [[1995, 1996], []]
    assert out.get_column("ccode_recipient").to_list() == [640, 437]


def test_undecodable_bytes_in_a_raw_export(tmp_path: Path) -> None:
    path = tmp_path / "trade-register.csv"
    path.write_bytes((RAW_PREAMBLE + RAW_HEADER + "\n").encode() + b"Peru,Spain,1990\x81\n")
    with pytest.raises(SourceEncodingError, match="line 6.*neither UTF-8 nor Windows-1252"):
        parse_arms_register_raw(path)


# -- bad input: split lines ---------------------------------------------------------------------


def test_split_record_in_a_raw_export_is_named(tmp_path: Path) -> None:
    path = tmp_path / "trade-register.csv"
    good = "Peru,Spain,1990,,2,,C-212,transport aircraft,2,,1991,New,$20 m deal,1.5,3,3"
    split = ("Chile,France,1995,?,1,,Scorpene,submarine,1,,2005,New,Part of deal; first line\n"
             "second line of the comment,250,250,250")  # fmt: skip
    path.write_text(RAW_PREAMBLE + RAW_HEADER + "\n" + good + "\n" + split + "\n" + good + "\n")
    with pytest.raises(SourceFormatError, match=r"split across lines 7 and 8.*line break") as exc:
        parse_arms_register_raw(path)
    assert "rejoin_split_records" in str(exc.value)
    repaired = tmp_path / "repaired.csv"
    assert rejoin_split_records(path, repaired) == 1
    out = parse_arms_register_raw(repaired)
    assert out.height == 3
    assert out.get_column("comments")[1] == "Part of deal; first line second line of the comment"


def test_split_record_in_the_staged_layout_is_named(tmp_path: Path) -> None:
    split = GOOD_ROW.replace("New,,8.5", "New,first half\nsecond half,8.5")
    path = staged(tmp_path, GOOD_ROW, split)
    with pytest.raises(SourceFormatError, match=r"split across lines 3 and 4"):
        parse_arms_deals(path)


def test_raw_export_given_to_the_staged_parser(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(RAW_PREAMBLE + RAW_HEADER + "\n")
    with pytest.raises(SourceFormatError, match="raw trade-register export.*sipri_trade_register_raw"):
        parse_arms_deals(path)


def test_raw_export_with_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "trade-register.csv"
    path.write_text("Recipient,Supplier,Year of order\nPeru,Spain,1990\n")
    with pytest.raises(MissingColumnError, match="expected SIPRI's"):
        parse_arms_register_raw(path)


# -- bad input: sentinel codes and flags --------------------------------------------------------


def test_question_mark_in_a_value_column(tmp_path: Path) -> None:
    path = staged(tmp_path, GOOD_ROW, GOOD_ROW.replace(",3,False,An-26", ",3?,False,An-26"))
    with pytest.raises(InvalidValueError, match=r"line 3, column 'n_ordered'.*'3\?'.*uncertain"):
        parse_arms_deals(path)


def test_bad_uncertainty_flag(tmp_path: Path) -> None:
    path = staged(tmp_path, GOOD_ROW.replace("1987,True", "1987,maybe"))
    with pytest.raises(InvalidValueError, match=r"line 2, column 'order_year_uncertain'.*'maybe'"):
        parse_arms_deals(path)


def test_bad_delivery_year_list(tmp_path: Path) -> None:
    path = staged(tmp_path, GOOD_ROW.replace(",3,False,1987,", ",3,False,1987; 19x8,"))
    with pytest.raises(InvalidValueError, match=r"line 2, column 'delivery_years'.*'1987; 19x8'"):
        parse_arms_deals(path)


def test_staged_derived_columns_must_agree(tmp_path: Path) -> None:
    header = STAGED_HEADER + ",first_delivery_year"
    path = tmp_path / "register.csv"
    path.write_text(header + "\n" + GOOD_ROW + ",1990\n")
    with pytest.raises(InvalidValueError, match="first_delivery_year = 1990 but the delivery-year list"):
        parse_arms_deals(path)


MILEX_HEAD = "country,region,year,milex_const2022_usd_m,milex_share_gdp,milex_const2022_usd_m_flag"


def test_milex_sentinels_become_flags(tmp_path: Path) -> None:
    path = tmp_path / "milex.csv"
    path.write_text(MILEX_HEAD + "\nUSSR,Europe,1990,300000,0.12,\nUSSR,Europe,1993,xxx,xxx,\n"
                    "Russia,Europe,1990,...,...,\n")  # fmt: skip
    out = parse_milex(path)
    assert out.get_column("milex_const2022_usd_m_flag").to_list() == [None, "not_independent", "unavailable"]
    assert out.get_column("milex_share_gdp").to_list() == [0.12, None, None]


def test_milex_unknown_sentinel_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "milex.csv"
    path.write_text(MILEX_HEAD + "\nFrance,Europe,1990,n/a,0.03,\n")
    with pytest.raises(InvalidValueError, match=r"line 2, column 'milex_const2022_usd_m'.*'n/a'.*'xxx'"):
        parse_milex(path)


def test_milex_flag_with_a_value_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "milex.csv"
    path.write_text(MILEX_HEAD + "\nFrance,Europe,1990,40000,0.03,unavailable\n")
    with pytest.raises(InvalidValueError, match="flag 'unavailable' but 'milex_const2022_usd_m' has"):
        parse_milex(path)


# -- bad input: fractions vs percent ------------------------------------------------------------


def test_percent_scaled_shares_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "milex.csv"
    rows = [f"C{i},Europe,2000,{1000 + i},{2.5 + i / 10},"
            for i in range(12)]  # fmt: skip
    path.write_text(MILEX_HEAD + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(SourceFormatError, match=r"looks percent-scaled.*divide the share columns by 100"):
        parse_milex(path)


def test_percent_signs_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "milex.csv"
    path.write_text(MILEX_HEAD + "\nFrance,Europe,1990,40000,3.4%,\n")
    with pytest.raises(InvalidValueError, match=r"line 2.*'3.4%' is written as a percentage"):
        parse_milex(path)


# -- bad input: duplicated keys -----------------------------------------------------------------


def test_milex_duplicated_country_year(tmp_path: Path) -> None:
    path = tmp_path / "milex.csv"
    path.write_text(MILEX_HEAD + "\nFrance,Europe,1990,1,0.03,\nFrance,Europe,1990,2,0.03,\n")
    with pytest.raises(DuplicateKeyError, match="lines 2 and 3: duplicated key country=France, year=1990"):
        parse_milex(path)


def test_footnote_duplicated_marker(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("marker,text\n1,a\n1,b\n")
    with pytest.raises(DuplicateKeyError, match="lines 2 and 3"):
        parse_milex_footnotes(path)


# -- bad input: unknown names -------------------------------------------------------------------


def test_unknown_names_are_kept_and_listed_with_their_line(tmp_path: Path) -> None:
    path = staged(tmp_path, GOOD_ROW, GOOD_ROW.replace("Afghanistan,Soviet Union", "Atlantis,Soviet Union"),
                  GOOD_ROW.replace("Soviet Union", "Ruritania"))  # fmt: skip
    out = parse_arms_deals(path)
    assert out.height == 3  # never dropped
    assert out.get_column("resolution_recipient").to_list() == ["resolved", "unresolved", "resolved"]
    assert out.get_column("ccode_recipient").to_list() == [700, None, 700]
    rep = report_unresolved(out, name_column="recipient", resolution_column="resolution_recipient",
                            where=str(path))  # fmt: skip
    assert rep.rows() == [(str(path), 3, "recipient", "Atlantis")]
    listing = unresolved_in({"sipri_arms_deals": (out, path.name)})
    assert listing.select("line", "column", "value").rows() == [
        (3, "recipient", "Atlantis"), (4, "supplier", "Ruritania")]  # fmt: skip


def test_staged_files_match_their_declared_checksums(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        records = wh.import_file(shared_file(MILEX), "sipri-milex")
        assert [r.checksum_ok for r in records] == [True]
