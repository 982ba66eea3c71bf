"""Notices by SMS (today: deadline reminders) to users who chose `notify_sms`, within the gateway's
limits (settings.YV_SMS_LIMITS): per number one message per `interval_seconds`, `number_hour` an hour and
`number_day` a day, and the platform's `total_day`, counted on the SmsMessage outbox (every SMS, codes
included). A message over a limit is skipped, not queued: the in-site notice and the e-mail remain."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .codes import limits


def _allowed(phone: str, now, lim: dict) -> bool:
    from accounts.models import SmsMessage

    sent = SmsMessage.objects.filter(phone=phone, created_at__gte=now - timedelta(days=1))
    if sent.filter(created_at__gt=now - timedelta(seconds=lim["interval_seconds"])).exists():
        return False
    if sent.filter(created_at__gte=now - timedelta(hours=1)).count() >= lim["number_hour"]:
        return False
    if sent.count() >= lim["number_day"]:
        return False
    return SmsMessage.objects.filter(created_at__gte=now - timedelta(days=1)).count() < lim["total_day"]


def send_deadline_reminders(due_by_user: dict, *, now=None) -> int:
    """`due_by_user`: {user: [deadline datetimes of questions the user should answer]}. One SMS per user
    (however many questions) to active users with `notify_sms` and a number; returns the number sent."""
    from . import send_sms

    now = now or timezone.now()
    lim = limits()
    sent = 0
    for user, deadlines in due_by_user.items():
        if not (user.notify_sms and user.phone and user.is_active and deadlines) or not _allowed(user.phone, now, lim):
            continue
        first = timezone.localtime(min(deadlines))
        # Chinese on purpose, not gettext: an SMS to a mainland number (see TEMPLATES in accounts.sms).
        text = (f"您有{len(deadlines)}个问题即将超时（最早{first:%m-%d %H:%M}截止），请尽快登录处理。" if len(deadlines) > 1
                else f"您有1个问题将于{first:%m-%d %H:%M}超时，请尽快登录处理。")
        send_sms(phone=user.phone, template="deadline", params=[text])
        sent += 1
    return sent


def on_commit_deadline_reminders(due_by_user: dict) -> None:
    """Send after the sweep's transaction commits (only opted-in users are kept: no cost otherwise)."""
    wanted = {u: d for u, d in due_by_user.items() if getattr(u, "notify_sms", False) and getattr(u, "phone", "")}
    if wanted:
        transaction.on_commit(lambda: send_deadline_reminders(wanted))
