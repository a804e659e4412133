"""Row lookups by dyad-year: which row of a table matches each row of a frame.

A left join of a 2.2-million-row frame on ``(ccode1, ccode2, year)`` hashes three columns and copies
every column of the frame; the enrichers only need, for each frame row, the matching row of a small
table (or none). State codes and years are small integers, so that row is found by indexing dense
arrays (Polars series, indexed by ``gather``): one from the pair of codes to a pair number,
one from (pair, year) to the table's row.
The result is the same as the join's (rows and order of the frame kept), in a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__: list[str] = []  # private: used by the enricher modules

#: Codes and years must lie in these bounds for the dense path (COW and G-W codes are < 1000).
_MAX_CODE = 4096
_MAX_SPAN = 1024


def _ints(df: pl.DataFrame, name: str) -> pl.Series | None:
    column = df.get_column(name)
    if column.null_count() or not column.dtype.is_integer():
        return None
    return column.cast(pl.Int64)


def _span(*columns: pl.Series) -> tuple[int, int]:
    """Smallest and largest value over non-empty Int64 series without nulls."""
    lows: list[int] = []
    highs: list[int] = []
    for column in columns:
        low, high = column.min(), column.max()
        assert isinstance(low, int) and isinstance(high, int)
        lows.append(low)
        highs.append(high)
    return min(lows), max(highs)


def _empty_index(size: int) -> pl.Series:
    """A nullable Int64 series of ``size`` nulls, to be filled by ``scatter``."""
    return pl.Series("row", [None], dtype=pl.Int64).extend_constant(None, size - 1)


def dyad_year_rows(
    frame: pl.DataFrame, table: pl.DataFrame, keys: Sequence[str] = ("ccode1", "ccode2", "year")
) -> tuple[pl.Series, bool]:
    """For each row of ``frame``, the row of ``table`` with the same ``keys`` (null if none).

    Returns the rows (UInt32, nullable) and whether ``table`` repeats a key (then the row kept is
    the last of the repeated ones; callers that require unique keys raise on ``True``).

    Example:
        >>> f = pl.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 20, 2], "year": [1900, 1901, 1900]})
        >>> t = pl.DataFrame({"ccode1": [20, 2], "ccode2": [2, 20], "year": [1900, 1901]})
        >>> rows, repeated = dyad_year_rows(f, t)
        >>> rows.to_list(), repeated
        ([None, 1, 0], False)
    """
    a, b, y = keys
    f1, f2, fy = _ints(frame, a), _ints(frame, b), _ints(frame, y)
    t1, t2, ty = _ints(table, a), _ints(table, b), _ints(table, y)
    if (
        not frame.height or not table.height
        or f1 is None or f2 is None or fy is None or t1 is None or t2 is None or ty is None
    ):  # fmt: skip
        return _joined_rows(frame, table, list(keys))
    low, high = _span(f1, f2, t1, t2)
    y0, y1 = _span(fy, ty)
    span = y1 - y0 + 1
    if low < 0 or high >= _MAX_CODE or span > _MAX_SPAN:
        return _joined_rows(frame, table, list(keys))
    width = high + 1
    pair_key = t1 * width + t2
    pair = (pair_key.rank("dense") - 1).cast(pl.Int64)
    pairs = _span(pair)[1] + 1
    pair_index = _empty_index(width * width)
    pair_index.scatter(pair_key, pair)
    cells = pair * span + (ty - y0)
    repeated = cells.n_unique() != cells.len()
    cell_row = _empty_index(pairs * span)
    cell_row.scatter(cells, pl.int_range(table.height, eager=True, dtype=pl.Int64))
    mine_pair = pair_index.gather(f1 * width + f2)
    rows = cell_row.gather(mine_pair * span + (fy - y0))
    return rows.cast(pl.UInt32).rename("row"), repeated


def _joined_rows(
    frame: pl.DataFrame, table: pl.DataFrame, keys: list[str]
) -> tuple[pl.Series, bool]:
    """The general case (codes outside the dense bounds, nulls, non-integer keys): a join."""
    numbered = table.select(keys).with_row_index("row")
    repeated = bool(numbered.select(pl.struct(keys).is_duplicated().any()).item())
    if repeated:
        numbered = numbered.unique(keys, keep="last")
    cast = numbered.with_columns(pl.col(k).cast(frame.schema[k]) for k in keys)
    rows = frame.select(keys).join(cast, on=keys, how="left", maintain_order="left")["row"]
    return rows.cast(pl.UInt32), repeated


def gather(table: pl.DataFrame, rows: pl.Series, columns: Sequence[str]) -> list[pl.Series]:
    """``columns`` of ``table`` at ``rows`` (null where the row is null).

    Example:
        >>> t = pl.DataFrame({"x": [1.0, 2.0]})
        >>> gather(t, pl.Series([1, None], dtype=pl.UInt32), ["x"])[0].to_list()
        [2.0, None]
    """
    return table.select(pl.col(c).gather(rows) for c in columns).get_columns()


def state_year_rows(
    codes: pl.Series, years: pl.Series, table: pl.DataFrame, keys: Sequence[str] = ("ccode", "year")
) -> tuple[pl.Series, bool]:
    """For each (code, year) pair, the row of ``table`` with that ``keys`` (null if none).

    Returns the rows (UInt32, nullable) and whether ``table`` repeats a key.

    Example:
        >>> t = pl.DataFrame({"ccode": [2, 2], "year": [1900, 1901]})
        >>> rows, repeated = state_year_rows(pl.Series([2, 20, 2]), pl.Series([1901, 1900, 1900]), t)
        >>> rows.to_list(), repeated
        ([1, None, 0], False)
    """
    code, year = keys
    tc, ty = _ints(table, code), _ints(table, year)
    fc = codes.cast(pl.Int64) if codes.dtype.is_integer() and not codes.null_count() else None
    fy = years.cast(pl.Int64) if years.dtype.is_integer() and not years.null_count() else None
    if tc is not None and ty is not None and fc is not None and fy is not None and table.height \
            and codes.len():  # fmt: skip
        low, high = _span(fc, tc)
        y0, y1 = _span(fy, ty)
        span = y1 - y0 + 1
        if low >= 0 and high < _MAX_CODE and span <= _MAX_SPAN:
            cells = tc * span + (ty - y0)
            repeated = cells.n_unique() != cells.len()
            cell_row = _empty_index((high + 1) * span)
            cell_row.scatter(cells, pl.int_range(table.height, eager=True, dtype=pl.Int64))
            rows = cell_row.gather(fc * span + (fy - y0))
            return rows.cast(pl.UInt32).rename("row"), repeated
    frame = pl.DataFrame({code: codes, year: years})
    cast = table.select(pl.col(code).cast(codes.dtype), pl.col(year).cast(years.dtype))
    return _joined_rows(frame, cast, [code, year])
