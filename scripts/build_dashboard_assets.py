"""Build the dashboard's offline assets into ``src/foedus/dashboard/static/`` (committed output).

Two files come from packages; everything else in ``static/`` is the dashboard's own code:

* ``plotly.min.js`` — copied from the installed Python ``plotly`` package (its ``package_data``),
  MIT licence. Install it first: ``uv pip install --python .venv/bin/python plotly``.
* ``world-110m.geojson`` — Natural Earth 1:110m admin-0 countries (public domain), as redistributed
  in TopoJSON by the npm package ``world-atlas`` (ISC). The TopoJSON is decoded here to GeoJSON
  (Plotly's ``geojson`` takes GeoJSON), coordinates rounded to 0.01°, Antarctica dropped, and each
  feature gets ``properties.iso3`` (from its ISO 3166-1 numeric id via ``country_converter``; Kosovo
  ``XKX``) so a choropleth can use ``featureidkey="properties.iso3"``.

Usage::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz   # -> /tmp/package/
    uv run --frozen python scripts/build_dashboard_assets.py --world-atlas /tmp/package

``--world-atlas`` is the unpacked npm package folder (``package/``, with ``countries-110m.json`` and
``package.json``). Without it only ``plotly.min.js`` is refreshed. ``LICENSES.md`` in ``static/``
records the versions; the script prints them so that file can be checked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "foedus" / "dashboard" / "static"

#: Features world-atlas leaves without an ISO numeric id, by name.
_NAMED_ISO3 = {"Kosovo": "XKX"}
#: Features left out of the map.
_DROP = {"010"}  # Antarctica


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_plotly() -> tuple[str, Path]:
    try:
        import plotly
        from plotly.offline import get_plotlyjs_version
    except ImportError:  # pragma: no cover - a build-time tool
        sys.exit("plotly is not installed: uv pip install --python .venv/bin/python plotly")
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    target = STATIC / "plotly.min.js"
    shutil.copyfile(source, target)
    return get_plotlyjs_version(), target


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of every arc of a quantized TopoJSON topology."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # consecutive arcs share their joining point
        points.extend(arc if not points else arc[1:])
    ring: list[list[float]] = []
    for x, y in points:
        p = [round(x, 2), round(y, 2)]
        if not ring or ring[-1] != p:
            ring.append(p)
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


def _geometry(geometry: dict, arcs: list[list[tuple[float, float]]]) -> dict:
    kind = geometry["type"]
    if kind == "Polygon":
        rings = [_ring(arcs, r) for r in geometry["arcs"]]
        return {"type": "Polygon", "coordinates": [r for r in rings if len(r) >= 4]}
    if kind == "MultiPolygon":
        polygons = []
        for polygon in geometry["arcs"]:
            rings = [r for r in (_ring(arcs, ring) for ring in polygon) if len(r) >= 4]
            if rings:
                polygons.append(rings)
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise ValueError(f"unexpected geometry type {kind}")


def build_world(package: Path) -> tuple[str, Path, int]:
    import country_converter as coco

    meta = json.loads((package / "package.json").read_text())
    topology = json.loads((package / "countries-110m.json").read_text())
    arcs = _decode_arcs(topology)
    converter = coco.CountryConverter()
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        name = geometry["properties"]["name"]
        if numeric in _DROP:
            continue
        iso3 = None
        if numeric is not None:
            found = converter.convert(int(numeric), src="ISOnumeric", to="ISO3", not_found=None)
            iso3 = found if isinstance(found, str) else None
        iso3 = iso3 or _NAMED_ISO3.get(name)
        features.append(
            {
                "type": "Feature",
                "id": iso3 or name,
                "properties": {"name": name, "iso3": iso3, "iso_numeric": numeric},
                "geometry": _geometry(geometry, arcs),
            }
        )
    collection = {
        "type": "FeatureCollection",
        "source": f"Natural Earth 1:110m admin-0 countries via npm world-atlas {meta['version']} "
        f"(countries-110m.json); Natural Earth: public domain; world-atlas: ISC",
        "features": features,
    }
    target = STATIC / "world-110m.geojson"
    target.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n")
    return meta["version"], target, len(features)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-atlas", type=Path, help="unpacked npm package world-atlas")
    args = parser.parse_args(argv)
    STATIC.mkdir(parents=True, exist_ok=True)
    version, path = copy_plotly()
    print(
        f"plotly.js {version} -> {path.relative_to(REPO)} "
        f"({path.stat().st_size:,} bytes, sha256 {_sha256(path)})"
    )
    if args.world_atlas:
        version, path, n = build_world(args.world_atlas)
        print(
            f"world-atlas {version} -> {path.relative_to(REPO)} ({n} features, "
            f"{path.stat().st_size:,} bytes, sha256 {_sha256(path)})"
        )


if __name__ == "__main__":
    main()
