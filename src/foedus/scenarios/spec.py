"""Scenario files: a declarative, versioned TOML format and its validating parser.

A scenario (``format = 1``) says, for one base year, how the alliance system and the instruments of
military diplomacy change, which attack is simulated, how many Monte Carlo draws with which seed,
and (optionally) which honouring parameters to use. Syntax errors name the line (from
:mod:`tomllib`); every other error names the key path (``pact[0].members[2]``). Names of states
and alliances are checked against the warehouse later, by :func:`foedus.scenarios.overlay.apply`,
again with the key path. The format is documented in ``docs/scenarios.md``.

Example:
    >>> s = parse_scenario('''
    ... format = 1
    ... name = "demo"
    ... year = 2010
    ... [attack]
    ... attackers = ["PRK"]
    ... target = "JPN"
    ... ''')
    >>> s.year, s.attack.target, s.attack.attackers, s.draws
    (2010, 'JPN', ('PRK',), 10000)
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from foedus.errors import ScenarioFileError

__all__ = [
    "FORMAT",
    "INSTRUMENTS",
    "Attack",
    "ConditionChange",
    "Exit",
    "InstrumentChange",
    "Join",
    "Pact",
    "Scenario",
    "load_scenario",
    "parse_scenario",
]

#: The format version this parser reads.
FORMAT = 1
#: Instruments a scenario may change (and ``foedus recommend`` may propose).
INSTRUMENTS: tuple[str, ...] = ("alliance", "dca", "exercises", "arms", "training", "visits")
OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
STATUSES: tuple[str, ...] = ("in force", "signed")
MAX_DRAWS = 100_000

_TOP = {"format", "name", "description", "year", "draws", "seed", "rivals", "pact", "exit",
        "join", "condition", "instrument", "attack", "participation", "parameters"}


@dataclass(frozen=True)
class Pact:
    """A new alliance among ``members`` with their obligations and ATOP condition codes."""

    id: str
    name: str
    members: tuple[str, ...]
    obligations: tuple[str, ...]
    conditions: tuple[str, ...]
    status: str
    path: str


@dataclass(frozen=True)
class Exit:
    """``state`` leaves ``alliance`` before the base year."""

    state: str
    alliance: str
    path: str


@dataclass(frozen=True)
class Join:
    """``states`` join ``alliance`` with the obligations of its current members (enlargement)."""

    alliance: str
    states: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class ConditionChange:
    """Replace (``set``) or change (``add``/``remove``) the ATOP condition codes of an alliance."""

    alliance: str
    states: tuple[str, ...]
    set: tuple[str, ...] | None
    add: tuple[str, ...]
    remove: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class InstrumentChange:
    """``count`` more uses of an instrument between ``states`` (e.g. +3 joint exercises, a DCA)."""

    kind: str
    states: tuple[str, ...]
    count: int
    path: str


@dataclass(frozen=True)
class Attack:
    """The simulated attack."""

    attackers: tuple[str, ...]
    target: str
    location: str | None
    provoked: bool | None


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file (states and alliances not yet resolved)."""

    name: str
    description: str
    year: int
    draws: int
    seed: int
    rivals: tuple[str, ...]
    pacts: tuple[Pact, ...] = ()
    exits: tuple[Exit, ...] = ()
    joins: tuple[Join, ...] = ()
    conditions: tuple[ConditionChange, ...] = ()
    instruments: tuple[InstrumentChange, ...] = ()
    attack: Attack | None = None
    participation: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    source: str = "<string>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what was read, before resolution)."""
        out = asdict(self)
        for key in ("pacts", "exits", "joins", "conditions", "instruments"):
            for item in out[key]:
                item.pop("path", None)
        return out

    @property
    def changes_alliances(self) -> bool:
        """Whether the scenario changes the alliance system at all."""
        return bool(self.pacts or self.exits or self.joins or self.conditions)


# ---------------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, what: str, fix: str) -> ScenarioFileError:
        return ScenarioFileError(what, where=f"{self.source}: {path}", fix=fix)

    def string(self, table: dict[str, Any], key: str, path: str, *, required: bool = True,
               default: str | None = None) -> str | None:
        if key not in table:
            if required:
                raise self.fail(f"{path}.{key}".lstrip("."), f"'{key}' is missing",
                                f"add {key} = \"...\"")
            return default
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{path}.{key}".lstrip("."), f"'{key}' must be a non-empty string, "
                            f"not {value!r}", f"write {key} = \"...\"")
        return value.strip()

    def strings(self, table: dict[str, Any], key: str, path: str, *, required: bool = True,
                allowed: tuple[str, ...] | None = None, minimum: int = 0) -> tuple[str, ...]:
        where = f"{path}.{key}".lstrip(".")
        if key not in table:
            if required:
                raise self.fail(where, f"'{key}' is missing", f"add {key} = [\"...\"]")
            return ()
        value = table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(where, f"'{key}' must be a list of strings, not {value!r}",
                            f"write {key} = [\"A\", \"B\"]")
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{where}[{i}]", f"{item!r} is not a non-empty string",
                                "use quoted names")
            text = item.strip()
            if allowed is not None and text.lower() not in allowed:
                raise self.fail(f"{where}[{i}]", f"unknown value '{text}'",
                                "use one of: " + ", ".join(allowed))
            if text in out:
                raise self.fail(f"{where}[{i}]", f"'{text}' is listed twice", "list it once")
            out.append(text.lower() if allowed is not None else text)
        if len(out) < minimum:
            raise self.fail(where, f"'{key}' needs at least {minimum} entries, has {len(out)}",
                            f"list at least {minimum}")
        return tuple(out)

    def integer(self, table: dict[str, Any], key: str, path: str, *, default: int | None = None,
                low: int | None = None, high: int | None = None) -> int:
        where = f"{path}.{key}".lstrip(".")
        if key not in table:
            if default is None:
                raise self.fail(where, f"'{key}' is missing", f"add {key} = <whole number>")
            return default
        value = table[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, f"'{key}' must be a whole number, not {value!r}",
                            f"write {key} = 123")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(where, f"'{key}' = {value} is out of range",
                            f"use a value from {low} to {high}")
        return value

    def tables(self, doc: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = doc.get(key, [])
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"'{key}' must be a table array ([[{key}]])",
                            f"write each entry as [[{key}]] with its keys below")
        return [(f"{key}[{i}]", v) for i, v in enumerate(value)]

    def only(self, table: dict[str, Any], path: str, keys: set[str]) -> None:
        extra = sorted(set(table) - keys)
        if extra:
            raise self.fail(f"{path}.{extra[0]}".lstrip("."), f"unknown key '{extra[0]}'",
                            "allowed here: " + ", ".join(sorted(keys)))


def _from_doc(doc: dict[str, Any], source: str) -> Scenario:
    r = _Reader(source)
    r.only(doc, "", _TOP)
    if "format" not in doc:
        raise r.fail("format", "'format' is missing", f"start the file with format = {FORMAT}")
    if doc["format"] != FORMAT or isinstance(doc["format"], bool):
        raise r.fail("format", f"unsupported format {doc['format']!r}",
                     f"this foedus reads format = {FORMAT}")
    from foedus.alliances.data import ATOP_FIRST_YEAR, last_year

    year = r.integer(doc, "year", "", low=ATOP_FIRST_YEAR, high=last_year())
    draws = r.integer(doc, "draws", "", default=10_000, low=1, high=MAX_DRAWS)
    seed = r.integer(doc, "seed", "", default=1, low=0, high=2**63 - 1)
    pacts = []
    for path, t in r.tables(doc, "pact"):
        r.only(t, path, {"id", "name", "members", "obligations", "conditions", "status"})
        pid = r.string(t, "id", path)
        assert pid is not None
        status = (r.string(t, "status", path, required=False, default="in force") or "").lower()
        if status not in STATUSES:
            raise r.fail(f"{path}.status", f"unknown status '{status}'",
                         "use 'in force' or 'signed'")
        from foedus.alliances.codebook import CONDITIONS

        conds = r.strings(t, "conditions", path, required=False,
                          allowed=tuple(CONDITIONS))
        obligations = r.strings(t, "obligations", path, required=False, allowed=OBLIGATIONS) \
            or ("defense",)
        for i, c in enumerate(conds):
            if CONDITIONS[c].obligation not in obligations:
                raise r.fail(f"{path}.conditions[{i}]",
                             f"condition '{c}' limits the {CONDITIONS[c].obligation} obligation, "
                             "which the pact does not create", "add it to obligations or drop it")
        pacts.append(Pact(pid, r.string(t, "name", path, required=False, default=pid) or pid,
                          r.strings(t, "members", path, minimum=2), obligations, conds, status,
                          path))
    ids = [p.id for p in pacts]
    for i, pid in enumerate(ids):
        if ids.index(pid) != i:
            raise r.fail(f"pact[{i}].id", f"pact id '{pid}' is used twice", "give each its own id")
    exits = []
    for path, t in r.tables(doc, "exit"):
        r.only(t, path, {"state", "alliance"})
        exits.append(Exit(r.string(t, "state", path) or "", r.string(t, "alliance", path) or "",
                          path))
    joins = []
    for path, t in r.tables(doc, "join"):
        r.only(t, path, {"alliance", "states"})
        joins.append(Join(r.string(t, "alliance", path) or "",
                          r.strings(t, "states", path, minimum=1), path))
    changes = []
    from foedus.alliances.codebook import CONDITIONS

    for path, t in r.tables(doc, "condition"):
        r.only(t, path, {"alliance", "states", "set", "add", "remove"})
        has_set = "set" in t
        change = ConditionChange(
            r.string(t, "alliance", path) or "", r.strings(t, "states", path, required=False),
            r.strings(t, "set", path, required=False, allowed=tuple(CONDITIONS))
            if has_set else None,
            r.strings(t, "add", path, required=False, allowed=tuple(CONDITIONS)),
            r.strings(t, "remove", path, required=False, allowed=tuple(CONDITIONS)), path)
        if change.set is None and not change.add and not change.remove:
            raise r.fail(path, "a condition change needs 'set', 'add' or 'remove'",
                         "e.g. add = [\"defconpr\"]")
        changes.append(change)
    instruments = []
    for path, t in r.tables(doc, "instrument"):
        r.only(t, path, {"kind", "states", "count"})
        kind = (r.string(t, "kind", path) or "").lower()
        if kind not in INSTRUMENTS:
            raise r.fail(f"{path}.kind", f"unknown instrument '{kind}'",
                         "use one of: " + ", ".join(INSTRUMENTS))
        states = r.strings(t, "states", path, minimum=2)
        if len(states) != 2:
            raise r.fail(f"{path}.states", "an instrument links exactly two states",
                         "write states = [\"A\", \"B\"]")
        instruments.append(InstrumentChange(kind, states,
                                            r.integer(t, "count", path, default=1, low=1,
                                                      high=1000), path))
    attack = None
    if "attack" in doc:
        t = doc["attack"]
        if not isinstance(t, dict):
            raise r.fail("attack", "'attack' must be a table", "write [attack] on its own line")
        r.only(t, "attack", {"attackers", "target", "location", "provoked"})
        provoked = t.get("provoked")
        if provoked is not None and not isinstance(provoked, bool):
            raise r.fail("attack.provoked", f"'provoked' must be true or false, not {provoked!r}",
                         "write provoked = false (or leave it out: not known)")
        attackers = r.strings(t, "attackers", "attack", minimum=1)
        target = r.string(t, "target", "attack") or ""
        if target in attackers:
            raise r.fail("attack.target", f"'{target}' is both target and attacker",
                         "a state cannot attack itself")
        attack = Attack(attackers, target, r.string(t, "location", "attack", required=False),
                        provoked)
    participation: dict[str, float] = {}
    raw = doc.get("participation", {})
    if not isinstance(raw, dict):
        raise r.fail("participation", "'participation' must be a table of state = probability",
                     "write [participation] then USA = 0.0")
    for k, v in raw.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= float(v) <= 1.0:
            raise r.fail(f"participation.{k}", f"{v!r} is not a probability",
                         "give a number from 0 to 1")
        participation[k] = float(v)
    params = doc.get("parameters", {})
    if not isinstance(params, dict):
        raise r.fail("parameters", "'parameters' must be a table", "write [parameters]")
    r.only(params, "parameters", {"correlation", "table", "cannot_be_judged", "signed_only"})
    for key in ("correlation", "cannot_be_judged", "signed_only"):
        if key in params:
            v = params[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                raise r.fail(f"parameters.{key}", f"{v!r} is not a number from 0 to 1",
                             "e.g. correlation = 0.5")
    if "table" in params and not isinstance(params["table"], str):
        raise r.fail("parameters.table", "'table' must be a path string",
                     "e.g. table = \"my-honouring.csv\"")
    rivals = r.strings(doc, "rivals", "", required=False)
    return Scenario(
        name=r.string(doc, "name", "", required=False, default=Path(source).stem) or source,
        description=r.string(doc, "description", "", required=False, default="") or "",
        year=year, draws=draws, seed=seed, rivals=rivals, pacts=tuple(pacts),
        exits=tuple(exits), joins=tuple(joins), conditions=tuple(changes),
        instruments=tuple(instruments), attack=attack, participation=participation,
        parameters=dict(params), source=source,
    )


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Parse scenario TOML text (or a JSON object as text, for the REST API).

    Raises :class:`~foedus.errors.ScenarioFileError` naming the line (syntax) or key path.

    Example:
        >>> parse_scenario('format = 1\\nyear = 1700')
        Traceback (most recent call last):
        ...
        foedus.errors.ScenarioFileError: <string>: year: 'year' = 1700 is out of range. Fix: ...
    """
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioFileError(f"malformed JSON: {exc.msg}",
                                    where=f"{source}, line {exc.lineno}",
                                    fix="send a JSON object with the scenario keys") from None
        if not isinstance(doc, dict):
            raise ScenarioFileError("the scenario must be an object", where=source,
                                    fix="send {\"format\": 1, ...}")
    else:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            line = ""
            if "(at line" in message:
                line = ", line " + message.split("(at line", 1)[1].split(",")[0].strip()
                message = message.split("(at line", 1)[0].strip()
            raise ScenarioFileError(f"malformed TOML: {message}", where=f"{source}{line}",
                                    fix="check the TOML syntax on that line "
                                    "(https://toml.io)") from None
    return _from_doc(doc, source)


def load_scenario(path: str | Path) -> Scenario:
    """Read and parse a scenario file.

    Example:
        >>> load_scenario("examples/baltic-2026.toml").attack.target  # doctest: +SKIP
        'EST'
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioFileError("scenario file not found", where=str(p),
                                fix="give the path of a .toml scenario file") from None
    except UnicodeDecodeError:
        raise ScenarioFileError("the scenario file is not UTF-8 text", where=str(p),
                                fix="save it as UTF-8") from None
    scenario = parse_scenario(text, source=p.name)
    table = scenario.parameters.get("table")
    if isinstance(table, str) and not Path(table).is_absolute():
        # a parameter table is found next to the scenario file, not in the working directory
        scenario.parameters["table"] = str((p.parent / table).resolve())
    return scenario
