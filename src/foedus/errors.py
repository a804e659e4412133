"""Errors that tell the user what is wrong, where, and how to fix it — every error class of foedus.

Each class says which HTTP status the REST API answers with (:attr:`FoedusError.http_status`, a
class attribute: 422 for bad input unless a subclass says otherwise) and a short title for the
problem document, so the API chooses both by type. The command line exits with status 2 on any of
them.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "CollinearityError",
    "ContradictoryRowsError",
    "ConvergenceError",
    "DegenerateSampleError",
    "DuplicateKeyError",
    "FoedusError",
    "InvalidDateError",
    "InvalidValueError",
    "InvalidYearsError",
    "MissingColumnError",
    "MissingDataError",
    "ModelError",
    "NoVariationError",
    "OfflineError",
    "OutsideCoverageError",
    "RowLimitError",
    "SeparationError",
    "SourceEncodingError",
    "SourceFormatError",
    "TruncatedSourceError",
    "UnknownAllianceError",
    "UnknownColumnError",
    "UnknownEnrichmentError",
    "UnknownSourceError",
    "UnknownStateError",
    "WarehouseBusyError",
    "WarehouseError",
    "WrongDelimiterError",
]


class FoedusError(Exception):
    """Base error: every foedus failure says *what*, *where* and *how to fix it*.

    Example:
        >>> err = FoedusError("column 'ccode' is missing", where="states2016.csv", fix="use the official file")
        >>> print(err)
        states2016.csv: column 'ccode' is missing. Fix: use the official file
        >>> err.http_status, MissingDataError.http_status, UnknownStateError("x").http_status
        (422, 503, 422)
    """

    #: HTTP status of the REST API's answer when this error ends a request.
    http_status: ClassVar[int] = 422
    #: Title of the API's problem document.
    title: ClassVar[str] = "Invalid request"

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

    title = "Malformed source file"


class UnknownSourceError(FoedusError):
    """A source name that the registry does not declare."""

    title = "Unknown source"


class MissingDataError(FoedusError):
    """A frame needs a source that has not been imported into the warehouse."""

    http_status = 503
    title = "Data not imported"


class WarehouseError(FoedusError):
    """The warehouse file cannot be used: a folder, not a DuckDB file, or unreadable."""

    http_status = 503
    title = "Warehouse unavailable"


class WarehouseBusyError(WarehouseError):
    """Another process holds the warehouse (an import, or a running ``foedus serve``)."""

    http_status = 503
    title = "Warehouse busy"


class UnknownStateError(FoedusError):
    """A state code or name that the chosen state system does not know."""

    title = "Unknown state"


class InvalidYearsError(FoedusError):
    """A year or year range that is impossible or outside every source."""

    title = "Invalid years"


class UnknownAllianceError(FoedusError):
    """An alliance name or ATOPID that neither ATOP nor the names table knows."""

    title = "Unknown alliance"


class UnknownEnrichmentError(FoedusError):
    """An enrichment name (``--with``) that foedus does not provide."""

    title = "Unknown enrichment"


class OfflineError(FoedusError):
    """A download was asked for but the network cannot be reached."""

    http_status = 503
    title = "Network unreachable"


class RowLimitError(FoedusError):
    """A result larger than the API's row limit."""

    http_status = 413
    title = "Result over the row limit"


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


class ContradictoryRowsError(SourceFormatError):
    """Two rows of the curated file(s) state facts that cannot both be true."""


class DuplicateKeyError(SourceFormatError):
    """Two rows of a source share the key that should identify a single row."""


class ModelError(FoedusError):
    """A model cannot be estimated as asked (the message says why and how to fix it)."""

    title = "Model cannot be estimated"


class UnknownColumnError(ModelError):
    """The outcome, a covariate, the spell or the cluster column is not in the frame."""


class NoVariationError(ModelError):
    """The outcome (or a covariate) takes a single value in the estimation sample."""


class CollinearityError(ModelError):
    """A covariate is an exact linear combination of others (or of the intercept)."""


class SeparationError(ModelError):
    """(Quasi-)complete separation: covariates predict the outcome perfectly, so the maximum
    likelihood estimate does not exist. ``covariate`` names the culprit (``None`` when only a
    combination separates), ``kind`` is ``"complete"``, ``"quasi-complete"`` or ``"combination"``.
    """

    def __init__(
        self,
        what: str,
        *,
        covariate: str | None,
        kind: str,
        where: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.covariate = covariate
        self.kind = kind
        super().__init__(what, where=where, fix=fix)


class ConvergenceError(ModelError):
    """The optimiser did not converge (without a sign of separation)."""


class OutsideCoverageError(InvalidYearsError):
    """Years asked of a treatment or outcome that its source does not cover (it would be missing,
    never 0, there)."""


class DegenerateSampleError(ModelError):
    """An estimation sample that cannot identify the quantity asked: an outcome with no variation,
    too few treated units or events, no comparison group. Nothing is fitted on it."""

    title = "Degenerate estimation sample"
