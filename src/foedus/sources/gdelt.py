"""The official GDELT event-file layouts (tab-separated, no header) and their column types.

GDELT 1.0 (daily files since April 2013, and the BigQuery table): 58 fields; the historical
back-files (1979–March 2013) lack the last one, ``SOURCEURL`` (57). GDELT 2.0: 61 fields — an
``ADM2Code`` after each ``ADM1Code`` and ``DATEADDED`` as ``YYYYMMDDHHMMSS``. Field names as in the
GDELT event codebooks (Leetaru & Schrodt 2013; GDELT 2.0 Event Codebook V2.0).

Example:
    >>> len(GDELT1_COLUMNS), len(GDELT2_COLUMNS)
    (58, 61)
    >>> layout_for(57)[0], layout_for(61)[0]
    ('gdelt1-historical', 'gdelt2')
"""

from __future__ import annotations

__all__ = ["COLUMN_TYPES", "GDELT1_COLUMNS", "GDELT2_COLUMNS", "layout_for"]

_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_GEO1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_EVENT = ("IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
          "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone")


def _columns(geo: tuple[str, ...]) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
        *(f"Actor1{c}" for c in _ACTOR), *(f"Actor2{c}" for c in _ACTOR), *_EVENT,
        *(f"Actor1Geo_{c}" for c in geo), *(f"Actor2Geo_{c}" for c in geo),
        *(f"ActionGeo_{c}" for c in geo), "DATEADDED", "SOURCEURL",
    )


GDELT1_COLUMNS: tuple[str, ...] = _columns(_GEO1)
GDELT2_COLUMNS: tuple[str, ...] = _columns(_GEO2)

#: SQL type of each field (all others are text).
COLUMN_TYPES: dict[str, str] = {
    "GLOBALEVENTID": "BIGINT", "SQLDATE": "BIGINT", "MonthYear": "BIGINT", "Year": "BIGINT",
    "FractionDate": "DOUBLE", "IsRootEvent": "BIGINT", "QuadClass": "BIGINT",
    "GoldsteinScale": "DOUBLE", "NumMentions": "BIGINT", "NumSources": "BIGINT",
    "NumArticles": "BIGINT", "AvgTone": "DOUBLE", "DATEADDED": "BIGINT",
    **{f"{a}_{c}": ("BIGINT" if c == "Type" else "DOUBLE")
       for a in ("Actor1Geo", "Actor2Geo", "ActionGeo") for c in ("Type", "Lat", "Long")},
}  # fmt: skip


def layout_for(n_fields: int) -> tuple[str, tuple[str, ...]]:
    """The layout (name, columns) of a file whose rows have ``n_fields`` tab-separated fields.

    Example:
        >>> layout_for(58)[0]
        'gdelt1'
    """
    if n_fields == 58:
        return "gdelt1", GDELT1_COLUMNS
    if n_fields == 57:
        return "gdelt1-historical", GDELT1_COLUMNS[:-1]
    if n_fields == 61:
        return "gdelt2", GDELT2_COLUMNS
    raise ValueError(f"{n_fields} fields: GDELT event files have 57, 58 (1.0) or 61 (2.0)")
