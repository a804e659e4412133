"""What ATOP 5.1's obligation, condition and institutional codes mean, from the codebook.

Every entry quotes or closely paraphrases *ATOP Codebook v5.1* (Leeds 2022,
``atop/atop_5_1_codebook.pdf``; printed page numbers) and the Leeds–Anac release notes
(``atop/l_a_release_notes.pdf``). Nothing here is inferred from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The five primary obligations (member-level, codebook §2.33 pp. 22–23) and what each promises.
OBLIGATIONS: dict[str, str] = {
    "defense": "active military support if a partner's sovereignty or territorial integrity is "
    "attacked (DEFENSE, p. 22)",
    "offense": "active military support in circumstances not precipitated by an attack on a "
    "partner (OFFENSE, p. 22)",
    "neutral": "not to join a conflict between a partner and a third party on the side of the "
    "partner's adversary, nor facilitate the adversary (NEUTRAL, p. 22)",
    "nonagg": "not to use force against the partner to settle disputes (NONAGG, pp. 22–23)",
    "consul": "to consult the partner in crises that may become militarised, with the goal of "
    "policy coordination (CONSUL, p. 23)",
}

#: Condition kinds, in the order ATOP lists them.
CONDITION_KINDS: tuple[str, ...] = (
    "adversary", "location", "conflict", "number", "demands", "provocation", "attack", "request",
    "other",
)  # fmt: skip


@dataclass(frozen=True)
class ConditionCode:
    """One ATOP condition dummy: the obligation it limits, its kind and its codebook meaning."""

    variable: str
    obligation: str
    kind: str
    meaning: str
    page: int

    def label(self, value: int | None) -> str:
        """The codebook meaning of a value of this dummy.

        Example:
            >>> CONDITIONS["defcoloc"].label(1)
            'DEFCOLOC = 1: the defense obligation is conditional upon conflict in a particular location (e.g., home territory only) (codebook p. 24)'
            >>> CONDITIONS["defcoloc"].label(0).startswith("DEFCOLOC = 0: not")
            True
        """
        name = self.variable.upper()
        if value is None:
            return f"{name} missing"
        if value == 0:
            return f"{name} = 0: not {self.meaning.split(' is ', 1)[1]} (codebook p. {self.page})"
        return f"{name} = {value}: {self.meaning} (codebook p. {self.page})"


def _c(variable: str, obligation: str, kind: str, meaning: str, page: int) -> ConditionCode:
    return ConditionCode(variable, obligation, kind, meaning, page)


#: Every member-level condition dummy (codebook §2.33 pp. 23–26); 1 = the obligation is limited.
CONDITIONS: dict[str, ConditionCode] = {
    c.variable: c
    for c in (
        _c("defcoadv", "defense", "adversary", "the defense obligation is conditional upon a "
           "particular adversary or type of adversary (e.g., Germany, a European power)", 24),
        _c("defcoloc", "defense", "location", "the defense obligation is conditional upon "
           "conflict in a particular location (e.g., home territory only)", 24),
        _c("defcocon", "defense", "conflict", "the defense obligation is conditional upon a "
           "particular ongoing conflict", 24),
        _c("defconum", "defense", "number", "the defense obligation is conditional upon the "
           "number of adversaries (e.g., only in case of bilateral war)", 24),
        _c("defcodem", "defense", "demands", "the defense obligation is conditional upon the ally "
           "or the adversary meeting certain demands detailed in the agreement", 24),
        _c("defconpr", "defense", "provocation", "the defense obligation is conditional upon the "
           "ally not provoking the adversary", 24),
        _c("offcoadv", "offense", "adversary", "the offense obligation is conditional upon a "
           "particular adversary or type of adversary (e.g., Turkey, communist states)", 24),
        _c("offcoloc", "offense", "location", "the offense obligation is conditional upon "
           "conflict in a particular location (e.g., the Balkans)", 24),
        _c("offcocon", "offense", "conflict", "the offense obligation is conditional upon a "
           "particular ongoing conflict", 24),
        _c("offconum", "offense", "number", "the offense obligation is conditional upon the "
           "number of adversaries", 24),
        _c("offcodem", "offense", "demands", "the offense obligation is conditional upon the ally "
           "or the adversary meeting certain demands detailed in the agreement", 24),
        _c("neucoadv", "neutral", "adversary", "the neutrality obligation is conditional upon a "
           "particular adversary or type of adversary", 25),
        _c("neucoloc", "neutral", "location", "the neutrality obligation is conditional upon "
           "conflict in a particular location", 25),
        _c("neucocon", "neutral", "conflict", "the neutrality obligation is conditional upon a "
           "particular ongoing conflict", 25),
        _c("neuconum", "neutral", "number", "the neutrality obligation is conditional upon the "
           "number of adversaries", 25),
        _c("neucodem", "neutral", "demands", "the neutrality obligation is conditional upon the "
           "ally or the adversary meeting certain demands detailed in the agreement", 25),
        _c("neuconpr", "neutral", "provocation", "the neutrality obligation is conditional upon "
           "the ally not provoking the adversary", 25),
        _c("neucoatt", "neutral", "attack", "the neutrality obligation is conditional upon the "
           "ally being attacked", 25),
        _c("concoadv", "consul", "adversary", "the consultation obligation is conditional upon a "
           "particular adversary or type of adversary", 25),
        _c("concoloc", "consul", "location", "the consultation obligation is conditional upon "
           "crisis in a particular location", 25),
        _c("concocon", "consul", "conflict", "the consultation obligation is conditional upon a "
           "particular ongoing conflict", 25),
        _c("concoreq", "consul", "request", "the consultation obligation is conditional upon an "
           "ally requesting consultation", 25),
    )
}

#: OLIMOB (p. 26): some obligation of the member depends on a condition not covered above.
OLIMOB_MEANING = (
    "OLIMOB = 1: an obligation undertaken by this member is contingent upon a condition not "
    "covered by the other condition codes; ATOP does not say which obligation (codebook p. 26)"
)
#: OBVARY (p. 26): the member's obligations differ by partner.
OBVARY_MEANING = (
    "OBVARY = 1: this member has different obligations to different members of the alliance; "
    "the member-level file does not say towards whom (codebook p. 26)"
)

MISSING_PROVISION = "missing: ATOP has not located the original agreement"


@dataclass(frozen=True)
class ProvisionCode:
    """An alliance-level institutional provision and the codebook meaning of each value."""

    variable: str
    title: str
    values: dict[int, str]
    page: int

    def label(self, value: int | None) -> str:
        """Meaning of a value.

        Example:
            >>> PROVISIONS["milcon"].label(2)
            'peacetime contact among the armed services required'
            >>> PROVISIONS["intcom"].label(None)
            'missing: ATOP has not located the original agreement'
        """
        if value is None:
            return MISSING_PROVISION
        return self.values.get(int(value), f"code {value} (not in the codebook)")


#: Institutional provisions (codebook §2.34 pp. 28–31; ``(A)`` variables: constant per phase).
PROVISIONS: dict[str, ProvisionCode] = {
    p.variable: p
    for p in (
        ProvisionCode("intcom", "integrated command", {
            0: "no integrated command",
            1: "integrated command in peacetime and wartime"}, 29),
        ProvisionCode("subord", "subordination of forces in conflict", {
            0: "no subordination",
            1: "subordination to a specified state's command",
            2: "subordination, command depending on conditions"}, 29),
        ProvisionCode("milcon", "military contact", {
            0: "no required military contact",
            1: "contact among the armed services required only in hostilities",
            2: "peacetime contact among the armed services required",
            3: "common defense policy (doctrine, training, procurement, joint planning)"}, 28),
        ProvisionCode("base", "bases and troop placements", {
            0: "no provision",
            1: "joint troop placements on neutral territory",
            2: "all members may station troops on / use facilities of the others",
            3: "one or more members station troops on others' territory, not reciprocal"}, 30),
        ProvisionCode("milaid", "military aid", {
            0: "no provision",
            1: "general or unspecified military assistance",
            2: "grants or loans",
            3: "training and/or transfer of technology",
            4: "both grants/loans and training/technology"}, 29),
        ProvisionCode("armred", "arms requirements", {
            0: "no requirement",
            1: "limits on arms or rules of warfare",
            2: "coordinated increase in arms"}, 31),
        ProvisionCode("contrib", "contributions", {
            0: "no provision",
            1: "specifies contributions of troops, supplies or funds, or division of costs"}, 30),
        ProvisionCode("organ1", "formal organisation", {
            0: "no organisation",
            1: "regular meetings of officials required",
            2: "named organisation with regularly scheduled meetings",
            3: "stand-alone organisation with a permanent bureaucracy"}, 29),
        ProvisionCode("orgpurp1", "purpose of the organisation", {
            0: "no organisation",
            1: "military cooperation/coordination",
            2: "economic cooperation",
            3: "political consultation",
            4: "military, economic and other political functions",
            5: "resolving disputes among the members"}, 30),
        ProvisionCode("organ2", "second organisation", {
            0: "no second organisation",
            1: "regular meetings of officials required",
            2: "named organisation with regularly scheduled meetings",
            3: "stand-alone organisation with a permanent bureaucracy"}, 30),
        ProvisionCode("orgpurp2", "purpose of the second organisation", {
            0: "no second organisation",
            1: "military cooperation/coordination",
            2: "economic cooperation",
            3: "political consultation",
            4: "military, economic and other political functions",
            5: "resolving disputes among the members"}, 30),
        ProvisionCode("specthrt", "specific threat named", {
            0: "no specific threat mentioned",
            1: "specific state(s)",
            2: "specific region",
            3: "specific state(s) acting in specific region",
            4: "specific ongoing conflict",
            5: "conflict with domestic groups/nonstate actors",
            6: "other alliance"}, 27),
    )
}  # fmt: skip

#: Leeds & Anac (2005) summary measures in ``atopinst5_1.csv`` (one per alliance phase).
INSTITUTIONALISATION: dict[str, str] = {
    "milinst": "peacetime military institutionalisation, ordinal 0–2 in the 5.1 release, higher = "
    "more (Leeds & Anac 2005, pp. 188–190)",
    "formal": "formality, ordinal 0–2 in the 5.1 release, higher = more formal (Leeds & Anac 2005, "
    "pp. 190–191)",
}

#: Member-level TERMMODE codes (p. 21): how the member left.
TERMMODE: dict[int, str] = {
    0: "in effect on 31 December 2018",
    1: "not renewed at its scheduled termination date",
    2: "replaced by a new agreement among the members",
    3: "broken before its scheduled termination date",
    4: "a member lost political independence",
    5: "the casus foederis ceased to exist",
    6: "terminated due to loss of a war",
}


def conditions_of(obligation: str) -> list[ConditionCode]:
    """The condition dummies that can limit ``obligation``.

    Example:
        >>> [c.variable for c in conditions_of("consul")]
        ['concoadv', 'concoloc', 'concocon', 'concoreq']
        >>> conditions_of("nonagg")
        []
    """
    return [c for c in CONDITIONS.values() if c.obligation == obligation]
