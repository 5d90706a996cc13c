"""The README is what a newcomer follows (issue 20): every environment
variable the code reads is in its variables table, and every management
command runs inside the virtual environment."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SOURCES = ["config", "mentoring", "programs", "sessions", "goals", "resources", "locustfile.py", "Procfile"]
READS = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|env_bool|env_list|environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
    r"""|\$\{([A-Z][A-Z0-9_]+)"""
)
NOT_SETTINGS = {"PATH", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"}


def _files():
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            yield path
        else:
            yield from (p for p in path.rglob("*.py") if "migrations" not in p.parts)


def variables_read():
    found = set()
    for path in _files():
        for match in READS.finditer(path.read_text()):
            found.add(next(group for group in match.groups() if group))
    return found - NOT_SETTINGS


def variables_documented():
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", README, flags=re.MULTILINE)) | {
        name
        for row in re.findall(r"^\| (`[A-Z].*?) \|", README, flags=re.MULTILINE)
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)
    }


def test_the_scan_finds_the_variables_it_should():
    found = variables_read()
    assert {"DATABASE_URL", "WEB_BIND", "WORKER_CONCURRENCY", "LOG_LEVEL", "SITE_URL", "WAYPOINT_STOP_SECONDS"} <= found


def test_every_environment_variable_is_in_the_readme_table():
    assert variables_read() - variables_documented() == set()


def test_management_commands_in_the_readme_run_in_the_virtual_environment():
    bare = [line for line in README.splitlines() if re.search(r"(?<![/\w.])python3? manage\.py", line)]
    assert bare == []
