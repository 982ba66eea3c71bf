from home.models import ServiceLink


def test_home_renders_in_chinese_with_city_branches(tree, client):
    ServiceLink.objects.create(title="公益志愿", url="https://example.org/v", sort_order=1)
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "共青团广东省委员会" in html
    assert 'href="/guangzhou/"' in html and 'href="/shenzhen/"' in html
    assert "公益志愿" in html  # service links on every branch
    assert "登录" in html


def test_branch_page_shows_children_breadcrumb_and_service_links(tree, client):
    ServiceLink.objects.create(title="就业实习", url="https://example.org/j")
    r = client.get("/guangzhou/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "共青团广州市委员会" in html
    assert 'href="/guangzhou/440106/"' in html
    assert "团省委" in html  # breadcrumb to the province
    assert "就业实习" in html
    r = client.get("/guangzhou/440106/")
    assert r.status_code == 200 and "天河区" in r.content.decode()


def test_branch_page_nav_links_and_accent(tree, client):
    page = tree.guangzhou.branch
    page.accent = "jade"
    page.nav_links.create(title="团市委官网", url="https://example.org/gz")
    page.save_revision().publish()
    html = client.get("/guangzhou/").content.decode()
    assert "accent-jade" in html and "团市委官网" in html


def test_english_is_available(tree, client):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Log in" in html


def test_unknown_page_is_404(tree, client):
    assert client.get("/no-such-branch/").status_code == 404


def test_api_v2_lists_branch_pages(tree, client):
    r = client.get("/api/v2/pages/", {"type": "home.BranchHomePage", "fields": "organization_id,accent", "limit": 50})
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["title"] for i in items} >= {"共青团广州市委员会", "共青团深圳市委员会"}
    assert all("organization_id" in i for i in items)


def test_api_v2_html_url_keeps_the_port(tree, client):
    """html_url is where the caller reaches the page: `make run` serves on :8000 (issue 19)."""
    r = client.get("/api/v2/pages/", {"type": "home.BranchHomePage", "fields": "html_url"}, HTTP_HOST="localhost:8000")
    urls = [i["meta"]["html_url"] for i in r.json()["items"]]
    assert urls and all(u.startswith("http://localhost:8000/") for u in urls), urls[:3]
    detail = client.get(f"/api/v2/pages/{r.json()['items'][0]['id']}/", HTTP_HOST="localhost:8000").json()
    assert detail["meta"]["html_url"].startswith("http://localhost:8000/")
