"""No text a person typed reaches an HTML mail as markup, whichever template writes it."""

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import Environment, nodes

from portal.accounts import services as accounts
from portal.errors import N_
from portal.mail import invite_mail, notify
from portal.mail.models import Outbox
from portal.tickets import lifecycle
from tests import factories

MAIL = Path(__file__).resolve().parents[2] / "templates" / "mail"
PAYLOAD = '<img src=x onerror=alert(1)><b>x</b><script>alert(2)</script>'
RAW = ("<img", "<b>", "<script")


def _kinds() -> set[str]:
    return {p.stem for p in MAIL.glob("*.html") if not p.name.startswith("_")}


@pytest.fixture
def rendered(monkeypatch):
    """The names of the HTML mail templates rendered during a test."""
    seen: set[str] = set()
    real = notify.render_html

    def spy(app, name, context):
        seen.add(Path(name).stem)
        return real(app, name, context)

    monkeypatch.setattr(notify, "render_html", spy)
    return seen


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_notification_escapes_subjects_and_names(app, rendered, locale):
    app.config.update(BASE_URL="https://help.example", MAIL_FROM="support@help.example")
    org = accounts.create_org(PAYLOAD, "evil", "premium")
    customer = accounts.create_user("c@evil.example", PAYLOAD, "customer", factories.PASSWORD,
                                    org="evil", org_role="org_admin", locale=locale)
    agent = accounts.create_user("a@help.example", PAYLOAD, "agent", factories.PASSWORD,
                                 locale=locale)
    accounts.create_user("root@help.example", PAYLOAD, "admin", factories.PASSWORD,
                         locale=locale)
    ticket = factories.ticket(customer, subject=PAYLOAD)  # received
    lifecycle.post_message(agent, ticket, "We are on it.")  # staff_reply
    lifecycle.post_message(customer, ticket, "Thanks.")  # customer_reply
    for status in notify.TELLS_CUSTOMERS:  # status, each sentence
        notify.on_status(ticket, "investigating", status, None)
    notify.on_escalated(ticket, customer, PAYLOAD)
    for kind in notify.SLA_SUBJECTS:
        notify.on_sla_warning(ticket, "first_response", kind, datetime(2027, 1, 4, 9))
    notify.queue(customer, "closed_reply", N_("Not added, the ticket is closed: %(subject)s"),
                 ticket)
    notify.on_password_reset(customer, "token")
    invite_mail.on_invitation(SimpleNamespace(
        invited_by_id=agent.id, email="new@evil.example", organization=org,
        expires_at=datetime(2027, 1, 8)), "token", "https://help.example/invite/t")

    assert rendered == _kinds()
    mails = list(Outbox.select())
    assert len(mails) >= len(_kinds())
    for mail in mails:
        assert not any(tag in mail.html_body for tag in RAW), mail.html_body
        assert "&lt;img src=x" in mail.html_body, mail.html_body  # the text is shown, escaped


def _parsed(path: Path):
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    return env.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(MAIL.glob("*.html")), ids=lambda p: p.name)
def test_html_mail_templates_pull_in_only_html_and_trust_only_sanitized_bodies(path):
    tree = _parsed(path)
    for node in tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
        assert isinstance(node.template, nodes.Const), path.name
        assert node.template.value.endswith(".html"), (path.name, node.template.value)
    for node in tree.find_all(nodes.Filter):
        if node.name == "safe":
            # Only the sanitizer's output (render_markdown, stored as body_html) is trusted.
            assert isinstance(node.node, nodes.Getattr) and node.node.attr == "body_html", \
                path.name
    for node in tree.find_all(nodes.ScopedEvalContextModifier):
        for option in node.options:  # {% autoescape false %}
            assert option.key != "autoescape" or getattr(option.value, "value", False), \
                path.name
    assert "Markup" not in path.read_text(encoding="utf-8")
