"""Test data, made through the same services the product uses."""

from __future__ import annotations

import itertools

from portal.accounts import services as accounts
from portal.kb import services as kb

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def org(slug: str | None = None, plan: str = "basic", trial: bool = False):
    slug = slug or f"org{next(_serial)}"
    return accounts.create_org(f"Org {slug}", slug, plan, trial)


def user(email: str | None = None, role: str = "customer", organization=None,
         org_role: str | None = "contact", locale: str | None = None, password: str = PASSWORD):
    email = email or f"user{next(_serial)}@example.com"
    if role == "customer":
        organization = organization or org()
        return accounts.create_user(email, "Test User", role, password, org=organization.slug,
                                    org_role=org_role, locale=locale)
    return accounts.create_user(email, "Staff User", role, password, locale=locale)


def article(title: str = "Test article", body: str = "Body text.", language: str = "en",
            status: str = "published", kind: str = "faq", category: str = "General", **extra):
    data = kb.ArticleInput(title=title, body=body, language=language, status=status, kind=kind,
                           category=category, **extra)
    return kb.save_article(data)


def ticket(requester, subject: str = "Printer on fire", description: str = "Details.",
           type_code: str = "question", severity: int = 3, **extra):
    """A ticket filed through the real service by ``requester``."""
    from portal.tickets import filing

    data = filing.TicketInput(type=type_code, severity=str(severity), subject=subject,
                               description=description, **extra)
    return filing.file_ticket(requester, data)
