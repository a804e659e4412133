"""The /api/v1/impact endpoints."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from foedus.api.app import create_app


def test_impact_endpoints(built_warehouse: Path) -> None:
    with TestClient(create_app(built_warehouse, time_limit_s=120)) as client:
        index = client.get("/api/v1/impact")
        assert index.status_code == 200
        assert "honouring-rates" in {d["name"] for d in index.json()["designs"]}
        rates = client.get("/api/v1/impact/designs/honouring-rates")
        assert rates.status_code == 200
        war = {r["type"]: r for r in rates.json()["tables"]["by_type_war"]}
        # alliance-war-member coding, COW wars (docs/impact.md)
        assert (war["defence"]["cases"], war["defence"]["honoured"]) == (228, 14)
        assert "ALLIANCE-WAR-MEMBER CODING" in " ".join(rates.json()["specification"])
        uncond = client.get("/api/v1/impact/designs/honouring-rates?coding=unconditional")
        assert uncond.status_code == 200
        assert "UNCONDITIONAL CODING" in " ".join(uncond.json()["specification"])
        assert {r["type"]: r for r in uncond.json()["tables"]["by_type_war"]}["defence"][
            "cases"] == 262
        wrong = client.get("/api/v1/impact/designs/member-exit?coding=unconditional")
        assert wrong.status_code == 422 and "coding" in wrong.json()["detail"]
        bad = client.get("/api/v1/impact/designs/nope")
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "dca-alignment" in bad.json()["fix"]
        nato = client.get("/api/v1/impact/alliance/NATO")
        assert nato.status_code == 200 and nato.json()["atopid"] == 3180
        assert {"honouring_wars", "relevance_wars", "exit_hazard"} <= set(nato.json()["tables"])
