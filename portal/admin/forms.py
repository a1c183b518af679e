"""How admin views read forms and show refusals: one idiom for every page here.

Forms are read into the service's dataclass straight from ``request.form`` (the rules,
including every check, live in the Flask-free services); a refusal comes back as a
field → message map that the template prints beside each field, with what was typed.
"""

from __future__ import annotations

from dataclasses import fields

from flask import request
from flask_babel import gettext

from portal.errors import ServiceError

FORM = "_form"  # a message about the whole form, not one field


def errors_of(err: ServiceError) -> dict[str, str]:
    """Field → message in the reader's language."""
    many = getattr(err, "errors", None)
    if many:
        return {name: e.text(gettext) for name, e in many.items()}
    return {err.field or FORM: err.text(gettext)}


def read(cls, lists: tuple[str, ...] = (), flags: tuple[str, ...] = ()):
    """A dataclass filled from the posted form: text fields cut to a sane length,
    ``lists`` as repeated values, ``flags`` as checkboxes."""
    values = {}
    for f in fields(cls):
        if f.name in lists:
            values[f.name] = [v[:100] for v in request.form.getlist(f.name)][:100]
        elif f.name in flags:
            values[f.name] = bool(request.form.get(f.name))
        elif f.name in request.form:
            values[f.name] = request.form.get(f.name, "")[:20_000]
    return cls(**values)
