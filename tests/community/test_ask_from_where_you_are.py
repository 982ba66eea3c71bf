"""Ask from where you are: the branch feed's ask link carries the branch; the ask form's organisation
picker (searchable by name, without JavaScript) defaults to the asker's own place."""

import re

from community.models import Question
from community.selectors import default_ask_organization
from tests.factories import UserFactory


def _selected(html: str) -> str:
    select = re.search(r'<select name="organization".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\d*)"[^>]*selected', select).group(1)


def _options(html: str) -> list[str]:
    select = re.search(r'<select name="organization".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_the_branch_feed_ask_link_carries_the_branch(tree, client_for):
    html = client_for().get("/qa/", {"org": tree.nanshan.pk}).content.decode()
    assert f'/qa/ask/?branch={tree.nanshan.slug}' in html
    html = client_for().get("/qa/", {"org": tree.nanshan.pk, "domain": "legal"}).content.decode()
    assert f'/qa/ask/?branch={tree.nanshan.slug}&amp;domain=legal' in html


def test_the_picker_defaults_to_the_askers_place_else_the_branch_else_the_province(tree, client_for):
    placed = UserFactory(organization=tree.tianhe)
    nowhere = UserFactory()
    assert _selected(client_for(placed).get("/qa/ask/", {"branch": tree.nanshan.slug}).content.decode()) == str(tree.tianhe.pk)
    assert _selected(client_for(nowhere).get("/qa/ask/", {"branch": tree.nanshan.slug}).content.decode()) == str(tree.nanshan.pk)
    assert _selected(client_for(nowhere).get("/qa/ask/").content.decode()) == str(tree.province.pk)
    assert default_ask_organization(nowhere, branch=None) == tree.province


def test_asking_from_the_picked_organisation(tree, client_for):
    asker = UserFactory(organization=tree.tianhe)
    c = client_for(asker)
    r = c.post("/qa/ask/", {"title": "南山区人才公寓怎么申请", "body": "", "domain": "employment",
                            "organization": tree.nanshan.pk})
    assert r.status_code == 302
    assert Question.objects.get().organization == tree.nanshan


def test_searching_the_picker_by_name_without_javascript_keeps_what_was_typed(tree, client_for):
    asker = UserFactory()
    c = client_for(asker)
    r = c.post("/qa/ask/?branch=guangzhou", {"title": "南山区人才公寓怎么申请", "domain": "employment",
                                             "organization": tree.guangzhou.pk, "org_q": "南山", "org_search": "1"})
    html = r.content.decode()
    assert r.status_code == 200 and not Question.objects.exists()
    assert set(_options(html)) == {tree.nanshan.name, tree.guangzhou.name}  # the match + the current choice
    assert "南山区人才公寓怎么申请" in html
    r = c.post("/qa/ask/", {"title": "南山区人才公寓怎么申请", "domain": "employment", "org_q": "没有这个组织",
                            "org_search": "1"})
    assert "没有找到" in r.content.decode()
    # an unknown organisation is a form error, not a 500
    r = c.post("/qa/ask/", {"title": "南山区人才公寓怎么申请", "domain": "employment", "organization": 999999})
    assert r.status_code == 200 and not Question.objects.exists()
