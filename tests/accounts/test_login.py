"""Signing in and out, from the side of an attacker as much as of a user."""

import re
import threading

import pytest
from werkzeug import security

from portal.accounts import services
from portal.accounts.models import LoginThrottle
from portal.db import db
from portal.errors import ServiceError, Throttled
from tests import factories
from tests.factories import PASSWORD


def _signed_in_name(client) -> str | None:
    page = client.get("/kb/").get_data(as_text=True)
    found = re.search(r'class="who" href="/account" title="([^"]+)"', page)
    return found.group(1) if found else None


def test_sign_in_and_out(app, client):
    factories.user("mika@example.com")
    response = client.submit("/login", {"email": "mika@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_name(client) == "mika@example.com"
    assert client.submit("/logout").status_code == 302
    assert _signed_in_name(client) is None


def test_email_is_case_and_width_insensitive(app, client):
    factories.user("mika@example.com")
    response = client.submit("/login", {"email": " ＭＩＫＡ@Example.COM ", "password": PASSWORD})
    assert response.status_code == 302


def _body_without_token(response) -> str:
    return re.sub(r'(csrf[-_]token"[^>]*?(?:content|value))="[^"]+"', r"\1",
                  response.get_data(as_text=True))


def test_unknown_email_and_wrong_password_get_the_same_answer(app, client):
    factories.user("mika@example.com")
    wrong = client.submit("/login", {"email": "mika@example.com", "password": "nope"})
    unknown = client.submit("/login", {"email": "nobody@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "not correct" in wrong.get_data(as_text=True)

    def normalize(response):
        return _body_without_token(response).replace("nobody@example.com", "X").replace(
            "mika@example.com", "X")

    assert normalize(wrong) == normalize(unknown)


def test_unknown_email_still_costs_a_password_check(app, monkeypatch):
    calls = []
    original = services._password_matches
    monkeypatch.setattr(services, "_password_matches",
                        lambda h, p: calls.append(h) or original(h, p))
    with pytest.raises(ServiceError):
        services.authenticate("nobody@example.com", "guess", "10.0.0.1")
    assert len(calls) == 1 and calls[0].startswith("scrypt:")


def test_ten_failures_throttle_the_account_even_with_the_right_password(app, client):
    factories.user("mika@example.com")
    for _ in range(10):
        assert client.submit("/login", {"email": "mika@example.com",
                                        "password": "wrong"}).status_code == 400
    blocked = client.submit("/login", {"email": "mika@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)


def test_throttle_answers_the_same_for_unknown_accounts(app, client):
    for _ in range(10):
        client.submit("/login", {"email": "ghost@example.com", "password": "wrong"})
    assert client.submit("/login", {"email": "ghost@example.com",
                                    "password": "x"}).status_code == 429


def test_throttle_by_address_across_accounts(app):
    app.config["LOGIN_IP_MAX_FAILURES"] = 5
    for i in range(5):
        with pytest.raises(ServiceError):
            services.authenticate(f"victim{i}@example.com", "guess", "203.0.113.9")
    with pytest.raises(Throttled):
        services.authenticate("another@example.com", "guess", "203.0.113.9")
    # Another address is not affected.
    with pytest.raises(ServiceError) as err:
        services.authenticate("another@example.com", "guess", "198.51.100.1")
    assert not isinstance(err.value, Throttled)


def test_throttle_holds_against_parallel_attempts(app):
    factories.user("mika@example.com")
    outcomes = []

    def attempt():
        try:
            services.authenticate("mika@example.com", "wrong", "192.0.2.1")
        except Throttled:
            outcomes.append("throttled")
        except ServiceError:
            outcomes.append("checked")
        finally:
            db.close()  # each thread's own connection

    threads = [threading.Thread(target=attempt) for _ in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("checked") == 10
    assert outcomes.count("throttled") == 15
    assert LoginThrottle.get(
        LoginThrottle.key == "account:mika@example.com|192.0.2.1").failures == 10


def test_success_clears_the_account_counter(app):
    factories.user("mika@example.com")
    for _ in range(3):
        with pytest.raises(ServiceError):
            services.authenticate("mika@example.com", "wrong", "192.0.2.1")
    services.authenticate("mika@example.com", PASSWORD, "192.0.2.1")
    assert not LoginThrottle.select().where(
        LoginThrottle.key == "account:mika@example.com|192.0.2.1").exists()


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https:evil.example", "https://evil.example/",
    "javascript:alert(1)", "%2F%2Fevil.example", "/%2F/evil.example", "/%5Cevil.example",
    "%252F%252Fevil.example", "\t//evil.example", "/\t/evil.example", "http://localhost/kb/",
])
def test_next_never_leaves_the_site(app, client, target):
    factories.user("mika@example.com")
    response = client.submit("/login", {"email": "mika@example.com", "password": PASSWORD,
                                        "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_a_local_path_is_followed(app, client):
    factories.user("mika@example.com")
    response = client.submit("/login", {"email": "mika@example.com", "password": PASSWORD,
                                        "next": "/kb/search?q=sso"})
    assert response.headers["Location"] == "/kb/search?q=sso"


def test_deactivated_user_and_organization_are_refused(app, client):
    org = factories.org("acme")
    factories.user("mika@example.com", organization=org)
    factories.user("ken@example.com", organization=org)
    services.set_user_active("mika@example.com", False)
    refused = client.submit("/login", {"email": "mika@example.com", "password": PASSWORD})
    assert refused.status_code == 400 and _signed_in_name(client) is None
    services.deactivate_org("acme")
    assert client.submit("/login", {"email": "ken@example.com",
                                    "password": PASSWORD}).status_code == 400
    assert _signed_in_name(client) is None


def test_a_right_password_on_a_deactivated_account_looks_like_a_wrong_one(app, client,
                                                                          monkeypatch):
    """Otherwise "deactivated" confirms to a guesser that the password was right."""
    org = factories.org("acme")
    factories.user("mika@example.com", organization=org)
    factories.user("ken@example.com", organization=org)
    factories.user("other@example.com")
    services.set_user_active("mika@example.com", False)
    services.deactivate_org("acme")
    checks = []
    original = services._password_matches
    monkeypatch.setattr(services, "_password_matches",
                        lambda h, p: checks.append(h) or original(h, p))

    def answer(email, password):
        response = client.submit("/login", {"email": email, "password": password})
        return response.status_code, _body_without_token(response).replace(email, "X")

    wrong = answer("other@example.com", "wrong password")
    assert answer("mika@example.com", PASSWORD) == wrong  # deactivated user, right password
    assert answer("ken@example.com", PASSWORD) == wrong  # deactivated organization
    assert "deactivated" not in wrong[1]
    assert len(checks) == 3  # the same scrypt check on every path


def test_a_flood_from_one_address_does_not_lock_the_owner_out(app):
    """30 parallel wrong passwords from an attacker lock the account for the attacker's
    address only; its owner signs in from elsewhere, the attacker stays throttled."""
    factories.user("mika@example.com")
    outcomes = []

    def guess():
        try:
            services.authenticate("mika@example.com", "wrong", "203.0.113.66")
        except Throttled:
            outcomes.append("throttled")
        except ServiceError:
            outcomes.append("checked")
        finally:
            db.close()  # each thread's own connection

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("checked") == 10 and outcomes.count("throttled") == 20

    assert services.authenticate("mika@example.com", PASSWORD, "198.51.100.7").email == \
        "mika@example.com"
    with pytest.raises(Throttled):  # even the right password, from the attacker's address
        services.authenticate("mika@example.com", PASSWORD, "203.0.113.66")


def test_the_owner_signs_in_through_the_web_while_an_attacker_is_locked(app):
    factories.user("mika@example.com")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    for _ in range(12):
        attacker.submit("/login", {"email": "mika@example.com", "password": "guess"})
    assert attacker.submit("/login", {"email": "mika@example.com",
                                      "password": PASSWORD}).status_code == 429
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert owner.submit("/login", {"email": "mika@example.com",
                                   "password": PASSWORD}).status_code == 302


def test_ipv6_addresses_of_one_network_count_as_one_client(app):
    factories.user("mika@example.com")
    for i in range(10):
        with pytest.raises(ServiceError):
            services.authenticate("mika@example.com", "wrong", f"2001:db8:1:2::{i + 1:x}")
    with pytest.raises(Throttled):
        services.authenticate("mika@example.com", PASSWORD, "2001:db8:1:2::ffff")
    assert services.authenticate("mika@example.com", PASSWORD, "2001:db8:9::1")


def test_deactivation_ends_a_running_session(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    services.set_user_active("mika@example.com", False)
    assert _signed_in_name(client) is None


def test_a_copied_cookie_is_dead_after_sign_out(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    stolen = client.get_cookie("madoguchi_session").value
    client.submit("/logout")
    thief = app.test_client()
    thief.set_cookie("madoguchi_session", stolen)
    assert _signed_in_name(thief) is None


def test_sign_in_starts_a_fresh_session(app, client):
    factories.user("mika@example.com")
    client.get("/kb/")
    client.set_cookie("madoguchi_session", client.get_cookie("madoguchi_session").value)
    before = client.get_cookie("madoguchi_session").value
    client.submit("/login", {"email": "mika@example.com", "password": PASSWORD})
    after = client.get_cookie("madoguchi_session").value
    assert before != after
    # The pre-login cookie does not carry the login.
    other = app.test_client()
    other.set_cookie("madoguchi_session", before)
    assert _signed_in_name(other) is None


def test_password_change_signs_out_other_sessions(app, client, login):
    user = factories.user("mika@example.com")
    login("mika@example.com")
    services.set_password(user, "a brand new password")
    assert _signed_in_name(client) is None


def test_logout_needs_post_and_csrf(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert _signed_in_name(client) == "mika@example.com"


def test_passwords_are_stored_as_scrypt_hashes(app):
    user = factories.user("mika@example.com")
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert security.check_password_hash(user.password_hash, PASSWORD)


def test_every_demo_user_can_sign_in(app, demo):
    for email, *_ in demo.USERS:
        client = app.test_client()
        response = client.submit("/login", {"email": email, "password": demo.PASSWORD})
        assert response.status_code == 302, email


def test_passwords_are_hashed_one_at_a_time_per_process(monkeypatch):
    """scrypt takes 32 MB per hash: a burst of sign-ins must not multiply a worker's
    memory. Eight threads hashing at once run one after another."""
    import time

    running, most = [0], [0]
    lock = threading.Lock()

    def slow_hash(password, method):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return "hashed"

    monkeypatch.setattr(services, "generate_password_hash", slow_hash)
    monkeypatch.setattr(services, "check_password_hash", lambda stored, password: (
        slow_hash(password, "scrypt") == stored))
    threads = [threading.Thread(target=services.hash_password, args=("pw",)) for _ in range(4)]
    threads += [threading.Thread(target=services._password_matches, args=("hashed", "pw"))
                for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert most[0] == 1


def test_a_new_password_is_hashed_before_the_write_lock_is_taken(app, monkeypatch):
    """Hashing waits its turn; every writer would wait with it if it held the lock."""
    from portal.accounts import profile

    user = factories.user("mika@example.com")
    inside = []
    real = services.hash_password

    def watched(password):
        inside.append(db.in_transaction())
        return real(password)

    monkeypatch.setattr(services, "hash_password", watched)
    profile.change_password(user, PASSWORD, "a-new-password-1", "a-new-password-1")
    services.set_password(user, "another-password-2")
    assert inside == [False, False]
    assert services.authenticate("mika@example.com", "another-password-2", "127.0.0.1")
