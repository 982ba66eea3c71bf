"""Contest votes: one per user per candidate per day, only inside the voting window; results per
the editor's visibility choice."""

from datetime import timedelta

from django.utils import timezone
from freezegun import freeze_time

from home.models import Vote
from organizations.models import StaffRole
from tests.home.conftest import make_contest

URL = "/api/content/contests/{}/votes"


def vote(client, contest, candidate):
    return client.post(URL.format(contest.pk), {"candidate_id": candidate.pk}, content_type="application/json")


def test_one_vote_per_candidate_per_day(contest, youth, client_for):
    c = client_for(youth)
    first, second = contest.candidates.all()
    r = vote(c, contest, first)
    assert r.status_code == 201 and r.json()["voted_today"] == [first.pk]
    r = vote(c, contest, first)
    assert r.status_code == 409 and r.json()["code"] == "already_voted"
    assert vote(c, contest, second).status_code == 201  # another candidate the same day is fine
    with freeze_time(timezone.now() + timedelta(days=1)):
        assert vote(c, contest, first).status_code == 201  # a new day
    assert Vote.objects.filter(user=youth).count() == 3


def test_voting_outside_the_window_is_409(contest, youth, client_for):
    c = client_for(youth)
    upcoming = make_contest(contest.get_parent(), opens=1, closes=3, slug="upcoming")
    r = vote(c, upcoming, upcoming.candidates.first())
    assert r.status_code == 409 and r.json()["code"] == "voting_not_started"
    with freeze_time(timezone.now() + timedelta(days=6)):
        r = vote(c, contest, contest.candidates.first())
    assert r.status_code == 409 and r.json()["code"] == "voting_closed"
    assert not Vote.objects.exists()


def test_bad_votes(contest, youth, client_for):
    other = make_contest(contest.get_parent(), slug="other")
    r = vote(client_for(youth), contest, other.candidates.first())  # a candidate of another contest
    assert r.status_code == 404
    assert vote(client_for(), contest, contest.candidates.first()).status_code == 401
    r = client_for(youth).post(URL.format(contest.pk), {"candidate_id": "x"}, content_type="application/json")
    assert r.status_code == 422


def test_results_visible_per_editor_choice(contest, tree, youth, make_staff, client_for):
    hidden = make_contest(contest.get_parent(), visibility="after_close", slug="hidden")
    vote(client_for(youth), hidden, hidden.candidates.first())
    url = f"/api/content/contests/{hidden.pk}/voting"
    body = client_for(youth).get(url).json()
    assert body["results_visible"] is False and body["results"] is None
    staff = client_for(make_staff(tree.guangzhou, StaffRole.EDITOR)).get(url).json()
    assert staff["results"][0]["votes"] == 1
    with freeze_time(timezone.now() + timedelta(days=6)):
        body = client_for().get(url).json()
    assert body["state"] == "closed" and body["results"][0]["votes"] == 1
    live = client_for().get(f"/api/content/contests/{contest.pk}/voting").json()
    assert live["results_visible"] is True  # "always"


def test_html_vote_form(contest, youth, client_for):
    c = client_for(youth)
    candidate = contest.candidates.first()
    r = c.post(f"/content/contests/{contest.pk}/vote/", {"candidate_id": candidate.pk}, follow=True)
    assert r.status_code == 200 and Vote.objects.filter(user=youth).count() == 1
    r = c.post(f"/content/contests/{contest.pk}/vote/", {"candidate_id": candidate.pk}, follow=True)
    assert "今天已为该候选人投过票" in r.content.decode()
    assert Vote.objects.filter(user=youth).count() == 1
