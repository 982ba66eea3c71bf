"""Two staff answer the same question at the same moment: exactly one answer stops the clock."""

import threading

import pytest
from django.db import connection

from community import services
from community.models import Answer, Question
from organizations.models import StaffRole
from tests.conftest import build_tree
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_answers_stop_the_clock_once(make_staff):
    tree = build_tree()
    youth = UserFactory(organization=tree.tianhe)
    q = services.ask_question(asker=youth, title="两个值班员同时回答的问题", domain="league")
    staff = [make_staff(tree.tianhe, StaffRole.DUTY) for _ in range(4)]
    barrier = threading.Barrier(len(staff))
    errors = []

    def answer(user):
        try:
            barrier.wait()
            services.answer_question(actor=user, question=Question.objects.get(pk=q.pk), body=f"{user.pk} 的回答内容")
        except Exception as exc:  # noqa: BLE001 - reported below  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(u,)) for u in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    q.refresh_from_db()
    assert Answer.objects.filter(question=q).count() == 4 and q.answer_count == 4
    assert Answer.objects.filter(question=q, stops_clock=True).count() == 1
    assert q.status == "answered"
