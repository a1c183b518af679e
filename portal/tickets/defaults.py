"""The ticket types a new portal starts with; admins may edit them afterwards."""

from __future__ import annotations

from portal.accounts.models import Plan
from portal.db import transaction
from portal.tickets.models import PlanTicketType, TicketType

INCIDENT_JA = """## 何が起きていますか
(エラーメッセージや画面の表示をそのまま)

## どの操作で起きますか
(手順を 1. 2. 3. と順に)

## 期待していた結果

## 影響の範囲
(影響を受けている利用者・拠点・件数)

## すでに試したこと
"""

INCIDENT_EN = """## What is happening
(the exact error message or what the screen shows)

## How to make it happen
(steps: 1. 2. 3.)

## What you expected instead

## Who and what is affected
(users, sites, how many)

## What you have already tried
"""

QUESTION_JA = """## 知りたいこと

## 背景・目的
(実現したいこと。わかると、より適切な方法をご案内できます)
"""

QUESTION_EN = """## Your question

## Background and goal
(what you want to achieve: it helps us suggest the best way)
"""

REQUEST_JA = """## ご依頼の内容

## 対象
(アカウント・環境・設定項目など)

## 希望する日時・期限
"""

REQUEST_EN = """## What you would like us to do

## What it applies to
(accounts, environments, settings)

## When you need it by
"""

# code, English, Japanese, kind, extra fields, templates (en, ja), plans offering it
DEFAULT_TYPES = [
    ("incident", "Incident", "障害・不具合", "incident",
     ["occurred_at", "product", "environment"], INCIDENT_EN, INCIDENT_JA,
     ["advanced", "premium"]),
    ("question", "Question", "技術的な質問", "question", ["product"], QUESTION_EN, QUESTION_JA,
     ["basic", "advanced", "premium"]),
    ("request", "Request", "設定・作業の依頼", "request", ["product", "environment"],
     REQUEST_EN, REQUEST_JA, ["advanced", "premium"]),
    ("billing", "Billing and contract", "請求・契約", "billing", [], "", "",
     ["basic", "advanced", "premium"]),
    ("account", "Account and access", "アカウント・権限", "account", [], "", "",
     ["basic", "advanced", "premium"]),
    ("callback", "Call me back", "電話での折り返し", "callback", ["phone"], "", "",
     ["premium"]),
]


def seed_default_types() -> int:
    """Create the default types on a database that has none; return how many were made."""
    with transaction():
        if TicketType.select().exists():
            return 0
        plans = {p.code: p for p in Plan.select()}
        for position, (code, en, ja, kind, asks, tmpl_en, tmpl_ja, offered) in enumerate(
                DEFAULT_TYPES, 1):
            ticket_type = TicketType.create(
                code=code, name_en=en, name_ja=ja, kind=kind, asks=asks,
                template_en=tmpl_en, template_ja=tmpl_ja, position=position)
            for plan_code in offered:
                if plan_code in plans:
                    PlanTicketType.create(plan=plans[plan_code], ticket_type=ticket_type)
    return len(DEFAULT_TYPES)
