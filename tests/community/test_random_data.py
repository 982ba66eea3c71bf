from django.core.management import call_command
from django.db.models import Count, F

from community.models import Answer, Question


def test_create_random_data_is_consistent(tree, tags):
    call_command("create_random_data", questions=120, batch=50, users=5)
    assert Question.objects.count() == 120
    mismatched = Question.objects.annotate(n=Count("answers")).exclude(answer_count=F("n"))
    assert not mismatched.exists()
    assert Answer.objects.count() == sum(Question.objects.values_list("answer_count", flat=True))
    q = Question.objects.order_by("pk").first()
    assert q.deadline_hours in (3, 12) and q.remind_at < q.deadline_at
    call_command("create_random_data", questions=10, no_copy=True, users=5, seed=2)
    assert Question.objects.count() == 130

