"""Scenarios and recommendations: what-if analysis of alliances and ranked, explained options.

* :mod:`~foedus.scenarios.spec` — the TOML scenario format and its parser;
* :mod:`~foedus.scenarios.params` — honouring parameters (published rates, documented assumptions);
* :mod:`~foedus.scenarios.overlay` — a scenario's alliance changes applied to a copy of the data;
* :mod:`~foedus.scenarios.simulate` — the Monte Carlo collective-defence simulation;
* :mod:`~foedus.scenarios.run` — running a scenario, deltas against the base, diffs;
* :mod:`~foedus.scenarios.recommend` — ranked partner × instrument options for an objective;
* :mod:`~foedus.scenarios.report` — self-contained HTML/PDF scenario reports.

Docs: docs/scenarios.md.

Example:
    >>> from foedus.scenarios import parse_scenario
    >>> parse_scenario('format = 1\\nyear = 2000').draws
    10000
"""

from foedus.scenarios.params import load_table
from foedus.scenarios.spec import Scenario, load_scenario, parse_scenario

__all__ = ["Scenario", "load_scenario", "load_table", "parse_scenario"]
