"""User text becomes HTML only through render_markdown, and comes out inert."""

import re
from html.parser import HTMLParser

import pytest

from portal.text import render_markdown
from tests import factories

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<style>body{display:none}</style>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<form action=\"https://evil.example\"><button>x</button></form>",
    "<object data=\"x\"></object><embed src=\"x\">",
]
BAD_TAGS = {"script", "svg", "math", "style", "iframe", "noscript", "textarea", "form",
            "object", "embed", "base", "link", "meta"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the markup."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def dangers(html: str) -> list[str]:
    problems = []
    for tag, attrs in _Elements(html).found:
        if tag in BAD_TAGS:
            problems.append(tag)
        for name, value in attrs.items():
            value = re.sub(r"\s", "", (value or "")).lower()
            if name.startswith("on") or name == "style":
                problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value.startswith(
                    ("javascript:", "data:", "vbscript:")):
                problems.append(f"{tag}[{name}={value[:20]}]")
    return problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload):
    assert dangers(render_markdown(payload)) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_an_article_page_render_inert(app, client, payload):
    article = factories.article(title=payload[:150] or "x", body=payload + "\n\ntext")
    html = client.get(f"/kb/{article.slug}").get_data(as_text=True)
    title = html[html.index("<h1"):html.index("</h1>")]
    body = html[html.index('<div class="prose"'):html.index('<section id="feedback"')]
    assert dangers(title + body) == []


def test_markdown_features_survive():
    html = render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n"
                           "\n- one\n- two\n\n**bold** `code`")
    for tag in ("<h1>", "<table>", "<td>1</td>", '<code class="language-python">', "<li>one</li>",
                "<strong>bold</strong>"):
        assert tag in html


def test_links_are_safe_and_linkified():
    html = render_markdown("see https://example.com/docs and [mail](mailto:a@example.com)")
    assert '<a href="https://example.com/docs" rel="nofollow noopener noreferrer">' in html
    assert re.search(r'<a href="mailto:a@example.com"[^>]*>mail</a>', html)


def _hrefs(html: str) -> list[str]:
    return [attrs.get("href") for tag, attrs in _Elements(html).found
            if tag == "a" and attrs.get("href") is not None]


# Written as links, as auto-link bait, and in angle brackets: none may become a link.
NOT_LINKS = ["data:text/html,<script>alert(1)</script>", "webcal://evil.example/cal.ics",
             "ssh://root@evil.example", "feed:evil.example/rss", "javascript:alert(1)",
             "vbscript:msgbox(1)", "file:///etc/passwd", "xmpp:evil@evil.example",
             "tel:+810000", "irc://evil.example", "ftp://evil.example/x"]


@pytest.mark.parametrize("target", NOT_LINKS)
def test_only_http_https_and_mailto_become_links(target):
    """Whoever made the link (the author, or the auto-linker), one allow-list decides."""
    for text in (f"see {target} now", f"[x]({target})", f"<{target}>", f"![x]({target})",
                 f"[x][r]\n\n[r]: {target}"):
        hrefs = _hrefs(render_markdown(text))
        assert all(h.split(":")[0] in ("http", "https", "mailto") for h in hrefs), (text, hrefs)
        assert not any(target.split(":")[0] in h for h in hrefs), (text, hrefs)


def test_linkified_links_keep_to_the_allow_list_in_mail_html(app, client, login):
    """Notifications carry the stored HTML: it holds no link outside the allow-list."""
    from portal.mail.models import Outbox

    org = factories.org("acme")
    user = factories.user("mika@example.com", organization=org)
    ticket = factories.ticket(user, description="calendar webcal://evil.example/c.ics and "
                              "www.example.com and data:text/html,x")
    html = ticket.messages.first().body_html
    assert _hrefs(html) == ["http://www.example.com"]
    for row in Outbox.select():
        assert "webcal:" not in " ".join(_hrefs(row.html_body or ""))


def test_remote_images_become_links_and_load_nothing():
    """A remote image would tell its owner who read the ticket, and when."""
    html = render_markdown("![pixel](https://tracker.example/p.gif) ![](http://x.example/a.png)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.gif" rel="nofollow noopener noreferrer">pixel</a>' \
        in html
    assert '<a href="http://x.example/a.png" rel="nofollow noopener noreferrer">' \
           'http://x.example/a.png</a>' in html


def test_images_only_from_our_attachments():
    assert 'src="/tickets/12/attachments/3"' in render_markdown("![a](/tickets/12/attachments/3)")
    for text in ("![a](/logout)", "![a](//evil.example/a.png)", "![a](data:image/png;base64,AA)",
                 "![a](https://example.com/a.png)"):
        assert "<img" not in render_markdown(text)


def test_raw_html_shows_its_words_but_no_tags():
    html = render_markdown("a <b>bold</b> <img src=x onerror=alert(1)> word\n\n<div>\nx\n</div>")
    assert "bold" in html and "word" in html
    assert "<b>" not in html and "<img" not in html and "<div" not in html


def test_deep_nesting_falls_back_to_plain_text():
    html = render_markdown(">" * 2000 + " deep")
    assert "<blockquote>" not in html and "&gt;&gt;&gt;" in html and "deep" in html
    assert render_markdown("> > > quoted").count("<blockquote>") == 3


def test_huge_tables_render_as_text():
    table = "|a|b|c|d|e|f|g|h|\n|-|-|-|-|-|-|-|-|\n" + "|1\n" * 5000
    assert "<table>" not in render_markdown(table)
    assert "<table>" in render_markdown("|a|b|\n|-|-|\n" + "|1|2|\n" * 50)


def test_odd_characters_render():
    assert "a?b" in render_markdown("a\ud800b")  # a lone surrogate, e.g. from a bad decoder
    assert "a\ufffdb" in render_markdown("a\x00b")


def test_text_beyond_the_limit_is_cut():
    from portal.text import MAX_MARKDOWN

    html = render_markdown("a" * MAX_MARKDOWN + "TAIL")
    assert "TAIL" not in html and "a" * 1000 in html
