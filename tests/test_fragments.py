"""Kept page parts take memory only for the current data version."""

from portal.fragments import Kept


def test_parts_of_an_older_version_are_dropped_when_the_version_moves():
    store = Kept(limit=10)
    store.keep((1, "ticket 5", "agent"), "<p>one</p>")
    store.keep((1, "ticket 6", "agent"), "<p>two</p>")
    assert store.get((1, "ticket 5", "agent")) == "<p>one</p>" and len(store) == 2
    store.keep((2, "ticket 5", "agent"), "<p>three</p>")
    assert len(store) == 1
    assert store.get((1, "ticket 6", "agent")) is None
    assert store.get((2, "ticket 5", "agent")) == "<p>three</p>"


def test_a_part_rendered_before_a_newer_write_is_not_kept():
    store = Kept(limit=10)
    store.keep((3, "queue", "agent"), "<p>new</p>")
    store.keep((2, "queue", "agent"), "<p>old</p>")  # a slower request read version 2
    assert store.get((2, "queue", "agent")) is None
    assert len(store) == 1


def test_nothing_is_kept_without_a_version_and_the_limit_holds():
    store = Kept(limit=4)
    store.keep((None, "x"), "<p>x</p>")
    assert len(store) == 0
    for i in range(9):
        store.keep((1, i), f"<p>{i}</p>")
    assert len(store) <= 4
    assert store.get((1, 8)) == "<p>8</p>"
