"""Admin pages for ticket types: names and templates per language, kind, fields, plans."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.guards import admin_required
from portal.admin import catalog
from portal.admin.forms import errors_of, read
from portal.errors import ServiceError
from portal.tickets.models import EXTRA_FIELDS, KINDS


def _form(ticket_type, data, errors, status=200):
    return render_template("admin/type.html", ticket_type=ticket_type, data=data,
                           errors=errors, plans=catalog.plans(), kinds=KINDS,
                           extra_fields=EXTRA_FIELDS), status


def _save(ticket_type):
    data = read(catalog.TypeInput, lists=("asks", "plans"), flags=("active",))
    try:
        saved = catalog.save_type(current_user._get_current_object(), data, ticket_type)
    except ServiceError as err:
        return _form(ticket_type, data, errors_of(err), 400)
    flash(gettext("Saved."), "success")
    return redirect(url_for("admin.type", code=saved.code))


@admin_required
def index():
    if request.method == "POST":
        return _save(None)
    if request.args.get("new"):
        return _form(None, catalog.TypeInput(), {})
    rows = [(t, catalog.offering_plans(t)) for t in catalog.types()]
    return render_template("admin/types.html", rows=rows,
                           plan_names={p.code: p for p in catalog.plans()})


@admin_required
def edit(code: str):
    ticket_type = catalog.type_by_code(code)
    if request.method == "POST":
        return _save(ticket_type)
    return _form(ticket_type, catalog.type_input(ticket_type), {})
