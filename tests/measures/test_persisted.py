"""Results kept next to the warehouse: the engagement model and derived tables are read back, not
recomputed, and are keyed by the releases' checksums and options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from foedus.measures import engagement
from foedus.warehouse import Warehouse


def test_reference_model_is_persisted_and_read_back(built_warehouse: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(built_warehouse, read_only=True)
    first = engagement.reference_model(wh, bootstrap=0, years=(2000, 2001))
    files = list((wh.cache_dir / "models").glob("engagement-*.pickle"))
    assert files
    engagement._REFERENCE.clear()

    def refit(*args: object, **kwargs: object) -> None:
        raise AssertionError("the persisted model should have been read")

    monkeypatch.setattr(engagement, "fit_engagement", refit)
    again = engagement.reference_model(Warehouse(built_warehouse, read_only=True), bootstrap=0,
                                       years=(2000, 2001))  # fmt: skip
    assert again.instruments == first.instruments
    assert np.allclose(again.center, first.center) and again.n_rows == first.n_rows
    engagement._REFERENCE.clear()
    with pytest.raises(AssertionError, match="persisted model"):  # other options: a new fit
        engagement.reference_model(wh, bootstrap=0, years=(2000, 2002))


def test_derived_tables_are_keyed_by_options_and_kept(tmp_path: Path) -> None:
    import polars as pl

    wh = Warehouse(tmp_path / "w.duckdb")
    calls: list[int] = []

    def build(n: int) -> pl.DataFrame:
        calls.append(n)
        return pl.DataFrame({"n": [n]})

    (tmp_path / "w.duckdb").write_bytes(b"")  # an (empty) warehouse file, so results are kept
    assert wh.derived("demo", [], {"n": 1}, lambda: build(1))["n"].item() == 1
    assert Warehouse(tmp_path / "w.duckdb").derived("demo", [], {"n": 1},
                                                    lambda: build(9))["n"].item() == 1  # fmt: skip
    assert wh.derived("demo", [], {"n": 2}, lambda: build(2))["n"].item() == 2
    assert calls == [1, 2]


def test_similarity_from_kept_years_equals_a_fresh_computation(built_warehouse: Path) -> None:
    from foedus.frames.universe import dyad_years

    kept = dyad_years("cow", years="1913-1914", warehouse=built_warehouse).enrich(["similarity"])
    again = dyad_years("cow", years="1913-1914", warehouse=built_warehouse).enrich(["similarity"])
    assert kept.df.equals(again.df)
    fresh_wh = Warehouse(built_warehouse, read_only=True)
    fresh_wh.derived = lambda name, tables, options, build, **kw: build()  # type: ignore[method-assign]
    fresh = dyad_years("cow", years="1913-1914", warehouse=fresh_wh).enrich(["similarity"])
    assert fresh.df.equals(kept.df)
    row = kept.df.filter((kept.df["ccode1"] == 2) & (kept.df["ccode2"] == 200)
                         & (kept.df["year"] == 1914))  # fmt: skip
    assert row.height == 1 and row["s_un_val_sq"].item() is not None
