"""Kept answers (``foedus._kept``): served again until the warehouse or the package changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from foedus import _kept


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    _kept._MEMO.clear()


def _counting() -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> dict[str, object]:
        calls.append(1)
        return {"n": len(calls), "pair": (1, 2)}

    return calls, build


def test_an_answer_is_kept_on_disk_and_read_back(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    wh.write_bytes(b"one")
    calls, build = _counting()
    first = _kept.kept_document(wh, "demo", {"x": 1}, build)  # type: ignore[arg-type]
    _kept._MEMO.clear()  # as a new process
    again = _kept.kept_document(wh, "demo", {"x": 1}, build)  # type: ignore[arg-type]
    assert first == again == {"n": 1, "pair": [1, 2]}
    assert calls == [1]
    assert len(list((tmp_path / "w.duckdb.cache" / "answers").glob("demo-*.json.gz"))) == 1
    # other options: another answer
    assert _kept.kept_document(wh, "demo", {"x": 2}, build)["n"] == 2  # type: ignore[arg-type]


def test_a_swapped_warehouse_recomputes(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    wh.write_bytes(b"one")
    calls, build = _counting()
    _kept.kept_document(wh, "demo", {}, build)  # type: ignore[arg-type]
    new = tmp_path / "new.duckdb"
    new.write_bytes(b"two, longer")
    os.replace(new, wh)  # what an import does
    _kept._MEMO.clear()
    assert _kept.kept_document(wh, "demo", {}, build)["n"] == 2  # type: ignore[arg-type]


def test_no_warehouse_file_keeps_nothing(tmp_path: Path) -> None:
    calls, build = _counting()
    _kept.kept_document(tmp_path / "none.duckdb", "demo", {}, build)  # type: ignore[arg-type]
    assert not (tmp_path / "none.duckdb.cache").exists()


def test_the_package_digest_follows_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("ignored")
    before = _kept.package_digest(tmp_path)
    (tmp_path / "curated.csv").write_text("a,b\n")
    assert _kept.package_digest(tmp_path) != before
    (tmp_path / "more.txt").write_text("still ignored")
    assert _kept.package_digest(tmp_path) == _kept.package_digest(tmp_path)
