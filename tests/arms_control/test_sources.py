"""The arms-control importers on the real staged files, and their errors on malformed files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import InvalidDateError, InvalidValueError, MissingColumnError
from foedus.sources.formats import FORMATS
from tests.conftest import shared_file

AC = "arms_control"


def _parse(fmt: str, rel: str) -> pl.DataFrame:
    return FORMATS[fmt].parse(shared_file(f"{AC}/{rel}"))


def test_untc_counts_and_withdrawals() -> None:
    df = _parse("untc_ch26_participants_csv", "untc_disarmament/untc_ch26_disarmament_participants.csv")
    assert df.height == 1924  # manifest: 1,924 rows
    # the manifest's status counts per treaty (party / signatory)
    counts = dict(df.filter(pl.col("status_at_snapshot") == "party").group_by("treaty").len().rows())
    assert (counts["ATT"], counts["CTBT"], counts["CWC"], counts["OTTAWA"], counts["TPNW"]) == (
        117, 178, 193, 161, 74)
    fin = df.filter((pl.col("treaty") == "OTTAWA") & (pl.col("participant") == "Finland")).row(0, named=True)
    assert fin["ccode"] == 375 and str(fin["withdrawal_effective_date"]) == "2026-01-10"
    # every participant that is a state resolves; the four that do not are non-COW entities
    unresolved = set(df.filter(pl.col("ccode").is_null())["participant"])
    assert unresolved == {"Cook Islands", "Holy See", "Niue", "State of Palestine"}
    assert df.filter(pl.col("participant") == "Türkiye")["ccode"].unique().to_list() == [640]


def test_unoda_russia_ctbt_and_dprk() -> None:
    df = _parse("unoda_events_csv", "unoda_survivalscores/unoda_npt_bwc_ctbt_tpnw_nwfz_events_survivalscores_2026-08-22.csv")
    assert df.height == 1338
    rus = df.filter((pl.col("ccode") == 365) & (pl.col("treaty") == "CTBT"))
    assert dict(zip(rus["action"], map(str, rus["date"]), strict=True)) == {
        "signed": "1996-09-24", "ratified": "2000-06-30", "withdrew": "2023-11-03"}
    dprk = df.filter((pl.col("ccode") == 731) & (pl.col("treaty") == "NPT"))
    assert dprk.select("action", "date").rows() == [("acceded", __import__("datetime").date(1985, 12, 12))]


def test_manytreaties_and_icrc_parse() -> None:
    ggo = _parse("manytreaties_ggo_csv", "manytreaties/manytreaties_parties_GGO_arms_control_subset.csv")
    assert ggo.height == 967
    assert ggo.filter(pl.col("state_ratification_uncertain")).height == 1
    # historical codes resolve as of the state's own year
    assert set(ggo.filter(pl.col("state_id") == "DDR")["ccode"]) == {265}
    ieadb = _parse("manytreaties_ieadb_csv", "manytreaties/manytreaties_parties_IEADB_arms_control_subset.csv")
    assert ieadb.height == 689 and ieadb.filter(pl.col("treaty") == "PTBT").height == 122
    icrc = _parse("icrc_ihl_chart_csv", "icrc_ihl/icrc_ihl_and_related_treaties_parties_2020-11-09.csv")
    # the manifest's party counts (= the sheet's Total row)
    n = dict(icrc.group_by("treaty").len().rows())
    assert (n["GENEVA1925"], n["BWC"], n["CWC"], n["ATT"], n["TPNW"]) == (145, 183, 193, 110, 50)


def test_nuclear_files() -> None:
    tests = _parse("owid_nuclear_tests_csv", "owid_wmd/nuclear_weapons_tests_states.csv")
    totals = dict(tests.group_by("ccode").agg(pl.col("tests").sum()).rows())
    assert (totals[2], totals[365], totals[220], totals[200], totals[710], totals[750], totals[770]) == (
        1030, 715, 210, 45, 45, 3, 2)
    assert tests.filter(pl.col("doubtful"))["tests"].sum() == 3  # North Korea 2010
    status = _parse("owid_nuclear_status_csv", "owid_wmd/nuclear_weapons_proliferation_owid.csv")
    owners = set(status.filter((pl.col("year") == 2022) & (pl.col("status") == 3))["ccode"])
    assert owners == {2, 365, 200, 220, 710, 750, 770, 666, 731}
    nl = _parse("nuclear_latency_csv", "fuhrmann/nl_dataset_v.1.2.csv")
    assert nl.filter(pl.col("ccode") == 630).height == 10  # Iran: 10 facilities
    nca = _parse("fuhrmann_nca_csv", "fuhrmann/nca_dataset.csv")
    assert nca.height == 3152 and nca.filter(pl.col("nca_type") == 7).height == 9


def _untc_header() -> str:
    return ("treaty_id,mtdsg_no,participant,note_refs,signature_date,signature_code,"
            "provisional_application_date,consent_date,consent_code,consent_type,bracketed,"
            "withdrawal_notification_date,withdrawal_effective_date,snapshot_date,status_at_snapshot\n")


@pytest.mark.parametrize(("row", "error", "where"), [
    ("att,XXVI-8,Chile,,2013-06-03,,,2018-02-30,,,False,,,2026-02-03,party\n", InvalidValueError,
     "line 3, column 'consent_date'"),
    ("nato,XXVI-8,Chile,,2013-06-03,,,,,,False,,,2026-02-03,signatory\n", InvalidValueError,
     "line 3, column 'treaty_id'"),
    ("att,XXVI-8,Chile,,2013-06-03,,,,,,Maybe,,,2026-02-03,signatory\n", InvalidValueError,
     "line 3, column 'bracketed'"),
])
def test_malformed_untc_names_file_line_column(tmp_path: Path, row: str, error: type, where: str) -> None:
    f = tmp_path / "untc_ch26_disarmament_participants.csv"
    f.write_text(_untc_header() + "att,XXVI-8,Peru,,2013-06-03,,,2016-02-16,,,False,,,2026-02-03,party\n" + row)
    with pytest.raises(error) as info:
        FORMATS["untc_ch26_participants_csv"].parse(f)
    assert str(f) in str(info.value) and where in str(info.value)


def test_malformed_ggo_date_and_missing_column(tmp_path: Path) -> None:
    f = tmp_path / "g.csv"
    f.write_text("stateID,treatyID,Title,StateSignature,StateRatification,StateForce,StateEnd\n"
                 "AUS,TB06SW_1963A,PTBT,1963-08-08,12/11/1963,,\n")
    with pytest.raises(InvalidDateError, match=r"line 2, column 'stateratification'"):
        FORMATS["manytreaties_ggo_csv"].parse(f)
    g = tmp_path / "u.csv"
    g.write_text("treaty_id,iso2,country,action,date\nnpt,US,United States,signed,1968-07-01\n")
    with pytest.raises(MissingColumnError, match="treaty_name"):
        FORMATS["unoda_events_csv"].parse(g)
