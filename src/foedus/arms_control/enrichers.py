"""Arms-control and nuclear enrichers (``--with arms-control``, ``--with nuclear``).

``arms-control`` — on state-years: ``ac_<treaty>`` (status on 31 December: not signed, signed,
party, withdrawn, ended; null before the treaty opened and after its sources' data date) for the
global treaties of :data:`foedus.arms_control.analysis.PORTFOLIO_TREATIES`, and
``ac_regimes_party`` / ``ac_regimes_signed`` / ``ac_regimes_known``. On dyad-years:
``ac_joint_party`` (treaties both states are party to), ``ac_s_un_val_sq`` (Signorino–Ritter S of
the two treaty portfolios) and ``ac_kappa`` (Cohen's kappa); null before 1925.

``nuclear`` — on state-years: ``nuclear_status`` (0–3, OWID/Bleek, 1938–2022), ``nuclear_weapons``,
``nuclear_tests`` (1945–2019; 0 inside, null outside), ``nuclear_tests_doubtful``,
``enr_facilities_started`` (Fuhrmann & Tkach, 1939–2012), ``nu_mean`` (ν-CLEAR, 1938–2001). On dyad-years
the same columns for each side (suffixes ``1`` and ``2``) and ``nca_agreements``: nuclear
cooperation agreements signed that year with ``ccode1`` as supplier and ``ccode2`` as recipient
(Fuhrmann, 1951–2003; 0 inside, null outside).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import unit_of
from foedus.provenance import Used

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = ["enrich_arms_control", "enrich_nuclear"]

_AC_TABLES = ("ac_untc_participants", "ac_untc_endnotes", "ac_unoda_events", "ac_icrc_parties",
              "ac_ggo_parties", "ac_ieadb_parties")  # fmt: skip
_NUC_TABLES = ("nuclear_weapons_status", "nuclear_tests", "nuclear_latency_facilities",
               "nuclear_proficiency")  # fmt: skip


def _used(frame: Frame, tables: tuple[str, ...], purpose: str) -> list[Used]:
    wh = frame.require_warehouse()
    out = []
    for t in tables:
        if wh.has(t):
            r = wh.active(t)
            out.append(Used(r.source, r.version, t, Path(r.path).name, r.via, purpose))
    if tables == _AC_TABLES:
        from foedus.arms_control.curated import DEFAULT_PATH, curated_version

        out.append(Used("arms-control-curated", curated_version(), "curated", DEFAULT_PATH.name,
                        None, purpose))
    if not out:
        from foedus.errors import MissingDataError

        raise MissingDataError(f"{purpose} needs the arms-control data",
                               fix="import them: foedus data import-all ../shared/data")
    return out


def _join(df: pl.DataFrame, table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    clash = [c for c in table.columns if c in df.columns and c not in keys]
    if clash:
        from foedus.errors import FoedusError

        raise FoedusError(f"the frame already has column(s) {', '.join(clash)}",
                          fix="apply each enricher once")
    table = table.with_columns(pl.col(k).cast(pl.Int64) for k in keys)
    cast = df.with_columns(pl.col(k).cast(pl.Int64).alias(f"_k_{k}") for k in keys)
    out = cast.join(table.rename({k: f"_k_{k}" for k in keys}), on=[f"_k_{k}" for k in keys],
                    how="left", maintain_order="left")  # fmt: skip
    return out.drop([f"_k_{k}" for k in keys])


def enrich_arms_control(frame: Frame) -> Frame:
    """Treaty status (state-years) or joint membership and portfolio similarity (dyad-years).

    Example:
        >>> from foedus.frames.frame import Frame
        >>> enrich_arms_control(Frame(pl.DataFrame({"ccode": [2], "year": [2010]}),
        ...                           unit="state-year", system="cow"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: this frame is not attached to a warehouse. Fix: ...
    """
    from foedus.arms_control.analysis import state_year_status, treaty_portfolio_similarity

    unit = unit_of(frame.df, "arms control")
    used = _used(frame, _AC_TABLES, "arms-control treaty status")
    wh = frame.require_warehouse()
    if frame.df.height == 0:
        return frame
    lo, hi = int(frame.df["year"].min()), int(frame.df["year"].max())  # type: ignore[arg-type]
    status = state_year_status(wh, (lo, hi))
    if unit == "state":
        return frame.with_data(_join(frame.df, status, ["ccode", "year"]), *used)
    sims = treaty_portfolio_similarity(wh, (lo, hi), status=status.filter(pl.col("year") >= 1925)
                                       if hi >= 1925 else None)  # fmt: skip
    return frame.with_data(_join(frame.df, sims, ["ccode1", "ccode2", "year"]), *used)


def enrich_nuclear(frame: Frame) -> Frame:
    """Nuclear status, tests, ENR facilities and proficiency; on dyad-years also NCAs.

    Example:
        >>> from foedus.frames.frame import Frame
        >>> enrich_nuclear(Frame(pl.DataFrame({"gwcode": [2], "year": [2010]}),
        ...                      unit="state-year", system="gw"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: nuclear data needs COW codes: ccode1, ccode2, year ...
    """
    from foedus.arms_control.analysis import nuclear_state_years

    unit = unit_of(frame.df, "nuclear data")
    wh = frame.require_warehouse()
    used = _used(frame, _NUC_TABLES + (("nuclear_cooperation",) if unit == "dyad" else ()),
                 "nuclear status, tests, latency and cooperation")  # fmt: skip
    nuc = nuclear_state_years(wh)
    if unit == "state":
        return frame.with_data(_join(frame.df, nuc, ["ccode", "year"]), *used)
    cols = [c for c in nuc.columns if c not in ("ccode", "year")]
    df = frame.df
    for side in ("1", "2"):
        df = _join(df, nuc.rename({"ccode": f"ccode{side}", **{c: f"{c}{side}" for c in cols}}),
                   [f"ccode{side}", "year"])
    if wh.has("nuclear_cooperation"):
        nca = (wh.table("nuclear_cooperation").group_by("ccode1", "ccode2", "year")
               .agg(pl.len().cast(pl.Int64).alias("nca_agreements")))
        df = _join(df, nca, ["ccode1", "ccode2", "year"]).with_columns(
            pl.when(pl.col("year").is_between(1951, 2003))
            .then(pl.col("nca_agreements").fill_null(0)).alias("nca_agreements"))
    return frame.with_data(df, *used)


ENRICHERS = (
    Enricher("arms-control", BOTH, enrich_arms_control,
             "arms-control treaty status, joint membership, treaty-portfolio similarity",
             tables=_AC_TABLES, aliases=("treaties",)),
    Enricher("nuclear", BOTH, enrich_nuclear,
             "nuclear status, tests, ENR facilities, proficiency, cooperation agreements",
             tables=_NUC_TABLES + ("nuclear_cooperation",), aliases=("nuclear-weapons",)),
)  # fmt: skip
