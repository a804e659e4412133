"""Apply a scenario's alliance changes to a private copy of the alliance data.

:func:`apply` copies the :class:`~foedus.alliances.data.AllianceData` of the warehouse (the
cached original is never touched), resolves every state and alliance the scenario names (errors
carry the scenario's key path) and changes membership spells:

* ``[[pact]]``: a new alliance (key ``scenario:<id>``) whose members owe each other the listed
  obligations from 1 January of the base year, limited by the listed ATOP condition codes (judged
  by the engine's generic rules, :func:`foedus.alliances.defence.judge`);
* ``[[exit]]``: the member's spells in that alliance end on 31 December of the previous year;
* ``[[join]]``: new members with the obligations and conditions of the alliance's latest phase
  (copied from a current member's row);
* ``[[condition]]``: the members' ATOP condition codes are replaced (``set``) or edited
  (``add``/``remove``); the treaty-detail rows of ``conditions.csv`` no longer apply to them.

Every changed spell has ``source = "scenario"``, so the engine reports its basis as ``scenario``.

Example:
    >>> from foedus.scenarios.spec import parse_scenario
    >>> s = parse_scenario('format = 1\\nyear = 2010\\n[[exit]]\\nstate = "USA"\\nalliance = "NATO"')
    >>> data, changes = apply(s, get_data(wh))  # doctest: +SKIP
    >>> changes[0]["text"]  # doctest: +SKIP
    'USA leaves North Atlantic Treaty Organization (3180) before 2010'
"""

from __future__ import annotations

import copy
from typing import Any

from foedus.alliances.data import OPEN, AllianceData, AllianceInfo, Spell
from foedus.alliances.states import State
from foedus.errors import FoedusError, ScenarioFileError
from foedus.scenarios.spec import Scenario

__all__ = ["apply", "copy_data", "resolve_state"]


def copy_data(data: AllianceData) -> AllianceData:
    """A copy whose spells and alliance list can be changed without touching ``data``."""
    new = copy.copy(data)
    new.spells = [copy.copy(s) for s in data.spells]
    new.info = dict(data.info)
    new._years = {}
    return new


def resolve_state(data: AllianceData, value: str, year: int, where: str) -> State:
    """A state of the COW list that exists in ``year``; otherwise a ScenarioFileError at ``where``.

    Example:
        >>> resolve_state(data, "EST", 2026, "x.toml: attack.target").abb  # doctest: +SKIP
        'EST'
    """
    state = data.states.find(value)
    if state is None:
        raise ScenarioFileError(f"unknown state '{value}'", where=where,
                                fix=data.states.suggest(value))
    if not state.in_system(year):
        raise ScenarioFileError(f"{state.label()} ({state.name}) is not a state in {year}",
                                where=where, fix="choose a state that exists in the base year")
    return state


def _alliance(data: AllianceData, value: str, where: str) -> str:
    from foedus.alliances.registry import resolve_alliance

    try:
        return resolve_alliance(value, data)
    except FoedusError as exc:
        raise ScenarioFileError(exc.what, where=where, fix=exc.fix) from None


def apply(scenario: Scenario, data: AllianceData) -> tuple[AllianceData, list[dict[str, Any]]]:
    """The scenario's alliance system (a copy of ``data``) and a list of the changes made."""
    year = scenario.year
    src = scenario.source
    changes: list[dict[str, Any]] = []
    if not scenario.changes_alliances:
        return data, changes
    new = copy_data(data)
    start = year * 10_000 + 101
    for pact in scenario.pacts:
        key = f"scenario:{pact.id}"
        if key in new.info:
            raise ScenarioFileError(f"pact id '{pact.id}' is taken", where=f"{src}: {pact.path}.id",
                                    fix="choose another id")
        members = [resolve_state(new, m, year, f"{src}: {pact.path}.members[{i}]")
                   for i, m in enumerate(pact.members)]
        codes = [m.ccode for m in members]
        if len(set(codes)) != len(codes):
            raise ScenarioFileError("a member is listed twice (by two names)",
                                    where=f"{src}: {pact.path}.members", fix="list each state once")
        new.info[key] = AllianceInfo(key, None, pact.name, "scenario", (1,))
        for m in members:
            new.spells.append(Spell(
                key=key, atopid=None, phase=1, member=m.ccode, start=start, end=OPEN,
                first_year=year, last_year=None, obligations=frozenset(pact.obligations),
                conditions=pact.conditions, olimob=False, obvary=False, source="scenario",
                signed_only=pact.status == "signed",
            ))
        changes.append({"kind": "pact", "alliance_id": key, "states": [m.abb for m in members],
                        "obligations": list(pact.obligations),
                        "conditions": list(pact.conditions), "status": pact.status,
                        "text": f"new pact {pact.name} ({', '.join(m.abb for m in members)}): "
                                f"{', '.join(pact.obligations)}"
                                + (f", conditions {', '.join(pact.conditions)}"
                                   if pact.conditions else ", unconditional")
                                + f", {pact.status} from {year}"})
    for ex in scenario.exits:
        state = resolve_state(new, ex.state, year, f"{src}: {ex.path}.state")
        key = _alliance(new, ex.alliance, f"{src}: {ex.path}.alliance")
        spells = [s for s in new.spells if s.key == key and s.member == state.ccode
                  and s.active(year)]
        if not spells:
            raise ScenarioFileError(
                f"{state.abb} is not a member of {new.name(key)} ({key}) in {year}",
                where=f"{src}: {ex.path}", fix="an exit needs a member; check the state and year")
        for s in spells:
            s.end = (year - 1) * 10_000 + 1231
            s.last_year = year - 1
            s.source = "scenario"
        changes.append({"kind": "exit", "alliance_id": key, "states": [state.abb],
                        "text": f"{state.abb} leaves {new.name(key)} ({key}) before {year}"})
    for join in scenario.joins:
        key = _alliance(new, join.alliance, f"{src}: {join.path}.alliance")
        current = [s for s in new.spells if s.key == key and s.active(year)]
        if not current:
            raise ScenarioFileError(f"{new.name(key)} ({key}) has no members in {year}",
                                    where=f"{src}: {join.path}.alliance",
                                    fix="enlarge an alliance that is in force in the base year")
        phase = max(s.phase for s in current)
        latest = [s for s in current if s.phase == phase]
        template = max(latest, key=lambda s: (len(s.obligations), -s.member))
        added = []
        for i, value in enumerate(join.states):
            state = resolve_state(new, value, year, f"{src}: {join.path}.states[{i}]")
            if any(s.member == state.ccode for s in current):
                raise ScenarioFileError(
                    f"{state.abb} is already a member of {new.name(key)} in {year}",
                    where=f"{src}: {join.path}.states[{i}]", fix="remove it from the list")
            new.spells.append(Spell(
                key=key, atopid=template.atopid, phase=phase, member=state.ccode, start=start,
                end=OPEN, first_year=year, last_year=None, obligations=template.obligations,
                conditions=template.conditions, olimob=template.olimob, obvary=False,
                source="scenario", row=template.row,
            ))
            added.append(state.abb)
        changes.append({"kind": "join", "alliance_id": key, "states": added,
                        "text": f"{', '.join(added)} join {new.name(key)} ({key}) in {year} with "
                                f"the obligations of {new.states.abb(template.member)} "
                                f"({', '.join(sorted(template.obligations))})"})
    for change in scenario.conditions:
        key = _alliance(new, change.alliance, f"{src}: {change.path}.alliance")
        wanted = {resolve_state(new, v, year, f"{src}: {change.path}.states[{i}]").ccode
                  for i, v in enumerate(change.states)}
        spells = [s for s in new.spells if s.key == key and s.active(year)
                  and (not wanted or s.member in wanted)]
        if not spells:
            raise ScenarioFileError(f"no member of {new.name(key)} in {year} matches",
                                    where=f"{src}: {change.path}", fix="check states and year")
        for s in spells:
            conds = list(change.set) if change.set is not None else list(s.conditions)
            conds = [c for c in conds if c not in change.remove]
            conds += [c for c in change.add if c not in conds]
            s.conditions = tuple(conds)
            s.atopid = None  # the treaty-detail rows no longer describe these conditions
            s.source = "scenario"
        changes.append({"kind": "condition", "alliance_id": key,
                        "states": sorted({new.states.abb(s.member) for s in spells}),
                        "text": f"conditions of {new.name(key)} ({key}) changed for "
                                f"{len({s.member for s in spells})} members: "
                                + ("set " + (", ".join(change.set) or "none")
                                   if change.set is not None else "")
                                + (" add " + ", ".join(change.add) if change.add else "")
                                + (" remove " + ", ".join(change.remove) if change.remove else "")})
    return new, changes
