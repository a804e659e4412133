"""CAMEO event families of military cooperation and military conflict, chosen from the CAMEO
event codebook (Schrodt 2012, v1.1b3; GDELT's lookup of codes and Goldstein weights).

A family is a set of CAMEO codes given by prefix (``"19"`` = every code under root 19), optionally
limited to events with a military actor (CAMEO actor type ``MIL`` on either side): a visit
(042/043) is a *military* visit only when a military actor takes part. Every code listed here was
checked against ``../shared/data/gdelt/cameo_event_codes_gdelt_lookup.csv``.

Example:
    >>> [f.name for f in FAMILIES if f.kind == "conflict"]
    ['force_posture', 'blockade', 'assault', 'fight', 'mass_violence']
    >>> family_of("0332", military_actor=False)
    'military_aid_intent'
    >>> family_of("042", military_actor=True), family_of("042", military_actor=False)
    ('military_visit', None)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "EventFamily", "family_of", "families_table"]


@dataclass(frozen=True)
class EventFamily:
    """A family of CAMEO event codes (by prefix) of military cooperation or conflict."""

    name: str
    kind: str  # "cooperation" or "conflict"
    prefixes: tuple[str, ...]
    label: str
    military_actor: bool = False
    exclude: tuple[str, ...] = ()


FAMILIES: tuple[EventFamily, ...] = (
    EventFamily("military_cooperation_appeal", "cooperation", ("0212", "0232", "0234"),
                "appeal for military cooperation, aid or protection/peacekeeping (0212, 0232, 0234)"),
    EventFamily("military_aid_intent", "cooperation", ("0312", "0332", "0334"),
                "express intent to cooperate militarily or provide military aid/protection (0312, 0332, 0334)"),
    EventFamily("military_cooperation", "cooperation", ("062",), "cooperate militarily (062)"),
    EventFamily("military_aid", "cooperation", ("072", "074"),
                "provide military aid, protection or peacekeeping (072, 074)"),
    EventFamily("peacekeepers_received", "cooperation", ("0861",),
                "receive deployment of peacekeepers (0861)"),
    EventFamily("military_visit", "cooperation", ("042", "043"),
                "make or host a visit with a military actor on either side (042, 043 + MIL)",
                military_actor=True),
    EventFamily("force_posture", "conflict", ("15",),
                "exhibit military posture: alerts, mobilisation (15x)"),
    EventFamily("blockade", "conflict", ("191",), "impose blockade, restrict movement (191)"),
    EventFamily("assault", "conflict", ("18",), "assault: abduction, attacks, bombings (18x)"),
    EventFamily("fight", "conflict", ("19",),
                "fight with military force: occupy, small arms, artillery, aerial (19x except 191)",
                exclude=("191",)),
    EventFamily("mass_violence", "conflict", ("20",), "unconventional mass violence (20x)"),
)


def family_of(code: str, *, military_actor: bool) -> str | None:
    """The family of a CAMEO event code (``None`` when it is in none).

    Example:
        >>> family_of("193", military_actor=False), family_of("191", military_actor=False)
        ('fight', 'blockade')
    """
    for family in FAMILIES:
        if family.military_actor and not military_actor:
            continue
        if any(code.startswith(p) for p in family.prefixes) and not any(
                code.startswith(x) for x in family.exclude):
            return family.name
    return None


def families_table(event_codes: list[str]) -> list[tuple[str, str, str, bool]]:
    """(event code, family, kind, needs a military actor) for every code of ``event_codes`` that
    belongs to a family — the lookup table the pipeline joins on (exact codes, so the join is an
    equality on every engine).

    Example:
        >>> families_table(["062", "063", "193", "042"])
        [('062', 'military_cooperation', 'cooperation', False), ('193', 'fight', 'conflict', False), ('042', 'military_visit', 'cooperation', True)]
    """
    rows = []
    for code in event_codes:
        for family in FAMILIES:
            if any(code.startswith(p) for p in family.prefixes) and not any(
                    code.startswith(x) for x in family.exclude):
                rows.append((code, family.name, family.kind, family.military_actor))
                break
    return rows
