"""`foedus arms shares|concentration`: one JSON document with --json, messages on stderr, FoedusError → exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from foedus.sources.instruments.sipri import ARMS_FILE
from foedus.warehouse import Warehouse
from tests.conftest import shared_file


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    from foedus.cli import app

    return app


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("arms") / "w.duckdb"
    with Warehouse(path) as wh:
        wh.import_file(shared_file(f"sipri_arms_transfers/{ARMS_FILE}"), "sipri-arms-transfers")
    return path


def run(app: typer.Typer, *args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_shares_json(app: typer.Typer, warehouse: Path) -> None:
    result = run(app, "arms", "shares", "--from", "2020", "--to", "2024", "--top", "5", "--json",
                 "-w", str(warehouse))  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["window"] == [2020, 2024] and doc["by"] == "supplier"
    assert doc["allocation"] == "even"
    assert doc["release"]["source"] == "sipri-arms-transfers"
    assert [r["supplier"] for r in doc["rows"]] == ["United States", "France", "Russia", "China",
                                                    "Germany"]  # fmt: skip
    assert abs(100 * doc["rows"][0]["share"] - 43.0) <= 1.0


def test_shares_table_by_recipient(app: typer.Typer, warehouse: Path) -> None:
    result = run(app, "arms", "shares", "--from", "2020", "--to", "2024", "--by", "recipient",
                 "--top", "3", "-w", str(warehouse))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Ukraine" in result.stdout and "Pakistan" not in result.stdout
    assert "world total" in result.stderr


def test_errors_exit_2_with_a_json_document(app: typer.Typer, warehouse: Path, tmp_path: Path) -> None:
    outside = run(app, "arms", "shares", "--from", "2030", "--to", "2034", "--json",
                  "-w", str(warehouse))  # fmt: skip
    assert outside.exit_code == 2
    assert json.loads(outside.stdout)["error"] == "InvalidYearsError"
    side = run(app, "arms", "shares", "--from", "2020", "--to", "2024", "--by", "buyer",
               "-w", str(warehouse))  # fmt: skip
    assert side.exit_code == 2 and "supplier or recipient" in side.stderr
    missing = run(app, "arms", "shares", "--from", "2020", "--to", "2024", "--json",
                  "-w", str(tmp_path / "none.duckdb"))  # fmt: skip
    assert missing.exit_code == 2
    assert json.loads(missing.stdout)["error"] == "MissingDataError"


def test_concentration(app: typer.Typer, warehouse: Path) -> None:
    result = run(app, "arms", "concentration", "India", "--window", "2015-2019",
                 "--window", "2020-2024", "--json", "-w", str(warehouse))  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["start"] for r in rows] == [2015, 2020]
    assert rows[1]["hhi_shift"] < 0
    bad = run(app, "arms", "concentration", "India", "--window", "2015", "-w", str(warehouse))
    assert bad.exit_code == 2
