"""Bring a database to the current schema and its built-in defaults."""

from __future__ import annotations

from portal import migrations
from portal.accounts.services import seed_default_plans
from portal.db import refresh_statistics
from portal.tickets.defaults import seed_default_types


def prepare() -> list[str]:
    """Apply pending schema steps; on an empty database add the default plans and types."""
    applied = migrations.upgrade()
    seed_default_plans()
    seed_default_types()
    refresh_statistics()
    return applied
