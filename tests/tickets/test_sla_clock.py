"""A ticket's SLA clocks: due times, pauses, priority, breaches, warnings, pages, queue."""

import re
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal import clock
from portal.db import db
from portal.mail.models import Outbox
from portal.tickets import lifecycle, sla_clock
from portal.tickets.models import Message, SlaNotice, SlaPause, Ticket
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def at():
    """Set the portal's clock: ``at(moment)``; time runs again after the test."""
    yield clock.freeze
    clock.freeze(None)


@pytest.fixture
def cast(app):
    basic, premium = factories.org("beta", plan="basic"), factories.org("acme", plan="premium")
    return {
        "basic": factories.user("bob@beta.example", organization=basic),
        "premium": factories.user("ann@acme.example", organization=premium),
        "agent": factories.user("agent@support.example", role="agent", locale="en"),
        "other": factories.user("other@support.example", role="agent", locale="ja"),
    }


def _fresh(ticket) -> Ticket:
    return Ticket.get_by_id(ticket.id)


def test_filing_sets_due_times_after_the_year_end_closure_or_around_the_clock(cast, at):
    at(jst(2026, 12, 28, 17, 30))
    business = factories.ticket(cast["basic"], severity=3)
    urgent = factories.ticket(cast["premium"], type_code="incident", severity=1)
    assert _fresh(business).first_response_due == jst(2027, 1, 4, 17, 30)
    assert _fresh(business).resolution_due == jst(2027, 1, 25, 17, 30)
    assert _fresh(urgent).first_response_due == jst(2026, 12, 28, 17, 45)
    assert _fresh(urgent).sla_due == jst(2026, 12, 28, 17, 45)


def test_the_ticket_page_shows_both_done_when_cases(cast, at, client, login):
    at(jst(2026, 12, 28, 17, 30))
    business = factories.ticket(cast["basic"], severity=3)
    urgent = factories.ticket(cast["premium"], type_code="incident", severity=1)
    login("agent@support.example")
    html = client.get(f"/tickets/{business.number}").get_data(as_text=True)
    assert ('<time data-sla="first_response" data-state="pending" '
            'datetime="2027-01-04T17:30:00+09:00">') in html
    html = client.get(f"/tickets/{urgent.number}").get_data(as_text=True)
    assert ('<time data-sla="first_response" data-state="pending" '
            'datetime="2026-12-28T17:45:00+09:00">') in html
    assert "15 min left" in html


def test_customers_see_first_response_and_resolution_in_their_own_zone(cast, at, app):
    at(jst(2026, 12, 28, 17, 30))
    ticket = factories.ticket(cast["basic"], severity=3)
    cast["basic"].timezone = "America/New_York"
    cast["basic"].save()
    client = app.test_client()
    client.submit("/login", {"email": "bob@beta.example", "password": factories.PASSWORD})
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-sla="first_response" data-state="pending" datetime="2027-01-04T03:30:00-05:00"' \
        in html
    assert "First response expected by" in html and 'data-sla="resolution"' in html
    lifecycle.post_message(cast["agent"], ticket, "Looking", status="")
    lifecycle.post_message(cast["basic"], ticket, "Thanks")
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'data-sla="next_response"' not in html
    assert 'data-sla="first_response" data-state="met"' in html


def test_first_response_is_the_first_public_staff_reply(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["basic"], severity=3)
    lifecycle.post_message(cast["agent"], ticket, "note", internal=True)
    lifecycle.change_status(cast["agent"], ticket, "investigating")
    assert _fresh(ticket).first_response_at is None
    at(jst(2027, 1, 18, 11, 0))
    lifecycle.post_message(cast["agent"], ticket, "We are on it.")
    ticket = _fresh(ticket)
    assert ticket.first_response_at == jst(2027, 1, 18, 11, 0)
    assert ticket.sla_due == ticket.resolution_due  # only the resolution clock still runs
    assert not ticket.response_breached


def test_a_customer_reply_starts_the_next_response_clock(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["basic"], severity=3)
    lifecycle.post_message(cast["basic"], ticket, "More detail before anyone answered")
    assert _fresh(ticket).next_response_since is None  # the first response covers it
    lifecycle.post_message(cast["agent"], ticket, "Answer", status="waiting_on_customer")
    at(jst(2027, 1, 18, 17, 0))
    lifecycle.post_message(cast["basic"], ticket, "Here are the logs")
    ticket = _fresh(ticket)
    assert ticket.status == "investigating"
    assert ticket.next_response_since == jst(2027, 1, 18, 17, 0)
    assert ticket.next_response_due == jst(2027, 1, 20, 17, 0)  # 18 business hours
    at(jst(2027, 1, 19, 9, 0))
    lifecycle.post_message(cast["basic"], ticket, "And another thing")
    assert _fresh(ticket).next_response_since == jst(2027, 1, 18, 17, 0)  # same round
    lifecycle.post_message(cast["agent"], ticket, "Thanks, looking")
    ticket = _fresh(ticket)
    assert ticket.next_responded_at == jst(2027, 1, 19, 9, 0)
    assert not ticket.next_response_breached


def test_waiting_on_the_customer_pauses_the_resolution_clock(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=1)
    assert _fresh(ticket).resolution_due == jst(2027, 1, 18, 18, 0)  # 8 h around the clock
    lifecycle.post_message(cast["agent"], ticket, "Logs?", status="waiting_on_customer")
    ticket = _fresh(ticket)
    assert ticket.sla_due is None and ticket.sla_alert_at is None
    at(jst(2027, 1, 18, 13, 0))  # three hours later the customer answers
    lifecycle.post_message(cast["premium"], ticket, "Logs attached")
    ticket = _fresh(ticket)
    assert ticket.resolution_due == jst(2027, 1, 18, 21, 0)
    assert [(p.started_at, p.ended_at) for p in SlaPause.select()] == [
        (jst(2027, 1, 18, 10, 0), jst(2027, 1, 18, 13, 0))]


def test_a_priority_change_recomputes_from_the_start_with_an_event_line(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=3)
    assert _fresh(ticket).first_response_due == jst(2027, 1, 18, 12, 0)  # 2 business hours
    at(jst(2027, 1, 18, 10, 5))
    lifecycle.change_priority(cast["agent"], ticket, "1", "Whole site down")
    ticket = _fresh(ticket)
    assert ticket.first_response_due == jst(2027, 1, 18, 10, 15)  # 15 min from the start
    event = Message.select().where(Message.kind == "event").order_by(Message.id.desc()).get()
    assert '"event": "sla_recomputed"' in event.body and '"priority": 1' in event.body


def test_the_recomputation_line_reads_in_the_thread(cast, at, client, login):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=3)
    lifecycle.change_priority(cast["agent"], ticket, "1", "Whole site down")
    login("agent@support.example")
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Due times recomputed from the start for priority 1: First response by" in html


def test_a_late_reply_sets_the_breach_flag(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=1)
    at(jst(2027, 1, 18, 10, 30))
    lifecycle.post_message(cast["agent"], ticket, "Sorry for the wait")
    assert _fresh(ticket).response_breached


def test_tick_warns_at_risk_then_breached_once_each(cast, at, app):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=1)
    Outbox.delete().execute()
    at(jst(2027, 1, 18, 10, 11))  # 11 of 15 minutes: not yet 80 %
    assert sla_clock.tick() == (0, 0)
    at(jst(2027, 1, 18, 10, 12))
    assert sla_clock.tick() == (1, 0)
    assert sla_clock.tick() == (0, 0)
    mails = list(Outbox.select())
    assert sorted(m.to_address.split("<")[1] for m in mails) == [
        "agent@support.example>", "other@support.example>"]  # unassigned: every agent
    assert any("SLA at risk" in m.subject for m in mails)
    assert any("期限間近" in m.subject for m in mails)
    Outbox.delete().execute()
    lifecycle.assign(cast["agent"], ticket, "other@support.example")
    at(jst(2027, 1, 18, 10, 16))
    assert sla_clock.tick() == (0, 1)
    assert _fresh(ticket).response_breached
    assert [m.to_address for m in Outbox.select()] == ["Staff User <other@support.example>"]
    assert "2027/01/18 10:15" in Outbox.get().text_body
    assert sla_clock.tick() == (0, 0)
    assert Outbox.select().count() == 1


def test_two_tick_runners_at_once_send_each_warning_once(cast, at, app):
    at(jst(2027, 1, 18, 10, 0))
    tickets = [factories.ticket(cast["premium"], type_code="incident", severity=1,
                                subject=f"Outage {i}") for i in range(12)]
    Outbox.delete().execute()
    at(jst(2027, 1, 18, 10, 16))
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            db.connect(reuse_if_open=True)
            barrier.wait()
            results.append(sla_clock.tick())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            db.close()

    runners = [threading.Thread(target=run) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert errors == []
    assert sum(b for _, b in results) == len(tickets)
    assert SlaNotice.select().where(SlaNotice.kind == "breached").count() == len(tickets)
    # One mail per ticket and agent: two agents, twelve tickets.
    assert Outbox.select().count() == 2 * len(tickets)


def test_a_calendar_change_recomputes_open_tickets(cast, at, runner):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["basic"], severity=3)
    assert _fresh(ticket).first_response_due == jst(2027, 1, 19, 10, 0)  # 9 business hours
    result = runner.invoke(args=["calendar", "set", "default", "--tz", "Asia/Tokyo",
                                 "--hours", "mon-fri 09:00-12:00"])
    assert "recomputed 1 open tickets" in result.output
    ticket = _fresh(ticket)
    assert ticket.first_response_due == jst(2027, 1, 21, 10, 0)  # 3 h a day now
    assert ticket.resolution_due == jst(2027, 3, 22, 10, 0)  # 135 h; no national holidays now
    assert ticket.sla_due == ticket.first_response_due and not ticket.response_breached
    assert ticket.sla_risk_at == jst(2027, 1, 20, 11, 12)  # 80 % of 9 h = 7 h 12 min


def _queue(client, query: str) -> list[str]:
    html = client.get("/staff/" + query).get_data(as_text=True)
    return re.findall(r'<td><a href="/tickets/\d+">([^<]+)</a>', html)


def test_queue_next_due_column_sort_and_filters(cast, at, client, login):
    at(jst(2027, 1, 18, 10, 0))
    slow = factories.ticket(cast["basic"], subject="Slow", severity=4)
    fast = factories.ticket(cast["premium"], subject="Fast", type_code="incident", severity=1)
    soon = factories.ticket(cast["premium"], subject="Soon", type_code="incident", severity=2)
    waiting = factories.ticket(cast["basic"], subject="Waiting", severity=4)
    lifecycle.post_message(cast["agent"], waiting, "?", status="waiting_on_customer")
    login("agent@support.example")
    assert _queue(client, "?sort=due") == ["Fast", "Soon", "Slow", "Waiting"]
    at(jst(2027, 1, 18, 10, 13))  # Fast: 13 of 15 minutes used
    assert _queue(client, "?sla=at_risk") == ["Fast"]
    assert _queue(client, "?sla=breached") == []
    at(jst(2027, 1, 18, 10, 50))  # Fast breached; Soon (1 h) at risk
    assert _queue(client, "?sla=breached") == ["Fast"]
    assert _queue(client, "?view=breached") == ["Fast"]
    assert _queue(client, "?sla=at_risk&sort=due") == ["Soon"]
    html = client.get("/staff/?sort=due").get_data(as_text=True)
    assert ('<time data-sla="first_response" data-state="breached" '
            'datetime="2027-01-18T10:15:00+09:00">') in html
    assert "breached 35 min ago" in html
    assert fast.number and slow.number and soon.number


def test_staff_page_counts_down_and_then_says_how_late(cast, at, client, login):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=1)
    login("agent@support.example")
    assert "15 min left" in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    at(jst(2027, 1, 18, 12, 15))
    html = client.get(f"/tickets/{ticket.number}/sla").get_data(as_text=True)
    assert 'data-sla="first_response" data-state="breached"' in html
    assert "breached 2 h 0 min ago" in html


def test_the_sla_fragment_follows_the_ticket_access_rule(cast, app):
    ticket = factories.ticket(cast["basic"], severity=3)
    stranger = app.test_client()
    stranger.submit("/login", {"email": "ann@acme.example", "password": factories.PASSWORD})
    assert stranger.get(f"/tickets/{ticket.number}/sla").status_code == 404


def test_recomputing_in_batches_gives_what_each_action_gave(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    tickets = [factories.ticket(cast["basic" if i % 2 else "premium"], severity=1 + i % 4,
                                type_code="question", subject=f"T{i}") for i in range(7)]
    at(jst(2027, 1, 18, 11, 0))
    lifecycle.post_message(cast["agent"], tickets[0], "?", status="waiting_on_customer")
    lifecycle.post_message(cast["agent"], tickets[1], "?", status="waiting_on_customer")
    at(jst(2027, 1, 18, 15, 0))
    lifecycle.post_message(cast["premium"], tickets[0], "here")  # resumes; next response
    lifecycle.change_status(cast["agent"], tickets[2], "resolved")
    fields = ["first_response_due", "next_response_due", "resolution_due", "sla_due",
              "sla_risk_at"]
    before = {t.id: [getattr(t, f) for f in fields] for t in Ticket.select()}
    Ticket.update(sla_due=None, resolution_due=None, sla_alert_at=None).execute()
    assert sla_clock.recompute_open(batch=2) == 6
    after = {t.id: [getattr(t, f) for f in fields] for t in Ticket.select()}
    resolved = tickets[2].id
    assert {k: v for k, v in after.items() if k != resolved} == \
        {k: v for k, v in before.items() if k != resolved}


def test_a_recomputation_never_overwrites_a_ticket_changed_since_it_was_read(cast, at):
    at(jst(2027, 1, 18, 10, 0))
    ticket = factories.ticket(cast["premium"], type_code="incident", severity=1)
    stale = _fresh(ticket)
    at(jst(2027, 1, 18, 10, 5))
    lifecycle.change_priority(cast["agent"], ticket, "4", "Only one user")
    stale.sla_due = jst(2030, 1, 1, 0, 0)
    with db.atomic():
        assert sla_clock._save_unchanged([stale]) == [stale]
    assert _fresh(ticket).sla_due == jst(2027, 1, 18, 14, 0)  # priority 4: 4 business hours
    current = _fresh(ticket)
    with db.atomic():
        assert sla_clock._save_unchanged([current]) == []
