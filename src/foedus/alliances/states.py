"""State look-up by COW code, COW abbreviation or name, with close-match suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import polars as pl

from foedus.errors import UnknownStateError

#: Common English names that the COW list spells differently (facts, not guesses: each maps to the
#: COW code the COW list uses for that state).
STATE_ALIASES: dict[str, int] = {
    "united states": 2, "us": 2, "u.s.": 2, "america": 2,
    "uk": 200, "britain": 200, "great britain": 200, "england": 200,
    "soviet union": 365, "ussr": 365,
    "prussia": 255, "west germany": 260, "frg": 260, "east germany": 265,
    "dprk": 731, "korea, north": 731, "korea, south": 732, "republic of korea": 732,
    "prc": 710, "china, people's republic": 710, "roc": 713,
    "ottoman empire": 640, "turkiye": 640, "türkiye": 640,
    "burma": 775, "persia": 630, "siam": 800, "czechia": 316,
    "north macedonia": 343, "macedonia": 343, "serbia": 345, "ivory coast": 437, "cote d'ivoire": 437,
}  # fmt: skip


#: COW abbreviations of states whose membership ended before this date yield to ISO3 codes.
_ISO3_BEFORE = date(1946, 1, 1)

#: Apostrophe-like characters typed for ' (typographic quotes, modifier letters, backtick).
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032"})


def fold(text: str) -> str:
    """A name as compared: lower case, accents and typographic apostrophes folded, spaces collapsed.

    Example:
        >>> fold("Côte d\u2019Ivoire") == fold("Cote d'Ivoire") == "cote d'ivoire"
        True
    """
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def close_matches(text: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Close matches for a misspelt code or name: anagrams (PRA → PAR) first, then difflib.

    Example:
        >>> close_matches("PRA", ["PAR", "PRK", "USA"])[:2]
        ['PAR', 'PRK']
    """
    pool = list(dict.fromkeys(candidates))
    key = sorted(text.strip().upper())
    found = [c for c in pool if sorted(c.upper()) == key and c.upper() != text.strip().upper()]
    for c in difflib.get_close_matches(text.strip(), pool, n=n, cutoff=0.6):
        if c not in found:
            found.append(c)
    if len(found) < n:
        upper = {c.upper(): c for c in pool}
        for c in difflib.get_close_matches(text.strip().upper(), list(upper), n=n, cutoff=0.5):
            if upper[c] not in found:
                found.append(upper[c])
    return found[:n]


@dataclass(frozen=True)
class State:
    """A state of the COW list: code, abbreviation, name and its membership spells."""

    ccode: int
    abb: str
    name: str
    spells: tuple[tuple[date, date], ...] = ()

    def label(self) -> str:
        """Short human label, e.g. ``JPN (740)``.

        Example:
            >>> State(740, "JPN", "Japan").label()
            'JPN (740)'
        """
        return f"{self.abb} ({self.ccode})"

    def in_system(self, year: int) -> bool:
        """Whether the state is a COW system member at some point of ``year``.

        The COW list ends with 31 December 2016; a spell that reaches that day is read as
        continuing (no state has left the system since).

        Example:
            >>> s = State(740, "JPN", "Japan", ((date(1860, 1, 1), date(1945, 8, 14)),
            ...                                  (date(1952, 4, 28), date(2016, 12, 31))))
            >>> s.in_system(1950), s.in_system(2020)
            (False, True)
        """
        for start, end in self.spells:
            open_end = end >= date(2016, 12, 31)
            if start.year <= year and (open_end or end.year >= year):
                return True
        return False


class StateTable:
    """The COW state list (warehouse table ``cow_system``) as a resolver.

    Example:
        >>> import polars as pl
        >>> from datetime import date
        >>> t = StateTable(pl.DataFrame({"ccode": [2, 740], "cw_abb": ["USA", "JPN"],
        ...     "cw_name": ["United States of America", "Japan"],
        ...     "start": [date(1816, 1, 1), date(1952, 4, 28)],
        ...     "end": [date(2016, 12, 31)] * 2}))
        >>> t.resolve("jpn").ccode, t.resolve("United States").ccode, t.resolve(740).abb
        (740, 2, 'JPN')
    """

    def __init__(self, system: pl.DataFrame) -> None:
        spells: dict[int, list[tuple[date, date]]] = {}
        info: dict[int, tuple[str, str]] = {}
        for row in system.select("ccode", "cw_abb", "cw_name", "start", "end").iter_rows():
            ccode, abb, name, start, end = row
            info[int(ccode)] = (str(abb), str(name))
            spells.setdefault(int(ccode), []).append((start, end))
        self.by_code: dict[int, State] = {
            code: State(code, abb, name, tuple(sorted(spells[code])))
            for code, (abb, name) in info.items()
        }
        self.by_abb = {s.abb.upper(): s.ccode for s in self.by_code.values()}
        self.by_name = {fold(s.name): s.ccode for s in self.by_code.values()}
        for alias, code in STATE_ALIASES.items():
            if code in self.by_code:
                self.by_name.setdefault(fold(alias), code)
        self._iso3: dict[str, int] | None = None

    def iso3_index(self) -> dict[str, int]:
        """ISO 3166-1 alpha-3 code → COW code of the state that holds it last (DEU → 255
        Germany, not 260 the German Federal Republic; KOR → 732; GBR → 200), built on first use
        from the COW names (``country_converter``). COW abbreviations win where the two clash
        (AUS is COW's Austria, ISO's Australia; also CZE, MNG, SLV, SWZ), except KOR (COW's Korea
        ended in 1905): KOR is South Korea."""
        if self._iso3 is None:
            from foedus.measures.year_views import iso3_codes

            codes = iso3_codes({c: s.name for c, s in self.by_code.items()})
            last = {c: max((end for _, end in s.spells), default=date.min)
                    for c, s in self.by_code.items()}
            index: dict[str, int] = {}
            for code, iso in sorted(codes.items(), key=lambda kv: last[kv[0]]):
                if iso is not None:
                    index[iso] = code
            self._iso3 = index
        return self._iso3

    def __contains__(self, ccode: object) -> bool:
        return ccode in self.by_code

    def get(self, ccode: int) -> State:
        """The state with COW code ``ccode`` (a placeholder for codes outside the COW list)."""
        state = self.by_code.get(int(ccode))
        return state if state is not None else State(int(ccode), str(ccode), f"code {ccode}")

    def abb(self, ccode: int) -> str:
        """COW abbreviation of ``ccode`` (the code itself when unknown)."""
        return self.get(ccode).abb

    def find(self, value: str | int) -> State | None:
        """Resolve without raising: ``None`` when nothing matches."""
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return self.by_code.get(int(value))
        text = str(value).strip()
        if text.upper() in self.by_abb:
            state = self.by_code[self.by_abb[text.upper()]]
            # a COW abbreviation of a state gone before 1946 yields to the ISO3 code of a
            # present-day one: KOR is South Korea (732), Korea 1887–1905 stays code 730 / "Korea"
            if max((end for _, end in state.spells), default=date.max) < _ISO3_BEFORE:
                later = self.iso3_index().get(text.upper())
                if later is not None and later != state.ccode:
                    return self.by_code[later]
            return state
        code = self.by_name.get(fold(text))
        if code is None and len(text) == 3 and text.isascii() and text.isalpha():
            code = self.iso3_index().get(text.upper())
        return self.by_code[code] if code is not None else None

    def resolve(self, value: str | int, *, what: str = "state") -> State:
        """A state from a COW code, COW abbreviation or name; unknown input suggests close matches."""
        found = self.find(value)
        if found is not None:
            return found
        raise UnknownStateError(
            f"unknown {what} '{value}'",
            where="COW state list (cow_system)",
            fix=self.suggest(str(value)),
        )

    def suggest(self, text: str) -> str:
        """A 'did you mean' hint for an unknown state."""
        candidates = list(self.by_abb) + [s.name for s in self.by_code.values()]
        candidates += [alias.title() for alias in STATE_ALIASES]
        close = close_matches(text, candidates)
        labels = []
        for item in close:
            state = self.find(item)
            label = f"{item} = {state.label()}" if state is not None else item
            if label not in labels:
                labels.append(label)
        hint = "did you mean " + ", ".join(labels) + "? " if labels else ""
        return hint + ("use a COW code (740), a COW abbreviation (JPN), an ISO3 code (JPN) or a "
                       "name (Japan)")

    def codes(self, values: Iterable[str | int]) -> list[int]:
        """Resolve several states to COW codes."""
        return [self.resolve(v).ccode for v in values]
