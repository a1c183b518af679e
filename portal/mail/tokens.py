"""Reply addresses that prove a mail answers one of ours.

Threat: the ``From:`` of a mail is whatever its sender typed. A reply by mail is only
believed when it is sent to the reply address of a notification: the support address
plus-addressed with a token, ``support+t<number>.<user id>.<mac>@domain``, where the mac
is an HMAC over the ticket number and the recipient's id, keyed from the secret key for
this purpose alone. Only the person the notification went to holds that address, so a
mail is accepted for a ticket only when its token verifies and names its sender. The
token does not expire; changing the secret key invalidates every reply address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from portal import settings

MAC_LENGTH = 20  # hex digits: 80 bits, guessed only by sending mail
_PURPOSE = b"madoguchi/mail-reply-address/v1"
# Mail systems may change the case of an address: match and compare case-insensitively.
_TOKEN = re.compile(rf"\+t(\d{{1,12}})\.(\d{{1,12}})\.([0-9a-f]{{{MAC_LENGTH}}})@", re.IGNORECASE)
# Where a receiving system leaves the address a mail was sent to.
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To",
                     "X-Envelope-To")


@dataclass(frozen=True)
class ReplyToken:
    number: int  # the ticket's number
    user_id: int  # the recipient of the notification


def _key() -> bytes:
    """A key for reply addresses only, derived from the secret key."""
    secret = (settings.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def _mac(number: int, user_id: int) -> str:
    return hmac.new(_key(), f"{number}.{user_id}".encode(), hashlib.sha256).hexdigest()[
        :MAC_LENGTH]


def reply_address(number: int, user_id: int) -> str:
    """The address at which user ``user_id`` answers ticket ``number`` by mail."""
    local, _, domain = (settings.get("MAIL_FROM") or "support@localhost").rpartition("@")
    local = local.partition("+")[0] or "support"
    return f"{local}+t{number}.{user_id}.{_mac(number, user_id)}@{domain or 'localhost'}"


def found_in(text: str) -> tuple[list[ReplyToken], int]:
    """The tokens in ``text`` whose mac verifies, and how many did not verify."""
    good, bad = [], 0
    for number, user_id, mac in _TOKEN.findall(text or ""):
        token = ReplyToken(int(number), int(user_id))
        if hmac.compare_digest(mac.lower(), _mac(token.number, token.user_id)):
            good.append(token)
        else:
            bad += 1
    return good, bad
