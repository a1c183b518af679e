"""Serving with gunicorn: ``portal serve`` and the ``python app.py`` quick start."""

from __future__ import annotations

import gc
import os
import signal
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


def _every(seconds: int, job, name: str, log, owner: str, grace: int) -> None:
    """Run ``job`` every ``seconds`` under the lease ``name``, whichever server holds it."""
    lease = seconds + grace

    def loop() -> None:
        while True:
            try:
                jobs.run_once(name, owner, lease, job)
            except Exception:  # keep going; the next round retries
                log.exception("%s failed", name)
            finally:
                if not db.is_closed():
                    db.close()
            time.sleep(seconds)

    threading.Thread(target=loop, name=f"portal-{name}", daemon=True).start()


def background_jobs(app) -> list[tuple[str, int, object]]:
    """(lease name, interval in seconds, job) for every job ``portal serve`` runs."""
    from portal import clock
    from portal.kb import searchlog
    from portal.mail import imap, sender
    from portal.tickets import lifecycle, sla_clock

    def tick() -> None:
        lifecycle.tick()
        sla_clock.tick()
        searchlog.purge(clock.now())

    def mail() -> None:
        with app.app_context():
            sender.send_due()

    def mailbox() -> None:
        with app.app_context():
            imap.poll_once()

    every_mail = app.config.get("MAIL_WORKER_SECONDS", 10)
    return [
        ("tick", app.config.get("TICK_SECONDS", 60), tick),
        ("mail-sender", every_mail, mail),
        ("imap-poller", every_mail, mailbox),
        ("statistics", 3600, refresh_statistics),
    ]


def _background(app):
    """Hooks that give the background jobs a process of their own beside the workers.

    The gunicorn master itself never opens the database: a SQLite connection (or a lock
    it holds) in the master at the moment it forks a worker would live on in the worker
    as a lock nobody releases, and every write there would wait for it until "database
    is locked". So once the master is ready it forks one job process, which runs each job
    in a thread under its lease, hands its leases back when the server stops, and ends
    when the master is gone.
    """
    owner = jobs.new_owner()
    child: dict[str, int] = {}

    def when_ready(server) -> None:
        server.log.info("background jobs run as %s", owner)
        pid = os.fork()
        if pid:
            child["pid"] = pid
            return
        _job_process(app, owner, server.log)

    def on_exit(server) -> None:
        if "pid" in child:
            try:
                os.kill(child["pid"], signal.SIGTERM)
                os.waitpid(child["pid"], 0)
            except (ProcessLookupError, ChildProcessError):
                pass

    return when_ready, on_exit


def _job_process(app, owner: str, log) -> None:
    """The job process: never returns (it leaves with ``os._exit``)."""
    master = os.getppid()
    for number in (signal.SIGHUP, signal.SIGQUIT, signal.SIGINT, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGWINCH, signal.SIGTTIN, signal.SIGTTOU,
                   signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)  # the master's handlers are not ours
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        grace = app.config.get("LEASE_GRACE_SECONDS", jobs.GRACE_SECONDS)
        for name, seconds, job in background_jobs(app):
            _every(seconds, job, name, log, owner, grace)
        while not stop.wait(1) and os.getppid() == master:
            pass
        for name, _, _ in background_jobs(app):
            jobs.release(name, owner)
    except Exception:  # the database may be what is going away
        log.exception("background jobs stopped")
    finally:
        os._exit(0)


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
    # Each worker opens its own connections (the master holds none; see _background).
    if not db.is_closed():
        db.close()


def serve(app, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
          threads: int = 8) -> None:
    """Run ``workers`` processes of ``threads`` threads each until interrupted."""
    if not db.is_closed():
        db.close()
    freeze_startup_objects()
    when_ready, on_exit = _background(app)
    _Gunicorn(app, {**gunicorn_options(host, port, workers, threads),
                    "post_fork": _post_fork, "when_ready": when_ready, "on_exit": on_exit,
                    }).run()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict:
    """The server settings of ``portal serve``; ``bench/pages.py`` serves its bare-Flask
    ceiling with the same ones."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # gunicorn would believe X-Forwarded-Proto from loopback by itself; forwarded
        # headers are believed only as PORTAL_TRUSTED_PROXIES says (portal/security.py).
        "secure_scheme_headers": {},
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "madoguchi",
    }


def serve_plain(app, host: str, port: int, workers: int = 2, threads: int = 8) -> None:
    """Serve any WSGI ``app`` with ``portal serve``'s settings, without background jobs."""
    _Gunicorn(app, gunicorn_options(host, port, workers, threads)).run()


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
