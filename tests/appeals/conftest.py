from dataclasses import dataclass

import pytest

from appeals import services
from appeals.domain.workflow import Role
from tests.factories import UserFactory


@dataclass
class Handlers:
    ops: object
    coord: object
    leader: object
    gz_handler: object
    sz_handler: object
    gz_ops: object  # a city running the mechanism for its own level


@pytest.fixture
def handlers(tree):
    def make(org, role, name):
        user = UserFactory(username=name)
        services.add_handler(actor=None, user=user, organization=org, role=role)
        return user

    return Handlers(
        ops=make(tree.province, Role.OPS, "ops"),
        coord=make(tree.province, Role.COORDINATION, "coord"),
        leader=make(tree.province, Role.LEADER, "leader"),
        gz_handler=make(tree.guangzhou, Role.HANDLER, "gz_handler"),
        sz_handler=make(tree.shenzhen, Role.HANDLER, "sz_handler"),
        gz_ops=make(tree.guangzhou, Role.OPS, "gz_ops"),
    )


@pytest.fixture
def api(client_for):
    """post(user, path, json) / get(user, path) against /api/appeals/."""

    class Api:
        def post(self, user, path, data=None):
            return client_for(user).post(f"/api/appeals{path}", data or {}, content_type="application/json")

        def get(self, user, path, params=None):
            return client_for(user).get(f"/api/appeals{path}", params or {})

        def step(self, user, appeal_id, name, **data):
            return self.post(user, f"/{appeal_id}/transitions/{name}/", data)

    return Api()



def new_question(organization, title="押金不退怎么办"):
    """A Q&A question to cite as an appeal's source thread (appeals refuse unknown questions)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from community.models import Question

    asker = get_user_model().objects.filter(username="thread_asker").first() or UserFactory(username="thread_asker")
    now = timezone.now()
    return Question.objects.create(
        asker=asker, title=title, domain="legal", organization=organization, asked_at=now, clock_started_at=now,
        remind_at=now + timedelta(hours=2), deadline_at=now + timedelta(hours=3), last_activity_at=now)
