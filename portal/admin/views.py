"""The admin blueprint: its overview page, and every admin route wired in one place."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts.guards import admin_required
from portal.accounts.models import Organization, User
from portal.admin import (
    audit,
    calendars,
    mailroom,
    orgs,
    outbox,
    plans,
    policies,
    products,
    types,
    users,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

# endpoint, label
SECTIONS = [
    ("admin.index", _l("Overview")), ("admin.orgs", _l("Organizations")),
    ("admin.users", _l("Users")), ("admin.plans", _l("Plans")),
    ("admin.types", _l("Ticket types")), ("admin.products", _l("Products")),
    ("admin.calendars", _l("Calendars")), ("admin.sla", _l("SLA policies")),
    ("admin.audit", _l("Audit log")), ("admin.outbox", _l("Outgoing mail")),
]

ROUTES = [  # rule, endpoint, view, methods
    ("/orgs", "orgs", orgs.index, ["GET", "POST"]),
    ("/orgs/<slug>", "org", orgs.edit, ["GET", "POST"]),
    ("/users", "users", users.index, ["GET", "POST"]),
    ("/users/<int:user_id>", "user", users.edit, ["GET", "POST"]),
    ("/plans", "plans", plans.index, ["GET", "POST"]),
    ("/plans/<code>", "plan", plans.edit, ["GET", "POST"]),
    ("/types", "types", types.index, ["GET", "POST"]),
    ("/types/<code>", "type", types.edit, ["GET", "POST"]),
    ("/products", "products", products.index, ["GET", "POST"]),
    ("/products/<code>", "product", products.edit, ["GET", "POST"]),
    ("/calendars", "calendars", calendars.index, ["GET", "POST"]),
    ("/calendars/<int:calendar_id>", "calendar", calendars.edit, ["GET", "POST"]),
    ("/sla", "sla", policies.index, ["GET", "POST"]),
    ("/audit", "audit", audit.index, ["GET"]),
    ("/audit.csv", "audit_csv", audit.export, ["GET"]),
    ("/outbox", "outbox", outbox.index, ["GET"]),
    ("/outbox/<int:row_id>/retry", "outbox_retry", outbox.retry, ["POST"]),
    ("/outbox/<int:row_id>/discard", "outbox_discard", outbox.discard, ["POST"]),
]
for rule, endpoint, view, methods in ROUTES:
    bp.add_url_rule(rule, endpoint, view_func=view, methods=methods)


@bp.context_processor
def _sections() -> dict:
    """The admin menu; a section whose pages are not installed is left out."""
    present = current_app.view_functions
    endpoint = request.endpoint or ""
    # An object's page (admin.org) belongs to its list's section (admin.orgs).
    current = endpoint if endpoint in dict(SECTIONS) else endpoint + "s"
    return {"admin_sections": [(name, url_for(name), label, name == current)
                               for name, label in SECTIONS if name in present]}


@bp.route("/")
@admin_required
def index():
    """Counts that tell an admin where to look."""
    stats = {
        "orgs": Organization.select().where(Organization.active).count(),
        "users": User.select().where(User.active).count(),
        "customers": User.select().where(User.active & (User.role == "customer")).count(),
        "staff": User.select().where(User.active & (User.role != "customer")).count(),
    }
    return render_template("admin/index.html", stats=stats, mail=mailroom.counts(),
                           smtp=mailroom.smtp_configured(), failure=mailroom.last_failure())
