"""Sign-in and sign-out; the accounts blueprint, with every route of it wired here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import password_views, services
from portal.accounts.forms import LoginForm
from portal.errors import ServiceError
from portal.security import safe_next

bp = Blueprint("accounts", __name__)

ROUTES = [  # rule, view (its name is the endpoint), methods; sign-in's are below
    ("/password/forgot", password_views.forgot, ["GET", "POST"]),
    ("/password/reset/<token>", password_views.reset, ["GET", "POST"]),
    ("/account", password_views.preferences, ["GET", "POST"]),
]
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)


def _home_for(user) -> str:
    return url_for("staff.queue") if user.is_staff else url_for("kb.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        if current_user.is_authenticated:
            return redirect(form.next.data or _home_for(current_user))
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data,
                                         request.remote_addr or "")
        except ServiceError as err:
            form.form_errors.append(err.text(gettext))
            status = err.status
        else:
            target = safe_next(form.next.data)
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(user)
            flash(gettext("Signed in as %(name)s.", name=user.name), "success")
            return redirect(target or _home_for(user))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.sign_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(gettext("You have signed out."), "success")
    return redirect(url_for("kb.home"))
