"""Fixtures for the alliance tests: the session warehouse built from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from foedus.alliances.data import AllianceData, get_data


@pytest.fixture(scope="session")
def wh_path(built_warehouse: Path) -> Path:
    """The session warehouse (every file under ../shared/data imported)."""
    return built_warehouse


@pytest.fixture(scope="session")
def data(wh_path: Path) -> AllianceData:
    """Alliance data from the session warehouse with the packaged curated file."""
    return get_data(wh_path)
