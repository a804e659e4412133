"""Edges a reliability probe found (issue 9, item 6), each reproduced: duplicate release file names,
imports while another process holds the warehouse, bad ``-o`` paths, bad ``--warehouse`` paths."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from foedus.cli import app
from foedus.errors import FoedusError, WarehouseBusyError
from foedus.warehouse import Warehouse
from tests.conftest import shared_file

runner = CliRunner()


def _cli(*args: str) -> object:
    return runner.invoke(app, list(args))


def _clean_exit_2(result: object) -> None:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


@pytest.fixture()
def majors_twice(tmp_path: Path) -> Path:
    """A data folder holding the official majors2016.csv in two sub-folders."""
    source = shared_file("cow/majors2016.csv")
    for folder in ("official", "copy"):
        (tmp_path / "data" / folder).mkdir(parents=True)
        shutil.copyfile(source, tmp_path / "data" / folder / "majors2016.csv")
    return tmp_path / "data"


# -- the same official file name in two folders ------------------------------------------------
def test_duplicate_file_names_are_refused_naming_both(majors_twice: Path, tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    result = _cli("data", "import-all", str(majors_twice), "-w", str(wh), "--json")
    _clean_exit_2(result)
    doc = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert "majors2016.csv" in doc["what"]
    assert str(majors_twice / "official" / "majors2016.csv") in doc["what"]
    assert str(majors_twice / "copy" / "majors2016.csv") in doc["what"]
    assert "--prefer" in doc["fix"]
    assert not wh.exists()  # nothing written


def test_prefer_chooses_the_copy_to_import(majors_twice: Path, tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    result = _cli("data", "import-all", str(majors_twice), "--prefer",
                  str(majors_twice / "official"), "-w", str(wh), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    (record,) = json.loads(result.stdout)["imported"]  # type: ignore[attr-defined]
    assert record["file"] == str((majors_twice / "official" / "majors2016.csv").resolve())


# -- imports while another process holds the warehouse -----------------------------------------
_HOLD = """
import sys, time
from pathlib import Path
path = Path(sys.argv[1])
if sys.argv[2] == "import-lock":
    from foedus.warehouse import Warehouse
    lock = Warehouse(path).writer_lock(); lock.__enter__()
else:
    import duckdb
    con = duckdb.connect(str(path), read_only=sys.argv[2] == "reader")
    con.execute("SELECT count(*) FROM _foedus_imports").fetchall()
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.fixture()
def holder(tmp_path: Path) -> Iterator[object]:
    """Start a process that holds the warehouse in a given way until the test ends."""
    procs: list[subprocess.Popen[str]] = []

    def start(path: Path, how: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(path), how],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.communicate(timeout=30)


def _small_warehouse(path: Path) -> None:
    with Warehouse(path) as wh:
        wh.import_file(shared_file("cow/majors2016.csv"), "cow-majors")


def test_a_second_import_is_refused_before_parsing(tmp_path: Path, holder: object) -> None:
    path = tmp_path / "w.duckdb"
    _small_warehouse(path)
    proc = holder(path, "import-lock")  # type: ignore[operator]
    parsed: list[Path] = []
    with pytest.raises(WarehouseBusyError, match=f"another import .*PID {proc.pid}"):
        Warehouse(path).import_dir(shared_file("cow/majors2016.csv").parent,
                                   on_file=lambda p, r: parsed.append(p))  # fmt: skip
    assert parsed == []  # refused before any file was parsed
    result = _cli("data", "import", "cow-majors", str(shared_file("cow/majors2016.csv")),
                  "-w", str(path))  # fmt: skip
    _clean_exit_2(result)
    assert f"PID {proc.pid}" in result.output  # type: ignore[attr-defined]


def test_a_duckdb_writer_holding_the_file_is_named(tmp_path: Path, holder: object) -> None:
    path = tmp_path / "w.duckdb"
    _small_warehouse(path)
    proc = holder(path, "writer")  # type: ignore[operator]
    result = _cli("data", "import", "cow-majors", str(shared_file("cow/majors2016.csv")),
                  "-w", str(path))  # fmt: skip
    _clean_exit_2(result)
    assert f"PID {proc.pid}" in result.output  # type: ignore[attr-defined]


def test_an_import_while_a_reader_serves_swaps_the_file(tmp_path: Path, holder: object) -> None:
    path = tmp_path / "w.duckdb"
    _small_warehouse(path)
    holder(path, "reader")  # type: ignore[operator]  # as `foedus serve` holds it
    reader = Warehouse(path, read_only=True)
    assert [r.table for r in reader.records()] == ["cow_majors"]
    with Warehouse(path) as wh:
        wh.import_file(shared_file("cow/states2016.csv"), "cow-states")
    assert reader.changed()
    assert [r.table for r in reader.records()] == ["cow_majors"]  # what it had read, whole
    assert reader.refresh()
    assert sorted(r.table for r in reader.records()) == ["cow_majors", "cow_system"]
    assert not list(tmp_path.glob(".*.writing*"))


# -- bad -o paths --------------------------------------------------------------------------------
def test_bad_output_paths_exit_2_without_partial_files(built_warehouse: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    for output, expected in ((folder, "folder"), (blocker / "x.csv", "is a file"),
                             (Path("/proc/foedus-x.csv"), "cannot write")):  # fmt: skip
        result = _cli("frame", "state-years", "--years", "2000", "-o", str(output),
                      "-w", str(built_warehouse))  # fmt: skip
        _clean_exit_2(result)
        assert expected in result.output, result.output  # type: ignore[attr-defined]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder.csv"]
    assert not list(folder.iterdir())
    for args in (["similarity", "--year", "1914"], ["structure"], ["network", "--year", "1914"]):
        result = _cli(*args, "-o", str(blocker / "x.csv"), "-w", str(built_warehouse))
        _clean_exit_2(result)


def test_frame_write_leaves_no_partial_on_failure(tmp_path: Path) -> None:
    import polars as pl

    from foedus.frames.frame import Frame

    frame = Frame(pl.DataFrame({"ccode": [2], "year": [2000]}), unit="state-year", system="cow")
    with pytest.raises(FoedusError, match="cannot write the output"):
        frame.write("/proc/foedus-test.parquet")
    assert not Path("/proc/foedus-test.parquet.partial").exists()


def test_brief_refuses_an_unknown_extension_before_any_work(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"  # no warehouse: the refusal must come first
    for args in (["brief", "alliance", "NATO"], ["brief", "dyad", "USA", "JPN"]):
        result = _cli(*args, "-o", str(tmp_path / "x.docx"), "-w", str(missing), "--json")
        _clean_exit_2(result)
        doc = json.loads(result.stdout)  # type: ignore[attr-defined]
        assert doc["error"] == "FoedusError" and "'.docx'" in doc["what"]
        assert ".html or .pdf" in doc["fix"]
    assert list(tmp_path.iterdir()) == []
    result = _cli("frame", "state-years", "-o", str(tmp_path / "x.xlsx"), "-w", str(missing))
    _clean_exit_2(result)
    assert "'.xlsx'" in result.output  # type: ignore[attr-defined]


# -- bad --warehouse paths -----------------------------------------------------------------------
def test_warehouse_that_is_a_folder_or_not_duckdb(tmp_path: Path) -> None:
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("these are not the droids\n" * 10)
    for path, expected in ((tmp_path, "folder"), (not_duckdb, "not a foedus warehouse")):
        for args in (["data", "status"], ["alliances", "--state", "JPN", "--year", "2010"],
                     ["data", "import", "cow-majors", str(shared_file("cow/majors2016.csv"))]):
            result = _cli(*args, "-w", str(path), "--json")
            _clean_exit_2(result)
            doc = json.loads(result.stdout)  # type: ignore[attr-defined]
            assert doc["error"] == "WarehouseError" and expected in doc["what"], (args, doc)
    assert not_duckdb.read_text().startswith("these are not")  # left untouched
