"""View guards by role. Pages that are not yours answer 404: they do not exist for you."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def staff_required(view):
    """Agents and admins only; a customer is told nothing about the page."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper
