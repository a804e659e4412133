"""The one list of ``foedus`` commands and command groups, each loaded lazily.

Each entry names the command as users type it, where its Typer app lives (``"module:attribute"``)
and the one-line help shown by ``foedus --help``. The module is imported only when the command
runs (or its own ``--help`` is asked for), so start-up pays for nothing else. A Typer app with one
command and no callback becomes that command (``foedus dyad A B``); with several it becomes a group
(``foedus data import …``).

To add a command or group: write ``src/foedus/cli/<name>.py`` defining ``app = typer.Typer(...)``
(heavy imports inside the command bodies; shared options from :mod:`foedus.cli._support`) and add
one line here.

Example:
    >>> names = [entry.name for entry in LAZY_COMMANDS]
    >>> len(names) == len(set(names)), names[:3]
    (True, ['data', 'frame', 'cite'])
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LAZY_COMMANDS", "LazyCommand"]


@dataclass(frozen=True)
class LazyCommand:
    """A command or group of ``foedus``, loaded from ``target`` when used."""

    name: str
    target: str
    help: str


LAZY_COMMANDS: list[LazyCommand] = [
    LazyCommand("data", "foedus.cli.data:app", "Import, fetch and inspect source datasets."),
    LazyCommand("frame", "foedus.cli.frame:app", "Build state-year and dyad-year frames."),
    LazyCommand("cite", "foedus.cli.cite:app",
                "Print BibTeX for sources by name, for a written frame, or for everything imported."),
    LazyCommand("build", "foedus.cli.build:app",
                "Main job: import DATA_DIR into the warehouse and write the standard COW directed "
                "dyad-year file."),
    LazyCommand("version", "foedus.cli.version:app", "Print the foedus version."),
    LazyCommand("alliances", "foedus.cli.alliances:app",
                "List every alliance STATE belongs to in YEAR, with its obligations and conditions."),
    LazyCommand("alliance", "foedus.cli.alliance:app",
                "Look up alliances: show one, list known names, curated facts."),
    LazyCommand("defend", "foedus.cli.defend:app",
                "Who is bound to come to TARGET's aid if it is attacked in YEAR."),
    LazyCommand("similarity", "foedus.cli.similarity:app",
                "Alliance-portfolio similarity of every pair of states in YEAR, as a matrix."),
    LazyCommand("network", "foedus.cli.network:app",
                "The alliance network of YEAR: size, blocs, polarisation; optionally exported."),
    LazyCommand("structure", "foedus.cli.structure:app",
                "System structure per year: capability concentration, poles, leading state."),
    LazyCommand("arms", "foedus.cli.arms:app", "Arms-trade views from the SIPRI trade register."),
    LazyCommand("dyad", "foedus.cli.dyad:app",
                "Profile of two states' military relationship, year by year."),
    LazyCommand("burden", "foedus.cli.burden:app",
                "Alliance burden sharing: spending, % GDP, the 2 % guideline, Olson–Zeckhauser."),
    LazyCommand("assess", "foedus.cli.assess:app",
                "Canonical conflict designs on the warehouse's data: N, coefficients, sample."),
    LazyCommand("brief", "foedus.cli.brief:app",
                "Write self-contained impact briefs (HTML or PDF)."),
    LazyCommand("serve", "foedus.cli.serve:app",
                "Serve the foedus REST API and dashboard on localhost, read-only over the warehouse."),
    LazyCommand("records", "foedus.cli.records:app",
                "Engagement records: your organisation's own activities (users, tokens, files)."),
    LazyCommand("events", "foedus.cli.events:app",
                "Event data (GDELT, ICEWS): military cooperation/conflict by month, on DuckDB or Spark."),
    LazyCommand("replicate", "foedus.cli.replicate:app",
                "Published designs run on the warehouse, beside the published results."),
    LazyCommand("treaty", "foedus.cli.treaty:app", "Arms-control treaties: list them, show who is party on a date."),
    LazyCommand("arms-control", "foedus.cli.arms_control:app", "Arms-control profiles, extended deterrence, treaty-portfolio similarity."),
    LazyCommand("region", "foedus.cli.regions:region_app", "Regions: list the schemes, profile a region."),
    LazyCommand("grouping", "foedus.cli.regions:grouping_app", "Groupings beyond alliances (BRICS, SCO, G7…): show, compare."),
    LazyCommand("system", "foedus.cli.regions:system_app", "The international system: multipolarity."),
    LazyCommand("law", "foedus.cli.regions:law_app", "The legal basis of alliances (ATOP codes) over time."),
    LazyCommand("nonstate", "foedus.cli.regions:nonstate_app", "Non-state armed conflict and peace operations."),
    LazyCommand("scenario", "foedus.cli.scenario:app", "Run what-if scenarios of the alliance system."),
    LazyCommand("recommend", "foedus.cli.recommend:app", "Rank partners and instruments for an objective."),
    LazyCommand("impact", "foedus.cli.impact:app",
                "Estimate what military diplomacy does to alliances: formation, alignment, reliability."),
]  # fmt: skip
