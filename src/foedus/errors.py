"""Errors that tell the user what is wrong, where, and how to fix it."""

from __future__ import annotations


class FoedusError(Exception):
    """Base error: every foedus failure says *what*, *where* and *how to fix it*.

    Example:
        >>> err = FoedusError("column 'ccode' is missing", where="states2016.csv", fix="use the official file")
        >>> print(err)
        states2016.csv: column 'ccode' is missing. Fix: use the official file
    """

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text += f". Fix: {self.fix}"
        return text

    def to_dict(self) -> dict[str, str | None]:
        """Machine-readable form (used by ``--json`` and the API)."""
        return {
            "error": type(self).__name__,
            "what": self.what,
            "where": self.where,
            "fix": self.fix,
        }


class SourceFormatError(FoedusError):
    """A source file is malformed: truncated, wrong delimiter/encoding, missing columns, bad values."""


class UnknownSourceError(FoedusError):
    """A source name that the registry does not declare."""


class MissingDataError(FoedusError):
    """A frame needs a source that has not been imported into the warehouse."""


class UnknownStateError(FoedusError):
    """A state code or name that the chosen state system does not know."""


class InvalidYearsError(FoedusError):
    """A year or year range that is impossible or outside every source."""


class UnknownEnrichmentError(FoedusError):
    """An enrichment name (``--with``) that foedus does not provide."""


class OfflineError(FoedusError):
    """A download was asked for but the network cannot be reached."""


class SourceEncodingError(SourceFormatError):
    """A source file is not in the expected text encoding (UTF-8 unless documented otherwise)."""


class WrongDelimiterError(SourceFormatError):
    """A CSV source uses another field separator (``;``, tab, ``|``) than the official comma."""


class TruncatedSourceError(SourceFormatError):
    """A source file ends early: ragged last record, unterminated quote, missing Parquet footer."""


class MissingColumnError(SourceFormatError):
    """A source file lacks (or renamed) a column that the format needs."""


class InvalidValueError(SourceFormatError):
    """A value that cannot be read as the column's type (a number, a date…)."""


class InvalidDateError(InvalidValueError):
    """An impossible date (month 13, 30 February, a year out of range) or an end before a start."""


class DuplicateKeyError(SourceFormatError):
    """Two rows of a source share the key that should identify a single row."""


class OutsideCoverageError(InvalidYearsError):
    """Years asked of a treatment or outcome that its source does not cover (it would be missing,
    never 0, there)."""


class DegenerateSampleError(FoedusError):
    """An estimation sample that cannot identify the quantity asked: an outcome with no variation,
    too few treated units or events, no comparison group. Nothing is fitted on it."""
