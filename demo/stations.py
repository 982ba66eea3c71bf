"""Demo stations: a city-level station in every city, one in (almost) every district and county,
five or more in 东莞/中山/顺德, one per university — at the organisations' real coordinates — with
services, hours, two weeks of slots and bookings in every state. Idempotent: stations are keyed by
organisation and slug, bookings are made once."""

import hashlib
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.domain.tree import ancestor_path
from organizations.models import Organization, OrganizationKind
from stations import services
from stations.domain.coverage import SPECIAL_SLUGS
from stations.models import Booking, ServiceSlot, StationPage

SERVICES = [
    ("心理咨询", "一对一心理疏导与情绪支持，由服务联盟心理咨询师坐班。", 60, 2),
    ("法律咨询", "劳动合同、租房、消费维权等法律问题面对面解答。", 30, 3),
    ("就业指导", "简历修改、模拟面试、岗位推荐。", 60, 6),
    ("创业辅导", "创业政策解读、项目诊断与融资对接。", 90, 4),
    ("志愿服务报名", "社区志愿服务项目报名与培训。", 30, 10),
    ("学业辅导", "青少年课业辅导与升学咨询。", 60, 8),
    ("婚恋交友活动", "青年联谊活动报名与交友咨询。", 120, 20),
]
PLACES = {
    "league": ["青少年宫", "青年汇", "亲青家园", "青年地带", "志愿服务站", "市民学校"],
    "partner": ["街道党群服务中心", "人社就业服务站", "图书馆青年空间", "产业园区服务中心"],
    "public": ["地铁站服务点", "文化广场服务点", "高铁站服务点"],
}
ROADS = ["人民路", "中山路", "解放路", "建设路", "青年路", "文化路", "新华路", "东风路", "府前路", "江滨路"]
WEEKDAYS = {d: [(time(9), time(12)), (time(14), time(18))] for d in range(5)}
WITH_SATURDAY = {**{d: [(time(9), time(17, 30))] for d in range(5)}, 5: [(time(9), time(12))]}
EVERY_DAY = {d: [(time(10), time(20))] for d in range(7)}
# Counties left without a station so that the coverage report shows real gaps.
SKIP_EVERY = 37


def _n(text: str) -> int:
    return int(hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:8], 16)


def _jitter(org: Organization, k: int) -> tuple[Decimal, Decimal]:
    h = _n(f"{org.slug}-{k}")
    dlat = Decimal((h % 400) - 200) / Decimal(10000)
    dlng = Decimal(((h // 400) % 400) - 200) / Decimal(10000)
    return (Decimal(org.latitude) + dlat).quantize(Decimal("0.000001")), (Decimal(org.longitude) + dlng).quantize(Decimal("0.000001"))


def _admins_by_city():
    User = get_user_model()
    return {u.username.removeprefix("station_"): u for u in User.objects.filter(username__startswith="station_")}


def _plan():
    """(organisation, slug, kind-of-base, batch, city slug) for every demo station."""
    orgs = list(Organization.objects.filter(is_active=True, latitude__isnull=False).order_by("path"))
    by_path = {o.path: o for o in orgs}
    plan = []
    county_i = 0
    for o in orgs:
        if o.kind == OrganizationKind.CITY:
            plan.append((o, "station-1", "league", 1, o.slug))
            if o.slug in SPECIAL_SLUGS:
                for k in range(2, 6):
                    plan.append((o, f"station-{k}", ["partner", "public", "league", "partner"][k - 2], 1 + (k % 3), o.slug))
        elif o.kind == OrganizationKind.COUNTY:
            county_i += 1
            if county_i % SKIP_EVERY == 0:
                continue
            city = by_path.get(ancestor_path(o.path, o.depth - 1))
            base = ["league", "league", "partner", "public"][_n(o.slug) % 4]
            plan.append((o, "station-1", base, 1 if county_i % 5 else 2, city.slug if city else "guangzhou"))
        elif o.kind == OrganizationKind.UNIVERSITY:
            plan.append((o, "station-1", "league", 1 + (_n(o.slug) % 3), "guangzhou"))
    return plan


def _station_fields(org, slug, base, k):
    h = _n(org.slug + slug)
    place = PLACES[base][h % len(PLACES[base])]
    if org.kind == OrganizationKind.UNIVERSITY:
        place = "学生活动中心"
    name = org.display_name
    title = f"{name}青年之家·{place}" if slug == "station-1" else f"{name}青年之家·{place}{k}号站"
    picks = [SERVICES[(h + i * 3) % len(SERVICES)] for i in range(2 + h % 2)]
    seen, svcs = set(), []
    for s_name, desc, minutes, cap in picks:
        if s_name not in seen:
            seen.add(s_name)
            svcs.append({"name": s_name, "description": desc, "duration_minutes": minutes, "slot_capacity": cap})
    hours = {"public": EVERY_DAY, "partner": WEEKDAYS}.get(base, WITH_SATURDAY if h % 2 else WEEKDAYS)
    lat, lng = _jitter(org, k)
    return dict(
        title=title, address=f"{name}{ROADS[h % len(ROADS)]}{(h % 300) + 1}号{place}", latitude=lat, longitude=lng,
        base_type=base, summary=f"{title}是“青年之声”线下服务站，提供{'、'.join(s['name'] for s in svcs)}等服务。",
        capacity=10 + h % 40, contact_person="站点管理员", contact_phone=f"020-{8000_0000 + h % 9999_999}",
        services=svcs, hours=hours,
        checklist={"has_plaque": True, "has_service_desk": h % 7 != 0, "has_computer": h % 11 != 0},
    )


def load(stdout=None) -> dict:
    admins = _admins_by_city()
    tianhe_admin = get_user_model().objects.filter(username="tianhe_station").first()
    created = 0
    new_stations = []
    for org, slug, base, batch, city_slug in _plan():
        if StationPage.objects.filter(organization=org, slug=slug).exists():
            continue
        k = int(slug.rsplit("-", 1)[1])
        admin = admins.get(city_slug) or admins.get("guangzhou")
        people = [a for a in (admin, tianhe_admin if org.slug == "440106" else None) if a is not None]
        if not people:
            continue
        new_stations.append(services.create_station(actor=None, organization=org, slug=slug, batch=batch,
                                                    admins=people, **_station_fields(org, slug, base, k)))
        created += 1
    slots = 0
    for station in new_stations:  # later days come from the periodic task stations.tasks.generate_all_slots
        slots += services.generate_slots(station=station, days=7)
    bookings = _bookings()
    if stdout:
        stdout.write(f"stations: {StationPage.objects.count()} ({created} new), {slots} new slots, {bookings} new bookings")
    from demo.alliances import assign_home_stations

    assign_home_stations()  # alliances' demo ran first, before any station existed
    return {"created": created}


def _past_slot(station, days_ago: int, hour: int):
    service = station.services.first()
    start = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(hour)))
    slot, _ = ServiceSlot.objects.get_or_create(
        service=service, starts_at=start,
        defaults={"station": station, "ends_at": start + timedelta(minutes=service.duration_minutes),
                  "capacity": service.slot_capacity})
    return slot


def _bookings() -> int:
    """Bookings in every state at a handful of stations (once)."""
    User = get_user_model()
    youths = list(User.objects.filter(username__startswith="youth_").order_by("username"))
    stations = list(StationPage.objects.live().filter(organization__slug__in=["440106", "440305", "shunde", "dongguan", "guangzhou"])
                    .order_by("path")[:5])
    if not youths or not stations or Booking.objects.filter(station__in=stations).exists():
        return 0
    notes = ["想咨询毕业后的就业方向", "最近压力很大，想和老师聊聊", "合同纠纷想请教律师", "想报名周末的志愿活动", ""]
    comments = ["老师很耐心，问题解决了", "环境很好，预约也方便", "时间有点短，但很有帮助", "非常专业，推荐给同学", "还可以"]
    made = 0
    now = timezone.now()
    for i, station in enumerate(stations):
        admin = station.admins.first()
        future = list(ServiceSlot.objects.filter(station=station, starts_at__gt=now + timedelta(hours=3)).order_by("starts_at")[:6])
        for j, youth in enumerate(youths):
            # completed and rated, completed unrated, in the past
            past = _past_slot(station, 3 + j, 9 + (i % 3))
            requested = past.starts_at - timedelta(days=2)
            b = services.request_booking(user=youth, slot_id=past.pk, note=notes[j % len(notes)], now=requested)
            services.confirm_booking(actor=admin, booking_id=b.pk, now=requested + timedelta(minutes=25))
            services.record_result(actor=admin, booking_id=b.pk, now=past.ends_at,
                                   result="已按预约完成服务，并登记后续跟进事项。")
            if j % 2 == 0:
                services.rate_booking(actor=youth, booking_id=b.pk, score=5 - (i + j) % 3, now=past.ends_at + timedelta(hours=2),
                                      comment=comments[(i + j) % len(comments)])
            made += 1
        if len(future) < 5:
            continue
        y = youths
        services.request_booking(user=y[0], slot_id=future[0].pk, note=notes[0])  # stays pending
        confirmed = services.request_booking(user=y[1 % len(y)], slot_id=future[1].pk, note=notes[1])
        services.confirm_booking(actor=admin, booking_id=confirmed.pk)
        declined = services.request_booking(user=y[2 % len(y)], slot_id=future[2].pk, note=notes[2])
        services.decline_booking(actor=admin, booking_id=declined.pk, reason="当天咨询师外出培训，请改约下周")
        cancelled = services.request_booking(user=y[3 % len(y)], slot_id=future[3].pk)
        services.cancel_booking(actor=y[3 % len(y)], booking_id=cancelled.pk)
        # a request nobody answered: escalated, then expired when its slot began
        stale = _past_slot(station, 1, 15)
        services.request_booking(user=y[0], slot_id=stale.pk, note="想了解创业补贴",
                                           now=stale.starts_at - timedelta(hours=20))
        services.escalate_overdue(now=stale.starts_at - timedelta(hours=2))
        services.expire_stale(now=stale.starts_at + timedelta(minutes=1))
        made += 5
    return made
