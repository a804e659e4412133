"""Alliance networks from ATOP directed dyad-year obligations: graphs, centralities, blocs.

The input is a directed dyad-year table of ATOP obligations (``ccode1, ccode2, year,
atop_defense … atop_consul``, 0/1): peacesciencer's ``atop_alliance`` (keys cast with
:func:`foedus.sources.normalize.cast_keys`) or :func:`foedus.frames.atop.derive_atop_dyad_years`.
``ccode1 -> ccode2`` carries ccode1's obligations towards ccode2.

* :func:`alliance_graph` — one year as a ``networkx.Graph`` (or ``DiGraph``), nodes are COW codes.
* :func:`centralities` — degree, weighted degree, betweenness, eigenvector centrality and
  clustering of one undirected graph, as a Polars frame.
* :func:`blocs` — a deterministic community partition (Louvain or greedy modularity).
* :func:`network_state_years` / :func:`network_years` — the same for every year, as a state-year
  and a year frame (with modularity and bloc polarisation).
* :func:`export_graph` — GraphML or GEXF, by file extension.

Definitions, formulas and citations are in ``docs/networks-structure.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
import polars as pl
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path
from scipy.sparse.linalg import eigsh

from foedus.errors import FoedusError
from foedus.frames.universe import YearsArg, parse_years

__all__ = [
    "OBLIGATIONS",
    "ORDINAL_SCALE",
    "alliance_graph",
    "blocs",
    "centralities",
    "export_graph",
    "network_state_years",
    "network_years",
]

#: ATOP's five obligations (short names; the table's columns are ``atop_<name>``).
OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")

#: ``weight="ordinal"``: ATOP obligations placed on the Correlates-of-War alliance hierarchy
#: (defence pact 3 > neutrality / non-aggression 2 > entente 1) that Maoz (2010) uses to value
#: alliance ties. Offence pacts are military-support promises and rank with defence; consultation
#: pacts rank with ententes. A tie's weight is the highest value among its obligations.
ORDINAL_SCALE: dict[str, int] = {"defense": 3, "offense": 3, "neutral": 2, "nonagg": 2, "consul": 1}

Weight = Literal["count", "binary", "ordinal"]
BlocMethod = Literal["louvain", "greedy_modularity"]

_STATE_YEAR_SCHEMA = {
    "ccode": pl.Int64,
    "year": pl.Int64,
    "degree": pl.Int64,
    "weighted_degree": pl.Float64,
    "betweenness": pl.Float64,
    "eigenvector": pl.Float64,
    "clustering": pl.Float64,
    "bloc": pl.Int64,
}
_YEAR_SCHEMA = {
    "year": pl.Int64,
    "nodes": pl.Int64,
    "edges": pl.Int64,
    "density": pl.Float64,
    "components": pl.Int64,
    "blocs": pl.Int64,
    "largest_bloc": pl.Int64,
    "modularity": pl.Float64,
    "polarisation": pl.Float64,
    "polarisation_cinc": pl.Float64,
}


# --------------------------------------------------------------------------------------------
# Edges and graphs
# --------------------------------------------------------------------------------------------


def _obligation_names(obligations: str | Sequence[str]) -> list[str]:
    """Short obligation names (``defense``) from short or column names (``atop_defense``)."""
    if isinstance(obligations, str):
        obligations = [obligations]
    names: list[str] = []
    for name in obligations:
        short = name.lower().removeprefix("atop_")
        if short not in OBLIGATIONS:
            raise FoedusError(
                f"unknown ATOP obligation '{name}'",
                where="alliance network",
                fix=f"choose among {', '.join(OBLIGATIONS)}",
            )
        if short not in names:
            names.append(short)
    if not names:
        raise FoedusError(
            "no obligation chosen", where="alliance network", fix="pass e.g. ('defense',)"
        )
    return names


def _edges(
    ddy: pl.DataFrame,
    obligations: str | Sequence[str],
    *,
    weight: Weight,
    directed: bool,
    mutual: bool,
    span: tuple[int, int] | None,
) -> tuple[pl.DataFrame, list[str]]:
    """``year, u, v, weight`` and one 0/1 column per obligation, one row per tie."""
    names = _obligation_names(obligations)
    columns = [f"atop_{n}" for n in names]
    missing = [c for c in ("ccode1", "ccode2", "year", *columns) if c not in ddy.columns]
    if missing:
        raise FoedusError(
            f"the dyad-year table lacks column(s) {', '.join(missing)}",
            where="alliance network",
            fix="pass ATOP directed dyad-years (peacesciencer atop_alliance or "
            "derive_atop_dyad_years)",
        )
    if weight not in ("count", "binary", "ordinal"):
        raise FoedusError(
            f"unknown weight '{weight}'",
            where="alliance network",
            fix="use 'count', 'binary' or 'ordinal'",
        )
    lf = (
        ddy.lazy()
        .select(
            pl.col("ccode1", "ccode2", "year").cast(pl.Int64),
            *[(pl.col(f"atop_{n}").fill_null(0) == 1).cast(pl.Int64).alias(n) for n in names],
        )
        .filter(pl.col("ccode1") != pl.col("ccode2"))
        .filter(pl.any_horizontal([pl.col(n) == 1 for n in names]))
    )
    if span is not None:
        lf = lf.filter(pl.col("year").is_between(*span))
    if directed:
        lf = lf.group_by("year", u="ccode1", v="ccode2").agg(pl.col(names).max())
    else:
        lf = lf.with_columns(
            u=pl.min_horizontal("ccode1", "ccode2"), v=pl.max_horizontal("ccode1", "ccode2")
        )
        if mutual:
            # A tie needs the obligation in both directions (a missing direction counts as 0).
            lf = lf.group_by("year", "u", "v").agg(
                pl.min_horizontal(
                    pl.col(n).filter(pl.col("ccode1") == pl.col("u")).max().fill_null(0),
                    pl.col(n).filter(pl.col("ccode1") == pl.col("v")).max().fill_null(0),
                ).alias(n)
                for n in names
            )
        else:
            lf = lf.group_by("year", "u", "v").agg(pl.col(names).max())
    if weight == "count":
        value = pl.sum_horizontal(names)
    elif weight == "binary":
        value = pl.max_horizontal(names)
    else:
        value = pl.max_horizontal([pl.col(n) * ORDINAL_SCALE[n] for n in names])
    edges = (
        lf.with_columns(weight=value.cast(pl.Int64))
        .filter(pl.col("weight") > 0)
        .select("year", "u", "v", "weight", *names)
        .sort("year", "u", "v")
        .collect()
    )
    return edges, names


def _graph(
    edges: pl.DataFrame,
    names: Sequence[str],
    nodes: Iterable[int],
    *,
    directed: bool,
    year: int,
    weight: str,
    mutual: bool,
) -> nx.Graph:
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    graph.graph.update(
        year=int(year), obligations=",".join(names), weight=weight, mutual=int(mutual)
    )
    everyone = set(int(n) for n in nodes)
    everyone.update(edges["u"].to_list())
    everyone.update(edges["v"].to_list())
    graph.add_nodes_from((n, {"ccode": n}) for n in sorted(everyone))
    graph.add_edges_from(
        (row[0], row[1], {"weight": row[2], **dict(zip(names, row[3:], strict=True))})
        for row in edges.select("u", "v", "weight", *names).iter_rows()
    )
    return graph


def alliance_graph(
    ddy_obligations: pl.DataFrame,
    year: int,
    *,
    obligations: str | Sequence[str] = OBLIGATIONS,
    weight: Weight = "count",
    directed: bool = False,
    mutual: bool = False,
    nodes: Iterable[int] | None = None,
) -> nx.Graph:
    """The ATOP alliance network of one year.

    Nodes are COW codes (``int``, attribute ``ccode``); by default only states with at least one
    tie among the chosen ``obligations`` are nodes, ``nodes`` adds others (e.g. every system
    member of the year) as isolates. Every edge carries ``weight`` and one 0/1 attribute per
    chosen obligation (``defense`` …).

    * Undirected (default): ``A — B`` when either state owes the other one of the obligations
      (``mutual=True``: only obligations both owe each other). Per obligation the two directions
      are combined first, then the weight is computed.
    * ``directed=True``: a ``DiGraph`` with ``A -> B`` when A owes B (ATOP's ``ccode1 -> ccode2``).

    ``weight``: ``"count"`` (default) the number of distinct chosen obligation types in the tie;
    ``"binary"`` 1; ``"ordinal"`` the highest value of :data:`ORDINAL_SCALE` (defence/offence 3,
    neutrality/non-aggression 2, consultation 1).

    Example:
        >>> import polars as pl
        >>> ddy = pl.DataFrame({"ccode1": [2, 20, 2], "ccode2": [20, 2, 200], "year": [1990] * 3,
        ...     "atop_defense": [1.0, 1.0, 0.0], "atop_offense": [0.0] * 3,
        ...     "atop_neutral": [0.0] * 3, "atop_nonagg": [1.0, 0.0, 0.0],
        ...     "atop_consul": [1.0, 1.0, 1.0]})
        >>> g = alliance_graph(ddy, 1990)
        >>> sorted(g.edges(data="weight"))
        [(2, 20, 3), (2, 200, 1)]
        >>> sorted(alliance_graph(ddy, 1990, obligations=("defense",), mutual=True).edges)
        [(2, 20)]
        >>> sorted(alliance_graph(ddy, 1990, directed=True, weight="ordinal").edges(data="weight"))
        [(2, 20, 3), (2, 200, 1), (20, 2, 3)]
    """
    year = int(year)
    edges, names = _edges(
        ddy_obligations,
        obligations,
        weight=weight,
        directed=directed,
        mutual=mutual,
        span=(year, year),
    )
    return _graph(
        edges, names, nodes or (), directed=directed, year=year, weight=weight, mutual=mutual
    )


# --------------------------------------------------------------------------------------------
# Node measures (every year's graph has at most ~200 nodes)
# --------------------------------------------------------------------------------------------


# The products below use SciPy's sparse kernels rather than dense BLAS: the matrices are small
# and sparse, and multithreaded BLAS on 200 x 200 matrices only costs time on a busy machine.


def _betweenness(adj: csr_matrix) -> np.ndarray:
    """Normalised shortest-path betweenness of an undirected binary graph (Brandes 2001).

    Brandes' two passes for all sources at once: path counts level by level from each source,
    then dependencies from the deepest level back. Equal to ``nx.betweenness_centrality``.
    """
    n = adj.shape[0]
    if n < 3:
        return np.zeros(n)
    dist = shortest_path(adj, unweighted=True, directed=False)
    level = np.where(np.isfinite(dist), dist, -1).astype(np.int64)
    depth = int(level.max())
    masks = [level == d for d in range(depth + 1)]
    sigma = masks[0].astype(float)
    # X @ A computed as (A @ X.T).T: A is symmetric, and sparse @ dense is a sparse kernel.
    for d in range(1, depth + 1):
        sigma += (adj @ (sigma * masks[d - 1]).T).T * masks[d]
    delta = np.zeros((n, n))
    for d in range(depth, 1, -1):
        coef = np.where(masks[d], (1.0 + delta) / np.where(masks[d], sigma, 1.0), 0.0)
        delta += (adj @ coef.T).T * sigma * masks[d - 1]
    return delta.sum(axis=0) / ((n - 1) * (n - 2))


def _clustering(adj: csr_matrix) -> np.ndarray:
    """Local clustering coefficient (Watts & Strogatz 1998) of an undirected binary graph."""
    degree = np.asarray(adj.sum(axis=1)).ravel()
    triangles = np.asarray((adj @ adj).multiply(adj).sum(axis=1)).ravel() / 2.0
    pairs = degree * (degree - 1) / 2.0
    return np.divide(triangles, pairs, out=np.zeros_like(triangles), where=pairs > 0)


def _perron(weights: csr_matrix) -> tuple[float, np.ndarray]:
    """Leading eigenvalue and nonnegative unit eigenvector of a connected component."""
    n = weights.shape[0]
    if n <= 3:
        values, vectors = np.linalg.eigh(weights.toarray())
        value, vector = float(values[-1]), vectors[:, -1]
    else:
        values, vectors = eigsh(weights, k=1, which="LA", v0=np.ones(n), tol=0.0)
        value, vector = float(values[0]), vectors[:, 0]
    vector = np.abs(vector)
    return value, vector / np.linalg.norm(vector)


def _eigenvector(weights: csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Eigenvector centrality, component by component (see ``docs/networks-structure.md``).

    Each connected component's Perron vector (unit Euclidean norm) is scaled by the component's
    leading eigenvalue over the largest leading eigenvalue of the graph. On a connected graph
    this is the usual eigenvector centrality (Bonacich 1972) as networkx normalises it; on a
    disconnected graph the component with the largest eigenvalue keeps those values and the
    other components, which the usual definition sets to 0, get proportionally smaller ones.
    """
    n = weights.shape[0]
    out = np.zeros(n)
    leading: list[tuple[np.ndarray, float, np.ndarray]] = []
    sizes = np.bincount(labels)
    for label in np.flatnonzero(sizes >= 2):
        index = np.flatnonzero(labels == label)
        value, vector = _perron(weights[index][:, index])
        leading.append((index, value, vector))
    top = max((value for _, value, _ in leading), default=0.0)
    for index, value, vector in leading:
        out[index] = vector * (value / top)
    return out


def _matrices(graph: nx.Graph) -> tuple[list[int], csr_matrix, csr_matrix]:
    """Node order, binary adjacency and weighted adjacency (sparse) of an undirected graph."""
    order = list(graph.nodes)
    weights = nx.to_scipy_sparse_array(graph, nodelist=order, weight="weight", format="csr")
    weights = csr_matrix(weights, dtype=float)
    binary = weights.copy()
    binary.data = (binary.data != 0).astype(float)
    binary.eliminate_zeros()
    return order, binary, weights


def _require_undirected(graph: nx.Graph, where: str) -> None:
    if graph.is_directed():
        raise FoedusError(
            "the measure is defined here for undirected alliance graphs",
            where=where,
            fix="build the graph with directed=False (optionally mutual=True)",
        )


def centralities(graph: nx.Graph) -> pl.DataFrame:
    """Node measures of an undirected alliance graph, one row per node (``ccode``).

    * ``degree``: number of allies; ``weighted_degree``: sum of tie weights (strength).
    * ``betweenness``: shortest-path betweenness on the binary graph (Freeman 1977; Brandes
      2001), normalised by ``(n-1)(n-2)/2`` as ``networkx.betweenness_centrality`` does.
    * ``eigenvector``: eigenvector centrality of the weighted graph (Bonacich 1972), computed per
      connected component and scaled by the component's leading eigenvalue relative to the
      graph's largest, so that disconnected graphs get a value for every node (isolates 0).
    * ``clustering``: local clustering coefficient of the binary graph (Watts & Strogatz 1998).

    Example:
        >>> import networkx as nx
        >>> centralities(nx.Graph([(2, 20), (20, 200), (200, 2)])).rows()  # doctest: +ELLIPSIS
        [(2, 2, 2.0, 0.0, 0.577..., 1.0), (20, 2, 2.0, 0.0, 0.577..., 1.0), (200, 2, ...)]
    """
    _require_undirected(graph, "centralities")
    if graph.number_of_nodes() == 0:
        return pl.DataFrame(
            schema={k: v for k, v in _STATE_YEAR_SCHEMA.items() if k not in ("year", "bloc")}
        )
    order, adj, weights = _matrices(graph)
    _, labels = connected_components(adj, directed=False)
    return pl.DataFrame(
        {
            "ccode": order,
            "degree": np.asarray(adj.sum(axis=1)).ravel().astype(np.int64),
            "weighted_degree": np.asarray(weights.sum(axis=1)).ravel(),
            "betweenness": _betweenness(adj),
            "eigenvector": _eigenvector(weights, labels),
            "clustering": _clustering(adj),
        },
        schema_overrides={"ccode": pl.Int64},
    )


# --------------------------------------------------------------------------------------------
# Blocs
# --------------------------------------------------------------------------------------------


def _communities(
    graph: nx.Graph, method: BlocMethod, seed: int, resolution: float
) -> list[set[int]]:
    if method not in ("louvain", "greedy_modularity"):
        raise FoedusError(
            f"unknown bloc method '{method}'",
            where="blocs",
            fix="use 'louvain' or 'greedy_modularity'",
        )
    if graph.number_of_edges() == 0:
        return [{n} for n in sorted(graph.nodes)]
    if method == "louvain":
        found = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed
        )
    else:
        found = nx.community.greedy_modularity_communities(
            graph, weight="weight", resolution=resolution
        )
    # Deterministic order: larger first, then by smallest member.
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def blocs(
    graph: nx.Graph,
    *,
    method: BlocMethod = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
) -> dict[int, int | None]:
    """Alliance blocs: a modularity-maximising partition of the graph, as ``{ccode: bloc}``.

    ``method``: ``"louvain"`` (Blondel et al. 2008; randomised, made deterministic by ``seed``)
    or ``"greedy_modularity"`` (Clauset, Newman & Moore 2004; deterministic). Both use the edge
    ``weight`` and the modularity ``resolution`` (1 = Newman's modularity). A bloc is a community
    of at least two states; blocs are numbered 1, 2, … by size (largest first, ties by smallest
    COW code). States in a community of their own (isolates) map to ``None``. Numbers are
    assigned afresh for each graph: bloc 1 of one year need not be bloc 1 of the next.

    Example:
        >>> import networkx as nx
        >>> g = nx.complete_graph([2, 20, 200])
        >>> g.add_edges_from(nx.complete_graph([365, 710]).edges)
        >>> g.add_node(900)
        >>> blocs(g)
        {2: 1, 20: 1, 200: 1, 365: 2, 710: 2, 900: None}
    """
    membership = _membership(_communities(graph, method, seed, resolution))
    return {n: membership[n] for n in graph.nodes}


def _membership(communities: Sequence[set[int]]) -> dict[int, int | None]:
    """Bloc numbers (1 = largest) from communities in :func:`_communities` order."""
    membership: dict[int, int | None] = {}
    number = 0
    for community in communities:
        if len(community) >= 2:
            number += 1
            membership.update({n: number for n in community})
        else:
            membership.update({n: None for n in community})
    return membership


def _modularity(graph: nx.Graph, communities: Sequence[set[int]], resolution: float) -> float:
    """Newman's weighted modularity ``Σ_c [W_c / m − γ (d_c / 2m)²]`` (as networkx computes it).

    ``m`` is the total edge weight, ``W_c`` the weight inside community ``c`` and ``d_c`` the
    summed weighted degree of its members; ``γ`` is the resolution.
    """
    order, _, weights = _matrices(graph)
    position = {n: i for i, n in enumerate(order)}
    degree = np.asarray(weights.sum(axis=1)).ravel()
    total = degree.sum() / 2.0
    quality = 0.0
    for community in communities:
        index = np.fromiter((position[n] for n in community), dtype=np.int64)
        inside = weights[index][:, index].sum() / 2.0
        quality += inside / total - resolution * (degree[index].sum() / (2.0 * total)) ** 2
    return float(quality)


def _reynal_querol(shares: Sequence[float]) -> float | None:
    """Reynal-Querol (2002) polarisation ``4 Σ π_j² (1 − π_j)`` of group shares summing to 1."""
    if not shares:
        return None
    return float(4.0 * sum(p * p * (1.0 - p) for p in shares))


# --------------------------------------------------------------------------------------------
# Yearly frames
# --------------------------------------------------------------------------------------------


def _universe(states: pl.DataFrame, span: tuple[int, int] | None) -> pl.DataFrame:
    """``year, ccode`` of the state-years that make up the networks' node sets."""
    missing = [c for c in ("ccode", "year") if c not in states.columns]
    if missing:
        raise FoedusError(
            f"the states frame lacks column(s) {', '.join(missing)}",
            where="alliance network",
            fix="pass a COW state-year frame (ccode, year)",
        )
    table = states.select(pl.col("year", "ccode").cast(pl.Int64)).unique()
    if span is not None:
        table = table.filter(pl.col("year").is_between(*span))
    return table


def _yearly_graphs(
    ddy: pl.DataFrame,
    years: YearsArg,
    obligations: str | Sequence[str],
    weight: Weight,
    mutual: bool,
    states: pl.DataFrame | None,
) -> Iterator[tuple[int, nx.Graph]]:
    """Every year's undirected graph: the table's years, or the ``states`` universe's years.

    With ``states`` the nodes of a year are exactly its listed states (isolates included) and
    ties to a state not listed that year are dropped.
    """
    span = parse_years(years)
    edges, names = _edges(ddy, obligations, weight=weight, directed=False, mutual=mutual, span=span)
    nodes: dict[int, list[int]] = {}
    if states is None:
        all_years = ddy.select(pl.col("year").cast(pl.Int64).unique())["year"]
        if span is not None:
            all_years = all_years.filter(all_years.is_between(*span))
        year_list = sorted(all_years.to_list())
    else:
        universe = _universe(states, span)
        edges = edges.join(universe, left_on=["year", "u"], right_on=["year", "ccode"], how="semi")
        edges = edges.join(universe, left_on=["year", "v"], right_on=["year", "ccode"], how="semi")
        grouped = universe.group_by("year").agg(pl.col("ccode").sort())
        nodes = dict(zip(grouped["year"].to_list(), grouped["ccode"].to_list(), strict=True))
        year_list = sorted(nodes)
    by_year = {int(key[0]): part for key, part in edges.partition_by("year", as_dict=True).items()}
    empty = edges.clear()
    for year in year_list:
        yield (
            year,
            _graph(
                by_year.get(year, empty),
                names,
                nodes.get(year, ()),
                directed=False,
                year=year,
                weight=weight,
                mutual=mutual,
            ),
        )


def _cinc_lookup(capabilities: pl.DataFrame | None) -> dict[tuple[int, int], float]:
    if capabilities is None:
        return {}
    missing = [c for c in ("ccode", "year", "cinc") if c not in capabilities.columns]
    if missing:
        raise FoedusError(
            f"the capabilities frame lacks column(s) {', '.join(missing)}",
            where="network_years",
            fix="pass NMC (ccode, year, cinc), e.g. peacesciencer's cow_nmc",
        )
    table = capabilities.select(
        pl.col("ccode", "year").cast(pl.Int64), pl.col("cinc").cast(pl.Float64)
    ).drop_nulls()
    return {(c, y): v for c, y, v in table.iter_rows()}


def _analyse(
    year: int,
    graph: nx.Graph,
    *,
    method: BlocMethod,
    seed: int,
    resolution: float,
    cinc: dict[tuple[int, int], float] | None,
    node_level: bool,
) -> tuple[pl.DataFrame | None, dict[str, object]]:
    communities = _communities(graph, method, seed, resolution)
    membership = _membership(communities)
    nodes = graph.number_of_nodes()
    edges = graph.number_of_edges()
    sizes = [len(c) for c in communities if len(c) >= 2]
    aligned = sum(sizes)
    cinc_shares: list[float] = []
    if cinc is not None:
        power = [
            sum(cinc.get((n, year), 0.0) for n in c if (n, year) in cinc)
            for c in communities
            if len(c) >= 2
        ]
        covered = sum(power)
        cinc_shares = [p / covered for p in power] if covered > 0 else []
    summary: dict[str, object] = {
        "year": year,
        "nodes": nodes,
        "edges": edges,
        "density": nx.density(graph) if nodes >= 2 else None,
        "components": nx.number_connected_components(graph) if nodes else 0,
        "blocs": len(sizes),
        "largest_bloc": max(sizes, default=0),
        "modularity": _modularity(graph, communities, resolution) if edges else None,
        "polarisation": _reynal_querol([s / aligned for s in sizes]) if aligned else None,
        "polarisation_cinc": _reynal_querol(cinc_shares) if cinc is not None else None,
    }
    if not node_level:
        return None, summary
    table = centralities(graph).with_columns(
        year=pl.lit(year, dtype=pl.Int64),
        bloc=pl.Series([membership[n] for n in graph.nodes], dtype=pl.Int64),
    )
    return table.select(list(_STATE_YEAR_SCHEMA)), summary


def network_state_years(
    ddy_obligations: pl.DataFrame,
    years: YearsArg = None,
    *,
    obligations: str | Sequence[str] = OBLIGATIONS,
    weight: Weight = "count",
    mutual: bool = False,
    method: BlocMethod = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
    states: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Network position of every state in every year's undirected alliance graph.

    One row per node and year: ``ccode, year, degree, weighted_degree, betweenness,
    eigenvector, clustering, bloc`` (see :func:`centralities` and :func:`blocs`; ``bloc`` is null
    for a state outside every bloc). Graphs are built as :func:`alliance_graph` builds them
    (``obligations``, ``weight``, ``mutual``). Without ``states`` the nodes of a year are the
    states with a tie and the years are the table's (ATOP 5.1: 1815–2018). With ``states`` (a
    state-year frame, e.g. the COW system) that frame is the universe: a year's nodes are exactly
    its listed states (isolates get degree 0), ties with a state not listed that year are dropped
    (ATOP codes some, e.g. governments in exile in 1942–44) and the years are the frame's.
    ``years``: a year, ``"1816-2018"``, ``(start, end)`` or ``range``; default all.

    Example:
        >>> import polars as pl
        >>> ddy = pl.DataFrame({"ccode1": [2, 20, 20, 200, 200, 2],
        ...     "ccode2": [20, 2, 200, 20, 2, 200], "year": [1950] * 6,
        ...     "atop_defense": [1.0] * 6, "atop_offense": [0.0] * 6,
        ...     "atop_neutral": [0.0] * 6, "atop_nonagg": [0.0] * 6, "atop_consul": [0.0] * 6})
        >>> out = network_state_years(ddy)
        >>> out.select("ccode", "degree", "betweenness", "clustering", "bloc").rows()
        [(2, 2, 0.0, 1.0, 1), (20, 2, 0.0, 1.0, 1), (200, 2, 0.0, 1.0, 1)]
    """
    parts = [
        _analyse(
            year,
            graph,
            method=method,
            seed=seed,
            resolution=resolution,
            cinc=None,
            node_level=True,
        )[0]
        for year, graph in _yearly_graphs(
            ddy_obligations, years, obligations, weight, mutual, states
        )
    ]
    frames = [p for p in parts if p is not None and p.height]
    if not frames:
        return pl.DataFrame(schema=_STATE_YEAR_SCHEMA)
    return pl.concat(frames).sort("year", "ccode")


def network_years(
    ddy_obligations: pl.DataFrame,
    years: YearsArg = None,
    *,
    obligations: str | Sequence[str] = OBLIGATIONS,
    weight: Weight = "count",
    mutual: bool = False,
    method: BlocMethod = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
    states: pl.DataFrame | None = None,
    capabilities: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Structure of every year's undirected alliance graph, one row per year.

    * ``nodes``, ``edges``; ``density`` (``2m / n(n-1)``, null below two nodes); ``components``
      (connected components, isolates included).
    * ``blocs``: number of blocs (:func:`blocs`, communities of ≥ 2 states); ``largest_bloc``:
      states in the largest.
    * ``modularity``: Newman's modularity (Newman 2006) of the bloc partition (weighted; null
      without edges) — how cleanly the network splits into blocs.
    * ``polarisation``: Reynal-Querol's index ``4 Σ π_j² (1 − π_j)`` (Reynal-Querol 2002; the
      Esteban & Ray 1994 measure with α = 1 and a 0/1 distance between blocs) over the blocs'
      shares ``π_j`` of the states in blocs: 0 with one bloc, 1 with two equal blocs (bipolarity),
      smaller again with many small blocs. Null without blocs.
    * ``polarisation_cinc``: the same index with each bloc's share of the blocs' summed CINC,
      when ``capabilities`` (``ccode, year, cinc``; e.g. NMC) is given, else null. A missing
      CINC is left out, never read as 0.

    Graphs, ``years`` and ``states`` as in :func:`network_state_years`.

    Example:
        >>> import polars as pl
        >>> pairs = [(2, 20), (20, 2), (365, 710), (710, 365)]
        >>> ddy = pl.DataFrame({"ccode1": [a for a, _ in pairs], "ccode2": [b for _, b in pairs],
        ...     "year": [1960] * 4, "atop_defense": [1.0] * 4, "atop_offense": [0.0] * 4,
        ...     "atop_neutral": [0.0] * 4, "atop_nonagg": [0.0] * 4, "atop_consul": [0.0] * 4})
        >>> out = network_years(ddy)
        >>> out.select("nodes", "edges", "components", "blocs", "polarisation").row(0)
        (4, 2, 2, 2, 1.0)
    """
    cinc = _cinc_lookup(capabilities) if capabilities is not None else None
    rows = [
        _analyse(
            year,
            graph,
            method=method,
            seed=seed,
            resolution=resolution,
            cinc=cinc,
            node_level=False,
        )[1]
        for year, graph in _yearly_graphs(
            ddy_obligations, years, obligations, weight, mutual, states
        )
    ]
    return (
        pl.DataFrame(rows, schema=_YEAR_SCHEMA, orient="row")
        if rows
        else pl.DataFrame(schema=_YEAR_SCHEMA)
    )


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def export_graph(graph: nx.Graph, path: str | Path) -> Path:
    """Write a graph as GraphML (``.graphml``) or GEXF (``.gexf``), chosen by the extension.

    Node ids become strings in both formats (read back with ``node_type=int``); the ``ccode``
    node attribute and the edge attributes keep their types. Returns the path written.

    Example:
        >>> import networkx as nx, tempfile, pathlib
        >>> g = nx.Graph([(2, 20, {"weight": 1})])
        >>> path = export_graph(g, pathlib.Path(tempfile.mkdtemp()) / "alliances.graphml")
        >>> sorted(nx.read_graphml(path, node_type=int).edges(data="weight"))
        [(2, 20, 1)]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(graph, path)
    elif suffix == ".gexf":
        nx.write_gexf(graph, path)
    else:
        raise FoedusError(
            f"cannot tell the graph format from the extension '{path.suffix}'",
            where=str(path),
            fix="end the file name in .graphml or .gexf",
        )
    return path
