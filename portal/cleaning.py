"""One-line text as people type it into a subject or a name, made safe to keep.

Threat: a subject or a name ends up in mail headers (``Subject:``, the display name of
``To:``) and on one-line places of pages. A line break there (CR, LF, and the Unicode
ones: U+0085, U+2028, U+2029, and \\v, \\f) either makes building the mail fail or, where
a library is lax, starts a new header. Bidirectional overrides turn a name around on
screen (``invoice‮fdp.exe``). Every door where such text comes in (web forms, the command
line, mail) passes it through :func:`one_line` before it is checked or stored.
"""

from __future__ import annotations

import re
import unicodedata

# Embeddings, overrides and isolates: they reorder what follows them on screen.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters (C0, DEL, C1), lone surrogates (from undecodable command-line bytes),
# and the line and paragraph separators.
_BREAKING = frozenset(("Cc", "Cs", "Zl", "Zp"))
_SPACES = re.compile(r" {2,}")  # ASCII only: a full-width space in 山田　花子 stays


def one_line(text: str | None) -> str:
    """``text`` on one line: every control character or line break becomes a space,
    bidirectional controls vanish, runs of spaces shrink to one, ends trimmed."""
    kept = []
    for ch in text or "":
        if ch in _BIDI_CONTROLS:
            continue
        kept.append(" " if unicodedata.category(ch) in _BREAKING else ch)
    return _SPACES.sub(" ", "".join(kept)).strip()
