"""``foedus assess``: the canonical conflict designs, one command each (``docs/cli-assess.md``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.errors import FoedusError

app = typer.Typer(
    help="Canonical conflict designs on the warehouse's data: N, coefficients, sample.",
    no_args_is_help=True,
)

FromOpt = Annotated[int | None, typer.Option("--from", help="First year (default: the recipe's).")]
ToOpt = Annotated[int | None, typer.Option("--to", help="Last year (default: the recipe's).")]
FamilyOpt = Annotated[
    str, typer.Option("--family", help="logit, probit or firth (Firth-penalised logit).")
]
SampleOpt = Annotated[
    str, typer.Option("--sample", help="prd (politically relevant dyads) or all.")
]


def _span(from_: int | None, to: int | None, default: tuple[int, int]) -> tuple[int, int]:
    return (from_ if from_ is not None else default[0], to if to is not None else default[1])


def _print_model(out: Any, model: Any, title: str) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    width = max(len(t) for t in model.terms)
    table.add_column("term", no_wrap=True, min_width=width)
    for name in ("estimate", "std. error", "z", "p", "conf. low", "conf. high"):
        table.add_column(name, justify="right")
    for row in model.coefficients.iter_rows(named=True):
        table.add_row(
            row["term"],
            f"{row['estimate']:.4g}",
            f"{row['std_error']:.4g}",
            f"{row['z']:.2f}",
            f"{row['p_value']:.3g}",
            f"{row['conf_low']:.4g}",
            f"{row['conf_high']:.4g}",
        )
    out.print(table)
    clusters = f", {model.n_clusters:,} dyad clusters" if model.n_clusters else ""
    out.print(
        f"N = {model.n:,} ({model.n_events:,} events{clusters}); log-likelihood "
        f"{model.log_likelihood:.2f}; AIC {model.aic:.1f}; BIC {model.bic:.1f}; pseudo-R² "
        f"{model.pseudo_r2:.4f}; {model.family}, SEs {model.cov_type}",
        highlight=False,
    )


def _print_recipe(out: Any, result: Any) -> None:
    from rich.table import Table

    out.print(f"[bold]{result.title}[/]")
    out.print(f"Design: {result.design}", highlight=False)
    out.print(f"[bold]Sample:[/] {result.sample_definition}", highlight=False)
    out.print(f"[bold]N = {result.n:,}[/]")
    for key, model in result.models.items():
        _print_model(out, model, "Main model" if key == "main" else f"Model '{key}'")
        comparison = result.comparison(key)
        if comparison.height == 0:
            continue
        table = Table(title="Key terms", title_justify="left")
        width = max(len(t) for t in comparison["term"])
        table.add_column("term", no_wrap=True, min_width=width)
        for name in ("estimate", "std. error", "p", "sign", "significant", "published", "agrees"):
            table.add_column(name, overflow="fold")
        for row in comparison.iter_rows(named=True):
            agrees = row["agrees"]
            table.add_row(
                row["term"],
                f"{row['estimate']:.4g}",
                f"{row['std_error']:.4g}",
                f"{row['p_value']:.3g}",
                row["sign"],
                "yes" if row["significant"] else "no",
                row["published"] or "—",
                "—" if agrees is None else "yes" if agrees else "[bold red]no[/]",
            )
        out.print(table)
    if result.unavailable:
        out.print("[bold]Unavailable in the shared data:[/]")
        for name, why in result.unavailable.items():
            out.print(f"  • {name}: {why}", highlight=False)
    for note in result.notes:
        out.print(f"[dim]note:[/] {note}", highlight=False)



def emit(result: Any, as_json: bool) -> None:
    if as_json:
        _emit_json(result.to_dict())
    else:
        _print_recipe(out, result)
    err.print(f"{result.name}: N = {result.n:,} [{result.seconds:.1f} s]", highlight=False)


@app.command("dangerous-dyads")
def dangerous_dyads_cmd(
    from_: FromOpt = None,
    to: ToOpt = None,
    alliance: Annotated[
        str, typer.Option("--alliance", help="defense (ATOP defence pact) or any alliance.")
    ] = "defense",
    family: FamilyOpt = "logit",
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bremer (1992) on non-directed politically relevant dyad-years (1816-2010)."""

    def body() -> None:
        from foedus.models.recipes import GML_YEARS, dangerous_dyads

        if alliance not in ("defense", "any"):
            raise FoedusError(
                f"unknown alliance measure '{alliance}'", fix="use defense or any"
            )
        result = dangerous_dyads(
            warehouse, years=_span(from_, to, GML_YEARS), alliance=alliance,
            family=family,
        )  # fmt: skip
        emit(result, as_json)

    _run(as_json, body)

@app.command("deterrence")
def deterrence_cmd(
    from_: FromOpt = None,
    to: ToOpt = None,
    sample: SampleOpt = "prd",
    commitments: Annotated[
        str,
        typer.Option(
            "--commitments", help="any (0/1, as Leeds 2003) or count of third states."
        ),
    ] = "any",
    substitute: Annotated[
        str,
        typer.Option(
            "--substitute",
            help="Joint-democracy substitute: none or idealpoint-distance (UN, from 1946).",
        ),
    ] = "none",
    family: FamilyOpt = "logit",
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alliance deterrence (Leeds 2003; Johnson & Leeds 2011) on directed dyad-years."""

    def body() -> None:
        from foedus.models.recipes import GML_YEARS, alliance_deterrence

        result = alliance_deterrence(
            warehouse, years=_span(from_, to, GML_YEARS), sample=sample,
            commitments=commitments, substitute=substitute, family=family,
        )  # fmt: skip
        emit(result, as_json)
        if not as_json:
            out.print(
                f"[bold]Finding:[/] {result.finding(result.key_terms[0])}", highlight=False
            )

    _run(as_json, body)

@app.command("engagement")
def engagement_cmd(
    from_: FromOpt = None,
    to: ToOpt = None,
    sample: SampleOpt = "prd",
    index: Annotated[
        bool,
        typer.Option("--index/--no-index", help="Also fit the engagement-index model."),
    ] = True,
    family: FamilyOpt = "logit",
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """DCAs, joint exercises, arms transfers and the engagement index vs dispute onset."""

    def body() -> None:
        from foedus.models.recipes import engagement_conflict

        result = engagement_conflict(
            warehouse, years=_span(from_, to, (1980, 2010)), sample=sample,
            index=index, family=family,
        )  # fmt: skip
        emit(result, as_json)

    _run(as_json, body)
