"""Directed dyad-year ATOP obligations for years after ATOP's last year (2018).

ATOP 5.1 stops on 31 December 2018. :func:`dyad_years_after_atop` continues the directed
dyad-year obligations (the columns of :func:`foedus.frames.atop.derive_atop_dyad_years`) for
later years: ATOP alliances in force at the end of 2018 are carried forward, the curated file's
facts are applied (accessions, new treaties, exits), and every row says where it comes from
(``atop_basis``: ``atop-carried-forward`` or ``curated``). Pairing follows the same rules as the
derivation (docs/atop-dyad-rules.md). Obligations whose state has suspended its participation
are left out; obligations signed but not yet in force are kept (ATOP dates alliances from
signature) and flagged in ``atop_signed_only``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from foedus.alliances.curated import Curated
from foedus.alliances.data import ATOP_LAST_YEAR, OBLIGATIONS, check_year, get_data, last_year


def dyad_years_after_atop(
    first: int = ATOP_LAST_YEAR + 1,
    last: int | None = None,
    *,
    warehouse: Any = None,
    curated: Curated | None = None,
) -> pl.DataFrame:
    """Directed dyad-years ``first``–``last`` (default 2019–this year) with ATOP-style obligations.

    Columns: ``ccode1``, ``ccode2``, ``year``, ``atop_defense`` … ``atop_consul`` (Float64 0/1,
    ccode1's obligations toward ccode2, maximum over shared alliances), ``atop_basis``
    (``curated`` when a curated fact contributes, else ``atop-carried-forward``),
    ``atop_signed_only`` (every contributing obligation only signed that year) and
    ``alliance_ids`` (sorted keys of the contributing alliances).

    Example:
        >>> ddy = dyad_years_after_atop(2024, 2024, warehouse=wh)  # doctest: +SKIP
        >>> ddy.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 380))["atop_defense"].item()  # doctest: +SKIP
        1.0
    """
    last = last_year() if last is None else last
    check_year(first)
    check_year(last)
    if first <= ATOP_LAST_YEAR:
        raise ValueError("dyad_years_after_atop starts after 2018; use ATOP's own table before")
    data = get_data(warehouse, curated=curated)
    rows: dict[tuple[int, int, int], dict[str, Any]] = {}
    for year in range(first, last + 1):
        index = data.year(year)
        for target in index.by_state:
            for spell, own in data.toward(target, year):
                status = spell.status(year)
                if status == "suspended":
                    continue
                signed_only = status == "signed" or own.status(year) == "signed"
                key = (spell.member, target, year)
                row = rows.get(key)
                if row is None:
                    row = {"ccode1": spell.member, "ccode2": target, "year": year,
                           **{f"atop_{o}": 0.0 for o in OBLIGATIONS},
                           "atop_basis": "atop-carried-forward", "atop_signed_only": True,
                           "alliance_ids": []}
                    rows[key] = row
                for o in spell.obligations:
                    row[f"atop_{o}"] = 1.0
                if "curated" in (spell.basis(year), own.basis(year)):
                    row["atop_basis"] = "curated"
                row["atop_signed_only"] = row["atop_signed_only"] and signed_only
                row["alliance_ids"].append(spell.key)
    schema: dict[str, Any] = {"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64,
              **{f"atop_{o}": pl.Float64 for o in OBLIGATIONS}, "atop_basis": pl.String,
              "atop_signed_only": pl.Boolean, "alliance_ids": pl.List(pl.String)}
    out = pl.DataFrame(list(rows.values()), schema=schema)
    return out.with_columns(pl.col("alliance_ids").list.unique().list.sort()).sort(
        "ccode1", "ccode2", "year")
