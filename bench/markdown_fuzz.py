"""Pathological Markdown against ``render_markdown``, at the largest size a form accepts.

    python bench/markdown_fuzz.py [--size 100000] [--runs 3]

Each shape is text built to make a Markdown parser or an HTML sanitizer work more than
linearly: bracket and emphasis runs, deep quotes and lists, huge and wide tables, long
lines, backtick runs, HTML-looking text, auto-link bait, and a seeded mix of all of them.
Each is rendered ``--runs`` times; the slowest run of each shape is printed against the
budget (every shape ≤ 250 ms at 100,000 characters). Exit status 1 if any shape misses it.
``tests/test_markdown_fuzz.py`` runs the same shapes at a smaller size in the test suite.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

BUDGET_MS = 250.0


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _nested_list(size: int, marker: str) -> str:
    lines, used, depth = [], 0, 0
    while used < size:
        line = "  " * depth + marker + " a\n"
        lines.append(line)
        used += len(line)
        depth += 1
    return "".join(lines)[:size]


def _table(size: int, columns: int, row: str) -> str:
    head = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n"
    return head + _fill(row, max(0, size - len(head)))


def _mixed(size: int) -> str:
    rng = random.Random(1)
    pieces = ["[", "![", "](", "*", "_", "**", "`", "``", ">", "> ", "- ", "1. ", "|", "|-",
              "<", "<a ", "&#", "\\", "\n", "\n\n", "a", " ", "www.", "http://", "@", "~~"]
    out, used = [], 0
    while used < size:
        piece = rng.choice(pieces)
        out.append(piece)
        used += len(piece)
    return "".join(out)[:size]


PROSE = ("Some **bold** and _italic_ text with a [link](https://example.com/docs) and "
         "https://status.example.com/ and `code`, in 日本語も少し。\n\n- item one\n- item two\n"
         "\n> a quoted line\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nprint(1)\n```\n\n")

SHAPES: dict[str, Callable[[int], str]] = {
    "brackets [": lambda n: _fill("[", n),
    "image brackets ![": lambda n: _fill("![", n),
    "open links [a](": lambda n: _fill("[a](", n),
    "open links [a](b": lambda n: _fill("[a](b", n),
    "closers ](": lambda n: _fill("](", n),
    "reference uses [a][": lambda n: "[a]: https://example.com\n\n" + _fill("[a][", n - 26),
    "balanced [[[]]]": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "stars *": lambda n: _fill("*", n),
    "underscores _": lambda n: _fill("_", n),
    "emphasis *a": lambda n: _fill("*a", n),
    "strong openers **a ": lambda n: _fill("**a ", n),
    "nested emphasis": lambda n: "*a _a " * (n // 12) + "x" + " a_ a*" * (n // 12),
    "strikethrough ~~a ": lambda n: _fill("~~a ", n),
    "quotes >": lambda n: _fill(">", n),
    "quote lines >>>> a": lambda n: _fill(">" * 60 + " a\n", n),
    "quotes of lists > - ": lambda n: _fill("> - ", n),
    "nested list -": lambda n: _nested_list(n, "-"),
    "nested list 1.": lambda n: _nested_list(n, "1."),
    "list markers - - -": lambda n: _fill("- ", n),
    "table rows": lambda n: _table(n, 2, "|1|2|\n"),
    "table 8 columns, short rows": lambda n: _table(n, 8, "|1\n"),
    "table 2000 columns": lambda n: _table(n, 2000, "|1\n"),
    "delimiter rows |-|": lambda n: "|a|\n" + _fill("|-|\n", n - 4),
    "pipes |": lambda n: _fill("|", n),
    "long line of words": lambda n: _fill("word ", n),
    "long word": lambda n: _fill("a", n),
    "backticks `": lambda n: _fill("`", n),
    "backtick runs `a``": lambda n: _fill("`a``", n),
    "fence lines ```": lambda n: _fill("```\n", n),
    "less-than <": lambda n: _fill("<", n),
    "tags <a ": lambda n: _fill("<a ", n),
    "html blocks <div>": lambda n: _fill("<div>\n", n),
    "comments <!--": lambda n: _fill("<!--", n),
    "entities &#": lambda n: _fill("&#", n),
    "backslashes \\": lambda n: _fill("\\", n),
    "auto-link bait www.a": lambda n: _fill("www.a", n),
    "auto-link bait http://a.b/": lambda n: _fill("http://a.b/", n),
    "auto-link bait a@": lambda n: _fill("a@", n),
    "headings #": lambda n: _fill("# a\n", n),
    "setext lines": lambda n: _fill("a\n=\n", n),
    "hard breaks": lambda n: _fill("a  \n", n),
    "blank lines": lambda n: _fill("\n", n),
    "crlf lines": lambda n: _fill("|a|\r\n|-|\r\n", n),
    "mixed (seeded)": _mixed,
    "ordinary prose": lambda n: _fill(PROSE, n),
}


def time_shape(render, text: str, runs: int) -> float:
    """The slowest of ``runs`` renders of ``text``, in milliseconds."""
    worst = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        render(text)
        worst = max(worst, (time.perf_counter() - started) * 1000)
    return worst


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from portal.text import MAX_MARKDOWN, render_markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=MAX_MARKDOWN)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print(f"render_markdown, {args.size:,} characters, worst of {args.runs} runs "
          f"(budget {BUDGET_MS:.0f} ms)")
    missed = []
    overall = 0.0
    for name, make in SHAPES.items():
        text = make(args.size)
        worst = time_shape(render_markdown, text, args.runs)
        overall = max(overall, worst)
        flag = "" if worst <= BUDGET_MS else "  OVER BUDGET"
        print(f"{name:32} {len(text):>8,} chars {worst:8.1f} ms{flag}", flush=True)
        if flag:
            missed.append(name)
    print(f"worst case: {overall:.1f} ms; {len(missed)} shape(s) over budget")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
