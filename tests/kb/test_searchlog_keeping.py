"""Search-log rows are kept 90 days (configurable) and purged by `portal tick`."""

from datetime import timedelta

import pytest

from portal import clock
from portal.config import ConfigError
from portal.kb import searchlog
from portal.kb.models import SearchLog
from portal.kb.searchlog import Searched
from tests.conftest import make_app


def _log(days_ago: float, visitor: str) -> None:
    at = clock.now() - timedelta(days=days_ago)
    searchlog.write([Searched("search", visitor, "en", (), None, visitor, at)])


def test_tick_purges_rows_past_90_days(app, runner):
    _log(91, "old")
    _log(89, "recent")
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "searches purged 1" in result.output
    assert [r.query for r in SearchLog.select()] == ["recent"]


def test_the_period_is_a_setting(tmp_path):
    from portal.db import db

    make_app(tmp_path, SEARCH_LOG_DAYS=7)
    db.connect(reuse_if_open=True)
    try:
        _log(8, "old")
        _log(6, "recent")
        assert searchlog.purge(clock.now()) == 1
        assert [r.query for r in SearchLog.select()] == ["recent"]
    finally:
        db.close()


def test_the_setting_comes_from_the_environment(tmp_path, monkeypatch):
    from portal.db import db

    monkeypatch.setenv("PORTAL_SEARCH_LOG_DAYS", "30")
    app = make_app(tmp_path)
    db.close()
    assert app.config["SEARCH_LOG_DAYS"] == 30
    monkeypatch.setenv("PORTAL_SEARCH_LOG_DAYS", "0")
    with pytest.raises(ConfigError):
        make_app(tmp_path)


def test_purge_works_in_batches(app, monkeypatch):
    monkeypatch.setattr(searchlog, "PURGE_BATCH", 2)
    for i in range(5):
        _log(100, f"old{i}")
    _log(1, "new")
    assert searchlog.purge(clock.now()) == 5
    assert SearchLog.select().count() == 1


def test_the_background_tick_purges_too(app):
    from portal.serve import background_jobs

    _log(91, "old")
    tick = next(job for name, _, job in background_jobs(app) if name == "tick")
    tick()
    assert SearchLog.select().count() == 0
