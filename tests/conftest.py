"""Shared fixtures: a small real-shaped organisation tree and users in each role.

    广东 (province)
    ├── 广州 (city) ── 天河区 (county), 越秀区 (county)
    ├── 深圳 (city) ── 南山区 (county)
    └── 中山大学 (university)
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from organizations.models import Organization, OrganizationKind, StaffRole
from organizations.services import add_staff, create_organization
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been flushed by transactional tests: restore Wagtail's root."""
    from home.services import ensure_wagtail_root

    with django_db_blocker.unblock():
        ensure_wagtail_root()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: the shared cache (this worker's own Redis database, see
    youthvoice/settings/test.py) and Django's in-process content-type cache outlive a test's rolled-back
    or flushed database, and an entry naming a row that no longer exists must not reach the next test."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from search import segmenter

    cache.clear()
    ContentType.objects.clear_cache()
    # The cache just emptied held the dictionary's version: an empty cache reads 0. Without this,
    # a version bumped by an earlier test made the segmenter re-read its terms (one query) at
    # whichever check came CHECK_SECONDS later, by the clock or by freezegun: inside a counted block.
    segmenter._version = 0
    yield


@pytest.fixture
def early_cache(settings):
    """The early page cache on (test settings keep it off), on an empty cache before and after."""
    from django.core.cache import cache

    settings.YV_PAGE_CACHE_EARLY = True
    cache.clear()
    yield
    cache.clear()


@dataclass
class Tree:
    province: Organization
    guangzhou: Organization
    tianhe: Organization
    yuexiu: Organization
    shenzhen: Organization
    nanshan: Organization
    sysu: Organization


def build_tree() -> Tree:
    K = OrganizationKind
    province = create_organization(actor=None, parent=None, name="共青团广东省委员会", short_name="团省委",
                                   kind=K.PROVINCE, slug="guangdong", adcode="440000", latitude="23.13", longitude="113.26")
    gz = create_organization(actor=None, parent=province, name="共青团广州市委员会", short_name="广州市",
                             kind=K.CITY, slug="guangzhou", adcode="440100", latitude="23.12", longitude="113.26")
    tianhe = create_organization(actor=None, parent=gz, name="共青团广州市天河区委员会", short_name="天河区",
                                 kind=K.COUNTY, slug="440106", adcode="440106")
    yuexiu = create_organization(actor=None, parent=gz, name="共青团广州市越秀区委员会", short_name="越秀区",
                                 kind=K.COUNTY, slug="440104", adcode="440104")
    sz = create_organization(actor=None, parent=province, name="共青团深圳市委员会", short_name="深圳市",
                             kind=K.CITY, slug="shenzhen", adcode="440300")
    nanshan = create_organization(actor=None, parent=sz, name="共青团深圳市南山区委员会", short_name="南山区",
                                  kind=K.COUNTY, slug="440305", adcode="440305")
    sysu = create_organization(actor=None, parent=province, name="共青团中山大学委员会", short_name="中大",
                               kind=K.UNIVERSITY, slug="sysu")
    return Tree(province, gz, tianhe, yuexiu, sz, nanshan, sysu)


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def make_staff(db):
    def make(org: Organization, role: str = StaffRole.ORG_ADMIN, **kwargs):
        user = UserFactory(**kwargs)
        add_staff(actor=None, user=user, organization=org, role=role)
        return user

    return make


@pytest.fixture
def youth(db, tree):
    return UserFactory(username="youth", organization=tree.tianhe)


@pytest.fixture
def client_for():
    def make(user=None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
