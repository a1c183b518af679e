"""Two `portal serve` on one database take replies side by side and lose none."""

import sys
from pathlib import Path

from portal.db import db
from tests.conftest import ON_POSTGRES, postgres

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import concurrent_replies  # noqa: E402


def test_two_servers_store_every_reply_sent_to_either():
    database = postgres.empty() if ON_POSTGRES else ""  # SQLite: one file, two servers
    try:
        result = concurrent_replies.run(threads=4, replies=25, workers=1, servers=2,
                                        database=database)
    finally:
        if not db.is_closed():
            db.close()
    assert result["errors"] == []
    assert result["stored"] == result["expected"] == 100
