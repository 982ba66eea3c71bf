"""Demo data for insights: staff training records, and the KPI aggregation over the demo period
so the dashboards show figures. Idempotent: records are keyed by (user, title, date) and each
aggregated day is replaced, not added to."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.models import StaffMembership

# username, training, kind, given by, days ago, hours
TRAININGS = [
    ("gz_liaison", "“青年之声”平台联络专员上岗培训", "onboarding", "团省委网络宣传部", 120, "6"),
    ("gz_liaison", "网络舆情研判与处置", "policy", "团市委宣传部", 40, "3"),
    ("tianhe_duty", "值班答复规范与时限要求", "platform", "团市委", 90, "2.5"),
    ("tianhe_duty", "青少年心理危机识别", "service", "广州市心理咨询师协会", 25, "4"),
    ("tianhe_station", "青年之家预约服务操作", "platform", "团区委", 60, "2"),
    ("gz_admin", "组织管理员权限与审计", "platform", "团省委网络宣传部", 150, "3"),
    ("sz_liaison", "“青年之声”平台联络专员上岗培训", "onboarding", "团省委网络宣传部", 118, "6"),
    ("sz_liaison", "青年诉求办理流程（附件4）", "policy", "团省委权益部", 30, "3"),
    ("sysu_liaison", "高校团委平台运营", "platform", "团省委学校部", 75, "2"),
]


# Promotion work (A1 第三条): username (credited liaison officer), organisation slug, kind, title, medium, days ago, reach
PROMOTIONS = [
    ("gz_liaison", "guangzhou", "media", "《广州日报》专版：“青年之声”三小时答复承诺", "广州日报", 70, 120000),
    ("gz_liaison", "guangzhou", "event", "“青年之声”进校园：华南理工大学专场", "华南理工大学五山校区", 35, 2300),
    ("sz_liaison", "shenzhen", "advert", "深圳地铁1号线“青年之声”形象广告", "深圳地铁", 50, 450000),
    ("sysu_liaison", "sysu", "event", "中山大学毕业季答疑直播", "中大团委视频号", 20, 18000),
]


def load(stdout=None):
    from insights.models import TrainingRecord
    from insights.services import aggregate_range

    User = get_user_model()
    today = timezone.localdate()
    made = 0
    for username, title, kind, provider, days_ago, hours in TRAININGS:
        user = User.objects.filter(username=username).first()
        membership = StaffMembership.objects.active().filter(user=user).select_related("organization").first()
        if user is None or membership is None:
            continue
        _, created = TrainingRecord.objects.get_or_create(
            user=user, title=title, held_on=today - timedelta(days=days_ago),
            defaults={"organization": membership.organization, "kind": kind, "provider": provider,
                      "hours": Decimal(hours)})
        made += created
    from insights.models import AwardRound, PromotionActivity
    from organizations.models import Organization

    for username, slug, kind, title, channel, days_ago, reach in PROMOTIONS:
        user, org = User.objects.filter(username=username).first(), Organization.objects.filter(slug=slug).first()
        if user is not None and org is not None:
            PromotionActivity.objects.get_or_create(
                organization=org, title=title,
                defaults={"kind": kind, "channel": channel, "held_on": today - timedelta(days=days_ago), "reach": reach,
                          "liaison": user})
    first = _first_activity_day(today)
    days = aggregate_range(first, today)
    guangzhou = Organization.objects.filter(slug="guangzhou").first()
    if guangzhou is not None:  # an open awards round to nominate in (admin: 评优表彰)
        AwardRound.objects.get_or_create(organization=guangzhou, year=today.year,
                                         defaults={"title": f"广州市{today.year}年度“青年之声”评优表彰"})
    if stdout is not None:
        stdout.write(f"insights: {made} training records, KPIs aggregated for {days} days ({first} – {today})")


def _first_activity_day(today: date) -> date:
    from community.models import Question

    earliest = Question.objects.order_by("asked_at").values_list("asked_at", flat=True).first()
    first = timezone.localtime(earliest).date() if earliest else today - timedelta(days=60)
    return max(first, today - timedelta(days=365))
