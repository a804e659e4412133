"""CAMEO actor country codes → COW and G-W state codes, dated.

CAMEO writes an actor's country as an ISO 3166 alpha-3 code (Schrodt 2012, ch. 3); a few codes are
regions or organisations (``AFR``, ``EUR``, ``WST``, ``IGO``…), which name no state and are
reported, never mapped. Each code is resolved through foedus's country layer as of each year, so
successor states follow the COW/G-W lists (e.g. ``RUS`` before 1992 → USSR, 365).

Example:
    >>> rows, unmapped = resolve_actor_countries([("USA", 2018, 2018), ("CHN", 2018, 2018), ("AFR", 2018, 2018)])
    >>> rows, unmapped
    ([('USA', 2018, 2, 2), ('CHN', 2018, 710, 710)], ['AFR'])
"""

from __future__ import annotations

__all__ = ["resolve_actor_countries"]


def resolve_actor_countries(
    countries: list[tuple[str, int, int]],
) -> tuple[list[tuple[str, int, int, int]], list[str]]:
    """For each (code, first year, last year): one (code, year, ccode, gwcode) row per year in
    which the code names a state, and the list of codes that never do."""
    import logging

    import country_converter as coco

    from foedus.sources.instruments.countries import resolve_names

    codes = sorted({c for c, _, _ in countries if c})
    converter = coco.CountryConverter()
    log = logging.getLogger("country_converter")
    level = log.level
    log.setLevel(logging.ERROR)  # codes that are regions are reported by us, not as warnings
    try:
        names = (converter.convert(codes, src="ISO3", to="name_short", not_found=None)
                 if codes else [])
    finally:
        log.setLevel(level)
    names = names if isinstance(names, list) else [names]
    name_of = {c: n for c, n in zip(codes, names, strict=True) if n}
    pairs = [(code, year) for code, first, last in countries if code in name_of
             for year in range(first, last + 1)]
    rows: list[tuple[str, int, int, int]] = []
    if pairs:
        table = resolve_names([name_of[c] for c, _ in pairs], [y for _, y in pairs],
                              source="gdelt")
        for (code, year), r in zip(pairs, table.iter_rows(named=True), strict=True):
            if r["resolution"] == "resolved" and r["ccode"] is not None:
                rows.append((code, year, int(r["ccode"]), int(r["gwcode"] or r["ccode"])))
    mapped = {c for c, _, _, _ in rows}
    return rows, [c for c in codes if c not in mapped]
