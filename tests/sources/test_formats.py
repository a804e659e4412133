"""Every import format parsed from the real release file in ../shared/data.

Row counts are the manifest's (MANIFEST-core.md); keys must be unique; identifying columns Int64;
formats that fill the same canonical table must agree.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import UnknownSourceError, UnknownStateError
from foedus.sources.formats import FILENAMES, FORMATS, MID_MISSING, detect_format, parse_file
from foedus.sources.normalize import KEY_COLUMN
from tests.conftest import shared_file

# format id → (file under shared/data, rows, columns) as in MANIFEST-core.md
REAL: dict[str, tuple[str, int, int]] = {
    "cow_states_csv": ("cow/states2016.csv", 243, 5),
    "ps_cow_states": ("peacesciencer/cow_states.parquet", 243, 5),
    "isard_cw_system": ("isard/cw_system.parquet", 243, 5),
    "isard_gw_system": ("isard/gw_system.parquet", 239, 6),
    "ps_gw_states": ("peacesciencer/gw_states.parquet", 216, 6),
    "cow_system_csv": ("cow/system2016.csv", 15_951, 4),
    "cow_majors_csv": ("cow/majors2016.csv", 14, 8),
    "ps_cow_majors": ("peacesciencer/cow_majors.parquet", 14, 8),
    "isard_cw_gw_panel": ("isard/cw_gw_panel.parquet", 17_916, 6),
    "isard_gw_cw_panel": ("isard/gw_cw_panel.parquet", 20_990, 6),
    "isard_cw_democracy": ("isard/cw_democracy.parquet", 17_706, 6),
    "isard_gw_democracy": ("isard/gw_democracy.parquet", 20_849, 6),
    "isard_cw_gdppop": ("isard/cw_gdppop.parquet", 16_536, 8),
    "isard_gw_gdppop": ("isard/gw_gdppop.parquet", 19_667, 8),
    "ps_cow_nmc": ("peacesciencer/cow_nmc.parquet", 17_121, 9),
    "cow_nmc_csv": ("cow/NMC-60-abridged.csv", 15_951, 9),
    "cow_mida_csv": ("cow/MIDA 5.0.csv", 2_436, 20),
    "cow_midb_csv": ("cow/MIDB 5.0.csv", 5_883, 19),
    "cow_midi_csv": ("cow/MIDI 5.0.csv", 4_483, 16),
    "cow_midip_csv": ("cow/MIDIP 5.0.csv", 9_619, 19),
    "ps_cow_mid_ddydisps": ("peacesciencer/cow_mid_ddydisps.parquet", 10_234, 24),
    "ps_cow_mid_disps": ("peacesciencer/cow_mid_disps.parquet", 2_436, 11),
    "ps_gml_mid_ddydisps": ("peacesciencer/gml_mid_ddydisps.parquet", 9_284, 24),
    "ps_gml_mid_disps": ("peacesciencer/gml_mid_disps.parquet", 2_174, 11),
    "ps_gml_dirdisp": ("peacesciencer/gml_dirdisp.parquet", 10_276, 39),
    "ps_gml_part": ("peacesciencer/gml_part.parquet", 5_217, 19),
    "ps_cow_contdir": ("peacesciencer/cow_contdir.parquet", 1_874, 5),
    "ps_cow_capitals": ("peacesciencer/cow_capitals.parquet", 242, 7),
    "ps_gw_capitals": ("peacesciencer/gw_capitals.parquet", 264, 7),
    "atop_member_csv": ("atop/atop5_1m.csv", 2_510, 105),
    "atop_alliance_csv": ("atop/atop5_1a.csv", 789, 134),
    "atop_phase_csv": ("atop/atop5_1aph.csv", 849, 134),
    "atop_stateyear_csv": ("atop/atop5_1sy.csv", 11_923, 70),
    "atop_inst_csv": ("atop/atopinst5_1.csv", 849, 6),  # + derived phase
    "atop_member_nna_csv": ("atop/atop5_1m_NNA.csv", 1_838, 105),
    "atop_alliance_nna_csv": ("atop/atop5_1a_NNA.csv", 589, 118),
    "atop_phase_nna_csv": ("atop/atop5_1aph_NNA.csv", 638, 120),
    "atop_stateyear_nna_csv": ("atop/atop5_1sy_NNA.csv", 10_514, 52),
    "ps_atop_alliance": ("peacesciencer/atop_alliance.parquet", 273_296, 8),
    "ucdp_acd_csv": ("ucdp/UcdpPrioConflict_v23_1.csv", 2_626, 28),
    "ucdp_acd_csv_canonical": ("ucdp/UcdpPrioConflict_v23_1.csv", 5_204, 15),  # one row per state
    "ps_ucdp_acd": ("peacesciencer/ucdp_acd.parquet", 5_652, 15),
    "unga_idealpoints_year_csv": ("voeten_unga/IdealpointsJuly2025.csv", 11_440, 31),
    "unga_idealpoints_session_csv": ("voeten_unga/IdealpointestimatesAll_Jun2024.csv", 11_238, 31),
    "ps_cow_ddy": ("peacesciencer/cow_ddy.parquet", 2_214_930, 3),
    "ps_gw_ddy": ("peacesciencer/gw_ddy.parquet", 2_599_466, 5),
}

_cache: dict[str, pl.DataFrame] = {}


def parsed(fid: str) -> pl.DataFrame:
    if fid not in _cache:
        _cache[fid] = FORMATS[fid].parse(shared_file(REAL[fid][0]))
    return _cache[fid]


# Official files that ../shared/data lacks (too large for the staging snapshots); each is tested on
# a file written in ATOP's documented layout from the equivalent real table.
NO_REAL_FILE = {"atop_ddyr_csv"}


def test_every_format_has_a_real_file() -> None:
    # Core formats here; each instrument family tests its own formats beside its module.
    core = {fid for fid, f in FORMATS.items() if f.parse.__module__ == "foedus.sources.formats"}
    assert core - NO_REAL_FILE <= set(REAL)
    for fid, (relative, _, _) in REAL.items():
        assert FORMATS[fid].filename == Path(relative).name


@pytest.mark.parametrize("fid", sorted(REAL))
def test_real_file_parses(fid: str) -> None:
    fmt = FORMATS[fid]
    df = parsed(fid)
    _, rows, cols = REAL[fid]
    assert df.shape == (rows, cols)
    assert df.select(fmt.key).is_duplicated().sum() == 0
    assert all(c == c.lower() for c in df.columns)
    assert "_line" not in df.columns
    for name, dtype in df.schema.items():
        if KEY_COLUMN.match(name) and dtype.is_numeric():
            assert dtype == pl.Int64, (fid, name)
    for k in fmt.key:
        assert k in df.columns


def test_filenames_and_detection() -> None:
    assert FILENAMES["states2016.csv"] == "cow_states_csv"
    assert FILENAMES["MIDA 5.0.csv"] == "cow_mida_csv"
    assert FILENAMES["cow_nmc.parquet"] == "ps_cow_nmc"
    assert FILENAMES["atop5_1m_NNA.csv"] == "atop_member_nna_csv"
    # one official file per format, but the UCDP CSV also fills the canonical one-row-per-state table
    assert len(FILENAMES) == len(FORMATS) - 1
    assert detect_format(Path("x") / "UcdpPrioConflict_v25_1.csv") == "ucdp_acd_csv"
    assert detect_format("NMC-70-abridged.csv") == "cow_nmc_csv"
    assert detect_format("README.md") is None
    with pytest.raises(UnknownSourceError, match="Fix:"):
        parse_file("README.md")


def test_cow_system_csv_equals_isard_and_peer() -> None:
    """states2016.csv → cow_system is the same table as isard's cw_system and the peer's copy."""
    derived = parsed("cow_states_csv").sort("ccode", "start")
    assert derived.equals(parsed("isard_cw_system").sort("ccode", "start"))
    assert derived.equals(parsed("ps_cow_states").sort("ccode", "start"))
    assert derived.schema == pl.Schema(
        {
            "ccode": pl.Int64,
            "cw_abb": pl.String,
            "cw_name": pl.String,
            "start": pl.Date,
            "end": pl.Date,
        }
    )


def test_cow_majors_csv_equals_peer() -> None:
    assert parsed("cow_majors_csv").equals(parsed("ps_cow_majors"))
    assert set(parsed("cow_majors_csv").dtypes) == {pl.Int64}


def test_gw_states_vs_isard_gw_system() -> None:
    """The peer's gw_states is isard's non-micro list, ended 2017 instead of 2020, ASCII names."""
    isard = parsed("isard_gw_system")
    peer = parsed("ps_gw_states")
    assert isard.schema == peer.schema
    assert peer["microstate"].unique().to_list() == [0.0]
    assert isard["microstate"].sum() == 23
    both = isard.filter(pl.col("microstate") == 0).join(peer, on=["gwcode", "start"], how="full")
    assert both.height == 216 and both["gwcode"].null_count() == 0
    assert both["gwcode_right"].null_count() == 0
    assert (both["gw_abb"] == both["gw_abb_right"]).all()
    names = both.filter(pl.col("gw_name") != pl.col("gw_name_right"))
    assert sorted(names["gw_name_right"].to_list()) == ["Cote D'Ivoire", "Wuerttemberg"]
    ends = both.filter(pl.col("end") != pl.col("end_right"))
    assert [str(d) for d in ends["end"].unique()] == ["2020-12-31"]
    assert [str(d) for d in ends["end_right"].unique()] == ["2017-12-31"]


def test_nmc_v6_csv_matches_v7_missingness() -> None:
    """-9 in the v6 CSV becomes null exactly where the peer's v7 table has null."""
    v6, v7 = parsed("cow_nmc_csv"), parsed("ps_cow_nmc")
    assert v6.schema == v7.schema
    assert v6.select(pl.col("milex").null_count()).item() == 2217  # the manifest's -9 count
    both = v6.join(v7, on=["ccode", "year"], how="left")
    assert both["cinc_right"].null_count() == 0  # every v6 state-year is in v7
    for col in ["milex", "milper", "irst", "pec", "tpop", "upop"]:
        assert (both[col].is_null() == both[f"{col}_right"].is_null()).all(), col
    for col in ["milex", "milper", "irst", "tpop", "upop"]:  # unchanged between releases
        assert (both[col] == both[f"{col}_right"]).fill_null(True).all(), col


def test_mida_matches_peer_disputes() -> None:
    raw, peer = parsed("cow_mida_csv"), parsed("ps_cow_mid_disps")
    both = raw.join(peer, on="dispnum", how="full", coalesce=True)
    assert both.height == 2436
    for col in ["styear", "stmon", "hostlev", "maxdur", "mindur", "hiact", "recip"]:
        assert (both[col] == both[f"{col}_right"]).all(), col
    for col in ["outcome", "settle", "fatality"]:  # the peer keeps -9, foedus makes it null
        assert (both[col].fill_null(-9) == both[f"{col}_right"]).all(), col


@pytest.mark.parametrize(
    ("fid", "table", "counts"),
    [
        ("cow_mida_csv", "cow_mid_a", {"stday": 271, "endday": 251, "fatalpre": 646}),
        ("cow_midb_csv", "cow_mid_b", {"revtype2": 4252, "fatality": 599}),
        ("cow_midi_csv", "cow_mid_i", {"tbi": 909, "stmon": 1, "duration": 347}),
        ("cow_midip_csv", "cow_mid_ip", {"endmon": 4, "revtype1": 8}),
    ],
)
def test_mid_missing_codes_become_null(fid: str, table: str, counts: dict[str, int]) -> None:
    df = parsed(fid)
    for col in MID_MISSING[table]:
        assert (df[col] < 0).sum() == 0, col
    for col, n in counts.items():
        assert df[col].null_count() == n, col
    assert df["hostlev"].null_count() == 0  # hostlev has no missing code


def test_midip_erratum_is_imported_as_released() -> None:
    rows = parsed("cow_midip_csv").filter(pl.col("incidnum") == 4193001)
    assert rows.select("stday", "stmon", "endday", "endmon").unique().rows() == [(10, 10, 3, 10)]


def test_atop_inst_phase_joins_atop_phase() -> None:
    inst, phase = parsed("atop_inst_csv"), parsed("atop_phase_csv")
    assert inst.columns[:3] == ["atopid", "atopidphase", "phase"]
    assert inst.join(phase, on=["atopid", "phase"], how="anti").height == 0
    assert phase.join(inst, on=["atopid", "phase"], how="anti").height == 0


def test_atop_keeps_every_provision_typed() -> None:
    member = parsed("atop_member_csv")
    assert member.schema["dayent"] == pl.Int64 and member["dayent"].null_count() == 5
    assert member.schema["version"] == pl.Float64
    assert member.schema["estmode"] == pl.Int64
    alliance = parsed("atop_alliance_csv")
    assert [c for c in alliance.columns if c.startswith("mem")][-1] == "mem59"
    assert alliance["mem59"].dtype == pl.Int64
    assert alliance.schema["statthr1"] == pl.Int64
    # The manifest's legitimate re-entries: same (atopid, member, phase), different entry year.
    assert member.select("atopid", "member", "phase").is_duplicated().sum() == 6


def test_ucdp_raw_keeps_lists_as_strings() -> None:
    df = parsed("ucdp_acd_csv")
    assert df.schema["gwno_a"] == pl.String and df.schema["start_date"] == pl.Date
    assert df.filter(pl.col("gwno_a").str.contains(",")).height > 0
    assert df["ep_end_prec"].null_count() == df.height  # all empty in v23.1
    assert df["side_a_2nd"].null_count() == 2209  # "" became null


def _known(system: str) -> set[int]:
    if system == "cow":
        return set(parsed("cow_states_csv")["ccode"].to_list())
    return set(parsed("isard_gw_system")["gwcode"].to_list())


@pytest.mark.parametrize("fid", sorted(f for f in REAL if FORMATS[f].state_system))
def test_real_state_codes_are_known(fid: str) -> None:
    """Every state code is in its system's list, apart from the source's documented extras."""
    fmt = FORMATS[fid]
    fmt.check_states(parsed(fid), _known(fmt.state_system or "cow"), fmt.filename)


def test_documented_extra_codes_are_needed() -> None:
    """Without its documented exception ATOP's Annam (8152) is reported, with the file line."""
    fmt = FORMATS["atop_member_csv"]
    path = shared_file(REAL["atop_member_csv"][0])
    df = fmt.parse(path, keep_lines=True)
    with pytest.raises(UnknownStateError) as err:
        from foedus.sources.readers import check_state_codes

        check_state_codes(df, ["member"], _known("cow"), str(path))
    assert "8152" in str(err.value) and "line 203" in str(err.value) and "Fix:" in str(err.value)
    assert fmt.read(path, known_states=_known("cow")).height == 2510


def test_every_real_file_parses_to_rows() -> None:
    """Every real file of the shared data parses, to rows. (How fast is measured in
    benchmarks/, never in a test.)"""
    empty = [fid for fid, (relative, _, _) in REAL.items()
             if FORMATS[fid].parse(shared_file(relative)).height == 0]  # fmt: skip
    assert empty == []


def test_atop_ddyr_official_layout_equals_peer_table(tmp_path: Path) -> None:
    """ATOP 5.1 codebook §2.7 layout (DDYAD, STATEA, STATEB, YEAR, ATOPALLY, DEFENSE …) → atop_ddy."""
    peer = parsed("ps_atop_alliance")
    flags = ["defense", "offense", "neutral", "nonagg", "consul"]
    official = peer.select(
        (pl.col("ccode1") * 1000 + pl.col("ccode2")).alias("DDYAD"),
        pl.col("ccode1").alias("STATEA"),
        pl.col("ccode2").alias("STATEB"),
        pl.col("year").alias("YEAR"),
        pl.lit(1).alias("ATOPALLY"),
        *[pl.col(f"atop_{f}").cast(pl.Int64).alias(f.upper()) for f in flags],
        pl.lit(5.1).alias("VERSION"),
    )
    path = tmp_path / "atop5_1ddyr.csv"
    official.write_csv(path)
    ours = FORMATS["atop_ddyr_csv"].parse(path)
    assert ours.columns == peer.columns
    assert ours.sort(["ccode1", "ccode2", "year"]).equals(peer.sort(["ccode1", "ccode2", "year"]))
