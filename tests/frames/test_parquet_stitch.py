"""Parquet files assembled from other files' encoded column chunks (``foedus.frames._parquet``)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foedus.frames._parquet import _Reader, _Writer, stitch_parquet

_DTYPES = [pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.UInt32, pl.Float64, pl.Float32, pl.Boolean,
           pl.String]  # fmt: skip


def _values(dtype: pl.DataType) -> st.SearchStrategy[object]:
    if dtype == pl.Boolean:
        return st.booleans()
    if dtype == pl.String:
        return st.text(max_size=5)
    if dtype.is_float():
        return st.floats(allow_nan=False, width=32 if dtype == pl.Float32 else 64)
    bits = {pl.Int8: 7, pl.Int16: 15, pl.Int32: 31, pl.Int64: 63, pl.UInt32: 32}[dtype]  # type: ignore[index]
    if dtype == pl.UInt32:
        return st.integers(0, 2**bits - 1)
    return st.integers(-(2**bits), 2**bits - 1)


@st.composite
def _frames(draw: st.DrawFn) -> tuple[pl.DataFrame, list[list[str]], list[str], int]:
    height = draw(st.integers(1, 40))
    width = draw(st.integers(1, 8))
    columns = {}
    for i in range(width):
        dtype = draw(st.sampled_from(_DTYPES))
        values = draw(st.lists(st.none() | _values(dtype), min_size=height, max_size=height))
        columns[f"c{i}"] = pl.Series(values, dtype=dtype)
    df = pl.DataFrame(columns)
    names = list(df.columns)
    cuts = sorted(draw(st.sets(st.integers(1, width - 1), max_size=width - 1))) if width > 1 else []
    groups = [names[a:b] for a, b in zip([0, *cuts], [*cuts, width], strict=True)]
    order = draw(st.permutations(names))
    rows = draw(st.integers(1, 16))
    return df, groups, list(order), rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_frames())
def test_stitched_file_reads_back_as_the_frame(case: tuple[pl.DataFrame, list[list[str]], list[str], int],
                                               tmp_path: Path) -> None:  # fmt: skip
    df, groups, order, rows = case
    parts = []
    for i, group in enumerate(groups):
        path = tmp_path / f"part{i}.parquet"
        df.select(group).write_parquet(path, row_group_size=rows)
        parts.append(path)
    out = tmp_path / "out.parquet"
    assert stitch_parquet(parts, order, out, {"foedus": '{"a": 1}'}) is None
    expected = df.select(order)
    assert pl.read_parquet(out).equals(expected)
    assert pl.read_parquet(out).schema == expected.schema
    table = pq.read_table(out)  # an independent reader agrees
    assert table.column_names == order and table.num_rows == df.height
    assert pl.from_arrow(table).select(pl.all().cast(pl.String)).equals(expected.select(pl.all().cast(pl.String)))
    import duckdb

    with duckdb.connect() as con:  # and a third
        got = con.sql(f"SELECT * FROM read_parquet('{out}')").pl()
    assert got.columns == order and got.height == df.height
    assert got.select(pl.all().cast(pl.String)).equals(expected.select(pl.all().cast(pl.String)))
    meta = pq.ParquetFile(out).metadata
    assert meta.metadata == {b"foedus": b'{"a": 1}'}
    assert meta.num_row_groups == -(-df.height // rows)
    # min/max statistics travel with the chunks and still describe them
    for g in range(meta.num_row_groups):
        for c, name in enumerate(order):
            stats = meta.row_group(g).column(c).statistics
            chunk = expected[name].slice(g * rows, rows)
            if stats is not None and stats.has_null_count:
                assert stats.null_count == chunk.null_count()


def _footer(path: Path) -> bytes:
    data = path.read_bytes()
    (size,) = struct.unpack_from("<I", data, len(data) - 8)
    return data[len(data) - 8 - size:len(data) - 8]


def test_thrift_footers_decode_and_encode_back_byte_for_byte(tmp_path: Path) -> None:
    import pyarrow as pa

    df = pl.DataFrame({"a": [1, None, 3] * 100, "s": ["x", "y", None] * 100, "b": [True, False, None] * 100})
    df.write_parquet(tmp_path / "polars.parquet", row_group_size=64)
    pq.write_table(pa.table({"a": [1, None], "s": ["x", "y"]}), tmp_path / "pyarrow.parquet",
                   write_page_index=True)  # fmt: skip
    for name in ("polars.parquet", "pyarrow.parquet"):
        footer = _footer(tmp_path / name)
        reader = _Reader(footer)
        decoded = reader.struct()
        assert reader.pos == len(footer)
        writer = _Writer()
        writer.struct(decoded)
        assert bytes(writer.out) == footer


def test_parts_that_do_not_fit_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    pl.DataFrame({"a": range(10)}).write_parquet(tmp_path / "a.parquet", row_group_size=4)
    pl.DataFrame({"b": range(10)}).write_parquet(tmp_path / "b5.parquet", row_group_size=5)
    pl.DataFrame({"b": range(10)}).write_parquet(tmp_path / "b4.parquet", row_group_size=4)
    pl.DataFrame({"b": range(11)}).write_parquet(tmp_path / "b11.parquet", row_group_size=4)
    pl.DataFrame({"a": range(10)}).write_parquet(tmp_path / "a2.parquet", row_group_size=4)
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not really PAR1")
    out = tmp_path / "out.parquet"
    cases = [
        (["a.parquet", "b5.parquet"], ["a", "b"], "row groups differ"),
        (["a.parquet", "b11.parquet"], ["a", "b"], "row groups differ"),
        (["a.parquet", "b4.parquet"], ["a"], "exactly"),
        (["a.parquet", "b4.parquet"], ["a", "b", "c"], "exactly"),
        (["a.parquet", "a2.parquet"], ["a"], "two parts"),
        (["a.parquet", "junk.parquet"], ["a"], "footer|Parquet"),
        (["a.parquet", "missing.parquet"], ["a"], "missing"),
    ]
    for files, columns, message in cases:
        why = stitch_parquet([tmp_path / f for f in files], columns, out, {})
        assert why is not None and re.search(message, why), (files, columns, why)
        assert not out.exists()
    assert stitch_parquet([tmp_path / "a.parquet", tmp_path / "b4.parquet"], ["b", "a"], out, {}) is None
    assert pl.read_parquet(out).rows()[3] == (3, 3)


def test_nested_columns_are_refused(tmp_path: Path) -> None:
    pl.DataFrame({"l": [[1], [2, 3]]}).write_parquet(tmp_path / "l.parquet")
    why = stitch_parquet([tmp_path / "l.parquet"], ["l"], tmp_path / "out.parquet", {})
    assert why is not None and "nested" in why
