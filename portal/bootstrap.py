"""Bring a database to the current schema and its built-in defaults."""

from __future__ import annotations

from portal import migrations
from portal.accounts.services import seed_default_plans
from portal.db import refresh_statistics
from portal.kb.search import follow_form
from portal.sla.services import seed_defaults as seed_default_service_levels
from portal.tickets.defaults import seed_default_types
from portal.tickets.sla_clock import follow_risk_percent, recompute_open


def prepare() -> list[str]:
    """Apply pending schema steps; on an empty database add the default plans and types;
    where there are none yet, the default calendar and SLA policies (then the open
    tickets of an upgraded database get their due times); the search index when it was
    made in another form; and at-risk moments that follow a changed
    PORTAL_SLA_AT_RISK_PERCENT."""
    applied = migrations.upgrade()
    follow_form()  # the search index, when this release makes it in another form
    seed_default_plans()
    seed_default_types()
    if seed_default_service_levels():
        recompute_open()
    follow_risk_percent()
    refresh_statistics()
    return applied
