"""The audit log: filtered pages and the same filters as CSV."""

from __future__ import annotations

from dataclasses import asdict, fields

from flask import Response, render_template, request, stream_with_context
from flask_login import current_user

from portal.accounts import auditlog
from portal.accounts.guards import admin_required
from portal.pagination import page_number, paginate


def _filters() -> auditlog.AuditFilters:
    return auditlog.AuditFilters(**{f.name: request.args.get(f.name, "")[:100]
                                    for f in fields(auditlog.AuditFilters)})


@admin_required
def index():
    filters = _filters()
    query = auditlog.search(filters, current_user.timezone)
    page = paginate(query, page_number(request.args.get("page")), per_page=50, cap=10_000,
                    args=asdict(filters))
    actions, kinds = auditlog.choices()
    return render_template("admin/audit.html", page=page, filters=filters, actions=actions,
                           kinds=kinds, changes=auditlog.changes,
                           csv_args={k: v for k, v in vars(filters).items() if v})


@admin_required
def export():
    rows = auditlog.search(_filters(), current_user.timezone).iterator()
    body = stream_with_context(auditlog.csv_lines(rows, current_user.timezone))
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="audit.csv"',
        "X-Content-Type-Options": "nosniff"})
