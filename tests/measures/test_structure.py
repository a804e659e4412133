"""System structure from NMC: hand-computed concentration, poles, transitions; real-data checks."""

from __future__ import annotations

import math

import polars as pl
import pytest

from foedus.errors import FoedusError, SourceFormatError
from foedus.measures.structure import (
    capability_concentration,
    cinc_shares,
    effective_poles,
    emerging_powers,
    power_transitions,
)
from tests.conftest import ps_table

USA, UK, FRANCE, GERMANY, RUSSIA, CHINA, JAPAN = 2, 200, 220, 255, 365, 710, 740


@pytest.fixture(scope="module")
def nmc() -> pl.DataFrame:
    return ps_table("cow_nmc")


@pytest.fixture(scope="module")
def majors() -> pl.DataFrame:
    return ps_table("cow_majors")


def panel(year: int, values: dict[int, float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"ccode": list(values), "year": [year] * len(values), "cinc": list(values.values())},
        schema={"ccode": pl.Int64, "year": pl.Int64, "cinc": pl.Float64},
    )


# ---------------------------------------------------------------- hand-computed


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_equal_shares(n: int) -> None:
    out = capability_concentration(panel(1900, dict.fromkeys(range(1, n + 1), 0.01)), group="all")
    assert out["con"].item() == pytest.approx(0.0, abs=1e-7)
    assert out["effective_poles"].item() == pytest.approx(n)
    assert out["hhi"].item() == pytest.approx(1 / n)


def test_monopoly() -> None:
    out = capability_concentration(panel(1900, {2: 0.4, 20: 0.0, 200: 0.0}), group="all")
    assert out.select("n", "hhi", "con", "effective_poles", "leader", "leader_share").row(0) == (
        3,
        1.0,
        1.0,
        1.0,
        2,
        1.0,
    )


def test_con_formula() -> None:
    shares = [0.5, 0.3, 0.2]
    hhi = sum(s * s for s in shares)
    expected = math.sqrt((hhi - 1 / 3) / (1 - 1 / 3))
    out = capability_concentration(panel(1900, {2: 0.25, 200: 0.15, 220: 0.1}), group="all")
    assert out["con"].item() == pytest.approx(expected)
    assert out["effective_poles"].item() == pytest.approx(1 / hhi)


def test_one_state_has_no_con() -> None:
    out = capability_concentration(panel(1900, {2: 0.2}), group="all")
    assert out["con"].item() is None and out["effective_poles"].item() == 1.0


def test_missing_cinc_is_never_zero() -> None:
    table = panel(1900, {2: 0.2, 200: 0.2, 365: None})
    shares = cinc_shares(table)
    assert shares["share"].to_list() == [0.5, 0.5, None]
    out = capability_concentration(table, group="all")
    # Read as 0, the null would make a 3-state system with CON > 0; left out, 2 equal states.
    assert out.select("n", "n_missing", "con", "effective_poles").row(0) == (2, 1, 0.0, 2.0)
    only_null = capability_concentration(panel(1900, {365: None}), group="all")
    assert only_null.select("n", "n_missing", "total_cinc", "hhi", "con", "leader").row(0) == (
        0,
        1,
        None,
        None,
        None,
        None,
    )


def test_groups() -> None:
    table = pl.concat([panel(1900, {2: 0.3, 200: 0.1, 900: 0.6}), panel(1901, {2: 0.3, 200: 0.3})])
    by_codes = cinc_shares(table, group=[2, 200])
    assert by_codes.filter(pl.col("year") == 1900)["share"].to_list() == pytest.approx([0.75, 0.25])
    frame = pl.DataFrame({"ccode": [2, 900, 2, 200], "year": [1900, 1900, 1901, 1901]})
    by_frame = cinc_shares(table, group=frame)
    assert by_frame.select("ccode", "year", "share").rows() == [
        (2, 1900, pytest.approx(1 / 3)),
        (900, 1900, pytest.approx(2 / 3)),
        (2, 1901, 0.5),
        (200, 1901, 0.5),
    ]
    # A listed member with no NMC row is missing, not absent.
    absent = pl.DataFrame({"ccode": [2, 200, 999], "year": [1901] * 3})
    out = capability_concentration(table, group=absent)
    assert out.select("year", "n", "n_missing").rows() == [(1901, 2, 1)]


def test_majors_group_needs_the_list() -> None:
    table = panel(1900, {2: 0.3})
    with pytest.raises(FoedusError, match="major-powers table"):
        capability_concentration(table)
    with pytest.raises(FoedusError, match="unknown group"):
        capability_concentration(table, group="great")  # type: ignore[arg-type]
    with pytest.raises(SourceFormatError, match="lacks column"):
        capability_concentration(table.drop("cinc"), group="all")
    with pytest.raises(SourceFormatError, match="repeats"):
        capability_concentration(pl.concat([table, table]), group="all")


def test_majors_spells_and_carry_forward() -> None:
    majors = pl.DataFrame(
        {"ccode": [2, 220, 220], "styear": [1898, 1816, 1945], "endyear": [2016, 1940, 2016]}
    )
    table = pl.concat([panel(y, {2: 0.2, 220: 0.1, 200: 0.1}) for y in (1897, 1942, 1945, 2020)])
    shares = cinc_shares(table, group="majors", majors=majors)
    assert shares.group_by("year").agg(pl.col("ccode").sort()).sort("year").rows() == [
        (1897, [220]),
        (1942, [2]),
        (1945, [2, 220]),
        (2020, [2, 220]),  # the 2016 list carried forward
    ]


def test_effective_poles_is_part_of_concentration() -> None:
    table = panel(1900, {2: 0.3, 200: 0.2, 220: 0.1})
    assert effective_poles(table, group="all").columns == [
        "year",
        "n",
        "n_missing",
        "effective_poles",
    ]
    assert effective_poles(table, group="all")["effective_poles"].item() == pytest.approx(
        capability_concentration(table, group="all")["effective_poles"].item()
    )


def test_power_transition_hand_case() -> None:
    table = pl.DataFrame(
        {
            "ccode": [2] * 6 + [710] * 6,
            "year": list(range(2000, 2006)) * 2,
            "cinc": [0.30, 0.25, 0.20, 0.20, 0.20, 0.10, 0.10, 0.21, 0.22, 0.19, 0.09, 0.11],
        }
    )
    out = power_transitions(table, [(710, 2)])
    assert out.select("ccode1", "ccode2", "year", "parity_start", "parity_end").rows() == [
        (710, 2, 2002, 2001, 2003),  # ratio 0.84, 0.91, 0.95 in 2001-2003; 2000 and 2004 not
        (2, 710, 2003, 2001, 2003),
        (710, 2, 2005, 2005, 2005),  # 2004: 0.09 / 0.20, 2005: 0.10 / 0.11
    ]
    row = out.row(0, named=True)
    assert (row["cinc1"], row["cinc2"], row["cinc1_prev"], row["cinc2_prev"]) == (
        0.22,
        0.20,
        0.21,
        0.25,
    )
    assert row["ratio"] == pytest.approx(0.20 / 0.22)
    assert "parity_start" not in power_transitions(table, [(2, 710)], parity=None).columns
    assert power_transitions(table, [(2, 710)], years="2004-2010")["year"].to_list() == [2005]


def test_power_transition_needs_consecutive_observed_years() -> None:
    table = pl.DataFrame(
        {
            "ccode": [2, 2, 2, 710, 710, 710],
            "year": [2000, 2001, 2002] * 2,
            "cinc": [0.3, None, 0.1, 0.1, 0.2, 0.2],
        }
    )
    # 2 is above in 2000, missing in 2001, below in 2002: no dated transition.
    assert power_transitions(table, [(2, 710)]).height == 0
    with pytest.raises(FoedusError, match="major powers"):
        power_transitions(table)
    with pytest.raises(FoedusError, match="not a fraction"):
        power_transitions(table, [(2, 710)], parity=1.5)
    with pytest.raises(FoedusError, match="no pair"):
        power_transitions(table, [(2, 2)])


def test_emerging_powers_hand_case() -> None:
    table = pl.concat(
        [
            panel(1990, {2: 0.5, 710: 0.2, 365: 0.29, 900: 0.01}),
            panel(2000, {2: 0.4, 710: 0.4, 365: 0.17, 900: 0.02, 800: 0.01}),
        ]
    )
    out = emerging_powers(table, 10, top=None)
    # 800 is new in 2000: no share in 1990, so not ranked.
    assert out.select("year", "rank", "ccode").rows() == [
        (2000, 1, 710),
        (2000, 2, 900),
        (2000, 3, 2),
        (2000, 4, 365),
    ]
    assert out["growth"].to_list()[0] == pytest.approx(0.2)
    log = emerging_powers(table, 10, growth="log", top=1)
    assert log.select("ccode", "growth").row(0) == (710, pytest.approx(math.log(2)))
    assert emerging_powers(table, 10, growth="log", min_share=0.05)["ccode"].to_list() == [
        710,
        2,
        365,
    ]
    assert emerging_powers(table, 5).height == 0
    with pytest.raises(FoedusError, match="window"):
        emerging_powers(table, 0)


# ---------------------------------------------------------------- real data (NMC v7)


def test_nmc_coverage(nmc: pl.DataFrame, majors: pl.DataFrame) -> None:
    out = capability_concentration(nmc, majors=majors)
    assert out["year"].min() == 1816 and out["year"].max() == 2022
    assert out["n_missing"].sum() == 0
    assert out["con"].is_between(0, 1).all()
    assert (out["effective_poles"] <= out["n"]).all() and (out["effective_poles"] >= 1).all()
    assert out.filter(pl.col("year") == 2022)["n"].item() == 7  # the 2016 majors, carried forward
    shares = cinc_shares(nmc)
    sums = shares.group_by("year").agg(pl.col("share").sum())["share"]
    assert ((sums - 1).abs() < 1e-9).all()


def test_usa_is_the_largest_in_1945(nmc: pl.DataFrame, majors: pl.DataFrame) -> None:
    for group in ("all", "majors"):
        out = capability_concentration(nmc, group=group, majors=majors, years=1945)  # type: ignore[arg-type]
        assert out["leader"].item() == USA
    shares = cinc_shares(nmc, years=1945).sort("share", descending=True)
    assert shares["ccode"].head(2).to_list() == [USA, RUSSIA]


def test_usa_ussr_ordering(nmc: pl.DataFrame) -> None:
    wide = nmc.filter(pl.col("ccode").is_in([USA, RUSSIA])).pivot(
        on="ccode", index="year", values="cinc"
    )
    ussr_ahead = wide.filter(pl.col(str(RUSSIA)) > pl.col(str(USA)))["year"].to_list()
    # In NMC v7 the Soviet Union's CINC exceeds the USA's from 1971 through 1988 (and 1877-78).
    assert [y for y in ussr_ahead if y >= 1900] == list(range(1971, 1989))
    assert (
        wide.filter(pl.col("year").is_between(1945, 1970))
        .select((pl.col(str(USA)) > pl.col(str(RUSSIA))).all())
        .item()
    )


def test_major_power_transitions(nmc: pl.DataFrame, majors: pl.DataFrame) -> None:
    out = power_transitions(nmc, majors=majors, years="1946-2022")
    superpowers = out.filter(
        pl.col("ccode1").is_in([USA, RUSSIA, CHINA]) & pl.col("ccode2").is_in([USA, RUSSIA, CHINA])
    )
    assert superpowers.select("ccode1", "ccode2", "year").rows() == [
        (RUSSIA, USA, 1971),
        (USA, RUSSIA, 1989),
        (CHINA, RUSSIA, 1991),
        (CHINA, USA, 1995),  # China overtakes the USA in 1995 ...
        (USA, CHINA, 2002),  # ... the USA is ahead again for one year ...
        (CHINA, USA, 2003),  # ... and China for good from 2003
    ]
    china = superpowers.filter((pl.col("ccode1") == CHINA) & (pl.col("ccode2") == USA))
    # Parity (within 80%) lasts 1991-2007 around the Chinese overtaking.
    assert set(china.select("parity_start", "parity_end").rows()) == {(1991, 2007)}
    # The same dyads given as pairs, over all years.
    pairs = power_transitions(nmc, [(USA, CHINA)], years="1946-2022")
    assert pairs["year"].to_list() == [1995, 2002, 2003]
    # Every major-power transition is between two majors of that year.
    assert out.filter(pl.col("ccode1") == pl.col("ccode2")).height == 0


def test_china_is_the_fastest_emerging_power(nmc: pl.DataFrame) -> None:
    out = emerging_powers(nmc, 10, top=3)
    assert out.filter(pl.col("year").is_between(1995, 2015) & (pl.col("rank") == 1))[
        "ccode"
    ].unique().to_list() == [CHINA]
    assert out.group_by("year").len()["len"].max() == 3
    assert out["year"].min() == 1826 and out["year"].max() == 2022
