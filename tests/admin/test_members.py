"""Org admins run their own people, and only their own, within the rules."""

import pytest

from portal.accounts.models import Audit, User
from tests import factories


def _role(user) -> str:
    return User.get_by_id(user.id).org_role


def test_org_admin_sees_the_member_list(people, client, login):
    login("boss@acme.example")
    page = client.get("/org/members").get_data(as_text=True)
    assert "contact@acme.example" in page and "member@acme.example" in page
    assert "boss@rival.example" not in page


def test_only_org_admins_have_the_page(people, client, login):
    for email in ("contact@acme.example", "member@acme.example", "agent@support.example",
                  "root@support.example"):
        client.get("/kb/")
        login(email)
        assert client.get("/org/members").status_code == 404
        client.submit("/logout")


def test_grant_and_revoke_the_contact_right_with_an_audit_row(people, client, login):
    login("boss@acme.example")
    member = people["member"]
    assert client.submit(f"/org/members/{member.id}/role",
                         {"org_role": "contact"}).status_code == 302
    assert _role(member) == "contact"
    row = Audit.select().where(Audit.action == "org_role").order_by(Audit.id.desc()).get()
    assert row.actor_id == people["boss"].id and row.object_id == member.id
    assert row.detail["org_role"] == ["member", "contact"]
    client.submit(f"/org/members/{member.id}/role", {"org_role": "member"})
    assert _role(member) == "member"


def test_nobody_raises_their_own_role_by_posting_the_form(people, client, login):
    for who in ("member", "contact"):
        user = people[who]
        login(user.email)
        for role in ("contact", "org_admin"):
            response = client.submit(f"/org/members/{user.id}/role", {"org_role": role})
            assert response.status_code == 404
        assert _role(user) == who
        client.submit("/logout")


def test_an_agent_cannot_make_themselves_admin(people, client, login):
    login("agent@support.example")
    agent = people["agent"]
    response = client.submit(f"/admin/users/{agent.id}",
                             {"action": "save", "name": "Agent", "role": "admin"})
    assert response.status_code == 404
    assert User.get_by_id(agent.id).role == "agent"


def test_the_service_refuses_raising_ones_own_role_too(people):
    """The rule holds below the views, for the command line and mail paths as well."""
    from portal.accounts import members
    from portal.errors import ServiceError

    contact = people["contact"]
    with pytest.raises(ServiceError):
        members.set_org_role(contact, contact, "org_admin")
    assert _role(contact) == "contact"


def test_org_admin_cannot_touch_another_organizations_people(people, client, login):
    login("boss@acme.example")
    target = people["rival_member"]
    for url, data in ((f"/org/members/{target.id}/role", {"org_role": "contact"}),
                      (f"/org/members/{target.id}/deactivate", {}),
                      (f"/org/members/{target.id}/activate", {}),
                      (f"/org/members/{people['agent'].id}/deactivate", {}),
                      ("/org/members/999999/deactivate", {})):
        assert client.submit(url, data).status_code == 404
    assert _role(target) == "member" and User.get_by_id(target.id).active
    assert User.get_by_id(people["agent"].id).active


def test_hand_over_the_org_admin_role_but_always_keep_one(people, client, login):
    login("boss@acme.example")
    boss, contact = people["boss"], people["contact"]
    refused = client.submit(f"/org/members/{boss.id}/role", {"org_role": "member"})
    assert refused.status_code == 400
    assert "at least one active org admin" in refused.get_data(as_text=True)
    assert _role(boss) == "org_admin"
    refused = client.submit(f"/org/members/{boss.id}/deactivate")
    assert refused.status_code == 400 and User.get_by_id(boss.id).active
    client.submit(f"/org/members/{contact.id}/role", {"org_role": "org_admin"})
    assert client.submit(f"/org/members/{boss.id}/role",
                         {"org_role": "contact"}).status_code == 302
    assert _role(boss) == "contact" and _role(contact) == "org_admin"
    # no longer an org admin: the page is gone
    assert client.get("/org/members").status_code == 404


def test_deactivating_a_member_ends_their_sessions(people, app, client, login):
    member_browser = app.test_client()
    member_browser.submit("/login", {"email": "member@acme.example",
                                     "password": factories.PASSWORD})
    assert member_browser.get("/account").status_code == 200
    login("boss@acme.example")
    client.submit(f"/org/members/{people['member'].id}/deactivate")
    assert member_browser.get("/account").status_code == 302  # sent to sign in
    row = Audit.get(Audit.action == "deactivate")
    assert row.detail["active"] == [True, False] and row.actor_id == people["boss"].id
    client.submit(f"/org/members/{people['member'].id}/activate")
    assert User.get_by_id(people["member"].id).active


def test_the_plans_contact_limit_is_named_in_the_message(people, orgs, client, login):
    # rival is on basic: two technical contacts (org admins included)
    rival = orgs["rival"]
    second = factories.user("second@rival.example", organization=rival, org_role="member")
    login("boss@rival.example")
    assert client.submit(f"/org/members/{second.id}/role",
                         {"org_role": "contact"}).status_code == 302
    refused = client.submit(f"/org/members/{people['rival_member'].id}/role",
                            {"org_role": "contact"})
    assert refused.status_code == 400
    assert "at most 2 technical contacts" in refused.get_data(as_text=True)
    assert _role(people["rival_member"]) == "member"
    # making room lets it through
    client.submit(f"/org/members/{second.id}/role", {"org_role": "member"})
    assert client.submit(f"/org/members/{people['rival_member'].id}/role",
                         {"org_role": "contact"}).status_code == 302


def test_a_deactivated_contact_cannot_come_back_past_the_limit(people, orgs, client, login):
    rival = orgs["rival"]
    gone = factories.user("gone@rival.example", organization=rival)
    login("boss@rival.example")
    client.submit(f"/org/members/{gone.id}/deactivate")
    client.submit(f"/org/members/{people['rival_member'].id}/role", {"org_role": "contact"})
    refused = client.submit(f"/org/members/{gone.id}/activate")
    assert refused.status_code == 400 and not User.get_by_id(gone.id).active


def test_changes_need_the_csrf_token(people, client, login):
    login("boss@acme.example")
    response = client.post(f"/org/members/{people['member'].id}/role",
                           data={"org_role": "contact"})
    assert response.status_code == 400 and _role(people["member"]) == "member"
    assert client.get(f"/org/members/{people['member'].id}/role").status_code == 405
