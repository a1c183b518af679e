"""The per-page shortcuts of the template helpers give exactly what Babel and
Flask-Babel give: dates, ages, countdowns and translated messages."""

import random
from datetime import datetime, timedelta

import pytest
from babel.dates import format_timedelta
from flask import render_template_string
from flask_babel import force_locale, gettext

from portal import templating
from portal.db import Statement, db
from portal.tickets.models import Ticket

ZONES = ("Asia/Tokyo", "UTC", "America/New_York", "Asia/Kolkata")


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("with_time", [True, False])
def test_short_dates_match_babels_pattern(app, locale, with_time):
    from babel import Locale
    from babel.dates import parse_pattern

    pattern = parse_pattern(templating.date_pattern(locale, with_time))
    moments = random.Random(7)
    for _ in range(300):
        moment = datetime(2000, 1, 1) + timedelta(seconds=moments.randrange(10**9))
        for zone in ZONES:
            with app.test_request_context(), force_locale(locale):
                from pytz import timezone

                aware = moment.replace(tzinfo=timezone("UTC")).astimezone(timezone(zone))
                expected = pattern.apply(aware, Locale.parse(locale))
                assert templating._formatted(moment, "short", with_time, locale,
                                             timezone(zone)) == expected


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_ages_match_format_timedelta(locale):
    spans = random.Random(3)
    samples = [0, 0.4, 1, 59.5, 60, 89, 90, 3600 * 23.5, 86400 * 6.5, 86400 * 6.6,
               86400 * 29.5, 86400 * 364.9, 86400 * 800]
    samples += [spans.uniform(0, 86400 * 900) for _ in range(3000)]
    templating._AGES.clear()
    for seconds in samples:
        assert templating.short_age(seconds, locale) == format_timedelta(
            seconds, threshold=1, format="short", locale=locale), seconds


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_template_messages_match_flask_babel(app, locale):
    source = ('{{ _("Queue") }}|{{ _("Priority %(n)d", n=2) }}|'
              '{{ ngettext("%(num)d ticket", "%(num)d tickets", 3) }}|{{ 7200|duration }}|'
              '{{ moment|local_time("short") }}|{{ moment|local_date }}|{{ moment|iso_local }}')
    moment = datetime(2026, 3, 1, 23, 30)
    with app.test_request_context(), force_locale(locale):
        shown = render_template_string(source, moment=moment)
        expected = "|".join([
            gettext("Queue"), gettext("Priority %(n)d", n=2), gettext("%(num)d tickets", num=3)
            if locale == "en" else gettext("%(num)d ticket", num=3),
            templating.duration(7200), templating.local_time(moment, "short"),
            templating.local_date(moment), templating.iso_local(moment)])
        # The same, rendered without the per-page values (Flask-Babel's own lookups).
        bare = app.jinja_env.from_string(source).render(moment=moment)
    assert shown == expected == bare
    assert ("キュー" in shown) == (locale == "ja")


def test_statement_runs_again_with_new_values(app):
    from tests import factories

    customer = factories.user()
    factories.ticket(customer, subject="one")
    factories.ticket(customer, subject="two")
    ids = [t.id for t in Ticket.select().order_by(Ticket.id)]
    statement = Statement(
        lambda first, limit_to: Ticket.select(Ticket.subject).where(
            (Ticket.id >= first) & (Ticket.subject != "none") & (Ticket.id <= first + 1000))
        .order_by(Ticket.id), -99_001, "sentinel-unused")
    with pytest.raises(ValueError):
        statement.execute(ids[0], "x")  # a sentinel that does not come out is an error
    statement = Statement(
        lambda first: Ticket.select(Ticket.subject).where(
            (Ticket.id >= first) & (Ticket.subject != "none")).order_by(Ticket.id), -99_001)
    assert [r[0] for r in statement.execute(ids[0]).fetchall()] == ["one", "two"]
    assert [r[0] for r in statement.execute(ids[1]).fetchall()] == ["two"]
    assert db.obj is not None


def test_prepared_rows_match_the_query_on_every_run(app):
    """A composed-once query gives what Peewee gives, joins included, on the first run
    (with no row, so nothing is kept yet) and on the later runs (from the kept wrapper)."""
    from portal.accounts.models import Organization, User
    from portal.db import Prepared
    from tests import factories

    people = [factories.user(f"p{i}@example.com") for i in range(3)]

    def build(user_id):
        return (User.select(User, Organization).join(Organization)
                .where(User.id >= user_id).order_by(User.id))

    prepared = Prepared(build, -1)
    assert prepared.rows(10**9) == []
    for person in people + people[::-1]:
        expected = list(build(person.id))
        found = prepared.rows(person.id)
        assert [(u.id, u.email, u.organization.slug, u.organization.active) for u in found] \
            == [(u.id, u.email, u.organization.slug, u.organization.active) for u in expected]
        assert found and all(u._dirty == set() for u in found)


def test_messages_kept_per_catalog(app):
    """A message shown without variables is made once per language's catalog: Japanese
    after English (and back) in one process never shows the other's words."""
    source = '{{ _("Queue") }}|{{ _("Percent %%") }}|{{ _("<b>") }}'
    shown = {}
    for locale in ("en", "ja", "en", "ja"):
        with app.test_request_context(), force_locale(locale):
            page = render_template_string(source)
            assert shown.setdefault(locale, page) == page
    assert shown["en"] == "Queue|Percent %|<b>"
    assert shown["ja"].startswith("キュー|")
