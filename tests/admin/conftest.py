"""Two organizations with people of every org role, a site admin and an agent."""

import re

import pytest

from tests import factories


@pytest.fixture
def orgs(app):
    app.config.update(BASE_URL="https://help.example", MAIL_FROM="support@help.example")
    return {"acme": factories.org("acme", plan="advanced"),
            "rival": factories.org("rival", plan="basic")}


@pytest.fixture
def people(orgs):
    acme, rival = orgs["acme"], orgs["rival"]
    return {
        "boss": factories.user("boss@acme.example", organization=acme, org_role="org_admin"),
        "contact": factories.user("contact@acme.example", organization=acme),
        "member": factories.user("member@acme.example", organization=acme, org_role="member"),
        "rival": factories.user("boss@rival.example", organization=rival, org_role="org_admin"),
        "rival_member": factories.user("member@rival.example", organization=rival,
                                       org_role="member"),
        "admin": factories.user("root@support.example", role="admin"),
        "agent": factories.user("agent@support.example", role="agent"),
    }


def invite_link(outbox_row) -> str:
    """The path of the invitation link in a queued mail."""
    return re.search(r"https://help\.example(/invite/\S+)", outbox_row.text_body)[1]
