"""``foedus arms-control``: state profiles, extended deterrence, treaty-portfolio similarity,
regime similarity among allies, and the cross-source conflict report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli.treaty import OutputOpt, check_output, write_output
from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run

app = typer.Typer(help="Arms control and non-proliferation: profiles, extended deterrence, "
                       "treaty-portfolio similarity.", no_args_is_help=True)

YearsOpt = Annotated[str, typer.Option("--years", help="Years, e.g. 1990-2010 or 2010.")]


def parse_years(text: str) -> tuple[int, int]:
    """``"1990-2010"`` → (1990, 2010); ``"2010"`` → (2010, 2010).

    Example:
        >>> parse_years("1990-1995")
        (1990, 1995)
    """
    from foedus.errors import InvalidYearsError

    parts = text.replace(":", "-").split("-")
    try:
        lo, hi = (int(parts[0]), int(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        lo = hi = None
    if lo is None or hi is None or lo > hi:
        raise InvalidYearsError(f"'{text}' is not a year range", fix="write e.g. 1990-2010")
    return lo, hi


def _wh(path: Path | None) -> Any:
    from foedus.warehouse import Warehouse

    return Warehouse(path, read_only=True)


@app.command("profile")
def profile(
    state: Annotated[str, typer.Argument(help="COW code, abbreviation or name, e.g. RUS.")],
    year: Annotated[int | None, typer.Option("--year", "-y", help="As of 31 Dec of this year.")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A state's status under every treaty, its timeline of treaty actions and nuclear status."""

    def body() -> None:
        from foedus.arms_control.analysis import state_profile

        with _wh(warehouse) as wh:
            doc = state_profile(wh, state, year)
        if as_json:
            emit_json(doc)
            return
        from rich.table import Table

        table = Table("treaty", "status", "signed", "joined", "ended/withdrew", "source")
        for t in doc["treaties"]:
            table.add_row(t["treaty"], t["status"] + (f" (de-ratified {t['deratified']})"
                                                      if t.get("deratified") else ""),
                          t.get("signed") or "", t.get("joined") or "",
                          t.get("withdrew") or t.get("ended") or "", t.get("source") or "")
        out.print(table)
        n = doc["nuclear"]
        err.print(f"{doc['state']['name']} on {doc['as_of']}: party to {doc['regimes']['party']} "
                  f"of {len(doc['regimes_counted'])} global regimes; nuclear status "
                  f"{n.get('nuclear_status', 'unknown')} ({n.get('year')}), tests to date "
                  f"{n.get('tests_total', 'unknown')}")

    run(as_json, body)


@app.command("deterrence")
def deterrence(
    year: Annotated[int, typer.Option("--year", "-y", help="Year.")],
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
) -> None:
    """Allies of nuclear-weapon states (ATOP defence partners) and their NPT/TPNW choices."""

    def body() -> None:
        check_output(output)
        from foedus.arms_control.analysis import extended_deterrence

        with _wh(warehouse) as wh:
            doc = extended_deterrence(wh, year)
        if output is not None:
            write_output(doc["protected"], doc, output)
        if as_json:
            emit_json(doc)
            return
        if output is None:
            from rich.table import Table

            table = Table("state", "protected by", "NPT", "TPNW", "own weapons")
            for r in doc["protected"]:
                table.add_row(f"{r['state']} ({r['abb']})", ", ".join(r["protected_by"]), r["npt"],
                              r["tpnw"] or "—", "yes" if r["nuclear_weapons"] else "")
            out.print(table)
        err.print(f"{year}: {doc['summary']['protected_states']} states under a nuclear-weapon "
                  f"state's defence obligation; NPT {doc['summary']['npt']}; "
                  f"TPNW {doc['summary']['tpnw']}")
        for note in doc["notes"]:
            err.print(f"note: {note}")

    run(as_json, body)


@app.command("similarity")
def similarity(
    years: YearsOpt,
    states: Annotated[str | None, typer.Option("--states", help="Only these COW codes, e.g. 2,365.")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
) -> None:
    """Treaty-portfolio similarity (S, kappa) and joint membership for directed dyad-years."""

    def body() -> None:
        check_output(output)
        from foedus.arms_control.analysis import treaty_portfolio_similarity

        span = parse_years(years)
        codes = [int(c) for c in states.split(",")] if states else None
        with _wh(warehouse) as wh:
            df = treaty_portfolio_similarity(wh, span, states=codes)
        rows = df.to_dicts()
        if output is not None:
            write_output(rows, {"dyad_years": rows}, output)
        if as_json:
            emit_json({"years": list(span), "dyad_years": rows})
            return
        if output is None:
            out.print(df)
        err.print(f"{df.height} directed dyad-years")

    run(as_json, body)


@app.command("allies")
def allies(
    years: YearsOpt,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
) -> None:
    """Mean treaty-portfolio similarity of ATOP defence allies vs other dyads, by year."""

    def body() -> None:
        check_output(output)
        from foedus.arms_control.analysis import ally_regime_similarity

        span = parse_years(years)
        with _wh(warehouse) as wh:
            df = ally_regime_similarity(wh, span)
        rows = df.to_dicts()
        if output is not None:
            write_output(rows, {"years": rows}, output)
        if as_json:
            emit_json({"years": rows})
            return
        if output is None:
            out.print(df)

    run(as_json, body)


def conflicts_command(topic: str, treaty: str | None, warehouse: Path | None, as_json: bool,
                      output: Path | None) -> None:
    """Body of ``foedus data conflicts arms-control`` (kept here so ``foedus.cli`` stays small).

    Example:
        >>> try:
        ...     conflicts_command("weather", None, None, False, None)
        ... except typer.Exit as stop:
        ...     print(stop.exit_code)
        2
    """

    def body() -> None:
        check_output(output)
        from foedus.errors import FoedusError

        if topic.lower().replace("_", "-") != "arms-control":
            raise FoedusError(f"unknown topic '{topic}'", fix="use: arms-control")
        from foedus.arms_control.status import conflicts

        with _wh(warehouse) as wh:
            df = conflicts(wh, treaty_name=treaty)
        rows = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
                for r in df.to_dicts()]  # fmt: skip
        if output is not None:
            write_output(rows, {"conflicts": rows}, output)
        if as_json:
            emit_json({"topic": "arms-control", "conflicts": rows,
                       "by_treaty": {k: v for k, v in df.group_by("treaty").len().rows()}})
            return
        if output is None:
            import polars as pl

            with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=40):
                out.print(df.drop("line_a", "line_b"))
        err.print(f"{df.height} disagreements between sources")

    run(as_json, body)
