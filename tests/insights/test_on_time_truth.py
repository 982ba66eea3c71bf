"""One stored truth for "answered on time": a reopen moves the question's deadline, but KPIs and
expert statistics keep reading the verdict stored when each answer was written."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from alliances import selectors as alliance_selectors
from alliances.sources import community_sources
from community import services as qa
from insights import services
from insights.models import DailyOrgMetric, DailyPersonMetric
from tests.alliances.conftest import make_expert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _figures(day, org, expert_user, since, until):
    services.aggregate_day(day)
    org_row = DailyOrgMetric.objects.get(day=day, organization=org, subtree=False)
    person = DailyPersonMetric.objects.get(day=day, user=expert_user)
    stats = alliance_selectors.expert_statistics(sources=community_sources(), since=since, until=until)[expert_user.pk]
    return {"questions_on_time": org_row.questions_on_time, "questions_answered": org_row.questions_answered,
            "person_on_time": person.on_time, "person_first_responses": person.first_responses,
            "expert_answers": stats.answers, "expert_on_time": stats.on_time}


def test_a_reopened_question_leaves_kpis_and_expert_statistics_unchanged(tree):
    expert = make_expert(tree.tianhe)
    asker = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    tz = timezone.get_current_timezone()
    day = datetime(2026, 3, 3).date()  # a Tuesday: the 3-hour working-day window
    since, until = datetime(2026, 3, 1, tzinfo=tz), datetime(2026, 4, 1, tzinfo=tz)
    with freeze_time(datetime(2026, 3, 3, 10, 0, tzinfo=tz)):
        late = qa.ask_question(asker=asker, title="劳动合同到期不续签有补偿吗", body="", domain="legal")
        on_time = qa.ask_question(asker=asker, title="试用期被辞退可以要求赔偿吗", body="", domain="legal")
    with freeze_time(datetime(2026, 3, 3, 11, 0, tzinfo=tz)):
        qa.answer_question(actor=expert.user, question=on_time, body="可以，试用期内无正当理由辞退需支付赔偿金。" * 2)
    with freeze_time(datetime(2026, 3, 3, 15, 0, tzinfo=tz)):  # after the 13:00 deadline
        qa.answer_question(actor=expert.user, question=late, body="到期不续签，用人单位应支付经济补偿金。" * 2)
    late.refresh_from_db()
    assert late.answered_on_time is False
    with freeze_time(datetime(2026, 3, 3, 16, 0, tzinfo=tz)):
        before = _figures(day, tree.tianhe, expert.user, since, until)
    assert before["questions_on_time"] == 1 and before["person_on_time"] == 1 and before["expert_on_time"] == 1

    # the asker says "not solved": the question reopens with a new deadline later than the old answer
    with freeze_time(datetime(2026, 3, 3, 16, 0, tzinfo=tz)):
        qa.mark_outcome(actor=asker, question=late, outcome="not_solved")
    late.refresh_from_db()
    assert late.deadline_at > datetime(2026, 3, 3, 15, 0, tzinfo=tz) and late.reopen_count == 1
    with freeze_time(datetime(2026, 3, 3, 16, 30, tzinfo=tz)):
        after = _figures(day, tree.tianhe, expert.user, since, until)
    assert after == before
