"""The offline dependency-vulnerability check (issue 25, finding 9): every pin of requirements.txt
against the advisory snapshot shipped in the repository (scripts/advisories/pypi-osv.json.gz,
refreshed with scripts/refresh_advisories.py). pip-audit could check nothing here: it needs an
advisory service on the network; this needs none."""

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_advisories as advisories  # noqa: E402

sys.path.pop(0)


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_no_pinned_dependency_has_a_known_advisory(offline):
    found = advisories.findings()
    assert found == [], "known-vulnerable pins (upgrade, or list in scripts/advisories/ignored.txt with a reason):\n" + \
        "\n".join(f"{f['package']}=={f['version']}: {f['id']} {f['aliases']} fixed in {f['fixed']}" for f in found)


def test_every_pin_is_read_and_the_snapshot_is_whole(offline):
    pins = advisories.pins()
    assert pins["django"].startswith("5.2.") and pins["pillow"] and len(pins) >= 100
    snapshot = advisories.load()
    assert snapshot["source"] and snapshot["taken"] and snapshot["advisories"] > 2000
    assert {"django", "pillow", "requests", "jinja2", "celery"} <= set(snapshot["packages"])


def test_a_known_vulnerable_pin_fails_the_check(offline, tmp_path):
    old = tmp_path / "requirements.txt"
    old.write_text("Django==4.2.0\nPillow==9.0.0  # comment\nrequests[socks]==2.19.0 ; python_version > '3'\n"
                   "nh3==0.3.8\n")
    found = advisories.findings(old)
    ids = {alias for f in found for alias in [f["id"], *f["aliases"]]}
    assert "CVE-2023-36053" in ids  # Django's EmailValidator ReDoS, fixed in 4.2.3
    assert {f["package"] for f in found} == {"django", "pillow", "requests"}
    assert all(f["fixed"] for f in found)


def test_osv_range_evaluation():
    adv = {"ranges": [[["introduced", "4.2"], ["fixed", "4.2.3"], ["introduced", "4.0"], ["fixed", "4.1.10"],
                       ["introduced", "0"], ["last_affected", "3.1"]]]}
    assert advisories.affects(adv, "4.2.2") and advisories.affects(adv, "4.1.9") and advisories.affects(adv, "3.1")
    assert not advisories.affects(adv, "4.2.3") and not advisories.affects(adv, "4.1.10")
    assert not advisories.affects(adv, "3.2") and not advisories.affects(adv, "5.2.19")
    assert advisories.affects({"versions": ["1.0"], "ranges": []}, "1.0")
    assert not advisories.affects(adv, "not-a-version")
