"""The alliance system of one year as tables, from an :class:`AllianceData` (base or scenario).

* :func:`obligation_dyads` — the directed dyad-year table of ATOP obligations (``ccode1`` owes
  ``ccode2``), in the column layout the network and similarity measures read;
* :func:`capabilities` — each state's CINC and military personnel (NMC, latest year at or before
  the base year) and military expenditure (SIPRI, constant 2022 US$ m, latest year at or before
  the base year), with the years used.

Example:
    >>> ddy = obligation_dyads(get_data(wh), 2010)  # doctest: +SKIP
    >>> ddy.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 740))["atop_defense"].item()  # doctest: +SKIP
    1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from foedus.alliances.data import AllianceData

__all__ = ["Capabilities", "capabilities", "obligation_dyads", "system_members"]

_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")


def system_members(data: AllianceData, year: int) -> list[int]:
    """COW codes of the states in the system in ``year`` (the COW list is read as continuing
    after 2016, as the engine does)."""
    return sorted(s.ccode for s in data.states.by_code.values() if s.in_system(year))


def obligation_dyads(data: AllianceData, year: int, *, in_force_only: bool = False) -> pl.DataFrame:
    """Directed dyads with any obligation in ``year``: ``ccode1, ccode2, year, atop_<kind>`` (0/1).

    Suspended obligations are left out; ``in_force_only`` also leaves out signed-only ones.
    """
    rows: dict[tuple[int, int], set[str]] = {}
    for target in system_members(data, year):
        for spell, own in data.toward(target, year):
            status = spell.status(year)
            if status == "suspended" or own.status(year) == "suspended":
                continue
            if in_force_only and (status == "signed" or own.status(year) == "signed"):
                continue
            rows.setdefault((spell.member, target), set()).update(spell.obligations)
    return pl.DataFrame(
        {"ccode1": [a for a, _ in rows], "ccode2": [b for _, b in rows],
         "year": [year] * len(rows),
         **{f"atop_{k}": [int(k in v) for v in rows.values()] for k in _OBLIGATIONS}},
        schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64,
                **{f"atop_{k}": pl.Int64 for k in _OBLIGATIONS}},
    )


@dataclass(frozen=True)
class Capabilities:
    """Per-state capability values and where they come from."""

    values: dict[int, dict[str, float | None]]
    nmc_year: int | None
    sipri_year: int | None
    sources: dict[str, str]
    milex_older: dict[int, int] | None = None

    def describe(self) -> dict[str, Any]:
        """What each measure is and which year/release it is from."""
        return {
            "cinc": f"COW NMC CINC, {self.nmc_year}" if self.nmc_year else "not available",
            "milper": f"COW NMC military personnel (thousands), {self.nmc_year}"
            if self.nmc_year else "not available",
            "milex": f"SIPRI military expenditure, constant 2022 US$ m, {self.sipri_year} (a "
            "state without a value that year: its latest value of the four years before, listed "
            "in milex_older_years)" if self.sipri_year else "not available",
            "milex_older_years": {str(k): v for k, v in sorted((self.milex_older or {}).items())},
            "sources": self.sources,
        }


def capabilities(data: AllianceData, year: int, warehouse: Any = None) -> Capabilities:
    """CINC/milper from NMC and milex from SIPRI for the latest year ≤ ``year`` each covers (for
    SIPRI, a state without a value that year keeps its latest value of the four years before;
    older values count as missing, never as 0)."""
    values: dict[int, dict[str, float | None]] = {}
    nmc_year = None
    sources: dict[str, str] = {}
    span = data.nmc_span()
    if span is not None and year >= span[0]:
        nmc_year = min(year, span[1])
        for code, v in (data.nmc_year(nmc_year) or {}).items():
            values.setdefault(code, {})["cinc"] = v[0]
            values[code]["milper"] = v[2]
        if "nmc" in data.sources:
            sources["nmc"] = data.sources["nmc"]
    sipri_year = None
    older: dict[int, int] = {}
    if warehouse is not None and year >= 1949:
        from foedus.alliances.data import _open

        wh = _open(warehouse)
        try:
            if wh.has("sipri_milex"):
                # Rows without a value are left out first: SIPRI lists some codes twice (the
                # USSR row of code 365 is "not independent" after 1991, Russia's has the value).
                df = wh.table("sipri_milex").select("ccode", "year", "milex_const2022_usd_m")
                df = df.filter(pl.col("year") <= year, pl.col("ccode").is_not_null(),
                               pl.col("milex_const2022_usd_m").is_not_null())
                if df.height:
                    sipri_year = int(df["year"].max())  # type: ignore[arg-type]
                    # each state's latest value within the five years up to the common year
                    latest = (df.filter(pl.col("year") > sipri_year - 5).sort("year")
                              .group_by("ccode").agg(pl.col("year").last(),
                                                     pl.col("milex_const2022_usd_m").last()))
                    for code, y, v in latest.select("ccode", "year",
                                                    "milex_const2022_usd_m").iter_rows():
                        values.setdefault(int(code), {})["milex"] = v
                        if y != sipri_year:
                            older[int(code)] = int(y)
                    sources["sipri_milex"] = wh.active("sipri_milex").label()
        finally:
            if wh is not warehouse:
                wh.close()
    return Capabilities(values, nmc_year, sipri_year, sources, older)
