"""The ``--with`` vocabulary: every enricher declared once, by the module that implements it.

An enricher module ends with a tuple ``ENRICHERS`` of :class:`Enricher` declarations — public
name, aliases, the units it applies to, the warehouse tables it reads, a one-line help and the
function that applies it (``enrich_<x>(frame) -> Frame``). :data:`ENRICHER_MODULES` lists those
modules, the way :data:`foedus.sources.instruments.FAMILIES` lists the source families; the
registry (:func:`registry`) is built from them on first use. A new enricher is one module plus one
entry in that list.

Coverage is not declared again here: :meth:`Enricher.coverage` reads the years the catalogue
declares for the releases of the enricher's tables (``foedus.sources``).

The modules are named by string so that this registry, and :class:`foedus.frames.frame.Frame`
which uses it, import none of them: enrichers computed by a higher layer (alliance measures,
networks, the curated alliance changes) plug in here without an import cycle.

Example:
    >>> spec = get("contig")
    >>> spec.name, spec.units, spec.tables
    ('contiguity', ('dyad-year',), ('cow_contdir',))
    >>> spec.coverage()
    (1816, 2016)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from foedus.errors import UnknownEnrichmentError

if TYPE_CHECKING:
    from foedus.frames.frame import Frame
    from foedus.warehouse import Warehouse

Unit = Literal["state-year", "dyad-year"]
BOTH: tuple[Unit, ...] = ("state-year", "dyad-year")
DYADS: tuple[Unit, ...] = ("dyad-year",)
STATES: tuple[Unit, ...] = ("state-year",)

#: Modules (in ``--with`` listing order) whose ``ENRICHERS`` join the registry.
ENRICHER_MODULES: tuple[str, ...] = (
    "foedus.frames.bridge",
    "foedus.frames.atop",
    "foedus.alliances.enrichers",
    "foedus.frames.capabilities",
    "foedus.frames.geography",
    "foedus.frames.disputes",
    "foedus.frames.cow_mids",
    "foedus.frames.conflict",
    "foedus.frames.spells",
    "foedus.frames.covariates",
    "foedus.measures.enrichers",
    "foedus.frames.instruments.arms",
    "foedus.frames.instruments.defence_cooperation",
    "foedus.frames.instruments.exercises",
    "foedus.frames.instruments.training",
    "foedus.frames.instruments.posture",
    "foedus.frames.instruments.visits",
    "foedus.frames.instruments.peacekeeping",
    "foedus.arms_control.enrichers",
    "foedus.frames.instruments.aid",
)


@dataclass(frozen=True)
class Enricher:
    """A public enrichment name, what it applies to, what it reads and how to apply it.

    ``phase`` > 0 marks enrichers that read other enrichers' columns (they run after the others,
    in phase order). ``keys_only`` declares that the enricher reads nothing of the frame but its
    state codes and year and appends columns without changing rows or their order: such
    enrichers run side by side on a frame of the keys alone (:meth:`Frame.enrich`). ``options`` names the keyword options ``apply`` accepts (e.g. ``whittle``).
    ``reusable`` declares that the enricher only appends columns, computed from the frame and
    the warehouse's releases alone: its columns on an unmodified universe are then kept beside
    the warehouse and reused (:meth:`Frame.enrich`; the key holds the releases and the package).
    ``tables`` are the warehouse tables it reads (some may be optional or alternatives); an
    enricher that only transforms the frame's own columns reads none. ``coverage_from`` names the
    tables whose declared years are the enricher's coverage when that is not all of ``tables``.

    Example:
        >>> e = Enricher("demo", BOTH, lambda f: f, "a demo", tables=("nmc",))
        >>> e.coverage()
        (1816, 2022)
    """

    name: str
    units: tuple[Unit, ...]
    apply: Callable[..., Frame]
    help: str
    tables: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    phase: int = 0
    options: tuple[str, ...] = ()
    coverage_from: tuple[str, ...] = ()
    keys_only: bool = False
    reusable: bool = False

    def coverage(self, warehouse: Warehouse | None = None) -> tuple[int, int] | None:
        """First and last year the enricher's sources cover, as the catalogue declares them.

        The years are those of the tables in ``coverage_from`` (default: all of ``tables``; the
        widest span when several tables or releases differ). With a ``warehouse``, only the
        releases that serve those tables there; without, every declared release. ``None`` when
        no release declares its years (or the enricher reads no table).
        """
        from foedus.sources.catalog import all_releases

        spans: list[tuple[int, int]] = []
        for table in self.coverage_from or self.tables:
            if warehouse is not None:
                if not warehouse.has(table):
                    continue
                record = warehouse.active(table)
                releases = [
                    r
                    for r in all_releases()
                    if r.table == table
                    and r.source == record.source
                    and r.version == record.version
                    and r.format_id == record.format_id
                ]
            else:
                releases = [r for r in all_releases() if r.table == table]
            spans += [r.coverage for r in releases if r.coverage is not None]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def describe(self) -> dict[str, Any]:
        """Machine-readable form (used by ``foedus frame enrichers --json``)."""
        cover = self.coverage()
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "units": list(self.units),
            "tables": list(self.tables),
            "coverage": list(cover) if cover else None,
            "help": self.help,
        }


_REGISTRY: dict[str, Enricher] | None = None
_ALIASES: dict[str, str] | None = None


def _build() -> tuple[dict[str, Enricher], dict[str, str]]:
    global _REGISTRY, _ALIASES
    if _REGISTRY is None or _ALIASES is None:
        registry: dict[str, Enricher] = {}
        aliases: dict[str, str] = {}
        for module_name in ENRICHER_MODULES:
            module = importlib.import_module(module_name)
            for spec in getattr(module, "ENRICHERS", ()):
                if spec.name in registry or spec.name in aliases:
                    raise ValueError(f"enricher '{spec.name}' declared twice ({module_name})")
                registry[spec.name] = spec
                for alias in spec.aliases:
                    if alias in registry or alias in aliases:
                        raise ValueError(f"enricher alias '{alias}' declared twice ({module_name})")
                    aliases[alias] = spec.name
        _REGISTRY, _ALIASES = registry, aliases
    return _REGISTRY, _ALIASES


def registry() -> dict[str, Enricher]:
    """Every enricher by public name, in :data:`ENRICHER_MODULES` order.

    Example:
        >>> "peace-years" in registry() and registry()["peace-years"].phase
        2
    """
    return _build()[0]


def aliases() -> dict[str, str]:
    """Alias → public name (``capabilities`` → ``nmc``).

    Example:
        >>> aliases()["capabilities"]
        'nmc'
    """
    return _build()[1]


def canonical(name: str) -> str:
    """The public name for ``name`` or one of its aliases (case, ``_``/``-`` ignored).

    Example:
        >>> canonical("Major_Powers")
        'majors'
    """
    key = name.strip().lower().replace("_", "-")
    key = aliases().get(key, key)
    if key not in registry():
        raise UnknownEnrichmentError(
            f"unknown enrichment '{name}'",
            fix="use one or more of: " + ", ".join(registry()),
        )
    return key


def get(name: str) -> Enricher:
    """The declared enricher called ``name`` (or one of its aliases).

    Example:
        >>> get("dcas").name
        'dca'
    """
    return registry()[canonical(name)]


class _LazyMapping(Mapping[str, Any]):
    """A read-only mapping over the registry, built on first read (``foedus.ENRICHERS``)."""

    def __init__(self, source: Callable[[], dict[str, Any]]) -> None:
        self._source = source

    def __getitem__(self, key: str) -> Any:
        return self._source()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source())

    def __len__(self) -> int:
        return len(self._source())

    def __repr__(self) -> str:
        return repr(self._source())


#: The registry as a mapping name → :class:`Enricher` (filled on first read).
ENRICHERS: Mapping[str, Enricher] = _LazyMapping(registry)
#: Alias → public name (filled on first read).
ALIASES: Mapping[str, str] = _LazyMapping(aliases)

__all__ = [
    "ALIASES",
    "BOTH",
    "DYADS",
    "ENRICHERS",
    "ENRICHER_MODULES",
    "STATES",
    "Enricher",
    "aliases",
    "canonical",
    "get",
    "registry",
]
