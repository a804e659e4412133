"""The vocabulary of the source registry: sources, their releases, and file formats.

Kept apart from the declarations (``catalog``, ``formats`` and the families under
``foedus.sources.instruments``) so that every family can declare its own sources without import
cycles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import polars as pl
else:  # imported on first use (paths that read no table need no Polars)
    from foedus._lazy import module

    pl = module("polars")

from foedus.sources.readers import LINE_COLUMN, check_state_codes

PEACESCIENCER_BIBTEX = """@Article{miller2022peacesciencer,
  author  = {Steven V. Miller},
  title   = {{peacesciencer}: An {R} Package for Quantitative Peace Science Research},
  journal = {Conflict Management and Peace Science},
  year    = {2022},
  volume  = {39},
  number  = {6},
  pages   = {755--779},
  doi     = {10.1177/07388942221077926}
}"""


@dataclass(frozen=True)
class Release:
    """One importable file: ``filename`` read by parser ``format_id`` fills ``table`` at ``version``.

    ``official`` is False for a copy re-published by another project (the peer's Parquet tables);
    such a copy is cited together with the project that made it (``via``).
    """

    source: str
    version: str
    format_id: str
    filename: str
    table: str
    official: bool = True
    via: str | None = None
    sha256: str | None = None
    coverage: tuple[int, int] | None = None


@dataclass(frozen=True)
class Source:
    """A dataset as its maintainers publish it."""

    name: str
    title: str
    maintainer: str
    landing_page: str
    terms: str
    bibtex: str
    download_urls: tuple[str, ...] = ()
    releases: tuple[Release, ...] = field(default_factory=tuple)

    def bibkey(self) -> str:
        """The BibTeX key of this source's citation (the first entry)."""
        return self.bibtex.split("{", 1)[1].split(",", 1)[0]


def release(
    source: str,
    version: str,
    format_id: str,
    filename: str,
    table: str,
    *,
    official: bool = True,
    via: str | None = None,
    sha256: str | None = None,
    coverage: tuple[int, int] | None = None,
) -> Release:
    return Release(source, version, format_id, filename, table, official, via, sha256, coverage)


@dataclass(frozen=True)
class Format:
    """One importable release file and how it becomes a canonical table.

    Attributes:
        id: format id (``cow_states_csv``).
        table: canonical table name (``cow_system``).
        description: one line: what the file is.
        parse: ``parse(path)`` reads and validates the file and returns the canonical table
            (``parse(path, keep_lines=True)`` keeps a ``_line`` column with each row's line).
        key: columns identifying a row of the canonical table (checked unique by ``parse``).
        filename: the official file name (basename, exact).
        state_columns: regular expressions (full match) of the columns holding state codes.
        state_system: ``"cow"`` or ``"gw"``: which state list those codes belong to.
        non_state_codes: codes in those columns that mean "no state" (ATOP ``statthr1`` = 0).
        extra_state_codes: (code, explanation) pairs: codes the source uses for entities outside
            the state list, documented by the source (ATOP's 8152 = Annam).

    Example:
        >>> from foedus.sources.formats import FORMATS
        >>> fmt = FORMATS["cow_majors_csv"]
        >>> fmt.table, fmt.key, fmt.filename
        ('cow_majors', ('ccode', 'styear'), 'majors2016.csv')
    """

    id: str
    table: str
    description: str
    parse: Callable[..., pl.DataFrame]
    key: tuple[str, ...]
    filename: str
    state_columns: tuple[str, ...] = ()
    state_system: Literal["cow", "gw"] | None = None
    non_state_codes: frozenset[int] = field(default_factory=frozenset)
    extra_state_codes: tuple[tuple[int, str], ...] = ()

    def state_columns_in(self, df: pl.DataFrame) -> list[str]:
        """The columns of ``df`` that hold state codes.

        Example:
            >>> from foedus.sources.formats import FORMATS
            >>> FORMATS["atop_alliance_csv"].state_columns_in(
            ...     pl.DataFrame({"atopid": [1], "mem1": [2], "mem2": [20], "statthr1": [0]}))
            ['mem1', 'mem2', 'statthr1']
        """
        patterns = [re.compile(p) for p in self.state_columns]
        return [c for c in df.columns if any(p.fullmatch(c) for p in patterns)]

    def check_states(self, df: pl.DataFrame, known: Collection[int], where: str) -> None:
        """Raise :class:`~foedus.errors.UnknownStateError` if a state code is not in ``known``.

        ``known`` is the code set of :attr:`state_system` (e.g. the warehouse's ``cow_system``
        codes). :attr:`non_state_codes` and :attr:`extra_state_codes` pass. Rows are reported by
        file line when ``df`` has the ``_line`` column, else as 1-based rows.

        Example:
            >>> df = pl.DataFrame({"ccode": [2, 200], "year": [1900, 1900]})
            >>> from foedus.sources.formats import FORMATS
            >>> FORMATS["cow_system_csv"].check_states(df, {2, 200}, "system2016.csv")
        """
        check_state_codes(
            df,
            self.state_columns_in(df),
            known,
            where,
            ignore=set(self.non_state_codes) | {code for code, _ in self.extra_state_codes},
            system=(self.state_system or "state").upper(),
        )

    def read(
        self, path: str | Path, *, known_states: Collection[int] | None = None
    ) -> pl.DataFrame:
        """Parse ``path``; with ``known_states``, also check its state codes (naming file lines).

        Example:
            >>> import tempfile, pathlib
            >>> f = pathlib.Path(tempfile.mkdtemp()) / "system2016.csv"
            >>> _ = f.write_text("stateabb,ccode,year,version\\nUSA,2,1816,2016\\nX,9,1816,2016\\n")
            >>> from foedus.sources.formats import FORMATS
            >>> FORMATS["cow_system_csv"].read(f, known_states={2})  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            foedus.errors.UnknownStateError: ...system2016.csv, line 3, column 'ccode': unknown ...
        """
        df = self.parse(Path(path), keep_lines=True)
        if known_states is not None and self.state_system is not None:
            self.check_states(df, known_states, str(path))
        return df.drop(LINE_COLUMN, strict=False)


def format_spec(
    id: str,
    table: str,
    description: str,
    parse: Callable[..., pl.DataFrame],
    key: tuple[str, ...],
    filename: str,
    states: tuple[str, ...] = (),
    system: Literal["cow", "gw"] | None = None,
    non_state: Collection[int] = (),
    extra: tuple[tuple[int, str], ...] = (),
) -> Format:
    if states and system is None:
        system = "cow"
    return Format(
        id, table, description, parse, key, filename, states, system, frozenset(non_state), extra
    )
