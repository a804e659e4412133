"""``foedus alliance show|names|curated``: look up alliances (``docs/cli-alliances.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli.alliances import CuratedOpt, _curated
from foedus.errors import FoedusError

app = typer.Typer(help="Look up alliances: show one, list known names, curated facts.",
                           no_args_is_help=True)


@app.command("show")
def alliance_show(
    name: Annotated[str, typer.Argument(help="Name, alias, ATOPID or curated treaty key (NATO, "
                                        "'Rio Pact', 3375, rus-prk-2024).")],
    year: Annotated[int | None, typer.Option("--year", "-y", help="Only that year's members "
                                             "and phase.")] = None,
    warehouse: WarehouseOpt = None,
    curated: CuratedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an alliance: phases, institutional provisions, members and their obligations."""

    def body() -> None:
        from foedus.alliances.data import get_data
        from foedus.alliances.registry import alliance, coverage_note

        data = get_data(warehouse, curated=_curated(curated))
        a = alliance(name, year, warehouse=data)
        note = coverage_note(year) if year is not None else None
        if as_json:
            _emit_json({"alliance": a.to_dict(), "notes": [note] if note else [],
                        "sources": data.sources})
            return
        head = (f"[bold]{escape(a.name)}[/] — "
                f"{'ATOPID ' + str(a.atopid) if a.atopid else escape(a.alliance_id)}")
        out.print(head + (f" ({a.source})" if a.source != "atop" else ""))
        if a.aliases:
            out.print(escape("also: " + "; ".join(a.aliases)), highlight=False)
        out.print(f"in force: {a.begin} – {a.end or 'open (in force at the end of the data)'}",
                  highlight=False)
        if a.note:
            out.print(escape(a.note), highlight=False)
        for p in a.phases:
            if not p.provisions and p.milinst is None:
                continue
            table = Table("provision", "code", "meaning",
                          title=f"Phase {p.phase}: {p.begin} – {p.end or 'open'}"
                          f"  (Leeds–Anac milinst {p.milinst}, formal {p.formal})")
            for prov in p.provisions:
                table.add_row(prov.title, "" if prov.code is None else str(prov.code),
                              prov.meaning)
            if p.threats:
                table.add_row("states named as threat", "", ", ".join(p.threats))
            out.print(table)
        members = Table("state", "phase", "entered", "left", "obligations", "conditions",
                        "source", title=f"Members{' in ' + str(year) if year else ''}")
        for m in a.members:
            members.add_row(f"{m.abb} {m.name}", str(m.phase), str(m.entered or ""),
                            str(m.left or "open"), ", ".join(m.obligations),
                            ", ".join(c.variable for c in m.conditions)
                            + (" +OLIMOB" if m.other_condition else "")
                            + (" (OBVARY)" if m.partner_specific else ""),
                            m.source + (f" {','.join(m.facts)}" if m.facts else ""))
        out.print(members)
        if note:
            err.print(note, highlight=False)

    _run(as_json, body)


@app.command("names")
def alliance_names(as_json: JsonOpt = False) -> None:
    """List the common names and aliases that resolve to ATOPIDs."""
    from foedus.alliances.registry import names_table

    entries = names_table()
    if as_json:
        _emit_json({"names": [
            {"atopid": e.atopid, "name": e.name, "aliases": list(e.aliases),
             "signed": e.signed.isoformat(), "founding_members": list(e.founding_members),
             "treaty_text": e.treaty_text or None, "note": e.note or None} for e in entries]})
        return
    table = Table("atopid", "name", "aliases", "signed", title="Alliance names")
    for e in entries:
        table.add_row(str(e.atopid), e.name, "; ".join(e.aliases), e.signed.isoformat())
    out.print(table)


@app.command("curated")
def alliance_curated(
    file: Annotated[Path | None, typer.Option("--file", help="Validate and show your own file "
                                              "together with the packaged one.")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show (and validate) the curated facts used for years after 2018."""

    def body() -> None:
        from foedus.alliances.curated import load_curated
        from foedus.alliances.data import get_data

        cur = load_curated(file)
        checked = False
        try:
            get_data(warehouse, curated=cur)  # checks states and ATOPIDs too
            checked = True
        except FoedusError as exc:
            if "has not been imported" not in str(exc) and "does not exist" not in str(exc):
                raise
            err.print("warehouse not available: states and ATOPIDs not checked", highlight=False)
        frame = cur.to_frame()
        if as_json:
            _emit_json({"version": cur.version, "files": list(cur.files),
                        "checked_against_warehouse": checked, "facts": frame.to_dicts()})
            return
        table = Table("id", "treaty", "states", "status", "date", "obligations", "source",
                      title=f"Curated alliance facts (version {cur.version})")
        for r in frame.iter_rows(named=True):
            table.add_row(r["fact_id"], r["treaty_name"], r["states"], r["status"],
                          str(r["date"]), r["obligations"], r["source_url"])
        out.print(table)

    _run(as_json, body)


