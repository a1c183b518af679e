"""The one door through which user-written text becomes HTML.

Threat: anything a customer, agent or imported file writes (ticket text, replies,
article bodies) is shown to other people, staff included, inside our origin. A script,
event handler, ``javascript:``/``data:`` URL, SVG/MathML island or style trick that
survived here would run with the reader's session (stored XSS), or could be rebuilt by
the browser's parser from markup that looked harmless (mutation XSS). Markdown is
rendered first and the result is then cleaned by an allow-list: only plain formatting
tags, links to http/https/mailto, images from http(s) or our own attachment URLs, no
``style`` attribute, no comments, and none of ``svg``, ``math``, ``style``, ``script``,
``iframe``, ``noscript`` or ``textarea``, whose parsing quirks caused real bypasses.
Linkification happens inside the same pass, so a link it creates is cleaned too.

To move to another sanitizer, change this file only; its tests hold the contract.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner

MAX_MARKDOWN = 100_000

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_ATTACHMENT_SRC = re.compile(r"^/tickets/\d+/attachments/\d+$")
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,32}$")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in ("href", "title", "rel")
    if tag == "img":
        if name == "src":
            return value.startswith(("https://", "http://")) or bool(_ATTACHMENT_SRC.match(value))
        return name in ("alt", "title")
    if tag in ("td", "th"):
        return name == "align" and value in ("left", "right", "center")
    if tag == "code":
        return name == "class" and bool(_CODE_CLASS.match(value))
    if tag == "abbr":
        return name == "title"
    return False


def _safe_rel(attrs: dict, new: bool = False) -> dict:
    """Every link we render: no referrer, no opener, no SEO credit for spam."""
    href = attrs.get((None, "href"), "")
    if href.startswith("mailto:"):
        return attrs
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


@lru_cache(maxsize=1)
def _cleaner() -> Cleaner:
    return Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[lambda source: LinkifyFilter(
            source, callbacks=[_safe_rel], skip_tags={"pre", "code"})],
    )


def render_markdown(source: str) -> str:
    """Markdown ``source`` as sanitized HTML, safe to insert into any page as-is."""
    html = markdown.markdown(
        source or "",
        extensions=["tables", "fenced_code", "sane_lists", "nl2br"],
        output_format="html",
    )
    return _cleaner().clean(html)

