"""``foedus alliances --state S --year Y``: every alliance of a state in a year, with its
obligations and conditions (``docs/cli-alliances.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run

app = typer.Typer()

CuratedOpt = Annotated[
    Path | None,
    typer.Option("--curated", help="Your own curated-facts CSV, used with the packaged one "
                 "(format: docs/alliances.md)."),
]


def _curated(path: Path | None) -> Any:
    if path is None:
        return None
    from foedus.alliances.curated import load_curated

    return load_curated(path)


def _yes(value: bool) -> str:
    return "✔" if value else ""



@app.command("alliances")
def alliances_command(
    state: Annotated[str, typer.Option("--state", "-s", help="COW code, abbreviation or name.")],
    year: Annotated[int, typer.Option("--year", "-y", help="Year (1815 to today).")],
    warehouse: WarehouseOpt = None,
    curated: CuratedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List every alliance STATE belongs to in YEAR, with its obligations and conditions."""

    def body() -> None:
        from foedus.alliances.data import get_data
        from foedus.alliances.registry import alliances_of, coverage_note

        data = get_data(warehouse, curated=_curated(curated))
        s = data.state(state)
        frame = alliances_of(s.ccode, year, warehouse=data)
        note = coverage_note(year)
        if as_json:
            _emit_json({"state": {"ccode": s.ccode, "abb": s.abb, "name": s.name}, "year": year,
                        "alliances": frame.to_dicts(), "notes": [note] if note else [],
                        "sources": data.sources, "curated_version": data.curated.version})
            return
        table = Table("id", "alliance", "ph", "entered", "left", "D", "O", "N", "A", "C",
                      "conditions", "partners", "status", "basis",
                      title=f"Alliances of {s.name} ({s.abb}) in {year}")
        for r in frame.iter_rows(named=True):
            partners = r["partners"]
            shown = ", ".join(partners[:6]) + (f" +{len(partners) - 6}" if len(partners) > 6 else "")
            table.add_row(r["alliance_id"], r["name"], str(r["phase"]), str(r["entered"] or ""),
                          str(r["left"] or "open"), _yes(r["defense"]), _yes(r["offense"]),
                          _yes(r["neutral"]), _yes(r["nonagg"]), _yes(r["consul"]),
                          ", ".join(r["conditions"]), shown, r["status"], r["basis"])
        out.print(table)
        err.print(f"{frame.height} alliances; D defense, O offense, N neutrality, "
                  "A non-aggression, C consultation" + (f". {note}" if note else ""),
                  highlight=False)

    _run(as_json, body)


