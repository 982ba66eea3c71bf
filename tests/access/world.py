"""One fixture world for the access matrix: the shared organisation tree, one user per column of
the matrix and one resource of each kind, owned by the "own" organisation (广州), so that every
path parameter of every endpoint and admin view can be filled in.

    广东 (parent) ── 广州 (own) ── 天河区 (child)
                 └─ 深圳 (sibling)
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.utils import timezone

# The positions of a staff member relative to the resource's organisation, and the roles tried there.
POSITIONS = ("own", "parent", "sibling", "child")
STAFF_ROLES = {"admin": "org_admin", "liaison": "liaison", "moderator": "moderator"}  # organizations.models.StaffRole

# Every column of the matrix, in the order the doc shows them.
PEOPLE = ("anon", "author", "youth", "expert", "station", "ops")
COLUMNS = PEOPLE + tuple(f"{role}@{pos}" for role in STAFF_ROLES for pos in POSITIONS)


@dataclass
class World:
    tree: object
    users: dict = field(default_factory=dict)  # column -> user (None for anon)
    ids: dict = field(default_factory=dict)  # path parameter name -> value
    clients: dict = field(default_factory=dict)  # column -> logged-in django.test.Client (the test fills it)


def _org(tree, position):
    return {"own": tree.guangzhou, "parent": tree.province, "sibling": tree.shenzhen, "child": tree.tianhe}[position]


def build_world() -> World:  # imports inside: policy.py and the doc generator load without Django
    from alliances.models import AllianceIndexPage, AllianceMembership, AlliancePage
    from alliances.services import create_member_organization, register_expert
    from appeals import services as appeals
    from appeals.domain.workflow import Role as AppealRole
    from appeals.models import AppealHandler, AppealStepDeadline
    from community import services as qa
    from community.models import QuestionTag
    from home.models import (
        ActivityIndexPage,
        ActivityPage,
        ArticleIndexPage,
        ArticlePage,
        BranchHomePage,
        ContestCandidate,
        ContestIndexPage,
        ContestPage,
        ServiceLink,
    )
    from home.services import sign_up
    from moderation import services as moderation
    from moderation.models import Alert, AllowedWord, ModerationCase, SensitiveWord
    from notifications.models import Notification
    from notifications.services import notify
    from organizations.models import CalendarOverride, DutyShift, StaffMembership
    from organizations.services import add_staff
    from search.models import DictionaryTerm
    from stations import services as stations
    from stations.models import ServiceSlot
    from tests.conftest import build_tree
    from tests.factories import UserFactory

    tree = build_tree()
    own = tree.guangzhou
    w = World(tree=tree)
    u = w.users
    u["anon"] = None
    u["author"] = UserFactory(username="mx_author", organization=own, real_name="李青")
    u["youth"] = UserFactory(username="mx_youth", organization=own)
    u["expert"] = UserFactory(username="mx_expert", organization=own)
    u["station"] = UserFactory(username="mx_station")
    u["ops"] = UserFactory(username="mx_ops")
    appeals.add_handler(actor=None, user=u["ops"], organization=own, role=AppealRole.OPS)
    for role_name, role in STAFF_ROLES.items():
        for pos in POSITIONS:
            user = UserFactory(username=f"mx_{role_name}_{pos}")
            add_staff(actor=None, user=user, organization=_org(tree, pos), role=role)
            u[f"{role_name}@{pos}"] = user
    # Alliances' admin viewsets need model permissions: every staff column holds them (a group), so
    # the matrix shows that the per-row views still stop at the subtree.
    from django.contrib.auth.models import Group, Permission

    alliance_admins = Group.objects.create(name="联盟管理（矩阵）")
    alliance_admins.permissions.set(Permission.objects.filter(
        content_type__app_label="alliances", content_type__model__in=["expertprofile", "memberorganization",
                                                                      "alliancemembership"],
        codename__regex=r"^(view|change|delete)_"))
    for key, user in u.items():
        if "@" in key:
            user.groups.add(alliance_admins)

    # Q&A: a question by the author, answered and commented on by another youth, an expert invited.
    QuestionTag.objects.create(name="劳动合同", slug="labor")
    expert = register_expert(actor=None, user=u["expert"], real_name="王律师", domains=["legal"], title="律师",
                             organization=own)
    question = qa.ask_question(asker=u["author"], title="实习期间公司不签劳动合同怎么办", body="入职两个月了还没有合同。",
                               domain="legal", organization=own)
    answer = qa.answer_question(actor=u["youth"], question=question, body="可以先向公司书面要求签订劳动合同，保留证据。")
    qa.add_comment(actor=u["youth"], question=question, body="我也遇到过同样的问题")
    invitation = qa.invite(actor=u["author"], question=question, invitee=u["expert"])

    # Stations: a station of 广州 with its admin, a booking by the author.
    station = stations.create_station(
        actor=None, organization=own, title="广州青年之家", address="广州市越秀区府前路 1 号",
        latitude="23.129", longitude="113.264",
        services=[{"name": "心理咨询", "duration_minutes": 60, "slot_capacity": 3}],
        hours={d: [(time(9), time(12)), (time(14), time(18))] for d in range(7)}, admins=[u["station"]],
        follows_public_holidays=False,
    )
    stations.generate_slots(station=station, days=7)
    slot = ServiceSlot.objects.filter(station=station, starts_at__gt=timezone.now() + timedelta(hours=2)).first()
    booking = stations.request_booking(user=u["author"], slot_id=slot.pk)

    # Alliances: an alliance of 广州, the expert a member, a member organisation.
    branch = BranchHomePage.objects.get(organization=own)
    index = AllianceIndexPage(title="服务联盟", slug="alliances")
    branch.add_child(instance=index)
    alliance = AlliancePage(title="广州法律服务联盟", slug="legal", organization=own, domain="legal",
                            intro="联盟简介", charter="<p>章程</p>")
    index.add_child(instance=alliance)
    membership = AllianceMembership.objects.create(alliance=alliance, expert=expert, status="active")
    member_org = create_member_organization(actor=None, organization=own, name="广州青年律师协会", kind="social")

    # Appeals: the author asks for help; 广州 runs the mechanism (its ops group).
    appeal = appeals.request_help(actor=u["author"], theme="欠薪求助", details="公司拖欠三个月工资，多次催讨无果。",
                                  consent=True, organization=own)
    handler = AppealHandler.objects.get(user=u["ops"])
    step_deadline = AppealStepDeadline.objects.first() or AppealStepDeadline.objects.create(
        kind="individual", state="received", working_days=1)

    # Moderation: a report on the answer opens a case; a sanction; a monitoring alert.
    moderation.report_content(reporter=u["author"], obj=answer, reason="spam")
    case = ModerationCase.objects.get(object_id=answer.pk, content_type__model="answer")
    sanction = moderation.impose_sanction(moderator=u["moderator@own"], user=UserFactory(username="mx_muted"),
                                          organization=own, kind="mute", hours=1, reason="刷屏")
    now = timezone.now()
    alert = Alert.objects.create(kind="concentrated", organization=own, title="集中诉求：欠薪", terms=["欠薪"],
                                 window_start=now - timedelta(days=1), window_end=now, fingerprint="mx:gz:wage")
    sensitive = SensitiveWord.objects.create(word="测试敏感词")
    allowed = AllowedWord.objects.create(word="测试白名单")
    term = DictionaryTerm.objects.create(term="青年之家")
    link = ServiceLink.objects.create(title="志愿汇", url="https://example.org/")
    override = CalendarOverride.objects.create(date=date(2031, 1, 2), is_workday=True)
    shift = DutyShift.objects.create(organization=own, user=u["liaison@own"], starts_at=now, ends_at=now + timedelta(hours=8))
    staff_membership = StaffMembership.objects.get(user=u["liaison@own"])
    from accounts.models import PersonalDataAccess
    from insights.models import TrainingRecord

    access = PersonalDataAccess.objects.create(viewer=u["admin@own"], subject=u["author"], fields="phone",
                                               where="/admin/users/")

    training = TrainingRecord.objects.create(user=u["liaison@own"], organization=own, title="青年之声平台操作培训",
                                             held_on=date(2026, 3, 5), hours=2)

    from insights.models import AwardRound, PromotionActivity

    promotion = PromotionActivity.objects.create(organization=own, kind="media", title="广州日报专题报道",
                                                 held_on=date(2026, 3, 5), reach=5000, liaison=u["liaison@own"])
    award_round = AwardRound.objects.create(organization=own, year=2026, title="广州2026年度评优表彰")

    notify(recipients=[u["author"]], kind="answer", title="你的问题有了新回答")
    notification = Notification.objects.filter(recipient=u["author"]).latest("pk")

    # Content: an article, an activity open for sign-up and a contest open for voting, in 广州's branch.
    articles = ArticleIndexPage(title="团青资讯", slug="news")
    branch.add_child(instance=articles)
    article = ArticlePage(title="广州启动青年之声服务周", slug="week", summary="集中服务一周")
    articles.add_child(instance=article)
    activities = ActivityIndexPage(title="主题活动", slug="activities")
    branch.add_child(instance=activities)
    activity = ActivityPage(title="青年志愿服务行动", slug="act", starts_at=now + timedelta(days=10), location="广州市青少年宫",
                            capacity=10, signup_enabled=True)
    activities.add_child(instance=activity)
    contests = ContestIndexPage(title="推优评选", slug="contests")
    branch.add_child(instance=contests)
    contest = ContestPage(title="最美青年推选", slug="contest", voting_starts_at=now - timedelta(days=1),
                          voting_ends_at=now + timedelta(days=5), results_visibility="always")
    contest.candidates.add(ContestCandidate(name="林晓彤", sort_order=0))
    contests.add_child(instance=contest)

    sign_up(actor=u["author"], activity_id=activity.pk, name="李青", phone="13912345678")

    w.ids.update(
        org_id=own.pk, child_org_id=tree.tianhe.pk, author_id=u["author"].pk, youth_id=u["youth"].pk,
        expert_user_id=u["expert"].pk, question_id=question.pk, answer_id=answer.pk, invitation_id=invitation.pk,
        user_id=u["author"].pk, activity_id=activity.pk, contest_id=contest.pk, page_id=article.pk,
        candidate_id=contest.candidates.first().pk,
        station_id=station.pk, booking_id=booking.pk, slot_id=slot.pk,
        expert_id=expert.pk, membership_id=membership.pk, alliance_id=alliance.pk, member_org_id=member_org.pk,
        appeal_id=appeal.pk, case_id=case.pk, sanction_id=sanction.pk, alert_id=alert.pk,
        notification_id=notification.pk,
        handler_id=handler.pk, step_deadline_id=step_deadline.pk, sensitive_id=sensitive.pk, allowed_id=allowed.pk,
        term_id=term.pk, link_id=link.pk, override_id=override.pk, tag_id=QuestionTag.objects.get().pk,
        shift_id=shift.pk, staff_membership_id=staff_membership.pk, training_id=training.pk,
        cadre_user_id=u["liaison@own"].pk, access_id=access.pk, promotion_id=promotion.pk, round_id=award_round.pk,
    )
    return w
