"""The collective-defence engine on real ATOP data: the cross-checks of docs/alliances.md."""

from __future__ import annotations

import json

import polars as pl
import pytest

from foedus.alliances import alliance, responders
from foedus.alliances.codebook import CONDITIONS
from foedus.alliances.data import AllianceData
from foedus.alliances.defence import DefenceAnalysis, Obligation
from foedus.errors import FoedusError, InvalidYearsError, UnknownStateError


def _via(analysis: DefenceAnalysis, state: str, alliance_id: str, kind: str = "defense",
         ) -> Obligation:
    found = [o for o in analysis.toward_target
             if o.state_abb == state and o.alliance_id == alliance_id and o.kind == kind]
    assert len(found) == 1, (state, alliance_id, kind, found)
    return found[0]


def _check(o: Obligation, kind: str, clause: str | None = None):
    found = [c for c in o.conditions if c.kind == kind and (clause is None or c.clause == clause)]
    assert len(found) == 1, (kind, clause, o.conditions)
    return found[0]


# -- NATO 2018 ------------------------------------------------------------------------------------
def test_all_nato_members_bound_to_each_other_in_2018(data: AllianceData) -> None:
    members = alliance("NATO", 2018, warehouse=data).member_codes()
    assert len(members) == 29
    for target in members:
        own = data.states.abb(target)
        a = responders(target, 2018, location=target, warehouse=data)
        nato = {o.state: o for o in a.defence if o.alliance_id == "3180"}
        assert set(nato) == set(members) - {target}, own
        for o in nato.values():
            assert o.verdict == "met" and o.bound, (own, o.state_abb)
            assert _check(o, "location", "art6").variable == "defcoloc"


def test_nato_2018_agrees_with_atops_directed_dyad_file(data: AllianceData, wh_path) -> None:
    from foedus.warehouse import Warehouse

    members = alliance("NATO", 2018, warehouse=data).member_codes()
    with Warehouse(wh_path, read_only=True) as wh:
        ddy = wh.table("atop_ddy")
    pairs = ddy.filter(pl.col("year") == 2018, pl.col("ccode1").is_in(members),
                       pl.col("ccode2").is_in(members))
    assert pairs.height == 29 * 28
    assert pairs["atop_defense"].min() == 1


def test_nato_location_outside_the_treaty_area(data: AllianceData) -> None:
    outside = _via(responders("USA", 2018, attacker="PRK", location="JPN", warehouse=data),
                   "CAN", "3180")
    assert outside.verdict == "unmet"
    assert _check(outside, "location").verdict == "unmet"
    turkey = _via(responders("USA", 2018, location="TUR", warehouse=data), "CAN", "3180")
    assert turkey.verdict == "met"
    # Issue 9: without a location the attack is on the target's own territory (the default an
    # expert expects), which NATO's Art. 6 covers for the United States.
    home = responders("USA", 2018, warehouse=data)
    assert home.location == "USA (2)" and home.location_assumed
    assert _via(home, "CAN", "3180").verdict == "met"
    region = _via(responders("USA", 2018, location="europe", warehouse=data), "CAN", "3180")
    assert region.verdict == "cannot be judged"
    asia = _via(responders("USA", 2018, location="east_asia", warehouse=data), "CAN", "3180")
    assert asia.verdict == "unmet"


# -- United States and Japan -------------------------------------------------------------------
@pytest.mark.parametrize("year", [1960, 1975, 1990, 2018, 2024])
def test_united_states_bound_to_defend_japan_from_1960(data: AllianceData, year: int) -> None:
    a = responders("JPN", year, attacker="PRK", warehouse=data)
    us = _via(a, "USA", "3375")
    assert us.verdict == "unconditional" and us.conditions == ()
    assert 2 in a.responder_codes(certain=True)


def test_before_1960_the_1951_treaty(data: AllianceData) -> None:
    a = responders("JPN", 1955, warehouse=data)
    assert {o.alliance_id for o in a.defence} == {"3220"}


def test_japan_owes_no_defence_obligation_to_the_united_states(data: AllianceData) -> None:
    """ATOP codes Japan's pledges under the 1951 and 1960 treaties without DEFENSE."""
    for year in (1955, 1960, 1990, 2018):
        a = responders("USA", year, warehouse=data)
        assert not [o for o in a.defence if o.state_abb == "JPN"], year
    row = data.members.filter((pl.col("atopid") == 3375) & (pl.col("member") == 740)).row(
        0, named=True)
    assert (row["defense"], row["concoloc"], row["concoreq"]) == (0, 1, 1)


def test_japan_location_condition_is_honoured(data: AllianceData) -> None:
    mainland = _via(responders("USA", 2010, location="USA", warehouse=data), "JPN", "3375",
                    "consul")
    assert _check(mainland, "location").verdict == "unmet"
    assert mainland.verdict == "unmet"
    assert any("territories under the administration of Japan" in n for n in mainland.notes)
    japan = _via(responders("USA", 2010, location="JPN", warehouse=data), "JPN", "3375", "consul")
    assert _check(japan, "location").verdict == "met"
    assert _check(japan, "request").verdict == "cannot be judged"
    assert japan.verdict == "cannot be judged"
    # Without a location: an attack on the United States' own territory (issue 9 default),
    # outside Art. IV's scope.
    default = _via(responders("USA", 2010, warehouse=data), "JPN", "3375", "consul")
    assert _check(default, "location").verdict == "unmet"


# -- Germany and Austria-Hungary, 1914 ------------------------------------------------------------
def test_germany_and_austria_hungary_1914(data: AllianceData, wh_path) -> None:
    for target, ally in (("AUH", "GMY"), ("GMY", "AUH")):
        a = responders(target, 1914, attacker="RUS", warehouse=data)
        dual = _via(a, ally, "1335")
        assert dual.verdict == "met" and dual.bound
        assert _check(dual, "adversary", "art1").verdict == "met"
        assert {"1335", "1350", "1355"} <= {o.alliance_id for o in a.defence
                                             if o.state_abb == ally}
    from foedus.warehouse import Warehouse

    with Warehouse(wh_path, read_only=True) as wh:
        ddy = wh.table("atop_ddy").filter(pl.col("year") == 1914)
    for c1, c2 in ((255, 300), (300, 255)):
        assert ddy.filter((pl.col("ccode1") == c1) & (pl.col("ccode2") == c2))[
            "atop_defense"].item() == 1


def test_dual_alliance_only_against_russia(data: AllianceData) -> None:
    a = responders("AUH", 1914, attacker="Serbia", warehouse=data)
    dual = _via(a, "GMY", "1335")
    assert dual.verdict == "unmet"
    assert _check(dual, "adversary").verdict == "unmet"
    neutral = _via(a, "GMY", "1335", "neutral")
    assert _check(neutral, "attack").verdict == "met"


def test_triple_alliance_article_3_needs_two_great_powers(data: AllianceData) -> None:
    one = _via(responders("AUH", 1914, attacker="FRN", provoked=False, warehouse=data),
               "GMY", "1350")
    assert one.verdict == "unmet"
    assert [c.clause for c in one.conditions] == ["art3", "art3"]
    two = _via(responders("AUH", 1914, attacker=["FRN", "RUS"], provoked=False, warehouse=data),
               "GMY", "1350")
    assert two.verdict == "met"
    assert _check(two, "number").reason.startswith("2 major nonmember")
    provoked = _via(responders("AUH", 1914, attacker="FRN,RUS", provoked=True, warehouse=data),
                    "GMY", "1350")
    assert provoked.verdict == "unmet"


def test_triple_alliance_article_2_covers_italy_against_france(data: AllianceData) -> None:
    a = responders("ITA", 1913, attacker="FRN", provoked=False, warehouse=data)
    for ally in ("GMY", "AUH"):
        o = _via(a, ally, "1350")
        assert o.verdict == "met"
        assert _check(o, "adversary", "art2").verdict == "met"


def test_franco_russian_alliance_names_germany(data: AllianceData) -> None:
    def verdict(attacker):
        return _via(responders("FRN", 1900, attacker=attacker, warehouse=data), "RUS",
                    "1385").verdict

    assert verdict("GMY") == "met"
    assert verdict("ITA") == "unmet"
    assert verdict(["ITA", "GMY"]) == "met"
    assert verdict(None) == "cannot be judged"


# -- every condition type on real data ------------------------------------------------------------
def _first_case(data: AllianceData, variable: str) -> tuple[int, int, int, int]:
    """(atopid, member, partner, year) of the first real obligation coded with ``variable``."""
    rows = data.members.filter(pl.col(variable) == 1).sort("yrent", "atopid", "member")
    obligation = CONDITIONS[variable].obligation
    for row in rows.iter_rows(named=True):
        if row[obligation] != 1 or row["member"] >= 1000:
            continue
        year = row["yrent"]
        for target in data.year(year).by_state:
            for spell, _own in data.toward(target, year):
                if spell.atopid == row["atopid"] and spell.member == row["member"]:
                    return row["atopid"], row["member"], target, year
    raise AssertionError(f"no case for {variable}")


@pytest.mark.parametrize("variable", sorted(CONDITIONS))
def test_each_condition_type_on_real_data(data: AllianceData, variable: str) -> None:
    atopid, member, partner, year = _first_case(data, variable)
    code = CONDITIONS[variable]
    a = responders(partner, year, warehouse=data)
    found = [o for o in a.toward_target if o.atopid == atopid and o.state == member
             and o.kind == code.obligation]
    assert found, (variable, atopid, member, partner, year)
    checks = [c for o in found for c in o.conditions if c.variable == variable]
    assert checks, (variable, found[0].conditions)
    for check in checks:
        assert check.kind == code.kind
        assert check.verdict in ("met", "unmet", "cannot be judged")
        assert check.reason
    if code.kind == "attack":
        assert {c.verdict for c in checks} == {"met"}
    if code.kind in ("demands", "request", "conflict"):
        assert {c.verdict for c in checks} == {"cannot be judged"}


def test_non_provocation_is_judged_from_the_input(data: AllianceData) -> None:
    def check(provoked):
        o = _via(responders("AUH", 1900, attacker="RUS", provoked=provoked, warehouse=data),
                 "GMY", "1355")
        return _check(o, "provocation").verdict, o.verdict

    assert check(None) == ("cannot be judged", "cannot be judged")
    assert check(False) == ("met", "met")
    assert check(True) == ("unmet", "unmet")


def test_olimob_is_never_guessed(data: AllianceData) -> None:
    row = data.members.filter((pl.col("olimob") == 1) & (pl.col("defense") == 1)).sort(
        "yrent").row(0, named=True)
    year = row["yrent"]
    partners = [own.member for own_target in data.year(year).by_state
                for spell, own in data.toward(own_target, year)
                if spell.atopid == row["atopid"] and spell.member == row["member"]]
    a = responders(partners[0], year, warehouse=data)
    o = [o for o in a.defence if o.atopid == row["atopid"] and o.state == row["member"]][0]
    other = [c for c in o.conditions if c.variable == "olimob"]
    assert other and other[0].verdict == "cannot be judged"


# -- the attacker's side ----------------------------------------------------------------------------
def test_pledges_of_and_toward_the_attacker(data: AllianceData) -> None:
    a = responders("JPN", 2010, attacker="CHN", warehouse=data)
    own = {(o.alliance_id, o.kind) for o in a.attacker_pledges_to_target}
    assert ("3815", "nonagg") in own
    assert all(o.state_abb == "CHN" and o.partner_abb == "JPN" for o in a.attacker_pledges_to_target)
    assert not [o for o in a.toward_target if o.state_abb == "CHN"]
    to_china = {(o.state_abb, o.alliance_id) for o in a.pledges_to_attacker}
    assert ("JPN", "3815") in to_china
    assert all(o.partner_abb == "CHN" and o.kind in ("neutral", "nonagg")
               for o in a.pledges_to_attacker)


def test_offensive_allies_of_the_attacker(data: AllianceData) -> None:
    a = responders("RUS", 1914, attacker="GMY", warehouse=data)
    allies = {(o.state_abb, o.alliance_id) for o in a.offensive_allies}
    assert ("TUR", "2005") in allies
    assert all(o.kind == "offense" and o.partner_abb == "GMY" for o in a.offensive_allies)
    attackers = a.capabilities.filter(pl.col("side") == "attackers")
    assert attackers.height == 2
    assert attackers.filter(pl.col("basis") == "possible")["states"].item()[0] == "GMY"


def test_neutrality_toward_an_attacker_that_is_not_attacked(data: AllianceData) -> None:
    a = responders("RUS", 1914, attacker="AUH", warehouse=data)
    neutral = [o for o in a.pledges_to_attacker if o.alliance_id == "1335"]
    assert neutral and _check(neutral[0], "attack").verdict == "unmet"


# -- escalation ------------------------------------------------------------------------------------
def _tree_is_well_formed(a: DefenceAnalysis) -> None:
    codes = [n.ccode for n in a.escalation]
    assert len(codes) == len(set(codes)), "a state entered twice"
    assert a.target.ccode not in codes
    assert not {s.ccode for s in a.attackers} & set(codes)
    depth = {a.target.ccode: 0, **{n.ccode: n.depth for n in a.escalation}}
    bound = {a.target.ccode: True, **{n.ccode: n.bound for n in a.escalation}}
    for n in a.escalation:
        assert depth[n.drawn_in_by] == n.depth - 1
        assert n.bound <= bound[n.drawn_in_by]
        assert n.path[0] == a.target.abb and n.path[-1] == n.abb and len(n.path) == n.depth + 1


@pytest.mark.parametrize(("target", "year", "attacker"), [
    ("GMY", 1914, ["FRN", "RUS"]), ("USA", 2010, "PRK"), ("RUS", 2025, "UKR"), ("EGY", 1970, None),
])  # fmt: skip
def test_escalation_tree(data: AllianceData, target, year, attacker) -> None:
    a = responders(target, year, attacker, warehouse=data)
    _tree_is_well_formed(a)
    first = {n.ccode for n in a.escalation if n.depth == 1}
    assert first == set(a.responder_codes()) - {s.ccode for s in a.attackers}


def test_escalation_goes_deeper_and_depth_is_respected(data: AllianceData) -> None:
    a = responders("USA", 2010, attacker="PRK", location="USA", warehouse=data)
    assert max(n.depth for n in a.escalation) >= 3
    shallow = responders("USA", 2010, attacker="PRK", location="USA", depth=1, warehouse=data)
    assert {n.depth for n in shallow.escalation} == {1}
    _tree_is_well_formed(shallow)


def test_germany_1914_escalation_expands_only_through_bound_states(data: AllianceData) -> None:
    """Issue 9: the tree expands only through states bound to respond. Bulgaria's obligation to
    Germany (ATOP 2013) is limited to an unnamed adversary and by OLIMOB, so it cannot be judged:
    Bulgaria is a leaf, and the Ottoman Empire (reached before only through Bulgaria) is not
    drawn in."""
    a = responders("GMY", 1914, attacker=["FRN", "RUS"], provoked=False, warehouse=data)
    by_abb = {n.abb: n for n in a.escalation}
    assert by_abb["AUH"].depth == 1 and by_abb["AUH"].bound
    assert by_abb["BUL"].depth == 1 and not by_abb["BUL"].bound
    assert not [n for n in a.escalation if n.drawn_in_by_abb == "BUL"]
    assert "TUR" not in by_abb
    bound = {n.ccode for n in a.escalation if n.bound} | {a.target.ccode}
    assert all(n.drawn_in_by in bound for n in a.escalation)


def test_united_states_bound_to_defend_south_korea(data: AllianceData) -> None:
    """Issue 9 acceptance: the 1953 treaty (ATOP 3240) binds the United States; its location
    condition (DEFCOLOC = 1) is met by an attack on South Korea's own territory."""
    a = responders("ROK", 2018, attacker="PRK", warehouse=data)
    us = _via(a, "USA", "3240")
    assert us.verdict == "met" and us.bound
    assert _check(us, "location").verdict == "met"
    assert 2 in a.responder_codes(certain=True)
    # NATO allies of the United States are not bound by a war in Korea (Art. 6).
    assert not [n for n in a.escalation if n.alliance_id == "3180" and n.bound]


def test_every_obligation_toward_poland_is_judged(data: AllianceData) -> None:
    """Issue 10 acceptance: no 'cannot be judged' where ATOP's codes decide it."""
    a = responders("POL", 2018, attacker="RUS", warehouse=data)
    nato = [o for o in a.defence if o.alliance_id == "3180"]
    assert len(nato) == 28 and all(o.bound for o in nato)
    for o in a.toward_target:
        if o.verdict == "cannot be judged":
            variables = {c.variable for c in o.conditions if c.verdict == "cannot be judged"}
            assert variables <= {"olimob", "concoreq", "defcodem", "defconum", "neucodem",
                                 "neuconum"}, (o.state_abb, o.alliance_id, variables)


# -- capabilities ----------------------------------------------------------------------------------
def test_coalition_capability_sums_nmc(data: AllianceData, wh_path) -> None:
    from foedus.warehouse import Warehouse

    a = responders("GMY", 1914, attacker=["FRN", "RUS"], provoked=False, warehouse=data)
    caps = a.capabilities
    row = caps.filter((pl.col("side") == "defenders") & (pl.col("scope") == "direct")
                      & (pl.col("basis") == "bound")).row(0, named=True)
    assert row["states"][0] == "GMY"
    codes = data.states.codes(row["states"])
    with Warehouse(wh_path, read_only=True) as wh:
        nmc = wh.table("nmc").filter((pl.col("year") == 1914) & pl.col("ccode").is_in(codes))
    assert row["cinc"] == pytest.approx(nmc["cinc"].sum())
    assert row["milex"] == pytest.approx(nmc["milex"].sum())
    enemy = caps.filter((pl.col("side") == "attackers") & (pl.col("basis") == "bound")).row(
        0, named=True)
    assert row["share"] + enemy["share"] == pytest.approx(1.0)
    assert 0 < row["share"] < 1


def test_capability_outside_nmc_says_so(data: AllianceData) -> None:
    a = responders("JPN", 2025, warehouse=data)
    assert a.capabilities["cinc"].is_null().all()
    assert any("no NMC capabilities for 2025 (NMC covers 1816–2022)" in n for n in a.notes)


# -- bad input -------------------------------------------------------------------------------------
def test_unknown_state_names_suggest_close_matches(data: AllianceData) -> None:
    with pytest.raises(UnknownStateError) as info:
        responders("Japn", 2010, warehouse=data)
    assert "JPN" in (info.value.fix or "")
    with pytest.raises(UnknownStateError) as info:
        responders("JPN", 2010, attacker="Chinaa", warehouse=data)
    assert "China" in (info.value.fix or "")


def test_unknown_location_lists_regions(data: AllianceData) -> None:
    with pytest.raises(UnknownStateError) as info:
        responders("JPN", 2010, location="Atlantis", warehouse=data)
    assert "europe" in (info.value.fix or "")


@pytest.mark.parametrize("year", [1700, 1814, 2200])
def test_year_outside_coverage(data: AllianceData, year: int) -> None:
    with pytest.raises(InvalidYearsError) as info:
        responders("JPN", year, warehouse=data)
    assert "ATOP 5.1 covers 1815–2018" in (info.value.fix or "")


def test_target_cannot_attack_itself(data: AllianceData) -> None:
    with pytest.raises(FoedusError, match="cannot attack itself"):
        responders("JPN", 2010, attacker="JPN", warehouse=data)


def test_json_document(data: AllianceData) -> None:
    doc = json.loads(json.dumps(responders("JPN", 2010, attacker="PRK", location="JPN",
                                           warehouse=data).to_dict(), default=str))
    assert doc["responders"] == [2]
    assert doc["target"]["abb"] == "JPN" and doc["location"] == "JPN (740)"
    assert {"toward_target", "pledges_to_attacker", "offensive_allies", "escalation",
            "capabilities", "notes"} <= set(doc)
