"""Arms-trade economics from the SIPRI trade register: deliveries by year, shares, concentration.

**Allocation of TIV to years.** The register gives, per deal, the TIV of the weapons delivered
so far (``tiv_delivered``) and the *list* of years with deliveries, not the TIV of each year. The
default rule, ``allocation="even"``, splits a deal's ``tiv_delivered`` evenly over its listed
delivery years (a deal delivered 2019; 2020; 2022 gives a third to each). It is the only rule
that uses nothing the register does not say, it keeps every deal's total, and over five-year
windows it reproduces SIPRI's published supplier and recipient shares to within one percentage
point for the top five (see ``docs/instruments-sipri.md`` and ``tests/measures``). ``"first"``
and ``"last"`` put the whole value on the first or last delivery year (bounds for sensitivity
checks). Deals without deliveries add nothing; deals whose ``tiv_delivered`` is 0 (below 0.5 m
TIV) count as delivering but add no TIV.

**Parties.** Shares are computed over *all* deliveries of the window, including those from
unknown suppliers, to unknown recipients, non-state actors and international organisations, as
SIPRI's totals are; parties are grouped by SIPRI's names (the Soviet Union and Russia are two
suppliers, as in SIPRI's tables). Codes of a delivery year are resolved with that year, so GDR
orders delivered after 1990 go to unified Germany (see :func:`allocate_deliveries`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError

__all__ = [
    "ALLOCATIONS",
    "allocate_deliveries",
    "arms_shares",
    "supplier_concentration",
]

# The allocation of TIV to delivery years is part of the frames layer (the ``--with arms``
# enricher uses it); it is re-exported here, where the shares and concentration use it.
from foedus.frames.instruments.arms import (  # noqa: E402
    ALLOCATIONS,
    Allocation,
    _prime,
    allocate_deliveries,
)


def _window(start: int, end: int) -> None:
    if start > end:
        raise InvalidYearsError(
            f"the window starts ({start}) after it ends ({end})", fix="give --from ≤ --to"
        )


def arms_shares(
    deals: pl.DataFrame,
    start: int,
    end: int,
    *,
    by: Literal["supplier", "recipient"] = "supplier",
    allocation: Allocation = "even",
) -> pl.DataFrame:
    """Each supplier's (or recipient's) share of all TIV delivered in ``start``–``end``, ranked.

    Returns ``rank``, the party (``supplier`` or ``recipient``, SIPRI's name), ``ccode`` and
    ``iso3`` (the name resolved as of ``end``), ``tiv`` (millions of TIV in the window),
    ``share`` (fraction of the world total) and ``deals`` (deals delivering in the window).

    Example:
        >>> deals = pl.DataFrame({"deal_id": [1, 2, 3],
        ...     "supplier": ["United States", "France", "United States"],
        ...     "recipient": ["Japan", "India", "India"],
        ...     "delivery_years": [[2020, 2021], [2021], [2030]],
        ...     "tiv_delivered": [60.0, 20.0, 99.0]})
        >>> arms_shares(deals, 2020, 2024).select("rank", "supplier", "tiv", "share").rows()
        [(1, 'United States', 60.0, 0.75), (2, 'France', 20.0, 0.25)]
    """
    if by not in ("supplier", "recipient"):
        raise FoedusError(f"unknown side '{by}'", fix="use by='supplier' or by='recipient'")
    _window(start, end)
    rows = allocate_deliveries(deals, allocation=allocation, resolve=False).filter(
        pl.col("year").is_between(start, end)
    )
    schema = {"rank": pl.Int64, by: pl.String, "ccode": pl.Int64, "iso3": pl.String,
              "tiv": pl.Float64, "share": pl.Float64, "deals": pl.Int64}  # fmt: skip
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    total = rows.get_column("tiv").sum()
    grouped = (
        rows.group_by(by)
        .agg(pl.col("tiv").sum(), pl.col("deal_id").n_unique().cast(pl.Int64).alias("deals"))
        .with_columns((pl.col("tiv") / total if total else pl.lit(None, pl.Float64)).alias("share"))
        .sort(["tiv", by], descending=[True, False])
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    )
    from foedus.sources.instruments.countries import resolve_names

    _prime(deals)
    codes = resolve_names(grouped.get_column(by), [end] * grouped.height,
                          source="sipri-arms-transfers")  # fmt: skip
    return grouped.with_columns(codes.get_column("ccode"), codes.get_column("iso3")).select(
        list(schema)
    )


def _windows(window: tuple[int, int] | Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """One window or several, checked and in chronological order."""
    items: list[object] = list(window)
    if len(items) == 2 and all(isinstance(y, int) for y in items):
        pairs: list[object] = [tuple(items)]
    else:
        pairs = items
    windows: list[tuple[int, int]] = []
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise InvalidYearsError(f"window {pair!r} is not (start, end)",
                                    fix="give (start, end), e.g. (2020, 2024)")  # fmt: skip
        windows.append((int(pair[0]), int(pair[1])))
    if not windows:
        raise InvalidYearsError("no window given", fix="give (start, end), e.g. (2020, 2024)")
    for start, end in windows:
        _window(start, end)
    return sorted(set(windows))


def _match_recipients(
    rows: pl.DataFrame, recipient: str | int | Sequence[str | int] | None
) -> pl.DataFrame:
    if recipient is None:
        return rows
    wanted = [recipient] if isinstance(recipient, str | int) else list(recipient)
    names = [w for w in wanted if isinstance(w, str)]
    codes = [w for w in wanted if isinstance(w, int)]
    lowered = [n.casefold() for n in names]
    chosen = rows.filter(
        pl.col("recipient").str.to_lowercase().is_in(lowered) | pl.col("ccode2").is_in(codes)
    )
    found = set(chosen.get_column("recipient").str.to_lowercase().to_list()) | set(
        chosen.get_column("ccode2").drop_nulls().to_list()
    )
    absent = [w for w in wanted if (w.casefold() if isinstance(w, str) else w) not in found]
    if absent:
        raise FoedusError(
            f"no deliveries to {', '.join(map(str, absent))} in the register",
            fix="use SIPRI's recipient name (e.g. 'India', 'Turkiye') or a COW code",
        )
    return chosen


def supplier_concentration(
    deals: pl.DataFrame,
    recipient: str | int | Sequence[str | int] | None,
    window: tuple[int, int] | Sequence[tuple[int, int]],
    *,
    allocation: Allocation = "even",
) -> pl.DataFrame:
    """Concentration of each recipient's suppliers (Herfindahl–Hirschman index) per window.

    ``recipient`` is a SIPRI name, a COW code (matched as of the delivery year), a list of them,
    or ``None`` for every recipient. ``window`` is one ``(start, end)`` or several. One row per
    recipient and window: ``recipient``, ``start``, ``end``, ``tiv``, ``suppliers`` (number with
    TIV > 0), ``hhi`` (sum of squared supplier shares of the recipient's TIV, 0–1; 1 = a single
    supplier), ``top_supplier``, ``top_share`` and ``hhi_shift`` (change from the recipient's
    previous window; null for the first window or when the recipient had no deliveries then).

    Example:
        >>> deals = pl.DataFrame({"deal_id": [1, 2, 3], "supplier": ["Russia", "France", "Russia"],
        ...     "recipient": ["India", "India", "India"],
        ...     "delivery_years": [[2010], [2020], [2021]], "tiv_delivered": [100.0, 50.0, 50.0]})
        >>> supplier_concentration(deals, "India", [(2010, 2014), (2020, 2024)]).select(
        ...     "start", "hhi", "top_supplier", "hhi_shift").rows()
        [(2010, 1.0, 'Russia', None), (2020, 0.5, 'France', -0.5)]
    """
    windows = _windows(window)
    rows = _match_recipients(allocate_deliveries(deals, allocation=allocation), recipient)
    parts = []
    for index, (start, end) in enumerate(windows):
        w = rows.filter(pl.col("year").is_between(start, end))
        by_supplier = (
            w.group_by("recipient", "supplier")
            .agg(pl.col("tiv").sum())
            .filter(pl.col("tiv") > 0)
            .with_columns((pl.col("tiv") / pl.col("tiv").sum().over("recipient")).alias("s"))
        )
        parts.append(
            by_supplier.sort(["recipient", "s", "supplier"], descending=[False, True, False])
            .group_by("recipient", maintain_order=True)
            .agg(
                pl.col("tiv").sum(),
                pl.len().cast(pl.Int64).alias("suppliers"),
                (pl.col("s") ** 2).sum().alias("hhi"),
                pl.col("supplier").first().alias("top_supplier"),
                pl.col("s").first().alias("top_share"),
            )
            .with_columns(
                pl.lit(start, pl.Int64).alias("start"),
                pl.lit(end, pl.Int64).alias("end"),
                pl.lit(index, pl.Int64).alias("_w"),
            )
        )
    out = pl.concat(parts).sort("recipient", "_w")
    consecutive = (pl.col("_w") - pl.col("_w").shift(1).over("recipient")) == 1
    out = out.with_columns(
        pl.when(consecutive)
        .then(pl.col("hhi") - pl.col("hhi").shift(1).over("recipient"))
        .otherwise(None)
        .alias("hhi_shift")
    )
    return out.select("recipient", "start", "end", "tiv", "suppliers", "hhi", "top_supplier",
                      "top_share", "hhi_shift")  # fmt: skip
