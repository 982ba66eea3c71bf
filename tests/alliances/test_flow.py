"""Joining flow through the HTTP API: application → approval → suspension/removal, invitations,
and refused bad input (clear 4xx, nothing written)."""

import pytest
from wagtail.models import PageLogEntry  # noqa: F401  (Wagtail's log models are installed)

from alliances.models import AllianceMembership, ExpertProfile, ExpertStatus, MembershipStatus
from notifications.models import Notification
from organizations.models import StaffRole

from .conftest import make_alliance, make_expert

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_apply_approve_suspend_reinstate_remove(tree, gz_legal, gz_liaison, youth, client_for):
    applicant = client_for(youth)
    r = post(applicant, f"/api/alliances/{gz_legal.pk}/applications",
             {"real_name": "周律师", "title": "执业律师", "domains": ["legal"], "message": "愿意服务青年"})
    assert r.status_code == 201, r.content
    membership_id = r.json()["id"]
    assert r.json()["status"] == "applied"
    expert = ExpertProfile.objects.get(user=youth)
    assert expert.status == ExpertStatus.PENDING and expert.real_name == "周律师"

    liaison = client_for(gz_liaison)
    listed = liaison.get("/api/alliances/memberships", {"status": "applied"}).json()["items"]
    assert [m["id"] for m in listed] == [membership_id]

    r = post(liaison, f"/api/alliances/memberships/{membership_id}/decision", {"approve": True})
    assert r.status_code == 200 and r.json()["status"] == "active"
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.ACTIVE
    assert Notification.objects.filter(recipient=youth, kind="alliance").exists()

    r = post(liaison, f"/api/alliances/memberships/{membership_id}/suspend", {"reason": ""})
    assert r.status_code == 400 and r.json()["errors"] == {"reason": "required"}
    r = post(liaison, f"/api/alliances/memberships/{membership_id}/suspend", {"reason": "多次超时未回答"})
    assert r.status_code == 200 and r.json()["status"] == "suspended" and r.json()["reason"] == "多次超时未回答"
    r = post(liaison, f"/api/alliances/memberships/{membership_id}/reinstate", {})
    assert r.json()["status"] == "active"
    r = post(liaison, f"/api/alliances/memberships/{membership_id}/remove", {"reason": "本人申请退出"})
    assert r.json()["status"] == "removed"
    # After removal the expert may apply again.
    r = post(applicant, f"/api/alliances/{gz_legal.pk}/applications", {})
    assert r.status_code == 201


def test_applying_twice_is_409_and_writes_nothing(tree, gz_legal, youth, client_for):
    c = client_for(youth)
    assert post(c, f"/api/alliances/{gz_legal.pk}/applications", {"real_name": "周律师"}).status_code == 201
    r = post(c, f"/api/alliances/{gz_legal.pk}/applications", {"real_name": "周律师"})
    assert r.status_code == 409 and "已申请" in r.json()["detail"]
    assert AllianceMembership.objects.count() == 1


def test_application_without_real_name_is_400(tree, gz_legal, youth, client_for):
    r = post(client_for(youth), f"/api/alliances/{gz_legal.pk}/applications", {"real_name": "  "})
    assert r.status_code == 400 and r.json()["errors"] == {"real_name": "required"}
    assert not ExpertProfile.objects.exists()


@pytest.mark.parametrize("payload", [{"domains": ["astrology"]}, {"message": "x" * 301}, {"real_name": 5}])
def test_malformed_application_is_422(tree, gz_legal, youth, client_for, payload):
    r = post(client_for(youth), f"/api/alliances/{gz_legal.pk}/applications", payload)
    assert r.status_code == 422
    assert not AllianceMembership.objects.exists()


@pytest.mark.parametrize("role_org, status", [("guangzhou", 200), ("province", 200), ("shenzhen", 403),
                                               ("tianhe", 403)])
def test_approval_is_scoped_to_the_alliance_organisation_subtree(tree, gz_legal, youth, make_staff, client_for,
                                                                 role_org, status):
    r = post(client_for(youth), f"/api/alliances/{gz_legal.pk}/applications", {"real_name": "周律师"})
    membership_id = r.json()["id"]
    staff = make_staff(getattr(tree, role_org), StaffRole.LIAISON)
    r = post(client_for(staff), f"/api/alliances/memberships/{membership_id}/decision", {"approve": True})
    assert r.status_code == status
    expected = MembershipStatus.ACTIVE if status == 200 else MembershipStatus.APPLIED
    assert AllianceMembership.objects.get(pk=membership_id).status == expected


def test_listed_liaison_outside_the_tree_may_approve(tree, youth, make_staff, client_for):
    outsider = make_staff(tree.sysu, StaffRole.LIAISON)
    alliance = make_alliance(tree.guangzhou, "psychology", liaison=outsider)
    mid = post(client_for(youth), f"/api/alliances/{alliance.pk}/applications", {"real_name": "周老师"}).json()["id"]
    r = post(client_for(outsider), f"/api/alliances/memberships/{mid}/decision", {"approve": False, "reason": "资质不符"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_reject_needs_a_reason_and_decisions_happen_once(tree, gz_legal, gz_liaison, youth, client_for):
    mid = post(client_for(youth), f"/api/alliances/{gz_legal.pk}/applications", {"real_name": "周律师"}).json()["id"]
    liaison = client_for(gz_liaison)
    assert post(liaison, f"/api/alliances/memberships/{mid}/decision", {"approve": False}).status_code == 400
    assert post(liaison, f"/api/alliances/memberships/{mid}/decision", {"approve": True}).status_code == 200
    assert post(liaison, f"/api/alliances/memberships/{mid}/decision", {"approve": True}).status_code == 409


def test_invitation_accept_and_suspended_expert_cannot_be_invited(tree, gz_legal, gz_liaison, client_for):
    expert = make_expert(tree.tianhe)
    liaison = client_for(gz_liaison)
    r = post(liaison, f"/api/alliances/{gz_legal.pk}/invitations", {"expert_id": expert.pk})
    assert r.status_code == 201 and r.json()["status"] == "invited"
    # Only the invited expert may answer the invitation.
    assert post(liaison, f"/api/alliances/memberships/{r.json()['id']}/response", {"accept": True}).status_code == 403
    r = post(client_for(expert.user), f"/api/alliances/memberships/{r.json()['id']}/response", {"accept": True})
    assert r.status_code == 200 and r.json()["status"] == "active"

    suspended = make_expert(tree.tianhe, name="李律师", status=ExpertStatus.SUSPENDED)
    r = post(liaison, f"/api/alliances/{gz_legal.pk}/invitations", {"expert_id": suspended.pk})
    assert r.status_code == 409 and "暂停" in r.json()["detail"]
    assert not AllianceMembership.objects.filter(expert=suspended).exists()


def test_invitation_by_a_non_liaison_is_403(tree, gz_legal, youth, client_for):
    expert = make_expert(tree.tianhe)
    r = post(client_for(youth), f"/api/alliances/{gz_legal.pk}/invitations", {"expert_id": expert.pk})
    assert r.status_code == 403
    assert post(client_for(), f"/api/alliances/{gz_legal.pk}/invitations", {"expert_id": expert.pk}).status_code == 401
    assert not AllianceMembership.objects.exists()


def test_unknown_ids_are_404(tree, gz_legal, gz_liaison, client_for):
    c = client_for(gz_liaison)
    assert post(c, "/api/alliances/999999/invitations", {"expert_id": 1}).status_code == 404
    assert post(c, f"/api/alliances/{gz_legal.pk}/invitations", {"expert_id": 999999}).status_code == 404
    assert post(c, "/api/alliances/memberships/999999/decision", {"approve": True}).status_code == 404


def test_expert_edits_own_profile_but_not_staff_fields(tree, client_for):
    expert = make_expert(tree.tianhe)
    c = client_for(expert.user)
    r = c.patch("/api/alliances/experts/me", {"bio": "十年劳动争议经验", "availability": "busy", "domains": ["legal", "employment"]},
                content_type="application/json")
    assert r.status_code == 200, r.content
    expert.refresh_from_db()
    assert expert.bio == "十年劳动争议经验" and sorted(expert.domain_list) == ["employment", "legal"]
    r = c.patch("/api/alliances/experts/me", {"availability": "sleeping"}, content_type="application/json")
    assert r.status_code == 422
