"""The user's location is the default branch of the Q&A feed and the station map (issue 20 leftovers)."""

from community import services
from tests.factories import UserFactory
from tests.stations.conftest import make_station


def test_feed_defaults_to_a_logged_in_youths_place_with_a_switch_to_the_province(tree, youth, client_for):
    a = services.ask_question(asker=youth, title="天河区实习合同问题", domain="legal")
    b = services.ask_question(asker=youth, title="南山区创业补贴问题", domain="legal", organization=tree.nanshan)
    html = client_for().get("/qa/").content.decode()  # anonymous: unchanged, the whole province
    assert a.title in html and b.title in html and "查看全省" not in html
    c = client_for(youth)
    html = c.get("/qa/").content.decode()
    assert a.title in html and b.title not in html
    assert "天河区" in html and "查看全省" in html and "scope=all" in html
    html = c.get("/qa/", {"scope": "all"}).content.decode()
    assert a.title in html and b.title in html and f"org={tree.tianhe.pk}" in html
    html = c.get("/qa/", {"scope": "all", "sort": "unanswered"}).content.decode()
    assert b.title in html
    html = c.get("/qa/", {"branch": "shenzhen"}).content.decode()  # an explicit branch wins
    assert b.title in html and a.title not in html
    # No location: the province, as before.
    html = client_for(UserFactory()).get("/qa/").content.decode()
    assert a.title in html and b.title in html and "查看全省" not in html


def test_station_map_defaults_to_a_logged_in_youths_city_and_district(tree, youth, client_for):
    th = make_station(tree.tianhe, title="天河青年之家")
    ns = make_station(tree.nanshan, title="南山青年之家", lat="22.53", lng="113.93")
    html = client_for().get("/stations/").content.decode()
    assert th.title in html and ns.title in html and "正在显示你所在地" not in html
    c = client_for(youth)
    html = c.get("/stations/").content.decode()
    assert th.title in html and ns.title not in html and "正在显示你所在地" in html
    assert f'<option value="{tree.guangzhou.pk}" selected>' in html and f'<option value="{tree.tianhe.pk}" selected>' in html
    html = c.get("/stations/", {"city": ""}).content.decode()  # "all cities" chosen: the whole province
    assert th.title in html and ns.title in html
    html = c.get("/stations/", {"city": tree.shenzhen.pk}).content.decode()
    assert ns.title in html and th.title not in html
    # A city as location selects the city only.
    html = client_for(UserFactory(organization=tree.shenzhen)).get("/stations/").content.decode()
    assert ns.title in html and th.title not in html
