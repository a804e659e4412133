"""The warehouse: imports are all-or-nothing, versions are tracked, the newest wins unless pinned."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from foedus.errors import FoedusError, MissingDataError, UnknownStateError
from foedus.warehouse import Warehouse, scan_directory
from tests.conftest import shared_file


def _snapshot(wh: Warehouse) -> tuple[list[tuple[str, int]], list[str]]:
    """Everything an import could change: catalogue rows and the set of stored tables."""
    records = [(r.storage, r.rows) for r in wh.records()]
    tables = sorted(
        t for (t,) in wh.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    )
    return records, tables


def test_import_file_records_provenance(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        (record,) = wh.import_file(shared_file("cow/majors2016.csv"), "cow-majors")
        assert record.table == "cow_majors"
        assert record.version == "2016"
        assert record.rows == 14
        assert record.checksum_ok is True
        status = wh.status()
        assert status.filter(pl.col("table") == "cow_majors")["in_use"].to_list() == [True]


def test_newest_version_wins_and_pins_override(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.import_file(shared_file("cow/NMC-60-abridged.csv"), "nmc")
        wh.import_file(shared_file("peacesciencer/cow_nmc.parquet"), "nmc")
        assert wh.active("nmc").version == "7.0"
        assert wh.table("nmc")["year"].max() == 2022
        wh.pin("nmc", "6.0")
        assert wh.active("nmc").version == "6.0"
        assert wh.table("nmc")["year"].max() == 2016
        assert wh.status().filter(pl.col("pinned"))["version"].to_list() == ["6.0"]
        wh.unpin("nmc")
        assert wh.active("nmc").version == "7.0"
        with pytest.raises(FoedusError, match="choose one of"):
            wh.pin("nmc", "5.0")


def test_failed_import_all_leaves_warehouse_unchanged(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.import_file(shared_file("cow/majors2016.csv"), "cow-majors")
    before = _snapshot(wh)
    bad = tmp_path / "incoming"
    bad.mkdir()
    shutil.copy(shared_file("cow/states2016.csv"), bad / "states2016.csv")
    text = shared_file("atop/atop5_1m.csv").read_text()
    (bad / "atop5_1m.csv").write_text(text[: len(text) // 2])  # cut mid-record: truncated
    with pytest.raises(FoedusError) as info:
        wh.import_dir(bad)
    assert "atop5_1m.csv" in str(info.value)
    assert _snapshot(wh) == before
    wh.close()


def test_failure_during_write_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.import_file(shared_file("cow/majors2016.csv"), "cow-majors")
    before = _snapshot(wh)
    src = tmp_path / "incoming"
    src.mkdir()
    for name in ("cow/states2016.csv", "cow/NMC-60-abridged.csv"):
        shutil.copy(shared_file(name), src / Path(name).name)
    calls = {"n": 0}
    real_to_arrow = pl.DataFrame.to_arrow

    def failing_to_arrow(self: pl.DataFrame, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:  # the first table is already written inside the transaction
            raise OSError("disk full (simulated)")
        return real_to_arrow(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "to_arrow", failing_to_arrow)
    with pytest.raises(OSError):
        wh.import_dir(src)
    monkeypatch.undo()
    assert _snapshot(wh) == before
    wh.close()


def test_unknown_state_code_is_rejected(tmp_path: Path) -> None:
    src = tmp_path / "incoming"
    src.mkdir()
    shutil.copy(shared_file("cow/states2016.csv"), src / "states2016.csv")
    lines = shared_file("cow/majors2016.csv").read_text().splitlines()
    fields = lines[3].split(",")
    fields[1] = "999"  # ccode
    lines[3] = ",".join(fields)
    (src / "majors2016.csv").write_text("\n".join(lines) + "\n")
    wh = Warehouse(tmp_path / "w.duckdb")
    with pytest.raises(UnknownStateError) as info:
        wh.import_dir(src)
    assert "999" in str(info.value) and "majors2016.csv" in str(info.value)
    assert wh.records() == []
    wh.close()


def test_missing_table_says_what_to_import(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        with pytest.raises(MissingDataError, match="atop5_1m.csv"):
            wh.table("atop_member")


def test_read_only_missing_warehouse_says_how_to_import(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "absent.duckdb", read_only=True)
    with pytest.raises(MissingDataError, match="import-all"):
        wh.table("nmc")


def test_import_all_recognises_official_names(data_dir: Path) -> None:
    names = {p.name for p, _ in scan_directory(data_dir)}
    for expected in (
        "states2016.csv",
        "system2016.csv",
        "majors2016.csv",
        "NMC-60-abridged.csv",
        "MIDA 5.0.csv",
        "MIDIP 5.0.csv",
        "atop5_1m.csv",
        "atopinst5_1.csv",
        "cow_nmc.parquet",
        "cow_contdir.parquet",
        "gml_part.parquet",
        "UcdpPrioConflict_v23_1.csv",
        "ucdp_acd.parquet",
        "cw_gw_panel.parquet",
    ):
        assert expected in names


def test_built_warehouse_status(built_warehouse: Path) -> None:
    with Warehouse(built_warehouse, read_only=True) as wh:
        status = wh.status()
        in_use = status.filter(pl.col("in_use"))
        assert in_use["table"].n_unique() == in_use.height  # one release serves each table
        assert in_use.filter(pl.col("table") == "nmc")["version"].to_list() == ["7.0"]
        assert in_use.filter(pl.col("table") == "ucdp_acd")["version"].to_list() == ["25.1"]
        official = status.filter(pl.col("file").str.starts_with("atop5_1m.csv"))
        assert official["checksum"].to_list() == ["official"]


def test_readers_use_the_snapshot_without_opening_duckdb(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import foedus.warehouse as warehouse_module
    from foedus.warehouse import Warehouse

    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.import_file(shared_file("cow/majors2016.csv"), "cow-majors")
    first = Warehouse(path, read_only=True)
    table = first.table("cow_majors")  # read from DuckDB once, kept as Arrow IPC
    first.close()
    assert list((path.parent / "w.duckdb.cache" / "tables").glob("cow_majors__*.arrow"))

    def no_duckdb(*args: object, **kwargs: object) -> None:
        raise AssertionError("DuckDB was opened although the snapshot is current")

    monkeypatch.setattr(warehouse_module, "_connect", no_duckdb)
    second = Warehouse(path, read_only=True)
    assert [r.table for r in second.records()] == ["cow_majors"]
    assert second.table("cow_majors").equals(table)
    assert table.height == 14  # COW major-power spells in majors2016.csv


def test_a_few_columns_are_read_without_the_whole_table(built_warehouse: Path) -> None:
    from foedus.warehouse import Warehouse

    wh = Warehouse(built_warehouse, read_only=True)
    whole = Warehouse(built_warehouse, read_only=True).table("us_training")
    part = wh.table("us_training", ["ccode", "fiscal_year", "students"])
    assert part.columns == ["ccode", "fiscal_year", "students"]
    assert part.equals(whole.select(part.columns))
    assert wh.table("us_training").equals(whole)  # the whole table is still there to read
    frame, used = wh.read("us_training", "test", ["ccode"])
    assert frame.columns == ["ccode"] and used.table == "us_training"
