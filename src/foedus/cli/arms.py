"""``foedus arms shares`` and ``foedus arms concentration``: arms-trade views from the SIPRI
trade register (``docs/cli-instruments.md``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.errors import FoedusError, InvalidYearsError

AllocationOpt = Annotated[
    str,
    typer.Option("--allocation", help="How a deal's delivered TIV is spread over its delivery "
                 "years: even (default), first or last."),
]  # fmt: skip

app = typer.Typer(help="Arms-trade views from the SIPRI trade register.", no_args_is_help=True)


def _deals(warehouse: Path | None) -> tuple[Any, Any]:
    from foedus.warehouse import Warehouse

    wh = Warehouse(warehouse, read_only=True)
    return wh, wh.table("sipri_arms_deals")


def _release(wh: Any) -> dict[str, Any]:
    record = wh.active("sipri_arms_deals")
    return {"source": record.source, "version": record.version, "file": Path(record.path).name}


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


@app.command(
    "shares", help="Shares of world arms deliveries (SIPRI TIV) by supplier or recipient over "
    "--from..--to."
)
def shares_command(
    start: Annotated[int, typer.Option("--from", help="First delivery year of the window.")],
    end: Annotated[int, typer.Option("--to", help="Last delivery year of the window.")],
    by: Annotated[str, typer.Option("--by", help="supplier (exporters) or recipient (importers).")]
    = "supplier",
    top: Annotated[int, typer.Option("--top", help="Show the N largest (0 = all).")] = 10,
    allocation: AllocationOpt = "even",
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Shares of world arms deliveries (SIPRI TIV) by supplier or recipient over --from..--to.

    Example:
        >>> import json, tempfile, pathlib
        >>> from typer.testing import CliRunner
        >>> missing = str(pathlib.Path(tempfile.mkdtemp()) / "none.duckdb")
        >>> result = CliRunner().invoke(app, ["shares", "--from", "2020", "--to", "2024",
        ...                                   "--json", "-w", missing])
        >>> result.exit_code, json.loads(result.stdout)["error"]
        (2, 'MissingDataError')
    """

    def body() -> None:
        from foedus.measures.arms_trade import arms_shares

        if by not in ("supplier", "recipient"):
            raise FoedusError(f"--by '{by}' is not supplier or recipient",
                              fix="use --by supplier or --by recipient")  # fmt: skip
        if top < 0:
            raise FoedusError("--top must be 0 (all) or more", fix="e.g. --top 5")
        wh, deals = _deals(warehouse)
        with wh:
            from foedus.frames.instruments.arms import arms_coverage

            lo, hi = arms_coverage(deals)
            if end < lo or start > hi:
                raise InvalidYearsError(
                    f"the window {start}–{end} is outside the register's delivery years {lo}–{hi}",
                    fix=f"choose years within {lo}–{hi}",
                )
            table = arms_shares(deals, start, end, by=by, allocation=allocation)  # type: ignore[arg-type]
            total = float(table.get_column("tiv").sum()) if table.height else 0.0
            shown = table.head(top) if top else table
            release = _release(wh)
        partial = start < lo or end > hi
        if partial:
            err.print(f"note: the register covers {lo}–{hi}; years outside count as no data")
        if as_json:
            _emit_json({
                "window": [start, end], "by": by, "allocation": allocation,
                "unit": "SIPRI TIV, millions", "world_tiv": total, "release": release,
                "rows": [{k: _clean(v) for k, v in r.items()} for r in shown.to_dicts()],
            })  # fmt: skip
            return
        grid = Table(title=f"Arms {'exports' if by == 'supplier' else 'imports'} {start}–{end}: "
                     f"share of world TIV ({allocation} allocation)")  # fmt: skip
        for name, justify in (("#", "right"), (by, "left"), ("TIV (m)", "right"),
                              ("share %", "right"), ("deals", "right")):  # fmt: skip
            grid.add_column(name, justify=justify)  # type: ignore[arg-type]
        for r in shown.iter_rows(named=True):
            grid.add_row(str(r["rank"]), r[by], f"{r['tiv']:,.0f}", f"{100 * r['share']:.1f}",
                         str(r["deals"]))  # fmt: skip
        out.print(grid)
        err.print(f"world total {total:,.0f} m TIV; source {release['source']} "
                  f"{release['version']} ({release['file']})")  # fmt: skip

    _run(as_json, body)


def _parse_window(text: str) -> tuple[int, int]:
    parts = text.replace("–", "-").split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InvalidYearsError(f"window '{text}' is not START-END", fix="e.g. --window 2015-2019")
    return int(parts[0]), int(parts[1])


@app.command(
    "concentration",
    help="Supplier concentration (HHI) of RECIPIENT's arms imports per window, and its shift.",
)
def concentration_command(
    recipient: Annotated[str, typer.Argument(help="SIPRI recipient name (e.g. India) or COW code.")],
    window: Annotated[list[str], typer.Option("--window", help="START-END; repeat for shifts.")],
    allocation: AllocationOpt = "even",
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Supplier concentration (HHI) of RECIPIENT's arms imports per window, and its shift.

    Example:
        >>> from typer.testing import CliRunner
        >>> result = CliRunner().invoke(app, ["concentration", "India", "--window", "2015"])
        >>> result.exit_code, "START-END" in result.stderr
        (2, True)
    """

    def body() -> None:
        from foedus.measures.arms_trade import supplier_concentration

        windows = [_parse_window(w) for w in window]
        who: str | int = int(recipient) if recipient.isdigit() else recipient
        wh, deals = _deals(warehouse)
        with wh:
            table = supplier_concentration(deals, who, windows, allocation=allocation)  # type: ignore[arg-type]
            release = _release(wh)
        if as_json:
            _emit_json({"recipient": recipient, "allocation": allocation, "release": release,
                        "rows": [{k: _clean(v) for k, v in r.items()} for r in table.to_dicts()]})  # fmt: skip
            return
        grid = Table(title=f"Supplier concentration of {recipient}'s arms imports")
        for name in ("recipient", "window", "TIV (m)", "suppliers", "HHI", "top supplier",
                     "top %", "HHI shift"):  # fmt: skip
            grid.add_column(name)
        for r in table.iter_rows(named=True):
            shift = "" if r["hhi_shift"] is None else f"{r['hhi_shift']:+.3f}"
            grid.add_row(r["recipient"], f"{r['start']}–{r['end']}", f"{r['tiv']:,.0f}",
                         str(r["suppliers"]), f"{r['hhi']:.3f}", r["top_supplier"],
                         f"{100 * r['top_share']:.1f}", shift)  # fmt: skip
        out.print(grid)

    _run(as_json, body)
