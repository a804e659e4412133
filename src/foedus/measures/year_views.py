"""One year of the alliance system as the CLI, the API and the dashboard show it: the alliance
network (nodes with names, ISO3 codes and blocs, edges with alliance names, the year's metrics),
the alliance-portfolio similarity matrix, the state-year profile frame, and ATOP's obligations
carried past 2018.

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

import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError

__all__ = [
    "ATOP_FIRST",
    "ATOP_LAST",
    "DEFAULT_NETWORK_OBLIGATIONS",
    "ISO3_SUCCESSORS",
    "NETWORK_COLUMNS",
    "NMC_COLUMNS",
    "YearInputs",
    "extend_atop",
    "iso3_codes",
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
#: COW states whose name country_converter does not match to exactly one present-day country,
#: mapped to the present-day country that carries the state's COW code on (for drawing maps).
ISO3_SUCCESSORS: dict[int, str] = {260: "DEU", 300: "AUT", 345: "SRB"}


def _this_year() -> int:
    return date.today().year


def iso3_codes(names: dict[int, str]) -> dict[int, str | None]:
    """ISO 3166-1 alpha-3 codes of present-day countries for state names (COW or G-W), by
    country_converter's regular expressions; a name matching none or several countries gets
    :data:`ISO3_SUCCESSORS`' code or ``None``.

    Example:
        >>> iso3_codes({740: "Japan", 267: "Baden", 260: "German Federal Republic"})
        {740: 'JPN', 267: None, 260: 'DEU'}
    """
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    codes = list(names)
    found = coco.CountryConverter().convert([names[c] for c in codes], to="ISO3", not_found=None)
    if isinstance(found, str):
        found = [found]
    out: dict[int, str | None] = {}
    for code, value in zip(codes, found, strict=True):
        ok = isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value) is not None
        out[code] = value if ok else ISO3_SUCCESSORS.get(code)
    return out


def unique_iso3(codes: Sequence[int], iso3: dict[int, str | None]) -> list[str | None]:
    """ISO3 per code, kept only for the lowest code when several codes share one (a map has one
    shape per ISO3: North and South Yemen 1967–1990 both match YEM).

    Example:
        >>> unique_iso3([680, 678, 2], {678: "YEM", 680: "YEM", 2: "USA"})
        [None, 'YEM', 'USA']
    """
    owner: dict[str, int] = {}
    for c in sorted(codes):
        value = iso3.get(c)
        if value is not None and value not in owner:
            owner[value] = c
    return [iso3.get(c) if iso3.get(c) is not None and owner[iso3[c]] == c else None  # type: ignore[index]
            for c in codes]


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
        import foedus

        return self._get("atop_ddy", lambda: foedus.state_years(
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
    import foedus

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
            "provenance": {"foedus_version": foedus.__version__, "sources": sources}}


def similarity_of_year(year: int, measure: str = "s_un_val_sq", *, warehouse: Any = None,
                       inputs: YearInputs | None = None) -> dict[str, Any]:
    """Alliance-portfolio similarity of every pair of COW members in ``year`` (1816–2018): codes,
    abbreviations, names and the N×N matrix (``None`` where undefined), with provenance.

    Example:
        >>> len(similarity_of_year(1914, warehouse="warehouse.duckdb")["codes"])  # doctest: +SKIP
        45
    """
    import foedus
    from foedus.measures import similarity

    similarity._check_measures(measure)
    if not ATOP_FIRST <= year <= ATOP_LAST:
        raise InvalidYearsError(
            f"year {year} is outside the alliance-portfolio similarity's years",
            fix=f"choose a year between {ATOP_FIRST} and {ATOP_LAST} (ATOP 5.1)")
    src = _inputs(warehouse, inputs)
    caps = src.wh.table("nmc") if measure in similarity.WEIGHTED_MEASURES else None
    codes, matrix = similarity.similarity_matrix(src.atop_ddy(), src.members(year), year,
                                                 measure=measure, capabilities=caps)
    values = [[None if x != x else float(x) for x in row] for row in matrix.tolist()]
    ints = [int(c) for c in codes]
    names = src.names()
    tables = [src.atop_table(), "cow_system"] + (["nmc"] if caps is not None else [])
    return {"year": year, "measure": measure, "codes": ints,
            "abbreviations": [names.get(c, (str(c), ""))[0] for c in ints],
            "names": [names.get(c, ("", f"code {c}"))[1] for c in ints],
            "matrix": values,
            "provenance": {"foedus_version": foedus.__version__, "sources": src.sources(tables)}}


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
    import foedus

    _check_year(year)
    src = _inputs(warehouse, inputs)
    frame = foedus.state_years("cow", years=year, warehouse=src.wh)
    names = [n for n, t in (("nmc", "nmc"), ("majors", "cow_majors"),
                            ("idealpoints", "unga_ideal_points")) if src.wh.has(t)]
    frame = frame.enrich(names)
    df = frame.df
    prov = {"foedus_version": foedus.__version__, "sources": [dict(u.__dict__) for u in frame.used]}
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
    for column in (*NMC_COLUMNS, "cowmaj", "idealpoint", *NETWORK_COLUMNS):
        if column not in df.columns:
            dtype = pl.Int64 if column in ("cowmaj", "degree", "bloc") else pl.Float64
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(column))
    return df, prov


def extend_atop(df: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """ATOP columns of a directed dyad-year table after 2018 filled from ``after``
    (:meth:`YearInputs.after_atop`), as the ``atop-extended`` enrichment fills them: 0 where no
    obligation is carried forward, ``atop_basis`` saying where each year's row comes from.

    Example:
        >>> df = pl.DataFrame({"ccode1": [2, 2], "ccode2": [20, 20], "year": [2018, 2019],
        ...     "atop_alliance": [1.0, None], "atop_defense": [1.0, None], "atop_offense": [0.0, None],
        ...     "atop_neutral": [0.0, None], "atop_nonagg": [0.0, None], "atop_consul": [1.0, None]})
        >>> after = pl.DataFrame({"ccode1": [2], "ccode2": [20], "year": [2019], "atop_defense": [1.0],
        ...     "atop_offense": [0.0], "atop_neutral": [0.0], "atop_nonagg": [0.0], "atop_consul": [1.0],
        ...     "atop_basis": ["atop-carried-forward"]})
        >>> extend_atop(df, after).select("year", "atop_defense", "atop_basis").rows()
        [(2018, 1.0, 'atop'), (2019, 1.0, 'atop-carried-forward')]
    """
    from foedus.frames.atop import ATOP_COLUMNS

    if not set(ATOP_COLUMNS) <= set(after.columns):
        raise FoedusError("the obligations after 2018 lack ATOP columns",
                          fix="pass YearInputs.after_atop()")
    cols = [c for c in ATOP_COLUMNS if c in df.columns]
    part = after.select("ccode1", "ccode2", "year", pl.lit(1.0).alias("_alliance"),
                        *[pl.col(c).alias(f"_{c}") for c in cols], pl.col("atop_basis"))
    later = pl.col("year") > ATOP_LAST
    out = df.join(part, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
    return out.with_columns(
        pl.when(later).then(pl.col("_alliance").fill_null(0.0)).otherwise(
            pl.col("atop_alliance")).alias("atop_alliance"),
        *[pl.when(later).then(pl.col(f"_{c}").fill_null(0.0)).otherwise(pl.col(c)).alias(c)
          for c in cols],
        pl.when(~later).then(pl.lit("atop"))
        .when(pl.col("atop_basis").is_null()).then(pl.lit("atop-carried-forward"))
        .otherwise(pl.col("atop_basis")).alias("atop_basis"),
    ).drop("_alliance", *[f"_{c}" for c in cols])
