"""The dashboard read cache: hits cost no query, and an aggregation run makes it stale at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import cache, selectors, services

from .conftest import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.INSIGHTS_CACHE_SECONDS = 60
    cache.bump()  # nothing from earlier tests or databases


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return value, len(ctx.captured_queries)


def test_hits_cost_no_query(world, cached):
    province = world.tree.province
    for read in (lambda: selectors.org_totals(province, D, D), lambda: selectors.org_series(province, D, D, "day"),
                 lambda: selectors.children_totals(province, D, D),
                 lambda: selectors.people_ranking(province, D, D, "cadre", limit=5)):
        cold, n_cold = _queries(read)
        warm, n_warm = _queries(read)
        assert n_cold >= 1 and n_warm == 0 and warm == cold


def test_aggregation_makes_the_cache_stale(world, cached):
    from community.models import Question

    assert selectors.org_totals(world.tree.tianhe, D, D)["questions"] == 3
    Question.objects.filter(organization=world.tree.tianhe, asked_at__date=D, first_answered_at__isnull=True).update(
        status="removed")
    assert selectors.org_totals(world.tree.tianhe, D, D)["questions"] == 3  # cached
    services.aggregate_day(D)
    assert selectors.org_totals(world.tree.tianhe, D, D)["questions"] == 2


def test_off_when_zero(world, settings):
    settings.INSIGHTS_CACHE_SECONDS = 0
    _, first = _queries(lambda: selectors.org_totals(world.tree.province, D, D))
    _, again = _queries(lambda: selectors.org_totals(world.tree.province, D, D))
    assert first == again >= 1
