"""The collective-defence engine: who is bound to come to the aid of a state attacked in a year.

:func:`responders` answers, from ATOP 5.1 (and the curated file after 2018):

* every state with an obligation toward the target that year — treaty, obligation type, and each
  condition with a verdict: met, unmet, or cannot be judged from the inputs (never guessed);
* neutrality and non-aggression pledges toward the attacker, the attacker's own pledges toward
  the target, and the attacker's offensive allies;
* the escalation tree: states drawn in because a responder is itself attacked in turn, to any
  depth, each state once (cycles cut);
* coalition capability on each side: CINC sums and shares and the NMC components.

Semantics, condition rules and cross-checks: docs/alliances.md.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

import polars as pl

from foedus.alliances.codebook import CONDITIONS, OBLIGATIONS, OBVARY_MEANING, OLIMOB_MEANING
from foedus.alliances.conditions import (
    CBJ,
    MET,
    UNMET,
    Context,
    Detail,
    Location,
    Verdict,
    judge_detail,
    judge_generic,
    load_details,
    parse_location,
)
from foedus.alliances.curated import Curated
from foedus.alliances.data import (
    NMC_COLUMNS,
    AllianceData,
    Spell,
    check_year,
    coverage_text,
    get_data,
    ymd_date,
)
from foedus.alliances.states import State
from foedus.errors import FoedusError

Overall = Literal["unconditional", "met", "unmet", "cannot be judged"]
#: Verdicts under which an obligation may apply (everything but "unmet").
APPLIES: frozenset[str] = frozenset({"unconditional", "met", "cannot be judged"})
#: Verdicts under which it certainly applies.
CERTAIN: frozenset[str] = frozenset({"unconditional", "met"})


@dataclass(frozen=True)
class ConditionCheck:
    """One condition of an obligation and its verdict for the scenario."""

    kind: str
    variable: str
    clause: str | None
    verdict: Verdict
    reason: str
    meaning: str
    detail: str | None
    source: str | None


@dataclass(frozen=True)
class Obligation:
    """State ``state`` owes ``partner`` an obligation of type ``kind`` under an alliance."""

    state: int
    state_abb: str
    state_name: str
    partner: int
    partner_abb: str
    alliance_id: str
    atopid: int | None
    alliance: str
    phase: int
    kind: str
    verdict: Overall
    conditions: tuple[ConditionCheck, ...]
    status: str
    basis: str
    entered: date | None
    left: date | None
    partner_specific: bool
    notes: tuple[str, ...]
    facts: tuple[str, ...]

    @property
    def bound(self) -> bool:
        """Certainly bound: unconditional or every condition met, and in force (not suspended)."""
        return self.verdict in CERTAIN and self.status == "in force"

    @property
    def possible(self) -> bool:
        """May be bound: no condition rules it out (any status)."""
        return self.verdict in APPLIES

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["bound"] = self.bound
        return out


@dataclass(frozen=True)
class EscalationNode:
    """A state drawn into the war: by which state's call, under which alliance, at what depth."""

    ccode: int
    abb: str
    name: str
    depth: int
    drawn_in_by: int
    drawn_in_by_abb: str
    alliance_id: str
    alliance: str
    verdict: Overall
    status: str
    bound: bool
    path: tuple[str, ...]
    also_owes_attacker: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class DefenceAnalysis:
    """Everything :func:`responders` found for one target, year and scenario."""

    target: State
    year: int
    attackers: tuple[State, ...]
    location: str | None
    provoked: bool | None
    toward_target: tuple[Obligation, ...]
    attacker_pledges_to_target: tuple[Obligation, ...]
    pledges_to_attacker: tuple[Obligation, ...]
    offensive_allies: tuple[Obligation, ...]
    escalation: tuple[EscalationNode, ...]
    capabilities: pl.DataFrame
    notes: tuple[str, ...]

    @property
    def defence(self) -> tuple[Obligation, ...]:
        """Defence obligations toward the target (every verdict)."""
        return tuple(o for o in self.toward_target if o.kind == "defense")

    def responder_codes(self, *, certain: bool = False) -> list[int]:
        """States with a defence obligation toward the target that may apply (or certainly does).

        Example:
            >>> a = responders("JPN", 2010, warehouse=wh)  # doctest: +SKIP
            >>> a.responder_codes()  # doctest: +SKIP
            [2]
        """
        keep = (lambda o: o.bound) if certain else (lambda o: o.possible)
        return sorted({o.state for o in self.defence if keep(o)})

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready document."""
        return {
            "target": asdict(self.target) | {"spells": None},
            "year": self.year,
            "attackers": [asdict(a) | {"spells": None} for a in self.attackers],
            "location": self.location,
            "provoked": self.provoked,
            "responders": self.responder_codes(),
            "responders_certain": self.responder_codes(certain=True),
            "toward_target": [o.to_dict() for o in self.toward_target],
            "attacker_pledges_to_target": [o.to_dict() for o in self.attacker_pledges_to_target],
            "pledges_to_attacker": [o.to_dict() for o in self.pledges_to_attacker],
            "offensive_allies": [o.to_dict() for o in self.offensive_allies],
            "escalation": [n.to_dict() for n in self.escalation],
            "capabilities": self.capabilities.to_dicts(),
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------------------------
# judging one obligation
# ---------------------------------------------------------------------------------------------
def _details(data: AllianceData, atopid: int | None) -> list[Detail]:
    """Condition-detail rows of one alliance (loaded and indexed once per data set)."""
    cached: dict[int, list[Detail]] | None = getattr(data, "_condition_details", None)
    if cached is None:
        cached = {}
        for d in load_details(data.states):
            cached.setdefault(d.atopid, []).append(d)
        data._condition_details = cached  # type: ignore[attr-defined]
    return cached.get(atopid, []) if atopid is not None else []


def _labels(data: AllianceData, codes: Sequence[int]) -> dict[int, str]:
    return {c: data.states.abb(c) for c in codes}


def _members(data: AllianceData, key: str, year: int) -> frozenset[int]:
    return data.members_in(key, year)


def _threats(data: AllianceData, spell: Spell) -> str:
    return " and ".join(data.states.abb(c) for c in data.threats(spell))


def judge(
    data: AllianceData,
    spell: Spell,
    partner: int,
    kind: str,
    year: int,
    *,
    adversaries: tuple[int, ...],
    location: Location | None,
    provoked: bool | None,
    partner_attacked: bool,
) -> tuple[Overall, tuple[ConditionCheck, ...], tuple[str, ...]]:
    """Verdict, condition checks and notes for ``spell.member``'s obligation ``kind`` to ``partner``."""
    ctx = Context(
        year=year, partner=partner, partner_attacked=partner_attacked, adversaries=adversaries,
        location=location, provoked=provoked, members=_members(data, spell.key, year),
        majors=data.majors_in(year),
        labels=_labels(data, (partner, *adversaries)),
    )
    coded = [v for v in spell.conditions if CONDITIONS[v].obligation == kind]
    rows = [d for d in _details(data, spell.atopid)
            if d.applies(spell.atopid, spell.phase, spell.member, kind)]
    notes = [d.text for d in rows if d.kind == "note" and d.covers(partner)]
    rules = [d for d in rows if d.kind != "note"]
    if spell.obvary:
        notes.append(OBVARY_MEANING)
    generic: list[ConditionCheck] = []
    covered = {d.kind for d in rules}
    for variable in coded:
        code = CONDITIONS[variable]
        if code.kind in covered:
            continue
        verdict, reason = judge_generic(code.kind, ctx, threat=_threats(data, spell)
                                        if code.kind == "adversary" else "")
        generic.append(ConditionCheck(code.kind, variable, None, verdict, reason,
                                      code.label(1), None, None))
    if spell.olimob:
        verdict, reason = judge_generic("other", ctx)
        generic.append(ConditionCheck("other", "olimob", None, verdict, reason, OLIMOB_MEANING,
                                      None, None))
    if not rules:
        checks = tuple(generic)
        if not checks:
            return "unconditional", checks, tuple(notes)
        verdicts = {c.verdict for c in checks}
        overall: Overall = MET if verdicts == {MET} else UNMET if verdicts == {UNMET} else CBJ
        return overall, checks, tuple(notes)
    variable_of = {CONDITIONS[v].kind: v for v in coded}
    clauses: dict[str, list[Detail]] = {}
    for d in rules:
        clauses.setdefault(d.clause, []).append(d)
    applicable = {c: ds for c, ds in clauses.items() if all(d.covers(partner) for d in ds)}
    checks_list: list[ConditionCheck] = []
    clause_verdicts = []
    generic_verdicts = {c.verdict for c in generic}
    for clause, ds in applicable.items():
        verdicts = set(generic_verdicts)
        for d in ds:
            verdict, reason = judge_detail(d, ctx, data.states)
            verdicts.add(verdict)
            meaning = (CONDITIONS[variable_of[d.kind]].label(1) if d.kind in variable_of
                       else f"treaty condition ({d.kind}) not coded separately by ATOP")
            checks_list.append(ConditionCheck(d.kind, variable_of.get(d.kind, ""), clause,
                                              verdict, reason, meaning, d.text, d.source))
        clause_verdicts.append(UNMET if UNMET in verdicts else MET if verdicts == {MET} else CBJ)
    if not applicable:
        names = ", ".join(sorted(clauses))
        notes.append(f"the treaty clauses for this obligation ({names}) do not cover "
                     f"{ctx.name(partner)}")
        return UNMET, tuple(generic), tuple(notes)
    overall = (MET if MET in clause_verdicts else
               UNMET if set(clause_verdicts) == {UNMET} else CBJ)
    return overall, tuple(checks_list + generic), tuple(notes)


def _obligation(
    data: AllianceData,
    spell: Spell,
    partner: int,
    kind: str,
    year: int,
    *,
    partner_spell: Spell | None = None,
    **scenario: Any,
) -> Obligation:
    verdict, checks, notes = judge(data, spell, partner, kind, year, **scenario)
    state = data.states.get(spell.member)
    extra = []
    status = spell.status(year)
    basis = spell.basis(year)
    if partner_spell is not None:
        other = partner_spell.status(year)
        if other == "signed" and status == "in force":
            status = "signed"
            extra.append(f"{data.states.abb(partner)} has signed but the treaty is not yet in "
                         f"force for it in {year}")
        elif other == "suspended":
            extra.append(f"{data.states.abb(partner)} has suspended its own participation "
                         "(curated)")
        if partner_spell.basis(year) == "curated" and basis != "curated":
            basis = "curated"
    if basis == "atop-carried-forward":
        extra.append("in force on 31 December 2018 (ATOP 5.1); carried forward, no later change "
                     "recorded")
    return Obligation(
        state=spell.member, state_abb=state.abb, state_name=state.name, partner=partner,
        partner_abb=data.states.abb(partner), alliance_id=spell.key, atopid=spell.atopid,
        alliance=data.name(spell.key), phase=spell.phase, kind=kind, verdict=verdict,
        conditions=checks, status=status, basis=basis,
        entered=ymd_date(spell.start), left=ymd_date(spell.end),
        partner_specific=spell.obvary, notes=tuple(notes) + tuple(extra), facts=spell.facts,
    )


def obligations_toward(
    data: AllianceData,
    partner: int,
    year: int,
    *,
    kinds: Sequence[str] = tuple(OBLIGATIONS),
    adversaries: tuple[int, ...] = (),
    location: Location | None = None,
    provoked: bool | None = None,
    partner_attacked: bool = True,
) -> list[Obligation]:
    """Every obligation of the given kinds that some state owes ``partner`` in ``year``."""
    out = []
    for spell, own in data.toward(partner, year):
        for kind in kinds:
            if kind in spell.obligations:
                out.append(_obligation(
                    data, spell, partner, kind, year, partner_spell=own, adversaries=adversaries,
                    location=location, provoked=provoked, partner_attacked=partner_attacked,
                ))
    return out


# ---------------------------------------------------------------------------------------------
# the query
# ---------------------------------------------------------------------------------------------
def _attackers(data: AllianceData, attacker: str | int | Sequence[str | int] | None) -> list[State]:
    if attacker is None:
        return []
    values = [attacker] if isinstance(attacker, str | int) else list(attacker)
    out: list[State] = []
    for v in values:
        for part in (str(v).split(",") if isinstance(v, str) else [v]):
            if str(part).strip():
                state = data.states.resolve(str(part).strip() if isinstance(part, str) else part,
                                            what="attacker")
                if state not in out:
                    out.append(state)
    return out


def responders(
    target: str | int,
    year: int,
    attacker: str | int | Sequence[str | int] | None = None,
    location: str | int | None = None,
    *,
    provoked: bool | None = None,
    depth: int | None = None,
    warehouse: Any = None,
    curated: Curated | None = None,
) -> DefenceAnalysis:
    """Who is bound to come to ``target``'s aid if it is attacked in ``year``.

    Args:
        target: the attacked state (COW code, abbreviation or name).
        year: 1815 to today (after 2018: ATOP carried forward plus curated facts).
        attacker: the attacking state(s); a list or a comma-separated string for several.
        location: where the attack happens — a state (its territory) or a region
            (``europe``, ``east_asia``…); used for location conditions.
        provoked: whether the target provoked the attack (for non-provocation conditions);
            ``None`` leaves those conditions undecided.
        depth: maximum depth of the escalation tree (``None``: unlimited).
        warehouse: a ``Warehouse``, a path, or ``None`` for the default warehouse.
        curated: curated facts (default: the packaged file).

    Returns:
        A :class:`DefenceAnalysis`.

    Example:
        >>> a = responders("JPN", 2010, attacker="PRK", warehouse=wh)  # doctest: +SKIP
        >>> [(o.state_abb, o.kind, o.verdict) for o in a.defence]  # doctest: +SKIP
        [('USA', 'defense', 'unconditional')]
    """
    data = get_data(warehouse, curated=curated)
    check_year(year)
    return _responders(data, target, year, attacker, location, provoked, depth)


def _responders(
    data: AllianceData,
    target: str | int,
    year: int,
    attacker: str | int | Sequence[str | int] | None,
    location: str | int | None,
    provoked: bool | None,
    depth: int | None,
) -> DefenceAnalysis:
    t = data.state(target)
    enemies = _attackers(data, attacker)
    if any(a.ccode == t.ccode for a in enemies):
        raise FoedusError(f"{t.label()} cannot attack itself",
                          fix="give another state as --attacker")
    loc = parse_location(location, data.states)
    adv = tuple(a.ccode for a in enemies)
    notes: list[str] = []
    if year > 2018:
        notes.append(coverage_text())
    if not t.in_system(year):
        notes.append(f"{t.label()} is not a COW system member in {year}")
    toward = [o for o in obligations_toward(data, t.ccode, year, adversaries=adv, location=loc,
                                            provoked=provoked)]
    by_attacker = [o for o in toward if o.state in adv]
    toward = [o for o in toward if o.state not in adv]
    to_attacker: list[Obligation] = []
    offensive: list[Obligation] = []
    for a in adv:
        for o in obligations_toward(data, a, year, kinds=("neutral", "nonagg", "offense"),
                                    adversaries=(t.ccode,), location=loc, provoked=None,
                                    partner_attacked=False):
            if o.state in adv:
                continue
            (offensive if o.kind == "offense" else to_attacker).append(o)
    tree = _escalation(data, t.ccode, year, adv, loc, provoked, depth, toward)
    caps, cap_notes = _capabilities(data, year, t.ccode, adv, toward, tree, offensive)
    notes.extend(cap_notes)
    return DefenceAnalysis(
        target=t, year=year, attackers=tuple(enemies),
        location=loc.label if loc else None, provoked=provoked,
        toward_target=tuple(_sorted(toward)),
        attacker_pledges_to_target=tuple(_sorted(by_attacker)),
        pledges_to_attacker=tuple(_sorted(to_attacker)),
        offensive_allies=tuple(_sorted(offensive)), escalation=tuple(tree),
        capabilities=caps, notes=tuple(notes),
    )


_KIND_ORDER = {k: i for i, k in enumerate(OBLIGATIONS)}


def _sorted(items: list[Obligation]) -> list[Obligation]:
    return sorted(items, key=lambda o: (_KIND_ORDER[o.kind], o.state_abb, o.alliance_id))


def _escalation(
    data: AllianceData,
    target: int,
    year: int,
    adv: tuple[int, ...],
    loc: Location | None,
    provoked: bool | None,
    depth: int | None,
    first: list[Obligation],
) -> list[EscalationNode]:
    """Breadth-first: each state enters once, at its shallowest depth; attackers never enter."""
    seen = {target, *adv}
    owes_attacker = _owes_attacker(data, year, adv)
    nodes: list[EscalationNode] = []
    queue: deque[tuple[int, int, tuple[str, ...], bool]] = deque()
    target_abb = data.states.abb(target)

    def add(obligations: list[Obligation], parent: int, level: int, path: tuple[str, ...],
            parent_bound: bool) -> None:
        best: dict[int, Obligation] = {}
        for o in obligations:
            if o.kind != "defense" or not o.possible or o.state in seen:
                continue
            kept = best.get(o.state)
            if kept is None or (o.bound and not kept.bound):
                best[o.state] = o
        for code in sorted(best, key=data.states.abb):
            o = best[code]
            seen.add(code)
            bound = parent_bound and o.bound
            node_path = (*path, o.state_abb)
            nodes.append(EscalationNode(
                ccode=code, abb=o.state_abb, name=o.state_name, depth=level, drawn_in_by=parent,
                drawn_in_by_abb=data.states.abb(parent), alliance_id=o.alliance_id,
                alliance=o.alliance, verdict=o.verdict, status=o.status, bound=bound,
                path=node_path, also_owes_attacker=owes_attacker.get(code, ()),
            ))
            queue.append((code, level, node_path, bound))

    add(first, target, 1, (target_abb,), True)
    while queue:
        code, level, path, bound = queue.popleft()
        if depth is not None and level >= depth:
            continue
        candidates = [
            _obligation(data, spell, code, "defense", year, adversaries=adv, location=None,
                        provoked=None, partner_attacked=True, partner_spell=own)
            for spell, own in data.toward(code, year)
            if spell.member not in seen and "defense" in spell.obligations
        ]
        add(candidates, code, level + 1, path, bound)
    return nodes


def _owes_attacker(data: AllianceData, year: int, adv: tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    out: dict[int, set[str]] = {}
    for a in adv:
        for spell, _own in data.toward(a, year):
            for kind in spell.obligations:
                out.setdefault(spell.member, set()).add(f"{kind}→{data.states.abb(a)}")
    return {k: tuple(sorted(v)) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------
# capabilities
# ---------------------------------------------------------------------------------------------
_CAP_SCHEMA: dict[str, Any] = {
    "side": pl.String, "scope": pl.String, "basis": pl.String, "states": pl.List(pl.String),
    "n_states": pl.Int64, "n_without_nmc": pl.Int64, "cinc": pl.Float64, "share": pl.Float64,
    **{c: pl.Float64 for c in NMC_COLUMNS if c != "cinc"},
}


def _capabilities(
    data: AllianceData,
    year: int,
    target: int,
    adv: tuple[int, ...],
    toward: list[Obligation],
    tree: list[EscalationNode],
    offensive: list[Obligation],
) -> tuple[pl.DataFrame, list[str]]:
    notes: list[str] = []
    values = data.nmc_year(year)
    if values is None:
        span = data.nmc_span()
        notes.append("no NMC capabilities for " + str(year) + (
            f" (NMC covers {span[0]}–{span[1]})" if span else " (the nmc table is not imported)"))
    defence = [o for o in toward if o.kind == "defense"]
    sides: list[tuple[str, str, str, list[int]]] = []
    direct_bound = {o.state for o in defence if o.bound}
    direct_possible = {o.state for o in defence if o.possible}
    sides.append(("defenders", "direct", "bound", [target, *sorted(direct_bound)]))
    sides.append(("defenders", "direct", "possible", [target, *sorted(direct_possible)]))
    sides.append(("defenders", "escalation", "bound",
                  [target, *sorted(n.ccode for n in tree if n.bound)]))
    sides.append(("defenders", "escalation", "possible", [target, *sorted(n.ccode for n in tree)]))
    if adv:
        off_bound = {o.state for o in offensive if o.bound} - {target}
        off_possible = {o.state for o in offensive if o.possible} - {target}
        sides.append(("attackers", "direct", "bound", [*adv, *sorted(off_bound - set(adv))]))
        sides.append(("attackers", "direct", "possible", [*adv, *sorted(off_possible - set(adv))]))
    rows = []
    for side, scope, basis, codes in sides:
        row: dict[str, Any] = {"side": side, "scope": scope, "basis": basis,
                               "states": [data.states.abb(c) for c in codes],
                               "n_states": len(codes)}
        missing = 0
        sums = dict.fromkeys(NMC_COLUMNS, 0.0)
        any_value = dict.fromkeys(NMC_COLUMNS, False)
        for c in codes:
            v = values.get(c) if values else None
            if v is None:
                missing += 1
                continue
            for name, x in zip(NMC_COLUMNS, v, strict=True):
                if x is not None:
                    sums[name] += x
                    any_value[name] = True
        row["n_without_nmc"] = missing
        for name in NMC_COLUMNS:
            row[name] = sums[name] if values and any_value[name] else None
        rows.append(row)
    attackers = {(r["scope"], r["basis"]): r for r in rows if r["side"] == "attackers"}
    for r in rows:
        opp = attackers.get(("direct", r["basis"])) if r["side"] == "defenders" else next(
            (x for x in rows if x["side"] == "defenders" and x["scope"] == "direct"
             and x["basis"] == r["basis"]), None)
        if r["cinc"] is None or opp is None or opp["cinc"] is None or r["cinc"] + opp["cinc"] == 0:
            r["share"] = None
        else:
            r["share"] = r["cinc"] / (r["cinc"] + opp["cinc"])
    return pl.DataFrame(rows, schema=_CAP_SCHEMA), notes
