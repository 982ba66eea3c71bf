"""Deadline reminders also go by SMS to assignees who chose it (notify_sms), one per user per sweep,
within the gateway limits (outbox backend: accounts.SmsMessage)."""

from freezegun import freeze_time

from accounts.models import SmsMessage
from community import services
from organizations.models import StaffRole


def _sweep(at, capture):
    with freeze_time(at), capture(execute=True):
        return services.sweep_deadlines()["reminded"]


def test_reminder_sms_only_to_those_who_chose_it_and_within_limits(tree, youth, make_staff, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.YV_SMS_BACKEND = "accounts.sms.backends.OutboxBackend"
    settings.YV_SMS_LIMITS = {**settings.YV_SMS_LIMITS, "number_hour": 1}
    make_staff(tree.tianhe, StaffRole.DUTY, phone="13800138001", notify_sms=True)
    make_staff(tree.tianhe, StaffRole.LIAISON, phone="13800138002", notify_sms=False)
    with freeze_time("2026-11-25 10:00:00+08:00"):
        services.ask_question(asker=youth, title="团员证遗失怎么补办", domain="league")
        services.ask_question(asker=youth, title="团费怎么交", domain="league")
    with freeze_time("2026-11-25 10:30:00+08:00"):
        services.ask_question(asker=youth, title="入团需要什么材料", domain="league")
    with freeze_time("2026-11-25 11:30:00+08:00"):
        services.ask_question(asker=youth, title="团组织关系怎么转", domain="league")
    assert _sweep("2026-11-25 12:00:00+08:00", django_capture_on_commit_callbacks) == 2
    sms = list(SmsMessage.objects.all())
    assert [(m.phone, m.template) for m in sms] == [("13800138001", "deadline")]  # one for two questions
    assert "2个问题即将超时" in sms[0].body and "13:00" in sms[0].body
    assert _sweep("2026-11-25 12:30:00+08:00", django_capture_on_commit_callbacks) == 1
    assert SmsMessage.objects.count() == 1  # number_hour = 1: skipped (the in-site notice remains)
    assert _sweep("2026-11-25 13:30:00+08:00", django_capture_on_commit_callbacks) == 1
    assert SmsMessage.objects.filter(phone="13800138001").count() == 2
    assert "将于11-25 14:30超时" in SmsMessage.objects.first().body
