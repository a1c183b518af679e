"""Invitations: signed, seven days, single use, one address, rate-limited, withdrawn with
the inviter's right."""

from datetime import timedelta

import pytest

from portal import clock
from portal.accounts import invitations
from portal.accounts.models import Audit, Invitation, User
from portal.mail.models import Outbox
from tests.admin.conftest import invite_link


def _invite(client, email="new@acme.example", org_role="contact"):
    return client.submit("/org/invitations", {"email": email, "org_role": org_role})


@pytest.fixture
def invited(people, client, login):
    """Boss of Acme invites new@acme.example; the mail's link path."""
    login("boss@acme.example")
    assert _invite(client).status_code == 302
    client.submit("/logout")
    return invite_link(Outbox.select().order_by(Outbox.id.desc()).get())


def _accept(app, link, name="New Person", password="a fine secret", **extra):  # noqa: S107
    return app.test_client().submit(link, {"name": name, "password": password, **extra})


def test_invitation_mail_and_acceptance(invited, app):
    mail = Outbox.select().order_by(Outbox.id.desc()).get()
    assert mail.to_address == "new@acme.example"
    assert app.test_client().get(invited).status_code == 200
    response = _accept(app, invited)
    assert response.status_code == 302
    user = User.get(User.email == "new@acme.example")
    assert user.name == "New Person" and user.org_role == "contact"
    assert user.organization.slug == "acme"
    assert Audit.select().where(Audit.action == "accept").count() == 1


def test_an_invitation_cannot_be_replayed(invited, app):
    assert _accept(app, invited).status_code == 302
    again = _accept(app, invited, name="Intruder", password="another secret")
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    assert User.select().where(User.email == "new@acme.example").count() == 1
    assert User.get(User.email == "new@acme.example").name == "New Person"


def test_an_altered_token_is_worthless(invited, app):
    flipped = invited[:-3] + ("AAA" if not invited.endswith("AAA") else "BBB")
    response = _accept(app, flipped)
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    # someone else's invitation id in a payload signed by nobody
    forged = "/invite/eyJpIjoxLCJuIjoieCIsImUiOiJ4QHguZXhhbXBsZSJ9.AAAAAA.BBBBBBBBBBBB"
    assert _accept(app, forged).status_code == 400
    assert not User.select().where(User.email == "new@acme.example").exists()


def test_it_works_for_that_address_only(invited, app, people):
    response = _accept(app, invited, email="attacker@evil.example")
    assert response.status_code == 400 and "another address" in response.get_data(as_text=True)
    assert not User.select().where(User.email.in_(["new@acme.example",
                                                   "attacker@evil.example"])).exists()
    # the same address written differently is the same address
    assert _accept(app, invited, email="ＮＥＷ@acme.example").status_code == 302


def test_someone_signed_in_as_another_user_cannot_use_it(invited, app, people):
    browser = app.test_client()
    browser.submit("/login", {"email": "member@acme.example", "password": "correct horse battery"})
    response = browser.submit(invited, {"name": "X", "password": "a fine secret"})
    assert response.status_code == 400
    assert User.get(User.email == "member@acme.example").org_role == "member"
    assert not User.select().where(User.email == "new@acme.example").exists()


def test_it_expires_after_seven_days(invited, app):
    Invitation.update(expires_at=clock.now() - timedelta(seconds=1)).execute()
    response = _accept(app, invited)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_useless_once_the_inviter_loses_the_right(invited, app, people):
    from portal.accounts import members

    members.set_org_role(people["admin"], people["contact"], "org_admin")
    members.set_org_role(people["admin"], people["boss"], "member")
    response = _accept(app, invited)
    assert response.status_code == 400 and "no longer valid" in response.get_data(as_text=True)
    assert not User.select().where(User.email == "new@acme.example").exists()


def test_a_newer_invitation_replaces_the_older(invited, people, client, login):
    login("boss@acme.example")
    _invite(client)
    newest = invite_link(Outbox.select().order_by(Outbox.id.desc()).get())
    assert newest != invited
    assert client.application.test_client().get(invited).status_code == 400


def test_duplicate_address_is_refused_beside_the_field(people, client, login):
    login("boss@acme.example")
    response = _invite(client, "ＣＯＮＴＡＣＴ@ACME.example")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in page and "already exists" in page
    assert 'value="ＣＯＮＴＡＣＴ@ACME.example"' in page  # what was typed stays
    assert not Invitation.select().exists()


def test_invitations_are_rate_limited_per_organization(people, client, login, app):
    app.config["INVITES_PER_DAY"] = 3
    login("boss@acme.example")
    for n in range(3):
        assert _invite(client, f"p{n}@acme.example", "member").status_code == 302
    refused = _invite(client, "p9@acme.example", "member")
    assert refused.status_code == 429 and "24 hours" in refused.get_data(as_text=True)
    # the other organization is not affected
    client.submit("/logout")
    login("boss@rival.example")
    assert _invite(client, "x@rival.example", "member").status_code == 302


def test_contact_limit_applies_to_invitations(people, client, login):
    login("boss@rival.example")  # basic: 2, the org admin counts
    assert _invite(client, "one@rival.example").status_code == 302
    client.submit("/logout")
    from portal.accounts.members import set_org_role

    set_org_role(people["admin"], people["rival_member"], "contact")
    login("boss@rival.example")
    refused = _invite(client, "two@rival.example")
    assert refused.status_code == 400 and "at most 2" in refused.get_data(as_text=True)


def test_contacts_and_members_cannot_invite(people, client, login):
    for email in ("contact@acme.example", "member@acme.example"):
        login(email)
        assert _invite(client, "sneaky@acme.example", "org_admin").status_code == 404
        client.submit("/logout")
    assert not Invitation.select().exists()


def test_withdrawing_an_invitation(invited, people, client, login, app):
    login("boss@acme.example")
    invitation = Invitation.get()
    login_rival = app.test_client()
    login_rival.submit("/login", {"email": "boss@rival.example",
                                  "password": "correct horse battery"})
    assert login_rival.submit(f"/org/invitations/{invitation.id}/revoke").status_code == 404
    assert client.submit(f"/org/invitations/{invitation.id}/revoke").status_code == 302
    assert _accept(app, invited).status_code == 400


def test_cli_prints_the_link_without_smtp(people, runner, app):
    result = runner.invoke(args=["invite", "--org", "acme", "--email", "cli@acme.example",
                                 "--org-role", "member"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("https://help.example/invite/")
    assert not Outbox.select().where(Outbox.to_address == "cli@acme.example").exists()
    assert _accept(app, link.removeprefix("https://help.example")).status_code == 302
    assert User.get(User.email == "cli@acme.example").org_role == "member"


def test_cli_queues_the_mail_with_smtp(people, runner, app):
    app.config["SMTP_HOST"] = "127.0.0.1"
    result = runner.invoke(args=["invite", "--org", "acme", "--email", "cli@acme.example"])
    assert result.exit_code == 0 and "queued" in result.output
    assert Outbox.get(Outbox.to_address == "cli@acme.example")
    bad = runner.invoke(args=["invite", "--org", "nowhere", "--email", "x@acme.example"])
    assert bad.exit_code == 1


def test_the_token_carries_the_address_it_was_made_for(people):
    invitation, token = invitations.invite(people["admin"], people["boss"].organization,
                                           "Mixed@Acme.Example", "member", mail=False)
    assert invitation.email == "mixed@acme.example"
    assert invitations.invitation_for(token).id == invitation.id
