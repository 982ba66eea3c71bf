"""The public search page at /search/."""

import pytest
from wagtail.models import Page


@pytest.fixture
def page(tree):
    from home.models import BranchHomePage

    gz = BranchHomePage.objects.get(organization=tree.guangzhou)
    return gz.add_child(instance=Page(title="青年创业补贴政策解读<script>", slug="cy", live=True))


def test_page_shows_highlighted_results_and_facets(page, client):
    r = client.get("/search/", {"q": "創業"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "青年<mark>创业</mark>补贴政策解读&lt;script&gt;" in html
    assert 'role="search"' in html and 'aria-controls="search-suggestions"' in html
    assert "?q=%E5%89%B5%E6%A5%AD&amp;type=page" in html  # facet link keeps the query


def test_empty_page_and_nothing_found(page, client):
    assert client.get("/search/").status_code == 200
    r = client.get("/search/", {"q": "火星移民"})
    assert r.status_code == 200 and "/qa/" in r.content.decode()


def test_bad_filter_is_a_400_page_not_a_500(page, client):
    r = client.get("/search/", {"q": "创业", "domain": "cooking", "branch": "x", "offset": "-5"})
    assert r.status_code == 400
    assert "分支机构不存在" in r.content.decode() and 'role="alert"' in r.content.decode()
