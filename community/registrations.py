"""What community plugs into the apps below it (they do not import community). Called from
CommunityConfig.ready().

- accounts.hooks.personal_data["community"]: the user's questions, answers and comments in their
  personal-data copy; after an account closes, the cached pages of their posts are dropped (the
  posts stay, under the closed account's name).
- stations.hooks.question_referral: POST /api/stations/referrals takes the Q&A app's one referral path
  (services.refer_question_by_id)."""


def _iso(value):
    return value.isoformat() if value else None


def export_personal_data(user) -> dict:
    from .models import Answer, Comment, Question

    return {
        "questions": [{"id": q.pk, "title": q.title, "body": q.body, "asked_at": _iso(q.asked_at),
                       "anonymous": q.is_anonymous}
                      for q in Question.objects.filter(asker=user).order_by("pk")],
        "answers": [{"id": a.pk, "question": a.question_id, "body": a.body, "created_at": _iso(a.created_at)}
                    for a in Answer.objects.filter(author=user).order_by("pk")],
        "comments": [{"id": c.pk, "question": c.question_id, "body": c.body}
                     for c in Comment.objects.filter(author=user).order_by("pk")],
    }


def invalidate_posts(user_id: int) -> None:
    from . import cache as qa_cache
    from .models import Answer, Question

    ids = set(Question.objects.filter(asker_id=user_id).values_list("pk", flat=True))
    ids |= set(Answer.objects.filter(author_id=user_id).values_list("question_id", flat=True))
    for pk in ids:
        qa_cache.invalidate(pk)


def register() -> None:
    from accounts.hooks import register_personal_data

    register_personal_data("community", export=export_personal_data, after_close=invalidate_posts)

    from stations import hooks as station_hooks

    from .services import refer_question_by_id

    # POST /api/stations/referrals takes the Q&A app's one referral path
    station_hooks.question_referral.register(refer_question_by_id)
