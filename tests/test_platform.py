"""Project-level behaviour: health check, demo data, settings."""

import io
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
    call_command("load_demo_data", stdout=io.StringIO())
    assert Organization.objects.filter(kind="city").count() >= 22
    assert Organization.objects.filter(kind="county").count() >= 120
    assert Organization.objects.filter(kind="university").count() >= 20
    assert Organization.objects.filter(slug="shunde", kind="city").exists()
    assert BranchHomePage.objects.count() == Organization.objects.count()
    first = _counts()
    _demo_users_can_act_at_once()
    _demo_content_makes_sense()
    call_command("load_demo_data", stdout=io.StringIO())
    assert _counts() == first


def _demo_users_can_act_at_once():
    """With the rate limits on, every demo youth can ask at once and expert_lawyer can answer
    (issue 19: the loader left 32–33 posts "today" per youth and experts as first-day users)."""
    from community import services as qa
    from community.models import Question

    with override_settings(YV_RATE_LIMITS_ENABLED=True):
        youths = list(User.objects.filter(username__startswith="youth_"))
        assert len(youths) >= 4
        for k, youth in enumerate(youths):
            q = qa.ask_question(asker=youth, title=f"第{k + 1}次来问：周末青年之家开放吗？", domain="volunteering",
                                body="想周末去青年之家参加活动，请问周六上午开放吗？需要提前预约吗？")
        lawyer = User.objects.get(username="expert_lawyer")
        legal = Question.objects.filter(domain="legal", status="open").exclude(asker=lawyer).first() or q
        qa.answer_question(actor=lawyer, question=legal, body="可以先到当地劳动监察大队咨询，带上劳动合同和工资流水。")


def _demo_content_makes_sense():
    from alliances.models import ExpertProfile
    from community.models import Answer
    from moderation.models import AllowedWord, SensitiveWord
    from moderation.services import current_matcher
    from organizations.models import DutyShift

    # answers answer their questions (/qa/23/ 三方协议 was answered about 灵活就业社保)
    for a in Answer.objects.filter(question__title__contains="三方协议", role__in=["expert", "organization", "staff"]):
        assert "三方协议" in a.body, a.body
    assert not ExpertProfile.objects.filter(workplace__contains="团团").exists()  # 共青团团省委委员会
    assert DutyShift.objects.filter(kind="workday").exists() and DutyShift.objects.filter(kind="holiday").exists()
    assert SensitiveWord.objects.count() >= 30 and AllowedWord.objects.exists()
    matcher = current_matcher()
    assert matcher.screen("哪里可以办证刻章").hits and not matcher.screen("白色情人节快乐").hits


def _run(settings_module, extra_env, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **extra_env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key():
    r = _run("youthvoice.settings.production", {"DJANGO_ALLOWED_HOSTS": "yv.example.org"}, "check")
    assert r.returncode != 0
    assert "DJANGO_SECRET_KEY" in r.stderr


def _rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_production_check_deploy_is_clean():
    r = _run("youthvoice.settings.production", {
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-1234567890-abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "yv.example.org",
        "YV_OIDC_RSA_PRIVATE_KEY": _rsa_pem(),  # production signs ID tokens with its own key
    }, "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.django_db
def test_nul_characters_in_urls_never_reach_the_database(client, tree):
    r = client.get("/api/stations/nearest", {"lat": "23.13", "lng": "113.26", "service": "心理\x00咨询"})
    assert r.status_code == 200 and r.json() == []
    assert client.get("/qa/", {"tag": "x\x00"}).status_code == 200
    assert client.get("/search/", {"q": "创业\x00"}).status_code == 200
    assert client.get("/api/appeals/1/transitions/ver%00ify/").status_code == 404
