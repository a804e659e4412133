"""Arms control and non-proliferation: treaty regimes as an instrument of military diplomacy.

Modules (rules and measured results: ``docs/arms-control.md``):

* :mod:`foedus.arms_control.treaties` — the treaties, their aliases and each one's sources in order
  of precedence;
* :mod:`foedus.arms_control.curated` — the curated, dated and sourced facts the files lack;
* :mod:`foedus.arms_control.status` — one record per treaty and state, status on a date, and the
  cross-source conflict report;
* :mod:`foedus.arms_control.analysis` — treaty timelines, state profiles, state-year panels,
  treaty-portfolio similarity, extended deterrence, regime similarity among allies;
* :mod:`foedus.arms_control.enrichers` — ``--with arms-control`` and ``--with nuclear``.

Example:
    >>> from foedus.arms_control.treaties import treaty
    >>> treaty("mine ban").name
    'Anti-Personnel Mine Ban Convention (Ottawa)'
"""

__all__: list[str] = []
