"""The --with registry: built from the declaring modules, the public vocabulary kept, coverage read
from the catalogue."""

from __future__ import annotations

import polars as pl
import pytest

import foedus
from foedus.errors import UnknownEnrichmentError
from foedus.frames import enrichers
from foedus.sources.catalog import all_releases

# The public vocabulary before the registry was declared by modules (names and aliases → name).
PUBLIC = {
    "gwcode": "gwcode", "ccode": "ccode", "atop": "atop", "atop-derived": "atop-derived",
    "atop-extended": "atop-extended", "atop-ddy": "atop-ddy", "nmc": "nmc", "majors": "majors",
    "contiguity": "contiguity", "capital-distance": "capital-distance", "cow-mids": "cow-mids",
    "gml-mids": "gml-mids", "ucdp": "ucdp", "peace-years": "peace-years",
    "similarity": "similarity", "network": "network", "idealpoints": "idealpoints",
    "idealpoint-distance": "idealpoint-distance", "arms": "arms",
    "arms-categories": "arms-categories", "milex": "milex", "dca": "dca",
    "exercises": "exercises", "us-training": "us-training", "us-troops": "us-troops",
    "us-visits": "us-visits", "pko": "pko", "prd": "prd", "us-aid": "us-aid",
    "foreign-aid": "us-aid",
    # merged from w2/effects-data: democracy, wealth and the FPSIM similarity coding
    "democracy": "democracy", "polity": "democracy", "vdem": "democracy", "uds": "democracy",
    "gdp": "gdp", "sim-gdp-pop": "gdp", "gdppop": "gdp", "wealth": "gdp",
    "similarity-fpsim": "similarity-fpsim",
    "alliances": "atop", "atop-alliance": "atop", "capabilities": "nmc", "cinc": "nmc",
    "major-powers": "majors", "cow-majors": "majors", "contig": "contiguity",
    "capdist": "capital-distance", "mids": "gml-mids", "ucdp-acd": "ucdp",
    "peaceyears": "peace-years", "spells": "peace-years", "politically-relevant": "prd",
    "fp-similarity": "similarity", "alliance-network": "network", "ideal-points": "idealpoints",
    "un-similarity": "idealpoint-distance", "arms-transfers": "arms",
    "military-expenditure": "milex", "dcas": "dca", "jme": "exercises", "mme": "exercises",
    "training": "us-training", "troops": "us-troops", "visits": "us-visits",
    "peacekeeping": "pko",
}  # fmt: skip

# Added since (issue 10): democracy and wealth, the FPSIM similarity coding.
ADDED = {
    "democracy": "democracy", "polity": "democracy", "vdem": "democracy", "uds": "democracy",
    "gdp": "gdp", "sim-gdp-pop": "gdp", "gdppop": "gdp", "wealth": "gdp",
    "similarity-fpsim": "similarity-fpsim",
    "arms-control": "arms-control", "treaties": "arms-control",
    "nuclear": "nuclear", "nuclear-weapons": "nuclear",
}  # fmt: skip


def test_every_public_name_and_alias_resolves_as_before() -> None:
    for raw, name in (PUBLIC | ADDED).items():
        assert enrichers.canonical(raw) == name
        assert enrichers.canonical(raw.upper().replace("-", "_")) == name
    assert sorted(foedus.ENRICHERS) == sorted(set(PUBLIC.values()) | set(ADDED.values()))


def test_registry_is_the_union_of_the_declaring_modules() -> None:
    import importlib

    declared = [
        spec.name
        for module in enrichers.ENRICHER_MODULES
        for spec in importlib.import_module(module).ENRICHERS
    ]
    assert declared == list(enrichers.registry())


def test_coverage_is_read_from_the_catalogue() -> None:
    dca = enrichers.get("dca")
    declared = {r.coverage for r in all_releases() if r.table == "dcad_agreements"}
    assert declared == {(1980, 2010)} and dca.coverage() == (1980, 2010)
    # US troops: the troops table's years, not the 2018 bases snapshot it may also read
    assert enrichers.get("us-troops").coverage() == (1950, 2024)
    # similarity: ATOP's declared years, not those of the state list it also reads
    assert enrichers.get("similarity").coverage() == (1815, 2018)
    assert enrichers.get("peace-years").coverage() is None  # reads no table


def test_unknown_name_and_wrong_unit_are_clear_errors() -> None:
    with pytest.raises(UnknownEnrichmentError, match="unknown enrichment 'atopp'"):
        enrichers.get("atopp")
    frame = foedus.Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year",
                         system="cow")  # fmt: skip
    with pytest.raises(UnknownEnrichmentError, match="'contiguity' does not apply to state-years"):
        frame.enrich(["contig"])


def test_a_new_enricher_is_one_module_and_one_list_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    module = types.ModuleType("foedus_test_enricher")

    def enrich_double(frame: foedus.Frame) -> foedus.Frame:
        return frame.with_data(frame.df.with_columns((pl.col("year") * 2).alias("double")))

    module.ENRICHERS = (  # type: ignore[attr-defined]
        enrichers.Enricher("double", enrichers.BOTH, enrich_double, "twice the year",
                           aliases=("twice",)),
    )  # fmt: skip
    monkeypatch.setitem(sys.modules, "foedus_test_enricher", module)
    monkeypatch.setattr(enrichers, "ENRICHER_MODULES",
                        (*enrichers.ENRICHER_MODULES, "foedus_test_enricher"))  # fmt: skip
    monkeypatch.setattr(enrichers, "_REGISTRY", None)
    monkeypatch.setattr(enrichers, "_ALIASES", None)
    frame = foedus.Frame(pl.DataFrame({"ccode": [2], "year": [1816]}), unit="state-year",
                         system="cow")  # fmt: skip
    assert frame.enrich(["twice"]).df["double"].to_list() == [3632]
    monkeypatch.setattr(enrichers, "_REGISTRY", None)  # rebuilt without it after the test
    monkeypatch.setattr(enrichers, "_ALIASES", None)


def test_a_name_declared_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enrichers, "ENRICHER_MODULES",
                        ("foedus.frames.capabilities", "foedus.frames.capabilities"))  # fmt: skip
    monkeypatch.setattr(enrichers, "_REGISTRY", None)
    monkeypatch.setattr(enrichers, "_ALIASES", None)
    with pytest.raises(ValueError, match="declared twice"):
        enrichers.registry()
    monkeypatch.setattr(enrichers, "_REGISTRY", None)
    monkeypatch.setattr(enrichers, "_ALIASES", None)


def test_frames_compare_and_hash_without_raising() -> None:
    a = foedus.Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow")
    b = foedus.Frame(pl.DataFrame({"year": [1816]}), unit="state-year", system="cow")
    c = foedus.Frame(pl.DataFrame({"year": [1817]}), unit="state-year", system="cow")
    assert a == b and hash(a) == hash(b)
    assert a != c and a != "a frame"
    assert len({a, b, c}) == 2


# Every instrument enricher on the real data: the tables it declares are the ones it records in the
# provenance, and its columns are null outside the years the catalogue declares, filled inside.
INSTRUMENTS = {  # name → a column it adds on state-years
    "dca": "dca_active", "exercises": "jme_exercises", "us-training": "us_training_students",
    "us-troops": "us_troops", "us-visits": "us_visits", "pko": "pko_tcc_troops",
    "arms": "arms_tiv_exports", "milex": "sipri_milex",
}  # fmt: skip


def test_instrument_enrichers_on_the_real_data(built_warehouse) -> None:  # type: ignore[no-untyped-def]
    from foedus.frames.universe import state_years
    from foedus.warehouse import Warehouse

    wh = Warehouse(built_warehouse, read_only=True)
    base = state_years("cow", years="1945-2024", warehouse=wh)
    for name, column in INSTRUMENTS.items():
        spec = enrichers.get(name)
        frame = base.enrich([name])
        read = {u.table for u in frame.used} - {u.table for u in base.used}
        assert read and read <= set(spec.tables), (name, read)
        first, last = spec.coverage(wh)  # type: ignore[misc]
        col = frame.df.select("year", column)
        outside = col.filter((pl.col("year") < first) | (pl.col("year") > last))
        inside = col.filter(pl.col("year").is_between(first, last))
        assert outside[column].null_count() == outside.height, name
        assert inside.height and inside[column].null_count() < inside.height, name
    # and a known fact: US troops in Japan in 2010 (DMDC, via troopdata) are in the tens of thousands
    troops = base.enrich(["us-troops"]).df.filter((pl.col("ccode") == 740) & (pl.col("year") == 2010))
    assert 30_000 < troops["us_troops"].item() < 50_000
