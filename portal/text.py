"""The one door through which user-written text becomes HTML.

Threat: anything a customer, agent, mail sender or imported file writes (ticket text,
replies, article bodies) is shown to other people, staff included, inside our origin and
in mail. A script, event handler, ``javascript:``/``data:`` URL, SVG/MathML island or
style trick that survived here would run with the reader's session (stored XSS), or could
be rebuilt by the browser's parser from markup that looked harmless (mutation XSS). A
remote image would tell a stranger who read the ticket, and when (a tracking pixel).
And one request whose text makes the renderer work for minutes ties up a worker for
everyone (an anonymous, cheap denial of service).

How this door holds:

* **Rendering is bounded.** The renderer is cmark-gfm (GitHub's C implementation of
  CommonMark, through ``cmarkgfm``), whose parser is linear in its input by design and
  fuzzed for pathological inputs. The Python-Markdown renderer used before took 42 s for
  10,000 ``[`` and 35 s for 20,000 table rows, and every new shape found would have
  needed its own patch. Our own pre-checks remain where a linear parser still produces
  expensive *output*, because the sanitizer parses that output again with a full HTML5
  tree builder whose cost grows with the depth of the tree (100,000 ``>`` make 100,000
  nested quotes: 47 s in the sanitizer) and with the number of table cells (cmark-gfm
  completes every short row to the header's width). So: text longer than
  :data:`MAX_MARKDOWN` is cut; a document whose tables would hold more than
  :data:`MAX_TABLE_CELLS` cells is rendered without tables (their rows stay as text);
  and output deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_HTML` is replaced by
  the source as escaped plain text. All of these checks are linear scans.
  A hard time limit was not chosen: the portal serves from threads, where signals cannot
  interrupt work, and a watchdog process per render would cost more than the render.
  ``bench/markdown_fuzz.py`` times every pathological shape at the largest size a form
  accepts against a 250 ms budget.
* **Raw HTML is not rendered.** cmark's safe mode leaves out HTML written into the text
  (its words stay, the tags go) and empties ``javascript:``, ``vbscript:``, ``file:`` and
  ``data:`` link targets. Every tag in its output is therefore cmark's own.
* **Images are links.** An image from anywhere but our own attachment URLs becomes a link
  to it, so reading a ticket loads nothing from elsewhere (the CSP's ``img-src`` says the
  same to the browser).
* **One allow-list cleans the result**: nh3 (the Ammonia sanitizer): plain formatting
  tags only, links only to http/https/mailto (or relative), whoever made the link —
  the author, or the auto-linker turning ``www.…`` into one — every link with
  ``rel="nofollow noopener noreferrer"``, no ``style`` attribute, no comments, and none of
  ``svg``, ``math``, ``style``, ``script``, ``iframe``, ``noscript`` or ``textarea``.

To move to another renderer or sanitizer, change this file only; its tests hold the
contract.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from itertools import accumulate

import nh3
from cmarkgfm import cmark

MAX_MARKDOWN = 100_000  # the longest text any form accepts (an article body)
MAX_DEPTH = 40  # nested elements in the output; real text stays well below 15
MAX_TABLE_CELLS = 25_000  # more are shown as text (100,000 characters of 8 short columns
                          # would make ~45,000; real tables stay far below)
MAX_HTML = 2_000_000  # characters of output; cmark's own output never nears it

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
_ATTACHMENT_SRC = re.compile(r"^/tickets/\d+/attachments/\d+$")
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,32}$")

_OPTIONS = (cmark.Options.CMARK_OPT_HARDBREAKS  # a line break in the text is one on screen
            | cmark.Options.CMARK_OPT_VALIDATE_UTF8)
_EXTENSIONS = ("table", "autolink", "strikethrough")

# A table's delimiter row (``|---|:--:|``), also inside quotes and list items. Every
# quantifier is possessive: a long line that almost matches costs one pass, not n².
_DELIMITER_ROW = re.compile(
    r"^(?:[ \t]*+(?:>|[*+-][ \t]|\d{1,9}[.)][ \t]))*+[ \t]*+\|?+[ \t]*+:?+-++:?+[ \t]*+"
    r"(?:\|[ \t]*+:?+-*+:?+[ \t]*+)*+$", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t>]*\n")
# A line that opens more quotes than the output may nest (bounded work per line).
_DEEP_QUOTES = re.compile(r"^(?:[ \t]*+>){" + str(MAX_DEPTH + 1) + "}", re.MULTILINE)
# cmark writes every image the same way, with its URL and alt text escaped.
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')
# Start and end tags, but not the void ones (no end tag follows them).
_TAG = re.compile(r"<(/?)(?!(?:img|br|hr|input)\b)[a-z]")
_STEP = {"": 1, "/": -1}


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "href" and not value.strip():
        return None  # cmark's safe mode leaves an empty target where it refused one
    if tag == "img" and name == "src":
        return value if _ATTACHMENT_SRC.match(value) else None
    if tag == "code" and name == "class":
        return value if _CODE_CLASS.match(value) else None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"},
                    "code": {"class"}, "abbr": {"title"}},
        tag_attribute_values={tag: {"align": {"left", "right", "center"}}
                              for tag in ("td", "th")},
        attribute_filter=_attribute,
        url_schemes=set(ALLOWED_PROTOCOLS),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _table_cells(source: str) -> int:
    """An upper bound on the cells cmark-gfm would build: each table's columns times the
    lines up to the blank line that must end it (one pass over the text)."""
    cells, position = 0, 0
    while (row := _DELIMITER_ROW.search(source, position)) is not None:
        columns = max(1, row.group().count("|") + 1)
        blank = _BLANK_LINE.search(source, row.end())
        end = blank.start() if blank else len(source)
        cells += columns * (source.count("\n", row.start(), end) + 2)
        position = max(end, row.end() + 1)
    return cells


def _image_as_link(match: re.Match) -> str:
    src, alt = match.group(1), match.group(2)
    if _ATTACHMENT_SRC.match(src):
        return match.group()
    return f'<a href="{src}">{alt or src}</a>'


def _depth(markup: str) -> int:
    """How deep the elements of cmark's output nest (every ``<`` in it is a tag).

    Each start tag counts +1 and each end tag -1; the running sum is taken in C
    (``accumulate``), a Python loop over 100,000 tags cost four times as much.
    """
    steps = map(_STEP.__getitem__, _TAG.findall(markup))
    return max(accumulate(steps, initial=0))


def _plain(source: str) -> str:
    return "<p>" + html.escape(source).replace("\n", "<br>\n") + "</p>"


def render_markdown(source: str) -> str:
    """Markdown ``source`` as sanitized HTML, safe to insert into any page or mail as-is.

    Callers refuse text longer than their own limit first; anything longer than
    :data:`MAX_MARKDOWN` is cut here so no path can render more.
    """
    source = (source or "")[:MAX_MARKDOWN].replace("\r\n", "\n").replace("\r", "\n")
    if not source.isascii():  # a lone surrogate cannot be encoded for cmark: make it "?"
        source = source.encode("utf-8", "replace").decode("utf-8")
    if ">" in source and _DEEP_QUOTES.search(source):
        # Would be refused below anyway; cmark need not build 100,000 nested quotes first.
        return _cleaner().clean(_plain(source))
    extensions = list(_EXTENSIONS)
    if "|" in source and _table_cells(source) > MAX_TABLE_CELLS:
        extensions.remove("table")
    markup = cmark.markdown_to_html_with_extensions(source, options=_OPTIONS,
                                                    extensions=extensions)
    if len(markup) > MAX_HTML or _depth(markup) > MAX_DEPTH:
        markup = _plain(source)
    elif "<img" in markup:
        markup = _IMAGE.sub(_image_as_link, markup)
    return _cleaner().clean(markup)
