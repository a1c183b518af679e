"""The queue's composed-once statements: the same tickets as the query composed afresh,
for this viewer and this moment (never the first viewer's, nor the moment it was made)."""

from datetime import timedelta

import pytest

from portal import clock
from portal.staff import queue_page, services

SHAPES = [{}, {"view": "waiting"}, {"view": "open", "sort": "due"}, {"status": "all"},
          {"status": "resolved", "sort": "oldest"}, {"severity": "3", "assignee": "unassigned"},
          {"view": "at_risk"}, {"sla": "breached", "status": "all"}, {"assignee": "mine"},
          {"q": "Mine"}, {"org": "beta", "view": "waiting"}, {"status": "bogus", "sort": "x"}]


def _shown(viewer, filters, page=1, per_page=50):
    rows = queue_page.QueueRows(viewer, filters, services.QUEUE_COUNT_CAP)
    return ([r.subject for r in rows.paginate(page, per_page)],
            rows.limit(services.QUEUE_COUNT_CAP + 1).count())


def _expected(viewer, filters, page=1, per_page=50):
    return ([t.subject for t in services.queue(viewer, filters).paginate(page, per_page)],
            services.matching(viewer, filters).count())


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_same_tickets_as_the_query(desk, shape):
    _, agent, other = desk
    filters = services.QueueFilters(**shape)
    for viewer in (agent, other, agent):
        assert _shown(viewer, filters) == _expected(viewer, filters)
        assert _shown(viewer, filters, 2, 2) == _expected(viewer, filters, 2, 2)


def test_follows_the_viewer(desk):
    _, agent, other = desk
    mine = services.QueueFilters(assignee="mine")
    assert set(_shown(agent, mine)[0]) == {"Mine, we answered", "Mine, customer wrote"}
    assert _shown(other, mine)[0] == ["Someone else has it"]


def test_follows_the_clock(desk):
    _, agent, _ = desk
    breached = services.QueueFilters(view="breached")
    assert _shown(agent, breached) == ([], 0)
    now = clock.now()
    clock.freeze(now + timedelta(days=90))
    try:
        late = _shown(agent, breached)
        assert late == _expected(agent, breached) and late[1] > 0
    finally:
        clock.freeze(None)
    assert _shown(agent, breached) == ([], 0)
