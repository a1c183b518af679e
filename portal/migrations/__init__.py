"""Numbered schema steps and the runner that applies them.

Each step is a module ``mNNNN_name.py`` with a ``STATEMENTS`` list of SQL. Steps are
applied in order, each in its own ``BEGIN IMMEDIATE`` transaction together with its row
in ``schema_version``, so a crash leaves the schema at a whole step, two processes
running ``portal init`` at once apply each step once, and re-running is harmless. Steps
only ever add: an upgrade never drops a user's data.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from portal.db import db, transaction

_STEP_NAME = re.compile(r"^m(\d{4})_\w+$")


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    statements: tuple[str, ...]


def steps() -> list[Step]:
    """All steps shipped with this release, in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _STEP_NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Step(int(match.group(1)), info.name, tuple(module.STATEMENTS)))
    found.sort(key=lambda s: s.version)
    return found


def current_version() -> int:
    """The highest step applied to the bound database (0 for an empty one)."""
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def upgrade(target: int | None = None) -> list[str]:
    """Apply every step above the current version (up to ``target``); return their names."""
    db.connect(reuse_if_open=True)
    current_version()
    applied = []
    for step in steps():
        if target is not None and step.version > target:
            break
        with transaction():
            # Read again inside the lock: another process may have just applied it.
            if db.execute_sql(
                "SELECT 1 FROM schema_version WHERE version = ?", (step.version,)
            ).fetchone():
                continue
            for sql in step.statements:
                db.execute_sql(sql)
            db.execute_sql(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                (step.version, step.name),
            )
        applied.append(step.name)
    return applied
