"""Admin pages for organizations: list, search, create, edit, deactivate."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from peewee import fn

from portal.accounts import directory, invitations, members
from portal.accounts.guards import admin_required
from portal.accounts.models import User
from portal.admin import catalog
from portal.admin.forms import errors_of, read
from portal.errors import ServiceError
from portal.pagination import page_number, paginate


def _people_counts(orgs) -> dict[int, int]:
    ids = [o.id for o in orgs]
    rows = (User.select(User.organization, fn.COUNT(User.id).alias("n"))
            .where(User.organization.in_(ids) & User.active).group_by(User.organization))
    return {r.organization_id: r.n for r in rows}


@admin_required
def index():
    data, errors, status = directory.OrgInput(plan="basic"), {}, 200
    if request.method == "POST":
        data = read(directory.OrgInput, flags=("trial",))
        try:
            org = directory.add_org(current_user._get_current_object(), data)
        except ServiceError as err:
            errors, status = errors_of(err), 400
        else:
            flash(gettext("Created %(name)s.", name=org.name), "success")
            return redirect(url_for("admin.org", slug=org.slug))
    q, state = request.args.get("q", "")[:100], request.args.get("state", "")
    page = paginate(directory.search_orgs(q, state), page_number(request.args.get("page")),
                    per_page=50, args={"q": q, "state": state})
    return render_template("admin/orgs.html", page=page, q=q, state=state, data=data,
                           errors=errors, plans=catalog.plans(),
                           people=_people_counts(page.items)), status


@admin_required
def edit(slug: str):
    org = directory.org_by_slug(slug)
    actor = current_user._get_current_object()
    data, errors, status = directory.org_input(org), {}, 200
    action = request.form.get("action", "save")
    if request.method == "POST" and action in ("activate", "deactivate"):
        directory.set_org_active(actor, org, action == "activate")
        flash(gettext("Reactivated.") if action == "activate" else gettext("Deactivated."),
              "success")
        return redirect(url_for("admin.org", slug=org.slug))
    if request.method == "POST":
        data = read(directory.OrgInput, flags=("trial",))
        data.slug = org.slug
        try:
            directory.update_org(actor, org, data)
        except ServiceError as err:
            errors, status = errors_of(err), 400
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("admin.org", slug=org.slug))
    return render_template("admin/org.html", org=org, data=data, errors=errors,
                           plans=catalog.plans(), people=list(members.members(org)),
                           pending=invitations.pending(org),
                           filing=members.filing_count(org)), status
