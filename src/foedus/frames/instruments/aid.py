"""US foreign assistance (economic and military together) on state-years and US dyad-years.

``us_aid_constant`` — US obligations to the state in the fiscal year, constant US dollars
(ForeignAssistance.gov, ``transaction_type = "Obligations"``; the 1976 transition quarter added to
fiscal 1976; regional programmes left out). **Total assistance: economic and military together,
no military split** — an economic-statecraft covariate, not military aid. Coverage fiscal
1946–2021 (2022 is incomplete in the download): 0 inside when nothing was obligated, null
outside; on dyad-years only rows whose first state is the United States get values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["AID_COVERAGE", "add_us_aid", "enrich_us_aid"]

#: Fiscal years used (the download's 2022 is incomplete).
AID_COVERAGE: tuple[int, int] = (1946, 2021)
USA = 2


def aid_state_years(aid: pl.DataFrame) -> pl.DataFrame:
    """``ccode, year, us_aid_constant``: obligations per recipient state and fiscal year.

    Example:
        >>> a = pl.DataFrame({"ccode": [740, 740, None], "fiscal_year": [1976, 1976, 1976],
        ...     "transaction_type": ["Obligations"] * 3, "constant_amount": [1.0, 2.0, 5.0]})
        >>> aid_state_years(a).rows()
        [(740, 1976, 3.0)]
    """
    return (
        aid.filter((pl.col("transaction_type") == "Obligations") & pl.col("ccode").is_not_null())
        .group_by(pl.col("ccode").cast(pl.Int64), pl.col("fiscal_year").cast(pl.Int64).alias("year"))
        .agg(pl.col("constant_amount").fill_null(0).sum().alias("us_aid_constant"))
        .sort("ccode", "year")
    )  # fmt: skip


def add_us_aid(frame: pl.DataFrame, aid: pl.DataFrame) -> pl.DataFrame:
    """Add ``us_aid_constant`` to a state-year or dyad-year frame (US dyads only).

    Example:
        >>> a = pl.DataFrame({"ccode": [740], "fiscal_year": [2000],
        ...     "transaction_type": ["Obligations"], "constant_amount": [9.0]})
        >>> f = pl.DataFrame({"ccode1": [2, 2, 20], "ccode2": [740, 740, 740],
        ...                   "year": [2000, 2022, 2000]})
        >>> add_us_aid(f, a)["us_aid_constant"].to_list()
        [9.0, None, None]
    """
    table = aid_state_years(aid)
    years = covered_years(*AID_COVERAGE)
    if unit_of(frame, "US aid") == "dyad":
        right = table.rename({"ccode": "ccode2"}).with_columns(pl.lit(USA, pl.Int64).alias("ccode1"))
        return attach(frame, right, DYAD_KEYS, ["us_aid_constant"], years=years,
                      scope=pl.col("ccode1") == USA, where="US aid")  # fmt: skip
    return attach(frame, table, STATE_KEYS, ["us_aid_constant"], years=years, where="US aid")


def enrich_us_aid(frame: Frame) -> Frame:
    """Frame-level enricher (``--with us-aid``): reads ``us_aid``.

    Example:
        >>> enrich_us_aid.__name__
        'enrich_us_aid'
    """
    aid, used = frame.read("us_aid", "US foreign assistance (economic + military, no split)")
    return frame.with_data(add_us_aid(frame.df, aid), used)


ENRICHERS = (
    Enricher("us-aid", BOTH, enrich_us_aid, "US foreign aid, economic + military together "
             "(ForeignAssistance.gov; no military split)", tables=("us_aid",),
             aliases=("foreign-aid",)),
)  # fmt: skip
