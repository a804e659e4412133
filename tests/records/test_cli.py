"""``foedus records``: init, users, tokens, add/list/show, import, export, backup/restore, audit;
bad input exits 2 with the problem named and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from foedus.cli import app

runner = CliRunner()


def call(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["records", *args, "--database", db])
    return result.exit_code, result.stdout, result.stderr


def test_records_cli_round_trip(tmp_path: Path):
    db = str(tmp_path / "records.sqlite")
    assert call(db, "init", "--json")[0] == 0
    code, out, _ = call(db, "user", "add", "ana", "--role", "analyst", "--json")
    assert code == 0 and json.loads(out)["clearance"] == "restricted"
    code, out, _ = call(db, "token", "create", "ana", "--json")
    assert json.loads(out)["token"].startswith("fdr_")
    code, out, _ = call(db, "add", "--title", "Staff talks", "--instrument", "visit", "--partner",
                        "KOR", "--partner", "Japan", "--start", "2024-03-01", "--json")
    assert code == 0
    doc = json.loads(out)
    assert [p["ccode"] for p in doc["partners"]] == [732, 740]
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("title,instrument,partners,start_date,marking\n"
                        "Exercise,exercise,Australia,2024-06-01,public\n", encoding="utf-8")
    code, out, _ = call(db, "import", str(csv_file), "--json")
    assert code == 0 and json.loads(out)["imported"] == 1
    code, out, _ = call(db, "list", "--partner", "Japan", "--json")
    assert [e["title"] for e in json.loads(out)["engagements"]] == ["Staff talks"]
    export = tmp_path / "all.csv"
    assert call(db, "export", "-o", str(export))[0] == 0
    assert export.read_text(encoding="utf-8").count("\n") == 3
    backup = tmp_path / "backup.json"
    assert call(db, "backup", "-o", str(backup))[0] == 0
    restored = str(tmp_path / "restored.sqlite")
    assert call(restored, "restore", str(backup))[0] == 0
    _, a, _ = call(db, "list", "--json")
    _, b, _ = call(restored, "list", "--json")
    assert json.loads(a) == json.loads(b)
    code, out, _ = call(db, "audit", "--json")
    assert [e["action"] for e in json.loads(out)["entries"]][-2:] == ["create", "import"]


def test_records_cli_bad_input(tmp_path: Path):
    db = str(tmp_path / "records.sqlite")
    bad = tmp_path / "bad.csv"
    bad.write_text("title,instrument,partners,start_date,marking,budget,currency\n"
                   "A,visit,Narnia,2024-01-01,public,5,usd\n"
                   "B,visit,Japan,2024-03-01,internal,5,EURO\n", encoding="utf-8")
    code, out, err = call(db, "import", str(bad))
    assert code == 2
    assert "row 2, column partners" in err and "row 3, column currency" in err
    assert "Traceback" not in err
    code, out, _ = call(db, "list", "--json")
    assert json.loads(out)["count"] == 0
    for args in (["export", "-o", str(tmp_path / "x.xlsx")],
                 ["export", "-o", str(tmp_path / "missing" / "x.csv")],
                 ["backup", "-o", str(tmp_path)],
                 ["restore", str(bad)],
                 ["add", "--title", "x", "--instrument", "visit", "--partner", "Japan",
                  "--start", "2024-05-01", "--end", "2024-04-01"]):
        code, _, err = call(db, *args)
        assert code == 2, args
        assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "records.sqlite"]
    code, _, err = call("postgresql+psycopg://nobody:x@127.0.0.1:1/none", "list")
    assert code == 2 and "cannot open the records database" in err


def test_records_brief(tmp_path: Path):
    db = str(tmp_path / "records.sqlite")
    for title, marking in (("Open course", "public"), ("Closed course", "restricted")):
        call(db, "add", "--title", title, "--instrument", "training", "--partner", "Ghana",
             "--start", "2023-05-02", "--marking", marking)
    code, out, _ = call(db, "brief", "GHA", "--json")
    assert code == 0 and json.loads(out)["engagements"] == 2
    page = tmp_path / "ghana.html"
    code, out, _ = call(db, "brief", "Ghana", "--marking", "public", "-o", str(page), "--json")
    assert code == 0 and json.loads(out)["highest_marking_included"] == "public"
    text = page.read_text(encoding="utf-8")
    assert "Open course" in text and "Closed course" not in text
    assert 'data-marking="public"' in text
    code, _, err = call(db, "brief", "Ghana", "-o", str(tmp_path / "x.docx"))
    assert code == 2 and not (tmp_path / "x.docx").exists()
