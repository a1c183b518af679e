"""Who hears about what happens to a ticket, by e-mail, in their own language.

Handlers run inside the transaction of the change (blinker signals sent by
``portal.tickets``), so the outbox rows commit or roll back with it. Internal notes
never produce mail to customers.
"""

from __future__ import annotations

import secrets
from email.utils import formataddr

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from portal import settings
from portal.accounts import events as account_events
from portal.accounts.models import User
from portal.accounts.services import active_staff
from portal.cleaning import one_line
from portal.errors import N_
from portal.mail import invite_mail, tokens
from portal.mail.models import Outbox
from portal.templating import date_pattern
from portal.tickets import events
from portal.tickets.models import Message, Participant, Ticket
from portal.tickets.numbering import format_number

_app = None
TELLS_CUSTOMERS = ("waiting_on_customer", "resolved", "closed")


def domain() -> str:
    return (settings.get("MAIL_FROM") or "localhost").rpartition("@")[2] or "localhost"


def thread_id(ticket: Ticket) -> str:
    """The Message-ID every mail about a ticket answers, so clients keep one thread."""
    return f"<ticket-{ticket.number}@{domain()}>"


def ticket_link(ticket: Ticket) -> str:
    """The ticket's address for people reading mail (the one place it is built)."""
    return f"{settings.get('BASE_URL', '').rstrip('/')}/tickets/{ticket.number}"


def queue(user: User, template: str, subject: str, ticket: Ticket | None = None,
          **context) -> Outbox | None:
    """Render ``mail/<template>`` in the recipient's language and put it in the outbox.

    Nobody whose account or organization is deactivated is mailed. Mail about a ticket
    carries the recipient's own reply address (``portal.mail.tokens``). The subject and
    the name in ``To:`` are cleaned once more here, for rows of text stored before
    input was cleaned.
    """
    if not getattr(user, "is_active", True):  # someone invited has no account yet
        return None
    app = _app or current_app._get_current_object()
    locale = user.locale or settings.get("DEFAULT_LOCALE", "ja")
    with app.app_context(), force_locale(locale):
        context.update(user=user, ticket=ticket,
                       link=ticket_link(ticket) if ticket else settings.get("BASE_URL"),
                       ref=format_number(ticket.number) if ticket else "")
        text = render_template(f"mail/{template}.txt", **context)
        html = render_html(app, f"mail/{template}.html", context)
        subject = gettext(subject, **context_params(context))
    if ticket is not None:
        subject = f"[{format_number(ticket.number)}] {subject}"
    return Outbox.create(
        to_address=formataddr((one_line(user.name), user.email)),
        subject=one_line(subject)[:250], text_body=text, html_body=html, ticket=ticket,
        message_id=f"<mdg-{secrets.token_hex(12)}@{domain()}>",
        in_reply_to=thread_id(ticket) if ticket else "",
        reply_to=tokens.reply_address(ticket.number, user.id) if ticket else "")


def render_html(app, name: str, context: dict) -> str:
    """The HTML part, with every template it pulls in escaped.

    Jinja decides autoescape per template by its file name, so a ``.txt`` partial
    included from an HTML mail would put a subject such as ``<img onerror=…>`` into the
    mail as markup. The HTML part is therefore rendered in an overlay of the app's
    environment that escapes in every template; only the sanitizer's ``|safe`` output
    passes as it is.
    """
    env = app.extensions.get("mail_html_env")
    if env is None:
        env = app.extensions["mail_html_env"] = app.jinja_env.overlay(autoescape=True)
    context = dict(context)
    app.update_template_context(context)
    return env.get_template(name).render(context)


def context_params(context: dict) -> dict:
    ticket = context.get("ticket")
    return {"subject": ticket.subject if ticket else "", **{
        k: v for k, v in context.items() if isinstance(v, str | int)}}


def _people(ticket: Ticket) -> list[User]:
    """The requester and the colleagues in copy."""
    copied = User.select().join(Participant, on=(Participant.user == User.id)).where(
        Participant.ticket == ticket)
    return [ticket.requester, *copied]


def _to(recipients, actor: User | None) -> list[User]:
    """Active people of active organizations, each once, leaving out the actor unless
    they asked to be told."""
    seen, out = set(), []
    for person in recipients:
        if person is None or person.id in seen or not person.is_active:
            continue
        if actor is not None and person.id == actor.id and not person.notify_own:
            continue
        seen.add(person.id)
        out.append(person)
    return out


def on_filed(ticket: Ticket, message: Message) -> None:
    for person in _to(_people(ticket), ticket.created_by):
        queue(person, "received", N_("We received your request: %(subject)s"), ticket,
              message=message)


def on_message(ticket: Ticket, message: Message) -> None:
    if message.kind != "reply":
        return  # internal notes and event lines are never mailed
    author = message.author
    if author is not None and author.is_staff:
        recipients = _people(ticket)
        template = "staff_reply"
    else:
        recipients = [ticket.assignee] if ticket.assignee_id else active_staff()
        template = "customer_reply"
    for person in _to(recipients, author):
        queue(person, template, N_("New reply: %(subject)s"), ticket, message=message,
              author_name=author.name if author else "")


def on_status(ticket: Ticket, old: str, new: str, actor: User | None) -> None:
    if new not in TELLS_CUSTOMERS:
        return
    subjects = {"waiting_on_customer": N_("We need your reply: %(subject)s"),
                "resolved": N_("Resolved: %(subject)s"), "closed": N_("Closed: %(subject)s")}
    rate = f"{ticket_link(ticket)}/satisfaction" if new == "resolved" else ""
    for person in _to(_people(ticket), actor):
        # Only the requester is asked; the link opens a page that asks before recording.
        queue(person, "status", subjects[new], ticket, status=new,
              rate_link=rate if person.id == ticket.requester_id else "")


def on_escalated(ticket: Ticket, actor: User, reason: str) -> None:
    admins = User.select().where((User.role == "admin") & User.active)
    for person in _to(admins, actor):
        queue(person, "escalated", N_("Escalated: %(subject)s"), ticket, reason=reason,
              actor_name=actor.name)


SLA_SUBJECTS = {"at_risk": N_("SLA at risk: %(subject)s"),
                "breached": N_("SLA breached: %(subject)s")}


def on_sla_warning(ticket: Ticket, target: str, kind: str, due) -> None:
    """A target is at risk or breached: tell the assignee, or every agent if nobody has it."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    recipients = [ticket.assignee] if ticket.assignee_id else active_staff()
    for person in _to(recipients, None):
        locale = person.locale or settings.get("DEFAULT_LOCALE", "ja")
        due_text = format_datetime(due.replace(tzinfo=UTC), date_pattern(locale), locale=locale,
                                   tzinfo=ZoneInfo(person.timezone or "Asia/Tokyo"))
        queue(person, "sla_warning", SLA_SUBJECTS[kind], ticket, target=target, kind=kind,
              due_text=due_text)


def on_password_reset(user: User, token: str) -> None:
    base = settings.get("BASE_URL", "").rstrip("/")
    queue(user, "password_reset", N_("Resetting your password"), None,
          reset_link=f"{base}/password/reset/{token}")


def init_app(app) -> None:
    """Subscribe to the tickets' and accounts' signals (once per process)."""
    global _app
    _app = app
    events.ticket_filed.connect(on_filed, weak=False)
    events.message_posted.connect(on_message, weak=False)
    events.status_changed.connect(on_status, weak=False)
    events.escalated.connect(on_escalated, weak=False)
    events.sla_warning.connect(on_sla_warning, weak=False)
    account_events.password_reset_requested.connect(on_password_reset, weak=False)
    account_events.invitation_created.connect(invite_mail.on_invitation, weak=False)
