"""The key flows on the embedded default too: a pytest of its own on a file-based SQLite test
database with the settings `make run` uses (WAL, busy timeout, IMMEDIATE transactions) — the booking
race (threads share the file), nearest stations (portable SQL), the map page, the booking flow and search."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ON_SQLITE = [
    "tests/stations/test_concurrency.py::test_threads_never_exceed_capacity",
    "tests/stations/test_geo_coverage.py",
    "tests/stations/test_bookings.py",
    "tests/stations/test_scale.py",
    "tests/stations/test_page_schedule.py",  # the schedule's one UNION query
    "tests/search/test_sqlite_ranking.py",
    "tests/home/test_branch_queries.py",  # the sections' window query
]


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("sqlite"), reason="already on SQLite")
def test_key_flows_on_sqlite():
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/yv.sqlite3", "PYTEST_XDIST_WORKER": ""}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--create-db",
             *ON_SQLITE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "[100%]" in run.stdout and "F" not in run.stdout.split("[100%]")[0]
