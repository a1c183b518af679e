"""Admin pages for plans: names, ticket types offered, technical-contact limit."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.guards import admin_required
from portal.admin import catalog
from portal.admin.forms import errors_of, read
from portal.errors import ServiceError


def _form(plan, data, errors, status=200):
    return render_template("admin/plan.html", plan=plan, data=data, errors=errors,
                           types=catalog.types()), status


def _save(plan):
    data = read(catalog.PlanInput, lists=("types",))
    try:
        saved = catalog.save_plan(current_user._get_current_object(), data, plan)
    except ServiceError as err:
        return _form(plan, data, errors_of(err), 400)
    flash(gettext("Saved."), "success")
    return redirect(url_for("admin.plan", code=saved.code))


@admin_required
def index():
    if request.method == "POST":
        return _save(None)
    if request.args.get("new"):
        return _form(None, catalog.PlanInput(), {})
    rows = [(p, catalog.offered_types(p)) for p in catalog.plans()]
    return render_template("admin/plans.html", rows=rows,
                           type_names={t.code: t for t in catalog.types()})


@admin_required
def edit(code: str):
    plan = catalog.plan_by_code(code)
    if request.method == "POST":
        return _save(plan)
    return _form(plan, catalog.plan_input(plan), {})
