"""The impact outcomes applied to an organisation's own engagements, and the public instruments of
the same dyad in the AM&E brief — on the real warehouse, checked against facts an analyst knows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from foedus.cli import app
from foedus.errors import RecordsError
from foedus.records import RecordStore
from foedus.records.analysis import organisation_impact, partner_dyads, public_instruments
from foedus.records.brief import partner_summary, render_brief

RECORDS = [  # (partner, start, status, marking)
    ("Poland", "1996-04-10", "completed", "internal"),   # NATO accession signed 1997 (ATOP)
    ("Poland", "1998-09-01", "completed", "internal"),
    ("Japan", "2005-06-01", "completed", "public"),      # allied with the US since 1951/1960
    ("Ghana", "2009-05-02", "assessed", "public"),
    ("Kenya", "2010-02-01", "proposed", "public"),       # a plan: not an engagement that happened
]


def _store(path: Path) -> RecordStore:
    store = RecordStore(path / "records.sqlite")
    admin = store.system_principal()
    for partner, start, status, marking in RECORDS:
        e = store.create_engagement(admin, {"title": f"Training with {partner}",
                                            "instrument": "training", "partners": [partner],
                                            "start_date": start, "marking": marking})
        if status == "proposed":
            continue
        version = e["version"]
        for step in ("approved", "ongoing", "completed"):
            version = store.set_status(admin, e["id"], step, version=version)["version"]
        if status == "assessed":
            store.add_child(admin, e["id"], "assessment", {"assessed_on": "2010-01-10",
                                                           "rating": "achieved", "summary": "Course held as planned"})
            version = store.get_engagement(admin, e["id"])["version"]
            store.set_status(admin, e["id"], "assessed", version=version)
    return store


@pytest.fixture(scope="module")
def impact(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("records-impact")
    with _store(folder) as store:
        doc = organisation_impact(store, store.system_principal(), "USA", built_warehouse,
                                  window=3, draws=500)
    doc["_db"] = str(folder / "records.sqlite")
    return doc


def test_partner_dyads_use_engagements_that_happened(tmp_path: Path):
    with _store(tmp_path) as store:
        admin = store.system_principal()
        found = partner_dyads(store, admin, "USA")
        assert [(d["partner"], d["onset"], d["engagements"]) for d in found["dyads"]] == [
            ("Poland", 1996, 2), ("Japan", 2005, 1), ("Ghana", 2009, 1)]
        assert found["not_held"] == {"proposed": 1}
        public_only = partner_dyads(store, admin, "USA", marking="public")
        assert [d["partner"] for d in public_only["dyads"]] == ["Japan", "Ghana"]
        with pytest.raises(RecordsError):
            partner_dyads(store, admin, "Atlantis")


def test_organisation_impact_matches_known_facts(impact: dict[str, Any]):
    rows = {r["partner"]: r for r in impact["dyads"]}
    poland, japan = rows["Poland"], rows["Japan"]
    # Poland signed NATO accession in 1997 (ATOP dates it from signature): a new defence
    # obligation with the United States within the window after the 1996 onset.
    assert poland["formation-defense"] == {"allied_before": False, "at_risk": True,
                                           "formed": True, "first_year": 1997}
    # ... and its alliance portfolio became more like the US one, more than the US's other dyads.
    s = poland["s"]
    assert s["years_before"] == 3 and s["years_after"] == 3
    assert s["change"] > 0 and s["difference"] > 0
    assert s["change"] == pytest.approx(s["after"] - s["before"])
    # Japan was allied with the US long before 2005: not at risk of forming an alliance.
    assert japan["formation-defense"]["allied_before"] is True
    assert japan["formation-defense"]["at_risk"] is False
    # Kenya (only a proposal) is neither a partner dyad nor a comparison dyad.
    assert "Kenya" not in rows
    pooled = impact["pooled"]["s"]
    assert pooled["dyads"] == 3 and 0 < pooled["randomisation_p"] <= 1
    # Three partner dyads: the two-way fixed-effects design refuses (it needs 10).
    assert "refused" in impact["twfe"]["s"] and "10" in impact["twfe"]["s"]["refused"]
    assert any("not an estimate" in line for line in impact["limits"])
    assert impact["formation"]["defense"]["partners"]["at_risk"] == 2  # Poland, Ghana


def test_public_instruments_and_brief(built_warehouse: Path, impact: dict[str, Any]):
    doc = public_instruments("USA", "Poland", built_warehouse, years=(1995, 2000))
    by_year = {r["year"]: r for r in doc["timeline"]}
    assert by_year[1996]["atop_defense"] == 0 and by_year[1998]["atop_defense"] == 1
    assert {i["treatment"] for i in doc["instruments"]} >= {"dca", "exercises", "arms"}
    for i in doc["instruments"]:  # a year is listed only where the source covers it
        lo, hi = (int(x) for x in i.get("coverage", "0-9999").split("-"))
        assert all(lo <= y <= hi for y in i["years_used"])
    with RecordStore(impact["_db"]) as store:
        summary = partner_summary(store, store.system_principal(), "Poland", home="USA",
                                  warehouse=built_warehouse)
    timeline = {r["year"]: r for r in summary["public"]["timeline"]}
    assert timeline[1996]["records"] == 1 and timeline[1998]["records"] == 1
    page = render_brief(summary)
    assert 'data-table="public_timeline"' in page and "The same dyad in the public data" in page


def test_records_impact_cli(built_warehouse: Path, impact: dict[str, Any], tmp_path: Path):
    runner = CliRunner()
    base = ["records", "impact", "--home", "USA", "--database", impact["_db"],
            "--warehouse", str(built_warehouse)]
    bad = runner.invoke(app, [*base, "-o", str(tmp_path / "x.docx")])
    assert bad.exit_code == 2 and not (tmp_path / "x.docx").exists()
    wrong = runner.invoke(app, [*base, "--window", "40", "--json"])
    assert wrong.exit_code == 2 and "window" in json.loads(wrong.stdout)["what"]
    out = tmp_path / "impact.csv"
    done = runner.invoke(app, [*base, "-o", str(out), "--json"])
    assert done.exit_code == 0, done.stdout
    assert [r["partner"] for r in json.loads(done.stdout)["dyads"]] == ["Poland", "Japan", "Ghana"]
    assert out.read_text().splitlines()[0].startswith("partner,ccode,onset")
