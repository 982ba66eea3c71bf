import pytest

from alliances.models import (
    AllianceIndexPage,
    AllianceLiaison,
    AlliancePage,
    ExpertProfile,
    ExpertStatus,
)
from alliances.services import register_expert
from home.models import BranchHomePage
from organizations.models import StaffRole
from tests.factories import UserFactory

from . import standins


def make_alliance(org, domain="legal", liaison=None) -> AlliancePage:
    branch = BranchHomePage.objects.get(organization=org)
    index = AllianceIndexPage.objects.child_of(branch).first()
    if index is None:
        index = AllianceIndexPage(title="服务联盟", slug="alliances")
        branch.add_child(instance=index)
    page = AlliancePage(title=f"{org.short_name}{domain}联盟", slug=domain, organization=org, domain=domain,
                        intro="联盟简介", charter="<p>章程</p>")
    index.add_child(instance=page)
    if liaison is not None:
        AllianceLiaison.objects.create(page=page, user=liaison)
    return page


def make_expert(org, domains=("legal",), name="王律师", status=ExpertStatus.ACTIVE, **fields) -> ExpertProfile:
    user = UserFactory(organization=org)
    expert = register_expert(actor=None, user=user, real_name=name, domains=list(domains), title="律师",
                             organization=org, status=status)
    if fields:
        for k, v in fields.items():
            setattr(expert, k, v)
        expert.save()
    return expert


@pytest.fixture
def gz_liaison(tree, make_staff):
    return make_staff(tree.guangzhou, StaffRole.LIAISON)


@pytest.fixture
def gz_legal(tree, gz_liaison):
    return make_alliance(tree.guangzhou, "legal")


@pytest.fixture
def community(db):
    """Stand-in Q&A tables (created inside the test transaction) and their sources."""
    standins.create_tables()
    return standins.sources()
