"""The curated file of alliance changes after 2018: content, validation, and use by the engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from foedus.alliances import alliance, load_curated, responders
from foedus.alliances.curated import COLUMNS, ContradictoryRowsError
from foedus.alliances.data import AllianceData, get_data
from foedus.alliances.dyads import dyad_years_after_atop
from foedus.errors import (
    DuplicateKeyError,
    FoedusError,
    InvalidDateError,
    InvalidValueError,
    MissingColumnError,
    UnknownStateError,
)

HEADER = ",".join(COLUMNS)


def _write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "mine.csv"
    path.write_text("# my facts\n# version: test-1\n" + header + "\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def _row(fact_id: str, treaty: str, states: str, status: str, day: str, obligations: str = "",
         atopid: str = "") -> str:
    return (f"{fact_id},{treaty},{atopid},Test treaty,{states},{status},{day},{obligations},"
            f"art. 1,https://example.org/treaty,test,")


# -- the packaged file --------------------------------------------------------------------------
def test_packaged_file_is_valid_against_the_cow_list(data: AllianceData) -> None:
    cur = load_curated(states=data.states.by_abb)
    assert cur.state_checked
    assert cur.version == "2026.11.1"
    for fact in cur.facts:
        assert fact.source_url.startswith("http"), fact.fact_id
        assert fact.source_kind, fact.fact_id
        assert fact.date >= date(2019, 1, 1)


@pytest.mark.parametrize(("states", "treaty", "status", "day", "obligations"), [
    (("MAC",), "nato", "in force", date(2020, 3, 27), ("defense", "nonagg", "consul")),
    (("FIN",), "nato", "in force", date(2023, 4, 4), ("defense", "nonagg", "consul")),
    (("SWD",), "nato", "in force", date(2024, 3, 7), ("defense", "nonagg", "consul")),
    (("RUS", "PRK"), "rus-prk-2024", "signed", date(2024, 6, 19), ("defense",)),
    (("RUS", "PRK"), "rus-prk-2024", "in force", date(2024, 12, 4), ("defense",)),
    (("MLI", "BFO", "NIR"), "aes-2023", "signed", date(2023, 9, 16), ("defense",)),
    (("SAU", "PAK"), "sau-pak-2025", "signed", date(2025, 9, 17), ("defense",)),
    (("ARM",), "csto", "suspended", date(2024, 2, 22), ()),
])  # fmt: skip
def test_packaged_facts(states, treaty, status, day, obligations) -> None:
    facts = [f for f in load_curated().facts
             if f.treaty == treaty and f.states == states and f.status == status
             and f.obligations == obligations]
    assert len(facts) == 1
    assert facts[0].date == day


def test_russia_dprk_article_4() -> None:
    (signed,) = [f for f in load_curated().facts if f.fact_id == "F007"]
    assert signed.article == "art. 4" and "military and other assistance" in signed.note


# -- what the engine does with it -------------------------------------------------------------
def test_sweden_signed_2022_in_force_2024(wh_path) -> None:
    for year, status in ((2022, "signed"), (2023, "signed"), (2024, "in force")):
        nato = [o for o in responders("SWD", year, warehouse=wh_path).defence
                if o.alliance_id == "3180"]
        assert len(nato) == 31, year
        assert {o.status for o in nato} == {status}, year
        assert {o.basis for o in nato} == {"curated"}


def test_russia_dprk_treaty_in_engine(wh_path) -> None:
    a = responders("RUS", 2025, attacker="UKR", warehouse=wh_path)
    prk = [o for o in a.defence if o.state_abb == "PRK"]
    assert [(o.alliance_id, o.verdict, o.status, o.basis) for o in prk] == [
        ("rus-prk-2024", "unconditional", "in force", "curated")]
    assert 731 in a.responder_codes(certain=True)
    old = alliance("4940", warehouse=wh_path)
    assert {m.left for m in old.members} == {date(2024, 12, 4)}
    assert not [o for o in responders("RUS", 2025, warehouse=wh_path).toward_target
                if o.alliance_id == "4940"]


def test_armenia_suspension_affects_only_its_own_pledges(wh_path) -> None:
    csto_to_rus = [o for o in responders("RUS", 2025, warehouse=wh_path).defence
                   if o.alliance_id == "4220" and o.state_abb == "ARM"]
    assert [(o.status, o.bound, o.possible) for o in csto_to_rus] == [("suspended", False, True)]
    before = [o for o in responders("RUS", 2023, warehouse=wh_path).defence
              if o.alliance_id == "4220" and o.state_abb == "ARM"]
    assert [o.status for o in before] == ["in force"]
    to_arm = [o for o in responders("ARM", 2025, warehouse=wh_path).defence
              if o.alliance_id == "4220"]
    assert to_arm and {o.status for o in to_arm} == {"in force"}
    assert all(any("suspended its own participation" in n for n in o.notes) for o in to_arm)


def test_russia_ukraine_1997_treaty_ends_in_2019(wh_path) -> None:
    def ids(year: int) -> set[str]:
        return {o.alliance_id for o in responders("UKR", year, warehouse=wh_path).toward_target
                if o.state_abb == "RUS"}

    assert "4875" in ids(2018) and "4875" in ids(2019) and "4875" not in ids(2020)


def test_carried_forward_and_curated_dyad_years(wh_path) -> None:
    ddy = dyad_years_after_atop(2019, 2024, warehouse=wh_path)
    usa_swd = ddy.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 380)).sort("year")
    assert usa_swd["atop_defense"].to_list() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    assert usa_swd["atop_basis"].to_list()[-1] == "curated"
    usa_jpn = ddy.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 740))
    assert set(usa_jpn["atop_basis"].to_list()) == {"atop-carried-forward"}
    assert ddy.filter((pl.col("ccode1") == 731) & (pl.col("ccode2") == 365)
                      & (pl.col("year") == 2024))["atop_defense"].item() == 1.0
    assert not ddy.select(pl.struct("ccode1", "ccode2", "year").is_duplicated().any()).item()


# -- users' own files -------------------------------------------------------------------------
def test_user_file_is_used_by_the_engine(tmp_path: Path, wh_path) -> None:
    path = _write(tmp_path, _row("U1", "test-pact", "BOL;PAR", "signed", "2020-05-01", "defense"),
                  _row("U2", "test-pact", "BOL;PAR", "in force", "2021-01-10", "defense"))
    cur = load_curated(path)
    assert "test-1" in cur.version and len(cur.facts) == len(load_curated().facts) + 2
    data = get_data(wh_path, curated=cur)
    a = responders("PAR", 2021, warehouse=data)
    (pact,) = [o for o in a.defence if o.alliance_id == "test-pact"]
    assert (pact.state_abb, pact.status, pact.basis) == ("BOL", "in force", "curated")
    (signed,) = [o for o in responders("PAR", 2020, warehouse=data).defence
                 if o.alliance_id == "test-pact"]
    assert signed.status == "signed" and not signed.bound


def test_contradictory_rows_are_rejected_with_row_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, _row("U1", "test-pact", "BOL;PAR", "signed", "2020-05-01", "defense"),
                  _row("U2", "test-pact", "PAR", "signed", "2020-06-01", "defense"))
    with pytest.raises(ContradictoryRowsError) as info:
        load_curated(path)
    message = str(info.value)
    assert "row 1 (line 4)" in message and "row 2 (line 5)" in message


def test_in_force_before_signature_is_contradictory(tmp_path: Path) -> None:
    path = _write(tmp_path, _row("U1", "test-pact", "BOL;PAR", "signed", "2021-05-01", "defense"),
                  _row("U2", "test-pact", "BOL;PAR", "in force", "2020-01-01", "defense"))
    with pytest.raises(ContradictoryRowsError, match="row 2"):
        load_curated(path)


def test_one_atopid_per_treaty(tmp_path: Path) -> None:
    path = _write(tmp_path, _row("U1", "nato", "BOL", "signed", "2021-05-01", "defense",
                                 atopid="3075"))
    with pytest.raises(ContradictoryRowsError, match="different ATOPIDs"):
        load_curated(path)


@pytest.mark.parametrize(("day", "words"), [("2023-02-30", "not a valid date"),
                                            ("2023-13-01", "not a valid date"),
                                            ("2010-01-01", "before 2019"),
                                            ("2999-01-01", "in the future")])
def test_impossible_dates(tmp_path: Path, day: str, words: str) -> None:
    path = _write(tmp_path, _row("U1", "test-pact", "BOL;PAR", "signed", day, "defense"))
    with pytest.raises(InvalidDateError) as info:
        load_curated(path)
    assert words in str(info.value) and "row 1 (line 4)" in str(info.value)


def test_unknown_state(tmp_path: Path, data: AllianceData, wh_path) -> None:
    path = _write(tmp_path, _row("U1", "test-pact", "BOL;PRA", "signed", "2021-01-01", "defense"))
    with pytest.raises(UnknownStateError) as info:
        load_curated(path, states=data.states.by_abb)
    assert "row 1" in str(info.value) and "PAR" in (info.value.fix or "")
    with pytest.raises(UnknownStateError):
        get_data(wh_path, curated=load_curated(path))


def test_bad_values(tmp_path: Path) -> None:
    bad_status = _write(tmp_path, _row("U1", "t", "BOL", "ratified", "2021-01-01", "defense"))
    with pytest.raises(InvalidValueError, match="unknown status"):
        load_curated(bad_status)
    bad_obligation = _write(tmp_path, _row("U1", "t", "BOL", "signed", "2021-01-01", "alliance"))
    with pytest.raises(InvalidValueError, match="unknown obligations"):
        load_curated(bad_obligation)
    no_obligation = _write(tmp_path, _row("U1", "t", "BOL", "signed", "2021-01-01"))
    with pytest.raises(InvalidValueError, match="needs its obligations"):
        load_curated(no_obligation)
    missing = _write(tmp_path, "U1,t", header="fact_id,treaty")
    with pytest.raises(MissingColumnError):
        load_curated(missing)


def test_duplicate_fact_id_across_files(tmp_path: Path) -> None:
    path = _write(tmp_path, _row("F001", "test-pact", "BOL;PAR", "signed", "2021-01-01",
                                 "defense"))
    with pytest.raises(DuplicateKeyError, match="F001"):
        load_curated(path)


def test_joining_an_alliance_twice_is_an_error(tmp_path: Path, wh_path) -> None:
    path = _write(tmp_path, _row("U1", "nato", "USA", "signed", "2021-01-01", "defense",
                                 atopid="3180"))
    with pytest.raises(FoedusError, match="already a member"):
        get_data(wh_path, curated=load_curated(path))


def test_leaving_without_membership_is_an_error(tmp_path: Path, wh_path) -> None:
    path = _write(tmp_path, _row("U1", "nato", "BOL", "left", "2021-01-01", atopid="3180"))
    with pytest.raises(FoedusError, match="never joins"):
        get_data(wh_path, curated=load_curated(path))
