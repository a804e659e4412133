"""``foedus replicate list|run NAME``: the replication gallery (:mod:`foedus.replications`)."""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from foedus.cli._support import JsonOpt, WarehouseOpt, emit_json, out, run
from foedus.errors import FoedusError

app = typer.Typer(help="Published designs run on the warehouse, beside the published results.",
                  no_args_is_help=True)

_FORMATS = (".json", ".html", ".csv")


def _check_output(path: Path | None) -> None:
    """Refuse a bad ``-o`` before any work: unknown extension, a directory, a missing folder."""
    if path is None:
        return
    if path.suffix.lower() not in _FORMATS:
        raise FoedusError(f"cannot write '{path.name}': unknown extension '{path.suffix}'",
                          where="-o", fix="use .html (report), .json or .csv (terms)")
    if path.is_dir():
        raise FoedusError(f"'{path}' is a directory", where="-o", fix="give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FoedusError(f"the folder '{parent}' does not exist", where="-o",
                          fix="create it first or write elsewhere")
    if not os.access(parent, os.W_OK):
        raise FoedusError(f"the folder '{parent}' is not writable", where="-o",
                          fix="write elsewhere")


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return html.escape(str(value))


def _html(doc: dict[str, Any]) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{_fmt(r.get(k))}</td>" for k in (
            "label", "estimate", "std_error", "p_value", "published", "same_sign",
            "both_significant", "within_2se")) + "</tr>"
        for r in doc["terms"])
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in doc["notes"])
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(doc['replication'])}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3rem .5rem;"
        "text-align:right}td:first-child{text-align:left}</style></head><body>"
        f"<h1>{html.escape(doc['citation'])}</h1>"
        f"<p><b>Variant:</b> {html.escape(doc['variant'])}. <b>Published table:</b> "
        f"{html.escape(doc['table'])}. <b>Estimator:</b> {html.escape(doc['estimator'])}.</p>"
        f"<p><b>Sample:</b> {html.escape(doc['sample'])}</p>"
        f"<p><b>N:</b> {doc['n']:,} (published: "
        f"{'not at hand' if doc['published_n'] is None else format(doc['published_n'], ',')})"
        "</p><table><thead><tr><th>term</th><th>estimate</th><th>SE</th><th>p</th>"
        "<th>published</th><th>same sign</th><th>both significant</th><th>within 2 SE</th>"
        f"</tr></thead><tbody>{rows}</tbody></table><h2>Notes</h2><ul>{notes}</ul>"
        "<p>foedus replication gallery — docs/replications.md</p></body></html>"
    )


def _write(path: Path, doc: dict[str, Any]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(doc, default=str, ensure_ascii=False, indent=1)
    elif suffix == ".html":
        text = _html(doc)
    else:
        import polars as pl

        text = pl.DataFrame(doc["terms"]).drop("published_estimate", "published_std_error",
                                               strict=False).write_csv()
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """The replications and their variants."""

    def body() -> None:
        from foedus.replications import get, names

        docs = [get(n).describe() for n in names()]
        if as_json:
            emit_json({"replications": docs})
            return
        for d in docs:
            out.print(f"[bold]{d['name']}[/]  {d['citation']}", highlight=False)
            out.print(f"    {d['summary']}; {d['estimator']}", highlight=False)
            if d["variants"]:
                out.print("    variants: " + ", ".join(d["variants"]), highlight=False)

    run(as_json, body)


@app.command("run")
def run_cmd(
    name: Annotated[str, typer.Argument(help="Replication name (see `foedus replicate list`).")],
    variant: Annotated[str, typer.Option("--variant", help="A robustness variant.")] = "main",
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write .html, .json or .csv.")] = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run one replication and print our estimates beside the published ones."""

    def body() -> None:
        from foedus.replications import get
        from foedus.replications import run as run_replication

        _check_output(output)
        get(name)  # an unknown name fails before any work
        result = run_replication(name, warehouse, variant=variant)
        doc = result.to_dict()
        if output is not None:
            _write(output, doc)
        if as_json:
            emit_json(doc)
            return
        out.print(f"[bold]{doc['citation']}[/] — {doc['table']}", highlight=False)
        out.print(f"{doc['sample']}", highlight=False)
        out.print(f"N = {doc['n']:,}" + (f" (published {doc['published_n']:,})"
                                         if doc["published_n"] else ""), highlight=False)
        for r in doc["terms"]:
            est = "—" if r["estimate"] is None else f"{r['estimate']:.4f} ({r['std_error']:.4f})"
            verdict = ", ".join(f"{k.replace('_', ' ')}: {_fmt(r.get(k))}"
                                for k in ("same_sign", "both_significant", "within_2se"))
            out.print(f"  {r['label']:<55} {est:<22} published {r['published']}; {verdict}",
                      highlight=False)
        if output is not None:
            out.print(f"written: {output}", highlight=False)

    run(as_json, body)
