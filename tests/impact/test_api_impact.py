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


def test_impact_design_estimator_parameter(built_warehouse: Path, monkeypatch) -> None:
    import foedus.impact.designs as designs

    calls: list[tuple[str, str | None, str | None]] = []

    class _Doc:
        def __init__(self, name: str, est: str | None) -> None:
            self.doc = {"design": name, "estimates": [{"part": f"ATT ({est})"}]}

        def to_dict(self) -> dict:
            return dict(self.doc)

    def fake(name, warehouse=None, *, coding=None, estimator=None, comparison=None, **_):
        calls.append((name, estimator, comparison))
        return _Doc(name, estimator)

    # the estimator itself is tested in test_staggered.py; here: the parameter reaches it, is
    # checked before any work and keys the cache
    monkeypatch.setattr(designs, "run_design", fake)
    with TestClient(create_app(built_warehouse, time_limit_s=120)) as client:
        no_es = client.get("/api/v1/impact/designs/member-exit?estimator=lpdid")
        assert no_es.status_code == 422 and "no event study" in no_es.json()["detail"]
        pair = client.get("/api/v1/impact/designs/troops-burden?estimator=lpdid&comparison=never")
        assert pair.status_code == 422 and "lpdid" in pair.text
        unknown = client.get("/api/v1/impact/designs/troops-burden?estimator=ols")
        assert unknown.status_code == 422
        assert calls == []
        cs = client.get("/api/v1/impact/designs/troops-burden?estimator=callaway-santanna"
                        "&comparison=not-yet")
        assert cs.status_code == 200, cs.text
        assert cs.json()["estimates"][0]["part"] == "ATT (callaway-santanna)"
        again = client.get("/api/v1/impact/designs/troops-burden?estimator=callaway-santanna"
                           "&comparison=not-yet")
        assert again.json() == cs.json()
    assert calls == [("troops-burden", "callaway-santanna", "not-yet")]  # the second is cached
    cache = built_warehouse.parent / "impact-cache"
    written = cache / "troops-burden.callaway-santanna.not-yet.json"
    assert written.exists()
    written.unlink()  # the stand-in result must not serve later tests of this session
