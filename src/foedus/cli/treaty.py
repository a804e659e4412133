"""``foedus treaty``: the arms-control treaties foedus knows and who is party to them on a date."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run

app = typer.Typer(help="Arms-control treaties: list them; show every state's status on a date.",
                  no_args_is_help=True)

OutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the table (.json, .csv, .parquet).")
]


def check_output(path: Path | None) -> None:
    """Refuse an unknown output extension before any work (``.json``, ``.csv``, ``.parquet``).

    Example:
        >>> check_output(Path("t.csv"))
        >>> check_output(Path("t.xlsx"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        foedus.errors.FoedusError: t.xlsx: cannot write '.xlsx' files. Fix: ...
    """
    from foedus.errors import FoedusError

    if path is not None and path.suffix.lower() not in (".json", ".csv", ".parquet"):
        raise FoedusError(f"cannot write '{path.suffix}' files", where=str(path),
                          fix="end the output name with .json, .csv or .parquet")


def write_output(rows: list[dict[str, Any]], document: Any, path: Path) -> None:
    """Write ``rows`` (.csv/.parquet) or ``document`` (.json) atomically (no partial file).

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "x.csv"
        >>> write_output([{"a": 1}], {"a": 1}, p); p.read_text()
        'a\\n1\\n'
    """
    import json

    import polars as pl

    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    try:
        suffix = path.suffix.lower()
        if suffix == ".json":
            tmp.write_text(json.dumps(document, default=str, ensure_ascii=False) + "\n")
        else:
            df = pl.DataFrame(rows, infer_schema_length=None)
            df = df.with_columns(pl.col(c).list.join(";") for c, t in df.schema.items()
                                 if isinstance(t, pl.List))
            df.write_csv(tmp) if suffix == ".csv" else df.write_parquet(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _wh(path: Path | None) -> Any:
    from foedus.warehouse import Warehouse

    return Warehouse(path, read_only=True)


@app.command("list")
def list_treaties(warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
                  output: OutputOpt = None) -> None:
    """List every treaty: kind, sources in order of precedence, data date, parties today."""

    def body() -> None:
        check_output(output)
        from foedus.arms_control.analysis import treaty_list

        with _wh(warehouse) as wh:
            rows = treaty_list(wh)
        if output is not None:
            write_output(rows, {"treaties": rows}, output)
        if as_json:
            emit_json({"treaties": rows})
            return
        if output is None:
            from rich.table import Table

            table = Table("treaty", "name", "kind", "sources", "data as of", "parties", "signed",
                          "withdrawn/ended")
            for r in rows:
                table.add_row(r["key"], r["name"], r["kind"], " > ".join(r["sources"]),
                              r["data_as_of"], str(r["parties"]), str(r["signatories"]),
                              str(r["withdrawn"] + r["ended"]))
            out.print(table)
        err.print(f"{len(rows)} treaties; status today — `foedus treaty show NAME --year Y`")

    run(as_json, body)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Treaty key or name, e.g. NPT, CTBT, OTTAWA.")],
    year: Annotated[int | None, typer.Option("--year", "-y",
                                             help="Status on 31 December of this year.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only states with this status "
                                               "(party, signed, not signed, withdrawn, ended).")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
) -> None:
    """Every state's status under treaty NAME on a date, with the dates and sources behind it."""

    def body() -> None:
        check_output(output)
        from foedus.arms_control.analysis import treaty_show
        from foedus.arms_control.status import STATUSES
        from foedus.errors import FoedusError

        if status is not None and status not in STATUSES:
            raise FoedusError(f"unknown status '{status}'", fix="use one of: " + ", ".join(STATUSES))
        with _wh(warehouse) as wh:
            doc = treaty_show(wh, name, year)
        if status is not None:
            doc["states"] = [r for r in doc["states"] if r["status"] == status]
        if output is not None:
            write_output(doc["states"], doc, output)
        if as_json:
            emit_json(doc)
            return
        if output is None:
            from rich.table import Table

            table = Table("state", "status", "signed", "joined", "withdrew", "notes", "source")
            for r in doc["states"]:
                notes = [n for n, on in (
                    (f"de-ratified {r['deratified']}", r["deratified"]),
                    (f"declared {r['declared_not_party']} it will not become a party",
                     r["declared_not_party_now"]),
                    (f"withdrawal notified {r['withdrawal_notified']}", r["withdrawal_pending"]),
                    (f"suspended {r['suspended']}", r["suspended_now"]),
                    (r["flag"], r["flag"])) if on]
                table.add_row(f"{r['state']} ({r['abb'] or r['ccode']})", r["status"],
                              r["signed"] or "", r["joined"] or "", r["withdrew"] or r["ended"] or "",
                              "; ".join(notes), r["source"] or "")
            out.print(table)
        counts = ", ".join(f"{v} {k}" for k, v in doc["counts"].items() if v)
        err.print(f"{doc['name']} on {doc['as_of']}: {counts}")
        for note in doc["notes"]:
            err.print(f"note: {note}")

    run(as_json, body)
