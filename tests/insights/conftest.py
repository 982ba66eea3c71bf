"""A hand-built day of activity with known answers, built once per test module.

Day D = 2026-03-10 (a Tuesday, Asia/Shanghai). Every figure the tests expect is derived by hand in
the comments below; see tests/insights/test_aggregation.py.

    questions asked on D:  q1 天河 10:00 → staff 10:30 (30 min, on time), accepted, solved ★5
                           q2 天河 11:00 → expert 15:00 (240 min, late: due 14:00), partly ★3
                           q3 天河 12:00 → unanswered
                           q4 越秀 09:30 → peer 10:00 (does not stop the clock), liaison as official
                                          account 10:30 (60 min, on time)
                           q5 南山 20:00 → cadre expert 22:00 (120 min, on time, due D+1 09:00)
                           q6 天河 removed (not counted)
    asked on D-1:          q7 天河 23:00 → staff D 00:30 (90 min, on time): an answer on D, not in D's cohort
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

D = date(2026, 3, 10)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(D.year, D.month, D.day, hour, minute) + timedelta(days=day_offset))


@dataclass
class World:
    tree: object
    staff_t: object
    liaison_gz: object
    expert_e: object
    cadre_c: object
    station_admin: object
    youth1: object
    youth2: object
    youth3: object
    sz_admin: object
    gz_admin: object
    province_admin: object
    tianhe_duty: object


def build_world() -> World:
    from alliances.models import AllianceMembership, ExpertKind
    from appeals.models import Appeal, AppealEvent
    from community.models import Answer, Comment, Invitation, Question
    from organizations.models import StaffRole
    from organizations.services import add_staff
    from stations.models import Booking, ServiceSlot
    from tests.alliances.conftest import make_alliance, make_expert
    from tests.conftest import build_tree
    from tests.factories import UserFactory
    from tests.stations.conftest import make_station

    tree = build_tree()

    def staff(org, role, **kw):
        user = UserFactory(**kw)
        add_staff(actor=None, user=user, organization=org, role=role)
        return user

    staff_t = staff(tree.tianhe, StaffRole.DUTY, real_name="值班员甲")
    tianhe_duty = staff_t
    liaison_gz = staff(tree.guangzhou, StaffRole.LIAISON, real_name="联络员乙")
    gz_admin = staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    sz_admin = staff(tree.shenzhen, StaffRole.ORG_ADMIN)
    province_admin = staff(tree.province, StaffRole.ORG_ADMIN)
    expert_e = make_expert(tree.guangzhou, name="王律师").user
    cadre_c = make_expert(tree.tianhe, name="李团干", kind=ExpertKind.CADRE_PART).user
    youth1 = UserFactory(organization=tree.tianhe, date_joined=at(0, 10))
    youth2 = UserFactory(organization=tree.yuexiu, date_joined=at(-5, 10), last_login=at(0, 12))
    youth3 = UserFactory(organization=tree.nanshan, date_joined=at(0, 11))
    station_admin = UserFactory()

    def question(org, asker, asked, hours=3, first=None, on_time=None, **kw):
        return Question.objects.create(
            asker=asker, title="问题", body="", domain="legal", organization=org, asked_at=asked,
            clock_started_at=asked, remind_at=asked + timedelta(hours=hours * 2 / 3),
            deadline_at=asked + timedelta(hours=hours), deadline_hours=hours, first_answered_at=first,
            answered_on_time=on_time, last_activity_at=asked, status="answered" if first else kw.pop("status", "open"),
            **kw)

    def answer(q, author, role, created, stops=True):
        a = Answer.objects.create(question=q, author=author, role=role, body="回答", stops_clock=stops, created_at=created)
        Question.objects.filter(pk=q.pk).update(answer_count=q.answer_count + 1)
        q.answer_count += 1
        return a

    q1 = question(tree.tianhe, youth1, at(0, 10), first=at(0, 10, 30), on_time=True)
    q2 = question(tree.tianhe, youth1, at(0, 11), first=at(0, 15), on_time=False)
    question(tree.tianhe, youth1, at(0, 12))
    q3 = Question.objects.get(asked_at=at(0, 12))
    q4 = question(tree.yuexiu, youth2, at(0, 9, 30), first=at(0, 10, 30), on_time=True)
    q5 = question(tree.nanshan, youth3, at(0, 20), hours=12, first=at(0, 22), on_time=True)
    question(tree.tianhe, youth1, at(0, 13), status="removed")
    q7 = question(tree.tianhe, youth1, at(-1, 23), hours=12, first=at(0, 0, 30), on_time=True)

    a1 = answer(q1, staff_t, "staff", at(0, 10, 30))
    answer(q2, expert_e, "expert", at(0, 15))
    answer(q4, youth1, "peer", at(0, 10), stops=False)
    answer(q4, liaison_gz, "organization", at(0, 10, 30))
    answer(q5, cadre_c, "expert", at(0, 22))
    answer(q7, staff_t, "staff", at(0, 0, 30))
    Question.objects.filter(pk=q1.pk).update(accepted_answer=a1, outcome="solved", outcome_rating=5,
                                             outcome_at=at(0, 15), status="closed")
    Question.objects.filter(pk=q2.pk).update(outcome="partly", outcome_rating=3, outcome_at=at(0, 16))

    c1 = Comment.objects.create(question=q1, author=youth1, body="谢谢")
    c2 = Comment.objects.create(question=q2, author=staff_t, body="补充")
    Comment.objects.filter(pk__in=[c1.pk, c2.pk]).update(created_at=at(0, 16))

    inv1 = Invitation.objects.create(question=q2, invitee=expert_e, inviter=staff_t, status="answered",
                                     responded_at=at(0, 11, 20), answered_at=at(0, 15))
    inv2 = Invitation.objects.create(question=q3, invitee=cadre_c, inviter=staff_t, status="declined",
                                     responded_at=at(0, 12, 30))
    Invitation.objects.filter(pk=inv1.pk).update(created_at=at(0, 11, 10))
    Invitation.objects.filter(pk=inv2.pk).update(created_at=at(0, 12, 5))

    # Bookings at 天河's station: b1 answered in 20 min, served, rated 4; b2 answered late; b3 pending.
    station = make_station(tree.tianhe, admins=[station_admin])
    service = station.services.first()
    slot = ServiceSlot.objects.create(service=service, station=station, starts_at=at(1, 14), ends_at=at(1, 15),
                                      capacity=5, booked=2)
    Booking.objects.create(slot=slot, station=station, user=youth1, status="completed", requested_at=at(0, 10),
                           respond_by=at(0, 11), responded_at=at(0, 10, 20), responded_by=station_admin,
                           completed_at=at(0, 16), completed_by=station_admin, rating=4, rated_at=at(0, 18))
    Booking.objects.create(slot=slot, station=station, user=youth2, status="declined", requested_at=at(0, 10, 30),
                           respond_by=at(0, 11, 30), responded_at=at(0, 12), responded_by=station_admin)
    Booking.objects.create(slot=slot, station=station, user=youth3, status="pending", requested_at=at(0, 20),
                           respond_by=at(1, 8))

    # An expert joins 广州's legal alliance on D.
    alliance = make_alliance(tree.guangzhou)
    from alliances.models import ExpertProfile

    AllianceMembership.objects.create(alliance=alliance, expert=ExpertProfile.objects.get(user=expert_e),
                                      status="active", decided_at=at(0, 9))

    # Appeals run by 广州: A opened on D, visited (satisfied) and archived on D; B (opened D-10, an
    # overdue step on D-2) sent back and withdrawn on D; C (opened D-20) visited "not satisfied" on D.
    def appeal(created):
        a = Appeal.objects.create(kind="individual", organization=tree.guangzhou, theme="诉求")
        Appeal.objects.filter(pk=a.pk).update(created_at=created)
        return a

    def event(a, action, frm, to, when, **data):
        e = AppealEvent.objects.create(appeal=a, action=action, from_state=frm, to_state=to, data=data)
        AppealEvent.objects.filter(pk=e.pk).update(created_at=when)

    a, b, c = appeal(at(0, 9)), appeal(at(-10, 9)), appeal(at(-20, 9))
    event(a, "return_visit", "awaiting_visit", "visited", at(0, 14), rating="satisfied")
    event(a, "archive", "visited", "archived", at(0, 15))
    event(b, "overdue", "in_progress", "in_progress", at(-2, 9))
    event(b, "send_back_result", "result_recorded", "in_progress", at(0, 10))
    event(b, "withdraw", "in_progress", "withdrawn", at(0, 11))
    event(c, "return_visit", "awaiting_visit", "proposed", at(0, 12), rating="not_satisfied")

    return World(tree, staff_t, liaison_gz, expert_e, cadre_c, station_admin, youth1, youth2, youth3, sz_admin,
                 gz_admin, province_admin, tianhe_duty)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The day's activity and its aggregation, built once per module and rolled back after it."""
    from insights.services import aggregate_range

    with django_db_blocker.unblock():
        with transaction.atomic():
            w = build_world()
            aggregate_range(D - timedelta(days=1), D)
            yield w
            transaction.set_rollback(True)
