"""Honouring rates: the relevance coding on synthetic cases and on cases historians know."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.impact.reliability import (
    honouring_cases,
    honouring_rates,
    load_war_cases,
    relevance_summary,
    war_cases,
)


def _war(rows: list[tuple[int, int, int, int, int]]) -> pl.DataFrame:
    """COW war rows (ccode, side, initiator, start day in Sept 1939, WhereFought)."""
    return pl.DataFrame([{"warnum": 1, "ccode": c, "side": s, "initiator": i, "startyear1": 1939,
                          "startmonth1": 9, "startday1": d, "wherefought": w}
                         for c, s, i, d, w in rows])


def _member(atopid: int, member: int, **codes: int) -> dict[str, int]:
    return {"atopid": atopid, "member": member, "yrent": 1930, "yrexit": 0, **codes}


def test_relevance_verdicts_on_synthetic_war() -> None:
    # 255 attacks 290 on 1 Sept in Europe; 200 joins 290 on 3 Sept; 2 stays out
    wars = _war([(255, 2, 1, 1, 2), (290, 1, 2, 1, 2), (200, 1, 2, 3, 2)])
    rows = [
        _member(1, 290, defense=1, defcoadv=1, statthr1=255),  # against Germany: applies
        _member(1, 200, defense=1, defcoadv=1, statthr1=255),
        _member(2, 290, defense=1, defcoadv=1, statthr1=365),  # against the USSR only
        _member(2, 2, defense=1, defcoadv=1, statthr1=365),
        _member(3, 290, defense=1, defconum=1),  # number of adversaries: cannot be judged
        _member(3, 2, defense=1, defconum=1),
        _member(4, 290, consul=1),
        _member(4, 365, consul=1),
    ]
    members = pl.DataFrame(rows, infer_schema_length=None)
    cases = war_cases(wars, members, coding="relevance")
    got = {(r["ally"], r["type"]): (r["relevance"], r["honoured"]) for r in cases.to_dicts()
           if r["partner"] == 290}
    assert got[(200, "defence")] == ("applies", 1)
    # 2 owes 290 defence through alliances 2 (does not apply) and 3 (cannot be judged)
    assert got[(2, "defence")] == ("cannot be judged", 0)
    assert got[(365, "consultation")] == ("cannot be judged", None)
    rates = honouring_rates(cases, ("type",), draws=99)
    assert [(r["type"], r["cases"], r["honoured"]) for r in rates] == [("defence", 1, 1)]
    summary = {r["type"]: r for r in relevance_summary(cases)}
    assert summary["defence"]["cannot_be_judged"] == 1 and summary["defence"]["applies"] == 1
    # unconditional: every promise counts, consultation is not rated at all
    uncond = war_cases(wars, members, coding="unconditional")
    assert set(uncond.filter(pl.col("partner") == 290)["type"]) == {"defence"}
    u = honouring_rates(uncond, ("type",), draws=99)
    assert (u[0]["cases"], u[0]["honoured"]) == (2, 1)
    with pytest.raises(FoedusError, match="unknown honouring coding"):
        war_cases(wars, members, coding="loose")


def test_location_outside_home_region_cannot_be_judged() -> None:
    # 160 attacks 200, fighting in the Western Hemisphere (not the UK's home region)
    wars = pl.DataFrame({"warnum": [202, 202], "ccode": [160, 200], "side": [2, 1],
                         "initiator": [1, 2], "startyear1": [1982] * 2, "startmonth1": [4] * 2,
                         "startday1": [2, 2], "wherefought": [1, 1]})
    members = pl.DataFrame([_member(3180, 200, defense=1, defcoloc=1),
                            _member(3180, 2, defense=1, defcoloc=1)])
    case = war_cases(wars, members).row(0, named=True)
    assert (case["ally"], case["relevance"]) == (2, "cannot be judged")
    assert "not on a party's home territory" in case["relevance_reason"]
    home = war_cases(wars.with_columns(pl.lit(2).alias("wherefought")), members).row(0, named=True)
    assert home["relevance"] == "applies" and home["assumed"]
    # a MID has no location here
    parts = pl.DataFrame({"dispnum": [1, 1], "ccode": [160, 200], "sidea": [1, 0],
                          "orig": [1, 1]})
    disp = pl.DataFrame({"dispnum": [1], "styear": [1982], "hostlev": [5]})
    assert honouring_cases(parts, disp, members)["relevance"].to_list() == ["cannot be judged"]


def test_alliance_war_member_unit_on_synthetic_war() -> None:
    # 255 attacks 290 and 291 on 1 Sept 1939 (both out of the war by October); 200 joins them
    # on 3 Sept; 2 comes in only in 1942, when 290 and 291 no longer fight
    wars = _war([(255, 2, 1, 1, 2), (290, 1, 2, 1, 2), (291, 1, 2, 1, 2), (200, 1, 2, 3, 2),
                 (2, 1, 2, 20, 2)]).with_columns(
        pl.Series("startyear1", [1939, 1939, 1939, 1939, 1942]),
        pl.Series("endyear1", [1945, 1939, 1939, 1945, 1945]),
        pl.Series("endmonth1", [5, 10, 10, 5, 5]), pl.Series("endday1", [8, 6, 6, 8, 8]))
    rows = [_member(1, c, defense=1) for c in (290, 291, 200, 2)]
    rows += [_member(2, c, nonagg=1) for c in (255, 290)]
    members = pl.DataFrame(rows, infer_schema_length=None)
    cases = war_cases(wars, members)
    got = {(r["atopid"], r["ally"], r["type"]): r for r in cases.to_dicts()}
    # one case per ally for alliance 1, although two members were attacked
    d = {k[1]: (v["honoured"], v["partners"]) for k, v in got.items() if k[0] == 1}
    assert d == {200: (1, [290, 291]), 2: (0, [290, 291])}  # 2 came in 1942, after 290's war
    # non-aggression is at stake when members fight each other: the attacker broke it
    assert (got[(2, 255, "non-aggression")]["honoured"],
            got[(2, 290, "non-aggression")]["honoured"]) == (0, 1)
    pairs = war_cases(wars, members, coding="relevance")
    assert pairs.filter((pl.col("type") == "defence") & (pl.col("ally") == 200)).height == 2


def test_known_wars_alliance_war_member(built_warehouse: Path) -> None:
    """The default coding on cases a historian knows (COW war numbers)."""
    cases = load_war_cases(built_warehouse)

    def case(war: int, atopid: int, ally: int, kind: str) -> tuple:
        hit = cases.filter((pl.col("warnum") == war) & (pl.col("atopid") == atopid)
                           & (pl.col("ally") == ally) & (pl.col("type") == kind))
        assert hit.height == 1, (war, atopid, ally, kind)
        return hit.select("relevance", "honoured").row(0)

    # 1914: Italy stays out of the war of its Triple Alliance partners and enters against
    # Austria-Hungary in May 1915 (ATOP codes its promise as neutrality toward them)
    assert case(106, 1350, 325, "neutrality") == ("applies", 0)
    # 1914: Germany fights at Austria-Hungary's side (Triple Alliance, offence against France)
    assert case(106, 1350, 255, "offence") == ("applies", 1)
    # 1914: France fights for Russia (Franco-Russian alliance); ATOP limits the promise to an
    # adversary it does not name (SPECTHRT 6), so the case is counted apart, not rated
    assert case(106, 1385, 220, "defence") == ("cannot be judged", 1)
    # 1914: the Dual Alliance is not invoked as a defence promise (Austria-Hungary opened the
    # war against Serbia), so Germany is never coded as failing it
    dual = cases.filter((pl.col("warnum") == 106) & (pl.col("atopid") == 1335)
                        & (pl.col("type") == "defence"))
    assert dual.height == 0
    # 1939: Britain (secret protocol naming Germany) and France honour Poland
    assert case(139, 2440, 200, "defence") == ("applies", 1)
    assert case(139, 2060, 220, "defence") == ("applies", 1)
    # 1939: Italy's Pact of Steel promise counts as honoured only because the coding has no
    # deadline: it came in 283 days later (the 180-day sensitivity table counts it as broken)
    assert case(139, 2445, 325, "offence") == ("applies", 1)
    late = cases.filter((pl.col("warnum") == 139) & (pl.col("atopid") == 2445)
                        & (pl.col("ally") == 325) & (pl.col("type") == "offence"))[
        "days_to_join"].item()
    assert late == 283
    # 1941: Germany breaks the Molotov-Ribbentrop pact's promises to the USSR
    assert case(139, 2470, 255, "non-aggression") == ("applies", 0)
    # 1950: South Korea had no alliance when the North attacked (US-ROK treaty: 1953)
    assert cases.filter((pl.col("warnum") == 151)
                        & pl.col("partners").list.contains(732)).height == 0
    # 1956: the Soviet attack on Hungary breaks the Warsaw Pact's non-aggression promise
    assert case(156, 3285, 365, "non-aggression") == ("applies", 0)
    # 1967: Saudi Arabia's Arab League promise to Egypt, Jordan and Syria: one case, broken
    assert case(169, 3205, 670, "defence") == ("applies", 0)
    # 1990-91: Egypt, Saudi Arabia and Syria fight for Kuwait; Jordan does not; Iraq, the
    # attacker, breaks the Arab League's non-aggression promise
    assert [case(211, 3205, a, "defence")[1] for a in (651, 670, 652, 663)] == [1, 1, 1, 0]
    assert case(211, 3205, 645, "non-aggression") == ("applies", 0)
    # the unit: one case per war, alliance, ally and obligation
    assert cases.select("warnum", "atopid", "ally", "type").is_duplicated().sum() == 0


def test_known_wars(built_warehouse: Path) -> None:
    rel = load_war_cases(built_warehouse, coding="relevance")
    unc = load_war_cases(built_warehouse, coding="unconditional")

    def case(df: pl.DataFrame, war: int, partner: int, ally: int, kind: str) -> tuple:
        hit = df.filter((pl.col("warnum") == war) & (pl.col("partner") == partner)
                        & (pl.col("ally") == ally) & (pl.col("type") == kind))
        assert hit.height == 1, (war, partner, ally, kind)
        return hit.select("relevance", "honoured", "secret").row(0)

    # World War II: Britain (secret protocol naming Germany) and France honour their defence
    # promises to Poland, invaded by Germany on 1 September 1939
    assert case(rel, 139, 290, 200, "defence") == ("applies", 1, True)
    assert case(rel, 139, 290, 220, "defence")[:2] == ("applies", 1)
    # Six-Day War: Saudi Arabia's Arab League defence promise to Egypt applies, not honoured
    assert case(rel, 169, 651, 670, "defence")[:2] == ("applies", 0)
    # Hungary 1956: the Soviet attack breaks the Warsaw Pact's non-aggression promise
    assert case(rel, 156, 310, 365, "non-aggression")[:2] == ("applies", 0)
    # Gulf War 1991: Egypt and Saudi Arabia fight for Kuwait
    assert case(rel, 211, 690, 651, "defence")[:2] == ("applies", 1)
    # Falklands 1982: NATO's area limit — the US promise to Britain cannot be judged from ATOP,
    # while the unconditional coding counts it as broken
    assert case(rel, 202, 200, 2, "defence")[:2] == ("cannot be judged", 0)
    assert case(unc, 202, 200, 2, "defence")[:2] == ("applies", 0)
