"""The tickets' template helpers: status and severity names, event lines, references."""

from __future__ import annotations

import json
from datetime import datetime

from flask import g, url_for
from flask_babel import gettext
from flask_login import current_user
from jinja2 import pass_context

from portal.sla.models import PRIORITIES
from portal.templating import context_locale, labels, local_time, localized
from portal.tickets import policy
from portal.tickets.lifecycle import allowed_transitions, reply_statuses
from portal.tickets.models import SEVERITIES, TicketType
from portal.tickets.numbering import format_number
from portal.tickets.uploads import INLINE_IMAGES


def status_labels() -> dict[str, str]:
    """Status names; "waiting" is worded for whoever reads it (customer or staff)."""
    return _statuses(bool(current_user and current_user.is_authenticated
                          and current_user.is_staff))


def _statuses(staff: bool, locale: str | None = None) -> dict[str, str]:
    return labels("statuses-staff" if staff else "statuses", lambda: {
        "new": gettext("New"), "investigating": gettext("Investigating"),
        "waiting_on_customer": gettext("Waiting on customer") if staff
        else gettext("Waiting for your reply"),
        "resolved": gettext("Resolved"), "closed": gettext("Closed")}, locale)


# The same for templates, from the page's context: its reader (Flask-Login puts the user
# there) and its language, instead of looking both up through the request each time.
@pass_context
def _page_status_labels(context) -> dict[str, str]:
    user = context.get("current_user")
    return _statuses(bool(user and user.is_authenticated and user.is_staff),
                     context_locale(context))


@pass_context
def _page_severity_labels(context) -> dict[int, tuple[str, str]]:
    return severity_labels(context_locale(context))


@pass_context
def _page_sla_labels(context) -> dict[str, str]:
    return sla_labels(context_locale(context))


@pass_context
def _page_incident_labels(context) -> dict[str, str]:
    return incident_labels(context_locale(context))


def severity_labels(locale: str | None = None) -> dict[int, tuple[str, str]]:
    """Each severity's name and when to use it."""
    return labels("severities", lambda: {
        1: (gettext("1 · Urgent"), gettext("Production is down and work cannot continue.")),
        2: (gettext("2 · High"), gettext("A major function is unusable or badly degraded.")),
        3: (gettext("3 · Normal"),
            gettext("Part of a function misbehaves, and there is a workaround.")),
        4: (gettext("4 · Low"), gettext("A question or a request without time pressure.")),
    }, locale)


def incident_labels(locale: str | None = None) -> dict[str, str]:
    """An incident's current state, as the filer chose it."""
    return labels("incident-states", lambda: {
        "ongoing": gettext("Still happening"), "intermittent": gettext("Happens now and then"),
        "recovered": gettext("Recovered; we want to know why")}, locale)


def rating_labels() -> dict[str, str]:
    return labels("ratings", lambda: {"good": gettext("Good"), "bad": gettext("Bad")})


def can_file() -> bool:
    """May the signed-in user open tickets (for the navigation)."""
    return current_user.is_authenticated and policy.can_file(current_user)


@pass_context
def _page_can_file(context) -> bool:
    """:func:`can_file` for templates, of the page's reader (Flask-Login's context value)."""
    user = context.get("current_user")
    return bool(user is not None and user.is_authenticated and policy.can_file(user))


def event_text(message) -> str:
    """A system line of the thread, in the reader's language."""
    try:
        data = json.loads(message.body)
    except ValueError:
        return message.body
    who = message.author.name if message.author_id else gettext("The system")
    code = data.get("event")
    statuses = status_labels()
    if code == "status":
        new, old = statuses.get(data.get("new"), ""), statuses.get(data.get("old"), "")
        if data.get("automatic") == "auto_resolved":
            return gettext("Resolved automatically after %(days)d days without a reply.",
                           days=data.get("days", 0))
        if data.get("automatic") == "auto_closed":
            return gettext("Closed automatically %(days)d days after it was resolved.",
                           days=data.get("days", 0))
        if data.get("withdrawn"):
            return gettext("%(who)s withdrew the request: %(reason)s", who=who,
                           reason=data.get("reason", ""))
        if data.get("by_customer"):
            return gettext("%(who)s marked the ticket as solved.", who=who)
        if data.get("reopened"):
            return gettext("%(who)s reopened the ticket by replying.", who=who)
        return gettext("%(who)s changed the status from %(old)s to %(new)s.", who=who,
                       old=old, new=new)
    if code == "priority":
        return gettext("%(who)s changed the priority from %(old)s to %(new)s: %(reason)s",
                       who=who, old=data.get("old"), new=data.get("new"),
                       reason=data.get("reason", ""))
    if code == "assign":
        if data.get("taken") or (data.get("new") and data.get("new") == who):
            return gettext("%(who)s took the ticket.", who=who)
        if data.get("new"):
            return gettext("%(who)s assigned the ticket to %(name)s.", who=who,
                           name=data["new"])
        return gettext("%(who)s removed the assignee.", who=who)
    if code == "sla_recomputed":
        names = sla_labels()
        due = "; ".join(
            gettext("%(target)s by %(time)s", target=names[name],
                    time=local_time(datetime.fromisoformat(data[name]), "short"))
            for name in ("first_response", "next_response", "resolution") if data.get(name))
        return gettext("Due times recomputed from the start for priority %(n)d: %(due)s.",
                       n=data.get("priority", 0), due=due)
    if code == "escalated":
        return gettext("%(who)s escalated the ticket: %(reason)s", who=who,
                       reason=data.get("reason", ""))
    if code == "severity":
        return gettext("%(who)s changed the severity from %(old)s to %(new)s: %(reason)s",
                       who=who, old=data.get("old"), new=data.get("new"),
                       reason=data.get("reason", ""))
    if code == "type":
        return gettext("%(who)s changed the type from %(old)s to %(new)s.", who=who,
                       old=_type_name(data.get("old")), new=_type_name(data.get("new")))
    if code == "participants":
        if data.get("names"):
            return gettext("%(who)s set who is in copy: %(names)s", who=who,
                           names=", ".join(data["names"]))
        return gettext("%(who)s removed everyone from copy.", who=who)
    if code == "acknowledged":
        return gettext("%(who)s acknowledged the escalation.", who=who)
    return code or ""


def _type_name(code) -> str:
    found = TicketType.get_or_none(TicketType.code == code) if code else None
    return localized(found) if found else (code or "")


def sla_labels(locale: str | None = None) -> dict[str, str]:
    return labels("sla", lambda: {"first_response": gettext("First response"),
                                   "next_response": gettext("Next response"),
                                   "resolution": gettext("Resolution")}, locale)


def ticket_ref(number: int) -> str:
    """A ticket number as people quote it: ``PREFIX-123``."""
    return format_number(number)


def ticket_href():
    """A function number → the ticket page's URL, built by ``url_for`` once per request
    (a queue page of fifty rows would otherwise pay for fifty URL builds)."""
    if "ticket_href" not in g:
        head, _, tail = url_for("tickets.show", ref=999_999_999).rpartition("999999999")
        g.ticket_href = lambda number: f"{head}{int(number)}{tail}"
    return g.ticket_href


def init_app(app) -> None:
    """Offer the tickets' helpers to every template."""
    app.jinja_env.globals.update(status_labels=_page_status_labels,
                                 severity_labels=_page_severity_labels,
                                 can_file=_page_can_file, event_text=event_text,
                                 incident_labels=_page_incident_labels,
                                 rating_labels=rating_labels,
                                 inline_images=INLINE_IMAGES, sla_labels=_page_sla_labels,
                                 SEVERITIES=SEVERITIES, PRIORITIES=PRIORITIES,
                                 allowed_transitions=allowed_transitions,
                                 reply_statuses=reply_statuses, ticket_href=ticket_href)
    app.jinja_env.filters.update(ticket_ref=ticket_ref)
