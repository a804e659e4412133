"""Command line for alliances: ``foedus alliances``, ``foedus alliance show|names|curated`` and
``foedus defend``.

``register(app)`` adds the commands to the main ``foedus`` Typer app. Conventions as the rest of
the CLI: ``--json`` prints one JSON document on stdout, messages go to stderr, and a
:class:`~foedus.errors.FoedusError` exits with status 2 (with a JSON error document under
``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from foedus.cli_support import JsonOpt, WarehouseOpt, err, out
from foedus.cli_support import emit_json as _emit_json
from foedus.cli_support import run as _run
from foedus.errors import FoedusError

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


# ---------------------------------------------------------------------------------------------
# foedus alliances --state JPN --year 2010
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# foedus alliance show|names|curated
# ---------------------------------------------------------------------------------------------
alliance_app = typer.Typer(help="Look up alliances: show one, list known names, curated facts.",
                           no_args_is_help=True)


@alliance_app.command("show")
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
        from foedus.regions.law import legal_basis_for

        legal = legal_basis_for(a.atopid, warehouse)
        if as_json:
            _emit_json({"alliance": a.to_dict(), "legal_basis": legal,
                        "notes": [note] if note else [], "sources": data.sources})
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
        if legal is not None:
            basis = Table("provision", "code", "meaning", "codebook",
                          title="Legal basis (ATOP alliance level)")
            for c in legal["codes"]:
                basis.add_row(c["title"], "" if c["code"] is None else str(c["code"]),
                              escape(c["meaning"]), c["codebook"])
            out.print(basis)
        if note:
            err.print(note, highlight=False)

    _run(as_json, body)


@alliance_app.command("names")
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


@alliance_app.command("curated")
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


# ---------------------------------------------------------------------------------------------
# foedus defend TARGET --year Y [--attacker A] [--location L]
# ---------------------------------------------------------------------------------------------
def defend_command(
    target: Annotated[str, typer.Argument(help="The attacked state: COW code, abbreviation or "
                                          "name.")],
    year: Annotated[int, typer.Option("--year", "-y", help="Year (1815 to today).")],
    attacker: Annotated[list[str] | None, typer.Option(
        "--attacker", "-a", help="Attacking state (repeat, or comma-separate, for several).")] = None,
    location: Annotated[str | None, typer.Option(
        "--location", "-l", help="Where the attack happens: a state (its territory) or a region "
        "(europe, north_america, east_asia, …).")] = None,
    provoked: Annotated[bool | None, typer.Option(
        "--provoked/--unprovoked", help="Whether the target provoked the attack (for "
        "non-provocation conditions; default: not stated).")] = None,
    depth: Annotated[int | None, typer.Option("--depth", help="Maximum depth of the escalation "
                                              "tree (default: unlimited).")] = None,
    warehouse: WarehouseOpt = None,
    curated: CuratedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who is bound to come to TARGET's aid if it is attacked in YEAR, under which treaty and
    condition, who is drawn in next, and with how much capability."""

    def body() -> None:
        from foedus.alliances.data import get_data
        from foedus.alliances.defence import responders

        data = get_data(warehouse, curated=_curated(curated))
        a = responders(target, year, attacker or None, location, provoked=provoked,
                       depth=depth, warehouse=data)
        if as_json:
            doc = a.to_dict()
            doc["sources"] = data.sources
            doc["curated_version"] = data.curated.version
            _emit_json(doc)
            return
        _print_analysis(a)

    _run(as_json, body)


def _alliance_label(o: Any) -> str:
    return o.alliance if o.alliance == f"ATOP {o.alliance_id}" else f"{o.alliance} ({o.alliance_id})"


def _conditions_text(o: Any) -> str:
    parts = []
    for c in o.conditions:
        label = f"{c.clause}:" if c.clause else ""
        parts.append(f"{label}{c.kind}={c.verdict}")
    return "; ".join(parts) or "none"


def _print_analysis(a: Any) -> None:
    enemies = ", ".join(s.abb for s in a.attackers) or "not given"
    out.print(f"[bold]{a.target.name} ({a.target.abb}) attacked in {a.year}[/] — attacker: "
              f"{enemies}; location: {a.location or 'not given'}; provoked: "
              f"{'not stated' if a.provoked is None else a.provoked}", highlight=False)
    table = Table("state", "alliance", "verdict", "status", "conditions", "basis",
                  title="Defence obligations toward the target")
    for o in a.defence:
        table.add_row(o.state_abb, _alliance_label(o), o.verdict, o.status,
                      _conditions_text(o), o.basis)
    out.print(table)
    others = [o for o in a.toward_target if o.kind != "defense"]
    if others:
        counts: dict[str, int] = {}
        for o in others:
            counts[o.kind] = counts.get(o.kind, 0) + 1
        out.print("Other obligations toward the target: "
                  + ", ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)
    for title, items in (("The attacker's own pledges toward the target",
                          a.attacker_pledges_to_target),
                         ("Neutrality and non-aggression pledges toward the attacker",
                          a.pledges_to_attacker),
                         ("The attacker's offensive allies", a.offensive_allies)):
        if not items:
            continue
        t = Table("state", "toward", "kind", "alliance", "verdict", "conditions", title=title)
        for o in items:
            t.add_row(o.state_abb, o.partner_abb, o.kind, _alliance_label(o),
                      o.verdict, _conditions_text(o))
        out.print(t)
    if a.escalation:
        tree = Tree(f"[bold]escalation tree[/] from {a.target.abb} ({len(a.escalation)} states)")
        branches: dict[int, Any] = {a.target.ccode: tree}
        for n in a.escalation:
            parent = branches.get(n.drawn_in_by, tree)
            label = f"{n.abb} via {n.alliance_id} ({n.verdict}{'' if n.bound else ', not certain'})"
            if n.also_owes_attacker:
                label += "; also bound to the attacker: " + ", ".join(n.also_owes_attacker)
            branches[n.ccode] = parent.add(escape(label))
        out.print(tree)
    caps = Table("side", "scope", "basis", "states", "CINC", "share", "milex", "milper",
                 title="Coalition capability (NMC)")
    for r in a.capabilities.iter_rows(named=True):
        caps.add_row(r["side"], r["scope"], r["basis"], str(r["n_states"]),
                     "" if r["cinc"] is None else f"{r['cinc']:.4f}",
                     "" if r["share"] is None else f"{r['share']:.1%}",
                     "" if r["milex"] is None else f"{r['milex']:,.0f}",
                     "" if r["milper"] is None else f"{r['milper']:,.0f}")
    out.print(caps)
    for note in a.notes:
        err.print(escape(f"note: {note}"), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``alliances``, ``alliance show|names|curated`` and ``defend`` to the ``foedus`` app.

    Example:
        >>> import typer
        >>> app = typer.Typer()
        >>> register(app)
        >>> sorted(c.name for c in app.registered_commands)
        ['alliances', 'defend']
    """
    app.command("alliances")(alliances_command)
    app.command("defend")(defend_command)
    app.add_typer(alliance_app, name="alliance")
