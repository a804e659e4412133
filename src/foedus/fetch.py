"""Downloading official releases into the warehouse, for users who are online.

Offline (air-gapped networks, CI) the download fails at once with the import command to use instead;
it never waits on a network that is not there.
"""

from __future__ import annotations

import socket
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from foedus.errors import FoedusError, OfflineError
from foedus.sources.catalog import get_source
from foedus.warehouse import ImportRecord, Warehouse, file_sha256, parse_release


def _reachable(url: str, timeout: float) -> bool:
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def fetch_source(
    name: str,
    dest: Path,
    warehouse: Warehouse,
    *,
    timeout: float = 5.0,
    log: Callable[[str], object] = print,
) -> list[ImportRecord]:
    """Download a source's official files into ``dest``, check them, and import them.

    Files whose official SHA-256 is declared must match it. Raises :class:`OfflineError` at once
    when the publisher cannot be reached.

    Example:
        >>> # fetch_source("atop", Path("downloads"), Warehouse())
    """
    source = get_source(name)
    if not source.download_urls:
        raise FoedusError(
            f"source '{source.name}' has no official download",
            fix=f"download it from {source.landing_page} and run "
            f"`foedus data import {source.name} FILE`",
        )
    first = source.download_urls[0]
    if not _reachable(first, timeout):
        files = ", ".join(sorted({r.filename for r in source.releases})) or "the release files"
        raise OfflineError(
            f"cannot reach {urlparse(first).hostname} (no network?)",
            where=source.name,
            fix=f"on a connected machine download {files} from {source.landing_page}, carry them "
            f"over and run `foedus data import {source.name} FILE` "
            "(or `foedus data import-all DIR`)",
        )
    import httpx

    dest.mkdir(parents=True, exist_ok=True)
    downloaded: list[Path] = []
    for url in source.download_urls:
        target = dest / Path(urlparse(url).path).name
        log(f"downloading {url}")
        with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
            if response.status_code != 200:
                raise FoedusError(
                    f"download failed with HTTP {response.status_code}",
                    where=url,
                    fix=f"download by hand from {source.landing_page} and import the file",
                )
            partial = target.with_suffix(target.suffix + ".partial")
            with partial.open("wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
            partial.replace(target)
        if zipfile.is_zipfile(target):
            with zipfile.ZipFile(target) as archive:
                archive.extractall(dest / target.stem)
        downloaded.append(target)
    parsed = []
    for release in source.releases:
        if not release.official:
            continue
        hits = sorted(dest.rglob(release.filename))
        if not hits:
            continue
        path = hits[0]
        digest = file_sha256(path)
        if release.sha256 and digest != release.sha256:
            raise FoedusError(
                f"checksum mismatch for {release.filename}: got {digest[:12]}…, "
                f"expected {release.sha256[:12]}…",
                where=str(path),
                fix="the publisher may have changed the file; download again or import it "
                "explicitly with `foedus data import` after checking it",
            )
        parsed.append(parse_release(release, path))
    if not parsed:
        raise FoedusError(
            "the download held none of the expected release files",
            where=str(dest),
            fix=f"download by hand from {source.landing_page}",
        )
    return warehouse.write(parsed)
