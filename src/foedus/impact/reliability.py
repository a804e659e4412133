"""Alliance reliability: do allies do what they promised when a partner goes to war?

**Unit: an invoked obligation** — a state A that, on the day a war (COW Inter-State War data
v4.0, 1823–2003) or a militarised interstate dispute (COW MID 5.0, 1816–2014) begins, holds an
ATOP 5.1 obligation toward a state T that is an *originator* of it (for wars: a participant from
the war's first day; for MIDs: ``orig = 1`` in MIDB). Member-level ATOP rows give A's obligations
toward every co-member of the same alliance phase in force that day (entry date ≤ start ≤ exit
date; a day two phases share is coded by the later phase).

Three codings (``coding=``):

* ``"alliance-war-member"`` (default) — the unit of Leeds, Long & Mitchell (2000) and Berkemeier
  & Fuhrmann (2018): one case per conflict, alliance, obliged ally and obligation type. For each
  conflict, alliance and side the casus foederis is the day the first of the alliance's members
  entered on that side as an originator or by opening a new front (a state of the other side
  entered the same day); those members are the partners, every other member that day an ally.
  Later entrants on the partners' side are allies that honoured. Defence/offence are honoured
  when the ally fought on the partners' side while they fought; neutrality when it did not
  fight against them while they fought; non-aggression is at stake only when members fought each
  other (the member on the initiating side broke it). ATOP's conditions are judged as in
  ``"relevance"`` (the challengers being every state that fought on the other side).
* ``"relevance"`` (the earlier default; ally-partner pairs) — as in Leeds, Long & Mitchell (2000) and Berkemeier & Fuhrmann
  (2018), an obligation counts only if it is *relevant to the contingency*: the right kind of
  promise for the partner's role (defence if the partner was attacked, offence if it attacked)
  and, by :func:`foedus.alliances.relevance.judge_codes`, the treaty's conditions met by this
  war (named adversary among the partner's opponents, location, "if attacked", …). Each case
  gets a verdict ``applies`` / ``does not apply`` / ``cannot be judged`` (ATOP codes *that* a
  condition exists but not enough to decide it, e.g. an unnamed adversary, CONUM, OLIMOB);
  honouring rates are computed on ``applies`` only, and ``cannot be judged`` cases are reported
  separately, never counted either way. The opponents are the originators on the other side.
  Two assumptions, flagged per case as ``assumed``: a partner COW codes on the defending side
  did not provoke the attack (a non-provocation condition is met); a location limit is met when
  the partner fought in its own home region (COW ``WhereFought``), and cannot be judged when it
  fought only elsewhere (the Falklands for the UK, Vietnam for the US). MIDs carry no location
  here: their location-limited obligations cannot be judged.
* ``"unconditional"`` — ATOP's conditions are ignored: every war or dispute of the partner
  invokes every ally's promise of the matching kind (the first coding foedus shipped; kept as a
  lower bound on aid and an upper bound on abstention).

What counts as honouring it:

==============  ============================================  ==================================
obligation       invoked when                                  honoured when
==============  ============================================  ==================================
defence          T is an originator on the defending side      A fights on T's side
offence          T is an originator on the initiating side     A fights on T's side
neutrality       T is an originator (either side)              A does not fight against T
non-aggression   T is an originator (either side)              A does not fight against T
consultation     T is an originator (either side)              not observable: cannot be judged
==============  ============================================  ==================================

The initiating side is side A of a MID; in a war, the side whose participants COW codes
``Initiator = 1``. For defence and offence an ally that is itself an originator (on either side)
is left out (it did not choose to join). Secret treaties (ATOP PUBSECR/SECRART) are kept by
default — a secret promise is still a promise the ally made (``include_secret=False`` drops
them); each case says whether it rests on one. Rates come with Wilson and Clopper–Pearson (exact)
95% intervals, which treat cases as independent; cases of one war are not (a conflict-cluster
bootstrap interval is given for each rate).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from foedus.errors import DegenerateSampleError, FoedusError, MissingDataError

__all__ = [
    "CODINGS", "ERAS", "HONOUR_TYPES", "honouring_cases", "honouring_rates", "load_cases",
    "load_war_cases", "relevance_summary", "war_cases", "with_periods",
]  # fmt: skip

#: The codings of :func:`honouring_cases` (the first is the default).
CODINGS: tuple[str, ...] = ("alliance-war-member", "relevance", "unconditional")
#: Eras of the breakdown.
ERAS: tuple[tuple[str, int, int], ...] = (
    ("1816-1944", 1816, 1944),
    ("1945-1989", 1945, 1989),
    ("1990-2014", 1990, 2014),
)
#: Obligation types, the member-level ATOP column and its "conditional" flag.
HONOUR_TYPES: dict[str, tuple[str, str | None]] = {
    "defence": ("defense", "defcon"),
    "offence": ("offense", "offcon"),
    "neutrality": ("neutral", "neucon"),
    "non-aggression": ("nonagg", None),
    "consultation": ("consul", "concon"),
}
#: Types whose honouring the participation data can show.
RATED = ("defence", "offence", "neutrality", "non-aggression")
_CODE_COLS = (
    "defense", "offense", "neutral", "nonagg", "consul", "defcon", "offcon", "neucon", "concon",
    "defcoadv", "defcoloc", "defcocon", "defconum", "defcodem", "defconpr", "offcoadv",
    "offcoloc", "offcocon", "offconum", "offcodem", "neucoadv", "neucoloc", "neucocon",
    "neuconum", "neucodem", "neuconpr", "neucoatt", "concoadv", "concoloc", "concocon",
    "concoreq", "olimob", "statthr1", "statthr2", "pubsecr", "secrart",
)  # fmt: skip


def _check_coding(coding: str) -> None:
    if coding not in CODINGS:
        raise FoedusError(f"unknown honouring coding '{coding}'",
                          fix="use " + " or ".join(CODINGS))  # fmt: skip


def _ymd(y: str, m: str | None, d: str | None, *, end: bool = False) -> pl.Expr:
    """yyyymmdd from year/month/day columns (unknown month/day → start or end of the range)."""
    month = (pl.lit(12 if end else 1) if m is None else
             pl.when(pl.col(m).fill_null(0) > 0).then(pl.col(m)).otherwise(12 if end else 1))
    day = (pl.lit(31 if end else 1) if d is None else
           pl.when(pl.col(d).fill_null(0) > 0).then(pl.col(d)).otherwise(31 if end else 1))
    return (pl.col(y).cast(pl.Int64) * 10_000 + month.cast(pl.Int64) * 100
            + day.cast(pl.Int64))  # fmt: skip


def _obligations(members: pl.DataFrame) -> pl.DataFrame:
    """(ally, partner, atopid, phase, start, end, the ally's codes…) for every pair of members
    of the same alliance phase, over the days both were members (signature dates)."""
    m = members.with_columns(
        *[pl.lit(0).alias(c) for c in _CODE_COLS if c not in members.columns],
        *[pl.lit(None, pl.Int64).alias(c) for c in ("phase", "moent", "dayent", "moexit",
                                                    "dayexit") if c not in members.columns],
    )  # fmt: skip
    open_end = pl.col("yrexit").fill_null(0) == 0
    m = m.select(
        "atopid", pl.col("phase").fill_null(0), "member",
        _ymd("yrent", "moent", "dayent").alias("_start"),
        pl.when(open_end).then(20_181_231).otherwise(
            _ymd("yrexit", "moexit", "dayexit", end=True)).alias("_end"),
        *[pl.col(c).fill_null(0).cast(pl.Int64) for c in _CODE_COLS],
    )  # fmt: skip
    other = m.select("atopid", "phase", pl.col("member").alias("partner"),
                     pl.col("_start").alias("_pstart"), pl.col("_end").alias("_pend"))
    pairs = m.join(other, on=["atopid", "phase"], maintain_order="left").filter(pl.col("member") != pl.col("partner"))
    pairs = pairs.with_columns(
        pl.max_horizontal("_start", "_pstart").alias("first"),
        pl.min_horizontal("_end", "_pend").alias("last"),
    ).filter(pl.col("first") <= pl.col("last"))
    return pairs.rename({"member": "ally"}).drop("_start", "_end", "_pstart", "_pend")


def _mid_participants(participants: pl.DataFrame, disputes: pl.DataFrame) -> pl.DataFrame:
    """MIDB/MIDA → (conflict, ccode, attacker, orig, date, year, hostlev)."""
    if "styear" in participants.columns:
        joined = _ymd("styear", "stmon" if "stmon" in participants.columns else None,
                      "stday" if "stday" in participants.columns else None)
    else:
        joined = pl.lit(None, pl.Int64)
    p = participants.select(
        pl.col("dispnum").cast(pl.Int64).alias("conflict"), pl.col("ccode").cast(pl.Int64),
        (pl.col("sidea").cast(pl.Int64) == 1).alias("attacker"),
        (pl.col("orig").cast(pl.Int64) == 1).alias("orig"), joined.alias("joined"),
        (_ymd("endyear", "endmon" if "endmon" in participants.columns else None,
              "endday" if "endday" in participants.columns else None, end=True)
         if "endyear" in participants.columns else pl.lit(None, pl.Int64)).alias("left"),
    ).group_by("conflict", "ccode", "attacker").agg(
        pl.col("orig").any(), pl.col("joined").min(), pl.col("left").max())  # fmt: skip
    d = disputes.with_columns(*[pl.lit(None, pl.Int64).alias(c) for c in ("stmon", "stday")
                                if c not in disputes.columns]).select(
        pl.col("dispnum").cast(pl.Int64).alias("conflict"),
        pl.col("styear").cast(pl.Int64).alias("year"),
        _ymd("styear", "stmon", "stday").alias("date"),
        pl.col("hostlev").cast(pl.Int64),
    )  # fmt: skip
    # a participant's own start date (MIDB); the dispute's start where MIDB gives none
    return p.join(d, on="conflict", maintain_order="left").with_columns(
        pl.max_horizontal(pl.col("joined").fill_null(pl.col("date")), "date").alias("joined"),
        pl.col("orig").alias("front"), pl.lit(None, pl.Boolean).alias("home"),
        pl.lit(None, pl.Int64).alias("where"))


#: COW regions of the WhereFought codes: 1 W. Hemisphere, 2 Europe, 4 Africa, 6 Middle East,
#: 7 Asia, 9 Oceania (COW war codebooks v4.0); 11-19 their combinations, as read here and checked
#: against the wars that carry them (11 the Russo-Turkish wars, 12 the USSR in WWII, 13 the
#: Spanish-American war, 14-17 and 19 WWI/WWII participants, 18 the Aouzou Strip war).
WHERE_FOUGHT: dict[int, frozenset[int]] = {
    1: frozenset({1}), 2: frozenset({2}), 4: frozenset({4}), 6: frozenset({6}),
    7: frozenset({7}), 9: frozenset({9}), 11: frozenset({2, 6}), 12: frozenset({2, 7}),
    13: frozenset({1, 7}), 14: frozenset({2, 4, 6}), 15: frozenset({2, 4, 6, 7}),
    16: frozenset({4, 6, 7, 9}), 17: frozenset({7, 9}), 18: frozenset({4, 6}),
    19: frozenset({2, 4, 6, 7, 9}),
}  # fmt: skip


def home_region(ccode: int) -> int:
    """The COW region of a state's home territory, from its COW code range (1 W. Hemisphere,
    2 Europe, 4 Africa, 6 Middle East, 7 Asia, 9 Oceania).

    Example:
        >>> home_region(2), home_region(200), home_region(651), home_region(900)
        (1, 2, 6, 9)
    """
    for lo, hi, region in ((2, 199, 1), (200, 399, 2), (400, 599, 4), (600, 699, 6),
                           (700, 899, 7), (900, 999, 9)):  # fmt: skip
        if lo <= ccode <= hi:
            return region
    raise FoedusError(f"COW code {ccode} is outside the COW regions", fix="check the code")


def _war_participants(wars: pl.DataFrame) -> pl.DataFrame:
    """COW inter-state war rows → (conflict, ccode, attacker, orig, date, year, hostlev=5,
    home: whether the state fought in its own home region).

    Originators: states whose first day of participation is the war's first day. The
    initiating side: the side of the participants coded ``initiator = 1``.
    """
    where = wars.get_column("wherefought").to_list() if "wherefought" in wars.columns else \
        [None] * wars.height
    home = [None if w is None or int(w) not in WHERE_FOUGHT else
            home_region(int(c)) in WHERE_FOUGHT[int(w)]
            for c, w in zip(wars.get_column("ccode").to_list(), where, strict=True)]
    w = wars.with_columns(pl.Series("_home", home, pl.Boolean)).select(
        pl.col("warnum").cast(pl.Int64).alias("conflict"), pl.col("ccode").cast(pl.Int64),
        pl.col("side").cast(pl.Int64), pl.col("initiator").cast(pl.Int64), "_home",
        pl.Series("_where", [None if x is None else int(x) for x in where], pl.Int64),
        _ymd("startyear1", "startmonth1", "startday1").alias("_joined"),
        pl.max_horizontal(*[_ymd(f"endyear{i}", f"endmonth{i}", f"endday{i}", end=True)
                            for i in (1, 2) if f"endyear{i}" in wars.columns
                            ]).alias("_left") if "endyear1" in wars.columns
        else pl.lit(None, pl.Int64).alias("_left"),
    )  # fmt: skip
    start = w.group_by("conflict").agg(pl.col("_joined").min().alias("date"))
    init = w.filter(pl.col("initiator") == 1).group_by("conflict").agg(
        pl.col("side").first().alias("_init_side"))
    w = w.join(start, on="conflict", maintain_order="left").join(init, on="conflict", how="left", maintain_order="left")
    # a later entrant opens a new front when a state of the other side enters the same day
    # (Germany and Russia on 1 August 1914; Japan and the United States on 7 December 1941)
    days = w.select("conflict", "side", "_joined").unique()
    other = days.rename({"side": "_oside"})
    front = w.select("conflict", "side", "_joined").unique().join(
        other, on=["conflict", "_joined"], maintain_order="left").filter(pl.col("_oside") != pl.col("side")).select(
        "conflict", "side", "_joined").unique().with_columns(pl.lit(True).alias("_front"))
    w = w.join(front, on=["conflict", "side", "_joined"], how="left", maintain_order="left")
    return w.select(
        "conflict", "ccode", (pl.col("side") == pl.col("_init_side")).fill_null(False)
        .alias("attacker"), (pl.col("_joined") == pl.col("date")).alias("orig"), "date",
        (pl.col("date") // 10_000).alias("year"), pl.lit(5, pl.Int64).alias("hostlev"),
        pl.col("_home").alias("home"), pl.col("_where").alias("where"),
        pl.col("_joined").alias("joined"), pl.col("_front").fill_null(False).alias("front"),
        pl.col("_left").alias("left"),
    ).group_by("conflict", "ccode", "attacker").agg(
        pl.all().exclude("orig", "home", "where", "joined", "front", "left").first(),
        pl.col("orig").any(), pl.col("home").any(), pl.col("where").first(),
        pl.col("joined").min(), pl.col("front").any(), pl.col("left").max())


#: A location that is no state's home: the war was fought outside the partner's home region.
_ELSEWHERE = -1


def _judge(rows: pl.DataFrame, opponents: dict[tuple[int, bool], tuple[int, ...]],
           members_of: dict[tuple[int, int], set[int]]) -> pl.DataFrame:
    """Add ``relevance``, ``relevance_reason`` and ``assumed`` to (case × alliance)
    rows, by :func:`foedus.alliances.relevance.judge_codes` (one call per distinct input)."""
    from foedus.alliances.relevance import judge_codes

    cache: dict[tuple[Any, ...], tuple[str, str, bool]] = {}
    verdicts, reasons, assumed = [], [], []
    for r in rows.iter_rows(named=True):
        kind = HONOUR_TYPES[r["type"]][0]
        attacked = not r["p_attacker"]
        challengers = opponents.get((r["conflict"], r["p_attacker"]), ())
        group = members_of.get((r["atopid"], r["phase"]), {r["partner"], r["ally"]})
        # where the war was fought: known only as "in the partner's home region or not" (COW
        # WhereFought); MIDs carry no location here
        known = r["p_home"] is not None
        if attacked:
            where = r["partner"] if r["p_home"] else _ELSEWHERE  # the attacked party at home
        else:  # the partner attacks: at home of an opponent that is a party, if any
            theatre = WHERE_FOUGHT.get(r["p_where"] or 0, frozenset())
            inside = [c for c in challengers if c in group and home_region(c) in theatre]
            where = inside[0] if inside else _ELSEWHERE
        codes = {c: r[c] for c in _CODE_COLS}
        where = where if known else None
        key = (kind, tuple(codes.values()), challengers, attacked, where in group, known)
        if key not in cache:
            a = judge_codes(codes, kind, partner=r["partner"], challengers=challengers,
                            location=where, location_known=known, members=group,
                            partner_attacked=attacked,
                            provoked=False if attacked else None)  # fmt: skip
            loc = any(c.kind in ("location", "provocation") and c.verdict == "applies"
                      for c in a.conditions)
            cache[key] = (a.verdict, a.reason, loc)
        v, why, loc = cache[key]
        verdicts.append(v)
        reasons.append(why)
        assumed.append(loc)
    return rows.with_columns(pl.Series("relevance", verdicts, pl.String),
                             pl.Series("relevance_reason", reasons, pl.String),
                             pl.Series("assumed", assumed, pl.Boolean))  # fmt: skip


def _member_unit_rows(parts: pl.DataFrame, obl: pl.DataFrame) -> pl.DataFrame:
    """(case × partner) rows of the alliance-war-member unit.

    For each conflict, alliance and side, the casus foederis is the day the first of the
    alliance's members entered on that side (``invoked``; the alliance in force that day); the
    members that entered then are the *partners*, every other member of the alliance on that
    day is an *ally* whose promise is at stake (``ally_joined``: the day it entered on the
    partners' side, if it did). Later entrants on the partners' side are allies that honoured
    (the United Kingdom for Poland on 3 September 1939), not partners of their own.
    """
    p = parts.filter(pl.col("orig") | pl.col("front")).select(
        "conflict", pl.col("ccode").alias("partner"), pl.col("attacker").alias("p_attacker"),
        pl.col("joined").alias("p_joined"), pl.col("left").fill_null(99_999_999).alias("p_left"), "date", "year",
        "hostlev", pl.col("home").alias("p_home"), pl.col("where").alias("p_where"),
    ).unique()  # fmt: skip
    rows = p.join(obl, on="partner", maintain_order="left").filter(pl.col("p_joined").is_between("first", "last"))
    # a day two phases of one alliance share is coded by the later phase
    rows = rows.sort("phase", descending=True).unique(
        ["conflict", "ally", "partner", "p_attacker", "atopid"], keep="first", maintain_order=True)
    side = ["conflict", "atopid", "p_attacker"]
    first = rows.group_by(side).agg(pl.col("p_joined").min().alias("invoked"))
    rows = rows.join(first, on=side, maintain_order="left").filter(pl.col("p_joined") == pl.col("invoked"))
    partners = rows.select(*side, pl.col("partner").alias("ally")).unique()
    rows = rows.join(partners, on=[*side, "ally"], how="anti")
    joined = parts.group_by("conflict", "ccode", "attacker").agg(pl.col("joined").min()).select(
        "conflict", pl.col("ccode").alias("ally"), pl.col("attacker").alias("p_attacker"),
        pl.col("joined").alias("ally_joined"))  # fmt: skip
    return rows.join(joined, on=["conflict", "ally", "p_attacker"], how="left", maintain_order="left")


def _cases(parts: pl.DataFrame, members: pl.DataFrame, nmc: pl.DataFrame | None, *,
           coding: str, include_secret: bool, conflict_name: str) -> pl.DataFrame:
    from foedus.alliances.relevance import SECRET_CONTENT

    _check_coding(coding)
    member_unit = coding == "alliance-war-member"
    obl = _obligations(members)
    if member_unit:
        cases = _member_unit_rows(parts, obl)
    else:
        origs = parts.filter(pl.col("orig")).select(
            "conflict", pl.col("ccode").alias("partner"), pl.col("attacker").alias("p_attacker"),
            "date", "year", "hostlev", pl.col("home").alias("p_home"),
            pl.col("where").alias("p_where")).unique()  # fmt: skip
        cases = origs.join(obl, on="partner", maintain_order="left").filter(pl.col("date").is_between("first", "last"))
        # a day two phases of one alliance share is coded by the later phase
        cases = cases.sort("phase", descending=True).unique(
            ["conflict", "ally", "partner", "p_attacker", "atopid"], keep="first",
            maintain_order=True)  # fmt: skip
    keys = ["conflict", "ally", "partner", "p_attacker"]
    role = parts.select("conflict", pl.col("ccode").alias("ally"),
                        pl.col("attacker").alias("a_attacker"), pl.col("orig").alias("a_orig"),
                        pl.col("joined").alias("a_joined"), pl.col("left").alias("a_left"))
    if member_unit:
        # the ally's own part in the war, whenever it came in: on the partner's side (honours a
        # defence or offence promise), against it; an ally that opened the war on the other
        # side is the attacker itself and is rated by its neutrality/non-aggression promise
        # side by side or face to face only while both were in the war (Romania, at war from
        # June 1941, never fought Poland, defeated in October 1939)
        keys = [*keys, "p_joined", "p_left"]
        same = pl.col("a_attacker") == pl.col("p_attacker")
        during = ((pl.col("a_joined") <= pl.col("p_left").fill_null(99_999_999))
                  & (pl.col("a_left").fill_null(99_999_999) >= pl.col("p_joined")))
        aggs = [(same & during).any().alias("joined_same"),
                (~same & during).any().alias("opposite"),
                (~same & pl.col("a_orig")).any().alias("originator")]
    else:
        aggs = [((pl.col("a_attacker") == pl.col("p_attacker")) & ~pl.col("a_orig")).any()
                .alias("joined_same"),
                (pl.col("a_attacker") != pl.col("p_attacker")).any().alias("opposite"),
                pl.col("a_orig").any().alias("originator")]  # fmt: skip
    roles = (cases.select(keys).unique().join(role, on=["conflict", "ally"], how="inner", maintain_order="left")
             .group_by(keys).agg(*aggs))  # fmt: skip
    cases = cases.join(roles, on=keys, how="left", maintain_order="left").with_columns(
        pl.col("joined_same", "opposite", "originator").fill_null(False),
        ((pl.col("pubsecr") == 2) | ((pl.col("pubsecr") == 1)
                                     & pl.col("secrart").is_in(sorted(SECRET_CONTENT))))
        .alias("secret"),
    )  # fmt: skip
    if not include_secret:
        cases = cases.filter(~pl.col("secret"))
    frames = []
    for kind, (col, cond) in HONOUR_TYPES.items():
        sub = cases.filter(pl.col(col) == 1)
        if kind == "defence":
            sub = sub.filter(~pl.col("p_attacker") & ~pl.col("originator"))
            honoured = pl.col("joined_same").cast(pl.Int64)
        elif kind == "offence":
            sub = sub.filter(pl.col("p_attacker") & ~pl.col("originator"))
            honoured = pl.col("joined_same").cast(pl.Int64)
        elif kind == "consultation":
            if coding == "unconditional":
                continue
            honoured = pl.lit(None, pl.Int64)
        elif kind == "non-aggression" and member_unit:
            # a promise not to attack each other is at stake when the members fight each other:
            # the member on the initiating side broke it, the member it attacked kept it
            sub = sub.filter(pl.col("opposite"))
            honoured = pl.col("p_attacker").cast(pl.Int64)
        else:
            honoured = (~pl.col("opposite")).cast(pl.Int64)
        frames.append(sub.with_columns(
            pl.lit(kind).alias("type"), honoured.alias("honoured"),
            pl.col("opposite").cast(pl.Int64).alias("against"),
            (pl.col(cond) == 1 if cond else pl.lit(False)).alias("conditional"),
        ))  # fmt: skip
    out = pl.concat(frames, how="diagonal_relaxed")
    if coding != "unconditional":
        # the opponents of each side: the other side's originators (alliance-war-member: every
        # state that fought on the other side, since a partner may enter after the first day)
        opp: dict[tuple[int, bool], list[int]] = {}
        for r in (parts if member_unit else parts.filter(pl.col("orig"))).iter_rows(named=True):
            opp.setdefault((r["conflict"], not r["attacker"]), []).append(r["ccode"])
        opponents = {k: tuple(sorted(set(v))) for k, v in opp.items()}
        groups: dict[tuple[int, int], set[int]] = {}
        for atopid, phase, member in members.select(
                "atopid", pl.col("phase").fill_null(0) if "phase" in members.columns
                else pl.lit(0).alias("phase"), "member").iter_rows():  # fmt: skip
            groups.setdefault((int(atopid), int(phase)), set()).add(int(member))
        out = _judge(out, opponents, groups)
        cons = pl.col("type") == "consultation"
        out = out.with_columns(
            pl.when(cons & (pl.col("relevance") != "does not apply")).then(pl.lit(
                "cannot be judged")).otherwise(pl.col("relevance")).alias("relevance"),
            pl.when(cons & (pl.col("relevance") != "does not apply")).then(pl.lit(
                "consultation is not observable in participation data")).otherwise(
                pl.col("relevance_reason")).alias("relevance_reason"),
        )  # fmt: skip
        # a non-aggression promise is at stake when the partner is attacked; when the partner
        # is on the initiating side, the ally's fighting back does not break it
        nonagg_out = ((pl.col("type") == "non-aggression") & pl.col("p_attacker")
                      & pl.lit(not member_unit))
        out = out.with_columns(
            pl.when(nonagg_out).then(pl.lit("does not apply")).otherwise(pl.col("relevance"))
            .alias("relevance"),
            pl.when(nonagg_out).then(pl.lit("the partner is on the initiating side: a "
                                            "non-aggression promise does not bar the ally's "
                                            "defence")).otherwise(pl.col("relevance_reason"))
            .alias("relevance_reason"),
        )  # fmt: skip
        rank = pl.col("relevance").replace_strict(
            {"applies": 0, "cannot be judged": 1, "does not apply": 2}, return_dtype=pl.Int64)
        out = out.with_columns(rank.alias("_rank"))
    else:
        out = out.with_columns(pl.lit("applies").alias("relevance"),
                               pl.lit("unconditional coding").alias("relevance_reason"),
                               pl.lit(False).alias("assumed"),
                               pl.lit(0, pl.Int64).alias("_rank"))  # fmt: skip
    if member_unit:
        # one case per conflict, alliance, ally and type (Leeds, Long & Mitchell's unit): the
        # strongest verdict over the alliance's invoking partners; among those, not honoured if
        # the ally failed any of them
        out = out.sort("_rank", pl.col("honoured").fill_null(-1), "partner").group_by(
            "conflict", "atopid", "ally", "type").agg(
            pl.col("year").first(), pl.col("hostlev").first(), pl.col("honoured").first(),
            pl.col("against").max(), pl.col("conditional").first(),
            pl.col("partner").first(), pl.col("partner").unique().sort().alias("partners"),
            pl.col("atopid").first().alias("_a"), pl.col("p_attacker").first(),
            pl.col("relevance").first(), pl.col("relevance_reason").first(),
            pl.col("assumed").first(), pl.col("secret").first(), pl.col("invoked").first(),
            pl.col("ally_joined").first(),
        ).with_columns(pl.concat_list("_a").alias("atopids")).drop("_a")  # fmt: skip
    else:
        # one case per conflict, ally, partner and type: the strongest verdict among the
        # alliances that carry the duty (any 'applies' makes it apply; else any 'cannot be
        # judged')
        out = out.sort("_rank", "atopid").group_by("conflict", "ally", "partner", "type").agg(
            pl.col("year").first(), pl.col("hostlev").first(), pl.col("honoured").first(),
            pl.col("against").max(), pl.col("conditional").first(), pl.col("atopid").first(),
            pl.col("atopid").unique().sort().alias("atopids"), pl.col("p_attacker").first(),
            pl.col("relevance").first(), pl.col("relevance_reason").first(),
            pl.col("assumed").first(), pl.col("secret").first(),
        )  # fmt: skip
    era = pl.lit(None, dtype=pl.String)
    for name, lo, hi in reversed(ERAS):
        era = pl.when(pl.col("year").is_between(lo, hi)).then(pl.lit(name)).otherwise(era)
    out = out.with_columns(era.alias("era"), (pl.col("hostlev") == 5).alias("war"),
                           pl.lit(coding).alias("coding"))  # fmt: skip
    if member_unit:
        # how long after the casus foederis the ally came in on the partners' side (days)
        def day(c: str) -> pl.Expr:
            return pl.col(c).cast(pl.String).str.strptime(pl.Date, "%Y%m%d", strict=False)

        out = out.with_columns(
            pl.when(pl.col("type").is_in(["defence", "offence"]) & (pl.col("honoured") == 1))
            .then((day("ally_joined") - day("invoked")).dt.total_days())
            .otherwise(None).alias("days_to_join"))  # fmt: skip
    if nmc is not None:
        c = nmc.select(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64), "cinc")
        out = out.join(c.rename({"ccode": "ally", "cinc": "cinc_ally"}), on=["ally", "year"],
                       how="left", maintain_order="left").join(c.rename({"ccode": "partner", "cinc": "cinc_partner"}),
                                        on=["partner", "year"], how="left", maintain_order="left")  # fmt: skip
        out = out.with_columns(
            pl.when(pl.col("cinc_ally").is_null() | pl.col("cinc_partner").is_null()).then(None)
            .when(pl.col("cinc_ally") > pl.col("cinc_partner")).then(pl.lit("ally stronger"))
            .otherwise(pl.lit("ally weaker")).alias("capability")
        )  # fmt: skip
    out = out.rename({"conflict": conflict_name})
    return out.sort(conflict_name, "type", "ally", "partner")


def honouring_cases(
    participants: pl.DataFrame,
    disputes: pl.DataFrame,
    members: pl.DataFrame,
    nmc: pl.DataFrame | None = None,
    *,
    coding: str = "alliance-war-member",
    include_secret: bool = True,
) -> pl.DataFrame:
    """One row per invoked obligation in a COW MID (dispute, ally, partner, type) with
    ``honoured`` (0/1; null for consultation), ``relevance`` (the verdict; ``applies`` for every
    case under the unconditional coding) and the breakdown variables (era, conditional,
    hostility, war, capability, secret).

    ``participants`` is MIDB (``dispnum, ccode, sidea, orig``), ``disputes`` MIDA (``dispnum,
    styear[, stmon, stday], hostlev``), ``members`` the ATOP member-level table, ``nmc`` NMC
    (``ccode, year, cinc``).

    Example:
        >>> parts = pl.DataFrame({"dispnum": [1, 1, 1], "ccode": [2, 200, 365],
        ...     "sidea": [0, 0, 1], "orig": [1, 0, 1]})
        >>> disp = pl.DataFrame({"dispnum": [1], "styear": [1950], "hostlev": [4]})
        >>> mem = pl.DataFrame({"atopid": [9, 9], "member": [2, 200], "yrent": [1949, 1949],
        ...     "yrexit": [0, 0], "defense": [1, 1], "defcoadv": [1, 1],
        ...     "statthr1": [365, 365]})
        >>> honouring_cases(parts, disp, mem).select("ally", "type", "honoured", "relevance").rows()
        [(200, 'defence', 1, 'applies')]
        >>> mem = mem.with_columns(pl.Series("statthr1", [710, 710]))  # promise against China
        >>> honouring_cases(parts, disp, mem).select("ally", "relevance").rows()
        [(200, 'does not apply')]
        >>> honouring_cases(parts, disp, mem, coding="unconditional").select("relevance").item()
        'applies'
    """
    return _cases(_mid_participants(participants, disputes), members, nmc, coding=coding,
                  include_secret=include_secret, conflict_name="dispnum")  # fmt: skip


def war_cases(
    wars: pl.DataFrame,
    members: pl.DataFrame,
    nmc: pl.DataFrame | None = None,
    *,
    coding: str = "alliance-war-member",
    include_secret: bool = True,
) -> pl.DataFrame:
    """:func:`honouring_cases` for the COW Inter-State War participants (``warnum, ccode, side,
    initiator, startyear1, startmonth1, startday1``): one row per (war, ally, partner, type).

    Example:
        >>> wars = pl.DataFrame({"warnum": [139] * 3, "ccode": [255, 290, 200],
        ...     "side": [2, 1, 1], "initiator": [1, 2, 2], "startyear1": [1939] * 3,
        ...     "startmonth1": [9] * 3, "startday1": [1, 1, 3]})
        >>> mem = pl.DataFrame({"atopid": [1], "member": [200], "yrent": [1939], "moent": [8],
        ...     "dayent": [25], "yrexit": [0], "defense": [1]}).vstack(pl.DataFrame({
        ...     "atopid": [1], "member": [290], "yrent": [1939], "moent": [8], "dayent": [25],
        ...     "yrexit": [0], "defense": [1]}))
        >>> war_cases(wars, mem).select("warnum", "ally", "partner", "type", "honoured").rows()
        [(139, 200, 290, 'defence', 1)]
    """
    return _cases(_war_participants(wars), members, nmc, coding=coding,
                  include_secret=include_secret, conflict_name="warnum")  # fmt: skip


def _cluster_boot(sub: pl.DataFrame, cluster: str, draws: int,
                  seed: int) -> tuple[float | None, float | None]:
    """Percentile interval of the rate, resampling conflicts."""
    if sub.height == 0:
        return None, None
    g = sub.group_by(cluster).agg(pl.col("honoured").sum().alias("k"), pl.len().alias("n"))
    k = g.get_column("k").to_numpy().astype(float)
    n = g.get_column("n").to_numpy().astype(float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(k), size=(draws, len(k)))
    rates = k[idx].sum(axis=1) / n[idx].sum(axis=1)
    return float(np.quantile(rates, 0.025)), float(np.quantile(rates, 0.975))


def honouring_rates(
    cases: pl.DataFrame,
    by: tuple[str, ...] = ("type",),
    *,
    draws: int = 999,
    seed: int = 20261203,
) -> list[dict[str, Any]]:
    """Honouring rates of ``cases`` (from :func:`honouring_cases` or :func:`war_cases`) for each
    group of ``by``, with Wilson, exact and conflict-cluster bootstrap 95% intervals. Only cases
    whose obligation applies are rated (a ``relevance`` column, when present, must say
    ``applies``; consultation is never rated).

    Example:
        >>> cases = pl.DataFrame({"dispnum": [1, 2, 3, 4, 5], "type": ["defence"] * 5,
        ...     "honoured": [1, 1, 0, 1, 0],
        ...     "relevance": ["applies"] * 4 + ["cannot be judged"]})
        >>> r = honouring_rates(cases, draws=99)[0]
        >>> r["type"], r["cases"], r["honoured"], r["rate"]
        ('defence', 4, 3, 0.75)
    """
    from foedus.impact.estimators import proportion_ci

    cluster = "warnum" if "warnum" in cases.columns else "dispnum"
    if "relevance" in cases.columns:
        cases = cases.filter(pl.col("relevance") == "applies")
    if "type" in cases.columns:
        cases = cases.filter(pl.col("type").is_in(RATED))
    if cases.height == 0:
        raise DegenerateSampleError("no invoked obligation in the sample",
                                    fix="widen the years")  # fmt: skip
    rows = []
    groups = cases.group_by(list(by), maintain_order=True).agg(pl.len()).sort(list(by),
                                                                             nulls_last=True)
    for key in groups.select(list(by)).iter_rows(named=True):
        expr = pl.lit(True)
        for c, v in key.items():
            expr = expr & (pl.col(c).is_null() if v is None else pl.col(c) == v)
        sub = cases.filter(expr)
        k, n = int(sub.get_column("honoured").sum()), sub.height
        ci = proportion_ci(k, n)
        lo, hi = _cluster_boot(sub, cluster, draws, seed)
        rows.append({**key, "cases": n, "honoured": k, **ci,
                     "disputes": sub.get_column(cluster).n_unique(),
                     "cluster_boot_low": lo, "cluster_boot_high": hi})  # fmt: skip
    return rows


def with_periods(cases: pl.DataFrame) -> pl.DataFrame:
    """Add ``period`` (``1816-1944`` / ``1945-2003``, the published split) and ``obligations``
    (one group for pooling every rated type) to honouring cases.

    Example:
        >>> with_periods(pl.DataFrame({"year": [1939, 1967]}))["period"].to_list()
        ['1816-1944', '1945-2003']
    """
    return cases.with_columns(
        pl.when(pl.col("year") < 1945).then(pl.lit("1816-1944")).otherwise(pl.lit("1945-2003"))
        .alias("period"), pl.lit("all rated obligations").alias("obligations"))  # fmt: skip


def relevance_summary(cases: pl.DataFrame, by: tuple[str, ...] = ("type",)) -> list[dict[str, Any]]:
    """How many invoked obligations each verdict covers, per group: ``applies`` (rated),
    ``does not apply`` (left out: the promise did not cover this war), ``cannot be judged``
    (left out and reported, with how many of them the ally honoured and the commonest reason).

    Example:
        >>> cases = pl.DataFrame({"type": ["defence"] * 3, "honoured": [1, 0, 1],
        ...     "relevance": ["applies", "cannot be judged", "does not apply"],
        ...     "relevance_reason": ["", "DEFCONUM: …", "DEFCOADV: …"]})
        >>> r = relevance_summary(cases)[0]
        >>> r["applies"], r["does_not_apply"], r["cannot_be_judged"], r["cbj_honoured"]
        (1, 1, 1, 0)
    """
    rows = []
    keys = cases.select(list(by)).unique().sort(list(by), nulls_last=True)
    for key in keys.iter_rows(named=True):
        expr = pl.lit(True)
        for c, v in key.items():
            expr = expr & (pl.col(c).is_null() if v is None else pl.col(c) == v)
        sub = cases.filter(expr)
        cbj = sub.filter(pl.col("relevance") == "cannot be judged")
        reason = None
        if cbj.height:
            top = cbj.group_by("relevance_reason").len().sort("len", "relevance_reason",
                                                             descending=[True, False])
            reason = str(top.item(0, "relevance_reason"))
        rows.append({**key, "invoked": sub.height,
                     "applies": int((sub["relevance"] == "applies").sum()),
                     "does_not_apply": int((sub["relevance"] == "does not apply").sum()),
                     "cannot_be_judged": cbj.height,
                     "cbj_honoured": int(cbj["honoured"].drop_nulls().sum()) if cbj.height else 0,
                     "cbj_observable": int(cbj["honoured"].is_not_null().sum()),
                     "cbj_main_reason": reason})  # fmt: skip
    return rows


def _wh(warehouse: Any) -> Any:
    from foedus.warehouse import Warehouse

    return warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)


def _need(wh: Any, tables: tuple[tuple[str, str], ...]) -> None:
    for t, what in tables:
        if not wh.has(t):
            raise MissingDataError(f"{what} is not imported", where=t,
                                   fix="foedus data import-all ../shared/data")  # fmt: skip


def load_cases(warehouse: Any, *, coding: str = "alliance-war-member",
               include_secret: bool = True) -> pl.DataFrame:
    """:func:`honouring_cases` on the warehouse's MIDA, MIDB, ATOP members and NMC.

    Example:
        >>> load_cases("wh.duckdb", coding="unconditional").height  # doctest: +SKIP
        108818
    """
    _check_coding(coding)
    wh = _wh(warehouse)
    _need(wh, (("cow_mid_b", "COW MID participants (MIDB 5.0)"),
               ("cow_mid_a", "COW MID disputes (MIDA 5.0)"),
               ("atop_member", "ATOP member-level file")))  # fmt: skip
    nmc = wh.table("nmc") if wh.has("nmc") else None
    return honouring_cases(wh.table("cow_mid_b"), wh.table("cow_mid_a"), wh.table("atop_member"),
                           nmc, coding=coding, include_secret=include_secret)  # fmt: skip


def load_war_cases(warehouse: Any, *, coding: str = "alliance-war-member",
                   include_secret: bool = True) -> pl.DataFrame:
    """:func:`war_cases` on the warehouse's COW Inter-State War data, ATOP members and NMC.

    Example:
        >>> load_war_cases("wh.duckdb").filter(pl.col("warnum") == 139).height  # doctest: +SKIP
        57
    """
    _check_coding(coding)
    wh = _wh(warehouse)
    _need(wh, (("cow_interstate_wars", "COW Inter-State War data (v4.0)"),
               ("atop_member", "ATOP member-level file")))  # fmt: skip
    nmc = wh.table("nmc") if wh.has("nmc") else None
    return war_cases(wh.table("cow_interstate_wars"), wh.table("atop_member"), nmc,
                     coding=coding, include_secret=include_secret)  # fmt: skip
