"""Normalisation shared by every loader: key columns become Int64, names become lower case.

R (and so the peer's tables) stores integer codes as doubles; foedus keys are integers so that joins
are exact and frames print without a trailing ``.0``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
else:  # imported on first use (paths that read no table need no Polars)
    from foedus._lazy import module

    pl = module("polars")

# Columns that identify states, years, disputes and conflicts: integers everywhere in foedus.
KEY_COLUMN = re.compile(
    r"^(ccode\d?|gwcode\d?|gwno(_[ab](_2nd)?)?|year|dispnum|conflict_id|atopid|member|styear|endyear)$"
)


def cast_keys(df: pl.DataFrame) -> pl.DataFrame:
    """Cast identifying columns (``ccode``, ``ccode1``, ``gwcode2``, ``year``…) to Int64.

    Values that are not whole numbers are an error (a key is never fractional).

    Example:
        >>> import polars as pl
        >>> cast_keys(pl.DataFrame({"ccode": [2.0], "cinc": [0.1]})).dtypes
        [Int64, Float64]
    """
    exprs = []
    for name, dtype in df.schema.items():
        if KEY_COLUMN.match(name) and dtype != pl.Int64 and dtype.is_numeric():
            exprs.append(pl.col(name).cast(pl.Int64, strict=True))
    return df.with_columns(exprs) if exprs else df
