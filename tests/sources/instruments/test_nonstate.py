"""UCDP Non-State and COW non-state / intra-state war files: real files parse, bad values are named."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from foedus.errors import InvalidValueError
from foedus.sources.formats import FORMATS, detect_format
from tests.conftest import shared_file

REAL = {
    "ucdp_nonstate_csv": ("ucdp/Nonstate_v23_1.csv", 1_542, 22),
    "cow_nonstate_wars_csv": ("cow/Non-StateWarData_v4.0.csv", 62, 25),
    "cow_intrastate_wars_csv": ("cow/INTRA-STATE WARS v5.1 CSV.csv", 420, 43),
    "cow_interstate_wars_csv": ("cow/Inter-StateWarData_v4.0.csv", 337, 25),
}


@pytest.mark.parametrize("fid", sorted(REAL))
def test_real_files_parse(fid: str) -> None:
    relative, rows, cols = REAL[fid]
    path = shared_file(relative)
    assert detect_format(path) == fid
    df = FORMATS[fid].parse(path)
    assert df.shape == (rows, cols)
    assert df.select(FORMATS[fid].key).is_duplicated().sum() == 0


def test_missing_codes_and_formatted_numbers() -> None:
    wars = FORMATS["cow_nonstate_wars_csv"].parse(shared_file("cow/Non-StateWarData_v4.0.csv"))
    assert wars["totalcombatdeaths"].dtype == pl.Int64
    assert 4000 in wars["totalcombatdeaths"].to_list()  # released as "4,000"
    assert (wars["sideadeaths"].drop_nulls() >= 0).all()  # -9 → null
    intra = FORMATS["cow_intrastate_wars_csv"].parse(shared_file("cow/INTRA-STATE WARS v5.1 CSV.csv"))
    assert intra.filter(pl.col("warnum") == 798)["enddy1"].to_list() == [None]  # "?" → unknown
    assert (intra["ccodea"].drop_nulls() > 0).all()  # -8 (non-state side A) → null


def test_bad_region_is_named_with_its_line(tmp_path: Path) -> None:
    real = shared_file("ucdp/Nonstate_v23_1.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "Nonstate_v23_1.csv"
    row = real[1].rsplit(',"4",', 1)
    assert len(row) == 2
    bad.write_text("\n".join([real[0], row[0] + ',"7",' + row[1], *real[2:5]]) + "\n")
    with pytest.raises(InvalidValueError, match="line 2"):
        FORMATS["ucdp_nonstate_csv"].parse(bad)
