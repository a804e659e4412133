"""The legal basis of alliances, from ATOP 5.1's alliance-level codes, and the organisations that
deploy peace operations.

Every meaning below quotes or closely paraphrases the *ATOP Codebook v5.1* (Leeds 2022,
``atop/atop_5_1_codebook.pdf``, printed page numbers) — §2.32 (form and duration), §2.34
(institutionalisation) and §2.35 (other content). "Missing" means ATOP has not located the
original agreement.

* :data:`LEGAL_CODES` — ``reflnun`` (references to the League of Nations / UN), ``natrefal``
  (references to other alliances), ``medarb`` (mediation/arbitration), ``conres`` (solution of
  an existing conflict), ``pubsecr`` / ``secrart`` (secrecy), ``renounce`` (renunciation during
  the term), ``proren`` (renewal), ``speclgth`` / ``length`` (duration).
* :func:`legal_basis` — one alliance's codes with their meanings.
* :func:`law_summary` — counts of each code over alliances signed in (or in force during) each
  period.
* :func:`pko_mandating` — peace operations by deploying organisation type and year (Bara's UN
  and Non-UN Peacekeeping v2-2019, which codes the organisation type, not the mandating body).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from foedus.errors import FoedusError, InvalidYearsError

__all__ = [
    "LEGAL_CODES", "LegalCode", "law_summary", "legal_basis", "legal_basis_for", "pko_mandating",
]


@dataclass(frozen=True)
class LegalCode:
    """An ATOP alliance-level variable: its title, the meaning of each value, codebook page."""

    variable: str
    title: str
    values: dict[int, str]
    page: str
    note: str = ""

    def label(self, value: Any) -> str:
        """Meaning of a value (``None`` = missing).

        Example:
            >>> LEGAL_CODES["reflnun"].label(2)
            'references the United Nations'
            >>> LEGAL_CODES["reflnun"].label(None)
            'missing: ATOP has not located the original agreement'
        """
        if value is None:
            return "missing: ATOP has not located the original agreement"
        if self.variable == "length":
            number = int(value)
            return "no particular duration specified" if number == 0 else f"{number} months"
        return self.values.get(int(value), f"code {value} (not in the codebook)")


#: The alliance-level codes of the legal basis, with their codebook meanings.
LEGAL_CODES: dict[str, LegalCode] = {
    c.variable: c
    for c in (
        LegalCode("reflnun", "reference to the League of Nations or the United Nations", {
            0: "neither the League nor the UN referenced",
            1: "references the League of Nations",
            2: "references the United Nations"}, "32",
            "a UN reference is typically to the Charter (Art. 51 self-defence, Chapter VIII "
            "regional arrangements); ATOP does not record which article"),
        LegalCode("natrefal", "reference to other alliances", {
            0: "no other alliance referenced",
            1: "conforms with the obligations of another existing alliance",
            2: "another alliance named as a source of threat",
            3: "another alliance mentioned in a notification provision",
            9: "other reference to another alliance"}, "32–33"),
        LegalCode("medarb", "mediation or arbitration among the members", {
            0: "no formal means of settling conflicts among the parties",
            1: "members committed to mediation, arbitration or another formal means of "
               "settling conflicts among them"}, "29"),
        LegalCode("conres", "solution of an existing conflict", {
            0: "no solution to an existing conflict proposed",
            1: "resolves a conflict among the allies",
            2: "proposes a solution to a conflict with or among third parties"}, "33"),
        LegalCode("pubsecr", "publicity of the agreement", {
            0: "public",
            1: "public, with one or more secret articles",
            2: "entirely secret"}, "19",
            "records whether the agreement required secrecy, not whether it stayed secret"),
        LegalCode("secrart", "content of the secret part", {
            0: "none (public treaty)",
            1: "division of spoils",
            2: "target state(s)",
            3: "obligations and/or conditions invoking obligations",
            4: "target state(s) and obligations/conditions invoking obligations",
            5: "contributions",
            6: "guidelines for military operations",
            7: "accessions",
            8: "secret treaty (entirely secret)"}, "19"),
        LegalCode("renounce", "renunciation during the term", {
            0: "no provision on legal renunciation",
            1: "any party may renounce with advance notification",
            2: "parties may renounce if another member takes aggressive action",
            3: "parties may renounce after a specified period, before scheduled termination",
            4: "renunciation specifically prohibited"}, "20–21"),
        LegalCode("proren", "renewal", {
            0: "renewal not mentioned",
            1: "parties must actively renew at the end of the term",
            2: "renewed automatically unless notice of non-renewal"}, "21"),
        LegalCode("speclgth", "term of the agreement", {
            0: "no duration specified",
            1: "a specific time period",
            2: "until some condition occurs (e.g. the end of a conflict)",
            3: "explicitly indefinite (including until a member gives notice)"}, "19"),
        LegalCode("length", "initial term in months", {}, "20",
                  "months of the initial term when SPECLGTH = 1; 0 when no particular "
                  "duration is indicated"),
    )
}  # fmt: skip

_CITE = "ATOP Codebook v5.1 (Leeds 2022), p. {page}"


def _value(row: dict[str, Any], variable: str) -> int | None:
    value = row.get(variable)
    if value is None:
        return None
    return int(value)


def legal_basis(alliance_level: pl.DataFrame, atopid: int) -> dict[str, Any]:
    """The legal-basis codes of one ATOP alliance with their codebook meanings.

    ``alliance_level`` is ATOP's alliance-level table (``atop5_1a.csv``). Returns
    ``{"atopid", "codes": [{variable, title, code, meaning, codebook}], "source"}``; an ATOPID
    absent from the table raises a clear error.

    Example:
        >>> a = pl.DataFrame({"atopid": [3180], "reflnun": [2], "natrefal": [0], "medarb": [0],
        ...     "conres": [0], "pubsecr": [0], "secrart": [0], "renounce": [1], "proren": [0],
        ...     "speclgth": [3], "length": [0]})
        >>> [c["meaning"] for c in legal_basis(a, 3180)["codes"]][:2]
        ['references the United Nations', 'no other alliance referenced']
    """
    rows = alliance_level.filter(pl.col("atopid") == int(atopid)).to_dicts()
    if not rows:
        raise FoedusError(f"ATOPID {atopid} is not in ATOP's alliance-level table",
                          where="atop_alliance_level",
                          fix="give an ATOP alliance (curated treaties after 2018 have no "
                          "ATOP codes)")  # fmt: skip
    row = rows[0]
    codes = []
    for variable, code in LEGAL_CODES.items():
        value = _value(row, variable)
        codes.append({"variable": variable, "title": code.title, "code": value,
                      "meaning": code.label(value), "codebook": _CITE.format(page=code.page),
                      "note": code.note or None})  # fmt: skip
    return {"atopid": int(atopid), "codes": codes,
            "source": "ATOP 5.1 alliance-level file (atop5_1a.csv)"}  # fmt: skip


Period = Literal["year", "decade"]


def law_summary(
    alliance_level: pl.DataFrame,
    start: int,
    end: int,
    *,
    by: Period = "decade",
    basis: Literal["signed", "in-force"] = "signed",
) -> pl.DataFrame:
    """How many alliances carry each legal-basis code, per period.

    ``basis="signed"`` (default) counts the alliances whose first year (``begyr``) falls in the
    period; ``"in-force"`` counts, per year, the alliances in force that year (``begyr`` ≤ year
    ≤ ``endyr``; ``endyr = 0`` means in force at the end of 2018), and with ``by="decade"`` the
    alliances in force at any time in the decade (each once). Long format: ``period, variable,
    code, meaning, alliances, share`` (share of the period's alliances, missing codes included in
    the denominator), plus ``period, variable="total"`` rows with the number of alliances.

    Example:
        >>> a = pl.DataFrame({"atopid": [1, 2, 3], "begyr": [1946, 1949, 1955],
        ...     "endyr": [0, 1990, 1960], "reflnun": [2, 2, 0], "natrefal": [0, 1, 0],
        ...     "medarb": [0, 0, 1], "conres": [0, 0, 0], "pubsecr": [0, 0, 0],
        ...     "secrart": [0, 0, 0], "renounce": [0, 1, 0], "proren": [0, 2, 0],
        ...     "speclgth": [0, 1, 0], "length": [0, 240, 0]})
        >>> out = law_summary(a, 1940, 1959)
        >>> out.filter((pl.col("variable") == "reflnun") & (pl.col("code") == 2)).select(
        ...     "period", "alliances", "share").rows()
        [('1940s', 2, 1.0)]
    """
    if start > end:
        raise InvalidYearsError(f"the years {start}–{end} run backwards",
                                fix="give the earlier year first")  # fmt: skip
    if by not in ("year", "decade"):
        raise FoedusError(f"unknown period '{by}'", fix="use year or decade")
    if basis not in ("signed", "in-force"):
        raise FoedusError(f"unknown basis '{basis}'", fix="use signed or in-force")
    table = alliance_level.with_columns(
        pl.col("begyr").cast(pl.Int64),
        pl.when(pl.col("endyr").cast(pl.Int64) == 0).then(pl.lit(2018, dtype=pl.Int64))
        .otherwise(pl.col("endyr").cast(pl.Int64)).alias("_end"),
    )  # fmt: skip
    if basis == "signed":
        table = table.filter(pl.col("begyr").is_between(start, end)).with_columns(
            pl.col("begyr").alias("year"))
    else:
        table = table.with_columns(
            pl.int_ranges(pl.max_horizontal("begyr", pl.lit(start)),
                          pl.min_horizontal("_end", pl.lit(end)) + 1).alias("year")
        ).explode("year").drop_nulls("year")  # fmt: skip
    period = (
        pl.col("year").cast(pl.String)
        if by == "year"
        else pl.format("{}s", (pl.col("year") // 10 * 10))
    )
    table = table.with_columns(period.alias("period")).unique(["atopid", "period"])
    totals = table.group_by("period").agg(pl.len().cast(pl.Int64).alias("alliances"))
    parts = []
    for variable, code in LEGAL_CODES.items():
        if variable not in table.columns:
            continue
        counts = (
            table.group_by("period", pl.col(variable).cast(pl.Int64).alias("code"))
            .agg(pl.len().cast(pl.Int64).alias("alliances"))
            .join(totals.rename({"alliances": "_n"}), on="period", maintain_order="left")
            .with_columns(
                pl.lit(variable).alias("variable"),
                (pl.col("alliances") / pl.col("_n")).alias("share"),
                pl.col("code").map_elements(code.label, return_dtype=pl.String,
                                            skip_nulls=False).alias("meaning"),
            )  # fmt: skip
            .select("period", "variable", "code", "meaning", "alliances", "share")
        )
        parts.append(counts)
    total_rows = totals.select(
        "period", pl.lit("total").alias("variable"), pl.lit(None, dtype=pl.Int64).alias("code"),
        pl.lit("alliances in the period").alias("meaning"), "alliances",
        pl.lit(1.0).alias("share"),
    )  # fmt: skip
    return pl.concat([total_rows, *parts]).sort("period", "variable", "code", nulls_last=True)


def pko_mandating(missions_monthly: pl.DataFrame, start: int, end: int) -> pl.DataFrame:
    """Peace operations active per year by deploying organisation type (UN, Regional,
    International), from Bara's UN and Non-UN Peacekeeping v2-2019 (1993–2016).

    The data give the organisation type (``org``: 1 UN, 2 regional organisation, 3 other
    international actor or coalition), not the body that mandated a mission; years outside
    1993–2016 are left out (unknown, not zero). Returns ``year, org_label, missions,
    mission_names``.

    Example:
        >>> m = pl.DataFrame({"year": [2000, 2000, 2000], "org_label": ["UN", "UN", "Regional"],
        ...                   "mission": ["UNAMSIL", "UNAMSIL", "ECOMOG"]})
        >>> pko_mandating(m, 2000, 2000).select("org_label", "missions").rows()
        [('Regional', 1), ('UN', 1)]
    """
    from foedus.sources.instruments.peacekeeping import PKO_COVERAGE

    lo, hi = max(start, PKO_COVERAGE[0]), min(end, PKO_COVERAGE[1])
    return (
        missions_monthly.filter(pl.col("year").is_between(lo, hi))
        .group_by(pl.col("year").cast(pl.Int64), "org_label")
        .agg(pl.col("mission").n_unique().cast(pl.Int64).alias("missions"),
             pl.col("mission").unique().sort().alias("mission_names"))
        .sort("year", "org_label")
    )  # fmt: skip


def legal_basis_for(atopid: int | None, warehouse: Any = None) -> dict[str, Any] | None:
    """:func:`legal_basis` read from a warehouse (path, ``Warehouse`` or default); ``None`` for a
    curated treaty (no ATOPID) or when ATOP's alliance-level file is not imported.

    Example:
        >>> legal_basis_for(None) is None
        True
    """
    if atopid is None:
        return None
    from foedus.warehouse import Warehouse

    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse, read_only=True)
    if not wh.has("atop_alliance_level"):
        return None
    table = wh.table("atop_alliance_level")
    if table.filter(pl.col("atopid") == int(atopid)).height == 0:
        return None
    return legal_basis(table, int(atopid))
