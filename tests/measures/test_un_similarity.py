"""UN-vote similarity from ideal points: hand-computed distances, coverage nulls, bad input, and
facts of the real July 2025 / June 2024 releases (../shared/data/voeten_unga/)."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from foedus.errors import DuplicateKeyError, FoedusError, InvalidYearsError, MissingColumnError
from foedus.measures.un_similarity import (
    add_ideal_point_distance,
    add_ideal_points,
    ideal_point_coverage,
    ideal_point_matrix,
)
from foedus.sources.instruments.unga import parse_unga_session_csv, parse_unga_year_csv
from tests.conftest import shared_file

USA, CUBA, ISRAEL, RUSSIA, SYRIA, CHINA = 2, 40, 666, 365, 652, 710

# -- hand-made table ---------------------------------------------------------------------------

# 1990: three states; 1991: two; state 20 has no "all" estimate in 1991 but an "fp" one.
TOY = pl.DataFrame(
    {
        "ccode": [2, 20, 365, 2, 20, 365],
        "year": [1990, 1990, 1990, 1991, 1991, 1991],
        "idealpoint": [2.0, 1.5, -1.0, 2.25, None, -0.75],
        "idealpoint_q5": [1.75, 1.0, -1.5, 2.0, None, -1.0],
        "idealpoint_q95": [2.25, 2.0, -0.5, 2.5, None, -0.5],
        "idealpoint_fp": [1.0, 0.5, -1.0, 2.0, 1.0, -0.5],
        "idealpoint_legacy": [2.0, 1.5, -1.0, 2.0, 1.5, -1.0],
    }
)


def test_state_year_ideal_points() -> None:
    sy = pl.DataFrame({"ccode": [365, 2, 20, 2], "year": [1990, 1991, 1991, 1989]})
    out = add_ideal_points(sy, TOY)
    assert out.columns == ["ccode", "year", "idealpoint"]
    assert out["idealpoint"].to_list() == [-1.0, 2.25, None, None]
    fp = add_ideal_points(sy, TOY, estimate="fp")["idealpoint"].to_list()
    assert fp == [-1.0, 2.0, 1.0, None]


def test_dyad_year_ideal_points_and_quantiles() -> None:
    dy = pl.DataFrame({"ccode1": [2, 365], "ccode2": [365, 2], "year": [1990, 1990]})
    out = add_ideal_points(dy, TOY, quantiles=(5, 95))
    assert out.columns == [
        "ccode1", "ccode2", "year",
        "idealpoint1", "idealpoint1_q5", "idealpoint1_q95",
        "idealpoint2", "idealpoint2_q5", "idealpoint2_q95",
    ]  # fmt: skip
    assert out.row(0) == (2, 365, 1990, 2.0, 1.75, 2.25, -1.0, -1.5, -0.5)
    assert out.row(1) == (365, 2, 1990, -1.0, -1.5, -0.5, 2.0, 1.75, 2.25)


def test_distance_hand_computed() -> None:
    dy = pl.DataFrame(
        {
            "ccode1": [2, 2, 20, 365, 2, 2, 2],
            "ccode2": [20, 365, 365, 2, 2, 365, 20],
            "year": [1990, 1990, 1990, 1990, 1990, 1991, 1991],
        }
    )
    out = add_ideal_point_distance(dy, TOY)
    assert out.columns == ["ccode1", "ccode2", "year", "idealpointdist"]
    # |2 - 1.5|, |2 - (-1)|, |1.5 - (-1)|, symmetric, self = 0, |2.25 - (-0.75)|, missing
    assert out["idealpointdist"].to_list() == [0.5, 3.0, 2.5, 3.0, 0.0, 3.0, None]
    fp = add_ideal_point_distance(dy, TOY, estimate="fp")["idealpointdist"].to_list()
    assert fp == [0.5, 2.0, 1.5, 2.0, 0.0, 2.5, 1.0]
    legacy = add_ideal_point_distance(dy, TOY, estimate="legacy")["idealpointdist"].to_list()
    assert legacy[-1] == 0.5


def test_directed_and_non_directed_frames_agree() -> None:
    codes = [2, 20, 365]
    directed = pl.DataFrame(
        [(a, b, 1990) for a, b in itertools.permutations(codes, 2)],
        schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64},
        orient="row",
    )
    undirected = directed.filter(pl.col("ccode1") < pl.col("ccode2"))
    d = add_ideal_point_distance(directed, TOY)
    u = add_ideal_point_distance(undirected, TOY)
    assert d.height == 6 and u.height == 3
    back = d.join(
        d.select(
            pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year",
            pl.col("idealpointdist").alias("reverse"),
        ),
        on=["ccode1", "ccode2", "year"],
    )  # fmt: skip
    assert (back["idealpointdist"] == back["reverse"]).all()
    assert u.join(d, on=["ccode1", "ccode2", "year"])["idealpointdist"].equals(
        u.join(d, on=["ccode1", "ccode2", "year"])["idealpointdist_right"]
    )


def test_coverage_nulls() -> None:
    """Null before 1946, in 1964, after the last year, for non-members; never 0."""
    dy = pl.DataFrame(
        {"ccode1": [2, 2, 2, 2], "ccode2": [20, 20, 20, 999], "year": [1816, 1992, 9_999_999, 1990]}
    )
    out = add_ideal_point_distance(dy, TOY)
    assert out["idealpointdist"].to_list() == [None, None, None, None]


def test_rows_order_and_key_types_are_kept() -> None:
    sy = pl.DataFrame(
        {"ccode": [365, 2, 365], "year": [1991, 1990, 1990], "x": ["a", "b", "c"]},
        schema={"ccode": pl.Int32, "year": pl.Float64, "x": pl.String},
    )
    out = add_ideal_points(sy, TOY)
    assert out.select("x").to_series().to_list() == ["a", "b", "c"]
    assert out["idealpoint"].to_list() == [-0.75, 2.0, -1.0]
    assert out.schema["ccode"] == pl.Int32 and out.schema["year"] == pl.Float64


def test_coverage_function() -> None:
    assert ideal_point_coverage(TOY) == (1990, 1991)
    only_fp = TOY.with_columns(
        idealpoint=pl.when(pl.col("year") == 1991).then(None).otherwise(pl.col("idealpoint"))
    )
    assert ideal_point_coverage(only_fp) == (1990, 1990)
    assert ideal_point_coverage(only_fp, "fp") == (1990, 1991)


def test_matrix_hand_computed() -> None:
    codes, m = ideal_point_matrix(TOY, 1990)
    assert codes.tolist() == [2, 20, 365]
    assert codes.dtype == np.int64
    assert m.tolist() == [[0.0, 0.5, 3.0], [0.5, 0.0, 2.5], [3.0, 2.5, 0.0]]
    codes, m = ideal_point_matrix(TOY, 1991)
    assert codes.tolist() == [2, 365] and m.tolist() == [[0.0, 3.0], [3.0, 0.0]]
    codes, m = ideal_point_matrix(TOY, 1991, states=[365, 20, 2, 20])
    assert codes.tolist() == [2, 20, 365]
    assert np.isnan(m[1]).all() and np.isnan(m[:, 1]).all()
    assert m[0, 2] == 3.0 and m[2, 0] == 3.0
    _, m = ideal_point_matrix(TOY, 1991, estimate="fp")
    assert m.tolist() == [[0.0, 1.0, 2.5], [1.0, 0.0, 1.5], [2.5, 1.5, 0.0]]


def test_matrix_agrees_with_the_enricher() -> None:
    codes, m = ideal_point_matrix(TOY, 1990)
    dy = pl.DataFrame(
        [(a, b, 1990) for a in codes.tolist() for b in codes.tolist()],
        schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64},
        orient="row",
    )
    assert add_ideal_point_distance(dy, TOY)["idealpointdist"].to_list() == m.ravel().tolist()


# -- bad input ---------------------------------------------------------------------------------


def test_year_outside_coverage_says_which_years_are_covered() -> None:
    with pytest.raises(InvalidYearsError, match="cover 1990-1991"):
        ideal_point_matrix(TOY, 2024)
    with pytest.raises(InvalidYearsError, match="cover 1990-1991"):
        ideal_point_matrix(TOY, 1945)
    gap = TOY.with_columns(pl.col("year").replace({1991: 1965, 1990: 1963}))
    with pytest.raises(InvalidYearsError, match="no recorded votes"):
        ideal_point_matrix(gap, 1964)


def test_unknown_estimate_and_quantile() -> None:
    sy = pl.DataFrame({"ccode": [2], "year": [1990]})
    with pytest.raises(FoedusError, match="unknown estimate"):
        add_ideal_points(sy, TOY, estimate="median")  # type: ignore[arg-type]
    with pytest.raises(FoedusError, match="not published"):
        add_ideal_points(sy, TOY, quantiles=(25,))
    with pytest.raises(FoedusError, match="without posterior quantiles"):
        add_ideal_points(sy, TOY, estimate="legacy", quantiles=(5,))
    with pytest.raises(MissingColumnError, match="idealpoint_q10"):
        add_ideal_points(sy, TOY, quantiles=(10,))


def test_table_without_the_estimate() -> None:
    no_fp = TOY.with_columns(pl.lit(None, dtype=pl.Float64).alias("idealpoint_fp"))
    with pytest.raises(FoedusError, match="June 2024 release"):
        add_ideal_point_distance(pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1990]}),
                                 no_fp, estimate="fp")  # fmt: skip
    with pytest.raises(MissingColumnError, match="unga_ideal_points"):
        add_ideal_points(pl.DataFrame({"ccode": [2], "year": [1990]}), TOY.drop("idealpoint"))


def test_repeated_state_year_in_the_table() -> None:
    twice = pl.concat([TOY, TOY.head(1)])
    with pytest.raises(DuplicateKeyError, match="ccode=2, year=1990"):
        ideal_point_matrix(twice, 1990)


def test_frame_errors() -> None:
    with pytest.raises(FoedusError, match="dyadic measure"):
        add_ideal_point_distance(pl.DataFrame({"ccode": [2], "year": [1990]}), TOY)
    with pytest.raises(FoedusError, match="Gleditsch-Ward"):
        add_ideal_points(pl.DataFrame({"gwcode": [2], "year": [1990]}), TOY)
    with pytest.raises(FoedusError, match="no 'year'"):
        add_ideal_points(pl.DataFrame({"ccode": [2]}), TOY)
    with pytest.raises(FoedusError, match="already has column"):
        add_ideal_points(pl.DataFrame({"ccode": [2], "year": [1990], "idealpoint": [0.0]}), TOY)
    with pytest.raises(FoedusError, match="not whole numbers"):
        add_ideal_points(pl.DataFrame({"ccode": [2], "year": [1990.5]}), TOY)
    with pytest.raises(FoedusError, match="expected whole numbers"):
        add_ideal_points(pl.DataFrame({"ccode": ["USA"], "year": [1990]}), TOY)


# -- real data ---------------------------------------------------------------------------------

_real: dict[str, pl.DataFrame] = {}


def july2025() -> pl.DataFrame:
    if "year" not in _real:
        _real["year"] = parse_unga_year_csv(shared_file("voeten_unga/IdealpointsJuly2025.csv"))
    return _real["year"]


def june2024() -> pl.DataFrame:
    if "session" not in _real:
        _real["session"] = parse_unga_session_csv(
            shared_file("voeten_unga/IdealpointestimatesAll_Jun2024.csv")
        )
    return _real["session"]


@pytest.mark.parametrize("estimate", ["all", "fp", "legacy"])
def test_usa_is_closer_to_israel_than_to_cuba_in_2000(estimate: str) -> None:
    dy = pl.DataFrame({"ccode1": [USA, USA], "ccode2": [ISRAEL, CUBA], "year": [2000, 2000]})
    israel, cuba = add_ideal_point_distance(dy, july2025(), estimate=estimate)[  # type: ignore[arg-type]
        "idealpointdist"
    ].to_list()
    assert israel < 0.4 < 3.6 < cuba


def test_usa_israel_cuba_2000_values() -> None:
    """The file's all-votes ideal points: USA 2.648397, Israel 2.330425, Cuba -1.032405."""
    dy = pl.DataFrame({"ccode1": [USA, CUBA], "ccode2": [ISRAEL, USA], "year": [2000, 2000]})
    out = add_ideal_point_distance(dy, july2025())["idealpointdist"].to_list()
    assert out == pytest.approx([2.648397 - 2.330425, 2.648397 + 1.032405], abs=1e-6)


def test_usa_holds_the_extreme_ideal_point() -> None:
    """In the July 2025 release the USA has the highest all-votes ideal point every year
    1976-2001 and the highest final-passage ideal point every year 1976-2010 and 2012-2024."""
    df = july2025()
    for column, years in (
        ("idealpoint", range(1976, 2002)),
        ("idealpoint_fp", [*range(1976, 2011), *range(2012, 2025)]),
    ):
        top = (
            df.filter(pl.col(column).is_not_null())
            .group_by("year")
            .agg(pl.col("ccode").sort_by(column).last().alias("top"))
        )
        tops = dict(top.iter_rows())
        assert all(tops[y] == USA for y in years), column


def test_largest_distance_in_2000_is_usa_syria() -> None:
    codes, m = ideal_point_matrix(july2025(), 2000)
    assert codes.size == july2025().filter(pl.col("year") == 2000)["idealpoint"].count()
    assert np.allclose(m, m.T) and np.all(np.diag(m) == 0)
    i, j = np.unravel_index(np.argmax(m), m.shape)
    assert {int(codes[i]), int(codes[j])} == {USA, SYRIA}
    assert m.max() == pytest.approx(2.648397 + 2.00866, abs=1e-6)


def test_real_matrix_agrees_with_the_enricher_on_every_dyad_of_a_year() -> None:
    codes, m = ideal_point_matrix(july2025(), 1985, estimate="fp")
    pairs = pl.DataFrame(
        {
            "ccode1": np.repeat(codes, codes.size),
            "ccode2": np.tile(codes, codes.size),
            "year": np.full(codes.size**2, 1985),
        }
    )
    out = add_ideal_point_distance(pairs, july2025(), estimate="fp")["idealpointdist"]
    assert out.null_count() == 0
    assert np.array_equal(out.to_numpy(), m.ravel())


def test_real_coverage() -> None:
    assert ideal_point_coverage(july2025()) == (1946, 2023)
    assert ideal_point_coverage(july2025(), "fp") == (1946, 2024)
    assert ideal_point_coverage(july2025(), "legacy") == (1946, 2023)
    assert ideal_point_coverage(june2024()) == (1946, 2023)
    with pytest.raises(FoedusError, match="June 2024 release"):
        ideal_point_coverage(june2024(), "fp")


def test_real_coverage_nulls() -> None:
    """2024 has only final-passage estimates; 1964 has none; 1945 and 2025 are outside the data;
    the PRC (710) has no estimate before it took China's seat in 1971."""
    dy = pl.DataFrame(
        {
            "ccode1": [USA, USA, USA, USA, USA, USA],
            "ccode2": [RUSSIA, RUSSIA, RUSSIA, RUSSIA, CHINA, CHINA],
            "year": [2024, 1964, 1945, 2025, 1970, 1971],
        }
    )
    allv = add_ideal_point_distance(dy, july2025())["idealpointdist"].to_list()
    assert allv[:5] == [None] * 5 and allv[5] is not None
    fp = add_ideal_point_distance(dy, july2025(), estimate="fp")["idealpointdist"].to_list()
    assert fp[0] is not None and fp[0] > 2.5  # USA-Russia 2024 (final-passage votes)
    assert fp[1:5] == [None] * 4
    with pytest.raises(InvalidYearsError, match="no recorded votes"):
        ideal_point_matrix(july2025(), 1964)
    with pytest.raises(InvalidYearsError, match='estimate="fp"'):
        ideal_point_matrix(july2025(), 2024)


def test_session_release_gives_the_legacy_distances() -> None:
    """The June 2024 (session-based) release and the legacy series of July 2025 give the same
    distances: same estimates, same year = session + 1945."""
    dy = pl.DataFrame({"ccode1": [USA, USA, RUSSIA], "ccode2": [ISRAEL, CUBA, USA],
                       "year": [2000, 1985, 1962]})  # fmt: skip
    old = add_ideal_point_distance(dy, june2024())["idealpointdist"]
    new = add_ideal_point_distance(dy, july2025(), estimate="legacy")["idealpointdist"]
    assert old.null_count() == 0 and old.equals(new)
