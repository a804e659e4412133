"""COW MID 5.0 dispute-dyad-years rebuilt from the official MIDB/MIDA files, against the peer's
derived tables cell for cell, and the participant table against facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import foedus
from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.cow_mids import (
    cow_mid_disputes,
    cow_mid_dyad_dispute_years,
    cow_mid_dyad_years,
    cow_mid_participants,
    load_cow_mid_participants,
)
from foedus.sources.formats import FORMATS
from tests.conftest import ps_table, shared_file

KEYS = ["ccode1", "ccode2", "year"]

#: The deliberate differences from peacesciencer (docs/peacesciencer-differences.md): Finland
#: re-entered dispute 4678 on 2014-05-20 after a 2013 spell; the re-entry rule makes 2014 an onset
#: for its dyads with Russia, which the peer's hand-made list of re-entries leaves out.
DIFFERENCES = {
    (4678, 365, 375, 2014, "onset"): (1.0, 0.0),
    (4678, 375, 365, 2014, "onset"): (1.0, 0.0),
}


@pytest.fixture(scope="module")
def raw() -> dict[str, pl.DataFrame]:
    return {
        table: FORMATS[fid].parse(shared_file(f"cow/{name}"))
        for table, fid, name in (
            ("b", "cow_midb_csv", "MIDB 5.0.csv"),
            ("a", "cow_mida_csv", "MIDA 5.0.csv"),
            ("ip", "cow_midip_csv", "MIDIP 5.0.csv"),
        )
    }


@pytest.fixture(scope="module")
def participants(raw: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return cow_mid_participants(raw["b"], raw["a"], raw["ip"])


def _cell_differences(
    ours: pl.DataFrame, peer: pl.DataFrame, keys: list[str], onset: str
) -> dict[tuple, tuple]:
    assert ours.columns == peer.columns
    assert ours.height == peer.height
    assert ours.select(keys).equals(peer.select(keys))  # same rows, same order
    found: dict[tuple, tuple] = {}
    for column in ours.columns:
        differ = ~ours[column].cast(pl.Float64).eq_missing(peer[column].cast(pl.Float64))
        for row, mine, theirs in zip(
            ours.filter(differ).select("dispnum", *KEYS).rows(),
            ours.filter(differ)[column],
            peer.filter(differ)[column],
            strict=True,
        ):
            name = "onset" if column == onset else column
            found[(*row, name)] = (mine, theirs)
    return found


def test_dyad_years_equal_the_peers_cell_for_cell(raw: dict[str, pl.DataFrame]) -> None:
    ours = cow_mid_dyad_years(raw["b"], raw["a"])
    peer = ps_table("cow_mid_ddydisps")
    assert ours.schema == peer.schema
    assert _cell_differences(ours, peer, KEYS, "cowmidonset") == DIFFERENCES


def test_dispute_dyad_years_equal_the_peers_dirdisps(participants: pl.DataFrame) -> None:
    ours = cow_mid_dyad_dispute_years(participants)
    peer = ps_table("cow_mid_dirdisps")
    keys = ["dispnum", *KEYS, "sidea1", "sidea2"]
    ours, peer = ours.sort(keys), peer.sort(keys)
    assert ours.height == 11_390
    assert _cell_differences(ours, peer, keys, "disponset") == DIFFERENCES


def test_disputes_equal_the_peers(raw: dict[str, pl.DataFrame]) -> None:
    assert cow_mid_disputes(raw["a"]).equals(ps_table("cow_mid_disps"))


def test_participants_match_history(participants: pl.DataFrame) -> None:
    assert participants.height == 5_883  # one row per MIDB row
    ww2 = participants.filter(pl.col("dispnum") == 258)

    def spells(ccode: int) -> list[tuple]:
        return ww2.filter(pl.col("ccode") == ccode).select("side", "joiner", "stdate").rows()

    # Germany (side B) and Poland (side A) originated; the UK and France joined Poland's side.
    assert spells(255) == [("B", 0, dt.date(1939, 3, 25))]
    assert spells(290) == [("A", 0, dt.date(1939, 3, 25))]
    assert ww2.filter(pl.col("ccode") == 200)["ally_originators"].to_list() == [[290]]
    # The USA joined on 7 December 1941; the USSR on Germany's side in September 1939, then on
    # the other after 22 June 1941; Italy from 10 June 1940, changing sides in October 1943.
    assert spells(2) == [("A", 1, dt.date(1941, 12, 7))]
    assert spells(365) == [("B", 1, dt.date(1939, 9, 17)), ("A", 1, dt.date(1941, 6, 22))]
    assert [s for s, _, _ in spells(325)] == ["B", "A"]
    assert ww2.filter(pl.col("ccode") == 325)["switched_side"].to_list() == [False, True]
    assert participants["joiner"].sum() == 681 and participants["reentry"].sum() == 29
    # originators start on the dispute's first day (MIDB's definition), up to day imputation
    orig = participants.filter(pl.col("originator") == 1)
    assert (orig["days_after_start"] == 0).mean() > 0.99  # type: ignore[operator]
    # MIDIP covers disputes from 1992 on: incidents are counted there and null before
    assert (
        participants.filter(pl.col("dispute_start").dt.year() < 1992)["incidents"].null_count()
        == participants.filter(pl.col("dispute_start").dt.year() < 1992).height
    )
    russia_crimea = participants.filter((pl.col("dispnum") == 4678) & (pl.col("ccode") == 365))
    assert russia_crimea["incidents"].item() == 30


def test_unknown_days_widen_the_spell() -> None:
    midb = pl.DataFrame(
        {
            "dispnum": [9],
            "ccode": [2],
            "stabb": ["USA"],
            "stday": [None],
            "stmon": [2],
            "styear": [1900],
            "endday": [None],
            "endmon": [2],
            "endyear": [1900],
            "sidea": [1],
            "revstate": [0],
            "revtype1": [None],
            "revtype2": [None],
            "fatality": [None],
            "fatalpre": [None],
            "hiact": [1],
            "hostlev": [2],
            "orig": [1],
        }  # fmt: skip
    )
    p = cow_mid_participants(midb)
    assert p.select("stdate", "enddate", "start_day_known").row(0) == (
        dt.date(1900, 2, 1), dt.date(1900, 2, 28), False,
    )  # fmt: skip
    with pytest.raises(SourceFormatError, match="lacks column"):
        cow_mid_participants(midb.drop("orig"))
    bad = midb.with_columns(pl.lit(1899).alias("endyear"))
    with pytest.raises(SourceFormatError, match="end before the start"):
        cow_mid_participants(bad)


def test_enricher_uses_the_rebuilt_table(built_warehouse: Path) -> None:
    wh = foedus.Warehouse(built_warehouse, read_only=True)
    base = foedus.dyad_years("cow", directed=True, years="2010-2014", warehouse=wh)
    rebuilt = base.add_cow_mids()
    peer = base.add_cow_mids(source="peer")
    assert {u.table for u in rebuilt.used} >= {"cow_mid_b", "cow_mid_a"}
    assert "cow_mid_ddydisps" not in {u.table for u in rebuilt.used}
    differ = (
        rebuilt.df.filter(~pl.col("cowmidonset").eq_missing(peer.df["cowmidonset"]))
        .select(KEYS)
        .rows()
    )
    assert sorted(differ) == [(365, 375, 2014), (375, 365, 2014)]
    # Built from every dispute-year, another whittling order can now pick another dispute.
    keep = ["dispnum"]
    default = foedus.dyad_years("cow", years="1816-2014", warehouse=wh).add_cow_mids(keep=keep)
    other = foedus.dyad_years("cow", years="1816-2014", warehouse=wh).add_cow_mids(
        keep=keep, whittle=["onsets", "first"]
    )
    assert default.df["dispnum"].ne_missing(other.df["dispnum"]).sum() > 0
    with pytest.raises(FoedusError, match="unknown COW MID source"):
        base.add_cow_mids(source="midip")  # type: ignore[arg-type]


def test_participants_from_the_warehouse(built_warehouse: Path, tmp_path: Path) -> None:
    p = load_cow_mid_participants(foedus.Warehouse(built_warehouse, read_only=True))
    assert p.height == 5_883 and "incidents" in p.columns
    empty = foedus.Warehouse(tmp_path / "empty.duckdb")
    with pytest.raises(FoedusError, match="MIDB 5.0.csv"):
        load_cow_mid_participants(empty)
    empty.close()
