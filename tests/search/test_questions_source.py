"""Questions are one of the searched sources: found by 2-character Chinese words, held ones hidden,
and offered as similar questions while asking."""

from datetime import timedelta

from django.utils import timezone

from community.services import ask_question
from tests.factories import UserFactory


def test_questions_are_searchable_and_similar(tree, client):
    asker = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    q = ask_question(asker=asker, title="青年创业补贴政策什么时候发放", body="我在天河区注册了公司", domain="entrepreneurship")
    ask_question(asker=asker, title="考研复试需要准备哪些材料", body="", domain="employment")
    r = client.get("/api/search/", {"q": "创业", "type": "question"})
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["items"]] == [q.pk]
    r = client.get("/api/search/similar", {"q": "创业补贴怎么申请"})
    assert r.status_code == 200
    assert q.pk in [i["id"] for i in r.json()]


def test_similar_questions_ignore_function_words(tree, client):
    """A question sharing only "怎么办" with the text must not rank first (nor at all); the one that
    shares the content words does."""
    asker = UserFactory(organization=tree.tianhe, date_joined=timezone.now() - timedelta(days=90))
    only_function = ask_question(asker=asker, title="怎么办怎么办怎么办", body="怎么办", domain="psychology")
    ask_question(asker=asker, title="宿舍太吵怎么办", body="室友每天打游戏", domain="psychology")
    match = ask_question(asker=asker, title="档案转接去哪里办理", body="毕业后档案转接到人才市场", domain="employment")
    r = client.get("/api/search/similar", {"q": "毕业档案转接怎么办"})
    assert r.status_code == 200
    ids = [i["id"] for i in r.json()]
    assert ids and ids[0] == match.pk
    assert only_function.pk not in ids
    assert client.get("/api/search/similar", {"q": "怎么办？可以吗"}).json() == []
