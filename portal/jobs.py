"""Leases for background work: any number of app servers, each job run by one at a time.

A job (the tick, the mail sender, the mailbox poller, the statistics refresh) has one row
in ``job_lease``: who holds it and until when. A server takes the lease with one
conditional ``UPDATE`` — it succeeds only when the lease is free, expired, or already
its own — and keeps it by taking it again before every run, each time until
``now + interval + grace``. A server that dies (even ``kill -9``) simply stops renewing:
its lease expires and the next server to try takes the job over, within one lease
period. Servers must keep their clocks in step (NTP), as the SLA clocks already require.
The jobs themselves are also safe to overlap (each mail row and each ticket is claimed
on its own), so a lease that ran out in the middle of a long run repeats no work.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import CharField, DateTimeField, TextField

from portal import clock
from portal.db import BaseModel, db, transaction

GRACE_SECONDS = 30  # how long past its next run a silent holder keeps its lease


class JobLease(BaseModel):
    name = CharField(primary_key=True)
    owner = CharField(default="")
    expires_at = DateTimeField()
    last_started_at = DateTimeField(null=True)
    last_finished_at = DateTimeField(null=True)
    last_error = TextField(default="")


def new_owner() -> str:
    """A name for this process that no other process, here or elsewhere, shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def acquire(name: str, owner: str, seconds: float, now: datetime | None = None) -> bool:
    """Take or renew the lease on ``name`` for ``seconds``; False when another holds it."""
    now = now or clock.now()
    until = now + timedelta(seconds=seconds)
    with transaction():
        JobLease.insert(name=name, owner="", expires_at=now).on_conflict_ignore().execute()
        taken = JobLease.update(owner=owner, expires_at=until, last_started_at=now).where(
            (JobLease.name == name)
            & ((JobLease.owner == owner) | (JobLease.expires_at <= now))).execute()
    return taken == 1


def finished(name: str, owner: str, error: str = "", now: datetime | None = None) -> None:
    """Record the end of a run by the holder (its error, or none)."""
    with transaction():
        JobLease.update(last_finished_at=now or clock.now(), last_error=error[:500]).where(
            (JobLease.name == name) & (JobLease.owner == owner)).execute()


def release(name: str, owner: str) -> None:
    """Give the lease up at once (a server that stops cleanly)."""
    with transaction():
        JobLease.update(expires_at=clock.now()).where(
            (JobLease.name == name) & (JobLease.owner == owner)).execute()


def run_once(name: str, owner: str, seconds: float, job) -> bool:
    """Run ``job()`` if this owner holds (or can take) the lease; True when it ran."""
    if not acquire(name, owner, seconds):
        return False
    try:
        job()
    except Exception as err:
        finished(name, owner, f"{type(err).__name__}: {err}")
        raise
    finished(name, owner)
    return True


@dataclass
class LeaseState:
    name: str
    owner: str
    expires_at: datetime
    held: bool
    last_finished_at: datetime | None
    last_error: str


def states(now: datetime | None = None) -> list[LeaseState]:
    """Every job's lease as it stands (for ``/healthz``)."""
    now = now or clock.now()
    db.connect(reuse_if_open=True)
    return [LeaseState(row.name, row.owner, row.expires_at, row.expires_at > now,
                       row.last_finished_at, row.last_error)
            for row in JobLease.select().order_by(JobLease.name)]
