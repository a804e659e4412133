"""``foedus burden ALLIANCE``: alliance burden sharing — spending, % GDP, the 2 % guideline,
Olson–Zeckhauser (``docs/cli-instruments.md``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli.dyad import _fmt
from foedus.errors import FoedusError

app = typer.Typer()


def _burden_years_table(doc: dict[str, Any]) -> Table:
    grid = Table(title=f"Burden sharing in {doc['alliance']['name']} (SIPRI; spending in "
                 "constant 2022 US$)")  # fmt: skip
    for name in ("year", "members", "with data", "spending (US$ bn)", "% GDP", "meet 2 %",
                 "largest (share)", "OZ rho", "p", "acceding"):  # fmt: skip
        grid.add_column(name, justify="right" if name not in ("largest (share)",) else "left")
    for r in doc["years"]:
        grid.add_row(
            str(r["year"]), _fmt(r.get("members"), "d"), _fmt(r.get("members_with_data"), "d"),
            _fmt(r["total_milex"] / 1000 if r.get("total_milex") else None, ",.1f"),
            _fmt(100 * r["alliance_milex_gdp"] if r.get("alliance_milex_gdp") else None, ".2f"),
            _fmt(r.get("meeting_2pct"), "d"),
            f"{r['largest']} ({100 * r['largest_share_milex']:.1f} %)"
            if r.get("largest") and r.get("largest_share_milex") is not None else "",
            _fmt(r.get("rho"), "+.2f"), _fmt(r.get("p_value"), ".3f"),
            " ".join(r.get("acceding") or []),
        )  # fmt: skip
    return grid


def _burden_members_table(doc: dict[str, Any], year: int) -> Table:
    grid = Table(title=f"Members in {year}: spending, % GDP, shares (sorted by % GDP)")
    for name in ("state", "status", "spending (US$ m)", "% GDP", "2 %", "share of spending",
                 "share of GDP", "ratio"):  # fmt: skip
        grid.add_column(name, justify="left" if name in ("state", "status") else "right")
    rows = [r for r in doc["members"] if r["year"] == year]
    rows.sort(key=lambda r: (r.get("milex_gdp") is None, -(r.get("milex_gdp") or 0)))
    for r in rows:
        meets = r.get("meets_2pct")
        grid.add_row(
            f"{r['abb']} ({r['ccode']})", r["status"], _fmt(r.get("milex")),
            _fmt(100 * r["milex_gdp"] if r.get("milex_gdp") is not None else None, ".2f"),
            "yes" if meets else ("no" if meets is not None else ""),
            _fmt(100 * r["share_milex"] if r.get("share_milex") is not None else None, ".1f"),
            _fmt(100 * r["share_gdp"] if r.get("share_gdp") is not None else None, ".1f"),
            _fmt(r.get("burden_ratio"), ".2f"),
        )  # fmt: skip
    return grid



@app.command("burden")
def burden_cmd(
    alliance: Annotated[str, typer.Argument(
        metavar="ALLIANCE", help="Alliance name, alias or ATOPID (NATO, 3180, CSTO…).")],
    from_: Annotated[int | None, typer.Option(
        "--from", help="First year (default: ten years before --to).")] = None,
    to: Annotated[int | None, typer.Option(
        "--to", help="Last year (default: SIPRI's last year).")] = None,
    detail: Annotated[int | None, typer.Option(
        "--detail", help="Year of the member table (default: --to).")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alliance burden sharing: members' spending and % GDP per year, who meets 2 %, shares of
    spending vs GDP, and the Olson–Zeckhauser test."""

    def body() -> None:
        from foedus.measures.burden import burden_sharing
        from foedus.warehouse import Warehouse

        wh = Warehouse(warehouse, read_only=True)
        end = to
        if end is None:
            from foedus.frames.instruments.arms import milex_state_years

            end = int(milex_state_years(wh.table("sipri_milex"))["year"].max())  # type: ignore[arg-type]
        start = from_ if from_ is not None else end - 9
        if detail is not None and not start <= detail <= end:
            raise FoedusError(f"--detail {detail} is outside {start}–{end}",
                              fix="choose a year within --from and --to")  # fmt: skip
        result = burden_sharing(alliance, start, end, warehouse=wh)
        doc = result.to_dict()
        if as_json:
            _emit_json(doc)
            return
        out.print(_burden_years_table(doc))
        out.print(_burden_members_table(doc, detail if detail is not None else end))
        oz = doc["olson_zeckhauser"]
        err.print(
            f"Olson–Zeckhauser (Spearman, GDP vs spending/GDP): {oz['years_tested']} years, "
            f"mean rho {_fmt(oz['mean_rho'], '+.2f')}; rho > 0 at 5 % in "
            f"{oz['positive_significant_years'] or 'no year'}; source {doc['source']}"
        )  # fmt: skip

    _run(as_json, body)
