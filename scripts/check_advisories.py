"""Offline dependency-vulnerability check: the pins of requirements.txt against the advisory
snapshot shipped in the repository (scripts/advisories/pypi-osv.json.gz, OSV format, every PyPI
package of the PyPA advisory database). Needs nothing from the network.

    .venv/bin/python scripts/check_advisories.py          # prints the findings; exit 1 if any

`make test` runs the same check (tests/test_dependency_advisories.py). Refresh the snapshot with
scripts/refresh_advisories.py (docs/security.md). An advisory that does not apply to us is listed,
with the reason, in scripts/advisories/ignored.txt ("ID  reason", one a line).
"""

import gzip
import json
import re
import sys
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "scripts/advisories/pypi-osv.json.gz"
IGNORED = ROOT / "scripts/advisories/ignored.txt"
REQUIREMENTS = ROOT / "requirements.txt"


def normalize(name: str) -> str:
    """PEP 503: the name PyPI and OSV agree on."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path = REQUIREMENTS) -> dict[str, str]:
    """{normalized name: version} of every `name==version` line (extras and markers dropped)."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)", line)
        if m:
            out[normalize(m.group(1))] = m.group(3)
    return out


def load(path: Path = SNAPSHOT) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def _v(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def affects(advisory: dict, version: str) -> bool:
    """Whether `version` is affected: in an explicitly listed version, or inside a range (OSV's
    ECOSYSTEM evaluation: events sorted by version; `introduced` opens, `fixed` closes before,
    `last_affected` closes after)."""
    if version in advisory.get("versions", ()):
        return True
    v = _v(version)
    if v is None:
        return False
    for events in advisory.get("ranges", ()):
        parsed = []
        for kind, at in events:
            bound = Version("0") if at == "0" else _v(at)
            if bound is not None:
                parsed.append((bound, kind))
        affected = False
        for bound, kind in sorted(parsed, key=lambda e: e[0]):
            if kind == "introduced" and v >= bound:
                affected = True
            elif kind == "fixed" and v >= bound:
                affected = False
            elif kind == "last_affected" and v > bound:
                affected = False
        if affected:
            return True
    return False


def ignored(path: Path = IGNORED) -> dict[str, str]:
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                ident, _, reason = line.partition(" ")
                out[ident] = reason.strip()
    return out


def findings(requirements: Path = REQUIREMENTS, snapshot: dict | None = None) -> list[dict]:
    """The advisories that affect a pinned version and are not ignored."""
    snapshot = snapshot if snapshot is not None else load()
    skip = ignored()
    out = []
    for name, version in sorted(pins(requirements).items()):
        for adv in snapshot["packages"].get(name, ()):
            if adv["id"] in skip or any(a in skip for a in adv.get("aliases", ())):
                continue
            if affects(adv, version):
                out.append({"package": name, "version": version, "id": adv["id"],
                            "aliases": adv.get("aliases", []), "summary": adv.get("summary", ""),
                            "fixed": adv.get("fixed", [])})
    return out


def main() -> int:
    snapshot = load()
    found = findings(snapshot=snapshot)
    print(f"Advisory snapshot: {snapshot['source']} ({snapshot['advisories']} advisories, "
          f"{len(snapshot['packages'])} packages, taken {snapshot['taken']}); {len(pins())} pins checked.")
    for f in found:
        print(f"  {f['package']}=={f['version']}: {f['id']} {' '.join(f['aliases'])} — {f['summary'][:120]} "
              f"(fixed in {', '.join(f['fixed']) or '?'})")
    print("No known-vulnerable pin." if not found else f"{len(found)} known-vulnerable pin(s).")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
