"""Treaty timelines, state profiles, state-year status, treaty-portfolio similarity and the links
to alliances (extended deterrence, regime similarity among allies).

Everything reads the warehouse (the arms-control tables and ``cow_system``); the COW state list
(to 2016) decides which states exist in a year — for later years the states of 2016 are used and
the result says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from foedus.arms_control.status import STATUSES, records, status_on
from foedus.arms_control.treaties import SOURCE_LABELS, TREATIES, treaty
from foedus.errors import InvalidYearsError, UnknownStateError

if TYPE_CHECKING:
    from foedus.warehouse import Warehouse

__all__ = [
    "BRIEF_TREATIES",
    "PORTFOLIO_TREATIES",
    "TREATY_TABLES",
    "dyad_arms_control",
    "state_arms_control",
    "STATUS_CODES",
    "extended_deterrence",
    "ally_regime_similarity",
    "membership_map",
    "nuclear_state_years",
    "portfolio_matrix",
    "state_profile",
    "state_year_status",
    "treaty_list",
    "treaty_portfolio_similarity",
    "treaty_show",
]

#: Numeric coding of a status in a portfolio: 2 party, 1 signatory, 0 otherwise.
STATUS_CODES: dict[str, int] = {"party": 2, "signed": 1, "not signed": 0, "withdrawn": 0,
                                "ended": 0}  # fmt: skip
#: The multilateral regimes counted in ``regimes_joined`` and used in portfolios: the global
#: WMD, test-ban, conventional-weapons and arms-trade treaties (NWFZ treaties are regional and
#: bilateral treaties concern two states, so neither is counted).
PORTFOLIO_TREATIES: tuple[str, ...] = ("GENEVA1925", "PTBT", "OST", "NPT", "SEABED", "BWC",
                                       "ENMOD", "CCW", "CWC", "CTBT", "OTTAWA", "CCM", "ATT",
                                       "TPNW")  # fmt: skip
COW_LAST = date(2016, 12, 31)


def _asof(year: int | None) -> date:
    today = date.today()
    if year is None:
        return today
    if year < 1900 or year > today.year:
        raise InvalidYearsError(f"year {year} is outside 1900–{today.year}",
                                fix=f"give a year between 1900 and {today.year}")  # fmt: skip
    return min(date(year, 12, 31), today)


def _states(wh: Warehouse) -> pl.DataFrame:
    return wh.table("cow_system").select("ccode", "cw_abb", "cw_name", "start", "end")


def _universe(wh: Warehouse, day: date) -> tuple[pl.DataFrame, str | None]:
    """COW states in the system on ``day`` (for days after 2016: the states of 31 Dec 2016)."""
    note = None
    ref = day
    if day > COW_LAST:
        ref = COW_LAST
        note = ("COW state list ends in 2016: states in the system on 31 Dec 2016 are used "
                "for later years")  # fmt: skip
    s = _states(wh).filter((pl.col("start") <= ref) & (pl.col("end") >= ref))
    return s.select("ccode", "cw_abb", "cw_name").unique("ccode").sort("ccode"), note


def _names(wh: Warehouse) -> pl.DataFrame:
    return (_states(wh).sort("end", descending=True).unique("ccode", keep="first")
            .select("ccode", "cw_abb", "cw_name"))  # fmt: skip


def _sources_text(key: str) -> list[dict[str, str]]:
    return [{"source": s, "label": SOURCE_LABELS[s][2], "data_as_of": SOURCE_LABELS[s][1]}
            for s in TREATIES[key].sources]  # fmt: skip


def _data_as_of(key: str) -> date:
    """The latest data date among a treaty's sources (status after it is not known)."""
    days = []
    for s in TREATIES[key].sources:
        text = SOURCE_LABELS[s][1]
        days.append(date.fromisoformat(text if len(text) == 10 else f"{text}-12-31"))
    return max(days)


def _rows_json(df: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
            for r in df.iter_rows(named=True)]  # fmt: skip


def treaty_list(wh: Warehouse) -> list[dict[str, Any]]:
    """Every treaty with its sources, precedence, coverage and today's counts by status.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> [t["key"] for t in treaty_list(Warehouse())][:2]  # doctest: +SKIP
        ['NPT', 'BWC']
    """
    recs = status_on(records(wh), date.today())
    counts = recs.group_by("treaty", "status").len()
    out = []
    for key, t in TREATIES.items():
        c = {r["status"]: r["len"] for r in counts.filter(pl.col("treaty") == key).iter_rows(named=True)}
        out.append({"key": key, "name": t.name, "opened": t.opened, "kind": t.kind,
                    "scope": t.scope, "sources": list(t.sources),
                    "data_as_of": _data_as_of(key).isoformat(),
                    "parties": c.get("party", 0), "signatories": c.get("signed", 0),
                    "withdrawn": c.get("withdrawn", 0), "ended": c.get("ended", 0),
                    "note": t.note})  # fmt: skip
    return out


def treaty_show(wh: Warehouse, name: str, year: int | None = None) -> dict[str, Any]:
    """A treaty's status for every state on 31 December of ``year`` (default: today).

    States of the COW system that the sources do not list are ``not signed``. Each row gives the
    status and the dates behind it, the sources used and any flag (moderate quality, pending
    withdrawal, suspension, a declaration not to become a party, a de-ratification).

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> doc = treaty_show(Warehouse(), "NPT", 2010)  # doctest: +SKIP
        >>> [r["status"] for r in doc["states"] if r["abb"] == "ISR"]  # doctest: +SKIP
        ['not signed']
    """
    t = treaty(name)
    day = _asof(year)
    recs = records(wh).filter(pl.col("treaty") == t.key)
    universe, note = _universe(wh, day)
    scope_selected = t.scope == "selected" or t.kind in ("bilateral", "political")
    base = recs if scope_selected else universe.select("ccode").join(
        recs, on="ccode", how="full", coalesce=True)
    names = _names(wh)
    s = status_on(base.with_columns(pl.lit(t.key).alias("treaty")), day).join(
        names, on="ccode", how="left", maintain_order="left")
    opened = date.fromisoformat(t.opened)
    notes = [n for n in (note, t.note or None) if n]
    if day < opened:
        notes.append(f"the treaty was opened for signature on {t.opened}, after {day}")
    as_of = _data_as_of(t.key)
    if day > as_of:
        notes.append(f"the sources end on {as_of}: later actions are not known")
    s = s.with_columns(pl.coalesce("cw_name", "name").alias("state"),
                       pl.col("cw_abb").alias("abb")).sort("status", "state")
    cols = ["ccode", "abb", "state", "status", "signed", "joined", "joined_how",
            "withdrawal_notified", "withdrew", "withdrawal_pending", "deratified", "suspended",
            "suspended_now", "declared_not_party", "declared_not_party_now", "ended", "source",
            "joined_source", "flag"]  # fmt: skip
    counts = {st: int(s.filter(pl.col("status") == st).height) for st in STATUSES}
    return {
        "treaty": t.key, "name": t.name, "kind": t.kind, "opened": t.opened,
        "as_of": day.isoformat(), "year": year, "scope": t.scope,
        "precedence": _sources_text(t.key),
        "rule": "for each state the first source in 'precedence' that records it gives its "
                "dates; dates it lacks come from the next sources; curated facts apply on top",
        "counts": counts, "notes": notes, "states": _rows_json(s.select(cols)),
    }  # fmt: skip


def _resolve_state(wh: Warehouse, value: str | int) -> dict[str, Any]:
    names = _names(wh)
    text = str(value).strip()
    hit = None
    if text.isdigit():
        hit = names.filter(pl.col("ccode") == int(text))
    else:
        for col in ("cw_abb", "cw_name"):
            hit = names.filter(pl.col(col).str.to_lowercase() == text.lower())
            if hit.height:
                break
        if hit is None or not hit.height:
            from foedus.sources.instruments.countries import resolve_names

            r = resolve_names([text], [2016], source="user")
            code = r["ccode"][0]
            hit = names.filter(pl.col("ccode") == code) if code is not None else names.head(0)
    if hit is None or not hit.height:
        from foedus.alliances.states import close_matches

        close = close_matches(text, names["cw_name"].to_list() + names["cw_abb"].to_list(), n=4)
        raise UnknownStateError(f"unknown state '{value}'",
                                fix=("did you mean " + ", ".join(close) + "? " if close else "")
                                + "give a COW code, COW abbreviation or name (e.g. 2, USA, "
                                "United States of America)")  # fmt: skip
    row = hit.row(0, named=True)
    return {"ccode": row["ccode"], "abb": row["cw_abb"], "name": row["cw_name"]}


def nuclear_state_years(wh: Warehouse) -> pl.DataFrame:
    """Nuclear status, tests, ENR facilities and ν-CLEAR proficiency per COW state-year.

    Columns: ``ccode``, ``year``, ``nuclear_status`` (0 no consideration … 3 possessing; OWID/Bleek,
    1938–2022), ``nuclear_weapons`` (status 3), ``nuclear_tests`` (ACA, 1945–2019; null
    outside), ``nuclear_tests_doubtful`` (North Korea 2010), ``enr_facilities_started`` (Fuhrmann &
    Tkach enrichment or reprocessing facilities that had begun operating by the year,
    1939–2012), ``nu_mean`` (ν-CLEAR, 1938–2001). Rows exist where any source covers the year.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> nuclear_state_years(Warehouse()).filter(pl.col("ccode") == 2)  # doctest: +SKIP
    """
    parts = []
    if wh.has("nuclear_weapons_status"):
        s = wh.table("nuclear_weapons_status").filter(pl.col("ccode").is_not_null())
        parts.append(s.group_by("ccode", "year").agg(pl.col("status").max().alias("nuclear_status")))
    if wh.has("nuclear_tests"):
        t = wh.table("nuclear_tests").filter(pl.col("ccode").is_not_null())
        parts.append(t.group_by("ccode", "year").agg(pl.col("tests").sum().alias("nuclear_tests"),
                                                     pl.col("doubtful").any().alias(
                                                         "nuclear_tests_doubtful")))  # fmt: skip
    if wh.has("nuclear_latency_facilities"):
        f = wh.table("nuclear_latency_facilities").filter(pl.col("operation_start").is_not_null())
        years = pl.DataFrame({"year": list(range(1939, 2013))})
        started = (f.select("ccode", "operation_start").join(years, how="cross")
                   .filter(pl.col("operation_start") <= pl.col("year"))
                   .group_by("ccode", "year").agg(pl.len().cast(pl.Int64).alias("enr_facilities_started")))
        parts.append(started)
    if wh.has("nuclear_proficiency"):
        parts.append(wh.table("nuclear_proficiency").select("ccode", "year", "nu_mean"))
    if not parts:
        return pl.DataFrame(schema={"ccode": pl.Int64, "year": pl.Int64})
    keys = pl.concat([p.select(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64))
                      for p in parts]).unique()  # fmt: skip
    out = keys
    for p in parts:
        out = out.join(p.with_columns(pl.col("ccode").cast(pl.Int64), pl.col("year").cast(pl.Int64)),
                       on=["ccode", "year"], how="left", maintain_order="left")  # fmt: skip
    cols = out.columns
    fill = []
    if "nuclear_tests" in cols:  # covered years with no test are 0, not missing
        fill.append(pl.when(pl.col("year").is_between(1945, 2019))
                    .then(pl.col("nuclear_tests").fill_null(0)).alias("nuclear_tests"))
        fill.append(pl.when(pl.col("year").is_between(1945, 2019))
                    .then(pl.col("nuclear_tests_doubtful").fill_null(False))
                    .alias("nuclear_tests_doubtful"))
    if "enr_facilities_started" in cols:
        fill.append(pl.when(pl.col("year").is_between(1939, 2012))
                    .then(pl.col("enr_facilities_started").fill_null(0)).alias("enr_facilities_started"))
    if "nuclear_status" in cols:
        fill.append((pl.col("nuclear_status") == 3).alias("nuclear_weapons"))
    return out.with_columns(fill).sort("ccode", "year")


def state_profile(wh: Warehouse, state: str | int, year: int | None = None) -> dict[str, Any]:
    """A state's arms-control profile: status under every treaty on a date, its timeline of
    treaty actions, and its nuclear status, tests and latency.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> state_profile(Warehouse(), "USA")["state"]["ccode"]  # doctest: +SKIP
        2
    """
    st = _resolve_state(wh, state)
    day = _asof(year)
    recs = status_on(records(wh).filter(pl.col("ccode") == st["ccode"]), day)
    treaties = []
    timeline = []
    for r in recs.iter_rows(named=True):
        t = TREATIES[r["treaty"]]
        if date.fromisoformat(t.opened) > day:
            continue
        treaties.append({"treaty": r["treaty"], "name": t.name, "kind": t.kind,
                         "status": r["status"], "signed": r["signed"], "joined": r["joined"],
                         "withdrew": r["withdrew"], "deratified": r["deratified"],
                         "suspended": r["suspended"], "declared_not_party": r["declared_not_party"],
                         "ended": r["ended"], "source": r["source"], "flag": r["flag"]})  # fmt: skip
        for ev in ("signed", "joined", "declared_not_party", "suspended", "withdrawal_notified",
                   "withdrew", "deratified", "ended"):
            if r[ev] is not None and r[ev] <= day:
                timeline.append({"date": r[ev], "treaty": r["treaty"], "event": ev,
                                 "source": r["source"]})  # fmt: skip
    listed = {t["treaty"] for t in treaties}
    for key in PORTFOLIO_TREATIES:
        if key not in listed and date.fromisoformat(TREATIES[key].opened) <= day:
            treaties.append({"treaty": key, "name": TREATIES[key].name,
                             "kind": TREATIES[key].kind, "status": "not signed"})
    order = {k: i for i, k in enumerate(TREATIES)}
    treaties.sort(key=lambda d: order[d["treaty"]])
    timeline.sort(key=lambda d: (d["date"], order[d["treaty"]]))
    nuc = nuclear_state_years(wh).filter(pl.col("ccode") == st["ccode"])
    ref_year = day.year
    row = nuc.filter(pl.col("year") == ref_year)
    nuclear: dict[str, Any] = {"year": ref_year}
    if row.height:
        nuclear.update({k: v for k, v in row.row(0, named=True).items() if k not in ("ccode",)})
    if "nuclear_tests" in nuc.columns:
        nuclear["tests_total"] = int(nuc.filter(pl.col("year") <= ref_year)["nuclear_tests"]
                                     .fill_null(0).sum())  # fmt: skip
        nuclear["tests_coverage"] = "1945-2019 (ACA via OWID)"
    if "nuclear_status" in nuc.columns:
        poss = nuc.filter(pl.col("nuclear_status") == 3)["year"]
        nuclear["possessing_years"] = _spans(poss.to_list())
        nuclear["status_coverage"] = "1938-2022 (Bleek 2017 + NTI via OWID)"
    counts = {s: sum(1 for t in treaties if t["status"] == s and t["treaty"] in PORTFOLIO_TREATIES)
              for s in STATUSES}  # fmt: skip
    return {"state": st, "as_of": day.isoformat(), "regimes": counts,
            "regimes_counted": list(PORTFOLIO_TREATIES), "treaties": _jsonable(treaties),
            "timeline": _jsonable(timeline), "nuclear": _jsonable([nuclear])[0]}  # fmt: skip


def _spans(years: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for y in sorted(years):
        if out and y == out[-1][1] + 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return out


def _jsonable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in rows]


def state_year_status(
    wh: Warehouse, years: tuple[int, int], treaties: Sequence[str] | None = None
) -> pl.DataFrame:
    """Status per treaty on 31 December of each year, for every COW state-year.

    Columns: ``ccode``, ``year``, ``ac_<key>`` (status; null before the treaty opened or after its
    sources' data date), ``ac_regimes_party`` / ``ac_regimes_signed`` (of the
    :data:`PORTFOLIO_TREATIES` opened by then). Present-day Germany's record (255) is used for West
    Germany (260) to 1990 and unified Yemen's (679) for North Yemen (678) to 1989, because the
    treaty sources list today's states.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> state_year_status(Warehouse(), (2009, 2010), ["NPT"])  # doctest: +SKIP
    """
    keys = [treaty(t).key for t in treaties] if treaties else list(PORTFOLIO_TREATIES)
    recs = records(wh).filter(pl.col("treaty").is_in(keys))
    # predecessors: (today's code, predecessor code, predecessor's last year)
    pred = [(255, 260, 1990), (679, 678, 1989)]
    extra = [recs.filter(pl.col("ccode") == a).with_columns(pl.lit(b, pl.Int64).alias("ccode"),
                                                          pl.lit(last).alias("_last"))
             for a, b, last in pred]  # fmt: skip
    recs = pl.concat([recs.with_columns(pl.lit(None, pl.Int32).alias("_last")),
                      *[e.with_columns(pl.col("_last").cast(pl.Int32)) for e in extra]])
    sy = _state_years(wh, years)
    out = sy
    for key in keys:
        opened = date.fromisoformat(TREATIES[key].opened)
        last = _data_as_of(key)
        r = recs.filter(pl.col("treaty") == key)
        cols = []
        for y in range(years[0], years[1] + 1):
            day = date(y, 12, 31)
            if day < opened or date(y, 1, 1) > last:
                continue
            s = status_on(r.filter(pl.col("_last").is_null() | (pl.col("_last") >= y)),
                          min(day, last))
            cols.append(s.select("ccode", pl.lit(y, pl.Int64).alias("year"),
                                 pl.col("status").alias(f"ac_{key.lower()}")))
        col = f"ac_{key.lower()}"
        if cols:
            table = pl.concat(cols)
            out = out.join(table, on=["ccode", "year"], how="left", maintain_order="left").with_columns(
                pl.when(pl.col("year").is_in(table["year"].unique().to_list()))
                .then(pl.col(col).fill_null("not signed")).alias(col))
        else:
            out = out.with_columns(pl.lit(None, pl.String).alias(col))
    port = [f"ac_{k.lower()}" for k in keys if k in PORTFOLIO_TREATIES]
    if port:
        out = out.with_columns(
            pl.sum_horizontal([(pl.col(c) == "party").cast(pl.Int64) for c in port])
            .alias("ac_regimes_party"),
            pl.sum_horizontal([(pl.col(c) == "signed").cast(pl.Int64) for c in port])
            .alias("ac_regimes_signed"),
            pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int64) for c in port])
            .alias("ac_regimes_known"),
        )
    return out.sort("ccode", "year")


def _state_years(wh: Warehouse, years: tuple[int, int]) -> pl.DataFrame:
    lo, hi = years
    if lo > hi:
        raise InvalidYearsError(f"first year {lo} is after last year {hi}", fix="swap them")
    s = _states(wh)
    yrs = pl.DataFrame({"year": list(range(lo, hi + 1))}, schema={"year": pl.Int64})
    sy = s.join(yrs, how="cross").filter(
        (pl.col("start").dt.year() <= pl.col("year"))
        & ((pl.col("end").dt.year() >= pl.col("year"))
           | ((pl.col("end") == pl.lit(COW_LAST)) & (pl.col("year") > 2016)))
    )  # fmt: skip
    return sy.select("ccode", "year").unique().sort("ccode", "year")


def _matrix(sy: pl.DataFrame, year: int) -> tuple[list[int], list[str], Any]:
    import numpy as np

    rows = sy.filter(pl.col("year") == year)
    # treaties open by then whose status is known that year (not after their sources' data date)
    keys = [k for k in PORTFOLIO_TREATIES
            if date.fromisoformat(TREATIES[k].opened).year <= year
            and f"ac_{k.lower()}" in rows.columns
            and rows.height and rows[f"ac_{k.lower()}"].is_not_null().any()]  # fmt: skip
    cols = [f"ac_{k.lower()}" for k in keys]
    m = np.array([[STATUS_CODES.get(v, 0) if v is not None else 0 for v in row]
                  for row in rows.select(cols).iter_rows()], dtype=float).reshape(rows.height,
                                                                                 len(cols))
    return rows["ccode"].to_list(), keys, m


def portfolio_matrix(wh: Warehouse, year: int) -> tuple[list[int], list[str], Any]:
    """States × treaties matrix of status codes (2 party, 1 signatory, 0 otherwise) for ``year``,
    over the :data:`PORTFOLIO_TREATIES` opened by then whose status is known that year (a treaty
    after its sources' data date — e.g. the Geneva Protocol after 2020 — is left out).

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> codes, keys, m = portfolio_matrix(Warehouse(), 2010)  # doctest: +SKIP
    """
    if year < 1925:
        raise InvalidYearsError(f"no arms-control treaty counted in portfolios was open in {year}",
                                fix="use a year from 1925 on")  # fmt: skip
    return _matrix(state_year_status(wh, (year, year)), year)


def treaty_portfolio_similarity(
    wh: Warehouse,
    years: tuple[int, int],
    *,
    measures: Sequence[str] = ("s_un_val_sq", "kappa"),
    states: Sequence[int] | None = None,
    status: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Similarity of treaty portfolios for every directed dyad-year (for outcome or covariate use).

    A state's portfolio is its row of status codes over the global treaties open in the year whose
    status is known that year (:data:`PORTFOLIO_TREATIES`: 2 party, 1 signatory, 0 none or
    withdrawn; treaties after their sources' data date are left out); two portfolios are
    compared with the measures of :func:`foedus.measures.similarity.portfolio_similarity`
    (Signorino–Ritter S with maximum distance 2, Cohen's kappa, Scott's pi, tau-b). Also
    ``ac_joint_party``: the number of those treaties both states are party to. Years before 1925
    (no treaty open) give no rows. ``status`` may pass a ready :func:`state_year_status` table.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> treaty_portfolio_similarity(Warehouse(), (2010, 2010), states=[2, 365])  # doctest: +SKIP
    """
    import numpy as np

    from foedus.measures.similarity import portfolio_similarity

    lo = max(years[0], 1925)
    parts = []
    if lo <= years[1]:
        sy = status if status is not None else state_year_status(wh, (lo, years[1]))
        for y in range(lo, years[1] + 1):
            codes, _, m = _matrix(sy, y)
            if states is not None:
                keep = [i for i, c in enumerate(codes) if c in set(states)]
                codes = [codes[i] for i in keep]
                m = m[keep]
            if len(codes) < 2:
                continue
            sims = portfolio_similarity(m, max_distance=2.0, measures=list(measures))
            party = (m == 2).astype(float)
            joint = party @ party.T
            n = len(codes)
            i, j = np.where(~np.eye(n, dtype=bool))
            data = {"ccode1": np.array(codes)[i], "ccode2": np.array(codes)[j],
                    "year": np.full(i.size, y), "ac_joint_party": joint[i, j].astype(int)}
            for name, mat in sims.items():
                data[f"ac_{name}"] = mat[i, j].astype(float)
            parts.append(pl.DataFrame(data).with_columns(
                [pl.col(f"ac_{n_}").fill_nan(None) for n_ in sims]))
    if not parts:
        return pl.DataFrame(schema={"ccode1": pl.Int64, "ccode2": pl.Int64, "year": pl.Int64,
                                    "ac_joint_party": pl.Int64,
                                    **{f"ac_{m}": pl.Float64 for m in measures}})  # fmt: skip
    return pl.concat(parts).with_columns(pl.col("ccode1").cast(pl.Int64),
                                         pl.col("ccode2").cast(pl.Int64),
                                         pl.col("year").cast(pl.Int64),
                                         pl.col("ac_joint_party").cast(pl.Int64))  # fmt: skip


def _nws(wh: Warehouse, year: int) -> tuple[list[int], str | None]:
    nuc = nuclear_state_years(wh)
    if "nuclear_status" not in nuc.columns:
        from foedus.errors import MissingDataError

        raise MissingDataError("nuclear weapons status is not imported",
                               fix="import nuclear_weapons_proliferation_owid.csv "
                                   "(foedus data import-all ../shared/data)")  # fmt: skip
    last = int(nuc.filter(pl.col("nuclear_status").is_not_null())["year"].max())  # type: ignore[arg-type]
    note = None
    y = year
    if year > last:
        y = last
        note = f"nuclear status ends in {last}: possessors of {last} are used for {year}"
    return sorted(nuc.filter((pl.col("year") == y) & (pl.col("nuclear_status") == 3))["ccode"]
                  .to_list()), note  # fmt: skip


def extended_deterrence(wh: Warehouse, year: int) -> dict[str, Any]:
    """Allies of nuclear-weapon states and their NPT and TPNW choices in ``year``.

    A nuclear-weapon state (NWS) is a state that possessed nuclear weapons in the year (OWID /
    Bleek). Its protégés are the states it has an ATOP defence obligation toward (through the
    alliance data, with the curated changes after 2018). For each protégé: which NWS protect it,
    its NPT and TPNW status on 31 December, and whether it possesses nuclear weapons itself.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> doc = extended_deterrence(Warehouse(), 2020)  # doctest: +SKIP
    """
    from foedus.alliances.data import get_data

    nws, note = _nws(wh, year)
    data = get_data(wh)
    patrons: dict[int, set[int]] = {}
    for n in nws:
        try:
            pairs = data.toward(n, year)
        except Exception as exc:  # outside the alliance data's years
            from foedus.errors import FoedusError

            if isinstance(exc, FoedusError):
                raise
            raise
        for partner, own in pairs:
            if "defense" in own.obligations and partner.member != n:
                patrons.setdefault(partner.member, set()).add(n)
    day = _asof(year)
    recs = records(wh).filter(pl.col("treaty").is_in(["NPT", "TPNW"]))
    st = status_on(recs, day)
    lookup = {(r["treaty"], r["ccode"]): r["status"] for r in st.iter_rows(named=True)}
    names = {r["ccode"]: (r["cw_abb"], r["cw_name"]) for r in _names(wh).iter_rows(named=True)}
    rows = []
    for p, ns in sorted(patrons.items()):
        rows.append({"ccode": p, "abb": names.get(p, (None, None))[0],
                     "state": names.get(p, (None, None))[1],
                     "protected_by": [names.get(n, (str(n),))[0] for n in sorted(ns)],
                     "nuclear_weapons": p in nws,
                     "npt": lookup.get(("NPT", p), "not signed"),
                     "tpnw": (lookup.get(("TPNW", p), "not signed") if day.year >= 2017 else None)})
    summary: dict[str, Any] = {"protected_states": len(rows)}
    for key in ("npt", "tpnw"):
        vals = [r[key] for r in rows if r[key] is not None]
        summary[key] = {s: vals.count(s) for s in STATUSES if vals.count(s)}
    return {"year": year, "as_of": day.isoformat(),
            "nuclear_weapon_states": [names.get(n, (str(n),))[0] for n in nws],
            "summary": summary, "protected": rows,
            "notes": [n for n in (note,) if n] + [
                "protégés = states toward which a nuclear-weapon state has an ATOP defence "
                "obligation in the year"]}  # fmt: skip


def ally_regime_similarity(wh: Warehouse, years: tuple[int, int]) -> pl.DataFrame:
    """Mean treaty-portfolio similarity (S, squared distance) of defence allies vs other dyads, by year.

    Allies: non-directed dyads with an ATOP defence obligation in the year (``atop_ddy``). Returns
    ``year``, ``allied_dyads``, ``mean_s_allied``, ``other_dyads``, ``mean_s_other``.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> ally_regime_similarity(Warehouse(), (2000, 2001))  # doctest: +SKIP
    """
    sims = treaty_portfolio_similarity(wh, years, measures=("s_un_val_sq",))
    sims = sims.filter(pl.col("ccode1") < pl.col("ccode2"))
    ddy = wh.table("atop_ddy")
    dcol = "atop_defense" if "atop_defense" in ddy.columns else "defense"
    allies = (ddy.filter((pl.col("year").is_between(*years)) & (pl.col(dcol) > 0))
              .select(pl.min_horizontal("ccode1", "ccode2").cast(pl.Int64).alias("ccode1"),
                      pl.max_horizontal("ccode1", "ccode2").cast(pl.Int64).alias("ccode2"),
                      pl.col("year").cast(pl.Int64)).unique()
              .with_columns(pl.lit(True).alias("allied")))  # fmt: skip
    j = sims.join(allies, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left").with_columns(
        pl.col("allied").fill_null(False))
    last_ddy = int(ddy["year"].max())  # type: ignore[arg-type]
    return (j.group_by("year").agg(
        pl.col("allied").sum().alias("allied_dyads"),
        pl.col("ac_s_un_val_sq").filter(pl.col("allied")).mean().alias("mean_s_allied"),
        (~pl.col("allied")).sum().alias("other_dyads"),
        pl.col("ac_s_un_val_sq").filter(~pl.col("allied")).mean().alias("mean_s_other"),
    ).with_columns(*[pl.when(pl.col("year") > last_ddy).then(None).otherwise(pl.col(c)).alias(c)
                     for c in ("allied_dyads", "mean_s_allied", "other_dyads", "mean_s_other")]
                   ).sort("year"))  # fmt: skip


def membership_map(wh: Warehouse, name: str, year: int) -> dict[str, Any]:
    """A treaty's status per state in ``year`` with ISO3 codes, for a choropleth map.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> membership_map(Warehouse(), "NPT", 2010)["states"][0]  # doctest: +SKIP
    """
    from foedus.measures.year_views import iso3_codes, unique_iso3

    doc = treaty_show(wh, name, year)
    codes = [r["ccode"] for r in doc["states"]]
    iso = iso3_codes({r["ccode"]: r["state"] for r in doc["states"]})
    isos = unique_iso3(codes, iso)
    states = [{"ccode": r["ccode"], "abb": r["abb"], "state": r["state"], "iso3": i,
               "status": r["status"], "signed": r["signed"], "joined": r["joined"],
               "withdrew": r["withdrew"] or r["ended"]}
              for r, i in zip(doc["states"], isos, strict=True)]  # fmt: skip
    return {"treaty": doc["treaty"], "name": doc["name"], "year": year, "as_of": doc["as_of"],
            "counts": doc["counts"], "notes": doc["notes"], "states": states}


#: Treaties shown in the briefs' arms-control sections.
BRIEF_TREATIES: tuple[str, ...] = ("NPT", "CTBT", "BWC", "CWC", "OTTAWA", "ATT", "TPNW")
#: Warehouse tables the treaty status reads (for provenance).
TREATY_TABLES: tuple[str, ...] = ("ac_untc_participants", "ac_untc_endnotes", "ac_unoda_events",
                                  "ac_icrc_parties", "ac_ggo_parties", "ac_ieadb_parties")


def dyad_arms_control(wh: Warehouse, a: int, b: int, years: tuple[int, int]) -> pl.DataFrame:
    """Per year: both states' status under the main treaties, their regime counts, the treaties both
    are party to and the similarity of their treaty portfolios (for the dyad brief).

    Columns ``year``, ``<treaty>_a``/``<treaty>_b`` (:data:`BRIEF_TREATIES`, lower case),
    ``regimes_party_a``/``_b``, ``joint_party``, ``s_treaties`` (S, squared distance). Years
    before 1925 are left out; an empty frame when the treaty tables are not imported.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> dyad_arms_control(Warehouse(), 2, 365, (2000, 2010))  # doctest: +SKIP
    """
    lo, hi = max(years[0], 1925), years[1]
    if lo > hi or not wh.has("ac_unoda_events"):
        return pl.DataFrame(schema={"year": pl.Int64})
    sy = state_year_status(wh, (lo, hi))
    sims = treaty_portfolio_similarity(wh, (lo, hi), measures=("s_un_val_sq",), states=[a, b],
                                       status=sy).filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b))  # fmt: skip
    cols = [f"ac_{k.lower()}" for k in BRIEF_TREATIES]

    def side(code: int, suffix: str) -> pl.DataFrame:
        return sy.filter(pl.col("ccode") == code).select(
            "year", *[pl.col(c).alias(f"{c[3:]}_{suffix}") for c in cols],
            pl.col("ac_regimes_party").alias(f"regimes_party_{suffix}"))

    years_df = pl.DataFrame({"year": list(range(lo, hi + 1))}, schema={"year": pl.Int64})
    return (years_df.join(side(a, "a"), on="year", how="left", maintain_order="left").join(side(b, "b"), on="year", how="left", maintain_order="left")
            .join(sims.select("year", pl.col("ac_joint_party").alias("joint_party"),
                              pl.col("ac_s_un_val_sq").alias("s_treaties")), on="year", how="left", maintain_order="left")
            .sort("year"))  # fmt: skip


def state_arms_control(wh: Warehouse, state: int, years: tuple[int, int]) -> pl.DataFrame:
    """Per year: a state's status under the main treaties, its regime counts and nuclear status
    (for the state brief). Columns ``year``, ``<treaty>`` (:data:`BRIEF_TREATIES`, lower case),
    ``regimes_party``, ``regimes_signed``, ``regimes_known``, ``nuclear_status``, ``nuclear_tests``.

    Example:
        >>> from foedus.warehouse import Warehouse
        >>> state_arms_control(Warehouse(), 2, (2000, 2010))  # doctest: +SKIP
    """
    lo, hi = max(years[0], 1925), years[1]
    if lo > hi or not wh.has("ac_unoda_events"):
        return pl.DataFrame(schema={"year": pl.Int64})
    sy = state_year_status(wh, (lo, hi)).filter(pl.col("ccode") == state)
    out = sy.select("year", *[pl.col(f"ac_{k.lower()}").alias(k.lower()) for k in BRIEF_TREATIES],
                    pl.col("ac_regimes_party").alias("regimes_party"),
                    pl.col("ac_regimes_signed").alias("regimes_signed"),
                    pl.col("ac_regimes_known").alias("regimes_known"))  # fmt: skip
    nuc = nuclear_state_years(wh)
    keep = [c for c in ("nuclear_status", "nuclear_tests") if c in nuc.columns]
    if keep:
        out = out.join(nuc.filter(pl.col("ccode") == state).select("year", *keep), on="year",
                       how="left", maintain_order="left")
    return out.sort("year")
