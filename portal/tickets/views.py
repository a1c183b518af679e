"""Customer-facing ticket pages: the list, the request form, the thread, downloads."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_timezone, gettext
from flask_login import current_user, login_required

from portal.accounts.services import products
from portal.cleaning import one_line
from portal.fragments import data_version
from portal.pagination import page_number, paginate
from portal.templating import current_locale, local_time
from portal.text import render_markdown
from portal.tickets import filing, formpage, kept, policy, sla_clock, uploads
from portal.tickets.listing import find_ticket, get_ticket, list_tickets
from portal.tickets.models import SEVERITIES, STATUSES
from portal.tickets.numbering import format_number
from portal.tickets.thread import get_attachment, show_context, thread
from portal.tickets.uploads import INLINE_IMAGES

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
FORM_FIELDS = ("type", "severity", "product", "environment", "subject", "description",
               "occurred_at", "incident_state", "phone", "requester", "follow_up",
               "submission")


def _user():
    return current_user._get_current_object()


@login_required
def index():
    scope = request.args.get("scope", "mine")
    status, q = request.args.get("status", ""), request.args.get("q", "")[:200]
    query = list_tickets(_user(), scope, status, q)
    page = paginate(query, page_number(request.args.get("page")), per_page=20,
                    args={"scope": scope, "status": status, "q": q})
    return render_template("tickets/index.html", page=page, scope=scope, status=status,
                           q=q, statuses=STATUSES)


def _form_data() -> filing.TicketInput:
    form = request.form
    data = filing.TicketInput(**{name: form.get(name, "") for name in FORM_FIELDS})
    data.participants = form.getlist("participants")
    data.files = [uploads.Upload(f.filename, f.stream)
                  for f in request.files.getlist("attachments") if f and f.filename]
    return data


def _form(data: filing.TicketInput, errors=None, params=None, preview=None,
          status: int = 200, types=None):
    user = _user()
    org = user.organization if not user.is_staff else None
    trial = bool(org and org.trial)
    # The number comes from the form: only a ticket this user may see is ever named.
    follow_up = find_ticket(user, data.follow_up) if data.follow_up else None
    return render_template(
        "tickets/new.html", data=data, errors=errors or {}, params=params or {},
        preview=preview, types=filing.types_for(org) if types is None else types,
        severities=SEVERITIES,
        products=products(), environments=filing.environments(org),
        colleagues=filing.colleagues(user), on_behalf=policy.can_file_on_behalf(user),
        trial=trial, trial_severity=org.plan.default_severity if trial else 3,
        follow_up=follow_up, may_file=policy.can_file(user),
        earlier_messages=thread(follow_up, user) if follow_up else []), status


@login_required
def new():
    if request.method == "GET":
        return formpage.blank_form(_user(), _fresh_form)
    data = _form_data()
    if "preview" in request.form:  # the Preview button without JavaScript
        return _form(data, preview=render_markdown(data.description))
    try:
        ticket = filing.file_ticket(_user(), data, str(get_timezone()))
    except filing.Invalid as err:
        return _form(data, err.errors, err.field_params, status=400)
    flash(_filed_message(ticket), "success")
    return redirect(url_for(".show", ref=ticket.number))


def _fresh_form(submission: str):
    """The form as this visit's query string fills it in, with ``submission`` as its
    one-time token."""
    user = _user()
    types = filing.types_for(user.organization if not user.is_staff else None)
    data = filing.prefill(user, request.args.get("type", ""),
                          request.args.get("follow_up", ""), submission,
                          current_locale(), types)
    _about_article(data)
    if request.args.get("subject") and not data.subject:  # from a search with no answer
        data.subject = one_line(request.args["subject"])[:filing.MAX_SUBJECT]
    return _form(data, types=types)


def _about_article(data: filing.TicketInput) -> None:
    """Coming from an article that did not help ("contact support"): name it first in
    the description, so support knows what was already read."""
    slug, title = request.args.get("article", ""), one_line(request.args.get("about", ""))
    if not _SLUG.match(slug):
        return
    link = url_for("kb.article", slug=slug, _external=True)
    line = gettext("I read the article “%(title)s” (%(link)s), and it did not answer me.",
                   title=title[:200] or slug, link=link)
    data.description = f"{line}\n\n{data.description}"


def _filed_message(ticket) -> str:
    """What happens next: when support answers first, and where the confirmation went."""
    parts = [gettext("Your request %(ref)s was sent.", ref=format_number(ticket.number))]
    first = next((s for s in sla_clock.shown(ticket, False) if s.name == "first_response"
                  and s.state == "pending"), None)
    if first is not None:
        parts.append(gettext("We will answer by %(time)s at the latest.",
                             time=local_time(first.due, "short")))
    requester = ticket.requester
    if requester.id != _user().id or requester.notify_own:
        parts.append(gettext("A confirmation was e-mailed to %(email)s.",
                             email=requester.email))
    return ("" if current_locale() == "ja" else " ").join(parts)  # no spaces between 文


@login_required
def show(ref: str):
    user = _user()
    # Staff pages keep their content under the data version, read before the ticket.
    version = data_version() if user.is_staff else None
    ticket = get_ticket(user, ref)
    if ref != str(ticket.number):
        return redirect(url_for(".show", ref=ticket.number))
    if user.is_staff:
        return kept.page(ticket, user, version, format_number(ticket.number))
    return render_template("tickets/show.html", ticket=ticket, **show_context(ticket, user))


@login_required
def attachment(number: int, attachment_id: int):
    item = get_attachment(_user(), number, attachment_id)
    # Only images whose bytes we checked at upload may show inline (as thumbnails).
    inline = bool(request.args.get("inline")) and item.content_type in INLINE_IMAGES
    response = send_file(uploads.path_of(item.stored_name), mimetype=item.content_type,
                         as_attachment=not inline, download_name=item.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
