"""The staff dashboard at /staff/dashboard: server-rendered SVG charts with tables."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from flask import Blueprint, render_template
from flask_babel import gettext

from portal import clock
from portal.accounts.guards import staff_required
from portal.staff import dashboard, search_outcomes
from portal.templating import localized
from portal.tickets import satisfaction
from portal.tickets.templating import severity_labels, status_labels

bp = Blueprint("staff_dashboard", __name__, url_prefix="/staff")
bp.record_once(lambda state: search_outcomes.connect())  # searches that ended in a ticket


@bp.app_template_filter("fit")
def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, a Japanese (wide) character counting two."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > width:
            return text[:i].rstrip() + "…"
    return text


def _charts(fig: dict) -> dict:
    """Each bar chart's (label, value, colour class) rows, in the reader's language."""
    statuses, severities = status_labels(), severity_labels()
    colours = {"new": "s1", "investigating": "s3", "waiting_on_customer": "s2"}
    frt = []
    for p in fig["first_response"]:
        frt.append((gettext("Median, %(n)d days", n=p.days), round((p.median or 0) / 60, 1),
                    "s1"))
        frt.append((gettext("90th percentile, %(n)d days", n=p.days),
                    round((p.p90 or 0) / 60, 1), "s3"))
    return {
        "status": [(statuses[s], n, colours[s]) for s, n in fig["by_status"].items()],
        "severity": [(severities[s][0], n, f"s{5 - s}") for s, n in fig["by_severity"].items()],
        "first_response": frt,
        "attainment": [(localized(a.plan), round(a.response_rate * 100),
                        "s2" if a.response_rate >= 0.9 else "s4") for a in fig["attainment"]],
        "viewed": [(a.title, a.views, "s1") for a in fig["most_viewed"]],
        "linked": [(a.title, a.links, "s2") for a in fig["most_linked"]],
    }


@bp.route("/dashboard")
@staff_required
def dashboard_page():
    fig = dashboard.figures()
    day_labels = [d.strftime("%m/%d") for d, _, _ in fig["volumes"]]
    since = clock.now() - timedelta(days=90)
    return render_template("staff/dashboard.html", charts=_charts(fig), day_labels=day_labels,
                           csat_agents=satisfaction.by_agent(since),
                           csat_orgs=satisfaction.by_organization(since), **fig)
