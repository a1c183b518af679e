"""Bilingual demo data: plans, organizations, people of every role, products, articles.

Loading is idempotent: what exists is left as it is, what is missing is added, and the
articles are re-imported by slug.
"""

from __future__ import annotations

from pathlib import Path

from portal.accounts import services as accounts
from portal.accounts.models import Environment, Organization, Product, User
from portal.db import transaction

ARTICLES = Path(__file__).parent / "articles"
PASSWORD = "demo-pass-2026"  # noqa: S105 -- published on purpose: demo sign-ins

ORGANIZATIONS = [
    ("株式会社アクメ", "acme", "premium", False, ["本番環境 (prod-tokyo)", "検証環境 (staging)"]),
    ("さくら商事株式会社", "sakura", "advanced", False, ["基幹システム", "EC サイト"]),
    ("Nimbus Labs", "nimbus", "basic", True, ["production", "sandbox"]),
]

# email, name, role, org, org role, locale
USERS = [
    ("admin@madoguchi.example", "管理 太郎", "admin", None, None, "ja"),
    ("agent@madoguchi.example", "佐藤 花子", "agent", None, None, "ja"),
    ("alex@madoguchi.example", "Alex Morgan", "agent", None, None, "en"),
    ("yamada@acme.example", "山田 一郎", "customer", "acme", "org_admin", "ja"),
    ("suzuki@acme.example", "鈴木 次郎", "customer", "acme", "contact", "ja"),
    ("ito@acme.example", "伊藤 美咲", "customer", "acme", "member", "ja"),
    ("tanaka@sakura.example", "田中 健", "customer", "sakura", "org_admin", "ja"),
    ("kato@sakura.example", "加藤 優子", "customer", "sakura", "contact", "ja"),
    ("emma@nimbus.example", "Emma Clarke", "customer", "nimbus", "contact", "en"),
]

PRODUCTS = [
    ("storage", "Cloud Storage", "クラウドストレージ", "3.2, 3.1, 3.0"),
    ("mail", "Mail Delivery", "メール配信", "2.8, 2.7"),
    ("api", "API Gateway", "API ゲートウェイ", "v2, v1"),
    ("identity", "Identity & SSO", "ID 管理・SSO", ""),
    ("billing", "Billing", "請求管理", ""),
]


# slug, Japanese name, English name: one category per topic, whatever the article's language.
CATEGORIES = [
    ("account", "アカウント", "Account"),
    ("billing", "請求・お支払い", "Billing"),
    ("contract", "契約", "Contract"),
    ("security", "セキュリティ", "Security"),
    ("service-status", "障害情報", "Service status"),
    ("storage", "ストレージ", "Storage"),
    ("support", "サポート", "Support"),
    ("api", "API", "API"),
    ("news", "お知らせ", "News"),
]


def loaded() -> bool:
    """True once the demo's people exist."""
    return User.select().where(User.email == USERS[0][0]).exists()


def load() -> None:
    """Add whatever part of the demo is missing."""
    from portal.kb import services as kb
    from portal.kb import transfer

    with transaction():
        for code, name_en, name_ja, versions in PRODUCTS:
            Product.get_or_create(code=code, defaults={
                "name_en": name_en, "name_ja": name_ja, "versions": versions})
        for name, slug, plan, trial, environments in ORGANIZATIONS:
            org = Organization.get_or_none(Organization.slug == slug)
            if org is None:
                org = accounts.create_org(name, slug, plan, trial)
            for env in environments:
                Environment.get_or_create(organization=org, name=env)
        for email, name, role, org, org_role, locale in USERS:
            if not User.select().where(User.email == email).exists():
                accounts.create_user(email, name, role, PASSWORD, org=org, org_role=org_role,
                                     locale=locale)
    for slug, name_ja, name_en in CATEGORIES:
        kb.ensure_category(slug, name_ja, name_en)
    transfer.import_dir(ARTICLES)
    _load_tickets()


DEMO_TICKETS = [
    # requester, type, severity, subject, description, then (author, text, status) steps
    ("suzuki@acme.example", "incident", "2", "本番環境で API が断続的にタイムアウトする",
     "昨日の 14 時ごろから `/v1/orders` へのリクエストが 30 秒でタイムアウトします。\n\n"
     "```\ncurl: (28) Operation timed out after 30001 milliseconds\n```",
     [("agent@madoguchi.example", "確認します。失敗したリクエストの ID を教えてください。",
       "waiting_on_customer"),
      ("suzuki@acme.example", "`req-7f3a` と `req-80c1` です。", "")]),
    ("kato@sakura.example", "question", "3", "CSV エクスポートの文字コードを変えたい",
     "利用状況の CSV を Shift_JIS で出力できますか。", []),
    ("tanaka@sakura.example", "billing", "4", "請求書の宛名を変更したい",
     "来月分から宛名を「さくら商事株式会社 経理部」にしてください。",
     [("agent@madoguchi.example", "変更しました。来月分から反映されます。", "resolved")]),
    ("emma@nimbus.example", "question", "3", "How do I invite a colleague?",
     "We are on the trial and want to add a second engineer.",
     [("alex@madoguchi.example", "Organization admins can invite colleagues from "
       "Organization → Members. See [Inviting colleagues](/kb/invite-colleagues).", "")]),
]


def _load_tickets() -> None:
    from portal.tickets import filing, lifecycle
    from portal.tickets.models import Ticket

    if Ticket.select().exists():
        return
    people = {u.email: u for u in User.select()}
    for email, type_code, severity, subject, description, steps in DEMO_TICKETS:
        data = filing.TicketInput(type=type_code, severity=severity, subject=subject,
                                   description=description)
        if type_code == "incident":
            data.occurred_at, data.incident_state, data.product = (
                "2026-11-20T14:00", "intermittent", "api")
        ticket = filing.file_ticket(people[email], data)
        for author, text, status in steps:
            if people[author].is_staff and ticket.assignee_id is None:
                ticket = lifecycle.assign(people[author], ticket, author)
            lifecycle.post_message(people[author], ticket, text, status=status)
    # The demo's people live at example domains: their notifications are never sent.
    from portal import clock
    from portal.mail.models import Outbox

    Outbox.update(sent_at=clock.now(), last_error="demo data: not sent").where(
        Outbox.sent_at.is_null()).execute()


def sign_in_table() -> str:
    """The demo sign-ins, for the terminal."""
    width = max(len(u[0]) for u in USERS)
    lines = [f"Demo sign-ins (password for all: {PASSWORD})"]
    for email, name, role, org, org_role, _ in USERS:
        what = role if not org else f"{org_role} of {org}"
        lines.append(f"  {email.ljust(width)}  {what:<20} {name}")
    return "\n".join(lines)
