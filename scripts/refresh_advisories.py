"""Refresh the offline advisory snapshot (scripts/advisories/pypi-osv.json.gz) that
scripts/check_advisories.py and `make test` read.

    # from a checkout of the PyPA advisory database (OSV YAML files under vulns/):
    git clone --depth 1 https://github.com/pypa/advisory-database /tmp/advisory-database
    .venv/bin/python scripts/refresh_advisories.py --source /tmp/advisory-database

    # or from OSV's export of every PyPI advisory (JSON files in a zip), downloaded or local:
    .venv/bin/python scripts/refresh_advisories.py --source https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip
    .venv/bin/python scripts/refresh_advisories.py --source /tmp/all.zip

Only what the check needs is kept (id, aliases, summary, the package's ECOSYSTEM ranges and fixed
versions, explicit versions only where there is no range), for every PyPI package, so that a new
dependency is covered without a refresh. Withdrawn advisories are left out. Commit the new file.
"""

import argparse
import gzip
import io
import json
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_advisories import SNAPSHOT, normalize


def _records(source: str):
    """(file name, parsed OSV record) of every advisory in the source."""
    if source.startswith(("http://", "https://")):
        with urlopen(source, timeout=120) as r:  # noqa: S310 - an address the operator gives
            source_bytes = r.read()
        yield from _zip_records(zipfile.ZipFile(io.BytesIO(source_bytes)))
        return
    path = Path(source)
    if path.is_file() and path.suffix == ".zip":
        yield from _zip_records(zipfile.ZipFile(path))
        return
    import yaml

    base = path / "vulns" if (path / "vulns").is_dir() else path
    for f in sorted(base.rglob("*")):
        if f.suffix in (".yaml", ".yml"):
            yield f.name, yaml.safe_load(f.read_text(encoding="utf-8"))
        elif f.suffix == ".json":
            yield f.name, json.loads(f.read_text(encoding="utf-8"))


def _zip_records(archive: zipfile.ZipFile):
    for name in sorted(archive.namelist()):
        if name.endswith(".json"):
            yield name, json.loads(archive.read(name))


def compact(record: dict) -> list[tuple[str, dict]]:
    """(package, advisory) for each PyPI package the record affects."""
    if record.get("withdrawn"):
        return []
    out = []
    for affected in record.get("affected", ()):
        package = affected.get("package") or {}
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        ranges = [[[kind, str(value)] for event in r.get("events", ()) for kind, value in event.items()]
                  for r in affected.get("ranges", ()) if r.get("type") == "ECOSYSTEM"]
        advisory = {"id": record["id"], "aliases": sorted(record.get("aliases") or []),
                    "summary": (record.get("summary") or record.get("details") or "").strip().split("\n")[0][:200],
                    "ranges": ranges,
                    "fixed": sorted({v for r in ranges for kind, v in r if kind == "fixed"})}
        if not ranges:
            advisory["versions"] = [str(v) for v in affected.get("versions", ())]
        out.append((normalize(package["name"]), advisory))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="a checkout of pypa/advisory-database, an OSV zip or its URL")
    parser.add_argument("--label", default="", help="what the source is, e.g. pypa/advisory-database@<commit>")
    parser.add_argument("--output", default=str(SNAPSHOT))
    args = parser.parse_args()
    packages: dict[str, list] = {}
    count = 0
    for _name, record in _records(args.source):
        rows = compact(record or {})
        count += bool(rows)
        for package, advisory in rows:
            packages.setdefault(package, []).append(advisory)
    if not count:
        print("no advisory found in the source", file=sys.stderr)
        return 1
    for advisories in packages.values():
        advisories.sort(key=lambda a: a["id"])
    snapshot = {"source": args.label or args.source, "taken": datetime.now(UTC).strftime("%Y-%m-%d"),
                "advisories": count, "packages": dict(sorted(packages.items()))}
    data = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()
    Path(args.output).write_bytes(gzip.compress(data, mtime=0))
    print(f"{args.output}: {count} advisories for {len(packages)} packages ({len(data):,} bytes, "
          f"{Path(args.output).stat().st_size:,} gzipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
