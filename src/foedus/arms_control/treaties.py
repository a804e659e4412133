"""The arms-control treaties foedus knows, where each one's facts come from, and in what order.

Every treaty has **one precedence rule** (:attr:`Treaty.sources`, highest first): for each state,
the first source in the list that records the state at all supplies all of its dates; lower sources
are used only for states the higher ones do not record. Facts of the curated file
(``foedus/arms_control/curated.csv``) always apply on top (they are the facts the files lack, such
as North Korea's NPT withdrawal). Every disagreement between sources is listed by
``foedus data conflicts arms-control`` (:func:`foedus.arms_control.status.conflicts`).

Example:
    >>> treaty("npt").sources
    ('unoda', 'ggo')
    >>> treaty("Outer Space").key
    'OST'
"""

from __future__ import annotations

from dataclasses import dataclass

from foedus.errors import UnknownTreatyError

__all__ = ["SOURCE_LABELS", "TREATIES", "Treaty", "UnknownTreatyError", "treaty", "treaty_keys"]


#: Source short names used in precedence rules → (warehouse table, data as of, label).
SOURCE_LABELS: dict[str, tuple[str | None, str, str]] = {
    "untc": ("ac_untc_participants", "2026-02-03", "UN Treaty Collection (MTDSG ch. XXVI)"),
    "unoda": ("ac_unoda_events", "2026-08-22", "UNODA Treaties Database (via SurvivalScores)"),
    "icrc": ("ac_icrc_parties", "2020-11-09", "ICRC chart of State Parties"),
    "ieadb": ("ac_ieadb_parties", "2020", "manytreaties IEADB"),
    "ggo": ("ac_ggo_parties", "2020", "manytreaties GGO (UK depositary dates)"),
    "curated": (None, "2026-12-03", "foedus curated facts (curated.csv)"),
}


@dataclass(frozen=True)
class Treaty:
    """One arms-control treaty (or political commitment) and its sources in order of precedence.

    ``kind``: ``multilateral``, ``nwfz`` (nuclear-weapon-free zone), ``bilateral`` or
    ``political`` (the JCPOA). ``scope`` is ``"all"`` when the sources list every participant and
    ``"selected"`` when only the participants named in the curated file are covered (CFE, Open
    Skies). ``withdrew_means``: what a UNODA "withdrew" action is for this treaty
    (``"withdrawal"``, or ``"deratification"`` for the CTBT, which Russia de-ratified).
    """

    key: str
    name: str
    opened: str
    kind: str
    sources: tuple[str, ...]
    scope: str = "all"
    aliases: tuple[str, ...] = ()
    withdrew_means: str = "withdrawal"
    note: str = ""


_T = Treaty
_CCW_NOTE = ("UNTC prints acceptance marks without dates for Protocols I-III: the ICRC chart's "
             "dates (to Nov 2020) come first; later acceptances are dated as the state's CCW "
             "consent (flagged).")
TREATIES: dict[str, Treaty] = {t.key: t for t in (
    _T("NPT", "Treaty on the Non-Proliferation of Nuclear Weapons", "1968-07-01", "multilateral",
       ("unoda", "ggo"), aliases=("non-proliferation treaty",),
       note="North Korea's withdrawal (announced 10 Jan 2003) comes from the curated file: no "
            "staged source records it."),
    _T("BWC", "Biological Weapons Convention", "1972-04-10", "multilateral",
       ("unoda", "icrc", "ieadb"), aliases=("btwc", "biological weapons convention")),
    _T("CWC", "Chemical Weapons Convention", "1993-01-13", "multilateral",
       ("untc", "icrc", "ieadb"), aliases=("chemical weapons convention",)),
    _T("CTBT", "Comprehensive Nuclear-Test-Ban Treaty", "1996-09-24", "multilateral",
       ("unoda", "untc"), withdrew_means="deratification",
       note="UNODA is first: it is newer (Aug 2026) and keeps Russia's 2000 ratification and its "
            "revocation of 2 Nov 2023 (recorded 3 Nov 2023), which UNTC simply removed."),
    _T("PTBT", "Partial Test Ban Treaty", "1963-08-05", "multilateral", ("ieadb", "ggo"),
       aliases=("ltbt", "limited test ban treaty", "partial test ban treaty"),
       note="Moderate quality. IEADB dates first (they match the deposit dates); GGO only for "
            "states IEADB lacks; GGO's 1964 'ratifications' of eight signatories are read as "
            "signatures; GGO's CHN rows are the Republic of China's (Taiwan) deposits."),
    _T("OST", "Outer Space Treaty", "1967-01-27", "multilateral", ("ggo",),
       aliases=("outer space", "outer space treaty", "outer-space"),
       note="Moderate quality: GGO only (UK depositary dates); Iran's GGO ratification is read as "
            "a signature (unverified)."),
    _T("SEABED", "Seabed Arms Control Treaty", "1971-02-11", "multilateral", ("ggo",),
       aliases=("seabed treaty", "sea-bed"), note="Moderate quality: GGO only (UK depositary dates)."),
    _T("GENEVA1925", "Geneva Protocol (1925) on asphyxiating gases and bacteriological warfare",
       "1925-06-17", "multilateral", ("icrc", "ggo"),
       aliases=("geneva protocol", "geneva-protocol", "gas protocol"),
       note="Parties as of 9 Nov 2020 (ICRC); GGO for states the ICRC chart lacks and for "
            "signatures."),
    _T("ENMOD", "Environmental Modification Convention", "1977-05-18", "multilateral",
       ("untc", "icrc", "ieadb")),
    _T("CCW", "Convention on Certain Conventional Weapons", "1981-04-10", "multilateral",
       ("untc", "icrc")),
    _T("CCW-P1", "CCW Protocol I (non-detectable fragments)", "1981-04-10", "multilateral",
       ("icrc", "untc"), note=_CCW_NOTE),
    _T("CCW-P2", "CCW Protocol II (mines, booby-traps, original)", "1981-04-10", "multilateral",
       ("icrc", "untc"), note=_CCW_NOTE),
    _T("CCW-P3", "CCW Protocol III (incendiary weapons)", "1981-04-10", "multilateral",
       ("icrc", "untc"), note=_CCW_NOTE),
    _T("CCW-P4", "CCW Protocol IV (blinding laser weapons)", "1995-10-13", "multilateral",
       ("untc", "icrc")),
    _T("CCW-P2A", "CCW amended Protocol II (mines)", "1996-05-03", "multilateral",
       ("untc", "icrc")),
    _T("CCW-ART1", "CCW amendment of Article 1 (non-international conflicts)", "2001-12-21",
       "multilateral", ("untc", "icrc")),
    _T("CCW-P5", "CCW Protocol V (explosive remnants of war)", "2003-11-28", "multilateral",
       ("untc", "icrc")),
    _T("OTTAWA", "Anti-Personnel Mine Ban Convention (Ottawa)", "1997-12-03", "multilateral",
       ("untc", "icrc"), aliases=("apmbc", "mine ban", "mine ban convention")),
    _T("CCM", "Convention on Cluster Munitions", "2008-12-03", "multilateral", ("untc", "icrc"),
       aliases=("cluster munitions",)),
    _T("ATT", "Arms Trade Treaty", "2013-06-03", "multilateral", ("untc", "icrc"),
       aliases=("arms trade treaty",)),
    _T("TPNW", "Treaty on the Prohibition of Nuclear Weapons", "2017-09-20", "multilateral",
       ("unoda", "untc", "icrc", "ieadb"), aliases=("ban treaty",)),
    _T("TLATELOLCO", "Treaty of Tlatelolco (Latin America and the Caribbean NWFZ)", "1967-02-14",
       "nwfz", ("unoda", "ggo", "ieadb")),
    _T("RAROTONGA", "Treaty of Rarotonga (South Pacific NWFZ)", "1985-08-06", "nwfz",
       ("unoda", "ggo", "ieadb")),
    _T("BANGKOK", "Treaty of Bangkok (Southeast Asia NWFZ)", "1995-12-15", "nwfz",
       ("unoda", "ggo", "ieadb")),
    _T("PELINDABA", "Treaty of Pelindaba (African NWFZ)", "1996-04-11", "nwfz",
       ("unoda", "ggo", "ieadb")),
    _T("SEMIPALATINSK", "Treaty of Semipalatinsk (Central Asian NWFZ)", "2006-09-08", "nwfz",
       ("unoda", "ieadb"), aliases=("canwfz",)),
    _T("SALT1", "SALT I Interim Agreement", "1972-05-26", "bilateral", ("curated",),
       aliases=("salt i", "salt")),
    _T("ABM", "Anti-Ballistic Missile Treaty", "1972-05-26", "bilateral", ("curated",)),
    _T("INF", "Intermediate-Range Nuclear Forces Treaty", "1987-12-08", "bilateral",
       ("curated",), note="Only the United States and the USSR/Russia; the other Soviet "
                          "successor parties are not curated."),
    _T("START1", "Strategic Arms Reduction Treaty (START I)", "1991-07-31", "bilateral",
       ("curated",), aliases=("start i", "start")),
    _T("SORT", "Strategic Offensive Reductions Treaty (Moscow Treaty)", "2002-05-24", "bilateral",
       ("curated",), aliases=("moscow treaty",)),
    _T("NEWSTART", "New START", "2010-04-08", "bilateral", ("curated",),
       aliases=("new start", "new-start")),
    _T("CFE", "Treaty on Conventional Armed Forces in Europe", "1990-11-19", "multilateral",
       ("curated",), scope="selected",
       note="Only the United States and Russia are curated; the other 28 parties are not."),
    _T("OPENSKIES", "Treaty on Open Skies", "1992-03-24", "multilateral", ("curated",),
       scope="selected", aliases=("open skies", "open-skies"),
       note="Only the United States and Russia (both withdrew) are curated."),
    _T("JCPOA", "Joint Comprehensive Plan of Action", "2015-07-14", "political", ("curated",),
       note="A political commitment, not a treaty: 'signed' = concluded (14 Jul 2015), 'party' = "
            "from Adoption Day (18 Oct 2015). The EU is a participant but not a state. Only the "
            "US exit (2018) is curated as an end; later steps (Iran's reduced compliance from "
            "2019, the 2025 snapback) are not."),
)}

_NORMAL = {k.lower(): k for k in TREATIES} | {
    a.lower(): t.key for t in TREATIES.values() for a in t.aliases
}


def treaty_keys() -> list[str]:
    """Every treaty key, in registry order.

    Example:
        >>> treaty_keys()[:3]
        ['NPT', 'BWC', 'CWC']
    """
    return list(TREATIES)


def treaty(name: str) -> Treaty:
    """The treaty called ``name`` (key or alias, any case; ``_``, ``-`` and spaces alike).

    Example:
        >>> treaty("new start").key
        'NEWSTART'
        >>> treaty("Narnia")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.UnknownTreatyError: unknown treaty 'Narnia'. Fix: use one of: NPT, BWC, ...
    """
    raw = name.strip().lower()
    for candidate in (raw, raw.replace("_", "-"), raw.replace("_", " "), raw.replace("-", " "),
                      raw.replace("-", "").replace(" ", "").replace("_", "")):  # fmt: skip
        if candidate in _NORMAL:
            return TREATIES[_NORMAL[candidate]]
    raise UnknownTreatyError(f"unknown treaty '{name}'", fix="use one of: " + ", ".join(TREATIES))
