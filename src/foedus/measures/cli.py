"""Commands for the alliance measures: similarity matrices, networks, system structure."""

import time
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from foedus.errors import FoedusError


def _frame_for_year(wh: Any, year: int) -> Any:
    import foedus

    return foedus.state_years("cow", years=year, warehouse=wh)


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
        coding: Annotated[
            str,
            typer.Option(
                help="Tie coding: cow-types (default; 3 defence/offence, 2 neutrality/"
                "non-aggression, 1 consultation) or fpsim (FPSIM's ATOP ranking: 3 defence/offence,"
                " 2 neutrality/consultation, 1 non-aggression; tau-b over columns)."
            ),
        ] = "cow-types",
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write the matrix (.csv, .parquet).")
        ] = None,
        warehouse: WarehouseOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Alliance-portfolio similarity of every pair of states in YEAR, as a matrix."""

        def body() -> None:
            from foedus.frames.systems import create_state_years
            from foedus.measures import similarity
            from foedus.warehouse import Warehouse

            started = time.perf_counter()
            similarity._resolve_coding(coding, None, "outgoing")  # a bad name fails before work
            if output is not None and output.suffix.lower() not in (".csv", ".parquet"):
                raise FoedusError(
                    f"cannot write '{output.suffix or 'no extension'}' files",
                    where=str(output),
                    fix="end the output name with .csv or .parquet",
                )
            wh = Warehouse(warehouse, read_only=True)
            frame = _frame_for_year(wh, year)
            ddy, _ = frame._atop_obligations()
            members = create_state_years(
                wh.table("cow_system"), system="cow", years=(year, year)
            ).select("ccode", "year")
            caps = wh.table("nmc") if measure in similarity.WEIGHTED_MEASURES else None
            codes, matrix = similarity.similarity_matrix(
                ddy,
                members,
                year,
                measure=measure,
                capabilities=caps,
                coding=coding,  # type: ignore[arg-type]
            )
            wide = pl.DataFrame(
                {"ccode": list(codes)} | {str(c): matrix[:, i] for i, c in enumerate(codes)}
            )
            if output is not None:
                _write_table(wide, output)
            if as_json:
                _emit_json(
                    {
                        "year": year,
                        "measure": measure,
                        "coding": coding,
                        "codes": list(map(int, codes)),
                        "matrix": matrix.tolist(),
                        "output": str(output) if output else None,
                    }
                )
            elif output is None:
                out.print(wide)
            err.print(
                f"{len(codes)} states × {len(codes)}, {measure} ({coding} coding), {year} "
                f"[{time.perf_counter() - started:.2f} s]"
            )

        _run(as_json, body)

    @app.command("network")
    def network_cmd(
        year: Annotated[int, typer.Option(help="Year (ATOP: 1815-2018).")],
        obligation: Annotated[
            list[str] | None,
            typer.Option(
                help="Obligation types making a tie (repeatable): defense, offense, "
                "neutral, nonagg, consul; default all."
            ),
        ] = None,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write the graph (.graphml, .gexf).")
        ] = None,
        warehouse: WarehouseOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The alliance network of YEAR: size, blocs, polarisation; optionally exported."""

        def body() -> None:
            from foedus.measures import networks
            from foedus.warehouse import Warehouse

            wh = Warehouse(warehouse, read_only=True)
            ddy, _ = _frame_for_year(wh, year)._atop_obligations()
            options: dict[str, Any] = {}
            if obligation:
                options["obligations"] = list(obligation)
            graph = networks.alliance_graph(ddy, year, **options)
            summary = networks.network_years(ddy, (year, year), **options)
            if output is not None:
                networks.export_graph(graph, output)
            row = summary.to_dicts()[0] if summary.height else {"year": year}
            if as_json:
                _emit_json(row | {"output": str(output) if output else None})
            else:
                out.print(summary)
            err.print(
                f"{graph.number_of_nodes()} states, {graph.number_of_edges()} ties in {year}"
                + (f" → {output}" if output else "")
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
