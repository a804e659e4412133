"""ATOP directed dyad-years from the member-level file, and add_atop_alliance().

The real-data tests compare with ATOP's own directed dyad-year file as bundled by peacesciencer
(``atop_alliance``) and with peacesciencer's ``add_atop_alliance()`` output. The only differences
are the obligations of members coded ``obvary`` = 1 (their obligations differ by partner, and the
member-level file does not say which partners): they are listed in ``KNOWN_DIFFERENCES`` and in
``docs/atop-dyad-rules.md``.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from foedus.errors import FoedusError, SourceFormatError
from foedus.frames.atop import (
    ATOP_COLUMNS,
    OBLIGATIONS,
    add_atop_alliance,
    derive_atop_dyad_years,
)
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, reference, shared_file

KEYS = ["ccode1", "ccode2", "year"]
ADDED = ["atop_alliance", *ATOP_COLUMNS]

# (atopid, obligation, ccode1, ccode2, first year, last year): the derived table has 1, ATOP's
# directed dyad-year file has 0, in every year of the range. In each case ccode1 is coded
# obvary = 1 in that alliance, and the member-level file only records that ccode1 undertakes the
# obligation towards *some* partners. 67 runs = 421 cells in 346 dyad-years.
KNOWN_DIFFERENCES: list[tuple[int, str, int, int, int, int]] = [
    (1100, "defense", 200, 220, 1834, 1839),
    (1100, "defense", 230, 200, 1834, 1839),
    (1100, "defense", 230, 220, 1834, 1839),
    (1100, "defense", 235, 200, 1834, 1839),
    (1100, "defense", 235, 220, 1834, 1839),
    (1110, "defense", 200, 255, 1840, 1840),
    (1110, "defense", 200, 300, 1840, 1840),
    (1110, "defense", 200, 365, 1840, 1840),
    (1110, "defense", 255, 200, 1840, 1840),
    (1110, "defense", 300, 200, 1840, 1840),
    (1110, "defense", 365, 200, 1840, 1840),
    (1110, "offense", 200, 255, 1840, 1840),
    (1110, "offense", 200, 365, 1840, 1840),
    (1110, "offense", 300, 255, 1840, 1840),
    (1110, "offense", 640, 255, 1840, 1840),
    (1110, "offense", 640, 365, 1840, 1840),
    (1120, "defense", 200, 220, 1847, 1847),
    (1120, "defense", 200, 230, 1847, 1847),
    (1120, "defense", 220, 200, 1847, 1847),
    (1120, "defense", 220, 230, 1847, 1847),
    (1120, "defense", 230, 200, 1847, 1847),
    (1120, "defense", 230, 220, 1847, 1847),
    (1160, "defense", 200, 325, 1855, 1856),
    (1160, "defense", 220, 325, 1855, 1856),
    (1160, "defense", 325, 200, 1855, 1856),
    (1160, "defense", 325, 220, 1855, 1856),
    (1205, "defense", 140, 160, 1859, 1864),
    (1205, "defense", 160, 140, 1859, 1864),
    (1227, "neutral", 240, 245, 1862, 1866),
    (1227, "neutral", 240, 269, 1862, 1866),
    (1227, "neutral", 240, 271, 1862, 1866),
    (1227, "neutral", 240, 275, 1862, 1866),
    (1227, "neutral", 245, 240, 1862, 1866),
    (1227, "neutral", 245, 269, 1862, 1866),
    (1227, "neutral", 245, 271, 1862, 1866),
    (1227, "neutral", 245, 275, 1862, 1866),
    (1227, "neutral", 269, 240, 1862, 1866),
    (1227, "neutral", 269, 245, 1862, 1866),
    (1227, "neutral", 269, 271, 1862, 1866),
    (1227, "neutral", 269, 275, 1862, 1866),
    (1227, "neutral", 271, 240, 1862, 1866),
    (1227, "neutral", 271, 245, 1862, 1866),
    (1227, "neutral", 271, 269, 1862, 1866),
    (1227, "neutral", 271, 275, 1862, 1866),
    (1227, "neutral", 275, 240, 1862, 1866),
    (1227, "neutral", 275, 245, 1862, 1866),
    (1227, "neutral", 275, 269, 1862, 1866),
    (1227, "neutral", 275, 271, 1862, 1866),
    (1350, "offense", 255, 300, 1887, 1914),
    (1355, "defense", 360, 325, 1888, 1915),
    (2130, "defense", 200, 325, 1925, 1937),
    (2130, "defense", 211, 200, 1925, 1936),
    (2130, "defense", 211, 325, 1925, 1936),
    (2130, "defense", 220, 200, 1925, 1936),
    (2130, "defense", 220, 325, 1925, 1937),
    (2130, "defense", 255, 200, 1925, 1936),
    (2130, "defense", 255, 211, 1925, 1936),
    (2130, "defense", 255, 220, 1925, 1936),
    (2130, "defense", 255, 325, 1925, 1936),
    (2130, "defense", 325, 200, 1925, 1937),
    (2130, "nonagg", 211, 200, 1925, 1936),
    (2130, "nonagg", 211, 325, 1925, 1936),
    (2130, "nonagg", 220, 200, 1925, 1937),
    (2130, "nonagg", 220, 325, 1925, 1937),
    (2130, "nonagg", 255, 200, 1925, 1936),
    (2130, "nonagg", 255, 325, 1925, 1936),
    (3322, "neutral", 200, 220, 1956, 1956),
]


def known_cells() -> set[tuple[int, int, int, str]]:
    """KNOWN_DIFFERENCES as (ccode1, ccode2, year, atop_<obligation>) cells."""
    return {
        (c1, c2, year, f"atop_{ob}")
        for _, ob, c1, c2, first, last in KNOWN_DIFFERENCES
        for year in range(first, last + 1)
    }


def differing_cells(
    ours: pl.DataFrame, theirs: pl.DataFrame, columns: list[str]
) -> set[tuple[int, int, int, str]]:
    """Cells (keys, column) where two frames with the same keys disagree (null-aware)."""
    joined = theirs.join(ours, on=KEYS, how="inner", suffix="_ours")
    assert joined.height == theirs.height == ours.height
    cells: set[tuple[int, int, int, str]] = set()
    for name in columns:
        rows = joined.filter(~pl.col(name).eq_missing(pl.col(f"{name}_ours"))).select(KEYS).rows()
        cells |= {(c1, c2, year, name) for c1, c2, year in rows}
    return cells


# ----------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def members() -> pl.DataFrame:
    return cast_keys(pl.read_csv(shared_file("atop/atop5_1m.csv"), infer_schema_length=None))


@pytest.fixture(scope="module")
def derived(members: pl.DataFrame) -> pl.DataFrame:
    return derive_atop_dyad_years(members, with_ids=True)


@pytest.fixture(scope="module")
def peer_table() -> pl.DataFrame:
    return ps_table("atop_alliance")


def test_derived_schema_and_order(derived: pl.DataFrame) -> None:
    expected: list[tuple[str, pl.DataType]] = [(name, pl.Int64()) for name in KEYS]
    expected += [(name, pl.Float64()) for name in ATOP_COLUMNS]
    expected.append(("atopids", pl.List(pl.Int64)))
    assert derived.schema == pl.Schema(expected)
    assert derived.select(KEYS).equals(derived.select(KEYS).sort(KEYS))
    assert not derived.select(KEYS).is_duplicated().any()
    # Codebook 2.7: at most nine shared alliances per directed dyad-year.
    assert derived["atopids"].list.len().max() == 9


def test_derived_equals_atop_ddyr_except_documented_obvary_cells(
    derived: pl.DataFrame, peer_table: pl.DataFrame
) -> None:
    assert peer_table.height == 273_296
    # every key: same dyad-years, no extra, none missing
    assert derived.select(KEYS).equals(peer_table.select(KEYS).sort(KEYS))
    # every cell: only the documented obvary cells differ, always derived 1 vs ATOP 0
    cells = differing_cells(derived.drop("atopids"), peer_table, list(ATOP_COLUMNS))
    assert cells == known_cells()
    assert len(cells) == 421
    assert len({cell[:3] for cell in cells}) == 346
    for c1, c2, year, name in cells:
        assert derived.filter(ccode1=c1, ccode2=c2, year=year)[name].item() == 1.0


def test_documented_differences_come_from_obvary_members(
    members: pl.DataFrame, derived: pl.DataFrame
) -> None:
    ids = {(c1, c2, y): set(a) for c1, c2, y, a in derived.select(*KEYS, "atopids").iter_rows()}
    obvary = {
        (atopid, member)
        for atopid, member in members.filter(pl.col("obvary") == 1)
        .select("atopid", "member")
        .iter_rows()
    }
    for atopid, _ob, c1, c2, first, last in KNOWN_DIFFERENCES:
        assert (atopid, c1) in obvary
        for year in range(first, last + 1):
            assert atopid in ids[(c1, c2, year)]


@pytest.fixture(scope="module")
def cow_ddy() -> pl.DataFrame:
    return ps_table("cow_ddy").with_columns(pl.col(KEYS).cast(pl.Int64))


@pytest.fixture(scope="module")
def pipeline_reference() -> pl.DataFrame:
    return reference("cow_ddy_pipeline5").select(*KEYS, *ADDED)


def test_add_atop_alliance_with_peer_table_reproduces_peacesciencer(
    cow_ddy: pl.DataFrame, peer_table: pl.DataFrame, pipeline_reference: pl.DataFrame
) -> None:
    out = add_atop_alliance(cow_ddy, peer_table)
    assert out.height == cow_ddy.height
    assert out.select(KEYS).equals(cow_ddy.select(KEYS))  # rows and order kept
    assert out.select(ADDED).dtypes == [pl.Float64] * len(ADDED)
    sample = out.filter(pl.col("year") % 5 == 0)
    assert differing_cells(sample, pipeline_reference, ADDED) == set()


def test_add_atop_alliance_with_derived_table_differs_only_in_documented_cells(
    cow_ddy: pl.DataFrame, derived: pl.DataFrame, pipeline_reference: pl.DataFrame
) -> None:
    out = add_atop_alliance(cow_ddy, derived).filter(pl.col("year") % 5 == 0)
    in_frame = set(pipeline_reference.select(KEYS).iter_rows())
    expected = {cell for cell in known_cells() if cell[2] % 5 == 0 and cell[:3] in in_frame}
    assert len(expected) == 101
    assert differing_cells(out, pipeline_reference, ADDED) == expected


# ----------------------------------------------------------------------------- synthetic rules

_DEFAULTS: dict[str, Any] = {
    "atopid": 1000,
    "phase": 0,
    "moent": 1,
    "dayent": 1,
    "moexit": 12,
    "dayexit": 31,
    **{name: 0 for name in OBLIGATIONS},
}


def members_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Member-level rows; each needs member, yrent, yrexit, the rest defaults."""
    full = [{**_DEFAULTS, **row} for row in rows]
    return pl.DataFrame(full, schema={name: pl.Int64 for name in full[0]})


def obligations(ddy: pl.DataFrame, c1: int, c2: int, year: int) -> dict[str, float] | None:
    row = ddy.filter(ccode1=c1, ccode2=c2, year=year)
    if row.height == 0:
        return None
    return {name.removeprefix("atop_"): row[name].item() for name in ATOP_COLUMNS}


def test_obligations_are_those_of_state_a() -> None:
    # asymmetric bilateral: 200 pledges defense to 640, 640 only consultation to 200
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 200, "yrent": 1900, "yrexit": 1901, "defense": 1, "consul": 1},
            {"member": 640, "yrent": 1900, "yrexit": 1901, "consul": 1},
        )
    )
    assert ddy.height == 4
    assert obligations(ddy, 200, 640, 1900) == {
        "defense": 1.0, "offense": 0.0, "neutral": 0.0, "nonagg": 0.0, "consul": 1.0
    }  # fmt: skip
    assert obligations(ddy, 640, 200, 1901) == {
        "defense": 0.0, "offense": 0.0, "neutral": 0.0, "nonagg": 0.0, "consul": 1.0
    }  # fmt: skip


def test_pair_without_obligations_is_kept() -> None:
    # two guarantors owe each other nothing but share the alliance (ATOP's SHAREOB dyads)
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 200, "yrent": 1900, "yrexit": 1900},
            {"member": 220, "yrent": 1900, "yrexit": 1900},
        )
    )
    assert ddy.select(KEYS).rows() == [(200, 220, 1900), (220, 200, 1900)]
    assert ddy.select(ATOP_COLUMNS).sum_horizontal().to_list() == [0.0, 0.0]


def test_exit_zero_means_in_force_through_2018() -> None:
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 2, "yrent": 2015, "yrexit": 0, "moexit": 0, "dayexit": 0, "nonagg": 1},
            {"member": 20, "yrent": 2015, "yrexit": 0, "moexit": 0, "dayexit": 0, "nonagg": 1},
        )
    )
    assert ddy.filter(ccode1=2)["year"].to_list() == [2015, 2016, 2017, 2018]


def test_member_entering_on_the_day_another_left_is_not_paired() -> None:
    # German unification: 260 leaves on 3 Oct 1990, 255 enters that day; 345 is in throughout
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 260, "yrent": 1975, "yrexit": 1990, "moexit": 10, "dayexit": 3},
            {"member": 255, "yrent": 1990, "moent": 10, "dayent": 3, "yrexit": 1995},
            {"member": 345, "yrent": 1975, "yrexit": 1995},
        )
    )
    pairs = set(ddy.filter(year=1990).select("ccode1", "ccode2").iter_rows())
    assert pairs == {(255, 345), (345, 255), (260, 345), (345, 260)}


def test_member_entering_after_another_left_in_the_same_year_is_not_paired() -> None:
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 345, "yrent": 1975, "yrexit": 1992, "moexit": 5, "dayexit": None},
            {"member": 344, "yrent": 1992, "moent": 7, "dayent": 1, "yrexit": 2000},
            {"member": 255, "yrent": 1975, "yrexit": 2000},
        )
    )
    assert obligations(ddy, 344, 345, 1992) is None
    assert obligations(ddy, 345, 255, 1992) is not None
    assert obligations(ddy, 344, 255, 1992) is not None


def test_unknown_day_is_read_inclusively() -> None:
    # exit day unknown in May, entry on 20 May: the two may have overlapped, so they are paired
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 345, "yrent": 1975, "yrexit": 1992, "moexit": 5, "dayexit": None},
            {"member": 344, "yrent": 1992, "moent": 5, "dayent": 20, "yrexit": 2000},
        )
    )
    assert obligations(ddy, 344, 345, 1992) is not None


def test_phase_change_year_takes_the_latest_phase() -> None:
    # Anglo-Japanese alliance: phase 2 (12 Aug 1905) drops Japan's offense and neutrality pledges
    base = {"atopid": 1415, "moent": 1, "dayent": 30}
    ddy = derive_atop_dyad_years(
        members_frame(
            {**base, "member": 200, "phase": 1, "yrent": 1902, "yrexit": 1905, "moexit": 8,
             "dayexit": 12, "defense": 1, "offense": 1, "neutral": 1},
            {**base, "member": 740, "phase": 1, "yrent": 1902, "yrexit": 1905, "moexit": 8,
             "dayexit": 12, "defense": 1, "offense": 1, "neutral": 1},
            {**base, "member": 200, "phase": 2, "yrent": 1905, "moent": 8, "dayent": 12,
             "yrexit": 1921, "defense": 1, "offense": 1, "neutral": 1},
            {**base, "member": 740, "phase": 2, "yrent": 1905, "moent": 8, "dayent": 12,
             "yrexit": 1921, "defense": 1},
        )
    )  # fmt: skip
    assert obligations(ddy, 740, 200, 1904) == {
        "defense": 1.0, "offense": 1.0, "neutral": 1.0, "nonagg": 0.0, "consul": 0.0
    }  # fmt: skip
    assert obligations(ddy, 740, 200, 1905) == {
        "defense": 1.0, "offense": 0.0, "neutral": 0.0, "nonagg": 0.0, "consul": 0.0
    }  # fmt: skip
    assert obligations(ddy, 200, 740, 1905)["offense"] == 1.0  # type: ignore[index]


def test_phase_change_keeps_earlier_phase_for_pairs_not_in_the_later_one() -> None:
    # 300 leaves when phase 1 ends; its pairs in that year come from phase 1
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 200, "phase": 1, "yrent": 1900, "yrexit": 1905, "moexit": 6, "defense": 1},
            {"member": 300, "phase": 1, "yrent": 1900, "yrexit": 1905, "moexit": 6, "defense": 1},
            {"member": 200, "phase": 2, "yrent": 1905, "moent": 6, "dayent": 30, "yrexit": 1910,
             "consul": 1},
            {"member": 220, "phase": 2, "yrent": 1905, "moent": 6, "dayent": 30, "yrexit": 1910,
             "consul": 1},
        )
    )  # fmt: skip
    assert obligations(ddy, 300, 200, 1905)["defense"] == 1.0  # type: ignore[index]
    assert obligations(ddy, 200, 220, 1905)["consul"] == 1.0  # type: ignore[index]
    assert obligations(ddy, 200, 220, 1905)["defense"] == 0.0  # type: ignore[index]
    assert obligations(ddy, 300, 220, 1905) is None


def test_simultaneous_phases_of_successor_states_are_not_crossed() -> None:
    # a bilateral alliance that becomes two (Czech and Slovak successors) as phases 2 and 3
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 220, "phase": 2, "yrent": 1993, "yrexit": 1995, "defense": 1},
            {"member": 316, "phase": 2, "yrent": 1993, "yrexit": 1995, "defense": 1},
            {"member": 220, "phase": 3, "yrent": 1993, "yrexit": 1995, "consul": 1},
            {"member": 317, "phase": 3, "yrent": 1993, "yrexit": 1995, "consul": 1},
        )
    )
    assert obligations(ddy, 220, 316, 1994)["defense"] == 1.0  # type: ignore[index]
    assert obligations(ddy, 220, 317, 1994)["consul"] == 1.0  # type: ignore[index]
    assert obligations(ddy, 316, 317, 1994) is None


def test_member_without_cow_code_is_dropped() -> None:
    # France-Annam (8152): codebook fn. 19
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 220, "yrent": 1874, "yrexit": 1883, "defense": 1},
            {"member": 8152, "yrent": 1874, "yrexit": 1883},
        )
    )
    assert ddy.height == 0
    assert ddy.schema["atop_defense"] == pl.Float64


def test_obligations_combine_over_alliances_with_ids() -> None:
    ddy = derive_atop_dyad_years(
        members_frame(
            {"atopid": 1, "member": 2, "yrent": 1950, "yrexit": 1952, "consul": 1},
            {"atopid": 1, "member": 20, "yrent": 1950, "yrexit": 1952, "consul": 1},
            {"atopid": 2, "member": 2, "yrent": 1951, "yrexit": 1951, "defense": 1},
            {"atopid": 2, "member": 20, "yrent": 1951, "yrexit": 1951},
        ),
        with_ids=True,
    )
    assert ddy.filter(ccode1=2).select("year", "atop_defense", "atop_consul", "atopids").rows() == [
        (1950, 0.0, 1.0, [1]),
        (1951, 1.0, 1.0, [1, 2]),
        (1952, 0.0, 1.0, [1]),
    ]


def test_obvary_member_is_coded_towards_every_partner() -> None:
    # Britain and France pledge to defend Sweden, not each other (codebook 2.7); the member file
    # only says both have defense = 1 (obvary = 1), so the pledge is coded towards both partners
    ddy = derive_atop_dyad_years(
        members_frame(
            {"member": 200, "yrent": 1855, "yrexit": 1855, "defense": 1, "consul": 1},
            {"member": 220, "yrent": 1855, "yrexit": 1855, "defense": 1, "consul": 1},
            {"member": 380, "yrent": 1855, "yrexit": 1855, "consul": 1},
        ).with_columns(obvary=pl.Series([1, 1, 0]))
    )
    assert obligations(ddy, 200, 380, 1855)["defense"] == 1.0  # type: ignore[index]
    assert obligations(ddy, 200, 220, 1855)["defense"] == 1.0  # type: ignore[index]
    assert obligations(ddy, 380, 200, 1855)["defense"] == 0.0  # type: ignore[index]


def test_missing_member_columns_raise() -> None:
    with pytest.raises(SourceFormatError, match="dayexit"):
        derive_atop_dyad_years(
            members_frame({"member": 2, "yrent": 1, "yrexit": 2}).drop("dayexit")
        )


# ----------------------------------------------------------------------------- add_atop_alliance


@pytest.fixture()
def small_ddy() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ccode1": [211, 220, 2, 20],
            "ccode2": [220, 211, 20, 2],
            "year": [1832, 1832, 1990, 1990],
            "atop_defense": [0.0, 1.0, 0.0, 0.0],
            "atop_offense": [0.0] * 4,
            "atop_neutral": [0.0] * 4,
            "atop_nonagg": [0.0, 0.0, 0.0, 0.0],
            "atop_consul": [0.0, 0.0, 0.0, 0.0],
        }
    )


def test_add_directed(small_ddy: pl.DataFrame) -> None:
    frame = pl.DataFrame(
        {"ccode1": [220, 211, 2, 211, 211], "ccode2": [211, 220, 20, 220, 220],
         "year": [1832, 1832, 1990, 1833, 2019], "x": [1, 2, 3, 4, 5]}
    )  # fmt: skip
    out = add_atop_alliance(frame, small_ddy)
    assert out.columns == ["ccode1", "ccode2", "year", "x", *ADDED]
    assert out["x"].to_list() == [1, 2, 3, 4, 5]
    assert out["atop_defense"].to_list() == [1.0, 0.0, 0.0, 0.0, None]
    # a shared alliance without obligations still counts as an alliance
    assert out["atop_alliance"].to_list() == [1.0, 1.0, 1.0, 0.0, None]


def test_add_non_directed_takes_either_direction(small_ddy: pl.DataFrame) -> None:
    frame = pl.DataFrame({"ccode1": [211, 220, 2], "ccode2": [220, 211, 20], "year": [1832] * 3})
    out = add_atop_alliance(frame, small_ddy, directed=False)
    assert out["atop_defense"].to_list() == [1.0, 1.0, 0.0]
    assert out["atop_alliance"].to_list() == [1.0, 1.0, 0.0]
    directed = add_atop_alliance(frame, small_ddy)
    assert directed["atop_defense"].to_list() == [0.0, 1.0, 0.0]


def test_add_coverage_bounds(small_ddy: pl.DataFrame) -> None:
    frame = pl.DataFrame({"ccode1": [2] * 4, "ccode2": [20] * 4, "year": [1814, 1815, 2018, 2019]})
    assert add_atop_alliance(frame, small_ddy)["atop_alliance"].to_list() == [None, 0.0, 0.0, None]
    narrow = add_atop_alliance(frame, small_ddy, coverage=(1815, 1815))
    assert narrow["atop_alliance"].to_list() == [None, 0.0, None, None]


def test_add_accepts_float_keys_and_ignores_atopids(small_ddy: pl.DataFrame) -> None:
    table = small_ddy.with_columns(pl.col(KEYS).cast(pl.Float64), atopids=pl.lit([1]))
    frame = pl.DataFrame({"ccode1": [220], "ccode2": [211], "year": [1832]})
    assert add_atop_alliance(frame, table)["atop_defense"].item() == 1.0


def test_add_rejects_bad_input(small_ddy: pl.DataFrame) -> None:
    frame = pl.DataFrame({"ccode1": [220], "ccode2": [211], "year": [1832]})
    with pytest.raises(FoedusError, match="already has"):
        add_atop_alliance(frame.with_columns(atop_defense=pl.lit(1.0)), small_ddy)
    with pytest.raises(SourceFormatError, match="duplicate"):
        add_atop_alliance(frame, pl.concat([small_ddy, small_ddy.head(1)]))
    with pytest.raises(SourceFormatError, match="atop_consul"):
        add_atop_alliance(frame, small_ddy.drop("atop_consul"))
