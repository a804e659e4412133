"""The ``foedus`` Typer app: a top-level group whose commands load lazily from the registry
(:mod:`foedus.cli._registry`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:  # typer ships its own copy of click; these are only annotations
    import click

class _LazyGroup(TyperGroup):
    """The top-level group: commands of ``_registry.LAZY_COMMANDS`` are imported on first use."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        from foedus.cli._registry import LAZY_COMMANDS

        return sorted({*super().list_commands(ctx), *(c.name for c in LAZY_COMMANDS)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        from foedus.cli._registry import LAZY_COMMANDS

        for entry in LAZY_COMMANDS:
            if entry.name != cmd_name:
                continue
            if self._listing:  # `foedus --help`: the one-line help, without importing the module
                return TyperCommand(entry.name, help=entry.help, short_help=entry.help)
            module_name, _, attr = entry.target.partition(":")
            sub = getattr(importlib.import_module(module_name), attr)
            command = typer.main.get_command(sub)
            command.name = entry.name
            # A sub-app's own completion options mean nothing under `foedus`.
            command.params = [
                p for p in command.params
                if p.name not in ("install_completion", "show_completion")
            ]
            if not command.help:
                command.help = entry.help
            self.add_command(command, entry.name)
            return command
        return None

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=_LazyGroup,
    name="foedus",
    help="Military diplomacy analytics from real public datasets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # the plain listing: `foedus --help` loads no Rich
)


@app.callback()
def _root() -> None:
    """Military diplomacy analytics from real public datasets."""


def all_commands() -> dict[str, Any]:
    """Every top-level command and group, loaded (for documentation checks and tests).

    Example:
        >>> sorted(all_commands())[:3]
        ['alliance', 'alliances', 'arms']
    """
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    return {name: root.get_command(ctx, name) for name in root.list_commands(ctx)}  # type: ignore[attr-defined]
