"""The admin page for SLA policies: the plan × priority table, and "when would it be due?"."""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_timezone, gettext, ngettext
from flask_login import current_user

from portal.accounts.guards import admin_required
from portal.admin import catalog, levels
from portal.admin.forms import errors_of, read
from portal.errors import ServiceError


def _asked(plan: str) -> tuple[levels.DueQuestion, list, dict]:
    """The due-time question from the query string, and its answer or refusals."""
    args = request.args
    question = levels.DueQuestion(due_plan=args.get("due_plan", plan)[:40],
                                  due_priority=args.get("due_priority", "3")[:4],
                                  due_at=args.get("due_at", "")[:40])
    if "due_at" not in args:
        return question, [], {}
    try:
        answer = levels.due_answer(question, str(get_timezone()))
    except ServiceError as err:
        return question, [], errors_of(err)
    # ISO as the CLI prints it, and the stored (naive UTC) form the time filters take
    return question, [(name, when, when.astimezone(UTC).replace(tzinfo=None))
                      for name, when in answer], {}


@admin_required
def index():
    plan = request.values.get("filter" if request.method == "POST" else "plan", "")[:40]
    editing, errors, status = None, {}, 200
    if request.method == "POST":
        editing = read(levels.PolicyInput)
        try:
            recomputed = levels.save_policy(current_user._get_current_object(), editing)
        except ServiceError as err:
            errors, status = errors_of(err), 400
        else:
            flash(gettext("Saved.") + " " + ngettext(
                "Due times of %(num)d open ticket were recomputed.",
                "Due times of %(num)d open tickets were recomputed.", recomputed), "success")
            return redirect(url_for("admin.sla", plan=plan or None,
                                    _anchor=f"p-{editing.key}"))
    question, answer, asked_errors = _asked(plan)
    return render_template("admin/sla.html", grid=levels.policy_grid(plan), plan=plan,
                           editing=editing, errors=errors, calendars=levels.calendars(),
                           plans=catalog.plans(), question=question, answer=answer,
                           asked_errors=asked_errors, zone=str(get_timezone())), status
