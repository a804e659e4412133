"""ISO 3166-1 alpha-3 codes for COW and Gleditsch–Ward states (present-day countries, for maps and
for reading ISO3 codes typed by users), by ``country_converter``'s name patterns."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

__all__ = ["ISO3_SUCCESSORS", "iso3_codes", "unique_iso3"]

#: COW states whose name country_converter does not match to exactly one present-day country,
#: mapped to the present-day country that carries the state's COW code on (for drawing maps).
ISO3_SUCCESSORS: dict[int, str] = {260: "DEU", 300: "AUT", 345: "SRB"}


def iso3_codes(names: dict[int, str]) -> dict[int, str | None]:
    """ISO 3166-1 alpha-3 codes of present-day countries for state names (COW or G-W), by
    country_converter's regular expressions; a name matching none or several countries gets
    :data:`ISO3_SUCCESSORS`' code or ``None``.

    Example:
        >>> iso3_codes({740: "Japan", 267: "Baden", 260: "German Federal Republic"})
        {740: 'JPN', 267: None, 260: 'DEU'}
    """
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    codes = list(names)
    found = coco.CountryConverter().convert([names[c] for c in codes], to="ISO3", not_found=None)
    if isinstance(found, str):
        found = [found]
    out: dict[int, str | None] = {}
    for code, value in zip(codes, found, strict=True):
        ok = isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value) is not None
        out[code] = value if ok else ISO3_SUCCESSORS.get(code)
    return out


def unique_iso3(codes: Sequence[int], iso3: dict[int, str | None]) -> list[str | None]:
    """ISO3 per code, kept only for the lowest code when several codes share one (a map has one
    shape per ISO3: North and South Yemen 1967–1990 both match YEM).

    Example:
        >>> unique_iso3([680, 678, 2], {678: "YEM", 680: "YEM", 2: "USA"})
        [None, 'YEM', 'USA']
    """
    owner: dict[str, int] = {}
    for c in sorted(codes):
        value = iso3.get(c)
        if value is not None and value not in owner:
            owner[value] = c
    return [iso3.get(c) if iso3.get(c) is not None and owner[iso3[c]] == c else None  # type: ignore[index]
            for c in codes]
