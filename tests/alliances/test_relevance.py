"""Relevant commitments: the rules of foedus.alliances.relevance, scalar and vectorised."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.alliances.relevance import (
    APPLIES,
    CBJ,
    NOT,
    RULES,
    judge_codes,
    obligation_applies,
    obligation_years,
    relevant_commitments,
)


@pytest.fixture(scope="module")
def tables(wh_path):
    from foedus.warehouse import Warehouse

    with Warehouse(wh_path, read_only=True) as wh:
        return wh.table("atop_member"), wh.table("atop_ddy")


@pytest.fixture(scope="module")
def obligations(tables):
    members, ddy = tables
    return obligation_years(members, ddy)


def test_rules_cite_codebook_pages() -> None:
    assert all(page.startswith("p") for _text, page in RULES.values())


def test_codes_judged_as_the_codebook_says() -> None:
    named = {"defense": 1, "defcoadv": 1, "statthr1": 365, "statthr2": 0}
    assert judge_codes(named, "defense", partner=255, challengers=(365,)).verdict == APPLIES
    assert judge_codes(named, "defense", partner=255, challengers=(220,)).verdict == NOT
    unnamed = {"defense": 1, "defcoadv": 1, "statthr1": 0}
    assert judge_codes(unnamed, "defense", partner=255, challengers=(365,)).verdict == CBJ
    home = {"defense": 1, "defcoloc": 1}
    assert judge_codes(home, "defense", partner=290, challengers=(365,)).verdict == APPLIES
    elsewhere = judge_codes(home, "defense", partner=290, challengers=(365,), location=93)
    assert elsewhere.verdict == CBJ and elsewhere.rules == ("loc-other",)
    attacked = {"neutral": 1, "neucoatt": 1}
    assert judge_codes(attacked, "neutral", partner=2, challengers=(365,)).verdict == APPLIES
    assert judge_codes(attacked, "neutral", partner=2, challengers=(365,),
                       partner_attacked=False).verdict == NOT
    assert judge_codes({"defense": 0}, "defense", partner=2, challengers=(1,)).verdict == NOT
    assert judge_codes({"defense": 1, "pubsecr": 2, "secrart": 8}, "defense", partner=2,
                       challengers=(1,)).secret


def test_obligation_applies_on_real_treaties(wh_path) -> None:
    us_rok = obligation_applies("USA", "ROK", "PRK", 2018, warehouse=wh_path)
    assert [(a.atopid, a.verdict) for a in us_rok] == [(3240, APPLIES)]
    dual = obligation_applies("GMY", "AUH", "RUS", 1900, warehouse=wh_path)
    assert (1335, APPLIES) in [(a.atopid, a.verdict) for a in dual]
    serbia = obligation_applies("GMY", "AUH", "Serbia", 1900, warehouse=wh_path)
    assert (1335, NOT) in [(a.atopid, a.verdict) for a in serbia]


def test_member_file_pairs_agree_with_atops_directed_dyad_file(obligations, tables) -> None:
    _members, ddy = tables
    ours = obligations.filter(pl.col("defense") == 1).select(
        pl.col("state").alias("ccode1"), pl.col("partner").alias("ccode2"), "year").unique()
    atop = ddy.filter(pl.col("atop_defense") == 1).select("ccode1", "ccode2", "year").unique()
    keys = ["ccode1", "ccode2", "year"]
    assert atop.join(ours, on=keys, how="anti").height == 0
    assert ours.join(atop, on=keys, how="anti").height <= 11  # France–Annam-type pairs


def _scalar(by_partner: dict[int, list[dict]], members: dict[int, set[int]], c: int, b: int,
            undecided: str) -> dict[str, float]:
    """The four variables by looping over obligation rows with judge_codes (the scalar rules)."""
    ob_rows = by_partner.get(b, []) + by_partner.get(c, [])
    ok = {APPLIES, CBJ} if undecided == "count" else {APPLIES}
    out = dict.fromkeys(("ptargdef", "pchalally", "pchaloff", "pchalneu"), 0.0)
    for r in ob_rows:
        if r["pubsecr"] == 2 or (r["pubsecr"] == 1 and r["secrart"] in (2, 3, 4)):
            continue
        group = members[r["atopid"]]
        if r["partner"] == b and r["state"] != c:
            v = judge_codes(r, "defense", partner=b, challengers=(c,), members=group).verdict
            out["ptargdef"] = max(out["ptargdef"], float(v in ok))
        if r["partner"] == c and r["state"] != b:
            v = judge_codes(r, "defense", partner=c, challengers=(b,), members=group).verdict
            out["pchalally"] = max(out["pchalally"], float(v in ok))
            for kind, name in (("offense", "pchaloff"), ("neutral", "pchalneu")):
                v = judge_codes(r, kind, partner=c, challengers=(b,), location=b, members=group,
                                partner_attacked=False).verdict
                out[name] = max(out[name], float(v in ok))
    return out


@pytest.mark.parametrize("undecided", ["count", "drop"])
def test_vectorised_form_follows_the_scalar_rules(obligations, undecided) -> None:
    years = [1870, 1900, 1914, 1939, 1955, 1980, 2018]
    rng_states = obligations.filter(pl.col("year").is_in(years))
    states = rng_states.select("year", pl.col("partner").alias("s")).unique().vstack(
        rng_states.select("year", pl.col("state").alias("s")).unique()).unique()
    pairs = states.join(states, on="year").filter(pl.col("s") != pl.col("s_right")).rename(
        {"s": "ccode1", "s_right": "ccode2"}).sample(n=1500, seed=7).sort("year", "ccode1", "ccode2")
    vec = relevant_commitments(pairs, obligations, undecided=undecided)
    by_year = {}
    for y in years:
        rows = obligations.filter(pl.col("year") == y).to_dicts()
        members: dict[int, set[int]] = {}
        by_partner: dict[int, list[dict]] = {}
        for r in rows:
            members.setdefault(r["atopid"], set()).update((r["state"], r["partner"]))
            by_partner.setdefault(r["partner"], []).append(r)
        by_year[y] = (by_partner, members)
    checked = {name: 0 for name in ("ptargdef", "pchalally", "pchaloff", "pchalneu")}
    for row in vec.iter_rows(named=True):
        expected = _scalar(*by_year[row["year"]], row["ccode1"], row["ccode2"], undecided)
        for name, value in expected.items():
            assert row[name] == value, (row, name, expected)
            checked[name] += int(value)
    assert checked["ptargdef"] > 100 and checked["pchalneu"] > 0


def test_outside_atop_years_is_missing(obligations) -> None:
    d = pl.DataFrame({"ccode1": [365, 365], "ccode2": [290, 290], "year": [2018, 2019]})
    out = relevant_commitments(d, obligations)
    assert out["ptargdef"].to_list() == [1.0, None]


def test_secret_provisions_left_out_by_default(obligations) -> None:
    secret = obligations.filter((pl.col("pubsecr") == 2) & (pl.col("defense") == 1)).row(
        0, named=True)
    d = pl.DataFrame({"ccode1": [-1], "ccode2": [secret["partner"]], "year": [secret["year"]]})
    only = obligations.filter(pl.col("atopid") == secret["atopid"])
    assert relevant_commitments(d, only)["ptargdef"].item() == 0.0
    assert relevant_commitments(d, only, include_secret=True)["ptargdef"].item() in (0.0, 1.0)
    with_secret = relevant_commitments(d, only, include_secret=True, undecided="count")
    assert with_secret.height == 1
