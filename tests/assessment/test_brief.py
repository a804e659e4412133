"""Impact briefs: the HTML is opened, parsed and checked against the assessment's frames."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from foedus.assessment import (
    AllianceAssessment,
    assess_alliance,
    assess_dyad,
    assess_mission,
    write_brief,
)
from foedus.assessment.brief import chromium_path, format_value, parse_bibtex
from foedus.errors import FoedusError

DOCS = Path(__file__).resolve().parents[2] / "docs"
URL = re.compile(r"https?://", re.I)


class Brief(HTMLParser):
    """Collects figures, tables, charts, attributes and the references text of a brief."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, str] = {}
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.table_sources: dict[str, str] = {}
        self.charts: dict[str, dict[str, str]] = {}
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.references = ""
        self._table: str | None = None
        self._row: dict[str, Any] | None = None
        self._section: list[str] = []
        self._tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        if tag == "script":
            self.scripts.append(a)
        if tag == "section":
            self._section.append(a.get("id") or "")
        if "data-figure" in a:
            self.figures[a["data-figure"] or ""] = a.get("data-value") or ""
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table or ""] = []
            self.table_sources[self._table or ""] = a.get("data-sources") or ""
        if tag == "tr" and self._table is not None:
            self._row = {k: v for k, v in a.items() if k.startswith("data-")}
        if tag == "td" and self._row is not None and "data-col" in a:
            self._row[a["data-col"] or ""] = a.get("data-value")
        if tag == "figure" and "data-chart" in a:
            self.charts[a["data-chart"] or ""] = {k: v or "" for k, v in a.items()}

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None and self._table is not None:
            if any(not k.startswith("data-") for k in self._row):
                self.tables[self._table].append(self._row)
            self._row = None
        if tag == "table":
            self._table = None
        if tag == "section" and self._section:
            self._section.pop()

    def handle_data(self, data: str) -> None:
        if self._section and self._section[-1] == "references":
            self.references += data


def parse(path: Path) -> Brief:
    parser = Brief()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def same(cell: str | None, value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, float):
        return float(cell or "nan") == value
    if isinstance(value, list):
        return json.loads(cell or "null") == value
    return cell == str(value)


def check_table(brief: Brief, name: str, df: pl.DataFrame, key: str = "year") -> None:
    rows = brief.tables[name]
    assert len(rows) == df.height, name
    for cells, expected in zip(rows, df.iter_rows(named=True), strict=True):
        assert same(cells.get(f"data-{key}" if key == "year" else "data-row"), expected[key])
        for col, cell in cells.items():
            if col.startswith("data-"):
                continue
            assert same(cell, expected[col]), (name, col, cell, expected[col])


def check_offline(path: Path, brief: Brief) -> None:
    text = path.read_text(encoding="utf-8")
    assert "<link" not in text.lower()
    for tag, name, value in brief.attributes:
        assert not URL.search(value), f"<{tag} {name}={value!r}> points to the network"
    assert all(s.get("src") is None for s in brief.scripts), "a script is loaded from a file/URL"
    assert text.count("plotly.js v") <= 2  # plotly.js inlined once (its banner)
    # outside <script> bodies, URLs appear only in the references text
    visible = re.sub(r"<script\b.*?</script>", "", text, flags=re.S | re.I)
    refs = visible.split('<section id="references"', 1)
    assert not URL.search(refs[0])


@pytest.fixture(scope="module")
def nato(built_warehouse: Path) -> AllianceAssessment:
    return assess_alliance("NATO", 1990, 2018, warehouse=built_warehouse)


@pytest.fixture(scope="module")
def nato_brief(nato: AllianceAssessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_brief(nato, tmp_path_factory.mktemp("briefs") / "nato.html")


def test_nato_brief_figures_equal_the_frames(nato: AllianceAssessment, nato_brief: Path) -> None:
    brief = parse(nato_brief)
    k = nato.key_figures()
    assert int(brief.figures["members_end"]) == k["members_end"] == 29
    assert (
        float(brief.figures["cinc"])
        == nato.capability.filter(pl.col("year") == 2018)["cinc"].item()
    )
    assert float(brief.figures["cinc_world_share"]) == k["cinc_world_share"]
    assert (
        float(brief.figures["idealpoint_sd_slope"])
        == nato.cohesion_trend.filter(pl.col("measure") == "idealpoint_sd")["slope"].item()
    )
    check_table(brief, "membership", nato.membership)
    check_table(
        brief,
        "capability",
        nato.capability.select(
            "year",
            "states",
            "states_with_cinc",
            "cinc",
            "world_cinc",
            "cinc_share",
            "milex",
            "milex_share",
            "milper",
            "irst",
            "pec",
            "tpop",
            "upop",
        ),
    )
    check_table(brief, "cohesion", nato.cohesion)
    check_table(brief, "engagement", nato.engagement)
    check_table(brief, "event_summary", nato.event_summary, key="rel")
    check_table(brief, "event_study", nato.event_study.drop("ccode"))
    assert nato.burden is not None
    burden_cols = [
        "year",
        "members",
        "members_with_data",
        "total_milex",
        "total_gdp",
        "alliance_milex_gdp",
        "meeting_2pct",
        "largest",
        "largest_share_milex",
        "rho",
        "p_value",
    ]
    check_table(brief, "burden", nato.burden.years.select(burden_cols))
    assert set(brief.charts) >= {
        "membership",
        "capability",
        "cohesion",
        "burden",
        "engagement",
        "event_study",
    }


def test_nato_brief_is_traceable_and_offline(nato: AllianceAssessment, nato_brief: Path) -> None:
    brief = parse(nato_brief)
    check_offline(nato_brief, brief)
    capability = brief.table_sources["capability"]
    assert capability == "; ".join(nato.provenance.labels("capability"))
    assert re.search(r"\bnmc [\d.]+ \(nmc\)", capability)  # the NMC release in use
    assert "gml-mid" in brief.charts["event_study"]["data-sources"]
    assert "unga-ideal-points" in brief.table_sources["cohesion"]
    for name in ("membership", "capability", "cohesion", "burden", "engagement"):
        assert brief.table_sources[name], f"table {name} names no source"
    # every source used is cited in the references
    _, keys = nato.provenance.bibtex()
    text = nato_brief.read_text(encoding="utf-8")
    for key in keys:
        assert f'data-key="{key}"' in text
    assert "Leeds" in brief.references


def test_us_japan_brief(built_warehouse: Path, tmp_path: Path) -> None:
    d = assess_dyad("USA", "JPN", 1990, 2018, warehouse=built_warehouse)
    path = write_brief(d, tmp_path / "usa-jpn.html")
    brief = parse(path)
    check_offline(path, brief)
    k = d.key_figures()
    assert int(brief.figures["defense_years"]) == k["defense_years"] == 29
    assert (
        float(brief.figures["engagement"])
        == d.timeline.filter(pl.col("year") == 2018)["engagement"].item()
    )
    rows = {r["data-year"]: r for r in brief.tables["timeline"]}
    for row in d.timeline.iter_rows(named=True):
        cells = rows[str(row["year"])]
        for col in (
            "cinc_a",
            "cinc_b",
            "cinc_ratio",
            "gml_onset",
            "engagement",
            "arms_tiv_ab",
            "obligations_ab",
        ):
            assert same(cells[col], row[col]), (row["year"], col)
    check_table(
        brief,
        "alliances",
        d.alliances.select(
            "alliance_id",
            "name",
            "first_year",
            "last_year",
            "obligations_a",
            "obligations_b",
            "basis",
        ),
        key="alliance_id",
    )


def test_amisom_mission_brief(built_warehouse: Path, tmp_path: Path) -> None:
    m = assess_mission("AMISOM", warehouse=built_warehouse)
    path = write_brief(m, tmp_path / "amisom.html")
    brief = parse(path)
    check_offline(path, brief)
    check_table(brief, "personnel", m.years)
    assert float(brief.figures["peak_troops"]) == m.years["troops_max"].max()
    assert "contributors" not in brief.tables
    assert "no contributor" in path.read_text(encoding="utf-8")
    personnel = brief.table_sources["personnel"]
    assert personnel == "; ".join(m.provenance.labels("personnel"))
    assert "(pko_missions_monthly)" in personnel  # the monthly personnel table it was drawn from


def test_pdf_brief(built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = assess_mission("AMISOM", warehouse=built_warehouse)
    if chromium_path() is not None:
        path = write_brief(m, tmp_path / "amisom.pdf")
        assert path.read_bytes()[:5] == b"%PDF-"
    monkeypatch.setattr("foedus.assessment.brief.chromium_path", lambda: None)
    with pytest.raises(FoedusError, match="no PDF route") as exc:
        write_brief(m, tmp_path / "again.pdf")
    assert "apt-get install chromium" in str(exc.value.fix)


def test_helpers() -> None:
    assert format_value(float("nan")) == "–"
    entries = parse_bibtex('@Misc{a, title = "T", year = 2020, note = {x {y}}}')
    assert entries == [{"type": "misc", "key": "a", "title": "T", "year": "2020", "note": "x y"}]
    with pytest.raises(FoedusError, match="cannot write a brief"):
        write_brief(object(), "/nonexistent/x.html")


# -- CLI -----------------------------------------------------------------------------------------
@pytest.fixture()
def cli() -> typer.Typer:
    from foedus.cli import app

    return app


def test_cli_brief_alliance_json(cli: typer.Typer, built_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "nato.html"
    result = CliRunner().invoke(
        cli,
        [
            "brief",
            "alliance",
            "NATO",
            "--from",
            "2000",
            "--to",
            "2005",
            "-o",
            str(out),
            "--no-engagement",
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["path"] == str(out) and out.exists()
    assert doc["key_figures"]["members_end"] == 26 and doc["format"] == "html"
    assert int(parse(out).figures["members_end"]) == 26
    # the impact section: NATO members' record from foedus.impact.profile.alliance_impact
    from foedus.impact.profile import alliance_impact

    profile = alliance_impact("NATO", built_warehouse)
    page = parse(out)
    assert int(page.figures["memberships"]) == profile["summary"]["memberships"]
    assert int(page.figures["broken_early"]) == profile["summary"]["broken_early"]
    hazard = {r["term"]: r for r in profile["tables"]["exit_hazard"]}
    assert hazard["defense"]["this_alliance"] == 1 and hazard["nonagg"]["ci_high"] < 0
    html = out.read_text()
    assert 'data-table="exit_hazard"' in html and 'data-table="relevance_wars"' in html
    assert "cow-interstate-wars 4.0" in " ".join(doc["sources"])


def test_cli_brief_dyad(cli: typer.Typer, built_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.html"
    result = CliRunner().invoke(
        cli,
        [
            "brief",
            "dyad",
            "USA",
            "JPN",
            "--from",
            "2000",
            "--to",
            "2010",
            "--output",
            str(out),
            "--no-engagement",
            "--no-impact",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout and out.exists()
    assert 'data-section="impact"' not in out.read_text()  # --no-impact


def test_cli_brief_portfolio_and_mission(
    cli: typer.Typer, built_warehouse: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "brief",
            "portfolio",
            "JPN",
            "--from",
            "2000",
            "--to",
            "2002",
            "-o",
            str(tmp_path / "p.html"),
            "--no-engagement",
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["key_figures"]["state"] == "JPN"
    result = runner.invoke(
        cli,
        [
            "brief",
            "mission",
            "AMISOM",
            "-o",
            str(tmp_path / "m.html"),
            "--json",
            "--warehouse",
            str(built_warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["key_figures"]["host"] == "Somalia"


def test_cli_errors_exit_2_with_one_json_document(cli: typer.Typer, built_warehouse: Path) -> None:
    result = CliRunner().invoke(
        cli, ["brief", "alliance", "NOT-AN-ALLIANCE", "--json", "--warehouse", str(built_warehouse)]
    )
    assert result.exit_code == 2
    assert "unknown alliance" in json.loads(result.stdout)["what"]


def test_every_brief_option_is_documented(cli: typer.Typer) -> None:
    text = "\n".join(p.read_text() for p in sorted(DOCS.glob("cli*.md")))
    from foedus.cli import all_commands

    group = all_commands()["brief"]
    for name, command in group.commands.items():
        assert f"foedus brief {name}" in text
        for param in command.params:
            for opt in [*param.opts, *getattr(param, "secondary_opts", [])]:
                if opt.startswith("-") and opt != "--help":
                    assert opt in text, f"option {opt} of `foedus brief {name}` is not documented"


def test_nato_brief_shows_the_legal_basis(nato: AllianceAssessment, nato_brief: Path) -> None:
    assert nato.legal_basis is not None
    codes = {c["variable"]: c for c in nato.legal_basis["codes"]}
    assert codes["reflnun"]["code"] == 2
    brief = parse(nato_brief)
    assert "atop" in brief.table_sources["legal"]
    text = nato_brief.read_text(encoding="utf-8")
    assert 'data-section="legal"' in text and "references the United Nations" in text


def test_dyad_brief_impact_section(built_warehouse: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import foedus.impact.profile as profile

    # only the cheap troops-burden design: the others take a minute of CPU on a cold cache
    monkeypatch.setattr(profile, "EFFECT_OF", {"us-troops": "troops-burden"})
    d = assess_dyad("USA", "JPN", 2000, 2010, warehouse=built_warehouse, engagement=False)
    d = profile.attach_impact(d, built_warehouse)
    assert d.impact is not None
    out = write_brief(d, tmp_path / "usa-jpn.html")
    html = out.read_text()
    assert 'data-section="impact"' in html
    # US troops in Japan every year of 1950-2024 (≥ 1,000 active duty); DCAD from 1983
    inst = {r["treatment"]: r for r in d.impact["tables"]["instruments"]}
    assert inst["us-troops"]["years_used"] == "1950-2024"
    assert inst["dca"]["first_year"] == 1983
    effects = d.impact["tables"]["estimated_effects"]
    assert effects and {e["design"] for e in effects} == {"troops-burden"}
    design = profile.cached_design("troops-burden", built_warehouse)
    twfe = next(e for e in design["estimates"] if e["part"] == "twfe"
                and e["outcome"] == "milex-gdp")
    shown = next(e for e in effects if e["part"] == "twfe" and e["outcome"] == "milex-gdp")
    assert (shown["estimate"], shown["ci_low"], shown["ci_high"]) == (
        twfe["estimate"], twfe["ci_low"], twfe["ci_high"])
    assert "impact_effects" in html and "us-troops 2024 (us_troops)" in d.provenance.labels("impact")
