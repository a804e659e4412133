"""Joint military exercises (JME v3 and MME v7) on dyad-years and state-years.

Each dataset gives its own columns (prefix ``jme_`` or ``mme_``), with its own coverage; the two
overlap (many exercises are in both), so they are not added up.

Dyad-years (symmetric in the counts, directed in the host columns):

* ``{d}_joint``: exercises in which both states took part during the year;
* ``{d}_bilateral`` / ``{d}_multilateral``: of those, the ones with exactly two / three or more
  participating states;
* ``{d}_host1`` / ``{d}_host2``: of those, the ones hosted by ``ccode1`` / by ``ccode2``.

State-years: ``{d}_exercises`` (exercises the state took part in) and ``{d}_hosted`` (of those, the
ones it hosted).

Rules: only participants resolved to a state count (NATO, "-9" and territories do not; the number
of participants is the number of distinct states). A JME exercise counts in every year from its
start year to its end year (its start year when the end is unknown; the two JME exercises without
any date are left out); an MME exercise counts in each year of the long file (the years it ran).
Coverage: JME 1970–2010 (its nominal span), MME 1980–2010; 0 inside, null outside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from foedus.frames.enrichers import BOTH, Enricher
from foedus.frames.instruments._merge import DYAD_KEYS, STATE_KEYS, attach, covered_years, unit_of
from foedus.frames.instruments._merge import declared as _declared

if TYPE_CHECKING:
    from foedus.frames.frame import Frame

__all__ = [
    "JME_COVERAGE",
    "MME_COVERAGE",
    "add_joint_exercises",
    "enrich_joint_exercises",
    "exercise_participations",
    "exercise_pairs",
]

JME_COVERAGE: tuple[int, int] = _declared("jme_exercises")
MME_COVERAGE: tuple[int, int] = _declared("mme_participants")

_DYAD = ("joint", "bilateral", "multilateral", "host1", "host2")
_STATE = ("exercises", "hosted")


def exercise_participations(
    jme: pl.DataFrame | None = None, mme_participants: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """One row per dataset, exercise, state and active year: ``exercise``, ``ccode``, ``year``,
    ``is_host``, ``n`` (states in the exercise).

    Example:
        >>> m = pl.DataFrame({"mme_uid": ["a", "a"], "year": [1990, 1990], "ccode": [2, 740],
        ...                   "is_host": [False, True], "n_participants": [2, 2]})
        >>> exercise_participations(mme_participants=m)["mme"].rows()
        [('a', 2, 1990, False, 2), ('a', 740, 1990, True, 2)]
    """
    out: dict[str, pl.DataFrame] = {}
    if jme is not None:
        end = pl.coalesce("end_year", "start_year")
        rows = (
            jme.filter(pl.col("ccode").is_not_null() & pl.col("start_year").is_not_null())
            .select(
                pl.col("jme_id").cast(pl.String).alias("exercise"),
                pl.col("ccode").cast(pl.Int64),
                pl.int_ranges("start_year", end + 1, dtype=pl.Int64).alias("year"),
                "is_host",
            )
            .explode("year")
        )
        out["jme"] = _one_row_each(rows)
    if mme_participants is not None:
        rows = mme_participants.filter(pl.col("ccode").is_not_null()).select(
            pl.col("mme_uid").alias("exercise"),
            pl.col("ccode").cast(pl.Int64),
            pl.col("year").cast(pl.Int64),
            "is_host",
        )
        out["mme"] = _one_row_each(rows)
    return out


def _one_row_each(rows: pl.DataFrame) -> pl.DataFrame:
    """A state listed twice in one exercise (two slots, or two names of one state) counts once."""
    once = rows.group_by("exercise", "ccode", "year", maintain_order=True).agg(
        pl.col("is_host").any()
    )
    n = pl.col("ccode").n_unique().over("exercise").cast(pl.Int64).alias("n")
    return once.with_columns(n).sort("exercise", "ccode", "year")


def exercise_pairs(participations: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Directed dyad-year exercise counts from :func:`exercise_participations` rows.

    Example:
        >>> p = pl.DataFrame({"exercise": ["a", "a"], "ccode": [2, 740], "year": [1990, 1990],
        ...                   "is_host": [False, True], "n": [2, 2]})
        >>> exercise_pairs(p, "mme").select("ccode1", "ccode2", "mme_joint", "mme_host2").rows()
        [(2, 740, 1, 1), (740, 2, 1, 0)]
    """
    left = participations.select("exercise", "year", "n", ccode1="ccode", host1="is_host")
    right = participations.select("exercise", "year", ccode2="ccode", host2="is_host")
    pairs = left.join(right, on=["exercise", "year"], maintain_order="left").filter(pl.col("ccode1") != pl.col("ccode2"))
    return (
        pairs.group_by(DYAD_KEYS)
        .agg(
            pl.len().cast(pl.Int64).alias(f"{prefix}_joint"),
            (pl.col("n") == 2).sum().cast(pl.Int64).alias(f"{prefix}_bilateral"),
            (pl.col("n") >= 3).sum().cast(pl.Int64).alias(f"{prefix}_multilateral"),
            pl.col("host1").sum().cast(pl.Int64).alias(f"{prefix}_host1"),
            pl.col("host2").sum().cast(pl.Int64).alias(f"{prefix}_host2"),
        )
        .sort(DYAD_KEYS)
    )


def add_joint_exercises(
    frame: pl.DataFrame,
    jme: pl.DataFrame | None,
    mme_participants: pl.DataFrame | None,
) -> pl.DataFrame:
    """Add JME and MME exercise counts to a dyad-year or state-year frame (``None`` skips one).

    Args:
        frame: COW dyad-years (``ccode1``, ``ccode2``, ``year``) or state-years; Int64 keys.
        jme: the ``jme_exercises`` table (exercise × participant).
        mme_participants: the ``mme_participants`` table (exercise × participant × year).

    Example:
        >>> m = pl.DataFrame({"mme_uid": ["a", "a"], "year": [1990, 1990], "ccode": [2, 740],
        ...                   "is_host": [False, True], "n_participants": [2, 2]})
        >>> f = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [740, 740, 740],
        ...                   "year": [1975, 1990, 1991]})
        >>> add_joint_exercises(f, None, m).select("year", "mme_joint", "mme_bilateral",
        ...                                        "mme_host2").rows()
        [(1975, None, None, None), (1990, 1, 1, 1), (1991, 0, 0, 0)]
    """
    unit = unit_of(frame, "joint exercises")
    coverage = {"jme": JME_COVERAGE, "mme": MME_COVERAGE}
    out = frame
    for name, rows in exercise_participations(jme, mme_participants).items():
        years = covered_years(*coverage[name])
        if unit == "dyad":
            table = exercise_pairs(rows, name)
            columns = [f"{name}_{c}" for c in _DYAD]
            out = attach(out, table, DYAD_KEYS, columns, years=years, where=name.upper())
        else:
            table = rows.group_by("ccode", "year").agg(
                pl.len().cast(pl.Int64).alias(f"{name}_exercises"),
                pl.col("is_host").sum().cast(pl.Int64).alias(f"{name}_hosted"),
            )
            columns = [f"{name}_{c}" for c in _STATE]
            out = attach(out, table, STATE_KEYS, columns, years=years, where=name.upper())
    return out


def enrich_joint_exercises(frame: Frame) -> Frame:
    """Frame-level exercise enricher (``--with exercises``): reads ``jme_exercises`` and
    ``mme_participants`` (either may be missing from the warehouse; both missing is an error).

    Example (on the real data; tests/frames/test_enrichers.py runs every instrument enricher):
        >>> import foedus
        >>> sy = foedus.state_years("cow", years="2005-2010")  # doctest: +SKIP
        >>> "jme_exercises" in enrich_joint_exercises(sy).columns  # doctest: +SKIP
        True
    """
    wh = frame.require_warehouse()
    used = []
    jme = mme = None
    if wh.has("jme_exercises") or not wh.has("mme_participants"):
        jme, u = frame.read("jme_exercises", "joint exercises (JME v3)")
        used.append(u)
    if wh.has("mme_participants"):
        mme, u = frame.read("mme_participants", "multinational exercises (MME v7)")
        used.append(u)
    return frame.with_data(add_joint_exercises(frame.df, jme, mme), *used)


ENRICHERS = (
    Enricher("exercises", BOTH, enrich_joint_exercises, "joint military exercises",
             tables=("jme_exercises", "mme_participants"), aliases=("jme", "mme")),
)  # fmt: skip
