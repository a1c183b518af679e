"""Online backup of the SQLite database into a plain file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from portal.db import db, is_sqlite
from portal.errors import N_, ServiceError


def backup_to(path: Path) -> int:
    """Copy the live database to ``path`` (via a temporary file, then an atomic rename).

    SQLite's backup API reads a consistent snapshot while other processes keep writing.
    """
    if not is_sqlite():
        raise ServiceError(N_("Backups of a non-SQLite database are made with its own tools."))
    path = path.resolve()
    if not path.parent.is_dir():
        # Never made here: a mistyped folder would hide the backup where nobody looks.
        raise ServiceError(N_("The folder %(folder)s does not exist."), folder=str(path.parent))
    if path.is_dir():
        raise ServiceError(N_("%(path)s is a folder; give a file name."), path=str(path))
    temporary = path.with_name(path.name + ".partial")
    temporary.unlink(missing_ok=True)
    db.connect(reuse_if_open=True)
    target = sqlite3.connect(temporary)
    try:
        db.connection().backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
    if check != "ok":
        temporary.unlink(missing_ok=True)
        raise ServiceError(N_("The copy failed its integrity check: %(why)s"), why=check)
    os.replace(temporary, path)
    return path.stat().st_size
