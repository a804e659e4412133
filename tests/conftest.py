"""Shared fixtures: the real datasets in ../shared/data, read in place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from foedus.sources.normalize import cast_keys

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FOEDUS_SHARED", REPO.parent / "shared"))
DATA = SHARED / "data"
REFERENCE = SHARED / "reference"


def _require(path: Path) -> Path:
    """Under CI a missing data file is a failure, elsewhere a skip."""
    if not path.exists():
        message = f"real data file not found: {path} (set FOEDUS_SHARED to the shared/ folder)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return _require(DATA)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return _require(REFERENCE / "peacesciencer")


def shared_file(relative: str) -> Path:
    """Path of a file under ../shared/data, failing (CI) or skipping (dev) when absent."""
    return _require(DATA / relative)


def ps_table(name: str) -> pl.DataFrame:
    """One of the peer's bundled tables (``../shared/data/peacesciencer/NAME.parquet``), keys as Int64."""
    return cast_keys(pl.read_parquet(shared_file(f"peacesciencer/{name}.parquet")))


def reference(name: str) -> pl.DataFrame:
    """One of the peer's reference outputs (years divisible by 5)."""
    return pl.read_parquet(_require(REFERENCE / "peacesciencer" / f"{name}.years_div5.parquet"))


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A warehouse built once per session from every recognised file under ../shared/data."""
    from foedus.warehouse import Warehouse

    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    with Warehouse(path) as wh:
        wh.import_dir(data_dir)
    return path


def cli_leaves(names: set[str] | None = None) -> list[tuple[str, Any]]:
    """Every leaf command of ``foedus`` (``"alliance show"`` …) with its click command, loading
    the lazily registered groups; ``names`` keeps only those top-level commands."""
    from foedus.cli import all_commands

    found: list[tuple[str, Any]] = []

    def walk(prefix: str, cmd: Any) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, cmd))

    for name, cmd in all_commands().items():
        if names is None or name in names:
            walk(name, cmd)
    return found
