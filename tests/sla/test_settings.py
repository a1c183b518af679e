"""PORTAL_SLA_AT_RISK_PERCENT: read, checked, and used for the at-risk moment."""

from datetime import datetime

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.sla.services import Target


@pytest.mark.parametrize("value", ["0", "100", "-5", "eighty"])
def test_a_bad_percentage_stops_the_start(tmp_path, monkeypatch, value):
    monkeypatch.setenv("PORTAL_SLA_AT_RISK_PERCENT", value)
    with pytest.raises(ConfigError, match="PORTAL_SLA_AT_RISK_PERCENT"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_the_percentage_sets_when_a_target_is_at_risk(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SLA_AT_RISK_PERCENT", "50")
    create_app({"INSTANCE_PATH": str(tmp_path)})
    target = Target("first_response", 60, None, "24x7")
    assert target.risk_at(datetime(2027, 1, 18, 1, 0)) == datetime(2027, 1, 18, 1, 30)


def test_changing_the_percentage_recomputes_open_tickets_at_start(tmp_path, monkeypatch):
    from portal import clock
    from portal.db import db
    from portal.tickets.models import Ticket
    from tests import factories
    from tests.conftest import make_app

    first = make_app(tmp_path)
    db.connect(reuse_if_open=True)
    clock.freeze(datetime(2027, 1, 18, 1, 0))  # Monday 10:00 in Tokyo
    try:
        ticket = factories.ticket(factories.user(organization=factories.org(plan="premium")),
                                  type_code="incident", severity=1)
        assert Ticket.get_by_id(ticket.id).sla_risk_at == datetime(2027, 1, 18, 1, 12)
        monkeypatch.setenv("PORTAL_SLA_AT_RISK_PERCENT", "60")
        make_app(tmp_path, DATABASE=first.config["DATABASE"])  # a restart, same database
        assert Ticket.get_by_id(ticket.id).sla_risk_at == datetime(2027, 1, 18, 1, 9)
    finally:
        clock.freeze(None)
        db.close()
