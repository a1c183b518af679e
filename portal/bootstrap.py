"""Bring a database to the current schema and its built-in defaults."""

from __future__ import annotations

from portal import migrations
from portal.accounts.services import seed_default_plans


def prepare() -> list[str]:
    """Apply pending schema steps; on an empty database add the default plans."""
    applied = migrations.upgrade()
    seed_default_plans()
    return applied
