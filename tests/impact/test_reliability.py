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
    cases = war_cases(wars, members)
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


def test_known_wars(built_warehouse: Path) -> None:
    rel = load_war_cases(built_warehouse)
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
