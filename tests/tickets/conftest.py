"""People and organizations for the ticket tests."""

import re

import pytest

from tests import factories


@pytest.fixture
def acme(app):
    return factories.org("acme", plan="premium")


@pytest.fixture
def people(app, acme):
    """An org admin, a contact, a member of Acme, and an agent."""
    return {
        "admin": factories.user("admin@acme.example", organization=acme, org_role="org_admin"),
        "contact": factories.user("contact@acme.example", organization=acme),
        "member": factories.user("member@acme.example", organization=acme, org_role="member"),
        "agent": factories.user("agent@support.example", role="agent"),
    }


def form_token(client) -> str:
    html = client.get("/tickets/new").get_data(as_text=True)
    return re.search(r'name="submission" value="([^"]+)"', html).group(1)


def valid_form(**changes) -> dict:
    form = {"type": "question", "severity": "3", "subject": "CSV export is empty",
            "description": "The export has only a header row."}
    form.update(changes)
    return form
