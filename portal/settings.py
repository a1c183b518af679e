"""The running app's settings, readable by Flask-free service code.

The app factory calls :func:`use` with its config; services call :func:`get` when they
run (never at import time), so the CLI, the mail paths and tests see the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_current: Mapping[str, Any] = {}


def use(config: Mapping[str, Any]) -> None:
    global _current
    _current = config


def get(key: str, default: Any = None) -> Any:
    return _current.get(key, default)
