"""Fuzzed /api/v1/records with authentication: requests generated from /openapi.json (valid and
invalid), sent with an admin's token, never get a 5xx; every error is a problem document."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from foedus.api import create_app  # noqa: E402
from foedus.records import RecordStore  # noqa: E402

EXAMPLES = 15
_PATHS = {p: m for p, m in create_app("/nonexistent/w.duckdb").openapi()["paths"].items()
          if p.startswith("/api/v1/records")}
CASES = [
    pytest.param(method.upper(), path, mode, id=f"{method.upper()} {path}-{label}")
    for path, methods in sorted(_PATHS.items())
    for method in methods
    for mode, label in ((GenerationMode.POSITIVE, "valid"), (GenerationMode.NEGATIVE, "invalid"))
]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("records-fuzz")
    url = f"sqlite:///{folder / 'records.sqlite'}"
    with RecordStore(url) as store:
        admin = store.system_principal()
        store.add_user(admin, "fuzz", "admin", password="fuzz long passphrase")
        token = store.create_token(admin, "fuzz")
        store.create_engagement(admin, {"title": "seed", "instrument": "visits",
                                        "partners": ["Japan"], "start_date": "2024-01-01",
                                        "marking": "internal"})
    app = create_app(folder / "none.duckdb", database=url)
    return schemathesis.openapi.from_asgi("/openapi.json", app), token


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_authenticated_fuzz_never_500(fuzz_app: Any, method: str, path: str,
                                      mode: GenerationMode) -> None:
    schema, token = fuzz_app
    operation = schema[path][method]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[p for p in Phase if p is not Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if path.endswith("/login"):
            response = case.call()
        else:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
        where = f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:200]}"
        text = response.content[:400].decode("utf-8", "replace")
        assert response.status_code < 500, f"{where}: {text}"
        if response.status_code >= 400:
            ctype = response.headers.get("content-type", [""])[0]
            assert ctype == "application/problem+json", f"{where}: {text}"
            assert response.json()["status"] == response.status_code, where

    run()
