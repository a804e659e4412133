"""The one list of lazily loaded ``foedus`` command groups and commands.

Each entry names the command as users type it, where its Typer app lives (``"module:attribute"``)
and the one-line help shown by ``foedus --help``. The module is imported only when the command
runs (or its own ``--help`` is asked for), so start-up pays for nothing else. A Typer app with one
command and no callback becomes that command (``foedus recommend STATE``); with several it becomes
a group (``foedus impact run …``).

To add a command group: write ``src/foedus/cli/<group>.py`` defining ``app = typer.Typer(...)``
(heavy imports inside the command bodies) and add one line here.

Example:
    >>> names = [entry.name for entry in LAZY_COMMANDS]
    >>> len(names) == len(set(names))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LAZY_COMMANDS", "LazyCommand"]


@dataclass(frozen=True)
class LazyCommand:
    """A command or group of ``foedus``, loaded from ``target`` when used."""

    name: str
    target: str
    help: str


LAZY_COMMANDS: list[LazyCommand] = [
    LazyCommand("impact", "foedus.cli.impact:app", "Estimate what military diplomacy does to alliances."),
]
