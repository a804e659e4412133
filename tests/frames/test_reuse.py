"""Kept universes and enricher columns (``Frame.enrich`` on an unmodified universe)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from foedus.frames import enrichers
from foedus.frames.frame import Frame
from foedus.frames.universe import STANDARD_DYAD_ENRICHMENTS, dyad_years, state_years
from foedus.warehouse import Warehouse

YEARS = "1990-1993"


def _kept(wh_path: Path) -> list[Path]:
    return sorted((wh_path.parent / (wh_path.name + ".cache") / "derived").glob("frame-*"))


def _forget_kept(wh_path: Path) -> None:
    folder = wh_path.parent / (wh_path.name + ".cache") / "derived"
    for path in [*folder.glob("frame-*"), *folder.glob("universe-*")]:
        path.unlink()


def test_a_second_enrich_reads_the_kept_columns_and_equals_the_first(
    built_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forget_kept(built_warehouse)
    names = list(STANDARD_DYAD_ENRICHMENTS)
    first = dyad_years("cow", years=YEARS, warehouse=Warehouse(built_warehouse, read_only=True))
    first = first.enrich(names)
    kept = {p.name.split("-", 1)[1].rsplit("-", 1)[0] for p in _kept(built_warehouse)}
    assert {*names, *(f"{n}-used" for n in names)} <= kept

    # a new warehouse object (nothing in memory), every reusable enricher made to fail if run
    known = dict(enrichers.registry())
    for name, spec in known.items():
        if spec.reusable:
            known[name] = dataclasses.replace(spec, apply=_boom)
    monkeypatch.setattr(enrichers, "_REGISTRY", known)
    again = dyad_years("cow", years=YEARS, warehouse=Warehouse(built_warehouse, read_only=True))
    again = again.enrich(names)
    assert again == first  # data, column order, types and provenance
    assert [u.to_dict() for u in again.used] == [u.to_dict() for u in first.used]

    # a frame changed in any way is computed, never served from the kept columns
    universe = dyad_years("cow", years=YEARS, warehouse=Warehouse(built_warehouse, read_only=True))
    fewer = universe.with_data(universe.df.filter(pl.col("ccode1") < 300))
    assert fewer._unmodified() is None
    with pytest.raises(AssertionError, match="computed"):
        fewer.enrich(["nmc"])
    relabelled = dataclasses.replace(universe, df=universe.df.with_columns(pl.col("year") + 1))
    assert relabelled._unmodified() is None
    # peace-years reads the disputes' columns: after other enrichers it is another key
    with pytest.raises(AssertionError, match="computed"):
        universe.enrich(["cow-mids", "gml-mids", "peace-years"])


def _boom(frame: Frame, **options: object) -> Frame:
    raise AssertionError("computed, not read back")


def test_a_damaged_kept_file_is_computed_again(built_warehouse: Path) -> None:
    wh = Warehouse(built_warehouse, read_only=True)
    right = state_years("cow", years=YEARS, warehouse=wh).enrich(["nmc", "majors"])
    damaged = 0
    for path in _kept(built_warehouse):
        if path.name.startswith("frame-nmc-") and "-used-" not in path.name:
            path.write_bytes(b"not an arrow file")
            damaged += 1
    assert damaged  # (the first enrich kept NMC's columns: the second meets them damaged)
    again = state_years("cow", years=YEARS, warehouse=Warehouse(built_warehouse, read_only=True))
    assert again.enrich(["nmc", "majors"]) == right


def test_a_frame_without_a_warehouse_file_keeps_nothing(tmp_path: Path) -> None:
    frame = Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year", system="cow",
                  warehouse=Warehouse(tmp_path / "none.duckdb"))  # fmt: skip
    frame._mark(("state-years", "cow", None))
    from foedus.frames.frame import _Reuse

    assert _Reuse.plan(frame, ["nmc"], enrichers.registry(), None) is None


def test_kept_parts_past_the_budget_are_removed_oldest_first(tmp_path: Path) -> None:
    import os

    from foedus.frames.frame import _trim_kept

    for age, name in enumerate(["frame-c-1.arrow", "universe-b-2.arrow", "frame-a-3.arrow"]):
        path = tmp_path / name
        path.write_bytes(b"x" * 100)
        os.utime(path, ns=(10**9 * (age + 1), 10**9 * (age + 1)))
    (tmp_path / "similarity-1.arrow").write_bytes(b"x" * 1000)  # not a kept frame part
    _trim_kept(tmp_path, budget=250)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "frame-a-3.arrow", "similarity-1.arrow", "universe-b-2.arrow"]


def test_recompute_reads_and_keeps_nothing(built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(built_warehouse, read_only=True)
    kept = dyad_years("cow", years="1950", warehouse=wh).enrich(["nmc", "majors"])
    before = _kept(built_warehouse)
    fresh = dyad_years("cow", years="1950", warehouse=Warehouse(built_warehouse, read_only=True),
                       reuse=False)  # fmt: skip
    assert fresh._unmodified() is None
    assert fresh.enrich(["nmc", "majors"]) == kept
    assert _kept(built_warehouse) == before
    # the CLI's --recompute gives the same file
    from typer.testing import CliRunner

    from foedus.cli import app

    out = built_warehouse.parent / "recomputed.parquet"
    result = CliRunner().invoke(app, ["frame", "dyad-years", "--years", "1950", "--with", "nmc,majors",
                                      "--recompute", "-o", str(out), "--warehouse", str(built_warehouse)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out).equals(kept.df)


def test_an_unmodified_frame_is_written_from_the_kept_column_chunks(
    built_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import pyarrow.parquet as pq

    wh = Warehouse(built_warehouse, read_only=True)
    frame = dyad_years("cow", years=YEARS, warehouse=wh).enrich(list(STANDARD_DYAD_ENRICHMENTS))
    encoded = frame.write_parquet(built_warehouse.parent / "encoded.parquet")
    files = frame._kept_files()
    assert len(files) == 1 + len(STANDARD_DYAD_ENRICHMENTS) and all(f.exists() for f in files)

    # with Polars' encoder made to fail, the file can only come from the kept chunks
    def no_encoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("encoded, not stitched")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", no_encoding)
    stitched = frame.write_parquet(built_warehouse.parent / "stitched.parquet", reuse=True)
    monkeypatch.undo()
    back = pl.read_parquet(stitched)
    assert back.equals(frame.df) and back.schema == frame.df.schema
    assert back.equals(pl.read_parquet(encoded))
    meta = pq.ParquetFile(stitched).metadata.metadata
    assert json.loads(meta[b"foedus"]) == json.loads(json.dumps(frame.provenance(), default=str))

    # a frame changed in any way, or enriched by one that is not kept, is encoded
    monkeypatch.setattr(pl.DataFrame, "write_parquet", no_encoding)
    fewer = frame.with_data(frame.df.filter(pl.col("ccode1") < 300))
    renamed = frame.with_data(frame.df.rename({"atop_defense": "defense"}))
    for changed in (fewer, renamed):
        assert changed._kept_files() == ()
        with pytest.raises(AssertionError, match="encoded"):
            changed.write_parquet(built_warehouse.parent / "changed.parquet", reuse=True)
    assert not (built_warehouse.parent / "changed.parquet").exists()
    monkeypatch.undo()

    # a kept part removed (or damaged) since: encoded, and still right
    nmc = next(f for f in files if f.name.startswith("frame-nmc-"))
    nmc.write_bytes(b"damaged")
    again = frame.write_parquet(built_warehouse.parent / "again.parquet", reuse=True)
    assert pl.read_parquet(again).equals(frame.df)
    nmc.unlink()
    again = frame.write_parquet(built_warehouse.parent / "again.parquet", reuse=True)
    assert pl.read_parquet(again).equals(frame.df)


def test_the_cli_writes_kept_frames_from_their_chunks(built_warehouse: Path) -> None:
    from typer.testing import CliRunner

    from foedus.cli import app

    wh = Warehouse(built_warehouse, read_only=True)
    names = ["atop", "nmc", "majors", "contiguity", "gml-mids", "peace-years"]
    frame = dyad_years("cow", years=YEARS, warehouse=wh).enrich(names)
    out = built_warehouse.parent / "cli.parquet"
    args = ["frame", "dyad-years", "--system", "cow", "--directed", "--years", YEARS,
            "--with", ",".join(names), "-o", str(out), "--warehouse", str(built_warehouse)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out).equals(frame.df)
    import pyarrow.parquet as pq

    # (Polars' own writer adds an Arrow schema; the stitched file carries only the provenance)
    assert set(pq.ParquetFile(out).metadata.metadata) == {b"foedus"}


def test_write_enriched_assembles_kept_parts_without_loading_them(
    built_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = list(STANDARD_DYAD_ENRICHMENTS)
    folder = built_warehouse.parent
    for make in (lambda wh: dyad_years("cow", years=YEARS, warehouse=wh),
                 lambda wh: state_years("cow", years=YEARS, warehouse=wh)):  # fmt: skip
        wanted = names if make(Warehouse(built_warehouse, read_only=True)).unit == "dyad-year" \
            else ["nmc", "majors"]  # fmt: skip
        enriched = make(Warehouse(built_warehouse, read_only=True)).enrich(wanted)  # (keeps parts)
        enriched.write(folder / "loaded.parquet", reuse=True)

        universe = make(Warehouse(built_warehouse, read_only=True))

        def no_reading(*args: object, **kwargs: object) -> None:
            raise AssertionError("a kept part was loaded")

        monkeypatch.setattr(pl, "read_parquet", no_reading)
        monkeypatch.setattr(pl.DataFrame, "write_parquet", no_reading)
        info = universe.write_enriched(folder / "assembled.parquet", wanted)
        monkeypatch.undo()
        # the same bytes as the loaded frame's file, and the same description
        assert (folder / "assembled.parquet").read_bytes() == (folder / "loaded.parquet").read_bytes()
        assert info == enriched.provenance() | {"column_names": enriched.columns,
                                                "summary": enriched.summary()}  # fmt: skip

        # another extension, or a part missing: enriched and written as usual, the same result
        csv = make(Warehouse(built_warehouse, read_only=True)).write_enriched(folder / "x.csv", wanted)
        assert csv == info
        assert pl.read_csv(folder / "x.csv").height == enriched.height
    peace = next(p for p in _kept(built_warehouse) if p.name.startswith("frame-peace-years-")
                 and p.suffix == ".parquet")  # fmt: skip
    peace.unlink()
    universe = dyad_years("cow", years=YEARS, warehouse=Warehouse(built_warehouse, read_only=True))
    again = universe.write_enriched(folder / "again.parquet", names)
    fresh = dyad_years("cow", years=YEARS, warehouse=Warehouse(built_warehouse, read_only=True),
                       reuse=False).enrich(names)  # fmt: skip
    assert pl.read_parquet(folder / "again.parquet").equals(fresh.df)
    assert again == fresh.provenance() | {"column_names": fresh.columns, "summary": fresh.summary()}


def test_types_a_stitched_file_would_lose_are_encoded(tmp_path: Path) -> None:
    df = pl.DataFrame({"year": [1816, 1817], "kind": ["a", "b"]},
                      schema={"year": pl.Int64, "kind": pl.Categorical})  # fmt: skip
    df.select("year").write_parquet(tmp_path / "u.parquet")
    df.select("kind").write_parquet(tmp_path / "k.parquet")
    frame = Frame(df, unit="state-year", system="cow", warehouse=Warehouse(tmp_path / "w.duckdb"))
    frame._mark(("state-years", "cow", None), (), (tmp_path / "u.parquet", tmp_path / "k.parquet"))
    assert frame._kept_files()
    out = frame.write_parquet(tmp_path / "out.parquet", reuse=True)
    assert pl.read_parquet(out).schema == df.schema  # (stitched, the categorical would be a string)
    plain = frame.with_data(df.with_columns(pl.col("kind").cast(pl.String)))
    plain._mark(("state-years", "cow", None), (), (tmp_path / "u.parquet", tmp_path / "k.parquet"))
    import pyarrow.parquet as pq

    plain.write_parquet(tmp_path / "plain.parquet", reuse=True)
    assert set(pq.ParquetFile(tmp_path / "plain.parquet").metadata.metadata) == {b"foedus"}  # stitched
    assert pl.read_parquet(tmp_path / "plain.parquet").equals(plain.df)
