"""Treaty status of every state: one record per treaty and state, chosen by precedence, and the
status on any date (not signed / signed / party / withdrawn / ended).

:func:`candidates` turns each source into the same shape (one row per treaty, state and source:
``signed``, ``joined``, ``joined_how``, ``withdrawal_notified``, ``withdrew``, ``deratified``,
``suspended``, ``declared_not_party``, ``ended``); :func:`records` keeps, per treaty and state, the
row of the first source in the treaty's precedence list and applies the curated facts on top;
:func:`status_on` gives each record's status on a date; :func:`conflicts` lists every
disagreement between sources.

Status on a date ``d`` (checked in this order):

* ``ended`` — the treaty ended for the state (expiry, termination, supersession) on or before ``d``
  after it had joined;
* ``withdrawn`` — its withdrawal took effect on or before ``d``;
* ``party`` — it joined on or before ``d`` and has not revoked its consent (``withdrawal_pending``
  and ``suspended`` qualify a party);
* ``signed`` — it signed (or joined and then revoked its ratification, as Russia did with the
  CTBT in 2023) on or before ``d``;
* ``not signed`` — otherwise.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from foedus.arms_control.treaties import SOURCE_LABELS, TREATIES, treaty

if TYPE_CHECKING:
    from foedus.warehouse import Warehouse

__all__ = [
    "FIELDS",
    "PTBT_SIGNATORIES_ONLY",
    "STATUSES",
    "candidates",
    "conflicts",
    "records",
    "status_on",
]

STATUSES: tuple[str, ...] = ("not signed", "signed", "party", "withdrawn", "ended")
DATE_FIELDS: tuple[str, ...] = ("signed", "joined", "withdrawal_notified", "withdrew",
                                "deratified", "suspended", "declared_not_party", "ended")  # fmt: skip
FIELDS: dict[str, Any] = {"treaty": pl.String, "ccode": pl.Int64, "name": pl.String,
                          "source": pl.String, "source_line": pl.Int64,
                          **{f: pl.Date for f in DATE_FIELDS}, "joined_how": pl.String,
                          "flag": pl.String, "joined_source": pl.String}  # fmt: skip

#: PTBT states that GGO shows as ratified in 1964 but that signed only (IEADB has no
#: ratification; the manifest lists them; they are the treaty's known non-ratifying signatories).
PTBT_SIGNATORIES_ONLY: frozenset[str] = frozenset(
    {"ETH", "HTI", "MLI", "PRY", "PRT", "SOM", "VNM", "BDI"}
)
#: Ratifications in GGO read as signatures (manifest: unverified).
_GGO_DEMOTE = {("PTBT", s) for s in PTBT_SIGNATORIES_ONLY} | {("OST", "IRN")}
PROXY_FLAG = "date not printed by UNTC: dated as the CCW consent"
_HOW = {"ratified": "ratification", "acceded": "accession", "succeeded": "succession"}


def _shape(df: pl.DataFrame, source: str) -> pl.DataFrame:
    exprs = [pl.col(c).cast(t) if c in df.columns else pl.lit(None, t).alias(c)
             for c, t in FIELDS.items() if c != "source"]  # fmt: skip
    return df.select(*exprs, pl.lit(source).alias("source")).select(list(FIELDS))


def _untc(wh: Warehouse) -> pl.DataFrame:
    t = wh.table("ac_untc_participants").filter(
        pl.col("ccode").is_not_null() & (pl.col("status_at_snapshot") != "listed_no_action"))
    notes = wh.table("ac_untc_endnotes") if wh.has("ac_untc_endnotes") else None
    declared = pl.DataFrame(schema={"treaty": pl.String, "note_no": pl.String,
                                    "declared_not_party": pl.Date})  # fmt: skip
    if notes is not None:
        rows = []
        for r in notes.filter(pl.col("note_text").str.contains("does not intend to become a party")
                              ).iter_rows(named=True):  # fmt: skip
            m = re.search(r"(\d{1,2} [A-Z][a-z]+ \d{4})", r["note_text"])
            if m:
                from datetime import datetime

                rows.append({"treaty": r["treaty"], "note_no": str(r["note_no"]),
                             "declared_not_party": datetime.strptime(m.group(1), "%d %B %Y").date()})
        if rows:
            declared = pl.DataFrame(rows, schema=declared.schema)
    refs = (t.select("treaty", "ccode", pl.col("note_refs").str.split(",").alias("note_no"))
            .explode("note_no").with_columns(pl.col("note_no").str.strip_chars())
            .join(declared, on=["treaty", "note_no"], how="inner", maintain_order="left")
            .group_by("treaty", "ccode").agg(pl.col("declared_not_party").min()))  # fmt: skip
    t = t.join(refs, on=["treaty", "ccode"], how="left", maintain_order="left")
    # CCW Protocols I-III: UNTC prints an acceptance mark without a date; the acceptance is dated
    # as the state's CCW consent (the manifest's reading) and flagged, so that the ICRC's own
    # protocol dates come first and the proxy never counts as a disagreement.
    ccw = t.filter(pl.col("treaty") == "CCW").select("ccode", pl.col("consent_date").alias("_ccw"))
    proxy = (pl.col("treaty").is_in(["CCW-P1", "CCW-P2", "CCW-P3"])
             & pl.col("consent_date").is_null() & (pl.col("status_at_snapshot") == "party"))
    t = t.join(ccw, on="ccode", how="left", maintain_order="left").with_columns(
        pl.when(proxy).then(pl.col("_ccw")).otherwise(pl.col("consent_date")).alias("consent_date"),
        pl.when(proxy).then(pl.lit(PROXY_FLAG)).alias("flag"),
    )
    return _shape(t.with_columns(
        pl.col("participant").alias("name"),
        pl.col("signature_date").alias("signed"), pl.col("consent_date").alias("joined"),
        pl.when(pl.col("consent_date").is_not_null())
        .then(pl.col("consent_type").fill_null("ratification").str.to_lowercase())
        .alias("joined_how"),
        pl.col("withdrawal_notification_date").alias("withdrawal_notified"),
        pl.col("withdrawal_effective_date").alias("withdrew"),
    ), "untc")


def _unoda(wh: Warehouse) -> pl.DataFrame:
    t = wh.table("ac_unoda_events").filter(pl.col("ccode").is_not_null())
    withdrew_as = {k: ("deratified" if v.withdrew_means == "deratification" else "withdrew")
                   for k, v in TREATIES.items()}  # fmt: skip
    joins = (t.filter(pl.col("action").is_in(list(_HOW))).sort("date")
             .group_by("treaty", "ccode").agg(pl.col("date").first().alias("joined"),
                                              pl.col("action").first().alias("how")))  # fmt: skip
    base = t.group_by("treaty", "ccode").agg(
        pl.col("country").first().alias("name"), pl.col("source_line").min(),
        pl.col("date").filter(pl.col("action") == "signed").first().alias("signed"),
        pl.col("date").filter(pl.col("action") == "withdrew").first().alias("_withdrew"),
    ).join(joins, on=["treaty", "ccode"], how="left", maintain_order="left")
    kind = pl.col("treaty").replace_strict(withdrew_as, default="withdrew")
    base = base.with_columns(
        pl.col("how").replace_strict(_HOW, default=None).alias("joined_how"),
        pl.when(kind == "withdrew").then(pl.col("_withdrew")).alias("withdrew"),
        pl.when(kind == "deratified").then(pl.col("_withdrew")).alias("deratified"),
    )
    return _shape(base, "unoda")


def _icrc(wh: Warehouse) -> pl.DataFrame:
    t = wh.table("ac_icrc_parties").filter(pl.col("ccode").is_not_null())
    return _shape(t.with_columns(pl.col("country").alias("name"), pl.col("date").alias("joined"),
                                 pl.lit("party (ICRC chart)").alias("joined_how")), "icrc")


def _ieadb(wh: Warehouse) -> pl.DataFrame:
    t = wh.table("ac_ieadb_parties").filter(pl.col("ccode").is_not_null())
    # one row per treaty and state: the earliest dates (a state listed twice keeps its first deposit)
    t = t.group_by("treaty", "ccode").agg(
        pl.col("state_id").first().alias("name"), pl.col("source_line").min(),
        pl.col("signature").min().alias("signed"), pl.col("ratification").min().alias("joined"))
    return _shape(t.with_columns(pl.when(pl.col("joined").is_not_null())
                                 .then(pl.lit("ratification or accession")).alias("joined_how")),
                  "ieadb")  # fmt: skip


def _ggo(wh: Warehouse) -> pl.DataFrame:
    t = wh.table("ac_ggo_parties").filter(pl.col("ccode").is_not_null())
    # PTBT: GGO's CHN rows are the Republic of China's deposits, repeated under TWN.
    t = t.filter(~((pl.col("treaty") == "PTBT") & (pl.col("state_id") == "CHN")))
    demote = pl.concat_str("treaty", pl.lit("|"), "state_id").is_in(
        [f"{a}|{b}" for a, b in _GGO_DEMOTE])
    t = t.with_columns(
        pl.col("state_id").alias("name"), pl.col("state_signature").alias("signed"),
        pl.when(demote).then(None).otherwise(pl.col("state_ratification")).alias("joined"),
        pl.when(demote).then(pl.lit("GGO ratification not confirmed; read as a signature"))
        .when(pl.col("state_ratification_uncertain") | pl.col("state_signature_uncertain"))
        .then(pl.lit("uncertain date (?) in GGO"))
        .when(pl.col("treaty").is_in(["PTBT", "OST", "SEABED"]))
        .then(pl.lit("moderate quality (GGO; UK depositary; day/month may be swapped)"))
        .alias("flag"),
    )
    t = t.with_columns(pl.when(pl.col("joined").is_not_null())
                       .then(pl.lit("ratification or accession")).alias("joined_how"))
    return _shape(t.sort("source_line").unique(["treaty", "ccode"], keep="first",
                                                maintain_order=True), "ggo")


def _curated(path: str | None = None) -> pl.DataFrame:
    from foedus.arms_control.curated import load_curated

    facts = load_curated(path)
    wide = facts.pivot(on="event", index=["treaty", "ccode"], values="date",
                       aggregate_function="first")  # fmt: skip
    names = facts.group_by("treaty", "ccode").agg(pl.col("state").first().alias("name"),
                                                   pl.col("line").min().alias("source_line"))
    return _shape(wide.join(names, on=["treaty", "ccode"], maintain_order="left").with_columns(
        pl.when(pl.col("joined").is_not_null()).then(pl.lit("entry into force"))
        .alias("joined_how") if "joined" in wide.columns else pl.lit(None, pl.String)
        .alias("joined_how")), "curated")  # fmt: skip


_BUILDERS = {"untc": _untc, "unoda": _unoda, "icrc": _icrc, "ieadb": _ieadb, "ggo": _ggo}
_CACHE: dict[tuple[str, str], pl.DataFrame] = {}


def candidates(wh: Warehouse, *, curated_path: str | None = None) -> pl.DataFrame:
    """Every source's record of every treaty and state (one row per treaty, state and source).

    Sources not imported are skipped. Example:
        >>> from foedus.warehouse import Warehouse
        >>> candidates(Warehouse()).filter(pl.col("treaty") == "CTBT")  # doctest: +SKIP
    """
    key = (str(wh.path), ";".join(f"{r.table}:{r.sha256}" for r in wh.records()
                                 if r.table.startswith("ac_")) + f"|{curated_path}")  # fmt: skip
    if key in _CACHE:
        return _CACHE[key]
    parts = [build(wh) for name, build in _BUILDERS.items() if wh.has(str(SOURCE_LABELS[name][0]))]
    parts.append(_curated(curated_path))
    out = pl.concat(parts, how="vertical")
    wanted = [k for k in TREATIES]
    out = out.filter(pl.col("treaty").is_in(wanted))
    _CACHE[key] = out
    return out


def records(wh: Warehouse, *, curated_path: str | None = None) -> pl.DataFrame:
    """One record per treaty and state: the first source of the treaty's precedence list that
    records the state; a date that source lacks is taken from the next source that has it (the
    ``source`` column lists every contributing source, ``joined_source`` the one that gave the
    consent date); the curated facts apply on top (their non-empty dates win).

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> records(Warehouse()).filter(pl.col("treaty") == "NPT")  # doctest: +SKIP
    """
    cand = candidates(wh, curated_path=curated_path)
    rank = {(k, s): i for k, t in TREATIES.items() for i, s in enumerate(t.sources)}
    ranked = cand.filter(pl.col("source") != "curated").with_columns(
        pl.struct("treaty", "source").map_elements(
            lambda r: rank.get((r["treaty"], r["source"]), 99), return_dtype=pl.Int64
        ).alias("_rank"))  # fmt: skip
    ranked = ranked.filter(pl.col("_rank") < 99).sort("treaty", "ccode", "_rank")
    first = [pl.col(f).drop_nulls().first().alias(f) for f in DATE_FIELDS]
    best = ranked.group_by("treaty", "ccode", maintain_order=True).agg(
        pl.col("name").first(), pl.col("source_line").first(), *first,
        pl.col("joined_how").filter(pl.col("joined").is_not_null()).first(),
        pl.col("flag").drop_nulls().first(),
        pl.col("source").filter(pl.col("joined").is_not_null()).first().alias("joined_source"),
        pl.col("source").unique(maintain_order=True).str.join("+").alias("source"),
    )
    best = best.with_columns(
        pl.when((pl.col("flag") == PROXY_FLAG) & (pl.col("joined_source") != "untc")).then(None)
        .otherwise(pl.col("flag")).alias("flag"))
    # a signature filled in from a lower source must not follow the consent (an accession has no
    # signature; GGO's UK-depositary dates may be a day off the UNODA accession date)
    best = best.with_columns(
        pl.when(pl.col("signed") > pl.col("joined")).then(None).otherwise(pl.col("signed"))
        .alias("signed"))
    cur = cand.filter(pl.col("source") == "curated")
    merged = best.join(cur, on=["treaty", "ccode"], how="full", suffix="_cur", coalesce=True)
    exprs = []
    for f in FIELDS:
        if f in ("treaty", "ccode"):
            continue
        if f in DATE_FIELDS:
            exprs.append(pl.coalesce(f"{f}_cur", f).alias(f))
        elif f == "source":
            exprs.append(pl.when(pl.col("source").is_null()).then(pl.lit("curated"))
                         .when(pl.col("source_cur").is_not_null())
                         .then(pl.col("source") + pl.lit("+curated"))
                         .otherwise(pl.col("source")).alias("source"))  # fmt: skip
        elif f == "joined_source":
            exprs.append(pl.when(pl.col("joined_cur").is_not_null()).then(pl.lit("curated"))
                         .otherwise(pl.col(f)).alias(f))
        else:
            exprs.append(pl.coalesce(f, f"{f}_cur").alias(f))
    return merged.select("treaty", "ccode", *exprs).select(list(FIELDS)).sort("treaty", "ccode")


def status_on(recs: pl.DataFrame, day: date) -> pl.DataFrame:
    """Add ``status``, ``withdrawal_pending``, ``suspended_now`` and ``declared_not_party_now`` as
    of ``day`` to treaty records.

    Example:
        >>> r = pl.DataFrame({"signed": [date(1996, 9, 24)], "joined": [date(2000, 6, 30)],
        ...                   "deratified": [date(2023, 11, 3)]})
        >>> [status_on(r, date(y, 12, 31))["status"][0] for y in (1999, 2010, 2024)]
        ['signed', 'party', 'signed']
    """
    d = pl.lit(day, pl.Date)

    def on(c: str) -> pl.Expr:
        return (pl.col(c) <= d).fill_null(False) if c in recs.columns else pl.lit(False)

    recs_ = recs
    status = (
        pl.when(on("ended") & on("joined")).then(pl.lit("ended"))
        .when(on("withdrew")).then(pl.lit("withdrawn"))
        .when(on("joined") & ~on("deratified")).then(pl.lit("party"))
        .when(on("signed") | on("joined")).then(pl.lit("signed"))
        .otherwise(pl.lit("not signed"))
    )  # fmt: skip
    return recs_.with_columns(status.alias("status")).with_columns(
        ((pl.col("status") == "party") & on("withdrawal_notified")).alias("withdrawal_pending"),
        ((pl.col("status") == "party") & on("suspended")).alias("suspended_now"),
        ((pl.col("status") == "signed") & on("declared_not_party")).alias("declared_not_party_now"),
    )


# --------------------------------------------------------------------------------------------------
# Conflicts
# --------------------------------------------------------------------------------------------------

_PROVIDES = {"untc": ("signed", "joined", "withdrew"), "unoda": ("signed", "joined", "withdrew",
             "deratified"), "icrc": ("joined",), "ieadb": ("signed", "joined"),
             "ggo": ("signed", "joined")}  # fmt: skip


def _kind(a: date | None, b: date | None) -> str:
    if a is None or b is None:
        return "missing in one source"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "day and month swapped"
    days = abs((a - b).days)
    return f"dates differ by {days} day{'s' if days != 1 else ''}"


def conflicts(wh: Warehouse, *, treaty_name: str | None = None) -> pl.DataFrame:
    """Every disagreement between two sources on a state's signature, consent or withdrawal date.

    For each treaty, each pair of its sources and each state both record, a field that both
    sources provide is compared (ICRC gives consent only). A date present in one source and
    absent in the other is a disagreement only if the other source's data date is after it. The
    ``used`` column says which value foedus keeps (the treaty's precedence rule).

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> conflicts(Warehouse(), treaty_name="PTBT").head()  # doctest: +SKIP
    """
    cand = candidates(wh)
    recs = records(wh)
    keys = [treaty(treaty_name).key] if treaty_name else list(TREATIES)
    rows: list[dict[str, Any]] = []
    names = recs.select("treaty", "ccode", "name", pl.col("source").alias("used_source"))
    for key in keys:
        t = TREATIES[key]
        srcs = [s for s in t.sources if s != "curated"]
        sub = cand.filter(pl.col("treaty") == key)
        by_src = {s: {r["ccode"]: r for r in sub.filter(pl.col("source") == s).iter_rows(named=True)}
                  for s in srcs}  # fmt: skip
        for i, a in enumerate(srcs):
            for b in srcs[i + 1:]:
                asof_b = date.fromisoformat(_asof(b))
                asof_a = date.fromisoformat(_asof(a))
                for ccode in sorted(set(by_src[a]) & set(by_src[b])):
                    ra, rb = by_src[a][ccode], by_src[b][ccode]
                    if PROXY_FLAG in (ra["flag"], rb["flag"]):
                        continue
                    for f in DATE_FIELDS:
                        if f not in _PROVIDES[a] or f not in _PROVIDES[b]:
                            continue
                        va, vb = ra[f], rb[f]
                        if va == vb:
                            continue
                        if va is None and vb is not None and vb > asof_a:
                            continue
                        if vb is None and va is not None and va > asof_b:
                            continue
                        rows.append({"treaty": key, "ccode": ccode, "field": f,
                                     "source_a": a, "value_a": va, "line_a": ra["source_line"],
                                     "source_b": b, "value_b": vb, "line_b": rb["source_line"],
                                     "kind": _kind(va, vb), "used": a})  # fmt: skip
    schema = {"treaty": pl.String, "ccode": pl.Int64, "field": pl.String, "source_a": pl.String,
              "value_a": pl.Date, "line_a": pl.Int64, "source_b": pl.String, "value_b": pl.Date,
              "line_b": pl.Int64, "kind": pl.String, "used": pl.String}  # fmt: skip
    out = pl.DataFrame(rows, schema=schema)
    out = out.join(names, on=["treaty", "ccode"], how="left", maintain_order="left")
    # the value foedus keeps is the higher-precedence source's, unless curated facts override it
    return out.select("treaty", "ccode", "name", "field", "source_a", "value_a", "line_a",
                      "source_b", "value_b", "line_b", "kind",
                      pl.when(pl.col("used_source").str.contains("curated"))
                      .then(pl.lit("curated")).otherwise(pl.col("used")).alias("used"))  # fmt: skip


def _asof(source: str) -> str:
    text = SOURCE_LABELS[source][1]
    return text if len(text) == 10 else f"{text}-01-01"
