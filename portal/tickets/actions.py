"""What people do on a ticket page: reply, poll, and the staff and customer controls.

Each action answers an htmx request with the thread's updates (new messages, the
refreshed header, the poller) and a plain form post with a redirect to the thread.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from htmx_flask import make_response

from portal.errors import N_, ServiceError
from portal.numbers import parse_id
from portal.text import render_markdown
from portal.tickets import lifecycle, sla_clock, triage, uploads
from portal.tickets import satisfaction as csat
from portal.tickets.listing import get_ticket
from portal.tickets.thread import page_context, show_context, thread
from portal.tickets.views import _user


def _after() -> int:
    return parse_id(request.values.get("after", "")) or 0


def updates(ticket, after: int, status: int = 200, done: bool = False):
    """Messages newer than ``after`` appended to the thread, and a fresh header;
    ``done``: an action succeeded, so earlier error messages are cleared."""
    user = _user()
    ticket = get_ticket(user, ticket.number)
    messages = thread(ticket, user, after=after)
    last = messages[-1].id if messages else after
    return render_template("tickets/_updates.html", ticket=ticket, messages=messages,
                           last_id=last, done=done, **page_context(ticket, user)), status


def _done(ticket, anchor: str | None = None):
    if request.htmx:
        return updates(ticket, _after(), done=True)
    return redirect(url_for("tickets.show", ref=ticket.number, _anchor=anchor))


def _refused(ticket, err: ServiceError, target: str):
    """Tell the user why, next to the control they used; keep what they typed."""
    if request.htmx:
        # 422: htmx is set up to swap it, into the error slot beside the control.
        return make_response(render_template("tickets/_error.html", message=err.text(gettext)),
                             422, retarget=target, reswap="innerHTML")
    user = _user()
    return render_template("tickets/show.html", ticket=ticket, error=err.text(gettext),
                           error_at=target, draft=request.form.get("body", ""),
                           **show_context(ticket, user)), err.status


@login_required
def poll(number: int):
    return updates(get_ticket(_user(), number), _after())


@login_required
def sla(number: int):
    """The ticket's SLA targets as they stand now (staff pages refresh it in place)."""
    ticket = get_ticket(_user(), number)
    return render_template("tickets/_sla.html", ticket=ticket,
                           sla=sla_clock.shown(ticket, _user().is_staff))


@login_required
def reply(number: int):
    ticket = get_ticket(_user(), number)
    if "preview" in request.form:  # the Preview button without JavaScript
        body = request.form.get("body", "")
        return render_template("tickets/show.html", ticket=ticket, draft=body,
                               reply_preview=render_markdown(body) or " ",
                               **show_context(ticket, _user()))
    files = [uploads.Upload(f.filename, f.stream)
             for f in request.files.getlist("attachments") if f and f.filename]
    # A live page says which message it shows last; a reply that came in since then is
    # shown before this one goes out (the next send, once the page has it, goes through).
    if _user().is_staff and _after() and triage.arrived_since(ticket, _user(), _after()):
        return _refused(ticket, lifecycle.Refused(
            N_("A new reply arrived while you were writing. Read it, then send again.")),
            "#reply-error")
    try:
        message = lifecycle.post_message(
            _user(), ticket, request.form.get("body", ""), files,
            internal=bool(request.form.get("internal")), status=request.form.get("status", ""))
    except ServiceError as err:
        return _refused(ticket, err, "#reply-error")
    return _done(ticket, anchor=f"m{message.id}")


def _control(number: int, action, target: str):
    ticket = get_ticket(_user(), number)
    try:
        action(ticket)
    except ServiceError as err:
        return _refused(ticket, err, target)
    return _done(ticket)


@login_required
def status(number: int):
    return _control(number, lambda t: lifecycle.change_status(
        _user(), t, request.form.get("status", "")), "#controls-error")


@login_required
def priority(number: int):
    return _control(number, lambda t: lifecycle.change_priority(
        _user(), t, request.form.get("priority", ""), request.form.get("reason", "")),
        "#controls-error")


@login_required
def assign(number: int):
    return _control(number, lambda t: lifecycle.assign(
        _user(), t, request.form.get("assignee", "")), "#controls-error")


@login_required
def solve(number: int):
    return _control(number, lambda t: lifecycle.solve(_user(), t), "#actions-error")


@login_required
def escalate(number: int):
    return _control(number, lambda t: lifecycle.escalate(
        _user(), t, request.form.get("reason", "")), "#actions-error")


@login_required
def withdraw(number: int):
    return _control(number, lambda t: lifecycle.withdraw(
        _user(), t, request.form.get("reason", "")), "#actions-error")


@login_required
def satisfaction(number: int):
    """GET asks (the mail's link lands here and records nothing); POST records."""
    ticket = get_ticket(_user(), number)
    rating, error = request.values.get("rating", ""), None
    if request.method == "POST":
        try:
            csat.vote(_user(), ticket, rating, request.form.get("comment", ""))
        except ServiceError as err:
            error = err
        else:
            flash(gettext("Thank you: your rating was recorded. You can change it until "
                          "the ticket is closed."), "success")
            return redirect(url_for("tickets.show", ref=ticket.number, _anchor="csat"))
    return render_template("tickets/satisfaction.html", ticket=ticket, rating=rating,
                           vote=csat.vote_of(ticket), may_vote=csat.may_vote(_user(), ticket),
                           error=error.text(gettext) if error else None,
                           error_at="#csat-error"), error.status if error else 200


@login_required
def change_type(number: int):
    return _control(number, lambda t: triage.change_type(
        _user(), t, request.form.get("type", "")), "#controls-error")


@login_required
def severity(number: int):
    return _control(number, lambda t: triage.change_severity(
        _user(), t, request.form.get("severity", ""), request.form.get("reason", "")),
        "#controls-error")


@login_required
def participants(number: int):
    return _control(number, lambda t: triage.set_participants(
        _user(), t, request.form.getlist("participants")), "#controls-error")


@login_required
def acknowledge(number: int):
    return _control(number, lambda t: triage.acknowledge(_user(), t), "#controls-error")
