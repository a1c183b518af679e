"""A reproducible bilingual corpus of support articles for the search benchmarks.

Articles are built from pools of realistic support phrases with a fixed random seed,
so every run indexes the same text. About half are Japanese, half English.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

PRODUCTS = ["クラウドストレージ", "メール配信", "請求管理", "ID管理", "データベース", "監視サービス",
            "バックアップ", "ファイル共有", "仮想マシン", "CDN", "DNS", "VPN", "ロードバランサー",
            "チャット", "API ゲートウェイ", "分析基盤", "ワークフロー", "モバイルアプリ"]
PRODUCTS_EN = ["Cloud Storage", "Mail Delivery", "Billing", "Identity", "Database",
               "Monitoring", "Backup", "File Sharing", "Virtual Machines", "CDN", "DNS", "VPN",
               "Load Balancer", "Chat", "API Gateway", "Analytics", "Workflow", "Mobile App"]
JA_TOPICS = ["ログインできない", "パスワードを忘れた", "請求書が届かない", "支払い方法を変更したい",
             "二段階認証を設定する", "SSO を設定する", "APIがタイムアウトする", "接続が切れる",
             "アップロードに失敗する", "容量が不足している", "障害が発生している", "通知メールが届かない",
             "ユーザーを追加する", "権限を変更する", "契約をキャンセルする", "プランを変更する",
             "ログを確認する", "証明書を更新する", "ドメインを設定する", "データを移行する",
             "バックアップから復元する", "応答が遅い", "エラー 500 が表示される", "画面が表示されない",
             "CSV をダウンロードする", "領収書を発行する", "アカウントを削除する", "IP 制限を設定する",
             "メンテナンスの予定を確認する", "料金を確認する", "利用状況を確認する", "解約の手続き"]
EN_TOPICS = ["cannot sign in", "reset a forgotten password", "invoice did not arrive",
             "change the payment method", "set up two-factor authentication",
             "configure SSO with SAML", "API requests time out", "connection drops",
             "upload fails", "storage quota exceeded", "service outage", "notification email missing",
             "add a user", "change permissions", "cancel the subscription", "change the plan",
             "view the audit log", "renew the certificate", "configure a custom domain",
             "migrate data", "restore from backup", "slow responses", "error 500 is shown",
             "page does not load", "download usage as CSV", "issue a receipt", "delete the account",
             "restrict access by IP address", "check scheduled maintenance", "check pricing",
             "check usage", "close the account"]
JA_SENTENCES = ["管理画面の右上にある設定メニューを開いてください。", "この操作には管理者権限が必要です。",
                "ブラウザのキャッシュを削除してから再度お試しください。", "しばらく時間をおいてから再実行してください。",
                "設定の反映には最大で十五分ほどかかります。", "詳しくはサポートまでお問い合わせください。",
                "エラーメッセージの全文を控えておくと調査が早くなります。", "影響範囲は一部のお客様に限られています。",
                "復旧の見込みが立ち次第お知らせします。", "請求書は毎月一日に発行されます。",
                "ネットワークの設定を確認してください。", "タイムアウトの値は設定画面から変更できます。",
                "利用規約の変更点をご確認ください。", "ログイン履歴は監査ログから確認できます。",
                "二段階認証のコードは三十秒ごとに更新されます。", "接続元の IP アドレスを許可リストに追加してください。",
                "大量のデータを移行する場合は夜間の実行をおすすめします。", "対象の環境とおおよその発生時刻をお知らせください。",
                "既知の不具合として調査を進めています。", "回避策として手動での再送をお願いします。",
                "契約内容は請求管理の画面から確認できます。", "証明書の有効期限の三十日前に通知が届きます。",
                "障害の状況はステータスページで随時更新しています。", "アップロードできるファイルの上限は二十メガバイトです。"]
EN_SENTENCES = ["Open the settings menu in the top right corner of the console.",
                "This action requires administrator rights.",
                "Clear the browser cache and try again.", "Wait a few minutes and retry the request.",
                "Changes can take up to fifteen minutes to apply.",
                "Contact support with the full error message if the problem persists.",
                "Only some customers in one region are affected.",
                "We will post an update as soon as we know more.",
                "Invoices are issued on the first day of each month.",
                "Check the network and firewall configuration.",
                "The timeout can be changed on the settings page.",
                "Sign-in history is available in the audit log.",
                "Two-factor codes change every thirty seconds.",
                "Add the source IP address to the allow list.",
                "Large migrations are best run outside business hours.",
                "Tell us the affected environment and roughly when it started.",
                "This is a known issue and our engineers are investigating.",
                "As a workaround, resend the request manually.",
                "Your contract details are shown on the billing page.",
                "You are notified thirty days before a certificate expires.",
                "The status page is updated throughout an incident.",
                "Files up to twenty megabytes can be uploaded."]
KINDS = ["faq", "faq", "howto", "known_issue"]


def articles(count: int, seed: int = 20261121) -> Iterator[dict]:
    """``count`` articles as dicts of title, body, kind, language, category."""
    rng = random.Random(seed)
    for i in range(count):
        product = rng.randrange(len(PRODUCTS))
        if i % 2 == 0:
            topic = rng.choice(JA_TOPICS)
            title = f"{PRODUCTS[product]}で{topic}場合"
            body = "".join(rng.choice(JA_SENTENCES) for _ in range(rng.randint(4, 10)))
            lang, category = "ja", PRODUCTS[product]
        else:
            topic = rng.choice(EN_TOPICS)
            title = f"{PRODUCTS_EN[product]}: {topic}"
            body = " ".join(rng.choice(EN_SENTENCES) for _ in range(rng.randint(4, 10)))
            lang, category = "en", PRODUCTS_EN[product]
        yield {"title": f"{title} ({i})" if rng.random() < 0.3 else title, "body": body,
               "kind": rng.choice(KINDS), "language": lang, "category": category}
