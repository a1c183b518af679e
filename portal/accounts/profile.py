"""A user's own profile: name and password. No Flask here."""

from __future__ import annotations

from portal.accounts.models import User
from portal.accounts.services import (
    MIN_PASSWORD,
    _password_matches,
    record,
    set_password,
)
from portal.cleaning import one_line
from portal.db import transaction
from portal.errors import N_, ServiceError


def rename(user: User, name: str) -> None:
    name = one_line(name)
    if not name or len(name) > 100:
        raise ServiceError(N_("Please enter a name."), "name")
    with transaction():
        old = User.get_by_id(user.id).name
        if old != name:
            User.update(name=name).where(User.id == user.id).execute()
            record(user, "update", "user", user.id, email=user.email, name=[old, name])
    user.name = name


def change_password(user: User, current: str, password: str, confirm: str) -> User:
    """A new password; every other session of the user ends (the caller keeps this one)."""
    if not _password_matches(User.get_by_id(user.id).password_hash, current or ""):
        raise ServiceError(N_("The current password is not correct."), "current_password")
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(N_("Choose a password of at least 8 characters."), "password")
    if password != confirm:
        raise ServiceError(N_("The two passwords differ."), "confirm")
    set_password(user, password, also=lambda: record(user, "password_change", "user", user.id,
                                                     email=user.email))
    return User.get_by_id(user.id)
