"""``foedus dyad A B``: two states' military relationship, every instrument year by year, alliance
obligations, disputes, similarity and the engagement index (``docs/cli-engagement.md``)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import typer
from rich.table import Table

from foedus.cli._support import JsonOpt, WarehouseOpt, err, out
from foedus.cli._support import emit_json as _emit_json
from foedus.cli._support import run as _run
from foedus.errors import FoedusError

app = typer.Typer()

_NAMES = {"defense": "def", "offense": "off", "neutral": "neu", "nonagg": "nonagg",
          "consul": "consult"}  # fmt: skip


def _fmt(value: Any, spec: str = ",.0f", empty: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    return format(value, spec)


def _nonzero(value: Any, spec: str = ",.0f") -> str:
    return "" if not value else _fmt(value, spec)


def _span_text(part: dict[str, Any]) -> str:
    if not part.get("years"):
        return "none"
    first, last = part["first"], part["last"]
    years = part["years"]
    return f"{first}–{last} ({years} yr)" if first != last else f"{first} (1 yr)"


def _covered(part: dict[str, Any]) -> str:
    cov = part.get("covered")
    return f"{cov[0]}–{cov[1]}" if cov else "not covered"


def _oblig(values: list[str] | None) -> str:
    if values is None:
        return ""
    return ",".join(_NAMES[v] for v in values) if values else "–"


def _summary_table(p: dict[str, Any]) -> Table:
    a, b, s = p["a"]["abb"], p["b"]["abb"], p["summary"]
    grid = Table(title=f"{p['a']['name']} ({a}, {p['a']['ccode']}) – {p['b']['name']} ({b}, "
                 f"{p['b']['ccode']}), {p['years'][0]}–{p['years'][1]}")  # fmt: skip
    for name in ("instrument", "source covers", "active", "figures"):
        grid.add_column(name)
    arms = s["arms"]
    for key, label in (("a_to_b", f"arms {a} → {b}"), ("b_to_a", f"arms {b} → {a}")):
        part = arms[key]
        peak = part["peak"]
        grid.add_row(label, _covered(arms), _span_text(part),
                     f"{part['tiv']:,.0f} m TIV; peak {_fmt(peak['value'])} ({peak['year']})"
                     if part["years"] else "")  # fmt: skip
    grid.add_row("defence cooperation (DCAs)", _covered(s["dca"]), _span_text(s["dca"]),
                 f"{s['dca']['signed']:.0f} signed" if s["dca"]["covered"] else "")  # fmt: skip
    ex = s["exercises"]
    grid.add_row("joint exercises", _covered(ex), _span_text(ex),
                 f"JME {ex['jme_exercise_years']:.0f}, MME {ex['mme_exercise_years']:.0f} "
                 "exercise-years" if ex["covered"] else "")  # fmt: skip
    if p["us_pair"]:
        tr, tp, vi = s["us_training"], s["us_troops"], s["us_visits"]
        grid.add_row("US training", _covered(tr), _span_text(tr),
                     f"{tr['students']:,.0f} students, US$ {tr['cost_usd']:,.0f}"
                     if tr["covered"] else "")  # fmt: skip
        grid.add_row("US troops", _covered(tp), _span_text(tp),
                     f"peak {_fmt(tp['peak']['value'])} ({tp['peak']['year']}); "
                     f"{_fmt(tp['latest']['value'])} in {tp['latest']['year']}"
                     if tp["peak"]["value"] is not None else "")  # fmt: skip
        grid.add_row("US defence visits", _covered(vi), _span_text(vi),
                     f"visits: {vi['visits']:.0f}" if vi["covered"] else "")  # fmt: skip
    grid.add_row("peace operations together", _covered(s["pko"]), _span_text(s["pko"]), "")
    al = s["alliance"]
    grid.add_row("alliance obligations", _covered(al), _span_text(al),
                 f"defence pledge in {al['defense_years']} yr; "
                 f"{len(al['alliances'])} shared alliance(s)")  # fmt: skip
    for key, label in (("gml", "disputes (GML MIDs)"), ("cow", "disputes (COW MIDs)")):
        d = s["disputes"][key]
        grid.add_row(label, _covered(d), _span_text(d),
                     f"{d['onsets']:.0f} onsets, highest hostility {_fmt(d['max_hostlev'])}"
                     if d["covered"] else "")  # fmt: skip
    sim = s["similarity"]
    for key, label in (("s_un_val_sq", "alliance similarity S"),
                       ("idealpointdist", "UN ideal-point distance")):  # fmt: skip
        last = sim[key]["latest"]
        grid.add_row(label, _covered(sim[key]), "",
                     f"{_fmt(last['value'], '.2f')} in {last['year']}"
                     if last["value"] is not None else "")  # fmt: skip
    en = s["engagement"]
    if p["engagement_model"] is not None:
        last, peak = en["latest"], en["peak"]
        row: dict[str, Any] = next((r for r in p["timeline"] if r["year"] == last["year"]), {})
        grid.add_row("engagement index", _covered(en), "",
                     f"{_fmt(last['value'], '.2f')} ± {_fmt(row.get('engagement_se'), '.2f')} in "
                     f"{last['year']} (percentile {_fmt(row.get('engagement_percentile'), '.1f')}); "
                     f"peak {_fmt(peak['value'], '.2f')} ({peak['year']})")  # fmt: skip
    return grid


def _alliance_table(p: dict[str, Any]) -> Table:
    a, b = p["a"]["abb"], p["b"]["abb"]
    grid = Table(title="Shared alliances (registry: ATOP 5.1 + curated facts after 2018)")
    for name in ("alliance", "ATOPID", "years", f"{a} pledges", f"{b} pledges", "basis"):
        grid.add_column(name)
    for r in p["alliances"]:
        grid.add_row(r["name"], str(r["atopid"] or r["alliance_id"]),
                     f"{r['first_year']}–{r['last_year']}", _oblig(r["obligations_a"]),
                     _oblig(r["obligations_b"]), r["basis"])  # fmt: skip
    return grid


def _timeline_text(p: dict[str, Any], all_years: bool) -> str:
    """The timeline as aligned plain text: one line a year, columns as wide as their widest cell
    (a wide terminal or a pager shows it whole; nothing is cut to fit 80 columns)."""
    a, b = p["a"]["abb"], p["b"]["abb"]
    cols = ["year", f"TIV {a}→{b}", f"TIV {b}→{a}", "DCAs", "JME/MME"]
    if p["us_pair"]:
        cols += ["US troops", "US trained", "US visits"]
    cols += ["PKO", f"{a} pledges", f"{b} pledges", "MID", "S", "UN dist", "engagement"]
    rows: list[list[str]] = []
    for r in p["timeline"]:
        if not (all_years or r["active"]):
            continue
        ex = ""
        if r["jme_joint"] is not None or r["mme_joint"] is not None:
            ex = f"{_fmt(r['jme_joint'], 'd', '–')}/{_fmt(r['mme_joint'], 'd', '–')}"
        mid = ""
        if r.get("gml_ongoing") or r.get("cow_ongoing"):
            level = r.get("gml_hostlev") or r.get("cow_hostlev")
            mid = f"#{r.get('gml_dispnum') or r.get('cow_dispnum')} h{_fmt(level)}"
        eng = ""
        if r.get("engagement") is not None:
            eng = f"{r['engagement']:.2f}±{r['engagement_se']:.2f}"
        cells = [str(r["year"]) + ("" if r["in_system"] else "*"),
                 _nonzero(r["arms_tiv_ab"]), _nonzero(r["arms_tiv_ba"]),
                 _nonzero(r["dca_active"], "d"), ex]  # fmt: skip
        if p["us_pair"]:
            cells += [_nonzero(r.get("us_troops")), _nonzero(r.get("us_training_students")),
                      _nonzero(r.get("us_visits"), "d")]  # fmt: skip
        cells += [_nonzero(r["pko_shared_missions"], "d"), _oblig(r["obligations_ab"]),
                  _oblig(r["obligations_ba"]), mid, _fmt(r["s_un_val_sq"], ".2f"),
                  _fmt(r["idealpointdist"], ".2f"), eng]  # fmt: skip
        rows.append(cells)
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        parts = [cells[0].ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    title = "Timeline" + ("" if all_years else " (years where something happens)")
    rule = "  ".join("─" * w for w in widths)
    return "\n".join([title, line(cols), rule, *(line(r) for r in rows)])


@app.command("dyad")
def dyad_cmd(
    state_a: Annotated[str, typer.Argument(metavar="A", help="State: COW code, abbreviation "
                                           "(USA) or name.")],  # fmt: skip
    state_b: Annotated[str, typer.Argument(metavar="B", help="The other state.")],
    from_: Annotated[int | None, typer.Option(
        "--from", help="First year (default: when both states first exist).")] = None,
    to: Annotated[int | None, typer.Option(
        "--to", help="Last year (default: 2024, the last instrument year).")] = None,
    engagement: Annotated[bool, typer.Option(
        "--engagement/--no-engagement",
        help="Compute the engagement index (fits the model on every dyad-year once).")] = True,
    bootstrap: Annotated[int, typer.Option(
        "--bootstrap", help="Bootstrap replicates of the engagement model (0 = none).")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    all_years: Annotated[bool, typer.Option(
        "--all-years", help="Show every year in the timeline, not only active ones.")] = False,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Profile of two states' military relationship: every instrument year by year, alliance
    obligations, disputes, similarity and the engagement index."""

    def body() -> None:
        from foedus.measures.dyad_profile import DEFAULT_LAST_YEAR, dyad_profile

        if bootstrap < 0:
            raise FoedusError("--bootstrap must be 0 or more", fix="e.g. --bootstrap 100")
        years = None
        if from_ is not None or to is not None:
            from foedus.measures.dyad_profile import resolve_state

            firsts = [resolve_state(s, warehouse=warehouse)["first_year"] or 1816
                      for s in (state_a, state_b)]  # fmt: skip
            years = (from_ if from_ is not None else max(firsts),
                     to if to is not None else DEFAULT_LAST_YEAR)  # fmt: skip
        from foedus.cli.data import progress

        with progress() as bar:  # (kept answers return at once; a first one fits the model)
            bar.add_task("profiling the dyad (the engagement model is fitted once per "
                         "warehouse and kept)", total=None)  # fmt: skip
            profile = dyad_profile(state_a, state_b, years=years, warehouse=warehouse,
                                   engagement=engagement, bootstrap=bootstrap, seed=seed)  # fmt: skip
        if as_json:
            _emit_json(profile)
            return
        out.print(_summary_table(profile))
        if profile["alliances"]:
            out.print(_alliance_table(profile))
        out.print(_timeline_text(profile, all_years), markup=False, highlight=False,
                  soft_wrap=True, crop=False)
        err.print("* = a state is not a COW system member that year; blank = nothing or not "
                  "covered; pledges: def(ence), off(ence), neu(trality), nonagg(ression), "
                  "consult(ation)")  # fmt: skip
        err.print("sources: " + ", ".join(profile["sources"]))

    _run(as_json, body)

