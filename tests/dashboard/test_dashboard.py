"""The dashboard in real headless Chromium over the real-data warehouse.

Each test loads pages from the server started in ``conftest.py``, checks that the numbers the page
shows equal the API's JSON answer for the same question, and that every request the page made
went to the server itself.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

PAGES = [
    ("/dashboard/", None),
    ("/dashboard/network?year=1985", "network:1985"),
    ("/dashboard/map?measure=cinc&year=2010", "map:cinc:2010"),
    ("/dashboard/state?state=JPN&year=2010", "state:JPN:2010"),
    ("/dashboard/alliance?id=NATO&year=2018", "alliance:3180"),
    ("/dashboard/dyad?a=USA&b=JPN&from=1946&to=2018", "dyad:USA:JPN"),
    ("/dashboard/defend?target=POL&year=2018&attacker=RUS&location=POL", "defend:POL:2018"),
]


def shown_equals(value: str, text: str, expected: Any) -> None:
    """A number on the page: its exact value (data-value) equals the API's, and the text shown
    is that value to 4 significant digits."""
    if expected is None:
        assert value == "" and text == "—", (value, text)
        return
    assert float(value) == float(expected), (value, expected)
    assert math.isclose(
        float(text.replace(",", "")), float(expected), rel_tol=1e-3, abs_tol=1e-15
    ), (text, expected)


def table_values(browser: Any, table: str, column: str) -> dict[str, str]:
    """{row data-key: data-value} of a numeric column of a table on the page."""
    return browser.page.eval_on_selector_all(
        f'table[data-table="{table}"] tbody tr',
        """(rows, column) => Object.fromEntries(rows.map((r) => {
               const cell = r.querySelector(`td[data-col="${column}"] .num`);
               return [r.dataset.key, cell ? cell.dataset.value : null];
           }))""",
        column,
    )


# ---------------------------------------------------------------------------------------------
# every page: renders, no script error, nothing from another host
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "ready"), PAGES, ids=[p for p, _ in PAGES])
def test_page_loads_from_the_server_only(browser: Any, path: str, ready: str | None) -> None:
    browser.open(path, ready)
    assert browser.page.locator("[role=alert]").count() == 0, browser.page.locator(
        "[role=alert]"
    ).all_inner_texts()
    assert browser.errors == []
    assert browser.failed == []
    browser.assert_local()
    # the assets are the local ones
    scripts = browser.page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert all(s.startswith(browser.base + "/dashboard/static/") for s in scripts), scripts


def test_pages_are_sent_with_a_same_origin_policy(server: Any) -> None:
    import httpx

    r = httpx.get(server.url + "/dashboard/network")
    assert r.status_code == 200
    policy = r.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "http" not in policy  # no other origin is allowed
    assert httpx.get(server.url + "/dashboard/static/plotly.min.js").status_code == 200
    assert httpx.get(server.url + "/dashboard/static/world-110m.geojson").status_code == 200


# ---------------------------------------------------------------------------------------------
# home
# ---------------------------------------------------------------------------------------------
def test_home_shows_the_warehouse_status(browser: Any, api: Any) -> None:
    browser.open("/dashboard/", "home")
    status = api("/status")
    in_use = status["in_use"]
    shown_equals(*browser.metric("tables"), len(in_use))
    shown_equals(*browser.metric("sources"), len({r["source"] for r in in_use}))
    shown_equals(*browser.metric("rows"), sum(r["rows"] for r in in_use))
    rows = table_values(browser, "releases", "rows")
    assert rows == {r["table"]: str(r["rows"]) for r in in_use}
    # the structure chart holds the API's series
    structure = api("/structure", **{"from": 1816, "to": 2022})
    ys = browser.page.evaluate("document.getElementById('structure').data[0].y")
    assert ys == [r["effective_poles"] for r in structure["rows"]]
    browser.assert_local()


# ---------------------------------------------------------------------------------------------
# network: metrics equal the API's, the year slider moves the network, the obligation filter
# ---------------------------------------------------------------------------------------------
METRICS = [
    "nodes",
    "edges",
    "density",
    "components",
    "blocs",
    "largest_bloc",
    "modularity",
    "polarisation",
    "polarisation_cinc",
]


def check_network(browser: Any, doc: dict[str, Any]) -> None:
    for key in METRICS:
        shown_equals(*browser.metric(key), doc["metrics"][key])
    drawn = browser.page.evaluate(
        "(() => { const d = document.getElementById('chart').data; return [d[1].x.length, d[1].customdata]; })()"
    )
    assert drawn[0] == len(doc["nodes"])
    assert sorted(drawn[1]) == sorted(n["ccode"] for n in doc["nodes"])
    top = browser.page.eval_on_selector_all(
        'table[data-table="top-nodes"] tbody tr',
        "rows => rows.map(r => [Number(r.dataset.key), Number(r.querySelector('td[data-col=degree] .num').dataset.value)])",
    )
    degree = {n["ccode"]: n["degree"] for n in doc["nodes"]}
    assert top and all(degree[c] == d for c, d in top)
    assert [d for _, d in top] == sorted((n["degree"] for n in doc["nodes"]), reverse=True)[
        : len(top)
    ]


def test_network_year_slider_and_obligation_filter(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/network?year=1985", "network:1985")
    check_network(browser, api("/network", year=1985))
    assert page.locator("#title-year").inner_text() == "1985"

    # move the slider with the keyboard: five steps right
    slider = page.locator("#year")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    browser.wait_ready("network:1990")
    assert slider.input_value() == "1990"
    assert "year=1990" in page.url
    check_network(browser, api("/network", year=1990))

    # and drag it: the far left end is 1816
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    browser.wait_ready("network:1816")
    check_network(browser, api("/network", year=1816))

    # by default only defence obligations make a tie; the other obligations are filters
    page.goto(browser.base + "/dashboard/network?year=1990")
    browser.wait_ready("network:1990")
    assert [page.locator(f'#obligations input[value="{o}"]').is_checked() for o in
            ("defense", "offense", "neutral", "nonagg", "consul")] == [True, False, False, False, False]
    for name in ("offense", "neutral", "nonagg", "consul"):
        page.locator(f'#obligations input[value="{name}"]').check()
    everything = "defense,offense,neutral,nonagg,consul"
    browser.wait_ready(f"network:1990:{everything}")
    assert "obligation=defense%2Coffense" in page.url or "obligation=defense,offense" in page.url
    check_network(browser, api("/network", year=1990, obligation=everything))
    browser.assert_local()


def test_network_1989_separates_the_blocs_with_a_legend_and_alliance_names(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/network?year=1989", "network:1989")
    doc = api("/network", year=1989)
    bloc = {n["abbreviation"]: n["bloc"] for n in doc["nodes"]}
    assert bloc["USA"] != bloc["RUS"]  # NATO and the Warsaw Pact
    legend = page.eval_on_selector_all('[data-legend="blocs"] li[data-bloc]',
                                       "els => els.map(e => [Number(e.dataset.bloc), e.innerText])")
    assert [b for b, _ in legend] == [b["bloc"] for b in doc["blocs"]]
    usa_bloc = next(text for b, text in legend if b == bloc["USA"])
    assert "United States of America" in usa_bloc
    # every tie's hover names the alliances that make it, never an "ATOP 3740"-style code
    hover = page.evaluate("document.getElementById('chart').data[2].hovertext")
    assert len(hover) == len(doc["edges"])
    assert any(t.startswith("USA–UKG: North Atlantic Treaty Organization") for t in hover)
    # every state with a tie is labelled on the chart
    labels = page.evaluate("document.getElementById('chart').data[1].text")
    assert sum(1 for t in labels if t) == sum(1 for n in doc["nodes"] if n["degree"] > 0)


def test_network_two_year_comparison(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/network?year=1989&compare=1992", "network:1989:vs1992")
    a, b = api("/network", year=1989), api("/network", year=1992)
    shown = table_values(browser, "compare-metrics", "b")
    assert float(shown["edges"]) == b["metrics"]["edges"] and float(shown["nodes"]) == b["metrics"]["nodes"]
    pairs = lambda d: {(e["source"], e["target"]) for e in d["edges"]}  # noqa: E731
    rows = page.eval_on_selector_all('table[data-table="compare-ties"] tbody tr', "rs => rs.map(r => r.dataset.key)")
    expected = {f"{s}-{t}" for s, t in (pairs(b) - pairs(a)) | (pairs(a) - pairs(b))}
    assert set(rows) == expected and len(rows) == len(expected)
    browser.assert_local()


# ---------------------------------------------------------------------------------------------
# world map
# ---------------------------------------------------------------------------------------------
def check_map(browser: Any, doc: dict[str, Any]) -> None:
    shown = table_values(browser, "map-values", "value")
    expected = {str(r["ccode"]): r["value"] for r in doc["values"]}
    assert shown.keys() == expected.keys()
    for code, value in expected.items():
        assert (shown[code] == "") if value is None else float(shown[code]) == value, code
    for key in ("count", "missing", "min", "max"):
        shown_equals(*browser.metric(key), doc[key])
    # the choropleth draws the API's values on the local geometry
    trace = browser.page.evaluate(
        "(() => { const t = document.getElementById('chart').data[1]; return {loc: t.locations, z: t.z, key: t.featureidkey}; })()"
    )
    assert trace["key"] == "properties.iso3"
    by_iso = {r["iso3"]: r["value"] for r in doc["values"] if r["iso3"] and r["value"] is not None}
    assert trace["loc"] and all(
        by_iso[i] == z for i, z in zip(trace["loc"], trace["z"], strict=True)
    )
    shown_equals(*browser.metric("drawn"), len(trace["loc"]))


def test_map_values_measure_and_year(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/map?measure=cinc&year=2010", "map:cinc:2010")
    check_map(browser, api("/map", measure="cinc", year=2010))
    # the map is drawn from our GeoJSON: country shapes are on the page
    assert page.locator("path.choroplethlocation").count() > 150

    page.select_option("#measure", "milper")
    browser.wait_ready("map:milper:2010")
    check_map(browser, api("/map", measure="milper", year=2010))

    slider = page.locator("#year")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    browser.wait_ready("map:milper:2007")
    doc = api("/map", measure="milper", year=2007)
    check_map(browser, doc)

    # a logarithmic colour scale colours log10 of the same values; the hover shows the value
    page.check("#log")
    browser.wait_ready("map:milper:2007:log")
    trace = page.evaluate(
        "(() => { const t = document.getElementById('chart').data[1]; return {loc: t.locations, z: t.z, raw: t.customdata}; })()"
    )
    by_iso = {r["iso3"]: r["value"] for r in doc["values"] if r["iso3"] and r["value"]}
    for iso, z, (_abb, raw) in zip(trace["loc"], trace["z"], trace["raw"], strict=True):
        assert raw == by_iso[iso] and math.isclose(z, math.log10(by_iso[iso]))
    browser.assert_local()


# ---------------------------------------------------------------------------------------------
# collective defence: run a query through the form
# ---------------------------------------------------------------------------------------------
def test_collective_defence_query(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/defend", "form")
    page.fill("#target", "POL")
    page.fill("#attacker", "RUS")
    page.fill("#year", "2018")
    page.fill("#location", "POL")
    page.click("#run")
    browser.wait_ready("defend:POL:2018")
    assert "target=POL" in page.url and "attacker=RUS" in page.url

    doc = api("/defend", target="POL", year=2018, attacker="RUS", location="POL")
    defence = [o for o in doc["toward_target"] if o["kind"] == "defense"]
    # the headline counts are counted from the table below them
    shown_equals(*browser.metric("bound_states"), len({o["state"] for o in defence if o["bound"]}))
    shown_equals(*browser.metric("defense_obligations"), len(defence))
    rows = page.eval_on_selector_all('table[data-table="toward-target"] tbody tr', "rs => rs.length")
    assert rows == len(defence)
    share = next(
        c
        for c in doc["capabilities"]
        if (c["side"], c["scope"], c["basis"]) == ("defenders", "direct", "bound")
    )
    shown_equals(*browser.metric("share"), share["share"])

    # responders: one row per defence obligation, with its verdict and conditions
    rows = page.eval_on_selector_all(
        'table[data-table="toward-target"] tbody tr',
        "rows => rows.map(r => [r.dataset.key, r.querySelector('td[data-col=verdict]').innerText.trim(),"
        " r.querySelectorAll('td[data-col=conditions] li').length])",
    )
    expected = [
        (f"{o['state']}-{o['alliance_id']}-{o['kind']}", o["verdict"], len(o["conditions"]))
        for o in defence
    ]
    assert [tuple(r) for r in rows] == expected
    assert page.locator("text=POL (290) is within the treaty's scope").count() >= 1

    # the escalation tree expands only through states bound to respond
    tree = page.eval_on_selector_all(
        'ul[data-tree="escalation"] li[data-depth]',
        "els => els.map(e => [Number(e.dataset.ccode), Number(e.dataset.depth),"
        " Number(e.parentElement.closest('li[data-ccode]') ? e.parentElement.closest('li[data-ccode]').dataset.ccode : -1)])",
    )
    assert tree[0] == [290, 0, -1]
    nodes = {n["ccode"]: n for n in doc["escalation"]}
    reachable = []
    def walk(parent: int) -> None:
        for n in doc["escalation"]:
            if n["drawn_in_by"] == parent:
                reachable.append((n["ccode"], n["depth"], parent))
                if n["bound"]:
                    walk(n["ccode"])
    walk(290)
    assert sorted(tuple(t) for t in tree[1:]) == sorted(reachable)
    assert all(nodes[parent]["bound"] for _, _, parent in reachable if parent != 290)
    shown_equals(*browser.metric("escalation"), len(reachable))
    # and has a legend
    assert page.locator('[data-legend="tree"] li').count() >= 3

    # coalition capability table
    caps = table_values(browser, "capabilities", "cinc")
    assert caps == {
        f"{c['side']}-{c['scope']}-{c['basis']}": str(c["cinc"]) for c in doc["capabilities"]
    }
    browser.assert_local()


def test_collective_defence_error_is_the_apis(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/defend?target=XXQ&year=2018", "error")
    alert = page.locator("[role=alert]").inner_text()
    assert "unknown" in alert.lower() and "XXQ" in alert
    browser.assert_local()


# ---------------------------------------------------------------------------------------------
# state, alliance, dyad
# ---------------------------------------------------------------------------------------------
def test_state_page(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/state?state=JPN&year=2010", "state:JPN:2010")
    doc = api("/states/JPN", year=2010)
    for key, value in doc["capabilities"].items():
        shown_equals(*browser.metric(f"capabilities.{key}"), value)
    for key, value in doc["network"].items():
        shown_equals(*browser.metric(f"network.{key}"), value)
    shown_equals(*browser.metric("n_alliances"), len(doc["alliances"]))
    ideal = page.locator('[data-key="idealpoint"]')
    shown_equals(ideal.get_attribute("data-value") or "", ideal.inner_text(), doc["idealpoint"])
    ids = page.eval_on_selector_all(
        'table[data-table="alliances"] tbody tr', "rows => rows.map(r => r.dataset.key)"
    )
    assert ids == [a["alliance_id"] for a in doc["alliances"]]
    partners = table_values(browser, "alliances", "n_partners")
    assert partners == {a["alliance_id"]: str(len(a["partners"])) for a in doc["alliances"]}
    # the links go on within the dashboard
    page.click('table[data-table="alliances"] a[data-alliance="3375"]')
    browser.wait_ready("alliance:3375")
    browser.assert_local()


def test_alliance_page(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/alliance?id=NATO&year=2018", "alliance:3180")
    doc = api("/alliances/NATO", year=2018)["alliance"]
    shown_equals(*browser.metric("members"), len({m["ccode"] for m in doc["members"]}))
    shown_equals(*browser.metric("spells"), len(doc["members"]))
    for phase in doc["phases"]:
        codes = table_values(browser, f"provisions-{phase['phase']}", "code")
        assert codes == {
            v["variable"]: ("" if v["code"] is None else str(v["code"]))
            for v in phase["provisions"]
        }
        shown_equals(*browser.metric(f"milinst-{phase['phase']}"), phase["milinst"])
    rows = page.eval_on_selector_all('table[data-table="members"] tbody tr', "rows => rows.length")
    assert rows == len(doc["members"]) == 29
    browser.assert_local()


def test_dyad_page(browser: Any, api: Any) -> None:
    page = browser.open("/dashboard/dyad?a=USA&b=JPN&from=1946&to=2018", "dyad:USA:JPN")
    doc = api("/dyads/USA/JPN", **{"from": 1946, "to": 2018})
    s = doc["summary"]
    shown_equals(*browser.metric("alliance.years"), s["alliance"]["years"])
    shown_equals(*browser.metric("arms.a_to_b.tiv"), s["arms"]["a_to_b"]["tiv"])
    shown_equals(*browser.metric("us_troops.peak.value"), s["us_troops"]["peak"]["value"])
    years = page.eval_on_selector_all(
        'table[data-table="dyad-years"] tbody tr', "rows => rows.map(r => Number(r.dataset.key))"
    )
    assert years == [r["year"] for r in doc["timeline"]]
    cinc = table_values(browser, "dyad-years", "cinc_a")
    assert cinc == {
        str(r["year"]): ("" if r["cinc_a"] is None else str(r["cinc_a"])) for r in doc["timeline"]
    }
    # the timeline: every instrument the API has for the pair is a lane, marking exactly its years
    traces = page.evaluate("Object.fromEntries(document.getElementById('timeline').data.map(t => [t.name, t.x]))")
    def years_of(key: str) -> list[int]:
        return [r["year"] for r in doc["timeline"] if (r[key] or 0) > 0]
    assert traces["defence pledge USA→JPN"] == [r["year"] for r in doc["timeline"]
                                                if r["obligations_ab"] and "defense" in r["obligations_ab"]]
    assert traces["arms deliveries USA→JPN (SIPRI TIV)"] == years_of("arms_tiv_ab")
    assert traces["US troops stationed"] == years_of("us_troops")
    for lane, key in (("joint exercises (JME)", "jme_joint"), ("defence cooperation agreements in force", "dca_active"),
                      ("students trained by the US", "us_training_students"), ("US senior defence visits", "us_visits"),
                      ("serving in the same peace operation", "pko_codeployed")):
        if years_of(key):
            assert traces[lane] == years_of(key), lane
    assert years_of("arms_tiv_ab") and years_of("us_troops") and years_of("us_visits")
    # military spending with its unit and source
    assert "constant 2022" in page.locator("#spending").evaluate("e => e.closest('.card').innerText")
    spending = page.evaluate("document.getElementById('spending').data[0].y")
    assert spending == [r["sipri_milex_a"] for r in doc["timeline"]]
    browser.assert_local()
