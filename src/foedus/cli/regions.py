"""Command groups for regions, groupings, the multipolar system, the legal basis of alliances and
non-state conflict: ``foedus region``, ``foedus grouping``, ``foedus system``, ``foedus law`` and
``foedus nonstate`` (registered in :mod:`foedus.cli._registry`).

Every command takes ``--json`` (one JSON document on stdout) and, where it produces a table or a
report, ``-o FILE`` (``.json``, ``.csv``, ``.parquet``; checked before any work).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from foedus.cli_support import JsonOpt, WarehouseOpt, emit_json, err, out, run
from foedus.errors import FoedusError

OutOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the result (.json, .csv, .parquet).")
]
ReportOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write the result (.json, .csv, .parquet) or a "
                 "self-contained brief (.html)."),
]
RegionsFileOpt = Annotated[
    Path | None,
    typer.Option("--regions-file", envvar="FOEDUS_REGIONS",
                 help="Custom regions CSV (region,ccode,start,end,source)."),
]  # fmt: skip
FromOpt = Annotated[int, typer.Option("--from", help="First year.")]
ToOpt = Annotated[int, typer.Option("--to", help="Last year.")]

_EXTENSIONS = (".json", ".csv", ".parquet")


def _check_output(path: Path | None, report: bool = False) -> None:
    allowed = _EXTENSIONS + ((".html",) if report else ())
    if path is not None and path.suffix.lower() not in allowed:
        raise FoedusError(f"cannot write '{path.suffix or 'no extension'}' files", where=str(path),
                          fix="end the output name with " + ", ".join(allowed))  # fmt: skip


def _write(path: Path | None, document: Any, table: Any = None) -> None:
    """Write ``document`` (.json) or ``table`` (a Polars frame; .csv/.parquet) atomically."""
    if path is None:
        return
    import polars as pl

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    suffix = path.suffix.lower()
    if suffix == ".json":
        tmp.write_text(json.dumps(document, default=str, ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")  # fmt: skip
    elif suffix == ".html":
        tmp.write_text(table, encoding="utf-8")
    else:
        frame = table if isinstance(table, pl.DataFrame) else pl.DataFrame(document)
        flat = frame.with_columns(
            pl.col(c).map_elements(lambda v: json.dumps(v, default=str), return_dtype=pl.String)
            for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct))
        ) if suffix == ".csv" else frame  # fmt: skip
        if suffix == ".csv":
            flat.write_csv(tmp)
        else:
            flat.write_parquet(tmp)
    tmp.replace(path)
    err.print(f"→ {path}", highlight=False)


def _fmt(value: Any, pct: bool = False, digits: int = 3) -> str:
    if value is None:
        return "—"
    if pct:
        return f"{100 * value:.1f} %"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


# ---------------------------------------------------------------------------------------------
# foedus region
# ---------------------------------------------------------------------------------------------
region_app = typer.Typer(help="Regions: list the schemes, profile a region.", no_args_is_help=True)


@region_app.command("list")
def region_list(
    scheme: Annotated[str | None, typer.Option(help="Only one scheme: cow, un, un-sub, ucdp, "
                                               "named, custom.")] = None,
    regions_file: RegionsFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List every region (COW, UN M49, UCDP, named such as asia-pacific, custom)."""

    def body() -> None:
        from foedus.regions.schemes import list_regions

        regions = [r for r in list_regions(regions_file) if scheme is None or r.scheme == scheme]
        if scheme is not None and not regions:
            raise FoedusError(f"no region in scheme '{scheme}'",
                              fix="use cow, un, un-sub, ucdp, named or custom")  # fmt: skip
        if as_json:
            emit_json({"regions": [r.to_dict() for r in regions]})
            return
        table = Table("name", "scheme", "label", "definition", "members", title="Regions")
        for r in regions:
            members = (str(len(r.codes)) if r.codes else ("code block" if r.blocks
                       else str(len({s[0] for s in r.spells}))))  # fmt: skip
            table.add_row(r.name, r.scheme, r.label, escape(r.definition), members)
        out.print(table)

    run(as_json, body)


@region_app.command("profile")
def region_profile_command(
    name: Annotated[str, typer.Argument(help="Region (asia-pacific, cow:europe, un:eastern-asia…) "
                                        "or grouping (BRICS…).")],
    start: FromOpt = 2000,
    end: ToOpt = 2023,
    regions_file: RegionsFileOpt = None,
    output: ReportOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Capability and spending shares, arms flows within/into/out of the region, alliance density
    and blocs, UN alignment and conflicts, year by year (sources named)."""

    def body() -> None:
        from foedus.regions.profile import region_profile

        _check_output(output, report=True)
        profile = region_profile(name, start, end, warehouse=warehouse, custom=regions_file)
        import polars as pl

        from foedus.regions.report import profile_html

        _write(output, profile, profile_html(profile) if output is not None and
               output.suffix.lower() == ".html" else pl.DataFrame(profile["series"]))  # fmt: skip
        if as_json:
            emit_json(profile)
            return
        info = profile["region"]
        out.print(f"[bold]{escape(info.get('label', info['name']))}[/] ({info['name']}) "
                  f"{start}–{end}")  # fmt: skip
        if info.get("definition"):
            out.print(escape(f"{info['definition']} — {info.get('source', '')}"), highlight=False)
        table = Table("year", "CINC share", "milex share", "arms within", "arms into",
                      "arms out", "UN dist.", "alliance dens.", "blocs", "conflicts",
                      "non-state", title="Profile (TIV in millions; UN dist. = mean pairwise "
                      "ideal-point distance)")  # fmt: skip
        for r in profile["series"]:
            table.add_row(str(r["year"]), _fmt(r["cinc_share"], True), _fmt(r["milex_share"], True),
                          _fmt(r["arms_within"], digits=0), _fmt(r["arms_into"], digits=0),
                          _fmt(r["arms_out"], digits=0), _fmt(r["un_distance_within"]),
                          _fmt(r["alliance_density"]), _fmt(r["alliance_blocs"]),
                          _fmt(r["state_based_conflicts"]), _fmt(r["nonstate_conflicts"]))  # fmt: skip
        out.print(table)
        for note in profile["notes"]:
            err.print(f"note: {note}", highlight=False)
        err.print("sources: " + "; ".join(f"{s['source']} {s['version']} ({s['file']})"
                                          for s in profile["sources"]), highlight=False)  # fmt: skip

    run(as_json, body)


# ---------------------------------------------------------------------------------------------
# foedus grouping
# ---------------------------------------------------------------------------------------------
grouping_app = typer.Typer(help="Groupings beyond alliances: BRICS, SCO, CSTO, Quad, AUKUS, ASEAN, "
                           "AU, ECOWAS, G7, NATO.", no_args_is_help=True)  # fmt: skip


@grouping_app.command("list")
def grouping_list(as_json: JsonOpt = False) -> None:
    """List the groupings, what they are and where their membership comes from."""

    def body() -> None:
        from foedus.regions.groupings import list_groupings

        groupings = list_groupings()
        if as_json:
            emit_json({"groupings": [g.to_dict() for g in groupings]})
            return
        table = Table("name", "title", "kind", "since", "membership from", title="Groupings")
        for g in groupings:
            table.add_row(g.name, escape(g.title), g.kind, g.founded,
                          "groupings.csv (cited rows)" if g.basis == "table"
                          else "alliance registry (ATOP 5.1 + curated)")  # fmt: skip
        out.print(table)

    run(as_json, body)


@grouping_app.command("show")
def grouping_show(
    name: Annotated[str, typer.Argument(help="BRICS, SCO, CSTO, Quad, AUKUS, ASEAN, AU, ECOWAS, "
                                        "G7, NATO.")],
    year: Annotated[int | None, typer.Option("--year", "-y", help="Members in that year (on "
                                             "31 December); default: every spell.")] = None,
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a grouping's members (dated spells, status and the source of each row)."""

    def body() -> None:
        from foedus.regions.groupings import get_grouping, grouping_members, grouping_spells

        _check_output(output)
        g = get_grouping(name)
        if year is not None:
            rows = grouping_members(g.name, year, status="all", warehouse=warehouse)
        elif g.basis == "table":
            rows = [s.to_dict() for s in grouping_spells(g.name)]
        else:
            raise FoedusError(f"{g.name}'s members come from the alliance registry",
                              fix=f"give --year, or use `foedus alliance show {g.name}`")  # fmt: skip
        document = {"grouping": g.to_dict(), "year": year, "members": rows,
                    "rule": "member in a year = a 'member' spell covers 31 December"}  # fmt: skip
        _write(output, document, None if not rows else __import__("polars").DataFrame(rows))
        if as_json:
            emit_json(document)
            return
        out.print(f"[bold]{escape(g.title)}[/] ({g.name}) — {escape(g.description)}")
        table = Table("ccode", "state", "start", "end", "status", "source",
                      title=f"{g.name} {'in ' + str(year) if year else 'membership spells'}")
        for r in rows:
            table.add_row(str(r["ccode"]), escape(r.get("state") or ""), str(r.get("start") or ""),
                          str(r.get("end") or "open"), r["status"], escape(r["source"][:90]))  # fmt: skip
        out.print(table)

    run(as_json, body)


@grouping_app.command("compare")
def grouping_compare(
    a: Annotated[str, typer.Argument(help="First grouping (or region).")],
    b: Annotated[str, typer.Argument(help="Second grouping (or region).")],
    year: Annotated[int, typer.Option("--year", "-y", help="Year compared.")] = 2023,
    regions_file: RegionsFileOpt = None,
    output: ReportOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare two groupings: shares of world capability (NMC) and military spending (SIPRI),
    arms trade within/between (SIPRI TIV), UN alignment within/between, alliance ties, joint
    exercises and DCAs (null outside each source's years)."""

    def body() -> None:
        from foedus.regions.profile import compare_groupings

        _check_output(output, report=True)
        result = compare_groupings(a, b, year, warehouse=warehouse, custom=regions_file)
        from foedus.regions.report import compare_html

        _write(output, result, compare_html(result) if output is not None and
               output.suffix.lower() == ".html" else _compare_table(result))  # fmt: skip
        if as_json:
            emit_json(result)
            return
        table = Table("measure", result["a"]["name"], result["b"]["name"], "between / world",
                      title=f"{result['a']['name']} vs {result['b']['name']}, {year}")
        for key, label in (("cinc", "share of world CINC"), ("milex", "share of world milex")):
            block = result[key]
            used = block.get("year_used")
            table.add_row(f"{label} ({used})", _fmt((block.get(result['a']['name']) or {})
                          .get("share"), True), _fmt((block.get(result['b']['name']) or {})
                          .get("share"), True), "")  # fmt: skip
        tiv = result["arms"]["tiv"]
        table.add_row("arms TIV within", _fmt(tiv.get("arms_within_a"), digits=0),
                      _fmt(tiv.get("arms_within_b"), digits=0),
                      f"world {_fmt(tiv.get('arms_world'), digits=0)}")  # fmt: skip
        table.add_row("arms TIV to the other", _fmt(tiv.get("arms_a_to_b"), digits=0),
                      _fmt(tiv.get("arms_b_to_a"), digits=0), "")  # fmt: skip
        un = result["un_alignment"] or {}
        table.add_row("UN ideal-point distance", _fmt((un.get("within_" + result["a"]["name"])
                      or {}).get("within")), _fmt((un.get("within_" + result["b"]["name"]) or {})
                      .get("within")), _fmt((un.get("between") or {}).get("distance")))  # fmt: skip
        for key in ("exercises", "dcas"):
            block = result[key] or {}
            table.add_row(key, _fmt(block.get("within_a")), _fmt(block.get("within_b")),
                          _fmt(block.get("between")))  # fmt: skip
        out.print(table)
        for note in result["notes"]:
            err.print(f"note: {note}", highlight=False)
        err.print("sources: " + "; ".join(f"{s['source']} {s['version']} ({s['file']})"
                                          for s in result["sources"]), highlight=False)  # fmt: skip

    run(as_json, body)


def _compare_table(result: dict[str, Any]) -> Any:
    import polars as pl

    a, b = result["a"]["name"], result["b"]["name"]
    rows = []
    for key in ("cinc", "milex"):
        for g in (a, b):
            block = result[key].get(g) or {}
            rows.append({"measure": f"{key}_share", "group": g, "value": block.get("share"),
                         "year_used": result[key].get("year_used")})  # fmt: skip
    for k, v in result["arms"]["tiv"].items():
        rows.append({"measure": k, "group": "", "value": v, "year_used": result["year"]})
    return pl.DataFrame(rows, schema={"measure": pl.String, "group": pl.String,
                                      "value": pl.Float64, "year_used": pl.Int64})  # fmt: skip


# ---------------------------------------------------------------------------------------------
# foedus system multipolarity
# ---------------------------------------------------------------------------------------------
system_app = typer.Typer(help="The international system: multipolarity.", no_args_is_help=True)


@system_app.callback()
def _system() -> None:
    """The international system: multipolarity."""


@system_app.command("multipolarity")
def system_multipolarity(
    start: FromOpt = 2000,
    end: ToOpt = 2023,
    window: Annotated[int, typer.Option(help="Years over which growth is measured.")] = 10,
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Capability concentration and effective poles, alliance blocs, rising and declining
    powers, and the alignment of emerging powers with the USA, China and Russia."""

    def body() -> None:
        import polars as pl

        from foedus.regions.multipolarity import multipolarity

        _check_output(output)
        report = multipolarity(start, end, warehouse=warehouse, window=window)
        flat = pl.DataFrame([{k: v for k, v in r.items() if not k.endswith("movers")}
                             for r in report["years"]])  # fmt: skip
        _write(output, report, flat)
        if as_json:
            emit_json(report)
            return
        table = Table("year", "CON majors", "eff. poles (majors)", "eff. poles (all)", "leader",
                      "blocs", "modularity", "polarisation", "top riser (CINC, pp)",
                      title=f"Multipolarity {start}–{end}")  # fmt: skip
        for r in report["years"]:
            movers = r.get("cinc_movers") or {}
            riser = (movers.get("rising") or [{}])[0]
            table.add_row(str(r["year"]), _fmt(r.get("con_majors")),
                          _fmt(r.get("effective_poles_majors"), digits=2),
                          _fmt(r.get("effective_poles_all"), digits=1), _fmt(r.get("leader")),
                          _fmt(r.get("alliance_blocs")), _fmt(r.get("modularity")),
                          _fmt(r.get("polarisation")),
                          f"{riser.get('ccode', '—')} {_fmt(riser.get('change_pp'), digits=2)}")  # fmt: skip
        out.print(table)
        for note in report["notes"]:
            err.print(f"coverage: {note}", highlight=False)

    run(as_json, body)


# ---------------------------------------------------------------------------------------------
# foedus law summary
# ---------------------------------------------------------------------------------------------
law_app = typer.Typer(help="The legal basis of alliances (ATOP alliance-level codes).",
                      no_args_is_help=True)  # fmt: skip


@law_app.callback()
def _law() -> None:
    """The legal basis of alliances (ATOP alliance-level codes)."""


@law_app.command("summary")
def law_summary_command(
    start: FromOpt = 1945,
    end: ToOpt = 2018,
    by: Annotated[str, typer.Option(help="Period: decade or year.")] = "decade",
    basis: Annotated[str, typer.Option(help="signed (alliances signed in the period) or "
                                       "in-force.")] = "signed",
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tabulate the legal basis of alliances over time: references to the UN/League and to other
    alliances, dispute settlement, secrecy, renunciation, renewal and duration; and peace
    operations by deploying organisation."""

    def body() -> None:
        from foedus.regions.law import LEGAL_CODES, law_summary, pko_mandating
        from foedus.warehouse import Warehouse

        _check_output(output)
        with Warehouse(warehouse, read_only=True) as wh:
            table = law_summary(wh.table("atop_alliance_level"), start, end, by=by,  # type: ignore[arg-type]
                                basis=basis)  # type: ignore[arg-type]
            record = wh.active("atop_alliance_level")
            pko = (pko_mandating(wh.table("pko_missions_monthly"), start, end)
                   if wh.has("pko_missions_monthly") else None)  # fmt: skip
            pko_record = wh.active("pko_missions_monthly") if pko is not None else None
        document = {
            "from": start, "to": end, "by": by, "basis": basis,
            "codes": {k: {"title": c.title, "values": {str(v): m for v, m in c.values.items()},
                          "codebook_page": c.page, "note": c.note or None}
                      for k, c in LEGAL_CODES.items()},
            "summary": table.to_dicts(),
            "peacekeeping_by_organisation": pko.to_dicts() if pko is not None else None,
            "sources": [{"source": record.source, "version": record.version,
                         "file": record.path.rsplit("/", 1)[-1],
                         "codebook": "ATOP Codebook v5.1 (Leeds 2022)"}]
            + ([{"source": pko_record.source, "version": pko_record.version,
                 "file": pko_record.path.rsplit("/", 1)[-1],
                 "note": "organisation type (UN / Regional / International), not the mandating "
                         "body; 1993-2016"}] if pko_record else []),
            "notes": ["ATOP 5.1 covers alliances signed 1815-2018"]
            + ([] if start >= 1993 and end <= 2016 else
               ["peace operations: Bara's data cover 1993-2016 only"]),
        }  # fmt: skip
        _write(output, document, table)
        if as_json:
            emit_json(document)
            return
        import polars as pl

        main = table.filter(pl.col("variable").is_in(["total", "reflnun", "natrefal", "medarb",
                                                       "renounce", "proren"]))  # fmt: skip
        view = Table("period", "variable", "code", "meaning", "alliances", "share",
                     title=f"Legal basis of alliances {start}–{end} ({basis}, by {by})")
        for r in main.iter_rows(named=True):
            view.add_row(r["period"], r["variable"], _fmt(r["code"]), escape(r["meaning"]),
                         str(r["alliances"]), _fmt(r["share"], True))  # fmt: skip
        out.print(view)
        err.print("all codes (pubsecr, secrart, conres, speclgth, length too): --json or -o; "
                  "source: ATOP 5.1 alliance-level file, ATOP Codebook v5.1", highlight=False)  # fmt: skip

    run(as_json, body)


# ---------------------------------------------------------------------------------------------
# foedus nonstate
# ---------------------------------------------------------------------------------------------
nonstate_app = typer.Typer(help="Non-state armed conflict (UCDP, COW) and peace operations.",
                           no_args_is_help=True)  # fmt: skip


@nonstate_app.command("regions")
def nonstate_regions(
    start: FromOpt = 1989,
    end: ToOpt = 2022,
    scheme: Annotated[str, typer.Option(help="ucdp, cow, un, un-sub, or comma-separated region "
                                        "names.")] = "ucdp",
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """UCDP non-state conflicts, dyads and fatalities per region and year."""

    def body() -> None:
        from foedus.regions.nonstate import nonstate_region_years, nonstate_sources
        from foedus.warehouse import Warehouse

        _check_output(output)
        chosen: Any = scheme if scheme in ("ucdp", "cow", "un", "un-sub") else [
            s.strip() for s in scheme.split(",") if s.strip()]  # fmt: skip
        with Warehouse(warehouse, read_only=True) as wh:
            table = nonstate_region_years(wh.table("ucdp_nonstate"), chosen, (start, end))
            sources = nonstate_sources(wh)
        document = {"from": start, "to": end, "scheme": chosen, "rows": table.to_dicts(),
                    "sources": [s for s in sources if s["table"] == "ucdp_nonstate"],
                    "notes": ["UCDP Non-State v23.1 covers 1989-2022; a conflict fought in two "
                              "regions counts in both"]}  # fmt: skip
        _write(output, document, table)
        if as_json:
            emit_json(document)
            return
        out.print(table)

    run(as_json, body)


@nonstate_app.command("peacekeeping")
def nonstate_peacekeeping(
    start: FromOpt = 1993,
    end: ToOpt = 2016,
    region: Annotated[str | None, typer.Option(help="Only locations in this region.")] = None,
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where non-state violence occurs, who deploys there and under which mission."""

    def body() -> None:
        import polars as pl

        from foedus.regions.nonstate import nonstate_sources, nonstate_with_peacekeeping
        from foedus.regions.schemes import get_region
        from foedus.warehouse import Warehouse

        _check_output(output)
        chosen = get_region(region) if region else None
        with Warehouse(warehouse, read_only=True) as wh:
            get = lambda t: wh.table(t) if wh.has(t) else None  # noqa: E731
            table = nonstate_with_peacekeeping(wh.table("ucdp_nonstate"), get("pko_missions_monthly"),
                                               get("geo_pko_tcc"), get("gw_cow_panel"),
                                               (start, end))  # fmt: skip
            sources = nonstate_sources(wh)
        if chosen is not None:
            table = table.filter(chosen.expr("ccode", "year"))
        document = {"from": start, "to": end, "region": region, "rows": table.to_dicts(),
                    "sources": sources,
                    "notes": ["missions: Bara's UN and Non-UN Peacekeeping v2-2019 (1993-2016; "
                              "null outside); contributors: Geo-PKO, UN missions in Africa "
                              "1994-2018 only"]}  # fmt: skip
        _write(output, document, table)
        if as_json:
            emit_json(document)
            return
        view = Table("year", "ccode", "conflicts", "fatalities", "missions", "personnel",
                     "top contributors", title="Non-state violence and peace operations")
        for r in table.iter_rows(named=True):
            view.add_row(str(r["year"]), str(r["ccode"]), str(r["conflicts"]),
                         str(r["fatalities_best"]), escape(", ".join(r["missions"] or []))
                         if r["missions"] is not None else "—", _fmt(r["pko_personnel"], digits=0),
                         escape(", ".join(r["contributors"] or [])))  # fmt: skip
        out.print(view)
        _ = pl

    run(as_json, body)


@nonstate_app.command("wars")
def nonstate_wars(
    start: FromOpt = 1816,
    end: ToOpt = 2014,
    output: OutOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """COW non-state (v4.0) and intra-state (v5.1) wars active per year and region."""

    def body() -> None:
        import polars as pl

        from foedus.regions.nonstate import cow_war_years, nonstate_sources
        from foedus.warehouse import Warehouse

        _check_output(output)
        with Warehouse(warehouse, read_only=True) as wh:
            get = lambda t: wh.table(t) if wh.has(t) else None  # noqa: E731
            wars = cow_war_years(get("cow_nonstate_wars"), get("cow_intrastate_wars"),
                                 (start, end))  # fmt: skip
            sources = [s for s in nonstate_sources(wh) if s["table"].startswith("cow_")]
        counts = wars.group_by("year", "kind", "region").agg(
            pl.len().cast(pl.Int64).alias("wars")).sort("year", "kind", "region")
        document = {"from": start, "to": end, "region_years": counts.to_dicts(),
                    "wars": wars.to_dicts(), "sources": sources,
                    "notes": ["COW non-state wars v4.0 cover 1816-2007, intra-state wars v5.1 "
                              "1818-2014; regions as released (WhereFought; v5 region)"]}  # fmt: skip
        _write(output, document, counts)
        if as_json:
            emit_json(document)
            return
        out.print(counts)

    run(as_json, body)
