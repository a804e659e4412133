"""One year of the alliance system as the CLI, the API and the dashboard show it: the alliance
network (nodes with names, ISO3 codes and blocs, edges with alliance names, the year's metrics),
the alliance-portfolio similarity matrix and the state-year profile frame.

These are the library functions behind ``foedus network``/``foedus similarity``, the API's
``/network``, ``/similarity``, ``/map`` and ``/states/{state}`` and the dashboard's pages; the API
only caches their answers. The expensive inputs they share (ATOP's directed dyad-year
obligations, the obligations after 2018, the COW members of a year, names and ISO3 codes) are
built once per warehouse by :class:`YearInputs`; pass one ``inputs`` to several calls to reuse them.

**The network's default ties are defence obligations.** A tie between two states means one of
them is bound to defend the other (ATOP ``defense``); offence, neutrality, non-aggression and
consultation pledges are filters (``obligations=``). With every obligation the 1975–1990 network
joins NATO and the Warsaw Pact into one bloc through the Helsinki Final Act's non-aggression
pledge (ATOP 3740 counts it as non-aggression and consultation), which is not what anyone means
by the Cold War's alliance blocs.

Years: ATOP 5.1 covers 1816–2018 in the COW system; later years use ATOP's alliances carried
forward with the curated changes (:func:`foedus.alliances.dyads.dyad_years_after_atop`,
``basis``); the similarity measures stop in 2018.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError
from foedus.frames.iso3 import ISO3_SUCCESSORS, iso3_codes, unique_iso3

__all__ = [
    "ATOP_FIRST",
    "ATOP_LAST",
    "DEFAULT_NETWORK_OBLIGATIONS",
    "ISO3_SUCCESSORS",
    "MAP_MEASURES",
    "NETWORK_COLUMNS",
    "NMC_COLUMNS",
    "YearInputs",
    "iso3_codes",
    "map_of_year",
    "measure_coverage",
    "network_of_year",
    "similarity_of_year",
    "state_year_frame",
    "unique_iso3",
]

T = TypeVar("T")

#: ATOP 5.1's years in the COW system (the alliance measures' coverage).
ATOP_FIRST, ATOP_LAST = 1816, 2018
#: The obligations that make a network tie unless others are asked for.
DEFAULT_NETWORK_OBLIGATIONS: tuple[str, ...] = ("defense",)
#: NMC columns, as the ``nmc`` enricher adds them.
NMC_COLUMNS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")
#: Network-position columns of a state.
NETWORK_COLUMNS = ("degree", "weighted_degree", "betweenness", "eigenvector", "clustering", "bloc")

#: Measures of a state in a year for maps: name → (short label, what it is with its unit and
#: source, warehouse table it comes from). Network measures are in the default (defence) network.
MAP_MEASURES: dict[str, tuple[str, str, str]] = {
    "cinc": ("CINC", "NMC composite index of national capability (share of the system's, 0–1)", "nmc"),
    "milex": ("Military expenditure (NMC)", "NMC military expenditure, thousands of current US$ "
              "(thousands of £ before 1914)", "nmc"),
    "sipri_milex": ("Military expenditure (SIPRI)", "SIPRI military expenditure, US$ millions at "
                    "constant 2022 prices", "sipri_milex"),
    "sipri_milex_gdp": ("Military expenditure, share of GDP (SIPRI)", "SIPRI military expenditure "
                        "as a share of GDP (0.02 = 2 %)", "sipri_milex"),
    "milper": ("Military personnel", "NMC military personnel (thousands)", "nmc"),
    "irst": ("Iron and steel production", "NMC iron and steel production (thousand tons)", "nmc"),
    "pec": ("Primary energy consumption", "NMC primary energy consumption (thousand coal-ton "
            "equivalents)", "nmc"),
    "tpop": ("Total population", "NMC total population (thousands)", "nmc"),
    "upop": ("Urban population", "NMC urban population (thousands)", "nmc"),
    "cowmaj": ("Major power", "COW major power (1) or not (0)", "cow_majors"),
    "degree": ("Defence partners", "number of states it has a defence obligation with "
               "(alliance network of defence obligations)", "atop"),
    "weighted_degree": ("Weighted degree", "summed tie weights (alliance network of defence "
                        "obligations)", "atop"),
    "betweenness": ("Betweenness", "betweenness centrality (alliance network of defence "
                    "obligations)", "atop"),
    "eigenvector": ("Eigenvector centrality", "eigenvector centrality (alliance network of "
                    "defence obligations)", "atop"),
    "clustering": ("Clustering", "local clustering coefficient (alliance network of defence "
                   "obligations)", "atop"),
    "bloc": ("Alliance bloc", "alliance bloc number (alliance network of defence obligations; "
             "empty for a state without a tie)", "atop"),
    "idealpoint": ("UN ideal point", "UN General Assembly ideal point (Bailey, Strezhnev and "
                   "Voeten)", "unga_ideal_points"),
}


def _this_year() -> int:
    return date.today().year


class YearInputs:
    """The inputs every year view needs, built once per warehouse on first use (thread-safe).

    Example:
        >>> inputs = YearInputs("warehouse.duckdb")  # doctest: +SKIP
        >>> inputs.names()[365]  # doctest: +SKIP
        ('RUS', 'Russia')
    """

    def __init__(self, warehouse: Any = None) -> None:
        from foedus.warehouse import Warehouse

        self.wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)
        self._values: dict[Any, Any] = {}
        self._lock = threading.RLock()

    def _get(self, key: Any, build: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._values:
                self._values[key] = build()
            return self._values[key]  # type: ignore[no-any-return]

    def alliance_data(self) -> Any:
        """The alliance registry's data (:func:`foedus.alliances.data.get_data`)."""
        from foedus.alliances.data import get_data

        return self._get("alliance_data", lambda: get_data(self.wh))

    def atop_ddy(self) -> pl.DataFrame:
        """ATOP's directed dyad-year obligations 1816–2018 (as the ``atop`` enricher reads them)."""
        from foedus.frames.universe import state_years

        return self._get("atop_ddy", lambda: state_years(
            "cow", years=ATOP_FIRST, warehouse=self.wh)._atop_obligations()[0])

    def after_atop(self) -> pl.DataFrame:
        """Directed dyad-year obligations 2019–this year (ATOP carried forward + curated facts)."""
        from foedus.alliances.dyads import dyad_years_after_atop

        return self._get("after_atop", lambda: dyad_years_after_atop(
            ATOP_LAST + 1, _this_year(), warehouse=self.alliance_data()))

    def obligations(self, year: int) -> tuple[pl.DataFrame, str]:
        """The directed dyad-year obligations of ``year`` and their basis (``atop`` or
        ``atop-carried-forward+curated``)."""
        if year <= ATOP_LAST:
            return self.atop_ddy(), "atop"
        return self.after_atop().filter(pl.col("year") == year), "atop-carried-forward+curated"

    def members(self, year: int) -> pl.DataFrame:
        """COW system members of ``year`` (``ccode, year``)."""
        from foedus.frames.systems import create_state_years

        return create_state_years(self.wh.table("cow_system"), system="cow",
                                  years=(year, year)).select("ccode", "year")

    def names(self, system: str = "cow") -> dict[int, tuple[str, str]]:
        """Code → (abbreviation, name) of the COW (or G-W) state list."""
        def build() -> dict[int, tuple[str, str]]:
            if system == "cow":
                table, cols = self.wh.table("cow_system").sort("start"), ("ccode", "cw_abb", "cw_name")
            else:
                table, cols = self.wh.table("gw_system").sort("start"), ("gwcode", "gw_abb", "gw_name")
            return {int(c): (str(a), str(n)) for c, a, n in table.select(cols).iter_rows()}

        return self._get(("names", system), build)

    def iso3(self, system: str = "cow") -> dict[int, str | None]:
        """Code → ISO3 of the present-day country (:func:`iso3_codes`)."""
        return self._get(("iso3", system), lambda: iso3_codes(
            {c: n for c, (_, n) in self.names(system).items()}))

    def sources(self, tables: Iterable[str]) -> list[dict[str, Any]]:
        """The active release of each table the warehouse holds (source, version, file)."""
        from pathlib import Path

        out = []
        for table in dict.fromkeys(tables):
            if self.wh.has(table):
                r = self.wh.active(table)
                out.append({"table": table, "source": r.source, "version": r.version,
                            "file": Path(r.path).name, "via": r.via})
        return out

    def curated_source(self) -> dict[str, Any]:
        """The curated alliance facts used after 2018."""
        return {"table": "curated", "source": "alliances-curated",
                "version": self.alliance_data().curated.version, "file": "curated.csv", "via": None}

    def coverage(self, measure: str) -> tuple[int, int] | None:
        """First and last year with a value of ``measure`` in the warehouse (alliance network
        measures: 1816 to this year); ``None`` when its source is not imported."""
        def build() -> tuple[int, int] | None:
            table = MAP_MEASURES[measure][2]
            if table == "atop":
                return (ATOP_FIRST, _this_year()) if self.wh.has(self.atop_table()) else None
            if not self.wh.has(table):
                return None
            df = self.wh.table(table)
            if "year" not in df.columns:  # spells (COW major powers)
                first = next((c for c in ("styear", "start_year") if c in df.columns), None)
                last = next((c for c in ("endyear", "end_year") if c in df.columns), None)
                if first is None or last is None:
                    return None
                return int(df[first].min()), int(df[last].max())  # type: ignore[arg-type]
            column = {"sipri_milex": "milex_const2022_usd_m",
                      "sipri_milex_gdp": "milex_share_gdp"}.get(measure, measure)
            if column not in df.columns:
                column = next((c for c in df.columns if c not in ("ccode", "year", "stateabb")), "year")
            years = df.filter(pl.col(column).is_not_null())["year"]
            return (int(years.min()), int(years.max())) if years.len() else None  # type: ignore[arg-type]

        return self._get(("coverage", measure), build)

    def atop_table(self) -> str:
        return "atop_ddy" if self.wh.has("atop_ddy") else "atop_member"


def _inputs(warehouse: Any, inputs: YearInputs | None) -> YearInputs:
    return inputs if inputs is not None else YearInputs(warehouse)


def _check_year(year: int) -> None:
    from foedus.frames.universe import parse_years

    parse_years(year)
    if year > _this_year():
        raise InvalidYearsError(f"year {year} is in the future",
                                fix=f"choose a year between {ATOP_FIRST} and {_this_year()}")


def _obligation_list(obligations: Sequence[str] | str | None) -> list[str]:
    from foedus.measures import networks

    chosen = [obligations] if isinstance(obligations, str) else list(obligations or ())
    names = networks._obligation_names(chosen or list(DEFAULT_NETWORK_OBLIGATIONS))
    return sorted(names, key=networks.OBLIGATIONS.index)


def _edge_alliances(data: Any, year: int, a: int, b: int, chosen: set[str]) -> list[dict[str, Any]]:
    """Alliances in force in ``year`` through which ``a`` or ``b`` owes the other one of ``chosen``."""
    found: dict[str, dict[str, Any]] = {}
    for target, partner in ((a, b), (b, a)):
        for spell, own in data.toward(target, year):
            if spell.member != partner or not (set(spell.obligations) & chosen):
                continue
            entry = found.setdefault(spell.key, {"alliance_id": spell.key, "atopid": spell.atopid,
                                                 "name": data.name(spell.key)})
            del own
            entry.setdefault("obligations", set()).update(set(spell.obligations) & chosen)
    rows = sorted(found.values(), key=lambda r: (r["atopid"] is None, r["atopid"] or 0, r["alliance_id"]))
    for r in rows:
        r["obligations"] = sorted(r["obligations"])
    return rows


def network_of_year(year: int, obligations: Sequence[str] | str | None = None, *,
                    warehouse: Any = None, inputs: YearInputs | None = None) -> dict[str, Any]:
    """The alliance network of ``year``: every COW member as a node (code, abbreviation, name,
    ISO3, bloc, degree, weighted degree, betweenness, eigenvector, clustering), the ties among
    them (``weight`` = number of chosen obligation types, a 0/1 flag per obligation and the
    ``alliances`` — with names — that make the tie), the year's metrics (density, components,
    blocs, modularity, polarisation) and a ``blocs`` legend (each bloc's size and its members by
    capability). ``obligations`` default to :data:`DEFAULT_NETWORK_OBLIGATIONS` (defence).

    Example:
        >>> net = network_of_year(1989, warehouse="warehouse.duckdb")  # doctest: +SKIP
        >>> bloc = {n["abbreviation"]: n["bloc"] for n in net["nodes"]}  # doctest: +SKIP
        >>> bloc["USA"] != bloc["RUS"]  # NATO and the Warsaw Pact  # doctest: +SKIP
        True
    """
    from foedus.measures import networks

    _check_year(year)
    chosen = _obligation_list(obligations)
    src = _inputs(warehouse, inputs)
    ddy, basis = src.obligations(year)
    states = src.members(year)
    opts: dict[str, Any] = {"obligations": chosen, "states": states}
    positions = networks.network_state_years(ddy, (year, year), **opts)
    caps = src.wh.table("nmc") if src.wh.has("nmc") else None
    metrics = networks.network_years(ddy, (year, year), capabilities=caps, **opts)
    members = [int(c) for c in states["ccode"].to_list()]
    graph = networks.alliance_graph(ddy, year, obligations=chosen, nodes=members)
    member_set = set(members)
    data = src.alliance_data()
    edges = []
    for u, v, attrs in graph.edges(data=True):
        if u in member_set and v in member_set:
            a, b = sorted((int(u), int(v)))
            edges.append({"source": a, "target": b, "weight": attrs.get("weight"),
                          **{o: int(attrs.get(o, 0) or 0) for o in chosen},
                          "alliances": _edge_alliances(data, year, a, b, set(chosen))})
    edges.sort(key=lambda e: (e["source"], e["target"]))
    names, iso = src.names(), src.iso3()
    cinc: dict[int, float] = {}
    if caps is not None:
        for c, value in caps.filter(pl.col("year") == year).select("ccode", "cinc").iter_rows():
            if value is not None:
                cinc[int(c)] = float(value)
    nodes = []
    for r in positions.iter_rows(named=True):
        c = int(r["ccode"])
        abb, name = names.get(c, (str(c), f"code {c}"))
        nodes.append({"ccode": c, "abbreviation": abb, "name": name, "iso3": iso.get(c),
                      **{k: r[k] for k in NETWORK_COLUMNS}})
    blocs: dict[int, list[dict[str, Any]]] = {}
    for n in nodes:
        if n["bloc"] is not None:
            blocs.setdefault(int(n["bloc"]), []).append(n)
    legend = []
    for bloc, members_ in sorted(blocs.items()):
        ranked = sorted(members_, key=lambda n: (-cinc.get(n["ccode"], -1.0), n["ccode"]))
        legend.append({"bloc": bloc, "size": len(members_),
                       "leading": [n["abbreviation"] for n in ranked[:3]],
                       "label": " · ".join(n["name"] for n in ranked[:2])
                       + (f" +{len(members_) - 2}" if len(members_) > 2 else "")})
    sources = src.sources([src.atop_table(), "cow_system", "nmc"])
    if basis != "atop":
        sources.append(src.curated_source())
    from foedus import __version__

    notes = []
    if chosen == list(DEFAULT_NETWORK_OBLIGATIONS):
        notes.append("ties are defence obligations (ATOP defense); add offence, neutrality, "
                     "non-aggression or consultation pledges with the obligation filter")
    if basis != "atop":
        notes.append(f"after {ATOP_LAST}: ATOP alliances carried forward with the curated changes")
    rows = metrics.to_dicts()
    return {"year": year, "obligations": chosen, "basis": basis,
            "metrics": rows[0] if rows else None, "nodes": nodes, "edges": edges,
            "blocs": legend, "notes": notes,
            "provenance": {"foedus_version": __version__, "sources": sources}}


def similarity_of_year(year: int, measure: str = "s_un_val_sq", *, warehouse: Any = None,
                       inputs: YearInputs | None = None,
                       coding: str = "cow-types") -> dict[str, Any]:
    """Alliance-portfolio similarity of every pair of COW members in ``year`` (1816–2018): codes,
    abbreviations, names and the N×N matrix (``None`` where undefined), with provenance.
    ``coding``: ``"cow-types"`` (default) or ``"fpsim"`` (``docs/similarity.md``).

    Example:
        >>> len(similarity_of_year(1914, warehouse="warehouse.duckdb")["codes"])  # doctest: +SKIP
        45
    """
    from foedus import __version__
    from foedus.measures import similarity

    similarity._check_measures(measure)
    similarity._resolve_coding(coding, None, "outgoing")  # a bad name fails before any work
    if not ATOP_FIRST <= year <= ATOP_LAST:
        raise InvalidYearsError(
            f"year {year} is outside the alliance-portfolio similarity's years",
            fix=f"choose a year between {ATOP_FIRST} and {ATOP_LAST} (ATOP 5.1)")
    src = _inputs(warehouse, inputs)
    caps = src.wh.table("nmc") if measure in similarity.WEIGHTED_MEASURES else None
    codes, matrix = similarity.similarity_matrix(src.atop_ddy(), src.members(year), year,
                                                 measure=measure, capabilities=caps,
                                                 coding=coding)  # type: ignore[arg-type]
    values = [[None if x != x else float(x) for x in row] for row in matrix.tolist()]
    ints = [int(c) for c in codes]
    names = src.names()
    tables = [src.atop_table(), "cow_system"] + (["nmc"] if caps is not None else [])
    return {"year": year, "measure": measure, "coding": coding, "codes": ints,
            "abbreviations": [names.get(c, (str(c), ""))[0] for c in ints],
            "names": [names.get(c, ("", f"code {c}"))[1] for c in ints],
            "matrix": values,
            "provenance": {"foedus_version": __version__, "sources": src.sources(tables)}}


def state_year_frame(year: int, *, warehouse: Any = None, inputs: YearInputs | None = None,
                     network: dict[str, Any] | None = None) -> tuple[pl.DataFrame, dict[str, Any]]:
    """COW state-years of ``year`` with NMC capabilities, COW major-power status, UN ideal points
    (whatever of those is imported) and each state's position in the year's default (defence)
    alliance network (:func:`network_of_year`; pass ``network`` to reuse one), with provenance.

    Example:
        >>> df, prov = state_year_frame(2010, warehouse="warehouse.duckdb")  # doctest: +SKIP
        >>> df.height  # doctest: +SKIP
        194
    """
    from foedus import __version__
    from foedus.frames.universe import state_years

    _check_year(year)
    src = _inputs(warehouse, inputs)
    frame = state_years("cow", years=year, warehouse=src.wh)
    names = [n for n, t in (("nmc", "nmc"), ("majors", "cow_majors"), ("milex", "sipri_milex"),
                            ("idealpoints", "unga_ideal_points")) if src.wh.has(t)]
    frame = frame.enrich(names)
    df = frame.df
    prov: dict[str, Any] = {"foedus_version": __version__,
                            "sources": [dict(u.__dict__) for u in frame.used]}
    if src.wh.has("atop_ddy") or src.wh.has("atop_member"):
        net = network if network is not None else network_of_year(year, inputs=src)
        positions = pl.DataFrame(
            [{"ccode": n["ccode"], **{k: n[k] for k in NETWORK_COLUMNS}} for n in net["nodes"]],
            schema={"ccode": pl.Int64, "degree": pl.Int64, "weighted_degree": pl.Float64,
                    "betweenness": pl.Float64, "eigenvector": pl.Float64,
                    "clustering": pl.Float64, "bloc": pl.Int64})
        df = df.join(positions, on="ccode", how="left", maintain_order="left")
        prov["sources"].extend(s | {"purpose": "alliance network (defence obligations)"}
                               for s in net["provenance"]["sources"])
    for column in (*NMC_COLUMNS, "sipri_milex", "sipri_milex_gdp", "cowmaj", "idealpoint",
                   *NETWORK_COLUMNS):
        if column not in df.columns:
            dtype = pl.Int64 if column in ("cowmaj", "degree", "bloc") else pl.Float64
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(column))
    return df, prov


def measure_coverage(measure: str, *, warehouse: Any = None,
                     inputs: YearInputs | None = None) -> tuple[int, int] | None:
    """First and last year the warehouse has a value of a map measure (:data:`MAP_MEASURES`).

    Example:
        >>> measure_coverage("cinc", warehouse="warehouse.duckdb")  # doctest: +SKIP
        (1816, 2016)
    """
    if measure not in MAP_MEASURES:
        raise FoedusError(f"unknown map measure '{measure[:40]}'",
                          fix="use one of: " + ", ".join(MAP_MEASURES))
    return _inputs(warehouse, inputs).coverage(measure)


def map_of_year(measure: str, year: int, *, warehouse: Any = None,
                inputs: YearInputs | None = None,
                frame: tuple[pl.DataFrame, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One value of ``measure`` per COW member in ``year`` for a choropleth: code, abbreviation,
    name, ISO3 (present-day country; null where none or shared), value; with the measure's
    label, description (unit, source), coverage and — for a year outside it — a note saying so.
    ``frame``: a :func:`state_year_frame` of the year to reuse.

    Example:
        >>> doc = map_of_year("cinc", 2023, warehouse="warehouse.duckdb")  # doctest: +SKIP
        >>> doc["missing"] == doc["count"], doc["note"]  # doctest: +SKIP
        (True, 'NMC … covers 1816–2016: no value for 2023')
    """
    coverage = measure_coverage(measure, warehouse=warehouse, inputs=inputs)
    src = _inputs(warehouse, inputs)
    _check_year(year)
    df, prov = frame if frame is not None else state_year_frame(year, inputs=src)
    codes = [int(c) for c in df["ccode"].to_list()]
    iso = unique_iso3(codes, src.iso3())
    names = src.names()
    rows = []
    for c, i, v in zip(codes, iso, df[measure].to_list(), strict=True):
        abb, name = names.get(c, (str(c), f"code {c}"))
        if isinstance(v, float) and v != v:
            v = None
        rows.append({"ccode": c, "abbreviation": abb, "name": name, "iso3": i, "value": v})
    present = [r["value"] for r in rows if r["value"] is not None]
    label, description, _ = MAP_MEASURES[measure]
    note = None
    if coverage is None:
        note = f"{label}: its source is not imported into this warehouse"
    elif not coverage[0] <= year <= coverage[1]:
        note = (f"{label}: the data cover {coverage[0]}–{coverage[1]}, so there is no value for "
                f"{year} (every state is grey); choose a year from {coverage[0]} to {coverage[1]}")
    return {"measure": measure, "label": label, "description": description, "year": year,
            "coverage": list(coverage) if coverage else None, "note": note,
            "count": len(rows), "missing": len(rows) - len(present),
            "min": min(present) if present else None, "max": max(present) if present else None,
            "values": rows, "provenance": prov}
