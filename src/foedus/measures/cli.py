"""Commands for the alliance measures: similarity matrices, networks, system structure."""

import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from foedus.errors import FoedusError


def register(app: typer.Typer) -> None:
    """Add ``similarity``, ``network`` and ``structure`` to the ``foedus`` command.

    Example:
        >>> import typer
        >>> demo = typer.Typer()
        >>> register(demo)
        >>> sorted(c.name for c in demo.registered_commands)
        ['network', 'similarity', 'structure']
    """
    from foedus.cli_support import JsonOpt, WarehouseOpt, err, out
    from foedus.cli_support import emit_json as _emit_json
    from foedus.cli_support import run as _run

    @app.command("similarity")
    def similarity_cmd(
        year: Annotated[int, typer.Option(help="Year (ATOP: 1816-2018).")],
        measure: Annotated[
            str, typer.Option(help="One of the 11 measures, e.g. s_un_val_sq, tau_b, kappa, pi.")
        ] = "s_un_val_sq",
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write the matrix (.csv, .parquet).")
        ] = None,
        warehouse: WarehouseOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Alliance-portfolio similarity of every pair of states in YEAR, as a matrix."""

        def body() -> None:
            from foedus.measures.year_views import similarity_of_year

            started = time.perf_counter()
            doc = similarity_of_year(year, measure, warehouse=warehouse)
            codes = doc["codes"]
            wide = pl.DataFrame(
                {"ccode": codes}
                | {str(c): [row[i] for row in doc["matrix"]] for i, c in enumerate(codes)},
                schema={"ccode": pl.Int64} | {str(c): pl.Float64 for c in codes},
            )
            if output is not None:
                _write_table(wide, output)
            if as_json:
                _emit_json(
                    {
                        "year": year,
                        "measure": measure,
                        "codes": codes,
                        "abbreviations": doc["abbreviations"],
                        "names": doc["names"],
                        "matrix": doc["matrix"],
                        "provenance": doc["provenance"],
                        "output": str(output) if output else None,
                    }
                )
            elif output is None:
                out.print(wide)
            err.print(
                f"{len(codes)} states × {len(codes)}, {measure}, {year} "
                f"[{time.perf_counter() - started:.2f} s]"
            )

        _run(as_json, body)

    @app.command("network")
    def network_cmd(
        year: Annotated[int, typer.Option(help="Year (ATOP 1816-2018; later: carried forward).")],
        obligation: Annotated[
            list[str] | None,
            typer.Option(
                help="Obligation types making a tie (repeatable): defense, offense, "
                "neutral, nonagg, consul; default defense (defence obligations)."
            ),
        ] = None,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write the graph (.graphml, .gexf).")
        ] = None,
        warehouse: WarehouseOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The alliance network of YEAR: every state with its bloc and position, the ties (with
        the alliances making them), size, blocs, polarisation; optionally exported."""

        def body() -> None:
            from foedus.measures import networks
            from foedus.measures.year_views import YearInputs, network_of_year

            if output is not None and output.suffix.lower() not in (".graphml", ".gexf"):
                raise FoedusError(
                    f"cannot write a graph to '{output.name}'",
                    where="-o",
                    fix="use a .graphml or .gexf file name",
                )
            inputs = YearInputs(warehouse)
            doc = network_of_year(year, obligation, inputs=inputs)
            if output is not None:
                ddy, _ = inputs.obligations(year)
                members = [n["ccode"] for n in doc["nodes"]]
                graph = networks.alliance_graph(
                    ddy, year, obligations=doc["obligations"], nodes=members
                ).subgraph(members)
                networks.export_graph(graph, output)
            if as_json:
                _emit_json(doc | {"output": str(output) if output else None})
            else:
                out.print(pl.DataFrame([doc["metrics"]]) if doc["metrics"] else "no network")
                out.print(
                    pl.DataFrame(doc["blocs"]).select("bloc", "size", "label")
                    if doc["blocs"] else "no bloc"
                )
            err.print(
                f"{len(doc['nodes'])} states, {len(doc['edges'])} ties in {year} "
                f"({', '.join(doc['obligations'])})" + (f" → {output}" if output else "")
            )

        _run(as_json, body)

    @app.command("structure")
    def structure_cmd(
        from_: Annotated[int, typer.Option("--from", help="First year.")] = 1816,
        to: Annotated[int, typer.Option("--to", help="Last year (NMC: to 2022).")] = 2022,
        group: Annotated[str, typer.Option(help="majors or all.")] = "majors",
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="Write the year frame (.csv, .parquet)."),
        ] = None,
        warehouse: WarehouseOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """System structure per year: capability concentration (CON), effective number of poles,
        leading state and its share."""

        def body() -> None:
            from foedus.frames.universe import parse_years
            from foedus.measures import structure
            from foedus.warehouse import Warehouse

            if group not in ("majors", "all"):
                raise FoedusError(f"unknown group '{group}'", fix="use majors or all")
            span = parse_years((from_, to))
            wh = Warehouse(warehouse, read_only=True)
            table = structure.capability_concentration(
                wh.table("nmc"),
                group="majors" if group == "majors" else "all",
                majors=wh.table("cow_majors"),
                years=span,
            )
            if output is not None:
                _write_table(table, output)
            if as_json:
                _emit_json(
                    {
                        "group": group,
                        "years": span,
                        "rows": table.to_dicts(),
                        "output": str(output) if output else None,
                    }
                )
            elif output is None:
                out.print(table)
            err.print(f"{table.height} years, group {group}")

        _run(as_json, body)


def _write_table(df: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".parquet":
        df.write_parquet(path)
    else:
        raise FoedusError(
            f"cannot write '{suffix}' files",
            where=str(path),
            fix="end the output name with .csv or .parquet",
        )
