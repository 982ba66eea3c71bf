import json

import pytest

import youthvoice.urls  # noqa: F401  (build the API schemas before freezegun swaps datetime)
from alliances.services import register_expert
from community.models import QuestionTag
from tests.factories import UserFactory


@pytest.fixture
def expert(db, tree):
    user = UserFactory(username="lawyer", display_name="王律师", email="lawyer@example.com")
    register_expert(actor=None, user=user, real_name="王律师", domains=["legal"], title="律师")
    return user


@pytest.fixture
def tags(db):
    return [QuestionTag.objects.create(name=n, slug=s) for n, s in [("劳动合同", "labor"), ("实习", "intern")]]


@pytest.fixture
def post():
    def do(client, url, data=None):
        return client.post(url, json.dumps(data or {}), content_type="application/json")

    return do
