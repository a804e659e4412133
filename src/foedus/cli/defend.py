"""``foedus defend TARGET --year Y``: who is bound to come to a state's aid if it is attacked,
under which treaty and condition, who is drawn in next (``docs/cli-alliances.md``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.cli.alliances import CuratedOpt, _curated

app = typer.Typer()


@app.command("defend")
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


