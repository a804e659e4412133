"""Start-up: the command line loads no heavy library before a command needs it."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("statsmodels", "scipy.stats", "fastapi", "plotly", "polars", "duckdb", "linearmodels",
         "pyfixest", "lifelines", "networkx")  # fmt: skip


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120)  # fmt: skip
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if h in modules)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _heavy(_loaded_after("import foedus.cli; foedus.cli.app")) == []


def test_import_foedus_is_lazy_but_complete() -> None:
    assert _heavy(_loaded_after("import foedus")) == []
    assert "polars" in _loaded_after("import foedus; foedus.dyad_years")


def test_help_and_version_load_no_heavy_library() -> None:
    # One process runs them all: what any of them loads stays in sys.modules.
    argvs = [["--help"], ["version"], ["version", "--json"], ["data", "--help"],
             ["frame", "dyad-years", "--help"], ["dyad", "--help"], ["assess", "--help"],
             ["brief", "--help"], ["serve", "--help"], ["network", "--help"]]  # fmt: skip
    code = ("import sys\nfrom foedus.cli import main\n"
            f"for argv in {argvs!r}:\n"
            "    sys.argv = ['foedus', *argv]\n"
            "    try:\n        main()\n    except SystemExit:\n        pass")
    assert _heavy(_loaded_after(code)) == []


def test_the_probe_sees_a_heavy_import() -> None:
    assert _heavy(_loaded_after("import scipy.stats")) == ["scipy.stats"]


def test_parsing_options_does_not_load_pydantic() -> None:
    # Typer 0.29 built a pydantic TypeAdapter for every option (+0.25 s a command; docs/stack.md).
    code = ("import sys\nfrom foedus.cli import main\n"
            "sys.argv = ['foedus', 'data', 'sources', '--json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")  # fmt: skip
    modules = _loaded_after(code)
    assert "foedus.cli.data" in modules  # the command really ran
    assert "pydantic" not in modules


def test_no_progress_display_is_loaded_without_a_terminal() -> None:
    # The frame command shows a progress display on a terminal only; piped, Rich's progress
    # module is not even imported. (Here the command stops at the missing warehouse, inside the
    # display's block.)
    code = ("import sys\nfrom foedus.cli import main\n"
            "sys.argv = ['foedus', 'frame', 'state-years', '--years', '1816', '-w', "
            "'/nonexistent/w.duckdb', '--json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")  # fmt: skip
    modules = _loaded_after(code)
    assert "foedus.frames.universe" in modules  # the command got as far as building the frame
    assert "rich.progress" not in modules
