"""The API's routers, listed once.

Each entry of :data:`ROUTER_MODULES` names a module defining ``router = fastapi.APIRouter()``;
:func:`foedus.api.app.create_app` includes them in this order (which is also the order of the
OpenAPI document and ``/api/docs``). To add endpoints: write ``src/foedus/api/routes/<topic>.py``
(or ``src/foedus/api/routes_<topic>.py``) with a ``router`` whose handlers call the library and
return ``await answer(request, lambda: json_payload(...))`` (see :mod:`foedus.api.http`), and add
its module name here — one line.

Example:
    >>> len(ROUTER_MODULES) == len(set(ROUTER_MODULES))
    True
    >>> [type(r).__name__ for r in routers()][:1]
    ['APIRouter']
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ROUTER_MODULES", "routers"]

ROUTER_MODULES: list[str] = [
    "foedus.api.routes.status",
    "foedus.api.routes.states",
    "foedus.api.routes.alliances",
    "foedus.api.routes.dyads",
    "foedus.api.routes.measures",
    "foedus.api.routes.frames",
    "foedus.api.routes.records",
    "foedus.api.routes.events",
    "foedus.api.routes.regions",
    "foedus.api.routes.cite",
    "foedus.api.routes.arms_control",
    "foedus.api.routes.scenarios",
    "foedus.api.routes.impact",
]


def routers() -> list[Any]:
    """The ``router`` of every module of :data:`ROUTER_MODULES`, imported now.

    Example:
        >>> all(hasattr(r, "routes") for r in routers())
        True
    """
    return [importlib.import_module(name).router for name in ROUTER_MODULES]
