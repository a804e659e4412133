"""The arms-control page in headless Chromium: the numbers shown equal the API's answers."""

from __future__ import annotations

from typing import Any


def test_treaties_page_matches_api(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/treaties?treaty=NPT&year=2010&state=PRK", "treaties:NPT:2010:PRK")
    doc = api("/arms-control/membership", treaty="NPT", year=2010)
    for status in ("party", "not signed", "withdrawn"):
        shown = page.locator(f'[data-metric="{status}"] .num').get_attribute("data-value")
        assert int(shown) == doc["counts"][status]
    rows = page.eval_on_selector_all(
        'table[data-table="treaty-status"] tbody tr',
        "rows => Object.fromEntries(rows.map(r => [r.dataset.key, r.querySelector('td[data-col=status]').textContent]))")
    assert rows["731"] == "withdrawn" and rows["750"] == "not signed"
    assert len(rows) == len(doc["states"])
    events = page.eval_on_selector_all('table[data-table="treaty-events"] tbody tr', "rows => rows.map(r => r.dataset.key)")
    prof = api("/arms-control/states/PRK", year=2010)
    assert events == [f"{e['treaty']}:{e['event']}" for e in prof["timeline"]]
    assert "NPT:withdrew" in events
    assert browser.errors == [] and browser.failed == []
    assert all(u.startswith(browser.base) for u in browser.requests)
