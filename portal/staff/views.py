"""The staff queue at /staff/."""

from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, render_template, request
from flask_login import current_user

from portal.accounts.guards import staff_required
from portal.pagination import page_number, paginate
from portal.staff import services
from portal.tickets import sla_clock

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@staff_required
def queue():
    filters = services.QueueFilters(**{f.name: request.args.get(f.name, f.default)[:200]
                                       for f in fields(services.QueueFilters)})
    query = services.queue(current_user._get_current_object(), filters)
    page = paginate(query, page_number(request.args.get("page")), per_page=50,
                    cap=services.QUEUE_COUNT_CAP)
    return render_template("staff/queue.html", page=page, filters=filters,
                           next_due=sla_clock.next_due, **services.choices())
