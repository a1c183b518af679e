"""Only real time zones are offered, and a stored odd one never breaks a page."""

import re

import pytest

from portal.accounts.models import User
from tests import factories

ODD = ["Factory", "localtime", "posixrules", "posix/Asia/Tokyo", "right/UTC", "Etc/GMT+5",
       "Nowhere/Else", "", "../../etc/passwd"]


@pytest.fixture
def customer(app, client, login):
    org = factories.org("acme")
    user = factories.user("mika@example.com", organization=org)
    factories.ticket(user)
    login("mika@example.com")
    return user


def test_account_offers_only_real_zones(customer, client):
    html = client.get("/account").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([^"]+)"', html))
    assert {"Asia/Tokyo", "UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"} <= offered
    for zone in ODD:
        assert zone not in offered


@pytest.mark.parametrize("zone", ["Factory", "localtime", "posixrules", "Nowhere/Else"])
def test_choosing_an_odd_zone_is_refused(customer, client, zone):
    response = client.submit("/account", {"locale": "en", "timezone": zone})
    assert "is not a known time zone" in response.get_data(as_text=True)
    assert User.get(User.email == "mika@example.com").timezone == "Asia/Tokyo"


@pytest.mark.parametrize("zone", ODD)
def test_a_stored_odd_zone_falls_back_to_the_default(customer, client, zone):
    User.update(timezone=zone).where(User.email == "mika@example.com").execute()
    for path in ("/", "/tickets/", "/tickets/1", "/account", "/tickets/new", "/kb/"):
        assert client.get(path).status_code == 200, path
    assert "Asia/Tokyo" in client.get("/tickets/1").get_data(as_text=True)
