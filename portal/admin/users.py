"""Admin pages for users: list with search and filters, create, invite, edit."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts import directory, invitations
from portal.accounts.guards import admin_required
from portal.accounts.models import Organization
from portal.admin.forms import errors_of, read
from portal.errors import N_, ServiceError
from portal.pagination import page_number, paginate

FILTERS = ("q", "role", "org", "state")


def _orgs() -> list[Organization]:
    return list(Organization.select().order_by(Organization.name))


def _invite(actor) -> None:
    org = directory.org_by_slug(request.form.get("org", "")[:64]) if request.form.get(
        "org") else None
    if org is None:
        raise ServiceError(N_("Please choose an organization."), "org")
    invitations.invite(actor, org, request.form.get("email", "")[:254],
                       request.form.get("org_role", "contact"))


@admin_required
def index():
    actor = current_user._get_current_object()
    data, errors, status = directory.UserInput(), {}, 200
    action = request.form.get("action", "create")
    if request.method == "POST":
        data = read(directory.UserInput)
        try:
            if action == "invite":
                _invite(actor)
            else:
                user = directory.add_user(actor, data)
        except ServiceError as err:
            errors, status = errors_of(err), 400
        else:
            if action == "invite":
                flash(gettext("Invitation sent to %(email)s.", email=data.email), "success")
                return redirect(url_for("admin.users"))
            flash(gettext("Created %(name)s.", name=user.name), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    filters = {name: request.args.get(name, "")[:100] for name in FILTERS}
    page = paginate(directory.search_users(**filters), page_number(request.args.get("page")),
                    per_page=50, args=filters)
    return render_template("admin/users.html", page=page, filters=filters, data=data,
                           errors=errors, action=action, orgs=_orgs()), status


@admin_required
def edit(user_id: int):
    user = directory.user_by_id(user_id)
    actor = current_user._get_current_object()
    data, errors, status = directory.user_input(user), {}, 200
    action = request.form.get("action", "save")
    if request.method == "POST":
        if action != "save":
            data = directory.user_input(user)
        else:
            data = read(directory.UserInput)
        try:
            if action in ("activate", "deactivate"):
                directory.set_user_active(actor, user, action == "activate")
            elif action == "reset":
                directory.force_password_reset(actor, user)
            else:
                directory.update_user(actor, user, data)
        except ServiceError as err:
            errors, status = errors_of(err), err.status
        else:
            flash({"activate": gettext("Reactivated."), "deactivate": gettext("Deactivated."),
                   "reset": gettext("The password no longer works; a link to set a new one "
                                    "was mailed.")}.get(action, gettext("Saved.")), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user.html", user=user, data=data, errors=errors), status
