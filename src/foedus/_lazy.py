"""Lazy public names for packages: ``__getattr__`` that imports the defining module on first use,
so that importing a package (and the ``foedus`` command) loads no heavy library it does not use.

Example:
    >>> getattr_, dir_ = exports("demo", {"sqrt": "math"})
    >>> getattr_("sqrt")(9.0), "sqrt" in dir_()
    (3.0, True)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["exports", "module"]


def exports(
    package: str, names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public ``names`` map to the modules
    that define them."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__


class _Module:
    """A stand-in for a module, imported on first attribute access (see :func:`module`)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def module(name: str) -> Any:
    """A module imported on first use: ``pl = module("polars")`` at the top of a module whose
    quick paths (a kept answer, a catalogue look-up) need no Polars.

    Example:
        >>> m = module("json")
        >>> m.dumps([1])
        '[1]'
    """
    return _Module(name)
