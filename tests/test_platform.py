"""Project-level behaviour: health check, demo data, settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User
from home.models import BranchHomePage, ServiceLink
from organizations.models import Organization, StaffMembership

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_ok(db, client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["checks"]["database"] == "ok"
    assert r.json()["checks"]["cache"] == "ok"


@override_settings(CACHES={"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                       "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}})
def test_healthz_reports_a_dead_cache_as_503(db, client):
    from django.core.cache import caches

    caches._settings = None  # let the override take effect for this connection handler
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["cache"].startswith("error")


def _counts():
    return {
        "orgs": Organization.objects.count(),
        "branches": BranchHomePage.objects.count(),
        "users": User.objects.count(),
        "staff": StaffMembership.objects.count(),
        "links": ServiceLink.objects.count(),
    }


@pytest.mark.django_db(transaction=False)
def test_demo_data_is_complete_and_idempotent():
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    assert Organization.objects.filter(kind="city").count() >= 22
    assert Organization.objects.filter(kind="county").count() >= 120
    assert Organization.objects.filter(kind="university").count() >= 20
    assert Organization.objects.filter(slug="shunde", kind="city").exists()
    assert BranchHomePage.objects.count() == Organization.objects.count()
    first = _counts()
    call_command("load_demo_data", stdout=open(os.devnull, "w"))
    assert _counts() == first


def _run(settings_module, extra_env, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **extra_env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key():
    r = _run("youthvoice.settings.production", {"DJANGO_ALLOWED_HOSTS": "yv.example.org"}, "check")
    assert r.returncode != 0
    assert "DJANGO_SECRET_KEY" in r.stderr


def test_production_check_deploy_is_clean():
    r = _run("youthvoice.settings.production", {
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-1234567890-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "yv.example.org",
    }, "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.django_db
def test_nul_characters_in_urls_never_reach_the_database(client, tree):
    r = client.get("/api/stations/nearest", {"lat": "23.13", "lng": "113.26", "service": "心理\x00咨询"})
    assert r.status_code == 200 and r.json() == []
    assert client.get("/qa/", {"tag": "x\x00"}).status_code == 200
    assert client.get("/search/", {"q": "创业\x00"}).status_code == 200
    assert client.get("/api/appeals/1/transitions/ver%00ify/").status_code == 404
