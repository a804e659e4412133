"""State-year and dyad-year universes against peacesciencer, cell for cell, plus properties."""

from __future__ import annotations

import datetime as dt
from itertools import permutations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from foedus.errors import FoedusError, InvalidYearsError, SourceFormatError
from foedus.frames.systems import create_dyad_years, create_state_years
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, reference, shared_file


@pytest.fixture(scope="module")
def cw() -> pl.DataFrame:
    return cast_keys(pl.read_parquet(shared_file("isard/cw_system.parquet")))


@pytest.fixture(scope="module")
def gw() -> pl.DataFrame:
    return cast_keys(pl.read_parquet(shared_file("isard/gw_system.parquet")))


def _compare_to_reference(ours: pl.DataFrame, name: str, total: int) -> None:
    """All years built; the div-5 years equal the reference in every row and cell."""
    ref = reference(name)
    assert ours.height == total
    assert ours.schema == ref.schema
    # every year of the coverage is present (no gaps)
    years = ours["year"].unique().sort()
    assert years.to_list() == list(range(years.min(), years.max() + 1))
    sub = ours.filter(pl.col("year") % 5 == 0)
    per_year = sub.group_by("year").len().sort("year")
    assert_frame_equal(per_year, ref.group_by("year").len().sort("year"))
    assert_frame_equal(sub, ref)  # same rows, same order, same cells, same dtypes


# --- value for value with peacesciencer -------------------------------------------------------


def test_cow_state_years_equal_peacesciencer(cw: pl.DataFrame) -> None:
    _compare_to_reference(create_state_years(cw, system="cow"), "cow_sy", 15_951)


def test_gw_state_years_equal_peacesciencer(gw: pl.DataFrame) -> None:
    _compare_to_reference(create_state_years(gw, system="gw"), "gw_sy", 19_864)


def test_cow_directed_dyad_years_equal_peacesciencer(cw: pl.DataFrame) -> None:
    ours = create_dyad_years(cw, system="cow")
    assert (ours["year"].min(), ours["year"].max()) == (1816, 2016)
    _compare_to_reference(ours, "cow_ddy_created", 1_912_290)


def test_cow_nondirected_dyad_years_equal_peacesciencer(cw: pl.DataFrame) -> None:
    _compare_to_reference(create_dyad_years(cw, system="cow", directed=False), "cow_ndy", 956_145)


def test_gw_directed_dyad_years_equal_peacesciencer(gw: pl.DataFrame) -> None:
    _compare_to_reference(create_dyad_years(gw, system="gw"), "gw_ddy_created", 2_445_018)


def test_cow_1816_2024_equals_bundled_cow_ddy(cw: pl.DataFrame) -> None:
    bundled = ps_table("cow_ddy")
    ours = create_dyad_years(cw, system="cow", years=(1816, 2024))
    assert ours.height == 2_214_930
    assert_frame_equal(ours, bundled)


def test_gw_1816_2024_equals_bundled_gw_ddy(gw: pl.DataFrame) -> None:
    bundled = ps_table("gw_ddy").with_columns(pl.col("microstate1", "microstate2").cast(pl.Int64))
    ours = create_dyad_years(gw, system="gw", years=(1816, 2024))
    assert ours.height == 2_599_466
    assert_frame_equal(ours, bundled)


@pytest.mark.parametrize(
    ("system", "false_table", "n_false"),
    [("cow", "false_cow_dyads", 60), ("gw", "false_gw_dyads", 40)],
)
def test_removed_dyads_are_exactly_the_peers_false_dyads(
    cw: pl.DataFrame, gw: pl.DataFrame, system: str, false_table: str, n_false: int
) -> None:
    """Same-year-only pairs (no common day) are what the peer anti-joins away, no more, no less."""
    table = cw if system == "cow" else gw
    code = "ccode" if system == "cow" else "gwcode"
    sy = create_state_years(table, system=system).select(code, "year")  # type: ignore[arg-type]
    year_level = (
        sy.join(sy, on="year", suffix="2")
        .filter(pl.col(code) != pl.col(f"{code}2"))
        .select(pl.col(code).alias(f"{code}1"), f"{code}2", "year")
    )
    ours = create_dyad_years(table, system=system)  # type: ignore[arg-type]
    keys = [f"{code}1", f"{code}2", "year"]
    removed = year_level.join(ours.select(keys), on=keys, how="anti").sort(keys)
    peer = ps_table(false_table).select(keys).sort(keys)
    assert removed.height == n_false
    assert_frame_equal(removed, peer)


# --- years: coverage, carry-forward, subsets, errors ------------------------------------------


def test_years_after_the_list_carry_forward_states_alive_on_its_last_date(
    cw: pl.DataFrame,
) -> None:
    sy = create_state_years(cw, system="cow", years=(2010, 2024))
    alive = set(cw.filter(pl.col("end") == dt.date(2016, 12, 31))["ccode"].to_list())
    assert len(alive) == 195
    for year in range(2016, 2025):
        assert set(sy.filter(pl.col("year") == year)["ccode"].to_list()) == alive
    # Czechoslovakia (ended 1992) is not revived; the names follow the last spell
    assert sy.filter(pl.col("ccode") == 315).height == 0


def test_gw_list_extends_from_2020(gw: pl.DataFrame) -> None:
    sy = create_state_years(gw, system="gw", years=(2020, 2024))
    counts = sy.group_by("year").len().sort("year")["len"].to_list()
    assert counts == [197] * 5
    assert sy.schema == reference("gw_sy").schema


def test_a_year_subset_is_the_full_universe_filtered(cw: pl.DataFrame) -> None:
    full = create_dyad_years(cw, system="cow")
    part = create_dyad_years(cw, system="cow", years=(1914, 1918))
    assert_frame_equal(part, full.filter(pl.col("year").is_between(1914, 1918)))
    sy_full = create_state_years(cw, system="cow")
    assert_frame_equal(
        create_state_years(cw, system="cow", years=(1990, 1991)),
        sy_full.filter(pl.col("year").is_between(1990, 1991)),
    )


def test_years_before_the_lists_first_year_are_empty(cw: pl.DataFrame) -> None:
    late = cw.filter(pl.col("start").dt.year() >= 1900)
    sy = create_state_years(late, system="cow", years=(1850, 1905))
    assert sy["year"].min() == 1900
    dy = create_dyad_years(late, system="cow", years=(1850, 1899))
    assert dy.height == 0
    assert dy.schema == reference("cow_ddy_created").schema


@pytest.mark.parametrize(
    "years",
    [(2000, 1990), (1800, 1900), (1815, 1816), (1816, dt.date.today().year + 1), (1816, 9999)],
)
def test_impossible_years_raise_with_a_fix(cw: pl.DataFrame, years: tuple[int, int]) -> None:
    for build in (create_state_years, create_dyad_years):
        with pytest.raises(InvalidYearsError) as err:
            build(cw, system="cow", years=years)
        assert err.value.fix


@pytest.mark.parametrize("years", [("1816", 2000), (1816.0, 2000), (1816,), 1816, (True, 2000)])
def test_malformed_years_raise(cw: pl.DataFrame, years: object) -> None:
    with pytest.raises(InvalidYearsError):
        create_state_years(cw, system="cow", years=years)  # type: ignore[arg-type]


def test_this_year_is_allowed(cw: pl.DataFrame) -> None:
    this_year = dt.date.today().year
    sy = create_state_years(cw, system="cow", years=(this_year, this_year))
    assert sy.height == 195


# --- input errors ------------------------------------------------------------------------------


def test_wrong_list_for_the_system_raises(cw: pl.DataFrame, gw: pl.DataFrame) -> None:
    with pytest.raises(SourceFormatError, match="gwcode"):
        create_state_years(cw, system="gw")
    with pytest.raises(SourceFormatError, match="ccode"):
        create_dyad_years(gw, system="cow")


def test_unknown_system_raises(cw: pl.DataFrame) -> None:
    with pytest.raises(FoedusError, match="unknown state system"):
        create_state_years(cw, system="xyz")  # type: ignore[arg-type]


def test_bad_spells_raise(cw: pl.DataFrame) -> None:
    swapped = cw.head(3).with_columns(start=pl.col("end"), end=pl.col("start"))
    with pytest.raises(SourceFormatError, match="start after end"):
        create_dyad_years(swapped, system="cow")
    with pytest.raises(SourceFormatError, match="empty"):
        create_state_years(cw.head(0), system="cow")


def test_float_codes_as_in_the_raw_parquet_are_accepted(cw: pl.DataFrame) -> None:
    raw = pl.read_parquet(shared_file("isard/cw_system.parquet"))
    assert raw.schema["ccode"] == pl.Float64
    assert_frame_equal(create_state_years(raw, system="cow"), create_state_years(cw, system="cow"))


# --- properties on generated membership lists --------------------------------------------------

D0 = dt.date(1816, 1, 1)
LIST_END = dt.date(1840, 12, 31)
SPAN = (LIST_END - D0).days


@st.composite
def membership_lists(draw: st.DrawFn) -> pl.DataFrame:
    """Small COW-like lists: a few codes, each with 1–3 disjoint spells, some ending on the
    list's last date, some within one year of each other (exit and re-entry in one year)."""
    codes = draw(st.lists(st.integers(2, 999), min_size=1, max_size=6, unique=True))
    rows = []
    for code in codes:
        cuts = sorted(draw(st.lists(st.integers(0, SPAN), min_size=2, max_size=6, unique=True)))
        n = len(cuts) // 2
        for i in range(n):
            start, end = D0 + dt.timedelta(cuts[2 * i]), D0 + dt.timedelta(cuts[2 * i + 1])
            if i == n - 1 and draw(st.booleans()):
                end = LIST_END
            rows.append((code, "X", f"state {code}", start, end))
    return pl.DataFrame(
        rows,
        schema={
            "ccode": pl.Int64,
            "cw_abb": pl.String,
            "cw_name": pl.String,
            "start": pl.Date,
            "end": pl.Date,
        },
        orient="row",
    )


def _oracle(table: pl.DataFrame, lo: int, hi: int) -> tuple[set, set]:
    """Brute force: state-years and directed dyad-years from the definition, day by day."""
    last = max(table["end"].to_list())
    spells: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for code, start, end in table.select("ccode", "start", "end").iter_rows():
        if end == last and hi > last.year:
            end = dt.date(hi, 12, 31)
        spells.setdefault(code, []).append((start, end))

    def days(code: int, year: int) -> set[dt.date]:
        out: set[dt.date] = set()
        for start, end in spells[code]:
            a, b = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            out |= {a + dt.timedelta(i) for i in range((b - a).days + 1)}
        return out

    states, dyads = set(), set()
    for year in range(lo, hi + 1):
        present = {c: d for c in spells if (d := days(c, year))}
        states |= {(c, year) for c in present}
        dyads |= {(a, b, year) for a, b in permutations(present, 2) if present[a] & present[b]}
    return states, dyads


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=membership_lists(), extra=st.integers(0, 3), directed=st.booleans())
def test_universes_follow_the_definition(table: pl.DataFrame, extra: int, directed: bool) -> None:
    lo, hi = 1816, 1840 + extra
    states, dyads = _oracle(table, lo, hi)
    sy = create_state_years(table, system="cow", years=(lo, hi))
    dy = create_dyad_years(table, system="cow", years=(lo, hi), directed=directed)
    assert set(sy.select("ccode", "year").iter_rows()) == states
    assert sy.select(pl.struct("ccode", "year").is_unique().all()).item()
    want = dyads if directed else {d for d in dyads if d[0] < d[1]}
    got = list(dy.iter_rows())
    assert len(got) == len(set(got))  # no duplicate dyad-years
    assert set(got) == want
    assert got == sorted(got)  # sorted by code1, code2, year
    # a dyad-year exists only when both states exist that year
    assert {(a, y) for a, _, y in got} | {(b, y) for _, b, y in got} <= states


@settings(max_examples=40, deadline=None)
@given(table=membership_lists())
def test_directed_is_symmetric_and_nondirected_is_its_lower_half(table: pl.DataFrame) -> None:
    ddy = create_dyad_years(table, system="cow")
    ndy = create_dyad_years(table, system="cow", directed=False)
    rows = set(ddy.iter_rows())
    assert rows == {(b, a, y) for a, b, y in rows}
    assert (ndy["ccode1"] < ndy["ccode2"]).all()
    assert_frame_equal(ndy, ddy.filter(pl.col("ccode1") < pl.col("ccode2")))


def test_exit_and_reentry_within_one_year_gives_one_row() -> None:
    """Never in isard's lists, but a list may have it: one state-year, one dyad-year."""
    table = pl.DataFrame(
        {
            "ccode": [2, 2, 20],
            "cw_abb": ["A", "A", "B"],
            "cw_name": ["Old A", "New A", "B"],
            "start": [dt.date(1816, 1, 1), dt.date(1820, 9, 1), dt.date(1816, 1, 1)],
            "end": [dt.date(1820, 2, 1), dt.date(1830, 12, 31), dt.date(1830, 12, 31)],
        }
    )
    sy = create_state_years(table, system="cow", years=(1820, 1820))
    assert sy.rows() == [(2, "Old A", 1820), (20, "B", 1820)]
    # both spells of 2 meet 20 in 1820: still one dyad-year
    dy = create_dyad_years(table, system="cow", years=(1819, 1821))
    assert dy.rows() == [(2, 20, y) for y in (1819, 1820, 1821)] + [
        (20, 2, y) for y in (1819, 1820, 1821)
    ]


def test_gw_microstate_flags_follow_the_spells(gw: pl.DataFrame) -> None:
    dy = create_dyad_years(gw, system="gw", years=(2000, 2000))
    flags = dict(gw.select("gwcode", pl.col("microstate").cast(pl.Int64)).unique().iter_rows())
    assert dy["microstate1"].to_list() == [flags[c] for c in dy["gwcode1"].to_list()]
    assert dy["microstate2"].to_list() == [flags[c] for c in dy["gwcode2"].to_list()]
