"""The what-if page in Chromium: a scenario from the URL runs, its numbers are the API's, an
edited scenario re-runs, a bad scenario shows the API's problem."""

from __future__ import annotations

import math
import time
from typing import Any
from urllib.parse import quote

import httpx

TOML = """format = 1
name = "JPN 2010"
year = 2010
draws = 2000
seed = 3
[attack]
attackers = ["PRK"]
target = "JPN"
[participation]
USA = 0.5
"""


def _metric(browser: Any, key: str) -> tuple[float, float]:
    el = browser.page.locator(f'[data-metric="{key}"] .num')
    return float(el.nth(0).get_attribute("data-value")), float(el.nth(1).get_attribute("data-value"))


def test_whatif_from_url_equals_api(browser: Any, server: Any) -> None:
    for _ in range(20):  # 503 + Retry-After: the answer is still being computed
        r = httpx.post(f"{server.url}/api/v1/scenarios", content=TOML,
                       headers={"content-type": "application/toml"}, timeout=300)
        if r.status_code != 503:
            break
        time.sleep(float(r.headers.get("Retry-After", "1")))
    assert r.status_code == 200, r.text
    expected = r.json()
    browser.open(f"/dashboard/whatif?s={quote(TOML)}", "whatif:JPN 2010")
    sim, base = expected["simulation"]["scenario"], expected["simulation"]["base"]
    scen_v, base_v = _metric(browser, "p_at_least_1")
    assert scen_v == sim["coalition"]["p_at_least"]["1"] and base_v == base["coalition"]["p_at_least"]["1"]
    usa_row = browser.page.locator('table[data-table="responders"] tr[data-key="USA"]')
    shown = usa_row.locator('td[data-col="p_responds"] .num').get_attribute("data-value")
    usa = next(r for r in sim["responders"] if r["state"] == "USA")
    assert math.isclose(float(shown), usa["p_responds"])
    assert usa["p_basis"] == "scenario [participation]"
    # the share link carries the scenario
    assert "s=" in (browser.page.locator("#share").get_attribute("href") or "")
    assert browser.errors == [] and browser.failed == []
    browser.assert_local()


def test_whatif_edit_and_error(browser: Any) -> None:
    browser.open("/dashboard/whatif", "form")
    browser.page.fill("#scenario", TOML.replace('target = "JPN"', 'target = "ZZZ"'))
    browser.page.click("#run")
    browser.wait_ready("error")
    assert "unknown state" in browser.page.locator("#error").inner_text()
    browser.page.fill("#scenario", TOML.replace("USA = 0.5", "USA = 0.0"))
    browser.page.click("#run")
    browser.wait_ready("whatif:JPN 2010")
    row = browser.page.locator('table[data-table="responders"] tr[data-key="USA"]')
    assert float(row.locator('td[data-col="p_responds"] .num').get_attribute("data-value")) == 0.0


def test_recommend_page_equals_api(browser: Any, api: Any) -> None:
    expected = api("/recommend", state="JPN", objective="deter:CHN", top=5)
    browser.open("/dashboard/recommend?state=JPN&objective=deter%3ACHN&top=5",
                  "recommend:JPN:deter:CHN")
    rows = browser.page.locator('table[data-table="options"] tbody tr')
    assert rows.count() == 5
    first = expected["options"][0]
    row = browser.page.locator(
        f'table[data-table="options"] tr[data-key="{first["partner"]}-{first["instrument"]}"]')
    assert float(row.locator('td[data-col="score"] .num').get_attribute("data-value")) == first["score"]
    assert browser.errors == [] and browser.failed == []
