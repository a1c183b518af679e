"""The ``portal`` command group. Each command parses its options and calls a service."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext

from portal.errors import ServiceError
from portal.sla.cli import calendar_group, sla_group


def _fail(err: ServiceError) -> None:
    raise click.ClickException(err.text())


class TemporaryFailure(click.ClickException):
    """Try again later: exit status 75 (EX_TEMPFAIL), which an MTA pipe takes as "defer"."""

    exit_code = 75


def _database_error(err: Exception) -> str:
    """``database <url without password>: <first line of the driver's message>``."""
    from portal import settings
    from portal.db import safe_url

    target = safe_url(str(settings.get("DATABASE", "")))
    reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return f"database {target}: {reason}"


def _one_line(err: Exception) -> str:
    from peewee import InterfaceError, OperationalError

    if isinstance(err, ServiceError):
        return err.text()
    if isinstance(err, (OperationalError, InterfaceError)):
        return _database_error(err)
    if isinstance(err, OSError) and err.strerror:
        return f"{err.strerror}: {err.filename}" if err.filename else err.strerror
    first = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


def _guard(command: click.Command) -> None:
    """Make ``command`` answer every error with one line on stderr and exit status 1.

    Click already does so for its own usage errors; this covers the rest (a refused
    service call, a missing folder, a database that does not answer), so an operator
    never reads a traceback. Applied once per command object (commands are shared by
    every app built in a process).
    """
    if getattr(command, "_one_line_errors", False):
        return
    invoke = command.invoke

    def guarded(ctx: click.Context):
        try:
            return invoke(ctx)
        except (click.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception as err:
            raise click.ClickException(_one_line(err)) from err

    command.invoke = guarded
    command._one_line_errors = True


@click.command("init")
def init_command() -> None:
    """Create or upgrade the database schema (harmless to re-run)."""
    from portal import bootstrap, migrations

    applied = bootstrap.prepare()
    for name in applied:
        click.echo(f"applied {name}")
    click.echo(f"database at schema version {migrations.current_version()}")


@click.command("demo")
def demo_command() -> None:
    """Load the bilingual demo data (safe to run again)."""
    from portal import bootstrap, demo

    bootstrap.prepare()
    demo.load()
    click.echo(demo.sign_in_table())


@click.command("create-org")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--plan", required=True, help="plan code: basic, advanced, premium, …")
@click.option("--trial", is_flag=True, help="the organization is on a trial")
def create_org_command(name: str, slug: str, plan: str, trial: bool) -> None:
    """Create a customer organization."""
    from portal import bootstrap
    from portal.accounts import services

    bootstrap.prepare()
    try:
        org = services.create_org(name, slug, plan, trial)
    except ServiceError as err:
        _fail(err)
    click.echo(f"created organization {org.slug}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="customer, agent or admin")
@click.option("--org", default=None, help="organization slug (customers)")
@click.option("--org-role", default=None, help="org_admin, contact (default) or member")
@click.option("--locale", default=None, help="ja or en")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email, name, role, org, org_role, locale, password) -> None:
    """Create a user (a customer needs --org)."""
    from portal import bootstrap
    from portal.accounts import services

    bootstrap.prepare()
    try:
        user = services.create_user(email, name, role, password, org=org, org_role=org_role,
                                    locale=locale)
    except ServiceError as err:
        _fail(err)
    click.echo(f"created {user.role} {user.email}")


def _set_active(email: str, active: bool) -> None:
    from portal import bootstrap
    from portal.accounts import services

    bootstrap.prepare()
    try:
        user = services.set_user_active(email, active)
    except ServiceError as err:
        _fail(err)
    click.echo(f"{'activated' if active else 'deactivated'} {user.email}")


@click.command("deactivate-user")
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Stop a user from signing in (their sessions end at once)."""
    _set_active(email, False)


@click.command("activate-user")
@click.argument("email")
def activate_user_command(email: str) -> None:
    """Let a deactivated user sign in again."""
    _set_active(email, True)


@click.command("deactivate-org")
@click.argument("slug")
def deactivate_org_command(slug: str) -> None:
    """Stop everyone of an organization from signing in and filing."""
    from portal import bootstrap
    from portal.accounts import services

    bootstrap.prepare()
    try:
        org = services.deactivate_org(slug)
    except ServiceError as err:
        _fail(err)
    click.echo(f"deactivated organization {org.slug}")


@click.command("invite")
@click.option("--org", "org_slug", required=True, help="organization slug")
@click.option("--email", required=True)
@click.option("--org-role", default="contact", show_default=True,
              help="org_admin, contact or member")
def invite_command(org_slug: str, email: str, org_role: str) -> None:
    """Invite someone to an organization: mailed, or the link printed without SMTP."""
    from portal import bootstrap, settings
    from portal.accounts import directory, invitations

    bootstrap.prepare()
    smtp = bool(settings.get("SMTP_HOST"))
    try:
        invitation, token = invitations.invite(None, directory.org_by_slug(org_slug), email,
                                               org_role, mail=smtp)
    except ServiceError as err:
        _fail(err)
    if smtp:
        click.echo(f"invitation to {invitation.email} queued for mail")
    else:
        click.echo(f"SMTP is not configured; send this link to {invitation.email} "
                   f"(valid {invitations.VALID_DAYS} days, once):")
        click.echo(invitations.invite_link(token))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 128))
@with_appcontext
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the portal with gunicorn (production server)."""
    from flask import current_app

    from portal import bootstrap
    from portal.serve import serve

    bootstrap.prepare()
    serve(current_app._get_current_object(), host, port, workers, threads)


@click.command("tick")
def tick_command() -> None:
    """Resolve tickets left waiting on the customer, close long-resolved ones, warn about
    SLA targets at risk or breached, and forget searches past their keeping (cron)."""
    from portal import bootstrap, clock
    from portal.kb import searchlog
    from portal.tickets import lifecycle, sla_clock

    bootstrap.prepare()
    resolved, closed = lifecycle.tick()
    at_risk, breached = sla_clock.tick()
    purged = searchlog.purge(clock.now())
    click.echo(f"resolved {resolved}, closed {closed}, at risk {at_risk}, breached {breached}"
               f", searches purged {purged}")


@click.command("mail-worker")
@click.option("--once", is_flag=True, help="send what is due, then exit")
@with_appcontext
def mail_worker_command(once: bool) -> None:
    """Send the outbox over SMTP (and poll IMAP when configured), every few seconds."""
    import time

    from flask import current_app

    from portal import bootstrap
    from portal.mail import imap, sender

    bootstrap.prepare()
    while True:
        sent, failed = sender.send_due()
        received = len(imap.poll_once()) if current_app.config["IMAP_HOST"] else 0
        if once:
            click.echo(f"sent {sent}, failed {failed}, received {received}")
            return
        time.sleep(current_app.config["MAIL_WORKER_SECONDS"])


@click.command("mail-ingest")
def mail_ingest_command() -> None:
    """Read one RFC 822 message on standard input (for an MTA pipe) and handle it.

    Exit status 75 when it could not be handled for now (e.g. the database is down), so
    the MTA defers the mail and delivers it again later; a refused mail exits 0 (it is
    logged, and bouncing it would answer whoever was forged).
    """
    from portal import bootstrap
    from portal.mail import inbound

    raw = sys.stdin.buffer.read()
    if not raw.strip():
        raise click.ClickException("no message on standard input")
    try:
        bootstrap.prepare()
        outcome = inbound.ingest(raw)
    except Exception as err:  # the mail is not lost: the MTA keeps it and tries again
        raise TemporaryFailure(_one_line(err)) from err
    click.echo(f"{outcome.outcome}: {outcome.detail}".rstrip(": "))


@click.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the articles."""
    from portal import bootstrap
    from portal.kb import services

    bootstrap.prepare()
    click.echo(f"indexed {services.reindex()} published articles")


@click.command("import-articles")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_articles_command(folder: Path) -> None:
    """Import Markdown articles with a front-matter header; re-importing updates by slug."""
    from portal import bootstrap
    from portal.kb import transfer

    bootstrap.prepare()
    report = transfer.import_dir(folder)
    for name, line, why in report.refused:
        click.echo(f"{name}:{line}: refused: {why}", err=True)
    click.echo(f"created {len(report.created)}, updated {len(report.updated)}, "
               f"refused {len(report.refused)}")
    if report.refused:
        sys.exit(1)


@click.command("export-articles")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_articles_command(folder: Path) -> None:
    """Write every article as a Markdown file in the import format."""
    from portal import bootstrap
    from portal.kb import transfer

    bootstrap.prepare()
    click.echo(f"exported {transfer.export_dir(folder)} articles to {folder}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH, safe while the portal runs."""
    from portal import backup

    try:
        size = backup.backup_to(path)
    except ServiceError as err:
        _fail(err)
    click.echo(f"backup written to {path} ({size:,} bytes)")


@click.command("migrate-data")
@click.option("--from", "source", required=True, help="database URL or SQLite file to copy")
@click.option("--to", "target", required=True, help="an empty database URL or SQLite file")
def migrate_data_command(source: str, target: str) -> None:
    """Copy a whole portal into an empty database (e.g. SQLite to PostgreSQL), verified."""
    from portal.datamove import DataMoveError, migrate_data

    try:
        migrate_data(source, target, report=click.echo)
    except DataMoveError as err:
        raise click.ClickException(str(err)) from None
    click.echo("copied and verified")


COMMANDS = [
    init_command, demo_command, create_org_command, create_user_command,
    deactivate_user_command, activate_user_command, deactivate_org_command, invite_command,
    serve_command,
    tick_command, mail_worker_command, mail_ingest_command, reindex_command,
    import_articles_command, export_articles_command, backup_command, migrate_data_command,
    calendar_group, sla_group,
]


def register(app) -> None:
    """Add the commands; every command of the group, whichever area added it, answers
    errors in one line."""
    for command in COMMANDS:
        app.cli.add_command(command)
    for command in app.cli.commands.values():
        _guard(command)


def _create_app():
    from portal import create_app

    return create_app()


class _PortalGroup(FlaskGroup):
    """The command group; a database that cannot be reached is one line, exit 1."""

    def invoke(self, ctx):
        from peewee import InterfaceError, OperationalError

        try:
            return super().invoke(ctx)
        except (OperationalError, InterfaceError) as err:
            raise click.ClickException(_database_error(err)) from None


main = _PortalGroup(name="portal", create_app=_create_app, add_default_commands=False,
                    load_dotenv=False, set_debug_flag=False,
                    help="Madoguchi support portal: set-up and operations.")
