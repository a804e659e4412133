"""The similarity, network and structure commands."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import polars as pl
from typer.testing import CliRunner

from foedus.cli import app

runner = CliRunner()


def test_similarity_matrix_command(built_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = runner.invoke(
        app,
        [
            "similarity",
            "--year",
            "1914",
            "--measure",
            "s_un_val_sq",
            "-o",
            str(out),
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    codes, matrix = doc["codes"], doc["matrix"]
    assert len(matrix) == len(codes) == 45  # COW members in 1914
    assert all(matrix[i][i] == 1.0 for i in range(len(codes)))  # identical portfolio
    assert all(matrix[i][j] == matrix[j][i] for i in range(45) for j in range(45))
    assert pl.read_csv(out).height == 45


def test_similarity_unknown_measure(built_warehouse: Path) -> None:
    result = runner.invoke(
        app,
        [
            "similarity",
            "--year",
            "1914",
            "--measure",
            "bogus",
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 2
    assert "bogus" in json.loads(result.stdout)["what"]


def test_network_command_exports_graph(built_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    result = runner.invoke(
        app,
        [
            "network",
            "--year",
            "1985",
            "--obligation",
            "defense",
            "-o",
            str(out),
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    graph = nx.read_graphml(out, node_type=int)
    assert graph.number_of_edges() == len(doc["edges"]) == doc["metrics"]["edges"] > 0
    assert graph.has_edge(2, 200)  # USA–UK, NATO


def test_structure_command(built_warehouse: Path) -> None:
    result = runner.invoke(
        app,
        [
            "structure",
            "--from",
            "1945",
            "--to",
            "1946",
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["year"] for r in rows] == [1945, 1946]
    assert rows[0]["leader"] == 2  # the USA leads the majors in 1945
    bad = runner.invoke(
        app, ["structure", "--from", "2000", "--to", "1990", "--warehouse", str(built_warehouse)]
    )
    assert bad.exit_code == 2
