"""Relevant commitments: does state A's ATOP obligation toward B apply in a conflict with C?

One set of rules, read from ATOP 5.1's codes (codebook pages in :data:`RULES`; the full table is
``docs/relevant-commitments.md``), serves both the collective-defence engine (``foedus defend``)
and the conflict designs (a third party's commitment counts only where it applies against this
challenger):

* :func:`judge_condition` — one condition dummy (``defcoadv``, ``neucoatt`` …) for a scenario;
* :func:`judge_codes` — every condition of one member's obligation, combined;
* :func:`obligation_applies` — the same from a warehouse, for every alliance A and B share;
* :func:`relevant_commitments` — the vectorised form for directed dyad-years (``ptargdef``,
  ``pchalally``, ``pchaloff``, ``pchalneu``), with exactly the same rules.

A verdict is ``applies``, ``does not apply`` or ``cannot be judged`` (with the reason). Nothing is
guessed: where ATOP codes *that* an obligation is limited but not *how*, the verdict is
"cannot be judged"; treaty texts in ``conditions.csv`` refine that in the defence engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from foedus.alliances.codebook import CONDITIONS
from foedus.errors import FoedusError

Applies = Literal["applies", "does not apply", "cannot be judged"]
APPLIES: Applies = "applies"
NOT: Applies = "does not apply"
CBJ: Applies = "cannot be judged"

#: Each rule: what it says and the ATOP 5.1 codebook page (printed numbering) it rests on.
RULES: dict[str, tuple[str, str]] = {
    "member": ("A owes B only the obligations of A's own member row, in an alliance phase in "
               "which both are members and each entered before the other left (signature dates "
               "YRENT/YREXIT; the later phase codes a year two phases share)", "pp. 13–17, 54"),
    "kind": ("an obligation type A's row does not code (DEFENSE, OFFENSE, NEUTRAL, NONAGG, "
             "CONSUL = 0) does not apply", "pp. 22–23"),
    "unconditional": ("an obligation none of whose condition dummies is 1 (and OLIMOB = 0) "
                      "applies against any challenger", "pp. 23–26"),
    "adv-named": ("an adversary-limited obligation (xxxCOADV = 1) applies when the challenger is "
                  "a state ATOP names as the alliance's threat (STATTHR1/STATTHR2) and does not "
                  "apply against any other state", "pp. 24–25, 27–28"),
    "adv-unnamed": ("an adversary-limited obligation without a named threat state (SPECTHRT not "
                    "1 or 3, STATTHR = 0 or missing) cannot be judged: ATOP codes a type of "
                    "adversary, not which", "pp. 24, 27–28"),
    "con-named": ("an obligation limited to a particular ongoing conflict (xxxCOCON = 1) applies "
                  "when the challenger is a named threat state (STATTHR1/2) and does not apply "
                  "against others", "pp. 24–25, 28"),
    "con-unnamed": ("a conflict-limited obligation without a named threat state cannot be "
                    "judged", "pp. 24–25"),
    "loc-home": ("a location-limited obligation (xxxCOLOC = 1; codebook example: 'home territory "
                 "only') is met by an attack on the home territory of a party to the alliance", "pp. 24–25"),
    "loc-other": ("a location-limited obligation for a conflict elsewhere (or at a location not "
                  "given) cannot be judged: ATOP codes that a location limit exists, not where",
                  "pp. 24–25"),
    "number": ("a limit on the number of adversaries (xxxCONUM = 1: 'only in case of bilateral "
               "war' or 'only … more than one state') cannot be judged from the codes", "pp. 24–25"),
    "demands": ("a limit on demands detailed in the agreement (xxxCODEM = 1) cannot be judged",
                "pp. 24–25"),
    "provocation": ("a non-provocation limit (DEFCONPR/NEUCONPR = 1) is met if the ally did not "
                    "provoke the adversary, unmet if it did, and cannot be judged when the "
                    "scenario does not say", "pp. 24–25"),
    "attack": ("a neutrality promise conditional on the ally being attacked (NEUCOATT = 1) "
               "applies when the ally is the attacked party, not when it attacks", "p. 25"),
    "request": ("a consultation obligation conditional on an ally's request (CONCOREQ = 1) "
                "cannot be judged from the codes", "pp. 25–26"),
    "olimob": ("OLIMOB = 1: some obligation of the member is contingent on a condition the other "
               "codes do not cover, and ATOP does not say which: cannot be judged", "p. 26"),
    "secret": ("secret provisions: PUBSECR = 2 (whole treaty secret) or PUBSECR = 1 with the "
               "targets or obligations secret (SECRART 2, 3, 4) — excluded from conflict designs "
               "by default (a challenger cannot be deterred by what it cannot know); the defence "
               "engine judges them like any other obligation", "p. 18"),
    "obvary": ("OBVARY = 1: the member's obligations differ by partner; the member row's "
               "obligation is kept only where ATOP's directed dyad-year file also codes it for "
               "this pair and year", "pp. 26, 54"),
}  # fmt: skip

#: SECRART values that hide targets or obligations (p. 18).
SECRET_CONTENT = frozenset({2, 3, 4})


@dataclass(frozen=True)
class ConditionVerdict:
    """One condition dummy of an obligation and the verdict for a scenario."""

    variable: str
    kind: str
    verdict: Applies
    reason: str
    rule: str

    @property
    def page(self) -> str:
        """Codebook page(s) of the rule."""
        return RULES[self.rule][1]


@dataclass(frozen=True)
class Applicability:
    """Whether A's obligation ``kind`` toward B under one alliance applies against a challenger.

    Example:
        >>> a = judge_codes({"defense": 1}, "defense", partner=290, challengers=(365,))
        >>> a.verdict, a.rules
        ('applies', ('unconditional',))
    """

    kind: str
    verdict: Applies
    conditions: tuple[ConditionVerdict, ...]
    rules: tuple[str, ...]
    secret: bool = False
    state: int | None = None
    partner: int | None = None
    atopid: int | None = None
    phase: int | None = None
    year: int | None = None

    @property
    def reason(self) -> str:
        """All condition reasons in one sentence (or why the obligation is unconditional)."""
        if not self.conditions:
            return RULES[self.rules[0]][0] if self.rules else ""
        return "; ".join(f"{c.variable.upper()}: {c.reason}" for c in self.conditions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "state": self.state, "partner": self.partner, "atopid": self.atopid,
            "phase": self.phase, "year": self.year, "kind": self.kind, "verdict": self.verdict,
            "reason": self.reason, "secret": self.secret,
            "conditions": [{"variable": c.variable, "kind": c.kind, "verdict": c.verdict,
                            "reason": c.reason, "rule": c.rule, "codebook": c.page}
                           for c in self.conditions],
            "rules": [{"rule": r, "text": RULES[r][0], "codebook": RULES[r][1]}
                      for r in self.rules],
        }  # fmt: skip


def _threats(codes: Mapping[str, Any]) -> tuple[int, ...]:
    out = []
    for name in ("statthr1", "statthr2"):
        value = codes.get(name)
        if value is not None and int(value) > 0:
            out.append(int(value))
    return tuple(out)


def is_secret(pubsecr: int | None, secrart: int | None) -> bool:
    """Whether the treaty's obligations or targets were to stay secret (rule ``secret``, p. 18).

    Example:
        >>> is_secret(2, 8), is_secret(1, 3), is_secret(1, 7), is_secret(0, 0)
        (True, True, False, False)
    """
    if pubsecr == 2:
        return True
    return pubsecr == 1 and secrart is not None and int(secrart) in SECRET_CONTENT


def judge_condition(
    variable: str,
    *,
    challengers: Sequence[int],
    threats: Sequence[int] = (),
    location: int | None = None,
    location_known: bool = True,
    members: Iterable[int] = (),
    partner_attacked: bool = True,
    provoked: bool | None = None,
) -> ConditionVerdict:
    """Judge one ATOP condition dummy (coded 1) for a scenario.

    Args:
        variable: the condition dummy (``defcoadv``, ``neucoatt``, ``olimob`` …).
        challengers: the partner's adversaries in the conflict (COW codes).
        threats: the alliance's named threat states (STATTHR1/STATTHR2, zeros left out).
        location: the COW code of the state on whose territory the conflict takes place
            (``None``: a region or no location).
        location_known: ``False`` when no location was given at all.
        members: the alliance's members in the year (for "a party's home territory").
        partner_attacked: whether the partner is the attacked party (``False``: it attacks).
        provoked: whether the partner provoked the attack (``None``: not said).

    Example:
        >>> judge_condition("defcoadv", challengers=(365,), threats=(365,)).verdict
        'applies'
        >>> judge_condition("defcoadv", challengers=(220,), threats=(365,)).verdict
        'does not apply'
        >>> judge_condition("defcoloc", challengers=(365,), location=290, members={2, 290}).rule
        'loc-home'
    """
    kind = "other" if variable == "olimob" else CONDITIONS[variable].kind
    named = ", ".join(str(t) for t in threats)
    if kind in ("adversary", "conflict"):
        prefix = "adv" if kind == "adversary" else "con"
        if not challengers:
            return ConditionVerdict(variable, kind, CBJ, "no challenger given", f"{prefix}-unnamed")
        if not threats:
            what = ("a particular adversary or type of adversary" if kind == "adversary"
                    else "a particular ongoing conflict")
            return ConditionVerdict(variable, kind, CBJ, f"limited to {what}; ATOP names no "
                                    "threat state (STATTHR), so which cannot be told",
                                    f"{prefix}-unnamed")
        hit = [c for c in challengers if c in threats]
        if hit:
            return ConditionVerdict(variable, kind, APPLIES, f"challenger {hit[0]} is the threat "
                                    f"ATOP names (STATTHR: {named})", f"{prefix}-named")
        return ConditionVerdict(variable, kind, NOT, "the challenger is not the threat ATOP "
                                f"names (STATTHR: {named})", f"{prefix}-named")
    if kind == "location":
        if not location_known:
            return ConditionVerdict(variable, kind, CBJ, "no location given", "loc-other")
        if location is not None and location in set(members):
            return ConditionVerdict(variable, kind, APPLIES, f"the conflict is on the home "
                                    f"territory of a party ({location})", "loc-home")
        return ConditionVerdict(variable, kind, CBJ, "the conflict is not on a party's home "
                                "territory; ATOP codes a location limit, not which location",
                                "loc-other")
    if kind == "number":
        return ConditionVerdict(variable, kind, CBJ, "ATOP codes a limit on the number of "
                                "adversaries, not the number", "number")
    if kind == "demands":
        return ConditionVerdict(variable, kind, CBJ, "depends on demands detailed in the "
                                "agreement", "demands")
    if kind == "provocation":
        if not partner_attacked:
            return ConditionVerdict(variable, kind, CBJ, "the ally is the attacker here; "
                                    "whether it provoked is not a question ATOP's codes answer",
                                    "provocation")
        if provoked is None:
            return ConditionVerdict(variable, kind, CBJ, "the scenario does not say whether the "
                                    "ally provoked the attack", "provocation")
        return (ConditionVerdict(variable, kind, NOT, "the ally provoked the attack (input)",
                                 "provocation") if provoked else
                ConditionVerdict(variable, kind, APPLIES, "the ally did not provoke the attack "
                                 "(input)", "provocation"))
    if kind == "attack":
        return (ConditionVerdict(variable, kind, APPLIES, "the ally is the attacked party",
                                 "attack") if partner_attacked else
                ConditionVerdict(variable, kind, NOT, "the ally attacks; the promise holds only "
                                 "if it is attacked", "attack"))
    if kind == "request":
        return ConditionVerdict(variable, kind, CBJ, "depends on whether an ally requests "
                                "consultation", "request")
    return ConditionVerdict(variable, kind, CBJ, "contingent on a condition ATOP does not "
                            "specify (OLIMOB)", "olimob")


def combine(verdicts: Iterable[Applies]) -> Applies:
    """All conditions together: any 'does not apply' rules it out; all 'applies' make it apply.

    Example:
        >>> combine(["applies", "cannot be judged"]), combine(["applies", "does not apply"])
        ('cannot be judged', 'does not apply')
    """
    seen = set(verdicts)
    if NOT in seen:
        return NOT
    if seen <= {APPLIES}:
        return APPLIES
    return CBJ


def judge_codes(
    codes: Mapping[str, Any],
    kind: str,
    *,
    partner: int,
    challengers: Sequence[int],
    location: int | None = None,
    location_known: bool = True,
    members: Iterable[int] | None = None,
    partner_attacked: bool = True,
    provoked: bool | None = None,
) -> Applicability:
    """Whether one ATOP member row's obligation ``kind`` applies in a conflict with ``challengers``.

    ``codes`` is the member row (``defense``, the condition dummies, ``olimob``, ``statthr1``,
    ``statthr2``, ``pubsecr``, ``secrart``). ``location`` defaults to the partner's own
    territory (an attack on the partner at home); ``members`` defaults to the partner alone.

    Example:
        >>> row = {"defense": 1, "defcoloc": 1, "defcoadv": 1, "statthr1": 365, "statthr2": 0}
        >>> judge_codes(row, "defense", partner=290, challengers=(365,)).verdict
        'applies'
        >>> judge_codes(row, "defense", partner=290, challengers=(2,)).verdict
        'does not apply'
        >>> judge_codes({"defense": 1, "defcodem": 1}, "defense", partner=290,
        ...             challengers=(365,)).verdict
        'cannot be judged'
    """
    if kind not in ("defense", "offense", "neutral", "nonagg", "consul"):
        raise FoedusError(f"unknown obligation '{kind}'",
                          fix="use defense, offense, neutral, nonagg or consul")
    secret = is_secret(codes.get("pubsecr"), codes.get("secrart"))
    if codes.get(kind) != 1:
        return Applicability(kind, NOT, (), ("kind",), secret)
    where = partner if location is None and location_known else location
    group = set(members) if members is not None else {partner}
    checks = []
    for variable, code in CONDITIONS.items():
        if code.obligation == kind and codes.get(variable) == 1:
            checks.append(judge_condition(
                variable, challengers=challengers, threats=_threats(codes), location=where,
                location_known=location_known, members=group,
                partner_attacked=partner_attacked, provoked=provoked))
    if codes.get("olimob") == 1:
        checks.append(judge_condition("olimob", challengers=challengers))
    if not checks:
        return Applicability(kind, APPLIES, (), ("unconditional",), secret)
    verdict = combine(c.verdict for c in checks)
    return Applicability(kind, verdict, tuple(checks), tuple(dict.fromkeys(c.rule for c in checks)),
                         secret)


def obligation_applies(
    state: str | int,
    partner: str | int,
    challenger: str | int | Sequence[str | int],
    year: int,
    *,
    kind: str = "defense",
    location: str | int | None = None,
    provoked: bool | None = None,
    warehouse: Any = None,
) -> list[Applicability]:
    """Whether ``state``'s obligation ``kind`` toward ``partner`` applies in a conflict with
    ``challenger`` in ``year`` — one :class:`Applicability` per alliance in which A owes B that
    obligation (an empty list: no such obligation that year). ``location``: the state on whose territory the conflict
    takes place (default: the partner's own territory).

    Example:
        >>> [a.verdict for a in obligation_applies("USA", "ROK", "PRK", 2018)]  # doctest: +SKIP
        ['applies']
    """
    from foedus.alliances.data import check_year, get_data

    data = get_data(warehouse)
    check_year(year)
    a = data.state(state).ccode
    b = data.state(partner).ccode
    values = [challenger] if isinstance(challenger, str | int) else list(challenger)
    cs = tuple(data.states.resolve(v, what="challenger").ccode for v in values)
    where = data.state(location).ccode if location is not None else b
    out = []
    for spell, _own in data.toward(b, year):
        if spell.member != a or kind not in spell.obligations:
            continue
        codes = data.codes(spell)
        result = judge_codes(codes, kind, partner=b, challengers=cs, location=where,
                             members=data.members_in(spell.key, year),
                             partner_attacked=True, provoked=provoked)
        out.append(Applicability(result.kind, result.verdict, result.conditions, result.rules,
                                 result.secret, a, b, spell.atopid, spell.phase, year))
    return out


# ---------------------------------------------------------------------------------------------
# the vectorised form: directed dyad-years
# ---------------------------------------------------------------------------------------------
#: ATOP 5.1 coverage (years in which the commitment variables are defined).
ATOP_YEARS = (1815, 2018)
#: Variables :func:`relevant_commitments` adds, and what each means.
DYAD_VARIABLES: dict[str, str] = {
    "ptargdef": "1 if a third state (not the challenger ccode1) has an ATOP defence obligation "
    "toward the target (ccode2) that applies in a conflict with the challenger, on the target's "
    "territory",
    "pchalally": "1 if a third state (not the target) has an ATOP defence obligation toward the "
    "challenger that applies in a conflict with the target, on the challenger's territory",
    "pchaloff": "1 if a third state (not the target) has an ATOP offence obligation toward the "
    "challenger that applies when the challenger attacks the target (on the target's territory)",
    "pchalneu": "1 if a third state (not the target) has an ATOP neutrality obligation toward the "
    "challenger that applies when the challenger attacks the target (on the target's territory)",
}
_KINDS = ("defense", "offense", "neutral")


def _cond_vars(kind: str) -> list[str]:
    return [v for v, c in CONDITIONS.items() if c.obligation == kind]


def obligation_years(members: Any, ddy: Any = None) -> Any:
    """Directed obligation-years from ATOP's member-level file: one row per alliance, state
    ``state`` (A), partner ``partner`` (B) and year in which both are members of the same phase
    (each entered before the other left; the later phase codes a year two phases share), with
    A's codes. Only rows where A owes a defence, offence or neutrality obligation are kept. With
    ``ddy`` (ATOP's directed dyad-year table), obligations of OBVARY = 1 rows are kept only where
    ``ddy`` codes them for the pair and year (rule ``obvary``).

    Example:
        >>> import polars as pl
        >>> m = pl.DataFrame({"atopid": [1, 1], "phase": [0, 0], "member": [2, 20],
        ...     "yrent": [1950, 1951], "moent": [1, 1], "dayent": [1, 1], "yrexit": [0, 1952],
        ...     "moexit": [0, 6], "dayexit": [0, 1], "defense": [1, 0], "offense": [0, 0],
        ...     "neutral": [0, 0]})
        >>> obligation_years(m).select("state", "partner", "year").sort("year").rows()
        [(2, 20, 1951), (2, 20, 1952)]
    """
    import polars as pl

    def ymd(y: str, m: str, d: str, *, end: bool) -> pl.Expr:
        month = pl.when(pl.col(m).fill_null(0) > 0).then(pl.col(m)).otherwise(12 if end else 1)
        day = pl.when(pl.col(d).fill_null(0) > 0).then(pl.col(d)).otherwise(31 if end else 1)
        return pl.col(y) * 10_000 + month * 100 + day

    wanted = ["atopid", "phase", "member", *_KINDS,
              *[v for k in _KINDS for v in _cond_vars(k)], "olimob", "obvary", "statthr1",
              "statthr2", "pubsecr", "secrart"]
    have = [c for c in wanted if c in members.columns]
    open_end = pl.col("yrexit").fill_null(0) == 0
    m = members.lazy().with_columns(
        pl.col("phase").fill_null(0),
        ymd("yrent", "moent", "dayent", end=False).alias("_start"),
        pl.when(open_end).then(99_999_999).otherwise(
            ymd("yrexit", "moexit", "dayexit", end=True)).alias("_end"),
        pl.col("yrent").alias("_first"),
        pl.when(open_end).then(ATOP_YEARS[1]).otherwise(pl.col("yrexit")).alias("_last"),
    ).select(*have, "_start", "_end", "_first", "_last").with_columns(
        *[pl.lit(0).alias(c) for c in wanted if c not in have]
    )
    own = m.filter(pl.any_horizontal(pl.col(k) == 1 for k in _KINDS))
    other = m.select(pl.col("atopid"), pl.col("phase"), pl.col("member").alias("partner"),
                     pl.col("_start").alias("_start_b"), pl.col("_end").alias("_end_b"),
                     pl.col("_first").alias("_first_b"), pl.col("_last").alias("_last_b"))
    pairs = (
        own.join(other, on=["atopid", "phase"], maintain_order="left")
        .filter((pl.col("member") != pl.col("partner")) & (pl.col("_start") < pl.col("_end_b"))
                & (pl.col("_start_b") < pl.col("_end")))
        .with_columns(pl.int_ranges(pl.max_horizontal("_first", "_first_b"),
                                    pl.min_horizontal("_last", "_last_b") + 1).alias("year"))
        .explode("year")
        .drop_nulls("year")
        .rename({"member": "state"})
        .sort("phase", descending=True)
        .unique(["atopid", "state", "partner", "year"], keep="first")
        .drop("_start", "_end", "_first", "_last", "_start_b", "_end_b", "_first_b", "_last_b")
    )
    if ddy is not None:
        gate = ddy.lazy().filter(pl.col("ccode1").is_in(
            members.filter(pl.col("obvary") == 1)["member"].unique().implode())).select(
            pl.col("ccode1").alias("state"), pl.col("ccode2").alias("partner"), "year",
            *[pl.col(f"atop_{k}").fill_null(0).cast(pl.Int64).alias(f"_ddy_{k}") for k in _KINDS])
        pairs = pairs.join(gate, on=["state", "partner", "year"], how="left", maintain_order="left").with_columns(
            pl.when(pl.col("obvary") == 1).then(pl.col(k) * pl.col(f"_ddy_{k}").fill_null(0))
            .otherwise(pl.col(k)).alias(k) for k in _KINDS
        ).drop(*[f"_ddy_{k}" for k in _KINDS])
    cast = {c: pl.Int64 for c in ("atopid", "phase", "state", "partner", "year")}
    return pairs.with_columns(pl.col(c).cast(t) for c, t in cast.items()).collect()


def _side_rows(ob: Any, kind: str, *, challenger_side: bool, undecided: str) -> tuple[Any, Any]:
    """(independent, dependent) counted obligations of one kind.

    ``independent``: (partner, year, state) whose obligation counts against any adversary;
    ``dependent``: (partner, year, adversary, state) that count only against that adversary.
    The partner is attacked on its own territory (target side, and the challenger's defence
    commitments), or attacks the adversary on the adversary's territory (challenger's offence and
    neutrality commitments).
    """
    import polars as pl

    attacked = not challenger_side
    rows = ob.filter(pl.col(kind) == 1)
    verdicts: list[pl.Expr] = []  # 1 applies, 0 does not, null cannot be judged
    has_threat = (pl.col("statthr1").fill_null(0) > 0) | (pl.col("statthr2").fill_null(0) > 0)
    dep_threat = pl.lit(False)
    dep_loc = pl.lit(False)
    for variable in _cond_vars(kind):
        k = CONDITIONS[variable].kind
        on = pl.col(variable) == 1
        if k in ("adversary", "conflict"):
            dep_threat = dep_threat | (on & has_threat)
            verdicts.append(pl.when(on & ~has_threat).then(None).otherwise(1))
        elif k == "location":
            if challenger_side:
                dep_loc = dep_loc | on
                verdicts.append(pl.lit(1))  # decided per adversary below
            else:
                verdicts.append(pl.lit(1))  # the partner's own territory: a party's home
        elif k == "attack":
            verdicts.append(pl.when(on).then(1 if attacked else 0).otherwise(1))
        else:  # number, demands, provocation (not said), request
            verdicts.append(pl.when(on).then(None).otherwise(1))
    verdicts.append(pl.when(pl.col("olimob") == 1).then(None).otherwise(1))
    base = pl.min_horizontal(verdicts)
    # min_horizontal ignores nulls: a 0 anywhere rules out, else any null leaves it open
    any_null = pl.any_horizontal(v.is_null() for v in verdicts)
    rows = rows.with_columns(
        pl.when(base == 0).then(0).when(any_null).then(None).otherwise(1).alias("_base"),
        dep_threat.alias("_dep_threat"), dep_loc.alias("_dep_loc"),
    ).filter(pl.col("_base").is_null() | (pl.col("_base") == 1))
    count_open = undecided == "count"
    counted = pl.col("_base") == 1
    if count_open:
        counted = counted | pl.col("_base").is_null()
    # independent of the adversary: no threat dependency, and (no location dependency, or the
    # open location verdict counts anyway)
    loc_free = ~pl.col("_dep_loc") | pl.lit(count_open)
    independent = rows.filter(~pl.col("_dep_threat") & loc_free & counted).select(
        "partner", "year", "state").unique()
    parts = []
    threat_rows = rows.filter(pl.col("_dep_threat"))
    for col in ("statthr1", "statthr2"):
        part = threat_rows.filter(pl.col(col).fill_null(0) > 0).with_columns(
            pl.col(col).cast(pl.Int64).alias("adversary"))
        parts.append(part)
    dep = pl.concat(parts) if parts else threat_rows.head(0).with_columns(
        pl.lit(0, pl.Int64).alias("adversary"))
    loc_rows = rows.filter(~pl.col("_dep_threat") & pl.col("_dep_loc") & ~pl.lit(count_open))
    if challenger_side:
        members = ob.select("atopid", "year", pl.col("state").alias("adversary")).vstack(
            ob.select("atopid", "year", pl.col("partner").alias("adversary"))).unique()
        # a location-limited obligation applies when the adversary's territory is a party's
        if loc_rows.height:
            loc_rows = loc_rows.join(members, on=["atopid", "year"], maintain_order="left")
            dep = pl.concat([dep.select(loc_rows.columns), loc_rows], how="vertical")
        member_key = members.with_columns(pl.lit(True).alias("_member"))
        dep = dep.join(member_key, on=["atopid", "year", "adversary"], how="left", maintain_order="left")
        loc_ok = ~pl.col("_dep_loc") | pl.col("_member").fill_null(False)
        if count_open:
            loc_ok = pl.lit(True)
        dep = dep.filter(loc_ok)
    dep = dep.filter(counted).select("partner", "year", "adversary", "state").unique()
    return independent, dep


def _summaries(independent: Any, dependent: Any, name: str) -> tuple[Any, Any]:
    """Per (partner, year): how many states' obligations count against any adversary, and the
    one state when there is exactly one; per (partner, year, adversary): how many more count
    against that adversary only (the adversary itself left out)."""
    import polars as pl

    ind = independent.group_by("partner", "year").agg(
        pl.len().alias(f"_n_{name}"), pl.col("state").first().alias(f"_sole_{name}"))
    dep = dependent.filter(pl.col("state") != pl.col("adversary")).group_by(
        "partner", "year", "adversary").agg(pl.len().alias(f"_dep_{name}"))
    return ind, dep


def relevant_commitments(
    dyads: Any,
    obligations: Any,
    *,
    include_secret: bool = False,
    undecided: str = "count",
    exclude_alliances: Iterable[int] = (),
) -> Any:
    """Add the relevant-commitment variables of :data:`DYAD_VARIABLES` to directed dyad-years
    (``ccode1`` the challenger, ``ccode2`` the target, ``year``), by the rules of
    :func:`judge_codes` (null outside ATOP's 1815–2018).

    Args:
        dyads: a polars frame with ``ccode1``, ``ccode2``, ``year``.
        obligations: :func:`obligation_years` of ATOP's member file.
        include_secret: count treaties whose obligations or targets were secret (rule
            ``secret``; default: left out).
        undecided: ``"count"`` (default) counts a commitment whose conditions ATOP's codes leave
            undecided ("cannot be judged"); ``"drop"`` counts only those that certainly apply.
        exclude_alliances: ATOPIDs to leave out (e.g. NATO 3180 in a robustness check).

    Example:
        >>> import polars as pl
        >>> m = pl.DataFrame({"atopid": [1, 1], "phase": [0, 0], "member": [2, 290],
        ...     "yrent": [1950, 1950], "moent": [1, 1], "dayent": [1, 1], "yrexit": [0, 0],
        ...     "moexit": [0, 0], "dayexit": [0, 0], "defense": [1, 1], "offense": [0, 0],
        ...     "neutral": [0, 0], "defcoadv": [1, 1], "statthr1": [365, 365], "statthr2": [0, 0]})
        >>> d = pl.DataFrame({"ccode1": [365, 220], "ccode2": [290, 290], "year": [1960, 1960]})
        >>> relevant_commitments(d, obligation_years(m))["ptargdef"].to_list()
        [1.0, 0.0]
    """
    import polars as pl

    if undecided not in ("count", "drop"):
        raise FoedusError(f"unknown undecided policy '{undecided}'", fix="use count or drop")
    ob = obligations
    excluded = [int(a) for a in exclude_alliances]
    if excluded:
        ob = ob.filter(~pl.col("atopid").is_in(excluded))
    if not include_secret:
        secret = (pl.col("pubsecr") == 2) | ((pl.col("pubsecr") == 1)
                                             & pl.col("secrart").is_in(sorted(SECRET_CONTENT)))
        ob = ob.filter(~secret.fill_null(False))
    specs = (("ptargdef", "defense", False, "ccode2", "ccode1"),
             ("pchalally", "defense", False, "ccode1", "ccode2"),
             ("pchaloff", "offense", True, "ccode1", "ccode2"),
             ("pchalneu", "neutral", True, "ccode1", "ccode2"))
    cache: dict[tuple[str, bool], tuple[Any, Any]] = {}
    by_partner: dict[str, Any] = {}
    by_pair: Any = None
    pair_key = ["ccode1", "ccode2", "year"]
    for name, kind, challenger_side, partner, adversary in specs:
        key = (kind, challenger_side)
        if key not in cache:
            cache[key] = _side_rows(ob, kind, challenger_side=challenger_side,
                                    undecided=undecided)
        ind, dep = _summaries(*cache[key], name)
        ind = ind.rename({"partner": partner})
        by_partner[partner] = (ind if partner not in by_partner else
                               by_partner[partner].join(ind, on=[partner, "year"], how="full",
                                                        coalesce=True))
        dep = dep.rename({"partner": partner, "adversary": adversary}).select(
            *pair_key, f"_dep_{name}")
        by_pair = dep if by_pair is None else by_pair.join(dep, on=pair_key, how="full",
                                                           coalesce=True)
    out = dyads.lazy()
    for partner, table in by_partner.items():
        out = out.join(table.lazy(), on=[partner, "year"], how="left", maintain_order="left")
    # (the frame's rows keep their order: Polars' lazy joins do not promise it otherwise)
    out = out.join(by_pair.lazy(), on=pair_key, how="left", maintain_order="left")
    inside = pl.col("year").is_between(*ATOP_YEARS)
    values = []
    for name, _kind, _side, _partner, adversary in specs:
        n = pl.col(f"_n_{name}").fill_null(0)
        value = ((n > 1) | ((n == 1) & (pl.col(f"_sole_{name}") != pl.col(adversary)))
                 | (pl.col(f"_dep_{name}").fill_null(0) > 0)).cast(pl.Float64)
        values.append(pl.when(inside).then(value).otherwise(None).alias(name))
    helpers = [f"_{p}_{spec[0]}" for spec in specs for p in ("n", "sole", "dep")]
    return out.with_columns(values).drop(helpers).collect()
