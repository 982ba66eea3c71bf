"""Issue 24: the training-record and promotion admin edit and delete through insights.services
(update_/delete_training_record, update_/delete_promotion): the rules of the create services, audit
log, the contribution days re-aggregated, and the subtree."""

from datetime import date

import pytest
from wagtail.models import ModelLogEntry

from insights.models import PromotionActivity, TrainingRecord
from insights.services import add_training_record, aggregate_day, record_promotion
from organizations.models import StaffRole

pytestmark = pytest.mark.django_db
D = date(2026, 5, 4)


def _training_form(rec, **over):
    data = {"organization": rec.organization_id, "user": rec.user_id, "title": rec.title, "kind": rec.kind,
            "provider": rec.provider, "held_on": rec.held_on.isoformat(), "hours": str(rec.hours), "passed": "on",
            "note": rec.note}
    data.update(over)
    return data


def test_training_records_edit_and_delete_through_the_services(tree, make_staff, client_for):
    gz_admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    sz_admin = make_staff(tree.shenzhen, StaffRole.ORG_ADMIN)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    rec = add_training_record(actor=gz_admin, user=duty, organization=tree.tianhe, title="政策培训", held_on=D, hours=2)
    c = client_for(gz_admin)
    url = f"/admin/insights_training/edit/{rec.pk}/"
    assert c.get(url).status_code == 200
    # The service's rule: not in the future (the model form does not know it).
    r = c.post(url, _training_form(rec, held_on="2099-01-01"))
    assert r.status_code == 200 and "日期不能晚于今天" in r.content.decode()
    rec.refresh_from_db()
    assert rec.held_on == D
    r = c.post(url, _training_form(rec, hours="3.5"))
    assert r.status_code == 302, r.content.decode()[:2000]
    rec.refresh_from_db()
    assert str(rec.hours) == "3.5"
    assert ModelLogEntry.objects.filter(object_id=str(rec.pk), action="wagtail.edit", user=gz_admin,
                                        data__fields=["hours"]).exists()
    # Another city's administrator cannot reach it.
    sz = client_for(sz_admin)
    assert sz.get(url).status_code in (302, 403, 404)
    assert sz.post(f"/admin/insights_training/delete/{rec.pk}/").status_code in (302, 403, 404)
    assert TrainingRecord.objects.filter(pk=rec.pk).exists()
    # Delete: logged by the service (with the hours it took away).
    r = c.post(f"/admin/insights_training/delete/{rec.pk}/")
    assert r.status_code == 302
    assert not TrainingRecord.objects.filter(pk=rec.pk).exists()
    assert ModelLogEntry.objects.filter(object_id=str(rec.pk), action="wagtail.delete", data__hours="3.5").exists()


def _promotion_form(a, **over):
    data = {"organization": a.organization_id, "kind": a.kind, "title": a.title, "channel": a.channel,
            "held_on": a.held_on.isoformat(), "reach": a.reach, "url": a.url, "liaison": a.liaison_id or ""}
    data.update(over)
    return data


def _reaggregated(callbacks):
    """The days whose KPIs are recomputed on commit (insights.services._reaggregate)."""
    return sorted(cb.args[0] for cb in callbacks if getattr(cb, "func", None) is aggregate_day)


def test_promotion_edit_and_delete_reaggregate_the_days_they_count_on(tree, make_staff, client_for,
                                                                       django_capture_on_commit_callbacks):
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    a = record_promotion(actor=liaison, organization=tree.guangzhou, kind="media", title="广州电视台专访",
                         held_on=D, reach=100)
    c = client_for(liaison)
    url = f"/admin/insights_promotion/edit/{a.pk}/"
    with django_capture_on_commit_callbacks() as callbacks:
        r = c.post(url, _promotion_form(a, reach=5000, held_on="2026-05-06"))
    assert r.status_code == 302, r.content.decode()[:2000]
    a.refresh_from_db()
    assert a.reach == 5000 and a.held_on == date(2026, 5, 6)
    assert _reaggregated(callbacks) == [D, date(2026, 5, 6)]  # the old day and the new one
    assert ModelLogEntry.objects.filter(object_id=str(a.pk), action="wagtail.edit", user=liaison).exists()
    r = c.post(url, _promotion_form(a, reach=-1))
    assert r.status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        r = c.post(f"/admin/insights_promotion/delete/{a.pk}/")
    assert r.status_code == 302 and not PromotionActivity.objects.filter(pk=a.pk).exists()
    assert len(_reaggregated(callbacks)) == 1


def test_a_refused_training_record_in_the_admin_is_a_form_error(tree, make_staff, client_for):
    gz_admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    r = client_for(gz_admin).post("/admin/insights_training/new/", {
        "organization": tree.tianhe.pk, "user": duty.pk, "title": "服务技能", "kind": "service", "provider": "",
        "held_on": "2099-01-01", "hours": "4", "passed": "on", "note": ""})
    assert r.status_code == 200 and "日期不能晚于今天" in r.content.decode()
    assert not TrainingRecord.objects.exists()
