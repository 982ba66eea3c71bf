"""The youth-facing pages through the real stack: feed filters, ask form, question page actions."""

from community import services
from community.models import Answer, Question, QuestionTag
from notifications.models import Notification
from organizations.models import StaffRole
from tests.factories import UserFactory


def test_feed_filters_by_branch_domain_tag_and_sort(tree, youth, client_for, tags):
    a = services.ask_question(asker=youth, title="天河区实习合同问题", domain="legal", tags=["实习"])
    b = services.ask_question(asker=youth, title="南山区创业补贴问题", domain="entrepreneurship", organization=tree.nanshan)
    services.answer_question(actor=UserFactory(), question=b, body="同问，我也想知道。")
    c = client_for()
    html = c.get("/qa/").content.decode()
    assert a.title in html and b.title in html
    html = c.get("/qa/", {"branch": "guangzhou"}).content.decode()
    assert a.title in html and b.title not in html
    html = c.get("/qa/", {"org": tree.nanshan.pk}).content.decode()
    assert b.title in html and a.title not in html
    assert b.title not in c.get("/qa/", {"domain": "legal"}).content.decode()
    assert b.title not in c.get("/qa/", {"tag": "intern"}).content.decode()
    html = c.get("/qa/", {"sort": "unanswered"}).content.decode()
    assert a.title in html and b.title not in html
    assert c.get("/qa/", {"sort": "bogus", "cursor": "%%%", "domain": "nope"}).status_code == 200


def test_ask_form_requires_login_and_creates_a_question(tree, youth, client_for, tags):
    assert client_for().get("/qa/ask/").status_code == 302
    c = client_for(youth)
    assert c.get("/qa/ask/").status_code == 200
    r = c.post("/qa/ask/", {"title": "短", "domain": "legal"})
    assert r.status_code == 200 and "内容太短" in r.content.decode()
    assert not Question.objects.exists()
    r = c.post("/qa/ask/", {"title": "在天河区租房押金被扣怎么办", "body": "房东扣了一半押金", "domain": "legal",
                            "tags": ["实习"], "is_anonymous": "on"})
    q = Question.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/qa/{q.pk}/"
    assert q.is_anonymous and [t.name for t in q.tags.all()] == ["实习"]
    page = client_for().get(r["Location"]).content.decode()
    assert "匿名青年" in page and youth.public_name not in page


def test_question_page_actions(tree, youth, client_for, make_staff, expert):
    q = services.ask_question(asker=youth, title="团组织关系转接到哪里", domain="league")
    staff = make_staff(tree.tianhe, StaffRole.DUTY)
    s = client_for(staff)
    page = s.get(f"/qa/{q.pk}/").content.decode()
    assert 'id="d-reason"' in page and 'id="to-org"' not in page  # a district has nothing below it to transfer to
    assert 'id="to-org"' in client_for(make_staff(tree.guangzhou, StaffRole.LIAISON)).get(f"/qa/{q.pk}/").content.decode()
    assert 'id="d-reason"' not in client_for(youth).get(f"/qa/{q.pk}/").content.decode()
    r = s.post(f"/qa/{q.pk}/answer/", {"body": "请在智慧团建系统中发起转接。", "as_organization": tree.tianhe.pk})
    assert r.status_code == 302
    a = Answer.objects.get()
    assert a.as_organization == tree.tianhe and a.author == staff and a.stops_clock
    y = client_for(youth)
    y.post(f"/qa/{q.pk}/comment/", {"body": "谢谢！", "answer": a.pk})
    y.post(f"/qa/{q.pk}/like/", {"answer": a.pk})
    y.post(f"/qa/{q.pk}/accept/", {"answer": a.pk})
    q.refresh_from_db()
    a.refresh_from_db()
    assert q.accepted_answer == a and a.like_count == 1 and a.comment_count == 1
    assert Notification.objects.filter(recipient=staff, kind="comment").exists()
    # a service error shows as a message, not a 500
    r = client_for(UserFactory()).post(f"/qa/{q.pk}/accept/", {"answer": a.pk}, follow=True)
    assert r.status_code == 200 and "只有提问者可以采纳回答" in r.content.decode()
    y.post(f"/qa/{q.pk}/outcome/", {"outcome": "solved", "rating": "5"})
    q.refresh_from_db()
    assert q.status == "closed" and q.outcome_rating == 5
    page = client_for().get(f"/qa/{q.pk}/").content.decode()
    assert "天河区" in page and "请在智慧团建系统中发起转接。" in page


def test_invitation_pages(tree, youth, client_for, expert):
    q = services.ask_question(asker=youth, title="劳动仲裁流程是什么", domain="legal")
    y = client_for(youth)
    assert "王律师" in y.get(f"/qa/{q.pk}/").content.decode()
    y.post(f"/qa/{q.pk}/invite/", {"invitee": expert.pk, "message": "请帮忙"})
    e = client_for(expert)
    html = e.get("/qa/invitations/").content.decode()
    assert q.title in html
    inv = q.invitations.get()
    r = e.post(f"/qa/invitations/{inv.pk}/respond/", {"accept": "1"})
    assert r.status_code == 302 and r["Location"] == f"/qa/{q.pk}/"
    inv.refresh_from_db()
    assert inv.status == "accepted" and inv.deadline_at is not None


def test_my_questions_page(tree, youth, client_for):
    services.ask_question(asker=youth, title="我的第一个问题标题", domain="league")
    html = client_for(youth).get("/qa/mine/").content.decode()
    assert "我的第一个问题标题" in html


def test_openapi_documents_the_community_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for p in ["/api/community/questions/", "/api/community/questions/{question_id}/answers/",
              "/api/community/questions/{question_id}/transfer/", "/api/community/invitations/",
              "/api/community/answers/{answer_id}/accept/"]:
        assert p in paths, p


def test_tags_are_curated(tree, youth):
    QuestionTag.objects.create(name="社保", slug="shebao")
    q = services.ask_question(asker=youth, title="灵活就业社保怎么交", domain="employment", tags=["社保"])
    assert [t.slug for t in q.tags.all()] == ["shebao"]
