"""Benchmark of the briefs' impact sections (issue 11): how much CPU the section adds to
``foedus brief alliance NATO`` and ``foedus brief dyad USA JPN`` once the designs are cached.

Usage::

    FOEDUS_WAREHOUSE=/path/warehouse.duckdb uv run --frozen python benchmarks/brief_impact.py

Prints the process CPU seconds (``time.process_time``) and wall seconds of the assessment and of
:func:`foedus.impact.profile.attach_impact` for each brief. Run it twice: the first run after an
import also computes (and caches next to the warehouse) the designs the sections read.
"""

from __future__ import annotations

import os
import time


def main() -> None:
    from foedus.assessment.alliance import assess_alliance, assess_dyad
    from foedus.impact.profile import attach_impact

    wh = os.environ["FOEDUS_WAREHOUSE"]
    for label, assess in (("alliance NATO 1949-2018",
                           lambda: assess_alliance("NATO", 1949, 2018, warehouse=wh)),
                          ("dyad USA JPN", lambda: assess_dyad("USA", "JPN", warehouse=wh))):
        cpu, wall = time.process_time(), time.perf_counter()
        assessment = assess()
        cpu1, wall1 = time.process_time(), time.perf_counter()
        attach_impact(assessment, wh)
        cpu2, wall2 = time.process_time(), time.perf_counter()
        print(f"{label}: assessment {cpu1 - cpu:.2f} s CPU ({wall1 - wall:.2f} s wall); "
              f"impact section {cpu2 - cpu1:.2f} s CPU ({wall2 - wall1:.2f} s wall)")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
