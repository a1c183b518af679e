"""Serving with gunicorn: ``portal serve`` and the ``python app.py`` quick start."""

from __future__ import annotations

import gc
import threading
import time

from gunicorn.app.base import BaseApplication

from portal import jobs
from portal.db import db, refresh_statistics


class _Gunicorn(BaseApplication):
    """Gunicorn running an app object we already built (no import strings)."""

    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def _every(seconds: int, job, name: str, server, owner: str, grace: int) -> None:
    """Run ``job`` every ``seconds`` under the lease ``name``, whichever server holds it."""
    lease = seconds + grace

    def loop() -> None:
        while True:
            try:
                jobs.run_once(name, owner, lease, job)
            except Exception:  # keep going; the next round retries
                server.log.exception("%s failed", name)
            finally:
                if not db.is_closed():
                    db.close()
            time.sleep(seconds)

    threading.Thread(target=loop, name=f"portal-{name}", daemon=True).start()


def background_jobs(app) -> list[tuple[str, int, object]]:
    """(lease name, interval in seconds, job) for every job ``portal serve`` runs."""
    from portal.mail import imap, sender
    from portal.tickets import lifecycle

    def mail() -> None:
        with app.app_context():
            sender.send_due()

    def mailbox() -> None:
        with app.app_context():
            imap.poll_once()

    every_mail = app.config.get("MAIL_WORKER_SECONDS", 10)
    return [
        ("tick", app.config.get("TICK_SECONDS", 60), lifecycle.tick),
        ("mail-sender", every_mail, mail),
        ("imap-poller", every_mail, mailbox),
        ("statistics", 3600, refresh_statistics),
    ]


def _background(app):
    """The gunicorn master runs each job in a thread of its own, under its lease."""

    def when_ready(server) -> None:
        owner = jobs.new_owner()
        server.log.info("background jobs run as %s", owner)
        for name, seconds, job in background_jobs(app):
            _every(seconds, job, name, server, owner,
                   app.config.get("LEASE_GRACE_SECONDS", jobs.GRACE_SECONDS))

    return when_ready


def freeze_startup_objects() -> None:
    """Take everything built at start (modules, the app, its caches) out of the collector's
    sight.

    A full garbage collection walks every tracked object. With the app loaded that is
    about 50,000 objects and 15–25 ms on a 2-core VM, a pause that lands inside whichever
    request triggers it (it made the 300-message ticket page miss its p95 budget in some
    runs). Frozen before the fork, the workers also keep sharing those memory pages
    instead of copying them when the collector would have touched them.
    """
    gc.collect()
    gc.freeze()


def _post_fork(server, worker) -> None:
    # A SQLite connection must never cross a fork: each worker opens its own.
    if not db.is_closed():
        db.close()


def serve(app, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
          threads: int = 8) -> None:
    """Run ``workers`` processes of ``threads`` threads each until interrupted."""
    if not db.is_closed():
        db.close()
    freeze_startup_objects()
    _Gunicorn(app, {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "post_fork": _post_fork,
        "when_ready": _background(app),
        "proc_name": "madoguchi",
    }).run()


def quickstart(app) -> None:
    """Prepare the database, load the demo on first run, print sign-ins, serve on :5000."""
    from portal import bootstrap, demo

    with app.app_context():
        bootstrap.prepare()
        if not demo.loaded():
            demo.load()
        print(demo.sign_in_table())
    print("Madoguchi is running at http://127.0.0.1:5000  (Ctrl+C stops it)", flush=True)
    serve(app, "127.0.0.1", 5000, workers=2, threads=8)
