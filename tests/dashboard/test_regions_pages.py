"""Region and grouping pages in Chromium: every number is the API's, nothing from another host."""

from __future__ import annotations

from typing import Any

from tests.dashboard.test_dashboard import shown_equals, table_values


def _clean(browser: Any) -> None:
    assert browser.page.locator("[role=alert]").count() == 0
    assert browser.errors == [] and browser.failed == []
    browser.assert_local()


def test_region_page(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/regions?region=asia-pacific&from=2010&to=2016",
                        "regions:asia-pacific:2010:2016")
    doc = api("/regions/asia-pacific/profile", **{"from": 2010, "to": 2016})
    s = doc["summary"]
    shown_equals(*browser.metric("cinc_first"), s["cinc_share_first"])
    shown_equals(*browser.metric("milex_last"), s["milex_share_last"])
    shown_equals(*browser.metric("arms_within"), s["arms_within_total"])
    shown_equals(*browser.metric("members"), len(doc["region"]["members_last_year"]))
    cinc = table_values(browser, "region-series", "cinc_share")
    assert {int(k): float(v) for k, v in cinc.items()} == {
        r["year"]: r["cinc_share"] for r in doc["series"]}
    # the members are coloured on the map (China, Japan, India, Australia among them)
    z = page.evaluate("(() => { const t = document.getElementById('map').data[0];"
                      " return Object.fromEntries(t.locations.map((l, i) => [l, t.z[i]])); })()")
    assert z["CHN"] == 1 and z["AUS"] == 1 and z["IND"] == 1 and z["IRN"] == 0 and z["USA"] == 0
    _clean(browser)
    # another region from the menu
    page.select_option("#region", "cow:europe")
    browser.wait_ready("regions:cow:europe:2010:2016")
    _clean(browser)


def test_groupings_page(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/groupings?a=BRICS&b=G7&year=2023", "groupings:BRICS:G7:2023")
    doc = api("/groupings/compare", a="BRICS", b="G7", year=2023)
    shown_equals(*browser.metric("cinc_a"), doc["cinc"]["BRICS"]["share"])
    shown_equals(*browser.metric("milex_b"), doc["milex"]["G7"]["share"])
    shown_equals(*browser.metric("un_between"), doc["un_alignment"]["between"]["distance"])
    flows = table_values(browser, "grouping-flows", "value")
    assert float(flows["arms_b_to_a"]) == doc["arms"]["tiv"]["arms_b_to_a"]
    assert flows["exercises_between"] == ""  # MME ends in 2010: shown as missing
    assert "2022" in page.inner_text("#metrics")  # the NMC year used is named
    _clean(browser)
    page.fill("#year", "2009")
    page.click("button[type=submit]")
    browser.wait_ready("groupings:BRICS:G7:2009")
    old = api("/groupings/compare", a="BRICS", b="G7", year=2009)
    assert float(table_values(browser, "grouping-flows", "value")["exercises_between"]) == old["exercises"]["between"]
    _clean(browser)
