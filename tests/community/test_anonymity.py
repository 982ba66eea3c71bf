"""Issue 25, finding 4: an anonymous asker is named nowhere that others can read.

One anonymous question with everything that can carry the asker's name — a timeline (asked,
answered, outcome, reopened), comments by the asker on the question and on another youth's answer,
an answer by the asker, an invitation sent by the asker, a notification the asker's comment sends
to another youth — then every representation rendered as an anonymous visitor, as another youth and
as the invited expert: the API detail (cached and uncached) and list, the question page and the
feed, the search page and API, the notifications API and page, the invitations page and API,
Wagtail API v2 and the staff exports / moderation queue (refused to them). The asker's display
name, username and phone appear in none of them. The asker and the question's staff (the one rule,
community.selectors.Names) still see "<name>（匿名）"."""

import json

import pytest
from django.core.cache import cache

from community import services
from community.models import Question
from organizations.models import StaffRole
from tests.factories import UserFactory

SECRETS = ("阿华", "ahua_secret", "13812345678", "138****5678")


@pytest.fixture
def scene(tree, make_staff, expert, django_capture_on_commit_callbacks):
    cache.clear()
    asker = UserFactory(username="ahua_secret", display_name="阿华", phone="13812345678", organization=tree.tianhe)
    other = UserFactory(username="xiaolin", display_name="小林", organization=tree.tianhe)
    staff = make_staff(tree.tianhe, StaffRole.DUTY)
    with django_capture_on_commit_callbacks(execute=True):  # search indexing runs on commit
        q = services.ask_question(asker=asker, title="劳动合同到期公司不续签有没有补偿", domain="legal",
                                  body="在天河区一家公司做了两年，合同下个月到期，公司说不续签。", is_anonymous=True)
        peer = services.answer_question(actor=other, question=q, body="我去年也遇到过，公司不续签是要给经济补偿的。")
        services.add_comment(actor=asker, question=q, answer=peer, body="谢谢，请问补偿怎么算？")  # notifies `other`
        services.add_comment(actor=asker, question=q, body="补充一下：我是劳动合同到期，不是辞职。")
        services.answer_question(actor=asker, question=q, body="自己补充：公司提出不续签，我查到可以要补偿。")
        services.answer_question(actor=staff, question=q, body="劳动合同到期用人单位不续签的，应支付经济补偿。")
        services.invite(actor=asker, question=q, invitee=expert, message="想请律师看看")
        services.mark_outcome(actor=asker, question=q, outcome="not_solved", rating=2)  # outcome + reopened events
    return {"q": Question.objects.get(pk=q.pk), "asker": asker, "other": other, "staff": staff, "expert": expert}


def _text(r) -> str:
    """The response as a reader sees it (JSON may escape non-ASCII characters as \\uXXXX)."""
    if r.get("Content-Type", "").startswith("application/json"):
        return json.dumps(r.json(), ensure_ascii=False)
    return r.content.decode("utf-8-sig", "replace")


def _clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} shown in {where}"


def _pages(q):
    return [f"/api/community/questions/{q.pk}/", "/api/community/questions/?limit=100", f"/qa/{q.pk}/", "/qa/",
            "/search/?q=劳动合同", "/api/search/?q=劳动合同&limit=50", "/api/search/?q=补偿&type=answer",
            "/api/search/similar?q=劳动合同到期不续签", "/api/v2/pages/?limit=20",
            "/admin/moderation/queue/", "/admin/insights/?export=csv&table=cadre",
            "/alliances/statistics/?format=csv", "/api/notifications/", "/notifications/", f"/api/community/users/{q.asker_id}/stats/"]


def test_every_representation_hides_the_anonymous_asker(scene, client_for):
    q = scene["q"]
    assert q.events.filter(actor=scene["asker"]).count() == 3  # asked, outcome, reopened: all by the asker
    for viewer in (None, scene["other"], scene["expert"]):
        c = client_for(viewer)
        for url in _pages(q) * 2:  # twice: the second API detail is the cached one
            r = c.get(url)
            assert r.status_code < 500, url
            _clean(_text(r), f"{url} as {viewer}")
    detail = client_for(scene["other"]).get(f"/api/community/questions/{q.pk}/").json()
    assert detail["asker"] == "匿名青年"
    assert [c["author"] for c in detail["comments"]] == ["匿名青年"]
    assert {a["author"] for a in detail["answers"]} == {"小林", "匿名青年", scene["staff"].public_name}
    assert [c["author"] for a in detail["answers"] for c in a["comments"]] == ["匿名青年"]
    assert [e["actor"] for e in detail["events"] if e["kind"] in ("asked", "outcome", "reopened")] == ["匿名青年"] * 3

    other = client_for(scene["other"])
    notices = other.get("/api/notifications/").json()["results"]
    assert any(n["title"].startswith("匿名青年 评论了") for n in notices)
    _clean(other.get("/notifications/").content.decode(), "the notification centre")
    expert = client_for(scene["expert"])
    invitations = expert.get("/api/community/invitations/").json()["items"]
    assert [i["inviter"] for i in invitations] == ["匿名青年"]
    _clean(expert.get("/qa/invitations/").content.decode(), "the invitations page")


def test_the_asker_and_the_questions_staff_still_see_the_name(scene, client_for, make_staff, tree):
    q = scene["q"]
    for who in (scene["asker"], scene["staff"]):
        c = client_for(who)
        c.get(f"/api/community/questions/{q.pk}/")  # fill the cache with the public payload first
        detail = c.get(f"/api/community/questions/{q.pk}/").json()
        assert detail["asker"] == "阿华（匿名）"
        assert [x["author"] for x in detail["comments"]] == ["阿华（匿名）"]
        assert "阿华（匿名）" in {a["author"] for a in detail["answers"]}
        assert "阿华（匿名）" in [e["actor"] for e in detail["events"]]
    assert "阿华（匿名）" in client_for(scene["staff"]).get(f"/qa/{q.pk}/").content.decode()
    outsider = make_staff(tree.shenzhen, StaffRole.DUTY)  # staff elsewhere have no need to know
    _clean(_text(client_for(outsider).get(f"/api/community/questions/{q.pk}/")), "another city's staff")
