"""The command line: --json gives one JSON document on stdout, errors are clear, files are written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from foedus.cli import app
from tests.conftest import shared_file

runner = CliRunner()


def _leaf_commands() -> list[tuple[str, Any]]:
    from tests.conftest import cli_leaves

    found = cli_leaves()
    assert len(found) > 30  # every registered command was loaded and walked
    return found


def test_every_command_takes_json() -> None:
    for name, cmd in _leaf_commands():
        assert any("--json" in p.opts for p in cmd.params), f"`foedus {name}` lacks --json"


def test_frame_json_and_output(built_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "sy.parquet"
    result = runner.invoke(
        app,
        [
            "frame",
            "state-years",
            "--system",
            "cow",
            "--years",
            "2000-2001",
            "--with",
            "nmc,majors",
            "-o",
            str(out),
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["rows"] == pl.read_parquet(out).height > 300
    assert doc["years"] == [2000, 2001]
    assert {s["source"] for s in doc["sources"]} == {"cow-states", "nmc", "cow-majors"}


@pytest.mark.parametrize("suffix", [".csv", ".dta"])
def test_frame_writes_csv_and_stata(built_warehouse: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ddy{suffix}"
    result = runner.invoke(
        app,
        [
            "frame",
            "dyad-years",
            "--non-directed",
            "--years",
            "1816",
            "--with",
            "contiguity",
            "-o",
            str(out),
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        back = pl.read_csv(out)
    else:
        import pandas as pd

        back = pl.from_pandas(pd.read_stata(out))
    assert back.columns == ["ccode1", "ccode2", "year", "conttype"]
    assert back.height > 100


def test_unknown_with_lists_valid_names(built_warehouse: Path) -> None:
    result = runner.invoke(
        app,
        [
            "frame",
            "dyad-years",
            "--with",
            "atop,bogus",
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert "bogus" in doc["what"]
    for name in ("atop", "nmc", "majors", "contiguity", "cow-mids", "gml-mids", "peace-years"):
        assert name in doc["fix"]


def test_impossible_years_are_rejected(built_warehouse: Path) -> None:
    result = runner.invoke(
        app, ["frame", "state-years", "--years", "2020-1990", "--warehouse", str(built_warehouse)]
    )
    assert result.exit_code == 2
    assert "ends before it starts" in result.stderr


def test_status_json(built_warehouse: Path) -> None:
    result = runner.invoke(app, ["data", "status", "--json", "--warehouse", str(built_warehouse)])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert any(r["table"] == "atop_member" and r["in_use"] for r in doc["releases"])


def test_import_single_file_json(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    result = runner.invoke(
        app,
        [
            "data",
            "import",
            "atop",
            str(shared_file("atop/atop5_1m.csv")),
            "--json",
            "--warehouse",
            str(wh),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["imported"][0]["table"] == "atop_member"
    assert doc["imported"][0]["checksum_matches_official"] is True


def test_fetch_offline_fails_at_once_with_import_advice(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "data",
            "fetch",
            "atop",
            "--timeout",
            "2",
            "--dest",
            str(tmp_path),
            "--json",
            "--warehouse",
            str(tmp_path / "w.duckdb"),
        ],
    )
    if result.exit_code == 0:  # pragma: no cover — only on a machine that is online
        pytest.skip("this machine reached the publisher")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert "foedus data import atop" in doc["fix"]


def test_cite_prints_bibtex(built_warehouse: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["cite", "atop", "nmc"])
    assert result.exit_code == 0
    assert "@Article{leeds2002atop" in result.stdout and "singer1972nmc" in result.stdout
    out = tmp_path / "ddy.parquet"
    runner.invoke(
        app,
        [
            "frame",
            "dyad-years",
            "--years",
            "2000",
            "--with",
            "atop",
            "-o",
            str(out),
            "--warehouse",
            str(built_warehouse),
        ],
    )
    cited = runner.invoke(app, ["cite", "--frame", str(out), "--json"])
    doc = json.loads(cited.stdout)
    assert "leeds2002atop" in doc["keys"] and "cow2017states" in doc["keys"]


def test_unknown_source_is_named() -> None:
    result = runner.invoke(app, ["cite", "cow-alliances"])
    assert result.exit_code == 2
    assert "unknown source 'cow-alliances'" in result.stderr


def test_whittle_order_is_an_option(built_warehouse: Path) -> None:
    base = [
        "frame",
        "dyad-years",
        "--years",
        "1914-1918",
        "--with",
        "gml-mids",
        "--json",
        "--warehouse",
        str(built_warehouse),
    ]
    default = runner.invoke(app, base)
    assert default.exit_code == 0, default.output
    custom = runner.invoke(app, [*base, "--whittle", "stmon,first"])
    assert custom.exit_code == 0, custom.output
    assert json.loads(custom.stdout)["rows"] == json.loads(default.stdout)["rows"]
    bad = runner.invoke(app, [*base, "--whittle", "bogus"])
    assert bad.exit_code == 2
    assert "onsets" in json.loads(bad.stdout)["fix"]


# A Typer app the lazy-registry test loads by "module:attribute", as the registry does.
_lazy_demo = typer.Typer()


@_lazy_demo.command()
def _lazy_hello(name: str) -> None:
    print(f"hello {name}")


def test_lazy_registry_loads_command_on_use(monkeypatch):
    from foedus.cli import _registry

    entry = _registry.LazyCommand("lazy-hello", f"{__name__}:_lazy_demo", "Say hello.")
    monkeypatch.setattr(_registry, "LAZY_COMMANDS", [*_registry.LAZY_COMMANDS, entry])
    listed = runner.invoke(app, ["--help"])
    assert "lazy-hello" in listed.output
    result = runner.invoke(app, ["lazy-hello", "world"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "hello world"
