"""The foedus REST API: ``create_app(warehouse)`` returns a FastAPI application (read-only over
the warehouse); ``foedus serve`` runs it. Reference: ``docs/api-rest.md``.

Example:
    >>> from foedus.api import create_app
    >>> create_app("/nonexistent/warehouse.duckdb").title
    'foedus API'
"""

from foedus.api.app import create_app

__all__ = ["create_app"]
