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
    assert '<a href="mailto:a@example.com">mail</a>' in html


def test_images_only_from_https_or_our_attachments():
    assert '<img alt="a" src="https://example.com/a.png">' in render_markdown(
        "![a](https://example.com/a.png)")
    assert 'src="/tickets/12/attachments/3"' in render_markdown("![a](/tickets/12/attachments/3)")
    assert "src=" not in render_markdown("![a](/logout)")
    assert "src=" not in render_markdown("![a](//evil.example/a.png)")
