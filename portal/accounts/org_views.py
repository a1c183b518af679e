"""Organization self-service under /org/ (org admins, their own organization only), and
accepting an invitation at /invite/<token>."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required, login_user

from portal.accounts import invitations, members
from portal.accounts.models import ORG_ROLES
from portal.errors import ServiceError

bp = Blueprint("org", __name__)


def _org_admin():
    """The signed-in org admin; anyone else is told the page does not exist."""
    user = current_user._get_current_object()
    if user.organization_id is None or not members.may_manage(user, user.organization) \
            or user.is_staff:
        abort(404)
    return user


def _members_page(actor, invite=None, errors=None, status=200):
    org = actor.organization
    return render_template(
        "org/members.html", org=org, people=list(members.members(org)),
        pending=invitations.pending(org), filing=members.filing_count(org),
        invite=invite or {"email": "", "org_role": "contact"}, errors=errors or {},
        roles=ORG_ROLES), status


@bp.route("/org/members")
@login_required
def members_page():
    return _members_page(_org_admin())


@bp.route("/org/invitations", methods=["POST"])
@login_required
def invite():
    actor = _org_admin()
    typed = {"email": request.form.get("email", "")[:254],
             "org_role": request.form.get("org_role", "contact")[:20]}
    try:
        invitation, _ = invitations.invite(actor, actor.organization, typed["email"],
                                           typed["org_role"])
    except ServiceError as err:
        return _members_page(actor, typed, {err.field or "email": err.text(gettext)},
                             err.status)
    flash(gettext("Invitation sent to %(email)s. The link works for 7 days.",
                  email=invitation.email), "success")
    return redirect(url_for("org.members_page"))


@bp.route("/org/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(invitation_id: int):
    invitations.revoke(_org_admin(), invitation_id)
    flash(gettext("The invitation was withdrawn."), "success")
    return redirect(url_for("org.members_page"))


def _act(member_id: int, change):
    actor = _org_admin()
    member = members.member_for(actor, member_id)
    try:
        change(actor, member)
    except ServiceError as err:
        if err.status == 404:
            raise
        return _members_page(actor, errors={f"member-{member.id}": err.text(gettext)},
                             status=400)
    flash(gettext("Saved."), "success")
    return redirect(url_for("org.members_page"))


@bp.route("/org/members/<int:member_id>/role", methods=["POST"])
@login_required
def role(member_id: int):
    wanted = request.form.get("org_role", "")[:20]
    return _act(member_id, lambda actor, m: members.set_org_role(actor, m, wanted))


@bp.route("/org/members/<int:member_id>/deactivate", methods=["POST"])
@login_required
def deactivate(member_id: int):
    return _act(member_id, lambda actor, m: members.set_member_active(actor, m, False))


@bp.route("/org/members/<int:member_id>/activate", methods=["POST"])
@login_required
def activate(member_id: int):
    return _act(member_id, lambda actor, m: members.set_member_active(actor, m, True))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str):
    signed_in = current_user._get_current_object() if current_user.is_authenticated else None
    form = invitations.Acceptance(locale=str(get_locale() or "ja"))
    invitation, error, field = None, None, None
    try:
        invitation = invitations.invitation_for(token)
        if request.method == "POST":
            form.name = request.form.get("name", "")[:100]
            form.password = request.form.get("password", "")[:1024]
            form.email = request.form.get("email", "")[:254]
            user = invitations.accept(token, form, signed_in)
            session.clear()
            login_user(user)
            flash(gettext("Welcome, %(name)s.", name=user.name), "success")
            return redirect(url_for("kb.home"))
        if signed_in is not None and signed_in.email != invitation.email:
            raise ServiceError(invitations.OTHER_ADDRESS, "email")
    except ServiceError as err:
        error, field = err.text(gettext), err.field
    return render_template("org/accept.html", token=token, invitation=invitation, form=form,
                           error=error, field=field), 400 if error else 200
