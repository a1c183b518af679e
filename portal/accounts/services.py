"""Account rules: who exists, who may sign in, plans and organizations. No Flask here."""

from __future__ import annotations

import ipaddress
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache

from peewee import JOIN
from werkzeug.security import check_password_hash, generate_password_hash

from portal import clock, settings
from portal.accounts import events
from portal.accounts.models import (
    ORG_ROLES,
    SITE_ROLES,
    STAFF_ROLES,
    Audit,
    LoginThrottle,
    Organization,
    Plan,
    Product,
    User,
)
from portal.cleaning import one_line
from portal.config import LOCALES
from portal.db import Prepared, db, execute_planned, transaction
from portal.errors import N_, NotFound, ServiceError, Throttled

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

# Response and resolution targets in minutes per severity (1 = urgent).
DEFAULT_PLANS = [
    {
        "code": "basic", "name_en": "Basic", "name_ja": "ベーシック", "position": 1,
        "around_the_clock": False, "contact_limit": 2,
        "response_minutes": {"1": 480, "2": 960, "3": 1440, "4": 2880},
        "resolution_minutes": {"1": 2880, "2": 7200, "3": 14400, "4": 28800},
    },
    {
        "code": "advanced", "name_en": "Advanced", "name_ja": "アドバンスト", "position": 2,
        "around_the_clock": False, "contact_limit": 5,
        "response_minutes": {"1": 120, "2": 240, "3": 480, "4": 1440},
        "resolution_minutes": {"1": 1440, "2": 2880, "3": 7200, "4": 14400},
    },
    {
        "code": "premium", "name_en": "Premium", "name_ja": "プレミアム", "position": 3,
        "around_the_clock": True, "contact_limit": 10,
        "response_minutes": {"1": 30, "2": 120, "3": 240, "4": 480},
        "resolution_minutes": {"1": 480, "2": 1440, "3": 2880, "4": 7200},
    },
]


def normalize_email(email: str) -> str:
    """NFKC + case fold, so ＵＳＥＲ@ｅｘａｍｐｌｅ.ｃｏｍ and user@example.com are one account."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


# scrypt is memory-hard on purpose: about 32 MB per hash (75 ms of one core). One at a
# time per process keeps a burst of sign-ins from multiplying a worker's memory (or being
# used to): a worker's peak is its working memory plus 32 MB, not plus 64 (with two at a
# time a worker of 80 MB peaked at 145 of its 150 MB budget in bench/concurrent_replies.py).
# A worker still signs in about 13 people a second; the other workers hash meanwhile.
_HASHING = threading.BoundedSemaphore(1)


def hash_password(password: str) -> str:
    with _HASHING:
        return generate_password_hash(password, method=settings.get("PASSWORD_HASH", "scrypt"))


def _password_matches(stored_hash: str, password: str) -> bool:
    with _HASHING:
        return check_password_hash(stored_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    with _HASHING:
        return generate_password_hash(secrets.token_hex(16), method=method)


def seed_default_plans() -> int:
    """Create the default plans on a database that has none; return how many were made."""
    with transaction():
        if Plan.select().exists():
            return 0
        for plan in DEFAULT_PLANS:
            Plan.create(**plan)
    return len(DEFAULT_PLANS)


def create_org(name: str, slug: str, plan: str, trial: bool = False) -> Organization:
    """A new customer organization on ``plan`` (a plan code)."""
    name, slug = one_line(name), (slug or "").strip()
    if not name:
        raise ServiceError(N_("The organization needs a name."), "name")
    if not _SLUG.match(slug):
        raise ServiceError(
            N_("The slug %(slug)s may hold only lower-case letters, digits and hyphens."),
            "slug", slug=slug,
        )
    with transaction():
        found = Plan.get_or_none(Plan.code == plan)
        if found is None:
            raise ServiceError(N_("There is no plan called %(plan)s."), "plan", plan=plan)
        if Organization.select().where(Organization.slug == slug).exists():
            raise ServiceError(
                N_("An organization with the slug %(slug)s already exists."), "slug", slug=slug
            )
        return Organization.create(name=name, slug=slug, plan=found, trial=trial)


def create_user(
    email: str,
    name: str,
    role: str,
    password: str,
    org: str | None = None,
    org_role: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
) -> User:
    """A new user; customers belong to the organization with slug ``org``."""
    email, name = normalize_email(email), one_line(name)
    if not _EMAIL.match(email) or len(email) > 254:
        raise ServiceError(N_("%(email)s is not an e-mail address."), "email", email=email)
    if not name:
        raise ServiceError(N_("Please enter a name."), "name")
    if role not in SITE_ROLES:
        raise ServiceError(
            N_("The role must be one of: %(roles)s."), "role", roles=", ".join(SITE_ROLES)
        )
    if not password:
        raise ServiceError(N_("Please enter a password."), "password")
    if locale is not None and locale not in LOCALES:
        raise ServiceError(N_("The language must be ja or en."), "locale")
    timezone = timezone or settings.get("TIMEZONE", "Asia/Tokyo")
    _check_timezone(timezone)
    if role == "customer":
        if not org:
            raise ServiceError(N_("A customer must belong to an organization."), "org")
        org_role = org_role or "contact"
        if org_role not in ORG_ROLES:
            raise ServiceError(
                N_("The organization role must be one of: %(roles)s."),
                "org_role", roles=", ".join(ORG_ROLES),
            )
    elif org or org_role:
        raise ServiceError(N_("Staff users do not belong to a customer organization."), "org")
    password_hash = hash_password(password)
    with transaction():
        organization = None
        if org:
            organization = Organization.get_or_none(Organization.slug == org)
            if organization is None:
                raise ServiceError(N_("There is no organization %(org)s."), "org", org=org)
        if User.select().where(User.email == email).exists():
            raise ServiceError(
                N_("A user with the e-mail %(email)s already exists."), "email", email=email
            )
        return User.create(
            email=email, name=name, role=role, password_hash=password_hash,
            organization=organization, org_role=org_role if organization else None,
            locale=locale, timezone=timezone, session_token=secrets.token_urlsafe(16),
        )


def _check_timezone(tz: str) -> None:
    if tz not in clock.real_zones():
        raise ServiceError(N_("%(tz)s is not a known time zone."), "timezone", tz=tz)


def _fields(model) -> list[tuple[str, object]]:
    return [(f.name, f.python_value) for f in model._meta.sorted_fields]


# (database, SQL, the user's fields, the organization's): composed once per database.
_SESSION_USER: list[tuple] = []


def _session_user_sql() -> tuple:
    compiled = _SESSION_USER[0] if _SESSION_USER else None
    if compiled is None or compiled[0] is not db.obj:
        query = (User.select(User, Organization).join(Organization, JOIN.LEFT_OUTER)
                 .where(User.id == -1))
        sql, params = query.sql()
        if params != [-1]:
            raise ValueError(f"unexpected parameters {params}")
        compiled = (db.obj, sql, _fields(User), _fields(Organization))
        _SESSION_USER[:] = [compiled]
    return compiled


def _session_user(user_id: int) -> User | None:
    """The user with their organization, by one indexed query, built as Peewee builds
    them from a join (every column converted by its field; nothing marked changed).

    Every request of a signed-in person asks: Peewee's own cursor wrapper for a join
    costs five times the query itself."""
    _, sql, user_fields, org_fields = _session_user_sql()
    row = execute_planned(sql, (user_id,)).fetchone()
    if row is None:
        return None
    split = len(user_fields)
    user = User(**{name: convert(value) for (name, convert), value
                   in zip(user_fields, row[:split], strict=True)})
    if row[split] is not None:
        org = Organization(**{name: convert(value) for (name, convert), value
                              in zip(org_fields, row[split:], strict=True)})
        org._dirty.clear()
        user.organization = org
    user._dirty.clear()
    return user


def user_for_session(user_id: str) -> User | None:
    """The user a login cookie names, if its session token is still current and active."""
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit() or not token:
        return None
    user = _session_user(int(ident))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user if user.is_active else None


def get_user_by_email(email: str) -> User:
    user = User.get_or_none(User.email == normalize_email(email))
    if user is None:
        raise NotFound(N_("There is no user %(email)s."), "email", email=normalize_email(email))
    return user


# --- signing in -------------------------------------------------------------------------

WRONG_CREDENTIALS = N_("The e-mail address or password is not correct.")


def client_key(address: str) -> str:
    """The unit the sign-in throttle counts for a client address: the IPv4 address, or
    the IPv6 /64 network (one household or server gets a whole /64 and may pick any
    address in it, so counting single IPv6 addresses would count nothing)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return address or "-"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def authenticate(email: str, password: str, address: str) -> User:
    """The user whose credentials these are, or :class:`ServiceError`.

    Each attempt first takes a slot under both its account-and-address key and its
    address key in one immediate transaction, so parallel guesses are counted before any
    of them is checked. The account's counter is kept per address: whoever floods an
    account with wrong passwords locks it for their own address only, and its owner
    still signs in from anywhere else (guessing from many addresses still meets each
    address's own limit, and scrypt's cost).

    An unknown e-mail, a deactivated account and a user of a deactivated organization
    cost the same hash check and get the same answer as a wrong password, so sign-in
    never tells which addresses have accounts, nor confirms a password that is right.
    """
    email = normalize_email(email)
    client = client_key(address)
    keys = [f"account:{email}|{client}", f"address:{client}"]
    limits = [settings.get("LOGIN_MAX_FAILURES", 10), settings.get("LOGIN_IP_MAX_FAILURES", 50)]
    _reserve_attempt(keys, limits)
    user = User.get_or_none(User.email == email) if email else None
    method = settings.get("PASSWORD_HASH", "scrypt")
    good = _password_matches(user.password_hash if user else _dummy_hash(method), password)
    if not (user and good and user.is_active):
        raise ServiceError(WRONG_CREDENTIALS, "email")
    with transaction():
        LoginThrottle.delete().where(LoginThrottle.key == keys[0]).execute()
        LoginThrottle.update(failures=LoginThrottle.failures - 1).where(
            LoginThrottle.key == keys[1], LoginThrottle.failures > 0
        ).execute()
        user.last_login_at = clock.now()
        user.save(only=[User.last_login_at])
    return user


def _reserve_attempt(keys: list[str], limits: list[int]) -> None:
    window = timedelta(minutes=settings.get("LOGIN_WINDOW_MINUTES", 15))
    now = clock.now()
    with transaction():
        rows = []
        for key, limit in zip(keys, limits, strict=True):
            row = LoginThrottle.get_or_none(LoginThrottle.key == key)
            if row is None or row.window_start + window <= now:
                row = LoginThrottle(key=key, failures=0, window_start=now)
            if row.failures >= limit:
                minutes = max(1, int((row.window_start + window - now).total_seconds() // 60) + 1)
                raise Throttled(
                    N_("Too many failed sign-ins. Please try again in %(minutes)d minutes."),
                    "email", minutes=minutes,
                )
            rows.append(row)
        for row, limit in zip(rows, limits, strict=True):
            failures = row.failures + 1
            locked = row.window_start + window if failures >= limit else None
            LoginThrottle.insert(
                key=row.key, failures=failures, window_start=row.window_start,
                locked_until=locked,
            ).on_conflict(
                conflict_target=[LoginThrottle.key],
                preserve=[LoginThrottle.failures, LoginThrottle.window_start,
                          LoginThrottle.locked_until],
            ).execute()


def sign_out_everywhere(user: User) -> None:
    """Rotate the session token: every copy of every login cookie stops working."""
    with transaction():
        user.session_token = secrets.token_urlsafe(16)
        user.save(only=[User.session_token])


def set_password(user: User, password: str, also: Callable[[], object] | None = None) -> None:
    """A new password also signs out every other session; ``also`` runs in the same
    transaction. The password is hashed before the transaction: hashing waits its turn
    (one at a time per process), and every writer would wait with it."""
    password_hash = hash_password(password)
    with transaction():
        user.password_hash = password_hash
        user.session_token = secrets.token_urlsafe(16)
        user.save(only=[User.password_hash, User.session_token])
        if also is not None:
            also()


# --- password reset by e-mail ----------------------------------------------------------

RESET_MAX_AGE = 3600
MIN_PASSWORD = 8


def _reset_serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(settings.get("SECRET_KEY"), salt="password-reset")


def _reset_fingerprint(user: User) -> str:
    """Changes when the password does: a used link stops working."""
    import hashlib

    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Mail a one-hour, single-use link if the address has an active account.

    The caller shows the same answer either way, so nobody learns who has an account.
    """
    user = User.get_or_none(User.email == normalize_email(email))
    if user is None or not user.is_active:
        return
    token = _reset_serializer().dumps({"id": user.id, "fp": _reset_fingerprint(user)})
    with transaction():
        # Nobody can flood someone's inbox with reset mails.
        if not take_slot(f"reset:{user.id}", RESETS_PER_HOUR, timedelta(hours=1)):
            return
        events.password_reset_requested.send(user, token=token)


RESETS_PER_HOUR = 3


def take_slot(key: str, limit: int, window: timedelta) -> bool:
    """Count one more use under ``key``: False (nothing counted) once ``limit`` uses fell
    in the current ``window``. Kept in the database, so every worker and server shares
    the count; inside a caller's transaction it joins it."""
    now = clock.now()
    with transaction():
        row = LoginThrottle.get_or_none(LoginThrottle.key == key)
        if row is None or row.window_start + window <= now:
            LoginThrottle.insert(key=key, failures=1, window_start=now).on_conflict(
                conflict_target=[LoginThrottle.key],
                preserve=[LoginThrottle.failures, LoginThrottle.window_start]).execute()
            return True
        if row.failures >= limit:
            return False
        LoginThrottle.update(failures=LoginThrottle.failures + 1).where(
            LoginThrottle.key == key).execute()
        return True


def user_for_reset(token: str) -> User:
    from itsdangerous import BadSignature

    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
        user = User.get_or_none(User.id == int(data["id"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        user = None
    if user is None or not user.is_active or data.get("fp") != _reset_fingerprint(user):
        raise ServiceError(N_("This link has expired or was already used. Please ask for a "
                              "new one."))
    return user


def reset_password(token: str, password: str, confirm: str) -> User:
    user = user_for_reset(token)
    if len(password) < MIN_PASSWORD:
        raise ServiceError(N_("Choose a password of at least 8 characters."), "password")
    if password != confirm:
        raise ServiceError(N_("The two passwords differ."), "confirm")
    set_password(user, password)
    return user


def update_preferences(user: User, locale: str, timezone: str, notify_own: bool) -> None:
    if locale not in LOCALES:
        raise ServiceError(N_("The language must be ja or en."), "locale")
    _check_timezone(timezone)
    with transaction():
        User.update(locale=locale, timezone=timezone, notify_own=notify_own).where(
            User.id == user.id).execute()


def set_locale(user: User, locale: str) -> None:
    if locale not in LOCALES:
        raise ServiceError(N_("The language must be ja or en."), "locale")
    with transaction():
        User.update(locale=locale).where(User.id == user.id).execute()
    user.locale = locale


def set_user_active(email: str, active: bool, actor: User | None = None) -> User:
    with transaction():
        user = get_user_by_email(email)
        user.active = active
        if not active:
            user.session_token = secrets.token_urlsafe(16)
        user.save(only=[User.active, User.session_token])
        record(actor, "activate" if active else "deactivate", "user", user.id)
    return user


def deactivate_org(slug: str, actor: User | None = None) -> Organization:
    """Nobody of a deactivated organization can sign in or file."""
    with transaction():
        org = Organization.get_or_none(Organization.slug == slug)
        if org is None:
            raise NotFound(N_("There is no organization %(org)s."), "org", org=slug)
        org.active = False
        org.save(only=[Organization.active])
        record(actor, "deactivate", "organization", org.id)
    return org


# Read on every staff ticket page (the assignee list): composed once.
_ACTIVE_STAFF = Prepared(lambda *roles_then_active: User.select()
                         .where(User.role.in_(roles_then_active[:-1])
                                & (User.active == roles_then_active[-1]))
                         .order_by(User.name), *STAFF_ROLES, True)


def active_staff() -> list[User]:
    """Agents and admins who can take tickets, by name."""
    return _ACTIVE_STAFF.rows(*STAFF_ROLES, True)


# Offered on the request form and the editors: composed once (``portal.db.Prepared``).
_PRODUCTS = Prepared(lambda active: Product.select().where(Product.active == active)
                     .order_by(Product.code), True)


def products() -> list[Product]:
    return _PRODUCTS.rows(True)


def record(actor: User | None, action: str, object_type: str, object_id: int | None,
           **detail) -> Audit:
    """One line of the audit trail; call inside the transaction of the change itself."""
    return Audit.create(actor=actor, action=action, object_type=object_type,
                        object_id=object_id, detail=detail)
