"""The impact dashboard page in Chromium: the numbers shown are the API's."""

from __future__ import annotations

from typing import Any


def test_impact_page(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/impact?design=troops-burden", "impact:troops-burden")
    doc = api("/impact/designs/troops-burden")
    shown = page.eval_on_selector_all(
        'table[data-table="estimates"] tbody td[data-col="estimate"] .num',
        "cells => cells.map(c => Number(c.dataset.value))")
    assert shown == [e["estimate"] for e in doc["estimates"]]
    es = page.evaluate("document.getElementById('eventstudy').data[0]")
    assert es["x"] == [r["rel"] for r in doc["tables"]["event_study"]]
    assert es["y"] == [r["estimate"] for r in doc["tables"]["event_study"]]
    rates = api("/impact/designs/honouring-rates")["tables"]["by_type_era_war"]
    bars = page.evaluate("document.getElementById('honouring').data.map(t => [t.name, t.y])")
    want = {t: [r["rate"] for r in rates if r["type"] == t] for t in {r["type"] for r in rates}}
    assert {name: y for name, y in bars} == want
    curves = page.evaluate("document.getElementById('survival').data.length")
    assert curves == 4
    browser.assert_local()
