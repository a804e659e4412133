"""Writing a Parquet file from the column chunks of other Parquet files, without decoding them.

The columns an enricher adds to an unmodified universe are kept beside the warehouse as Parquet
files that share one row-group layout (``foedus.warehouse.DERIVED_ROW_GROUP_ROWS`` rows each). A frame made only
of such parts is written by copying each column chunk's bytes, already encoded and compressed,
into the output and writing a new footer: what Polars would otherwise encode again (a second of
CPU for the 2.2-million-row standard file) becomes a copy of about 12 MB.

The footer is Thrift's compact protocol (Apache Parquet format specification, ``parquet.thrift``).
It is decoded into a generic tree of ``(field id, type, value)`` that keeps every field, so that
statistics, encodings and logical types pass through unchanged; only offsets and sizes are
rewritten, and page indexes and Bloom filters, which are not copied, are left out.

Only the standard library is used (the write path must not pay for importing pyarrow).

Example:
    >>> import tempfile, pathlib, polars as pl
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> pl.DataFrame({"a": [1, 2], "b": [0.5, None]}).write_parquet(d / "ab.parquet")
    >>> pl.DataFrame({"c": ["x", "y"]}).write_parquet(d / "c.parquet")
    >>> stitch_parquet([d / "ab.parquet", d / "c.parquet"], ["c", "a", "b"], d / "out.parquet",
    ...                {"source": "demo"}) is None
    True
    >>> pl.read_parquet(d / "out.parquet").rows()
    [('x', 1, 0.5), ('y', 2, None)]
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["ParquetParts", "stitch_parquet"]

_MAGIC = b"PAR1"

# Thrift compact protocol type ids.
_STOP, _TRUE, _FALSE, _I8, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(13)


# -- Thrift compact protocol --------------------------------------------------------------------
# A struct is a list of [field id, type, value]; a list or set is (element type, [values]); a map
# is (key type, value type, [(key, value)]).


class _Reader:
    def __init__(self, data: bytes | memoryview, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if kind in (_I16, _I32, _I64):
            return self.zigzag()
        if kind == _BINARY:
            size = self.varint()
            chunk = bytes(self.data[self.pos:self.pos + size])
            self.pos += size
            return chunk
        if kind == _STRUCT:
            return self.struct()
        if kind in (_LIST, _SET):
            head = self.byte()
            size, element = head >> 4, head & 0x0F
            if size == 15:
                size = self.varint()
            if element in (_TRUE, _FALSE):
                return element, [self.byte() == _TRUE for _ in range(size)]
            return element, [self.value(element) for _ in range(size)]
        if kind == _I8:
            b = self.byte()
            return b - 256 if b > 127 else b
        if kind == _DOUBLE:
            (x,) = struct.unpack_from("<d", self.data, self.pos)
            self.pos += 8
            return x
        if kind == _MAP:
            size = self.varint()
            if size == 0:
                return _STOP, _STOP, []
            types = self.byte()
            k, v = types >> 4, types & 0x0F
            return k, v, [(self.value(k), self.value(v)) for _ in range(size)]
        raise ValueError(f"unknown Thrift type {kind}")

    def struct(self) -> list[list[Any]]:
        fields: list[list[Any]] = []
        last = 0
        while True:
            head = self.byte()
            kind = head & 0x0F
            if kind == _STOP:
                return fields
            delta = head >> 4
            fid = last + delta if delta else self.zigzag()
            if kind in (_TRUE, _FALSE):
                fields.append([fid, _TRUE, kind == _TRUE])
            else:
                fields.append([fid, kind, self.value(kind)])
            last = fid


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()

    def varint(self, n: int) -> None:
        while n > 0x7F:
            self.out.append((n & 0x7F) | 0x80)
            n >>= 7
        self.out.append(n)

    def zigzag(self, n: int) -> None:
        self.varint((n << 1) ^ (n >> 63))

    def value(self, kind: int, value: Any) -> None:
        if kind in (_I16, _I32, _I64):
            self.zigzag(value)
        elif kind == _BINARY:
            self.varint(len(value))
            self.out += value
        elif kind == _STRUCT:
            self.struct(value)
        elif kind in (_LIST, _SET):
            element, items = value
            if len(items) < 15:
                self.out.append((len(items) << 4) | element)
            else:
                self.out.append(0xF0 | element)
                self.varint(len(items))
            for item in items:
                if element in (_TRUE, _FALSE):
                    self.out.append(_TRUE if item else _FALSE)
                else:
                    self.value(element, item)
        elif kind == _I8:
            self.out.append(value & 0xFF)
        elif kind == _DOUBLE:
            self.out += struct.pack("<d", value)
        elif kind == _MAP:
            k, v, items = value
            self.varint(len(items))
            if items:
                self.out.append((k << 4) | v)
                for key, val in items:
                    self.value(k, key)
                    self.value(v, val)
        else:
            raise ValueError(f"unknown Thrift type {kind}")

    def struct(self, fields: list[list[Any]]) -> None:
        last = 0
        for fid, kind, value in fields:
            wire = (_TRUE if value else _FALSE) if kind == _TRUE else kind
            if 0 < fid - last <= 15:
                self.out.append(((fid - last) << 4) | wire)
            else:
                self.out.append(wire)
                self.zigzag(fid)
            if kind != _TRUE:
                self.value(kind, value)
            last = fid
        self.out.append(_STOP)


def _get(fields: list[list[Any]], fid: int, default: Any = None) -> Any:
    for f in fields:
        if f[0] == fid:
            return f[2]
    return default


def _put(fields: list[list[Any]], fid: int, kind: int, value: Any) -> None:
    for f in fields:
        if f[0] == fid:
            f[1], f[2] = kind, value
            return
    fields.append([fid, kind, value])
    fields.sort(key=lambda f: f[0])


def _without(fields: list[list[Any]], drop: Sequence[int]) -> list[list[Any]]:
    return [f for f in fields if f[0] not in drop]


# -- Parquet -----------------------------------------------------------------------------------


class _Part:
    """One source file: its bytes, its decoded footer and where each top-level column sits."""

    def __init__(self, path: Path) -> None:
        try:
            self.data = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"{path}: {exc}") from None
        data = self.data
        if len(data) < 12 or data[:4] != _MAGIC or data[-4:] != _MAGIC:
            raise ValueError(f"{path}: not a Parquet file")
        (size,) = struct.unpack_from("<I", data, len(data) - 8)
        start = len(data) - 8 - size
        if start < 4:
            raise ValueError(f"{path}: damaged footer")
        try:
            self.meta = _Reader(memoryview(data), start).struct()
        except (IndexError, struct.error) as exc:
            raise ValueError(f"{path}: damaged footer ({exc})") from None
        if _get(self.meta, 8) is not None:
            raise ValueError(f"{path}: encrypted")
        schema = _get(self.meta, 2)[1]
        leaves = schema[1:]
        if any(_get(e, 5) for e in leaves) or _get(schema[0], 5) != len(leaves):
            raise ValueError(f"{path}: nested columns")
        self.names = [_get(e, 4).decode() for e in leaves]
        self.schema = dict(zip(self.names, leaves, strict=True))
        orders = _get(self.meta, 7)
        self.orders = dict(zip(self.names, orders[1], strict=True)) if orders else None
        self.rows = _get(self.meta, 3)
        self.groups = [_get(g, 1)[1] for g in _get(self.meta, 4)[1]]
        self.group_rows = [_get(g, 3) for g in _get(self.meta, 4)[1]]


_BAD = (ValueError, TypeError, KeyError, IndexError, struct.error)


def stitch_parquet(parts: Sequence[Path], columns: Sequence[str] | None, path: Path,
                   metadata: dict[str, str]) -> str | None:  # fmt: skip
    """Write ``columns`` (each found in exactly one of ``parts``; ``None``: all of theirs, in
    order) to ``path`` by copying their encoded column chunks, with ``metadata`` as the file's
    key-value metadata.

    Returns ``None`` once written, or why nothing was written: a part missing or not Parquet,
    nested or encrypted columns, parts that do not hold exactly these columns once each, or that
    differ in rows or row groups (the caller then encodes the data itself).
    """
    parts_ = ParquetParts.open(parts)
    if isinstance(parts_, str):
        return parts_
    built = parts_.stitch(columns, metadata)
    if isinstance(built, str):
        return built
    Path(path).write_bytes(built)
    return None


class ParquetParts:
    """Parquet files of one height and one row-group layout whose columns are to be stitched."""

    def __init__(self, loaded: list[_Part]) -> None:
        self._loaded = loaded
        #: Every column of the parts, in order (a name in two parts appears twice).
        self.columns = [name for part in loaded for name in part.names]

    @classmethod
    def open(cls, paths: Sequence[Path]) -> ParquetParts | str:
        """The parts' footers read, or why they cannot be (missing, not Parquet, nested)."""
        try:
            loaded = [part for part in (_Part(Path(p)) for p in paths) if part.names]
        except _BAD as why:
            return str(why)
        return cls(loaded) if loaded else "no parts with columns"

    def stitch(self, columns: Sequence[str] | None, metadata: dict[str, str]) -> bytes | str:
        """The whole Parquet file of ``columns`` (``None``: :attr:`columns`), or why not."""
        try:
            return bytes(_stitch(self._loaded, self.columns if columns is None else columns,
                                 metadata))  # fmt: skip
        except _BAD as why:
            return str(why)


def _stitch(loaded: list[_Part], columns: Sequence[str], metadata: dict[str, str]) -> bytearray:
    owner: dict[str, _Part] = {}
    for part in loaded:
        for name in part.names:
            if name in owner:
                raise ValueError(f"column {name!r} is in two parts")
            owner[name] = part
    if sorted(owner) != sorted(columns) or len(set(columns)) != len(columns):
        raise ValueError("the parts do not hold exactly the frame's columns")
    first = loaded[0]
    if any(p.group_rows != first.group_rows or p.rows != first.rows for p in loaded):
        raise ValueError("the parts' row groups differ")

    out = bytearray(_MAGIC)
    groups: list[list[list[Any]]] = []
    for g, rows in enumerate(first.group_rows):
        chunks: list[list[list[Any]]] = []
        group_start = len(out)
        compressed = uncompressed = 0
        for name in columns:
            part = owner[name]
            chunk = part.groups[g][part.names.index(name)]
            if _get(chunk, 1) is not None:
                raise ValueError("a column chunk lives in another file")
            meta = [list(f) for f in _get(chunk, 3)]
            data_at = _get(meta, 9)
            dict_at = _get(meta, 11)
            index_at = _get(meta, 10)
            begin = min(x for x in (data_at, dict_at, index_at) if x is not None and x > 0)
            size = _get(meta, 7)
            delta = len(out) - begin
            out += part.data[begin:begin + size]
            _put(meta, 9, _I64, data_at + delta)
            if dict_at is not None and dict_at > 0:
                _put(meta, 11, _I64, dict_at + delta)
            if index_at is not None and index_at > 0:
                _put(meta, 10, _I64, index_at + delta)
            meta = _without(meta, (14, 15))  # Bloom filters are not copied
            compressed += size
            uncompressed += _get(meta, 6)
            chunks.append([[2, _I64, begin + delta], [3, _STRUCT, meta]])
        groups.append([[1, _LIST, (_STRUCT, chunks)], [2, _I64, uncompressed], [3, _I64, rows],
                       [5, _I64, group_start], [6, _I64, compressed], [7, _I16, g]])  # fmt: skip

    root = [list(f) for f in _get(first.meta, 2)[1][0]]
    _put(root, 5, _I32, len(columns))
    footer: list[list[Any]] = [
        [1, _I32, _get(first.meta, 1, 1)],
        [2, _LIST, (_STRUCT, [root] + [owner[c].schema[c] for c in columns])],
        [3, _I64, first.rows],
        [4, _LIST, (_STRUCT, groups)],
        [5, _LIST, (_STRUCT, [[[1, _BINARY, k.encode()], [2, _BINARY, v.encode()]]
                              for k, v in metadata.items()])],  # fmt: skip
    ]
    created = _get(first.meta, 6)
    if created is not None:
        footer.append([6, _BINARY, created])
    if all(p.orders is not None for p in loaded):
        footer.append([7, _LIST, (_STRUCT, [owner[c].orders[c] for c in columns])])  # type: ignore[index]
    writer = _Writer()
    writer.struct(footer)
    out += writer.out
    out += struct.pack("<I", len(writer.out)) + _MAGIC
    return out
