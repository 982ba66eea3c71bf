"""Monitoring → appeals: a liaison officer in the operations group turns a concentrated-demand alert
into a collective appeal from the Wagtail admin (转为集中诉求); once only, audited, permission-checked."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from appeals import services as appeals_services
from appeals.domain.workflow import Role
from appeals.models import Appeal, AppealKind, AppealSource, SourceKind
from community.services import ask_question
from moderation import services
from moderation.models import Alert, AlertKind, AlertStatus
from organizations.models import StaffRole
from tests.factories import UserFactory


@pytest.fixture
def questions(tree):
    askers = [UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90)) for _ in range(3)]
    return [ask_question(asker=a, title=f"天河区创业补贴什么时候发放（{n}）", body="补贴迟迟没有到账", domain="entrepreneurship")
            for n, a in enumerate(askers)]


def _alert(tree, questions, kind=AlertKind.CONCENTRATED, status=AlertStatus.OPEN, fingerprint="concentrated:gz:补贴"):
    now = timezone.now()
    return Alert.objects.create(
        kind=kind, organization=tree.guangzhou, title="广州市集中诉求：创业、补贴、发放", terms=["创业", "补贴", "发放"],
        status=status, window_start=now - timedelta(hours=1), window_end=now, thread_count=len(questions),
        user_count=len({q.asker_id for q in questions}) + 40,
        evidence={"post_ids": [q.pk for q in questions] + [999999], "user_ids": [q.asker_id for q in questions],
                  "location": "广州市"},
        fingerprint=fingerprint)


@pytest.fixture
def officer(tree, make_staff):
    """A Guangzhou liaison officer who is also in Guangzhou's operations group."""
    user = make_staff(tree.guangzhou, StaffRole.LIAISON)
    appeals_services.add_handler(actor=None, user=user, organization=tree.guangzhou, role=Role.OPS)
    return user


def test_officer_opens_a_collective_appeal_from_the_alert_page(tree, questions, officer, client_for):
    alert = _alert(tree, questions)
    c = client_for(officer)
    page = c.get(f"/admin/moderation/alerts/{alert.pk}/").content.decode()
    assert f'action="/admin/moderation/alerts/{alert.pk}/appeal/"' in page
    r = c.post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {"theme": "创业补贴发放迟缓", "group": "天河区创业青年"},
               follow=True)
    assert r.status_code == 200
    appeal = Appeal.objects.get()
    assert (appeal.kind, appeal.organization, appeal.location_org) == (AppealKind.COLLECTIVE, tree.guangzhou, tree.guangzhou)
    assert (appeal.theme, appeal.youth_group, appeal.location) == ("创业补贴发放迟缓", "天河区创业青年", "广州市")
    assert appeal.thread_count == 3 and appeal.user_count == alert.user_count  # the unknown post id is skipped
    assert appeal.period_start == timezone.localtime(alert.window_start).date()
    assert appeal.period_end == timezone.localtime(alert.window_end).date()
    sources = list(appeal.sources.order_by("pk"))
    assert [s.question_id for s in sources if s.kind == SourceKind.QUESTION] == [q.pk for q in questions]
    assert sources[0].title == questions[0].title and sources[0].url == f"/qa/{questions[0].pk}/"
    assert [s.external_ref for s in sources if s.kind == SourceKind.ALERT] == [f"moderation.alert:{alert.pk}"]
    html = r.content.decode()
    assert f"/admin/appeals/{appeal.pk}/" in html  # the success message and the alert page link to it
    assert alert.steps.filter(comment__contains=f"#{appeal.pk}", actor=officer).exists()
    assert ModelLogEntry.objects.filter(object_id=str(alert.pk), action="wagtail.edit", user=officer,
                                        data__appeal_id=appeal.pk).exists()


def test_second_time_links_to_the_same_appeal(tree, questions, officer, client_for, make_staff):
    alert = _alert(tree, questions)
    c = client_for(officer)
    c.post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {})
    first = Appeal.objects.get()
    assert first.theme == "创业、补贴、发放相关集中诉求" and first.youth_group == "广州市青年"  # defaults from the alert
    r = c.post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {"theme": "另一个主题"}, follow=True)
    assert Appeal.objects.count() == 1
    assert f"/admin/appeals/{first.pk}/" in r.content.decode()
    # another officer of the province's operations group sees the same link, not a form
    province_ops = make_staff(tree.province, StaffRole.LIAISON)
    appeals_services.add_handler(actor=None, user=province_ops, organization=tree.province, role=Role.OPS)
    page = client_for(province_ops).get(f"/admin/moderation/alerts/{alert.pk}/").content.decode()
    assert f"/admin/appeals/{first.pk}/" in page and "/appeal/\"" not in page


def test_liaison_outside_the_operations_group_gets_the_appeals_message(tree, questions, make_staff, client_for):
    alert = _alert(tree, questions)
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    r = client_for(liaison).post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {}, follow=True)
    assert r.status_code == 200
    assert "只有开发运维组可以登记诉求" in r.content.decode()
    assert not Appeal.objects.exists() and not alert.steps.exists()


def test_other_branches_and_youths_cannot(tree, questions, make_staff, client_for, youth):
    alert = _alert(tree, questions)
    sz = make_staff(tree.shenzhen, StaffRole.LIAISON)
    appeals_services.add_handler(actor=None, user=sz, organization=tree.shenzhen, role=Role.OPS)
    assert client_for(sz).post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {}).status_code == 404
    assert client_for(youth).post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {}).status_code in (302, 403)
    assert client_for(sz).get(f"/admin/moderation/alerts/{alert.pk}/appeal/").status_code == 405
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("kind,status", [(AlertKind.BURST, AlertStatus.OPEN),
                                         (AlertKind.CONCENTRATED, AlertStatus.DISMISSED)])
def test_only_live_concentrated_demand_alerts(tree, questions, officer, client_for, kind, status):
    alert = _alert(tree, questions, kind=kind, status=status)
    c = client_for(officer)
    assert f"/admin/moderation/alerts/{alert.pk}/appeal/" not in c.get(f"/admin/moderation/alerts/{alert.pk}/").content.decode()
    r = c.post(f"/admin/moderation/alerts/{alert.pk}/appeal/", {}, follow=True)
    assert r.status_code == 200 and not Appeal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_open_one_appeal(tree, questions, officer):
    alert = _alert(tree, questions)
    results, errors = [], []

    def click():
        try:
            appeal, created = services.open_appeal_from_alert(actor=officer, alert=alert)
            results.append((appeal.pk, created))
        except Exception as exc:  # noqa: BLE001 — the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Appeal.objects.count() == 1 and AppealSource.objects.filter(kind=SourceKind.ALERT).count() == 1
    assert sorted(created for _pk, created in results) == [False, False, False, True]
