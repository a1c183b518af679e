"""The staff queue at /staff/: views with counts, saved views, bulk changes, CSV export."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_timezone, gettext
from flask_login import current_user

from portal import clock
from portal.accounts.guards import staff_required
from portal.db import Prepared
from portal.errors import ServiceError
from portal.fragments import Kept, data_version, whole_page
from portal.pagination import page_number, paginate
from portal.security import safe_next
from portal.staff import (
    bulk,
    counters,
    customer,
    export,
    kept,
    presence,
    queue_page,
    saved,
    services,
)
from portal.staff import queue as views_registry
from portal.templating import current_locale, short_age
from portal.tickets import sla_clock
from portal.tickets.listing import get_ticket
from portal.tickets.models import TicketType

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.record_once(lambda state: counters.connect())  # the dashboard's stored figures
MAX_LISTED_REFUSALS = 20


def _user():
    return current_user._get_current_object()


def _filters(source) -> services.QueueFilters:
    return services.QueueFilters(**{f.name: (source.get(f.name) or f.default)[:200]
                                    for f in fields(services.QueueFilters)})


@bp.app_template_filter("age")
def age(moment: datetime | None, locale: str | None = None) -> str:
    """How long ago, in the reader's language ("3 days", "3 日")."""
    if not moment:
        return ""
    return short_age((clock.now() - moment).total_seconds(), locale or current_locale())


@bp.app_template_global("customer_panel")
def customer_panel(ticket):
    """The customer panel beside a ticket (staff pages only ask for it)."""
    return customer.panel(ticket)


# The triage box's choice of type (on every staff ticket page): what the select shows.
_TYPE_CHOICES = Prepared(lambda active: TicketType.select(
    TicketType.id, TicketType.code, TicketType.name_en, TicketType.name_ja)
    .where(TicketType.active == active).order_by(TicketType.position), True)


@bp.app_template_global("ticket_types")
def ticket_types():
    """The active ticket types, as ``types_for(None)`` orders them: id, code and names."""
    return _TYPE_CHOICES.rows(True)


@bp.app_template_global("reply_language")
def reply_language(ticket) -> str:
    return customer.reply_language(ticket.requester)


@bp.route("/")
@staff_required
def queue():
    filters = _filters(request.args)
    viewer = _user()
    if request.htmx and not request.htmx.history_restore_request:
        return render_template("staff/_live.html", **_queue_context(viewer, filters, None))
    # The page is kept under the data version, read before the rows; saved views are
    # outside it, so they are read on every page and are part of the key. Counts and
    # countdowns follow the clock: a page is kept for the minute it was made in
    # (``kept.whole_key``).
    version = data_version()
    views = saved.saved_views(viewer)
    key = kept.whole_key(version, viewer, views)
    return whole_page(kept.WHOLE_PAGES, kept.MAX_WHOLE_PAGES, key,
                      lambda once: _full_queue(viewer, filters, version, views, once))


def _queue_context(viewer, filters: services.QueueFilters, views) -> dict:
    rows = queue_page.QueueRows(viewer, filters, services.QUEUE_COUNT_CAP)
    page = paginate(rows, page_number(request.args.get("page")), per_page=50,
                    cap=services.QUEUE_COUNT_CAP, counted=rows, args=asdict(filters))
    return {"page": page, "filters": filters, "counts": views_registry.counts(viewer),
            "views": views_registry.VIEWS, "cap": views_registry.COUNT_CAP,
            "saved": saved.saved_views(viewer) if views is None else views,
            "next_due": sla_clock.next_due}


def _full_queue(viewer, filters, version, views, once: dict) -> str:
    context = _queue_context(viewer, filters, views)
    return render_template("staff/queue.html", **context, fill_kept=Kept.fill, _once=once,
                           kept_body=kept.content(version, context["page"], context,
                                                  services.choices))


@bp.route("/views", methods=["POST"])
@staff_required
def save_view():
    try:
        view = saved.save_view(_user(), request.form.get("name", ""), request.form)
    except ServiceError as err:
        flash(err.text(gettext), "error")
        return redirect(url_for(".queue", **saved.clean_filters(request.form)))
    flash(gettext("The view “%(name)s” was saved.", name=view.name), "success")
    return redirect(url_for(".queue", **view.filters))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@staff_required
def delete_view(view_id: int):
    saved.delete_view(_user(), view_id)
    flash(gettext("The view was deleted."), "success")
    return redirect(url_for(".queue"))


@bp.route("/bulk", methods=["POST"])
@staff_required
def bulk_change():
    form = request.form
    back = safe_next(form.get("next")) or url_for(".queue")
    try:
        outcome = bulk.bulk_change(_user(), form.getlist("tickets"), form.get("action", ""),
                                   form.get("value", ""), form.get("reason", ""))
    except ServiceError as err:
        flash(err.text(gettext), "error")
        return redirect(back)
    flash(gettext("%(num)d tickets changed, %(refused)d refused.", num=len(outcome.changed),
                  refused=len(outcome.refused)), "success" if not outcome.refused else "info")
    for refusal in outcome.refused[:MAX_LISTED_REFUSALS]:
        flash(gettext("%(number)s: %(why)s", number=refusal.number,
                      why=gettext(refusal.message) % refusal.params if refusal.params
                      else gettext(refusal.message)), "error")
    return redirect(back)


@bp.route("/export.csv")
@staff_required
def export_csv():
    rows = export.rows(_user(), _filters(request.args), current_locale(), str(get_timezone()))
    name = f"tickets-{clock.now():%Y%m%d-%H%M}.csv"
    return Response(stream_with_context(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}",
                             "Content-Type": "text/csv; charset=utf-8"})


@bp.route("/presence/<int:number>", methods=["POST"])
@staff_required
def heartbeat(number: int):
    """The ticket page's heartbeat: answers with who else is there."""
    ticket = get_ticket(_user(), number)
    others = presence.heartbeat(_user(), ticket, bool(request.form.get("body", "").strip()))
    return render_template("staff/_presence.html", others=others, ticket=ticket)
