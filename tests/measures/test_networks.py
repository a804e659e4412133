"""Alliance networks: hand-computed small graphs, agreement with networkx, real ATOP checks."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.frames.systems import create_state_years
from foedus.measures.networks import (
    OBLIGATIONS,
    alliance_graph,
    blocs,
    centralities,
    export_graph,
    network_state_years,
    network_years,
)
from foedus.sources.normalize import cast_keys
from tests.conftest import ps_table, shared_file

# NATO members in the 1980s (Spain from 1982).
NATO_1980S = [2, 20, 200, 210, 211, 212, 220, 235, 260, 325, 350, 385, 390, 395, 640]
# Warsaw Pact members: USSR, Poland, Hungary, Czechoslovakia, Romania, Bulgaria, East Germany.
WARSAW_PACT = [365, 290, 310, 315, 360, 355, 265]


def ddy(rows: list[tuple[int, int, int, dict[str, int]]]) -> pl.DataFrame:
    """A directed dyad-year obligations table from (ccode1, ccode2, year, {obligation: 1})."""
    return pl.DataFrame(
        {
            "ccode1": [r[0] for r in rows],
            "ccode2": [r[1] for r in rows],
            "year": [r[2] for r in rows],
            **{f"atop_{o}": [float(r[3].get(o, 0)) for r in rows] for o in OBLIGATIONS},
        }
    )


def both(a: int, b: int, year: int, **obligations: int) -> list[tuple[int, int, int, dict]]:
    return [(a, b, year, obligations), (b, a, year, obligations)]


@pytest.fixture(scope="module")
def atop() -> pl.DataFrame:
    return ps_table("atop_alliance")


# ---------------------------------------------------------------- graphs


def test_undirected_graph_weights_count_obligation_types() -> None:
    table = ddy(
        both(2, 20, 1990, defense=1, consul=1)
        + [(2, 200, 1990, {"nonagg": 1}), (200, 2, 1990, {})]
        + both(2, 20, 1991, defense=1)
    )
    graph = alliance_graph(table, 1990)
    assert not graph.is_directed()
    assert sorted(graph.edges(data="weight")) == [(2, 20, 2), (2, 200, 1)]
    assert graph.nodes[2] == {"ccode": 2}
    assert graph.edges[2, 20]["defense"] == 1 and graph.edges[2, 20]["nonagg"] == 0
    assert graph.graph["year"] == 1990
    assert sorted(alliance_graph(table, 1990, weight="binary").edges(data="weight")) == [
        (2, 20, 1),
        (2, 200, 1),
    ]
    # ordinal: defence 3 beats consultation 1; non-aggression 2.
    assert sorted(alliance_graph(table, 1990, weight="ordinal").edges(data="weight")) == [
        (2, 20, 3),
        (2, 200, 2),
    ]


def test_obligation_filter_mutual_and_directed() -> None:
    table = ddy([(2, 200, 1990, {"defense": 1}), (200, 2, 1990, {"consul": 1})])
    assert list(alliance_graph(table, 1990, obligations="defense").edges) == [(2, 200)]
    assert (
        alliance_graph(table, 1990, obligations=["atop_defense"], mutual=True).number_of_edges()
        == 0
    )
    assert alliance_graph(table, 1990, mutual=True).number_of_edges() == 0
    directed = alliance_graph(table, 1990, directed=True)
    assert directed.is_directed()
    assert sorted(directed.edges(data="defense")) == [(2, 200, 1), (200, 2, 0)]
    # Undirected "either direction": each obligation is combined first, then counted.
    assert alliance_graph(table, 1990).edges[2, 200]["weight"] == 2


def test_nodes_add_isolates_and_unknown_year_is_empty() -> None:
    table = ddy(both(2, 20, 1990, defense=1))
    graph = alliance_graph(table, 1990, nodes=[2, 20, 900])
    assert sorted(graph.nodes) == [2, 20, 900] and graph.degree[900] == 0
    assert alliance_graph(table, 1850).number_of_nodes() == 0


def test_bad_arguments_are_explained() -> None:
    table = ddy(both(2, 20, 1990, defense=1))
    with pytest.raises(FoedusError, match="unknown ATOP obligation"):
        alliance_graph(table, 1990, obligations=("entente",))
    with pytest.raises(FoedusError, match="unknown weight"):
        alliance_graph(table, 1990, weight="strength")  # type: ignore[arg-type]
    with pytest.raises(FoedusError, match="lacks column"):
        alliance_graph(table.drop("atop_consul"), 1990)
    with pytest.raises(FoedusError, match="undirected"):
        centralities(alliance_graph(table, 1990, directed=True))
    with pytest.raises(FoedusError, match="unknown bloc method"):
        blocs(alliance_graph(table, 1990), method="girvan")  # type: ignore[arg-type]


# ---------------------------------------------------------------- node measures


def test_triangle_centralities() -> None:
    out = centralities(
        nx.Graph([(2, 20, {"weight": 2}), (20, 200, {"weight": 2}), (200, 2, {"weight": 2})])
    )
    assert out["ccode"].to_list() == [2, 20, 200]
    assert out["degree"].to_list() == [2, 2, 2]
    assert out["weighted_degree"].to_list() == [4.0, 4.0, 4.0]
    assert out["betweenness"].to_list() == [0.0, 0.0, 0.0]
    assert out["clustering"].to_list() == [1.0, 1.0, 1.0]
    assert np.allclose(out["eigenvector"].to_numpy(), 1 / math.sqrt(3))


def test_star_and_path_centralities() -> None:
    star = centralities(nx.star_graph(4))  # centre 0, leaves 1-4
    assert star.filter(pl.col("ccode") == 0)["betweenness"].item() == 1.0
    assert star.filter(pl.col("ccode") == 1)["betweenness"].item() == 0.0
    assert star["clustering"].to_list() == [0.0] * 5
    path = centralities(nx.path_graph(3))  # 0 - 1 - 2: the middle lies on the one 0-2 path
    assert path["betweenness"].to_list() == [0.0, 1.0, 0.0]


@pytest.mark.parametrize("seed", range(12))
def test_node_measures_agree_with_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    graph = nx.gnp_random_graph(35, float(rng.uniform(0.05, 0.4)), seed=seed)
    for u, v in graph.edges:
        graph.edges[u, v]["weight"] = int(rng.integers(1, 4))
    out = centralities(graph)
    nodes = list(graph.nodes)
    between = nx.betweenness_centrality(graph)
    clustering = nx.clustering(graph)
    assert np.allclose(out["betweenness"].to_numpy(), [between[n] for n in nodes])
    assert np.allclose(out["clustering"].to_numpy(), [clustering[n] for n in nodes])
    strength = dict(graph.degree(weight="weight"))
    assert np.allclose(out["weighted_degree"].to_numpy(), [strength[n] for n in nodes])
    giant = max(nx.connected_components(graph), key=len)
    reference = nx.eigenvector_centrality_numpy(graph.subgraph(giant), weight="weight")
    got = dict(zip(out["ccode"], out["eigenvector"], strict=True))
    if nx.is_connected(graph):
        assert np.allclose([got[n] for n in nodes], [reference[n] for n in nodes])


def test_eigenvector_on_a_disconnected_graph() -> None:
    # A 4-clique (leading eigenvalue 3), a dyad (eigenvalue 1) and an isolate.
    graph = nx.complete_graph([2, 20, 200, 220])
    graph.add_edge(365, 710)
    graph.add_node(900)
    got = dict(centralities(graph).select("ccode", "eigenvector").iter_rows())
    # The clique keeps the usual (unit-norm) values, the dyad is scaled by 1/3, the isolate is 0.
    assert all(math.isclose(got[n], 0.5) for n in (2, 20, 200, 220))
    assert math.isclose(got[365], (1 / math.sqrt(2)) / 3)
    assert got[900] == 0.0
    whole = nx.eigenvector_centrality_numpy(nx.complete_graph([2, 20, 200, 220]))
    assert math.isclose(whole[2], got[2])


def test_empty_graph() -> None:
    assert centralities(nx.Graph()).height == 0
    out = centralities(nx.empty_graph([2, 20]))
    assert out["degree"].to_list() == [0, 0] and out["eigenvector"].to_list() == [0.0, 0.0]


# ---------------------------------------------------------------- blocs


@pytest.mark.parametrize("method", ["louvain", "greedy_modularity"])
def test_two_disjoint_cliques_are_two_blocs(method: str) -> None:
    graph = nx.complete_graph([2, 20, 200, 210])
    graph.add_edges_from(nx.complete_graph([365, 290, 310]).edges)
    membership = blocs(graph, method=method)  # type: ignore[arg-type]
    assert membership == {2: 1, 20: 1, 200: 1, 210: 1, 365: 2, 290: 2, 310: 2}
    assert len({b for b in membership.values()}) == 2


def test_louvain_is_deterministic_for_a_seed() -> None:
    graph = nx.connected_caveman_graph(6, 5)
    first = blocs(graph, seed=3)
    assert all(blocs(graph, seed=3) == first for _ in range(3))
    sizes = sorted(list(first.values()).count(b) for b in set(first.values()))
    assert sizes == [5] * 6


# ---------------------------------------------------------------- yearly frames


def test_network_state_years_with_isolates() -> None:
    # 2-999 in 1990: 999 is not a listed state, so the tie is dropped.
    table = ddy(
        both(2, 20, 1990, defense=1) + both(2, 999, 1990, defense=1) + both(2, 20, 1991, defense=1)
    )
    states = pl.DataFrame({"ccode": [2, 20, 900, 2, 20], "year": [1990, 1990, 1990, 1991, 1991]})
    out = network_state_years(table, states=states)
    assert out.columns == [
        "ccode", "year", "degree", "weighted_degree", "betweenness", "eigenvector",
        "clustering", "bloc",
    ]  # fmt: skip
    assert out.select("ccode", "year", "degree", "bloc").rows() == [
        (2, 1990, 1, 1),
        (20, 1990, 1, 1),
        (900, 1990, 0, None),
        (2, 1991, 1, 1),
        (20, 1991, 1, 1),
    ]
    assert network_state_years(table, 1991)["year"].unique().to_list() == [1991]
    assert 999 in network_state_years(table, 1990)["ccode"].to_list()


def test_network_years_structure() -> None:
    # 1960: two equal blocs (two triangles); 1961: one triangle; 1962: nothing but a consul tie.
    rows = []
    for a, b in [(2, 20), (20, 200), (2, 200), (365, 290), (290, 310), (365, 310)]:
        rows += both(a, b, 1960, defense=1)
    for a, b in [(2, 20), (20, 200), (2, 200)]:
        rows += both(a, b, 1961, defense=1)
    rows += both(2, 20, 1962, consul=1)
    out = network_years(ddy(rows), obligations="defense")
    y60, y61, y62 = out.rows(named=True)
    assert (y60["nodes"], y60["edges"], y60["components"], y60["blocs"]) == (6, 6, 2, 2)
    assert y60["density"] == pytest.approx(6 / 15)
    assert y60["polarisation"] == pytest.approx(1.0)
    assert y60["modularity"] == pytest.approx(0.5)
    assert y61["polarisation"] == 0.0 and y61["modularity"] == pytest.approx(0.0)
    assert y62["nodes"] == 0 and y62["modularity"] is None and y62["polarisation"] is None
    assert out["polarisation_cinc"].null_count() == 3


def test_modularity_matches_networkx() -> None:
    rng = np.random.default_rng(7)
    graph = nx.connected_caveman_graph(4, 6)
    rows = []
    for u, v in graph.edges:
        kinds = {o: int(rng.integers(0, 2)) for o in OBLIGATIONS}
        kinds["defense"] = 1
        rows += both(u + 1, v + 1, 1970, **kinds)
    table = ddy(rows)
    out = network_years(table)
    g = alliance_graph(table, 1970)
    membership = blocs(g)
    parts = [{n for n, b in membership.items() if b == k} for k in set(membership.values())]
    assert out["modularity"].item() == pytest.approx(nx.community.modularity(g, parts))


def test_capability_polarisation_ignores_missing_cinc() -> None:
    rows = both(2, 20, 1960, defense=1) + both(365, 290, 1960, defense=1)
    nmc = pl.DataFrame(
        {"ccode": [2, 20, 365, 290], "year": [1960] * 4, "cinc": [0.3, None, 0.2, 0.1]}
    )
    out = network_years(ddy(rows), capabilities=nmc)
    # Bloc shares 0.3 / 0.6 and 0.3 / 0.6: two equal blocs. Reading the null as 0 gives the same
    # here, so also check an unequal case.
    assert out["polarisation_cinc"].item() == pytest.approx(1.0)
    nmc2 = nmc.with_columns(
        pl.when(pl.col("ccode") == 290).then(None).otherwise(pl.col("cinc")).alias("cinc")
    )
    shares = [0.3 / 0.5, 0.2 / 0.5]
    expected = 4 * sum(p * p * (1 - p) for p in shares)
    assert network_years(ddy(rows), capabilities=nmc2)["polarisation_cinc"].item() == pytest.approx(
        expected
    )


# ---------------------------------------------------------------- export


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_export_round_trip(tmp_path: Path, suffix: str) -> None:
    table = ddy(both(2, 20, 1990, defense=1, consul=1) + both(2, 200, 1990, nonagg=1))
    graph = alliance_graph(table, 1990, nodes=[900])
    path = export_graph(graph, tmp_path / f"alliances{suffix.upper()}")
    reader = nx.read_graphml if suffix == ".graphml" else nx.read_gexf
    back = reader(path, node_type=int)
    assert sorted(back.nodes) == [2, 20, 200, 900]
    assert {n: back.nodes[n]["ccode"] for n in back.nodes} == {2: 2, 20: 20, 200: 200, 900: 900}
    assert sorted((u, v, int(w)) for u, v, w in back.edges(data="weight")) == [
        (2, 20, 2),
        (2, 200, 1),
    ]
    assert int(back.edges[2, 20]["defense"]) == 1 and int(back.edges[2, 200]["defense"]) == 0
    assert not back.is_directed()


def test_export_directed_and_bad_extension(tmp_path: Path) -> None:
    table = ddy([(2, 20, 1990, {"defense": 1})])
    graph = alliance_graph(table, 1990, directed=True)
    back = nx.read_graphml(export_graph(graph, tmp_path / "d.graphml"), node_type=int)
    assert back.is_directed() and list(back.edges) == [(2, 20)]
    with pytest.raises(FoedusError, match=r"\.graphml or \.gexf"):
        export_graph(graph, tmp_path / "d.csv")


# ---------------------------------------------------------------- real data


def test_nato_is_one_bloc_in_the_1980s_defence_network(atop: pl.DataFrame) -> None:
    for method in ("louvain", "greedy_modularity"):
        out = network_state_years(atop, "1980-1989", obligations=("defense",), method=method)  # type: ignore[arg-type]
        for year, part in out.partition_by("year", as_dict=True).items():
            members = [c for c in NATO_1980S if c != 230] + ([230] if year[0] >= 1982 else [])
            nato = part.filter(pl.col("ccode").is_in(members))
            assert nato.height == len(members), year
            assert nato["bloc"].n_unique() == 1 and nato["bloc"].null_count() == 0, year
            warsaw = part.filter(pl.col("ccode").is_in(WARSAW_PACT))
            assert warsaw["bloc"].n_unique() == 1, year
            assert warsaw["bloc"].item(0) != nato["bloc"].item(0), year


def test_real_network_years(atop: pl.DataFrame) -> None:
    cw = cast_keys(pl.read_parquet(shared_file("isard/cw_system.parquet")))
    members = create_state_years(cw, system="cow", years=(1816, 2018))
    out = network_years(atop, obligations="defense", states=members)
    # The COW system is the universe: its years, every member a node, nothing else.
    assert out["year"].to_list() == list(range(1816, 2019))
    sizes = members.group_by("year").len().rename({"len": "members"})
    joined = out.join(sizes, on="year")
    assert (joined["nodes"] == joined["members"]).all()
    # Without it, ATOP's own years and only states with a tie.
    own = network_years(atop, obligations="defense")
    assert own["year"].min() == 1815 and own["year"].max() == 2018
    assert (own.join(sizes, on="year")["nodes"] < own.join(sizes, on="year")["members"]).any()
    assert (out["density"].drop_nulls().is_between(0, 1)).all()
    assert out.filter(pl.col("year") == 1985)["blocs"].item() >= 2
    # The Cold War defence network is made of a few blocs: high modularity.
    assert out.filter(pl.col("year").is_between(1960, 1989))["modularity"].min() > 0.4


def test_real_state_years(atop: pl.DataFrame) -> None:
    out = network_state_years(atop)
    assert out.filter(pl.struct("ccode", "year").is_duplicated()).height == 0
    assert out["betweenness"].is_between(0, 1).all() and out["clustering"].is_between(0, 1).all()
    # 1985 defence network: the USA has the most allies (NATO, Rio, ANZUS, Japan, Korea…); the
    # USA and France (NATO and francophone Africa) are the two bridges with top betweenness.
    defence = network_state_years(atop, 1985, obligations="defense")
    assert defence.sort("degree", descending=True)["ccode"].item(0) == 2
    assert set(defence.sort("betweenness", descending=True)["ccode"].head(2)) == {2, 220}


def test_polarisation_of_k_equal_blocs() -> None:
    # Reynal-Querol: 4 (K - 1) / K² for K equal blocs (1 for two, 8/9 for three, 3/4 for four).
    for k in (2, 3, 4):
        rows = []
        for bloc in range(k):
            a, b, c = (100 * (bloc + 1) + i for i in range(3))
            rows += both(a, b, 1900, defense=1) + both(b, c, 1900, defense=1)
            rows += both(a, c, 1900, defense=1)
        out = network_years(ddy(rows))
        assert out["blocs"].item() == k
        assert out["polarisation"].item() == pytest.approx(4 * (k - 1) / k**2)
