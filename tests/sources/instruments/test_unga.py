"""UNGA ideal points (Bailey, Strezhnev & Voeten): both staged releases parsed from
../shared/data/voeten_unga/, registry entries, warehouse choice, and bad input.

Facts are those of MANIFEST-core.md (section ``voeten_unga/``) and of the July 2025 codebook.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import (
    DuplicateKeyError,
    FoedusError,
    InvalidValueError,
    MissingColumnError,
    TruncatedSourceError,
    UnknownStateError,
    WrongDelimiterError,
)
from foedus.sources.catalog import get_source, release_for_filename, version_key
from foedus.sources.formats import FILENAMES, FORMATS, detect_format
from foedus.sources.instruments import FAMILIES
from foedus.sources.instruments.unga import (
    CANONICAL_COLUMNS,
    TABLE,
    parse_unga_session_csv,
    parse_unga_year_csv,
)
from foedus.warehouse import Warehouse
from tests.conftest import shared_file

YEAR_FILE = "voeten_unga/IdealpointsJuly2025.csv"
SESSION_FILE = "voeten_unga/IdealpointestimatesAll_Jun2024.csv"
YEAR_FMT = "unga_idealpoints_year_csv"
SESSION_FMT = "unga_idealpoints_session_csv"

_cache: dict[str, pl.DataFrame] = {}


def parsed(fid: str) -> pl.DataFrame:
    if fid not in _cache:
        relative = YEAR_FILE if fid == YEAR_FMT else SESSION_FILE
        _cache[fid] = FORMATS[fid].parse(shared_file(relative))
    return _cache[fid]


def cow_codes() -> set[int]:
    states = FORMATS["cow_states_csv"].parse(shared_file("cow/states2016.csv"))
    return set(states["ccode"].to_list())


# -- registry -----------------------------------------------------------------------------------


def test_family_is_registered() -> None:
    assert "unga" in FAMILIES
    source = get_source("unga_ideal_points")
    assert source.bibkey() == "bailey2017unga"
    assert "10.1177/0022002715595700" in source.bibtex
    assert "10.7910/DVN/LEJUQZ" in source.landing_page
    assert {r.version: r.format_id for r in source.releases} == {
        "2025-07": YEAR_FMT,
        "2024-06": SESSION_FMT,
    }
    assert all(r.table == TABLE for r in source.releases)
    assert version_key("2025-07") > version_key("2024-06")


def test_file_names_are_recognised() -> None:
    assert FILENAMES["IdealpointsJuly2025.csv"] == YEAR_FMT
    assert FILENAMES["IdealpointestimatesAll_Jun2024.csv"] == SESSION_FMT
    assert detect_format(Path("x") / "IdealpointsJuly2025.csv") == YEAR_FMT
    release = release_for_filename("IdealpointestimatesAll_Jun2024.csv")
    assert release is not None and release.coverage == (1946, 2023)
    for fid in (YEAR_FMT, SESSION_FMT):
        fmt = FORMATS[fid]
        assert (fmt.table, fmt.key, fmt.state_system) == (TABLE, ("ccode", "year"), "cow")


# -- the real files -------------------------------------------------------------------------------


@pytest.mark.parametrize(("fid", "rows"), [(YEAR_FMT, 11_440), (SESSION_FMT, 11_238)])
def test_real_file_parses_to_the_canonical_table(fid: str, rows: int) -> None:
    df = parsed(fid)
    assert df.shape == (rows, len(CANONICAL_COLUMNS))
    assert df.schema == pl.Schema(CANONICAL_COLUMNS)
    assert df.select("ccode", "year").is_duplicated().sum() == 0
    assert "_line" not in df.columns


def test_both_releases_have_the_same_columns_and_types() -> None:
    assert parsed(YEAR_FMT).schema == parsed(SESSION_FMT).schema


def test_year_release_coverage_and_estimates() -> None:
    df = parsed(YEAR_FMT)
    years = df["year"].unique().sort().to_list()
    assert (years[0], years[-1]) == (1946, 2024)
    assert 1964 not in years  # the 19th session held no recorded votes
    assert df["session"].null_count() == df.height
    # 2024 has the final-passage estimate only
    y2024 = df.filter(pl.col("year") == 2024)
    assert y2024["idealpoint"].null_count() == y2024.height == 191
    assert y2024["idealpoint_fp"].null_count() == 0
    assert df["idealpoint"].null_count() == 208
    assert df["idealpoint_fp"].null_count() == 19
    assert df["idealpoint_legacy"].null_count() == 202
    # 17 legacy-only rows lack iso3c and name (e.g. West Germany 1990)
    assert df["iso3c"].null_count() == 17
    row = df.filter(pl.col("ccode") == 260, pl.col("year") == 1990).row(0, named=True)
    assert row["idealpoint"] is None and row["idealpoint_legacy"] == pytest.approx(1.894994)
    # the manifest's example row: the USA in 1946
    usa = df.filter(pl.col("ccode") == 2, pl.col("year") == 1946).row(0, named=True)
    assert usa["idealpoint"] == pytest.approx(1.887774)
    assert usa["idealpoint_fp"] == pytest.approx(1.663375)
    assert usa["idealpoint_legacy"] == pytest.approx(1.67635)
    assert (usa["nvotes"], usa["nvotes_fp"], usa["nvotes_legacy"]) == (39, 25, 42)
    assert usa["idealpoint_q0"] == pytest.approx(0.9297989)  # qoall: the minimum draw
    assert usa["idealpoint_fp_q100"] == pytest.approx(3.252464)
    # the agreement shares exist only in the session-based release
    assert df["usagree"].null_count() == df.height


def test_session_release_maps_session_to_year() -> None:
    df = parsed(SESSION_FMT)
    assert df["session"].min() == 1 and df["session"].max() == 78
    assert (df["year"] - df["session"]).unique().to_list() == [1945]
    assert 1964 not in df["year"].to_list()
    assert df["idealpoint_fp"].null_count() == df.height
    assert (df["idealpoint"] == df["idealpoint_legacy"]).all()
    usa = df.filter(pl.col("ccode") == 2, pl.col("session") == 1).row(0, named=True)
    assert (usa["year"], usa["idealpoint"], usa["nvotes"]) == (1946, 1.67635, 42)
    assert usa["usagree"] == 1.0 and usa["chinaagree"] is None  # PRC seated in 1971
    assert df["chinaagree"].null_count() == 2089


def test_session_mapping_agrees_with_the_legacy_series_of_the_newer_release() -> None:
    """The 2025 codebook: idealpointlegacy is session-based with year = session + 1945; with that
    mapping the 2024-06 ideal points equal it on every row."""
    old = parsed(SESSION_FMT).select("ccode", "year", old="idealpoint", n_old="nvotes")
    new = parsed(YEAR_FMT).select("ccode", "year", new="idealpoint_legacy", n_new="nvotes_legacy")
    both = old.join(new, on=["ccode", "year"], how="full", coalesce=True)
    assert both.height == 11_440
    matched = both.filter(pl.col("old").is_not_null())
    assert matched.height == 11_238
    assert (matched["old"] == matched["new"]).all()
    assert (matched["n_old"] == matched["n_new"]).all()
    # every other row of the newer release has no legacy value
    assert both.filter(pl.col("old").is_null())["new"].null_count() == 11_440 - 11_238


@pytest.mark.parametrize(("fid", "relative"), [(YEAR_FMT, YEAR_FILE), (SESSION_FMT, SESSION_FILE)])
def test_every_code_is_a_cow_state(fid: str, relative: str) -> None:
    """No documented exception is needed: every code of both files is on the COW list."""
    df = FORMATS[fid].read(shared_file(relative), known_states=cow_codes())
    assert FORMATS[fid].extra_state_codes == ()
    assert df["ccode"].n_unique() == 199


def test_state_years_outside_cow_membership_are_kept() -> None:
    """UN members that COW does not count as states that year stay in the table (documented):
    the Ukrainian and Byelorussian SSRs (founding UN members) 1946-1990, and Taiwan (713) holding
    China's seat 1946-1971 while COW dates 713 from 1949."""
    df = parsed(YEAR_FMT)
    ukr = df.filter(pl.col("ccode") == 369, pl.col("year") <= 1990)
    assert ukr.height == 44 and ukr["idealpoint"].null_count() == 0
    roc = df.filter(pl.col("ccode") == 713)
    assert (roc["year"].min(), roc["year"].max()) == (1946, 1971)
    prc = df.filter(pl.col("ccode") == 710)
    assert prc["year"].min() == 1971


def test_warehouse_serves_the_newer_release_by_default(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.import_file(shared_file("cow/states2016.csv"))
        wh.import_file(shared_file(SESSION_FILE))
        wh.import_file(shared_file(YEAR_FILE))
        assert wh.active(TABLE).version == "2025-07"
        assert wh.table(TABLE).height == 11_440
        wh.pin(TABLE, "2024-06")
        assert wh.table(TABLE).height == 11_238
        wh.unpin(TABLE)
        assert wh.active(TABLE).version == "2025-07"


# -- bad input ------------------------------------------------------------------------------------


def real_lines(relative: str, n: int) -> list[str]:
    """The header and the first ``n - 1`` records of a real file."""
    return shared_file(relative).read_text(encoding="utf-8").splitlines()[:n]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def set_field(line: str, index: int, value: str) -> str:
    fields = line.split(",")
    fields[index] = value
    return ",".join(fields)


def assert_located(err: pytest.ExceptionInfo[FoedusError], path: Path, *parts: str) -> None:
    message = str(err.value)
    assert str(path) in message, message
    for part in parts:
        assert part in message, message
    assert "Fix:" in message, message


def test_missing_column(tmp_path: Path) -> None:
    lines = real_lines(YEAR_FILE, 4)
    lines[0] = lines[0].replace("idealpointall", "idealpoint_all")
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(MissingColumnError) as err:
        parse_unga_year_csv(path)
    assert_located(err, path, "'idealpointall'", "idealpoint_all")


def test_wrong_release_for_the_format(tmp_path: Path) -> None:
    path = write(tmp_path, "IdealpointsJuly2025.csv", real_lines(SESSION_FILE, 4))
    with pytest.raises(MissingColumnError) as err:
        parse_unga_year_csv(path)
    assert_located(err, path, "'year'")


def test_text_in_an_ideal_point(tmp_path: Path) -> None:
    lines = real_lines(YEAR_FILE, 4)
    lines[2] = set_field(lines[2], 5, "n/a")  # idealpointall of the USA, 1947
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        parse_unga_year_csv(path)
    assert_located(err, path, "line 3", "'idealpointall'", "n/a")


def test_repeated_state_year(tmp_path: Path) -> None:
    lines = real_lines(YEAR_FILE, 4)
    lines.append(lines[2])
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(DuplicateKeyError) as err:
        parse_unga_year_csv(path)
    assert_located(err, path, "lines 3 and 5", "ccode=2, year=1947")


def test_repeated_session(tmp_path: Path) -> None:
    lines = real_lines(SESSION_FILE, 4)
    lines.append(lines[1])
    path = write(tmp_path, "IdealpointestimatesAll_Jun2024.csv", lines)
    with pytest.raises(DuplicateKeyError) as err:
        parse_unga_session_csv(path)
    assert_located(err, path, "lines 2 and 5", "session=1")


def test_year_before_the_first_session(tmp_path: Path) -> None:
    lines = real_lines(YEAR_FILE, 4)
    lines[3] = set_field(lines[3], 3, "1900")
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        parse_unga_year_csv(path)
    assert_located(err, path, "line 4", "'year'", "1900", "1946")


def test_session_zero(tmp_path: Path) -> None:
    lines = real_lines(SESSION_FILE, 4)
    lines[2] = set_field(lines[2], 2, "0")
    path = write(tmp_path, "IdealpointestimatesAll_Jun2024.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        parse_unga_session_csv(path)
    assert_located(err, path, "line 3", "'session'")


def test_unordered_quantiles(tmp_path: Path) -> None:
    lines = real_lines(YEAR_FILE, 4)
    lines[1] = set_field(lines[1], 10, "9.5")  # q10fp above q50fp
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        parse_unga_year_csv(path)
    assert_located(err, path, "line 2", "'q50fp'", "quantile")


def test_ideal_point_outside_its_draws(tmp_path: Path) -> None:
    lines = real_lines(SESSION_FILE, 4)
    lines[3] = set_field(lines[3], 4, "7.5")  # IdealPointAll beyond Q100%All
    path = write(tmp_path, "IdealpointestimatesAll_Jun2024.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        parse_unga_session_csv(path)
    assert_located(err, path, "line 4", "'idealpointall'", "7.5")


def test_agreement_share_above_one(tmp_path: Path) -> None:
    lines = real_lines(SESSION_FILE, 4)
    lines[1] = set_field(lines[1], 15, "1.5")  # RUSSAgree
    path = write(tmp_path, "IdealpointestimatesAll_Jun2024.csv", lines)
    with pytest.raises(InvalidValueError) as err:
        parse_unga_session_csv(path)
    assert_located(err, path, "line 2", "'russagree'", "1.5")


def test_unknown_cow_code(tmp_path: Path) -> None:
    lines = real_lines(YEAR_FILE, 4)
    lines[2] = set_field(lines[2], 0, "999")
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(UnknownStateError) as err:
        FORMATS[YEAR_FMT].read(path, known_states=cow_codes())
    assert_located(err, path, "line 3", "'ccode'", "999")


def test_semicolon_file(tmp_path: Path) -> None:
    lines = [line.replace(",", ";") for line in real_lines(YEAR_FILE, 3)]
    path = write(tmp_path, "IdealpointsJuly2025.csv", lines)
    with pytest.raises(WrongDelimiterError):
        parse_unga_year_csv(path)


def test_truncated_file(tmp_path: Path) -> None:
    lines = real_lines(SESSION_FILE, 4)
    path = tmp_path / "IdealpointestimatesAll_Jun2024.csv"
    path.write_text("\n".join(lines)[:-40], encoding="utf-8")
    with pytest.raises(TruncatedSourceError):
        parse_unga_session_csv(path)


def test_keep_lines_names_file_lines() -> None:
    df = parse_unga_session_csv(shared_file(SESSION_FILE), keep_lines=True)
    assert df["_line"].head(2).to_list() == [2, 3]
