"""The outbox page: every mail's state, counts, "retry now" and "discard, with a reason"."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.guards import admin_required
from portal.admin import mailroom
from portal.errors import ServiceError
from portal.pagination import page_number, paginate


@admin_required
def index():
    wanted, q = request.args.get("state", ""), request.args.get("q", "")[:100]
    page = paginate(mailroom.search(wanted, q), page_number(request.args.get("page")),
                    per_page=50, args={"state": wanted, "q": q})
    return render_template("admin/outbox.html", page=page, wanted=wanted, q=q,
                           counts=mailroom.counts(), smtp=mailroom.smtp_configured(),
                           failure=mailroom.last_failure(), state=mailroom.state,
                           address=mailroom.display_address)


def _back():
    return redirect(url_for("admin.outbox", state=request.form.get("back_state") or None))


@admin_required
def retry(row_id: int):
    try:
        mailroom.retry(current_user._get_current_object(), mailroom.row_by_id(row_id))
    except ServiceError as err:
        flash(err.text(gettext), "error")
    else:
        flash(gettext("The mail will be sent within a few seconds.") if mailroom.smtp_configured()
              else gettext("The mail is due now; it is sent once SMTP is configured."), "success")
    return _back()


@admin_required
def discard(row_id: int):
    try:
        mailroom.discard(current_user._get_current_object(), mailroom.row_by_id(row_id),
                         request.form.get("reason", "")[:1000])
    except ServiceError as err:
        flash(err.text(gettext), "error")
    else:
        flash(gettext("Discarded: it will not be sent."), "success")
    return _back()

