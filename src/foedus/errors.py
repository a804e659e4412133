"""Errors that tell the user what is wrong, where, and how to fix it — every error class of foedus.

Each class says which HTTP status the REST API answers with (:attr:`FoedusError.http_status`, a
class attribute: 422 for bad input unless a subclass says otherwise) and a short title for the
problem document, so the API chooses both by type. The command line exits with status 2 on any of
them.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AuthenticationError",
    "CollinearityError",
    "ContradictoryRowsError",
    "ConvergenceError",
    "CuratedFactError",
    "DegenerateSampleError",
    "DuplicateKeyError",
    "EditConflictError",
    "FoedusError",
    "InvalidDateError",
    "InvalidValueError",
    "InvalidYearsError",
    "MissingColumnError",
    "MissingDataError",
    "ModelError",
    "NoVariationError",
    "OfflineError",
    "PathNotFound",
    "PermissionDeniedError",
    "RecordNotFoundError",
    "RecordValidationError",
    "RecordsBusyError",
    "RecordsError",
    "OutsideCoverageError",
    "RowLimitError",
    "ScenarioFileError",
    "SeparationError",
    "SourceEncodingError",
    "SourceFormatError",
    "TimeLimitExceeded",
    "TooManyAttemptsError",
    "TruncatedSourceError",
    "UnknownAllianceError",
    "UnknownColumnError",
    "UnknownEnrichmentError",
    "UnknownReplicationError",
    "UnknownSourceError",
    "UnknownStateError",
    "UnknownTreatyError",
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


class UnknownReplicationError(FoedusError):
    """A replication (or variant) name that the gallery does not hold."""

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
# ---------------------------------------------------------------------------------------------
# Engagement records (``foedus.records``). ``http_status`` is the status the REST API answers with.
# ---------------------------------------------------------------------------------------------
class RecordsError(FoedusError):
    """A failure of the engagement-records store."""

    http_status = 422
    title = "Records error"


class AuthenticationError(RecordsError):
    """No valid credentials were given (missing, unknown, revoked or expired token; bad password)."""

    http_status = 401
    title = "Authentication required"


class PermissionDeniedError(RecordsError):
    """The user is authenticated but their role does not allow this action."""

    http_status = 403
    title = "Forbidden"


class RecordNotFoundError(RecordsError):
    """No record with this id is visible to the user (absent, or above their clearance)."""

    http_status = 404
    title = "Record not found"


class EditConflictError(RecordsError):
    """The record changed since the version the edit was based on (optimistic locking)."""

    http_status = 409
    title = "Edit conflict"


class TooManyAttemptsError(RecordsError):
    """Too many failed log-ins for this user name from this address; wait and retry."""

    http_status = 429
    title = "Too many attempts"

    def __init__(self, what: str, *, retry_after: int, where: str | None = None,
                 fix: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(what, where=where, fix=fix)


class RecordsBusyError(RecordsError):
    """The records database stayed locked by other writers longer than its busy timeout; nothing
    was written; retry shortly."""

    http_status = 503
    title = "Records database busy"

    def __init__(self, what: str, *, retry_after: int = 5, where: str | None = None,
                 fix: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(what, where=where, fix=fix)


class RecordValidationError(RecordsError):
    """A record or an imported file breaks the records model; ``problems`` lists each one
    (row, column, reason) and nothing is written."""

    http_status = 422
    title = "Invalid record"

    def __init__(self, what: str, *, problems: list[dict[str, object]] | None = None,
                 where: str | None = None, fix: str | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(what, where=where, fix=fix)

    def _render(self) -> str:
        text = super()._render()
        problems = getattr(self, "problems", [])
        if problems:
            lines = []
            for p in problems[:20]:
                place = ", ".join(f"{k} {p[k]}" for k in ("row", "column") if p.get(k) is not None)
                value = f" (value {p['value']!r})" if p.get("value") is not None else ""
                lines.append(f"  {place or 'file'}: {p.get('reason')}{value}")
            if len(problems) > 20:
                lines.append(f"  … and {len(problems) - 20} more")
            text += "\n" + "\n".join(lines)
        return text

    def to_dict(self) -> dict[str, object]:  # type: ignore[override]
        document: dict[str, object] = dict(super().to_dict())
        document["problems"] = self.problems
        return document


class UnknownTreatyError(FoedusError):
    """An arms-control treaty name that foedus does not know (the message lists the valid ones)."""


class CuratedFactError(SourceFormatError):
    """A row of a curated file of dated facts is wrong or contradicts another row."""


class PathNotFound(FoedusError):
    """A path parameter of a REST request (state, alliance) that names nothing: the wrapped
    error's message, answered with 404."""

    http_status = 404
    title = "Not found"

    def __init__(self, error: FoedusError) -> None:
        self.error = error
        super().__init__(error.what, where=error.where, fix=error.fix)


class TimeLimitExceeded(FoedusError):
    """A REST answer took longer than the server's per-request time limit (503 with Retry-After;
    the computation goes on and its answer is cached)."""

    http_status = 503
    title = "Time limit exceeded"


class UnknownRegionError(FoedusError):
    """A region or region-scheme name that foedus does not define (the message lists the valid ones)."""

    title = "Unknown region"


class UnknownGroupingError(FoedusError):
    """A grouping name (BRICS, SCO…) that the groupings table does not hold (lists the valid ones)."""

    title = "Unknown grouping"


class RegionFileError(SourceFormatError):
    """A custom regions CSV (or the packaged groupings table) that is malformed: columns, codes, dates."""

    title = "Malformed regions or groupings file"


class ScenarioFileError(FoedusError):
    """A scenario file is malformed (TOML syntax) or names something impossible (a key path says where)."""


class OutsideCoverageError(InvalidYearsError):
    """Years asked of a treatment or outcome that its source does not cover (it would be missing,
    never 0, there)."""


class DegenerateSampleError(ModelError):
    """An estimation sample that cannot identify the quantity asked: an outcome with no variation,
    too few treated units or events, no comparison group. Nothing is fitted on it."""

    title = "Degenerate estimation sample"
