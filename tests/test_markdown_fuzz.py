"""Pathological Markdown renders in bounded time (the shapes of bench/markdown_fuzz.py).

The bound is generous on purpose, so a busy machine cannot make it flaky: at 20,000
characters the renderer used before took minutes on the bracket shapes (10,000 ``[``
took 42 s) and tens of seconds on 20,000 table rows; now each shape takes milliseconds.
The bench holds the real budget (250 ms at 100,000 characters).
"""

import importlib.util
import time
from pathlib import Path

import pytest

from portal.text import render_markdown

_SPEC = importlib.util.spec_from_file_location(
    "markdown_fuzz", Path(__file__).resolve().parent.parent / "bench" / "markdown_fuzz.py")
fuzz = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fuzz)

SIZE = 20_000
BOUND_SECONDS = 2.0


@pytest.mark.fuzz
@pytest.mark.parametrize("shape", list(fuzz.SHAPES))
def test_pathological_shape_renders_in_bounded_time(shape):
    text = fuzz.SHAPES[shape](SIZE)
    started = time.perf_counter()
    assert isinstance(render_markdown(text), str)
    assert time.perf_counter() - started < BOUND_SECONDS


@pytest.mark.fuzz
def test_twenty_thousand_table_rows_render_in_bounded_time():
    text = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 20_000
    started = time.perf_counter()
    render_markdown(text[:100_000])
    assert time.perf_counter() - started < BOUND_SECONDS
