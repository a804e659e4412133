"""``foedus records``: the organisation's own engagement records, on the machine that holds them.

The CLI acts as the local operator (an admin, recorded in the audit log as ``cli:<user>``);
REST clients authenticate with tokens this command creates.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli_support import (
    JsonOpt,
    OutputOpt,
    WarehouseOpt,
    check_output,
    emit_json,
    err,
    out,
    run,
    write_table,
)

app = typer.Typer(help="Engagement records: your organisation's own security-cooperation "
                  "activities (users, tokens, import/export, backup).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

DatabaseOpt = Annotated[str | None, typer.Option(
    "--database", envvar="FOEDUS_DATABASE",
    help="Records database: a SQLite file or postgresql+psycopg://USER:PW@HOST/DB "
    "(default: records.sqlite beside the warehouse; env FOEDUS_DATABASE).")]


def _store(database: str | None, warehouse: Path | None) -> Any:
    from foedus.records import RecordStore, default_database_url

    return RecordStore(database or default_database_url(warehouse))


def _actor() -> Any:
    from foedus.records import RecordStore

    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        name = "operator"
    return RecordStore.system_principal(f"cli:{name}"[:80])


@app.command("init")
def init(database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
         as_json: JsonOpt = False) -> None:
    """Create the records database (or migrate it to the newest schema)."""

    def body() -> None:
        with _store(database, warehouse) as store:
            revision = store.migrate()
            if as_json:
                emit_json({"database": _safe_url(store.url), "revision": revision})
            else:
                out.print(f"records database {_safe_url(store.url)} at schema revision {revision}")

    run(as_json, body)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "viewer",
    clearance: Annotated[str | None, typer.Option(
        help="Highest marking the user may see (default by role: viewer internal, others "
        "restricted).")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read a dashboard password (≥ 12 characters) from stdin.")] = False,
    database: DatabaseOpt = None, warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """Add a user."""

    def body() -> None:
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        with _store(database, warehouse) as store:
            doc = store.add_user(_actor(), username, role, password=password, clearance=clearance)
        if as_json:
            emit_json(doc)
        else:
            out.print(f"user {doc['username']}: {doc['role']}, clearance {doc['clearance']}")

    run(as_json, body)


@user_app.command("list")
def user_list(database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
              as_json: JsonOpt = False) -> None:
    """List users."""

    def body() -> None:
        with _store(database, warehouse) as store:
            users = store.users(_actor())
        if as_json:
            emit_json({"users": users})
        else:
            for u in users:
                out.print(f"{u['username']}\t{u['role']}\t{u['clearance']}")

    run(as_json, body)


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option(help="A label for the token.")] = "api",
    database: DatabaseOpt = None, warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """Create an API token (shown once; only its hash is stored)."""

    def body() -> None:
        with _store(database, warehouse) as store:
            secret = store.create_token(_actor(), username, name)
        if as_json:
            emit_json({"username": username, "name": name, "token": secret})
        else:
            out.print(secret)
            err.print("keep this token: it is not stored and cannot be shown again")

    run(as_json, body)


@token_app.command("revoke")
def token_revoke(username: Annotated[str, typer.Argument(help="Whose tokens.")],
                 database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
                 as_json: JsonOpt = False) -> None:
    """Revoke every token of a user."""

    def body() -> None:
        with _store(database, warehouse) as store:
            count = store.revoke_tokens(_actor(), username)
        if as_json:
            emit_json({"username": username, "revoked": count})
        else:
            out.print(f"revoked {count} token(s) of {username}")

    run(as_json, body)


@app.command("add")
def add(
    title: Annotated[str, typer.Option(help="What the engagement is.")],
    instrument: Annotated[str, typer.Option(help="arms, dca, exercises, training, troops, visits, "
                                            "pko, advisory, other.")],
    partner: Annotated[list[str], typer.Option(help="Partner state (repeat for several).")],
    start: Annotated[str, typer.Option(help="Start date YYYY-MM-DD.")],
    marking: Annotated[str, typer.Option(help="public, internal or restricted.")] = "internal",
    end: Annotated[str | None, typer.Option(help="End date YYYY-MM-DD.")] = None,
    budget: Annotated[str | None, typer.Option(help="Amount.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code.")] = None,
    participants: Annotated[int | None, typer.Option(help="Number of participants.")] = None,
    location: Annotated[str | None, typer.Option()] = None,
    objectives: Annotated[str | None, typer.Option()] = None,
    notes: Annotated[str | None, typer.Option()] = None,
    database: DatabaseOpt = None, warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """Record one engagement (status: proposed)."""

    def body() -> None:
        data = {"title": title, "instrument": instrument, "partners": partner,
                "start_date": start, "end_date": end, "marking": marking, "budget": budget,
                "currency": currency, "participants": participants, "location": location,
                "objectives": objectives, "notes": notes}
        with _store(database, warehouse) as store:
            doc = store.create_engagement(_actor(), {k: v for k, v in data.items() if v is not None})
        if as_json:
            emit_json(doc)
        else:
            out.print(f"engagement {doc['id']} recorded (version {doc['version']})")

    run(as_json, body)


@app.command("list")
def list_(
    partner: Annotated[str | None, typer.Option(help="Partner: name, ISO3 or COW code.")] = None,
    status: Annotated[str | None, typer.Option()] = None,
    year: Annotated[int | None, typer.Option()] = None,
    database: DatabaseOpt = None, warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """List engagements."""

    def body() -> None:
        code = None
        if partner is not None:
            from foedus.api.routes.records import _partner_code

            code = _partner_code(partner)
        with _store(database, warehouse) as store:
            rows = store.list_engagements(_actor(), partner=code, status=status, year=year)
        if as_json:
            emit_json({"engagements": rows, "count": len(rows)})
            return
        from rich.table import Table

        table = Table("id", "start", "instrument", "partners", "status", "marking", "title")
        for r in rows:
            table.add_row(str(r["id"]), r["start_date"], r["instrument"],
                          ", ".join(p["name"] for p in r["partners"]), r["status"], r["marking"],
                          r["title"])
        out.print(table)

    run(as_json, body)


@app.command("show")
def show(engagement_id: Annotated[int, typer.Argument()], database: DatabaseOpt = None,
         warehouse: WarehouseOpt = None, as_json: JsonOpt = False) -> None:
    """One engagement with indicators (progress), assessments and evidence."""

    def body() -> None:
        with _store(database, warehouse) as store:
            doc = store.get_engagement(_actor(), engagement_id)
        if as_json:
            emit_json(doc)
        else:
            out.print_json(json.dumps(doc, ensure_ascii=False))

    run(as_json, body)


@app.command("import")
def import_(path: Annotated[Path, typer.Argument(help="A .csv (UTF-8) or .xlsx file.")],
            database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
            as_json: JsonOpt = False) -> None:
    """Import engagements from a file: every row validated first, then all imported or none."""

    def body() -> None:
        from foedus.records.files import read_rows

        rows = read_rows(path)
        with _store(database, warehouse) as store:
            report = store.import_rows(_actor(), rows, source=path.name)
        if as_json:
            emit_json(report)
        else:
            out.print(f"imported {report['imported']} engagement(s) from {path.name}")

    run(as_json, body)


@app.command("export")
def export(output: Annotated[Path, typer.Option("-o", "--output", help="FILE.csv or FILE.json")],
           database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
           as_json: JsonOpt = False) -> None:
    """Export every engagement to CSV or JSON."""

    def body() -> None:
        from foedus.errors import RecordsError
        from foedus.records.files import write_export

        if output.suffix.lower() not in (".csv", ".json"):
            raise RecordsError(f"cannot export to '{output.suffix or output.name}'",
                               where=str(output), fix="use a .csv or .json file name")
        with _store(database, warehouse) as store:
            rows = store.list_engagements(_actor(), limit=10**9)
        write_export(rows, output)
        if as_json:
            emit_json({"output": str(output), "engagements": len(rows)})
        else:
            err.print(f"wrote {len(rows)} engagement(s) to {output}")

    run(as_json, body)


@app.command("backup")
def backup(output: Annotated[Path, typer.Option("-o", "--output", help="FILE.json")],
           database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
           as_json: JsonOpt = False) -> None:
    """Write every table (users, token hashes, engagements, audit log) to one JSON file."""

    def body() -> None:
        from foedus.errors import RecordsError
        from foedus.records.files import write_atomic

        if output.suffix.lower() != ".json":
            raise RecordsError("a backup is a .json file", where=str(output),
                               fix="use a file name ending in .json")
        with _store(database, warehouse) as store:
            document = store.backup()
        write_atomic(output, json.dumps(document, ensure_ascii=False).encode())
        counts = {k: len(v) for k, v in document["tables"].items()}
        if as_json:
            emit_json({"output": str(output), "rows": counts})
        else:
            err.print(f"backup written to {output}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    run(as_json, body)


@app.command("restore")
def restore(source: Annotated[Path, typer.Argument(help="A backup .json file.")],
            database: DatabaseOpt = None, warehouse: WarehouseOpt = None,
            as_json: JsonOpt = False) -> None:
    """Load a backup into a new, empty records database (all-or-nothing)."""

    def body() -> None:
        from foedus.errors import RecordsError

        try:
            document = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordsError(f"cannot read the backup ({exc})", where=str(source),
                               fix="give a file written by foedus records backup") from None
        with _store(database, warehouse) as store:
            counts = store.restore(document)
        if as_json:
            emit_json({"restored": counts})
        else:
            err.print("restored: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    run(as_json, body)


@app.command("audit")
def audit(limit: Annotated[int, typer.Option()] = 100, database: DatabaseOpt = None,
          warehouse: WarehouseOpt = None, as_json: JsonOpt = False) -> None:
    """The append-only audit log."""

    def body() -> None:
        with _store(database, warehouse) as store:
            entries = store.audit(_actor(), limit=limit)
        if as_json:
            emit_json({"entries": entries})
        else:
            for a in entries:
                out.print(f"{a['at']}  {a['actor']}  {a['action']} {a['entity']} {a['entity_id'] or ''}",
                          highlight=False)

    run(as_json, body)


@app.command("brief")
def brief(
    partner: Annotated[str, typer.Argument(help="Partner state: name, ISO3 or COW code.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="FILE.html or FILE.pdf")] = None,
    marking: Annotated[str | None, typer.Option(
        help="Highest marking to include (public, internal, restricted; default: all).")] = None,
    start: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    home: Annotated[str | None, typer.Option(
        help="Your organisation's state (name, ISO3 or COW code): adds the public instruments "
        "and alignment of the same dyad from the warehouse.")] = None,
    database: DatabaseOpt = None, warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """AM&E brief of the engagements with one partner: activities, indicator progress,
    assessments, and with --home the public instruments of the same dyad (HTML/PDF with -o; a
    JSON summary with --json)."""

    def body() -> None:
        from foedus.errors import RecordsError
        from foedus.records.brief import partner_summary, write_brief

        if output is not None and output.suffix.lower() not in (".html", ".pdf"):
            raise RecordsError(f"cannot write a brief as '{output.suffix or output.name}'",
                               where=str(output), fix="use a .html or .pdf file name")
        with _store(database, warehouse) as store:
            summary = partner_summary(store, _actor(), partner, marking=marking, start=start,
                                      end=end, home=home, warehouse=warehouse)
        if output is not None:
            write_brief(summary, output)
            err.print(f"brief written to {output}")
        if as_json:
            emit_json(summary)
        elif output is None:
            out.print(f"{summary['engagements']} engagement(s) with {summary['partner']['name']}; "
                      f"mean indicator progress {summary['mean_progress']}")

    run(as_json, body)


@app.command("impact")
def impact(
    home: Annotated[str, typer.Option(help="Your organisation's state: name, ISO3 or COW code.")],
    window: Annotated[int, typer.Option(help="Years before and after the first engagement "
                                        "(1-10).")] = 3,
    marking: Annotated[str | None, typer.Option(
        help="Highest marking of the records used (default: all).")] = None,
    output: OutputOpt = None,
    database: DatabaseOpt = None, warehouse: WarehouseOpt = None, as_json: JsonOpt = False,
) -> None:
    """Public outcomes (alliance-portfolio S, UN ideal-point distance, alliance formation) of your
    partner dyads before and after your first engagement, beside the home state's other dyads."""

    def body() -> None:
        from foedus.records.analysis import organisation_impact

        check_output(output, (".csv", ".parquet"))
        with _store(database, warehouse) as store:
            doc = organisation_impact(store, _actor(), home, warehouse, window=window,
                                      marking=marking)
        if output is not None:
            import polars as pl

            flat = [{"partner": r["partner"], "ccode": r["ccode"], "onset": r["onset"],
                     "engagements": r["engagements"], **{
                         f"{name}_{k}": r[name][k] for name in ("s", "idealpointdist")
                         for k in ("before", "after", "change", "comparison_change",
                                   "difference", "years_before", "years_after")},
                     **{f"{f}_{k}": r[f][k] for f in ("formation-any", "formation-defense")
                        for k in ("allied_before", "formed", "first_year")}}
                    for r in doc["dyads"]]
            write_table(pl.DataFrame(flat, infer_schema_length=None), output)
            err.print(f"written to {output}")
        if as_json:
            emit_json(doc)
            return
        out.print(doc["title"], highlight=False)
        for r in doc["dyads"]:
            s, i = r["s"], r["idealpointdist"]
            out.print(f"  {r['partner']} (first engagement {r['onset']}): S change "
                      f"{_num(s['change'])} vs {_num(s['comparison_change'])} elsewhere; "
                      f"ideal-point distance change {_num(i['change'])} vs "
                      f"{_num(i['comparison_change'])}", highlight=False)
        for name, p in doc["pooled"].items():
            out.print(f"  pooled {name}: mean difference {_num(p['mean_difference'])} over "
                      f"{p['dyads']} dyad(s), randomisation p = {p['randomisation_p']}",
                      highlight=False)
        for line in doc["limits"]:
            out.print(f"  note: {line}", highlight=False)

    run(as_json, body)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"
