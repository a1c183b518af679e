"""CSV export: streamed, UTF-8 with a BOM, formulas made inert."""

import csv
import io

import pytest

from portal.staff.export import escape_cell
from tests import factories


@pytest.mark.parametrize("raw, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"),
    ("plain", "plain"), ("ログインできない", "ログインできない"), ("", ""), (None, ""), (3, "3"),
])
def test_escape_cell(raw, safe):
    assert escape_cell(raw) == safe


def test_export_streams_the_filtered_queue(agent_client, desk):
    t, _, _ = desk
    factories.ticket(t["new"].requester, "=cmd|' /C calc'!A0")
    response = agent_client.get("/staff/export.csv?view=open&org=acme")
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["number", "subject", "status"]
    subjects = {r[1] for r in rows[1:]}
    assert subjects == {"Fresh and unassigned", "Mine, we answered", "Escalated by Alice",
                        "'=cmd|' /C calc'!A0"}
    assert all(r[6] == "Org acme" and r[7] == "Premium" for r in rows[1:])
