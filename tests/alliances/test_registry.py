"""The alliance registry on the real ATOP 5.1 files: names, phases, members, provisions, look-ups."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from foedus.alliances import UnknownAllianceError, alliance, alliances_of, names_table
from foedus.alliances.codebook import CONDITIONS, PROVISIONS
from foedus.alliances.data import AllianceData
from foedus.alliances.registry import _norm, resolve_alliance
from foedus.errors import InvalidYearsError, UnknownStateError

ENTRIES = names_table()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.atopid}-{e.aliases[0]}")
def test_every_name_row_matches_atop(data: AllianceData, entry) -> None:
    """Each names.csv row is verified from the member-level file: signature date and founders."""
    members = data.members.filter(pl.col("atopid") == entry.atopid)
    assert members.height, f"ATOPID {entry.atopid} is not in atop5_1m.csv"
    entered = members.with_columns(
        d=pl.date(pl.col("yrent"), pl.col("moent"), pl.col("dayent").fill_null(1))
    )
    first = entered["d"].min()
    assert first == entry.signed
    founders = sorted(data.states.abb(c) for c in
                      entered.filter(pl.col("d") == first)["member"].unique().to_list())
    assert founders == sorted(entry.founding_members)


def test_aliases_are_unambiguous() -> None:
    seen: dict[str, int] = {}
    for entry in ENTRIES:
        for label in (entry.name, *entry.aliases):
            key = _norm(label)
            assert seen.setdefault(key, entry.atopid) == entry.atopid, label


@pytest.mark.parametrize(("name", "atopid"), [
    ("NATO", 3180), ("nato", 3180), ("North Atlantic Treaty", 3180), ("Warsaw Pact", 3285),
    ("Rio Pact", 3075), ("ANZUS", 3215), ("US–Japan", 3375), ("us-japan", 3375),
    ("CSTO", 4220), ("SEATO", 3260), ("CENTO", 3275), ("Baghdad Pact", 3275),
    ("Arab League", 3015), ("Triple Alliance", 1350), ("Entente", 2015), ("Dual Alliance", 1335),
    ("Franco-Russian Alliance", 1385), ("Axis", 2515), ("3375", 3375), (3180, 3180),
])  # fmt: skip
def test_names_resolve_to_atop_ids(data: AllianceData, name: str | int, atopid: int) -> None:
    assert resolve_alliance(name, data) == str(atopid)


def test_curated_treaty_keys_resolve(data: AllianceData) -> None:
    assert resolve_alliance("rus-prk-2024", data) == "rus-prk-2024"
    assert resolve_alliance("Liptako-Gourma Charter establishing the Alliance of Sahel States (AES)",
                            data) == "aes-2023"


@pytest.mark.parametrize(("typo", "expected"), [("NATOO", "NATO"), ("Warsaw Pakt", "Warsaw Pact"),
                                                 ("Rio Pakt", "Rio Pact")])
def test_unknown_alliance_suggests_close_matches(data: AllianceData, typo: str,
                                                 expected: str) -> None:
    with pytest.raises(UnknownAllianceError) as info:
        resolve_alliance(typo, data)
    assert expected in (info.value.fix or "")


def test_unknown_atopid(data: AllianceData) -> None:
    with pytest.raises(UnknownAllianceError, match="ATOPID 9999 is not in ATOP 5.1"):
        resolve_alliance(9999, data)


def test_nato_2018(wh_path) -> None:
    nato = alliance("NATO", 2018, warehouse=wh_path)
    assert nato.atopid == 3180
    assert len(nato.member_codes()) == 29
    assert {m.phase for m in nato.members} == {2}
    assert all("defense" in m.obligations for m in nato.members)
    assert all([c.variable for c in m.conditions] == ["defcoloc"] for m in nato.members)
    (phase,) = nato.phases
    provisions = {p.variable: p for p in phase.provisions}
    assert set(provisions) == set(PROVISIONS)
    assert provisions["organ1"].code == 3
    assert provisions["organ1"].meaning == "stand-alone organisation with a permanent bureaucracy"
    assert phase.milinst is not None and phase.formal is not None


def test_nato_after_2018_adds_curated_members(wh_path) -> None:
    nato = alliance("NATO", 2024, warehouse=wh_path)
    by_abb = {m.abb: m for m in nato.members}
    assert len(by_abb) == 32
    assert by_abb["SWD"].source == "curated" and by_abb["SWD"].in_force == date(2024, 3, 7)
    assert by_abb["MAC"].entered == date(2019, 2, 6)


def test_alliance_not_in_force_that_year(wh_path) -> None:
    with pytest.raises(InvalidYearsError) as info:
        alliance("NATO", 1900, warehouse=wh_path)
    assert "1949" in (info.value.fix or "")


def test_triple_alliance_phases(wh_path) -> None:
    triple = alliance("Triple Alliance", warehouse=wh_path)
    assert [p.phase for p in triple.phases] == [1, 2, 3, 4]
    assert triple.phases[0].threats == ("FRN",)
    assert {m.abb for m in triple.members} == {"GMY", "AUH", "ITA"}


def test_alliances_of_japan_2010(wh_path) -> None:
    frame = alliances_of("JPN", 2010, warehouse=wh_path)
    row = frame.filter(pl.col("alliance_id") == "3375").row(0, named=True)
    assert row["defense"] is False and row["nonagg"] and row["consul"]
    assert row["conditions"] == ["concoloc", "concoreq"]
    assert row["partners"] == ["USA"]
    assert row["basis"] == "atop"


def test_alliances_of_usa_1960_has_both_japan_treaties(wh_path) -> None:
    ids = alliances_of(2, 1960, warehouse=wh_path)["alliance_id"].to_list()
    assert "3220" in ids and "3375" in ids


def test_alliances_of_after_2018_is_flagged(wh_path) -> None:
    frame = alliances_of("SWD", 2024, warehouse=wh_path)
    nato = frame.filter(pl.col("alliance_id") == "3180").row(0, named=True)
    assert nato["basis"] == "curated" and nato["status"] == "in force"
    assert set(frame["basis"].to_list()) <= {"curated", "atop-carried-forward"}


@pytest.mark.parametrize("spelling", ["JPN", "jpn", 740, "740", "Japan", "japan"])
def test_state_lookup(data: AllianceData, spelling) -> None:
    assert data.state(spelling).ccode == 740


def test_unknown_state_suggests_close_matches(wh_path) -> None:
    with pytest.raises(UnknownStateError) as info:
        alliances_of("Japn", 2010, warehouse=wh_path)
    assert "JPN" in (info.value.fix or "")


@pytest.mark.parametrize("year", [1700, 2200])
def test_year_outside_coverage_names_the_data(wh_path, year: int) -> None:
    with pytest.raises(InvalidYearsError) as info:
        alliances_of("JPN", year, warehouse=wh_path)
    assert "ATOP 5.1 covers 1815–2018" in (info.value.fix or "")


def test_codebook_covers_every_condition_column(data: AllianceData) -> None:
    # The 22 condition dummies (DEFCON, OFFCON… are their summaries and have no own meaning).
    condition_columns = {c for c in data.members.columns
                         if c[:3] in ("def", "off", "neu", "con") and c[3:5] == "co"
                         and len(c) == 8}
    assert condition_columns == set(CONDITIONS)
