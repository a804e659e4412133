"""The events monitor page in Chromium shows the API's monthly numbers and anomaly markers."""

from __future__ import annotations


def test_events_page_matches_api(browser, api):
    page = browser.open("/dashboard/events?a=USA&b=CHN&from=2018-01&to=2018-12&source=gdelt",
                        "events:USA-CHN")
    doc = api("/events/dyads/USA/CHN", **{"from": "2018-01", "to": "2018-12", "source": "gdelt"})
    for month in doc["months"]:
        row = page.locator(f'table[data-table="months"] tr[data-key="{month["month"]}"]')
        shown = row.locator('td[data-col="conflict_events"]').inner_text().replace(",", "")
        if month["covered"]:
            assert shown == str(month["conflict_events"])
        else:
            assert row.locator('td[data-col="anomaly"]').inner_text() == "no data"
    assert page.locator("#chart .main-svg").count() >= 1
    anomalies = [m["month"] for m in doc["months"] if m["anomaly"]]
    assert anomalies == ["2018-04", "2018-07"]
    browser.assert_local()
    page = browser.open("/dashboard/events?a=USA&b=Narnia", "error")
    assert "Narnia" in page.inner_text("#error")
