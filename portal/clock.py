"""The portal's idea of "now": naive UTC, replaceable in tests and time-based jobs."""

from __future__ import annotations

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time in UTC, without tzinfo (the form stored in the database)."""
    return _frozen or datetime.now(UTC).replace(tzinfo=None)


def freeze(moment: datetime | None) -> None:
    """Fix :func:`now` at ``moment`` (naive UTC); ``None`` lets time run again."""
    global _frozen
    _frozen = moment

