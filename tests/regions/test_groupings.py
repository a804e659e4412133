"""Groupings: dated membership, a source on every row, COW codes that match their names."""

from __future__ import annotations

import csv

import pytest

from foedus.errors import UnknownGroupingError
from foedus.regions.groupings import GROUPINGS_PATH, get_grouping, grouping_members, load_spells
from tests.conftest import shared_file


def _members(name: str, year: int, status: str = "member") -> set[str]:
    return {m["abb"] for m in grouping_members(name, year, status=status)}


def test_iran_in_sco_from_2023_belarus_from_2024() -> None:
    assert "IRN" not in _members("SCO", 2022)
    assert "IRN" in _members("SCO", 2023)
    assert "BLR" not in _members("SCO", 2023) and "BLR" in _members("SCO", 2024)
    assert {"IND", "PAK"} <= _members("SCO", 2017) and not {"IND", "PAK"} & _members("SCO", 2016)


def test_brics_enlargements() -> None:
    new = {"EGY", "ETH", "IRN", "UAE"}
    assert _members("BRICS", 2023) == {"BRA", "RUS", "IND", "CHN", "SAF"}
    assert not new & _members("BRICS", 2023)
    assert new <= _members("BRICS", 2024)
    assert "SAU" not in _members("BRICS", 2024)  # invited, never confirmed
    assert "SAU" in _members("BRICS", 2024, status="invited")
    assert "INS" not in _members("BRICS", 2024) and "INS" in _members("BRICS", 2025)
    assert "SAF" not in _members("BRICS", 2009) and "SAF" in _members("BRICS", 2010)


def test_exits_freezes_and_suspensions() -> None:
    aes = {"MLI", "BFO", "NIR"}
    assert aes <= _members("ECOWAS", 2024) and not aes & _members("ECOWAS", 2025)
    assert "ARM" in _members("CSTO", 2023) and "ARM" not in _members("CSTO", 2024)
    assert "ARM" in _members("CSTO", 2024, status="frozen")
    assert "UZB" in _members("CSTO", 2011) and "UZB" not in _members("CSTO", 2012)
    assert "GFR" in _members("G7", 1989) and "GMY" in _members("G7", 1990)
    assert "ETM" in _members("ASEAN", 2025) and "ETM" not in _members("ASEAN", 2024)


def test_every_row_has_a_source_and_a_matching_cow_code() -> None:
    with shared_file("cow/states2016.csv").open(encoding="utf-8") as handle:
        abb = {int(r["ccode"]): r["stateabb"] for r in csv.DictReader(handle)}
    spells = load_spells()
    assert len(spells) > 100
    with GROUPINGS_PATH.open(encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    assert len(raw) == len(spells)
    for row in raw:
        assert "http" in row["source"], f"line without a citable source: {row}"
    for spell in spells:
        assert abb.get(spell.ccode) == spell.abb, f"line {spell.line}: {spell.ccode} is not {spell.abb}"


def test_unknown_grouping_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownGroupingError) as info:
        get_grouping("Warsaw Pact")
    assert "BRICS" in str(info.value) and "ECOWAS" in str(info.value)
