"""Browser: a provincial administrator opens the KPI dashboard (/admin/insights/), sees the charts and
the station map, drills down from the province to a city and exports the city's table as CSV.
Screenshots go to $YV_SCREENSHOTS (default /tmp)."""

import os
from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tests.insights.conftest import D, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")
RANGE = f"from={D.isoformat()}&to={D.isoformat()}"


def test_staff_dashboard_charts_map_drilldown_and_csv(live_server, page):
    from insights.services import aggregate_range

    world = build_world()
    aggregate_range(D - timedelta(days=1), D)
    admin = world.province_admin
    admin.set_password(PASSWORD)
    admin.save()
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.route("**/*tile*/**", lambda route: route.abort())  # no network: the page must still work
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/insights/%3F{RANGE.replace('&', '%26')}")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/admin/insights/**")

    # the province: figure cards, SVG charts, the map (Leaflet from our static files)
    assert world.tree.province.display_name in page.locator("#kpi-h").inner_text()
    assert page.locator("svg[role=img]").count() >= 2
    page.wait_for_selector("#yv-ins-map.leaflet-container")
    drill = page.locator("section[aria-labelledby=dd-h]")
    assert drill.get_by_role("link", name="广州市").count() == 1
    page.screenshot(path=f"{SHOTS}/insights-province.png", full_page=True)

    # drill down: province → 广州市, whose table lists its districts
    drill.get_by_role("link", name="广州市").click()
    page.wait_for_url(f"**org={world.tree.guangzhou.pk}**")
    assert world.tree.guangzhou.display_name in page.locator("#kpi-h").inner_text()
    drill = page.locator("section[aria-labelledby=dd-h]")
    assert drill.get_by_role("link", name="天河区").count() == 1
    page.screenshot(path=f"{SHOTS}/insights-city.png", full_page=True)
    drill.screenshot(path=f"{SHOTS}/insights-city-drilldown.png")  # the ranking chart, the map and the table

    # export the drill-down table as CSV
    with page.expect_download() as info:
        drill.get_by_role("link", name="CSV").click()
    path = info.value.path()
    with open(path, encoding="utf-8-sig") as fh:
        text = fh.read()
    assert info.value.suggested_filename.endswith(".csv")
    lines = text.splitlines()
    assert any(line.startswith("天河区") or ",天河区," in line or "天河区" in line for line in lines[1:])
    assert len(lines) >= 3  # header, 天河区, 越秀区 (and the city's own level)
