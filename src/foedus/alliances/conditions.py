"""Condition details from treaty texts (``conditions.csv``) and the rules that judge conditions.

ATOP codes *that* an obligation is limited (DEFCOLOC = 1: "conditional upon conflict in a
particular location"), not *what* the limit is. A condition is therefore judged only when the
inputs and a detail row together decide it; otherwise the verdict is "cannot be judged", with the
reason. Nothing is guessed. Token language and rules: docs/alliances.md ("Condition details").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from foedus.alliances.states import StateTable
from foedus.errors import InvalidValueError, UnknownStateError

DETAILS_PATH = Path(__file__).with_name("conditions.csv")

Verdict = Literal["met", "unmet", "cannot be judged"]
MET: Verdict = "met"
UNMET: Verdict = "unmet"
CBJ: Verdict = "cannot be judged"


def _span(a: int, b: int) -> frozenset[int]:
    return frozenset(range(a, b + 1))


#: Regions as lists of COW codes (geographic groupings of COW's code blocks; see docs).
REGIONS: dict[str, frozenset[int]] = {
    "north_america": frozenset({2, 20, 70}),
    "caribbean": _span(31, 60),
    "central_america": _span(80, 95),
    "south_america": _span(100, 165),
    "americas": _span(2, 165),
    "europe": _span(200, 399),
    "africa": _span(400, 626),
    "middle_east": _span(630, 698),
    "central_asia": _span(700, 705),
    "east_asia": _span(710, 740),
    "south_asia": _span(750, 799) - {775},
    "southeast_asia": _span(800, 899) | {775},
    "asia": _span(700, 899),
    "oceania": _span(900, 999),
}
KINDS = ("adversary", "location", "conflict", "number", "demands", "provocation", "attack",
         "request", "other", "note")
_WORD_TOKENS = {"members", "target", "major", "nonmember", "any"}


@dataclass(frozen=True)
class Location:
    """Where the attack happens: a state's territory or a region.

    Example:
        >>> Location("region", region="europe").label
        'region:europe'
    """

    kind: Literal["state", "region"]
    ccode: int | None = None
    region: str | None = None
    abb: str | None = None

    @property
    def label(self) -> str:
        return f"region:{self.region}" if self.kind == "region" else f"{self.abb} ({self.ccode})"


def parse_location(value: str | int | None, states: StateTable) -> Location | None:
    """A location from a state (code, abbreviation, name) or a region name (``europe``,
    ``region:east_asia``).

    Example:
        >>> import polars as pl
        >>> from datetime import date
        >>> t = StateTable(pl.DataFrame({"ccode": [740], "cw_abb": ["JPN"], "cw_name": ["Japan"],
        ...     "start": [date(1952, 4, 28)], "end": [date(2016, 12, 31)]}))
        >>> parse_location("JPN", t).label, parse_location("Europe", t).label
        ('JPN (740)', 'region:europe')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    region = text.lower().removeprefix("region:").replace(" ", "_").replace("-", "_")
    if region in REGIONS:
        return Location("region", region=region)
    state = states.find(text)
    if state is None:
        raise UnknownStateError(
            f"unknown location '{value}'", where="--location",
            fix=states.suggest(text) + "; or a region: " + ", ".join(REGIONS),
        )
    return Location("state", ccode=state.ccode, abb=state.abb)


@dataclass(frozen=True)
class Detail:
    """One row of ``conditions.csv`` with states resolved to COW codes."""

    line: int
    atopid: int
    phases: frozenset[int] | None
    members: frozenset[int] | None
    partners: frozenset[int] | None
    obligation: str
    clause: str
    kind: str
    met_if: tuple[str, ...]
    open_if: tuple[str, ...]
    text: str
    source: str

    def applies(self, atopid: int | None, phase: int, member: int, obligation: str) -> bool:
        """Whether the row is about this member's obligation in this alliance phase."""
        return (
            atopid == self.atopid
            and (self.phases is None or phase in self.phases)
            and (self.members is None or member in self.members)
            and (self.obligation == "*" or self.obligation == obligation)
        )

    def covers(self, partner: int) -> bool:
        """Whether the row's clause covers an obligation toward ``partner``."""
        return self.partners is None or partner in self.partners


def _states(text: str, states: StateTable, line: int) -> frozenset[int] | None:
    text = text.strip()
    if text in ("", "*"):
        return None
    codes = set()
    for token in text.split():
        state = states.find(token)
        if state is None:
            raise UnknownStateError(f"unknown state '{token}'",
                                    where=f"{DETAILS_PATH.name}, line {line}",
                                    fix=states.suggest(token))
        codes.add(state.ccode)
    return frozenset(codes)


def _check_tokens(tokens: Iterable[str], kind: str, states: StateTable, line: int) -> None:
    where = f"{DETAILS_PATH.name}, line {line}"
    for index, token in enumerate(tokens):
        if kind == "number" and index == 0:
            if not (token[:2] in (">=", "<=", "==") and token[2:].isdigit()):
                raise InvalidValueError(f"number rule must start with >=N, <=N or ==N, not "
                                        f"'{token}'", where=where, fix="e.g. '>=2 major'")
            continue
        base, _, region = token.partition("@") if token.startswith("members@") else (token, "", "")
        if token.startswith("region:"):
            region = token.split(":", 1)[1]
        if region and region not in REGIONS:
            raise InvalidValueError(f"unknown region '{region}'", where=where,
                                    fix="use one of: " + ", ".join(REGIONS))
        if token.startswith("region:") or base in _WORD_TOKENS:
            continue
        if states.find(token) is None:
            raise UnknownStateError(f"unknown token or state '{token}'", where=where,
                                    fix=states.suggest(token))


def load_details(states: StateTable, path: Path = DETAILS_PATH) -> list[Detail]:
    """Read and validate ``conditions.csv`` (states checked against the COW list).

    Example:
        >>> details = load_details(data.states)  # doctest: +SKIP
        >>> sorted({d.atopid for d in details})[:3]  # doctest: +SKIP
        [1335, 1350, 1385]
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [(n, line) for n, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    records = list(csv.reader(io.StringIO("\n".join(line for _, line in kept))))
    header = [h.strip() for h in records[0]]
    out = []
    for (line, _), record in zip(kept[1:], records[1:], strict=True):
        row = dict(zip(header, (v.strip() for v in record), strict=True))
        where = f"{path.name}, line {line}"
        kind = row["kind"]
        if kind not in KINDS:
            raise InvalidValueError(f"unknown kind '{kind}'", where=where,
                                    fix="use one of: " + ", ".join(KINDS))
        met_if = tuple(row["met_if"].split())
        open_if = tuple(row["open_if"].split())
        _check_tokens(met_if, kind, states, line)
        _check_tokens(open_if, kind, states, line)
        phases = frozenset(int(p) for p in row["phases"].split()) if row["phases"] else None
        out.append(Detail(
            line=line, atopid=int(row["atopid"]), phases=phases,
            members=_states(row["members"], states, line),
            partners=_states(row["partners"], states, line), obligation=row["obligation"] or "*",
            clause=row["clause"], kind=kind, met_if=met_if, open_if=open_if, text=row["text"],
            source=row["source"],
        ))
    return out


# ---------------------------------------------------------------------------------------------
# judging
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What a rule may look at: the scenario and the alliance that year."""

    year: int
    partner: int
    partner_attacked: bool
    adversaries: tuple[int, ...]
    location: Location | None
    provoked: bool | None
    members: frozenset[int]
    majors: frozenset[int] | None
    labels: dict[int, str]

    def name(self, ccode: int) -> str:
        return self.labels.get(ccode, str(ccode))


def _match_state(token: str, ccode: int, ctx: Context, states: StateTable) -> bool | None:
    """Whether a state matches a token (``None``: cannot tell, e.g. major powers after 2016)."""
    if token == "any":
        return True
    if token == "target":
        return ccode == ctx.partner
    if token == "members":
        return ccode in ctx.members
    if token.startswith("members@"):
        return ccode in ctx.members and ccode in REGIONS[token.split("@", 1)[1]]
    if token.startswith("region:"):
        return ccode in REGIONS[token.split(":", 1)[1]]
    if token == "nonmember":
        return ccode not in ctx.members
    if token == "major":
        return None if ctx.majors is None else ccode in ctx.majors
    state = states.find(token)
    return state is not None and state.ccode == ccode


def _tier(token: str) -> int:
    if token.startswith("region:") or token == "any":
        return 3
    if token in ("members", "target", "nonmember", "major") or token.startswith("members@"):
        return 2
    return 1


def judge_location(d: Detail, ctx: Context, states: StateTable) -> tuple[Verdict, str]:
    """Location rule: explicit states first, then member/target tokens, then regions."""
    loc = ctx.location
    if loc is None:
        return CBJ, "no location given"
    if loc.kind == "region":
        return _judge_region(d, loc.region or "", ctx, states)
    assert loc.ccode is not None
    for tier in (1, 2, 3):
        if any(_tier(t) == tier and _match_state(t, loc.ccode, ctx, states) for t in d.met_if):
            return MET, f"{loc.label} is within the treaty's scope"
        if any(_tier(t) == tier and _match_state(t, loc.ccode, ctx, states) for t in d.open_if):
            return CBJ, f"whether {loc.label} is within the scope depends on more than the state"
    return UNMET, f"{loc.label} is outside the treaty's scope"


def _token_states(token: str, ctx: Context, states: StateTable) -> frozenset[int]:
    if token == "any":
        return REGIONS["americas"].union(*REGIONS.values())
    if token in ("nonmember", "major"):
        return frozenset()
    if token.startswith("region:"):
        return REGIONS[token.split(":", 1)[1]]
    if token == "members":
        return ctx.members
    if token.startswith("members@"):
        return ctx.members & REGIONS[token.split("@", 1)[1]]
    if token == "target":
        return frozenset({ctx.partner})
    state = states.find(token)
    return frozenset({state.ccode}) if state else frozenset()


def _judge_region(d: Detail, region: str, ctx: Context, states: StateTable) -> tuple[Verdict, str]:
    area = REGIONS[region]
    for token in d.met_if:
        if (token.startswith("region:") and area <= REGIONS[token.split(":", 1)[1]]) or token == "any":
            return MET, f"region {region} lies within the treaty's scope"
    for token in d.met_if + d.open_if:
        if _token_states(token, ctx, states) & area:
            return CBJ, f"a location given as region {region} is too coarse for this treaty's scope"
    return UNMET, f"region {region} is outside the treaty's scope"


def judge_adversary(d: Detail, ctx: Context, states: StateTable) -> tuple[Verdict, str]:
    """Adversary rule: met if any adversary matches ``met_if``."""
    if not ctx.adversaries:
        return CBJ, "no attacker given"
    names = ", ".join(ctx.name(a) for a in ctx.adversaries)
    unknown = False
    for token in d.met_if:
        for a in ctx.adversaries:
            hit = _match_state(token, a, ctx, states)
            if hit:
                return MET, f"{ctx.name(a)} is an adversary the clause names"
            unknown = unknown or hit is None
    for token in d.open_if:
        for a in ctx.adversaries:
            if _match_state(token, a, ctx, states) is not False:
                return CBJ, f"whether {ctx.name(a)} is covered cannot be told from the inputs"
    if unknown:
        return CBJ, "major-power status is not known for this year"
    return UNMET, f"the clause does not cover an attack by {names}"


def judge_number(d: Detail, ctx: Context, states: StateTable) -> tuple[Verdict, str]:
    """Number rule, e.g. ``>=2 major nonmember``: count adversaries with all qualifiers."""
    if not ctx.adversaries:
        return CBJ, "no attacker given"
    comparator, qualifiers = d.met_if[0], d.met_if[1:]
    count = 0
    for a in ctx.adversaries:
        hits = [_match_state(q, a, ctx, states) for q in qualifiers]
        if any(h is None for h in hits):
            return CBJ, "major-power status is not known for this year"
        count += all(hits)
    n = int(comparator[2:])
    ok = {">=": count >= n, "<=": count <= n, "==": count == n}[comparator[:2]]
    what = " ".join(qualifiers) or "adversaries"
    return (MET if ok else UNMET), f"{count} {what} attacking; the clause needs {comparator}"


def judge_detail(d: Detail, ctx: Context, states: StateTable) -> tuple[Verdict, str]:
    """Judge one detail row against the scenario."""
    if d.kind == "location":
        return judge_location(d, ctx, states)
    if d.kind in ("adversary", "conflict") and d.met_if:
        return judge_adversary(d, ctx, states)
    if d.kind == "number":
        return judge_number(d, ctx, states)
    return judge_generic(d.kind, ctx)


def judge_generic(kind: str, ctx: Context, *, threat: str = "") -> tuple[Verdict, str]:
    """Judge a condition that ATOP codes but no detail row explains: only what the inputs decide."""
    partner = ctx.name(ctx.partner)
    if kind == "provocation":
        if not ctx.partner_attacked:
            return CBJ, f"{partner} is not the attacked party in this scenario"
        if ctx.provoked is None:
            return CBJ, f"the inputs do not say whether {partner} provoked the attack"
        return (UNMET, f"{partner} provoked the attack (input)") if ctx.provoked else (
            MET, f"{partner} did not provoke the attack (input)")
    if kind == "attack":
        if ctx.partner_attacked:
            return MET, f"{partner} is attacked in this scenario"
        return UNMET, f"{partner} is the attacker here, not attacked"
    if kind == "adversary":
        if not ctx.adversaries:
            return CBJ, "no attacker given"
        hint = f"; the treaty names {threat} as a threat (STATTHR)" if threat else ""
        return CBJ, "ATOP codes that the obligation is limited to a particular adversary, not " \
            f"which one{hint}"
    if kind == "location":
        if ctx.location is None:
            return CBJ, "no location given"
        return CBJ, "ATOP codes a location limit, not which location (no treaty detail recorded)"
    if kind == "number":
        if not ctx.adversaries:
            return CBJ, "no attacker given"
        return CBJ, "ATOP codes a limit on the number of adversaries, not the number"
    if kind == "conflict":
        return CBJ, "limited to a particular ongoing conflict; ATOP does not code which"
    if kind == "demands":
        return CBJ, "depends on demands detailed in the agreement"
    if kind == "request":
        return CBJ, "depends on whether an ally requests consultation"
    return CBJ, "contingent on a condition ATOP does not specify (OLIMOB)"
