"""One category per topic with a name in each language, and its article counts.

Until now an article's category was free text, so one topic became one category per
language (アカウント and Account). This step makes a ``category`` row per topic, pairs
the names the demo shipped in both languages, gives every other name its own row
(in the slot of the language its articles are written in; staff pair them later in
the editor), points each article at its row and counts the published articles per
language, which the knowledge-base index shows without counting.
"""

STATEMENTS = [
    """CREATE TABLE category (
        id INTEGER PRIMARY KEY,
        slug TEXT UNIQUE,
        name_ja TEXT NOT NULL DEFAULT '',
        name_en TEXT NOT NULL DEFAULT '',
        count_ja INTEGER NOT NULL DEFAULT 0,
        count_en INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        CHECK (name_ja <> '' OR name_en <> '')
    )""",
    "CREATE INDEX category_name_ja ON category (name_ja)",
    "CREATE INDEX category_name_en ON category (name_en)",
    "ALTER TABLE article ADD COLUMN category_id INTEGER REFERENCES category (id)",
    # The topics the demo data shipped in two languages become one category each.
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'account', 'アカウント', 'Account', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('アカウント', 'Account'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'billing', '請求・お支払い', 'Billing', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('請求・お支払い', 'Billing'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'contract', '契約', 'Contract', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('契約', 'Contract'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'security', 'セキュリティ', 'Security', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('セキュリティ', 'Security'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'service-status', '障害情報', 'Service status', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('障害情報', 'Service status'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'storage', 'ストレージ', 'Storage', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('ストレージ', 'Storage'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'support', 'サポート', 'Support', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('サポート', 'Support'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'api', 'API', 'API', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('API', 'API'))""",
    """INSERT INTO category (slug, name_ja, name_en, count_ja, count_en, created_at)
        SELECT 'news', 'お知らせ', 'News', 0, 0, CURRENT_TIMESTAMP
        WHERE EXISTS (SELECT 1 FROM article WHERE category IN ('お知らせ', 'News'))""",
    # Every other name: one row, named in the language(s) its articles are written in.
    """INSERT INTO category (name_ja, name_en, count_ja, count_en, created_at)
        SELECT CASE WHEN MAX(CASE WHEN language = 'ja' THEN 1 ELSE 0 END) = 1
                    THEN category ELSE '' END,
               CASE WHEN MAX(CASE WHEN language = 'en' THEN 1 ELSE 0 END) = 1
                    THEN category ELSE '' END,
               0, 0, CURRENT_TIMESTAMP
        FROM article
        WHERE category <> '' AND category NOT IN (SELECT name_ja FROM category)
          AND category NOT IN (SELECT name_en FROM category)
        GROUP BY category""",
    """UPDATE article SET category_id = (
        SELECT MIN(c.id) FROM category c
        WHERE c.name_ja = article.category OR c.name_en = article.category)
        WHERE category <> ''""",
    """UPDATE category SET
        count_ja = (SELECT COUNT(*) FROM article a WHERE a.category_id = category.id
                    AND a.status = 'published' AND a.language = 'ja'),
        count_en = (SELECT COUNT(*) FROM article a WHERE a.category_id = category.id
                    AND a.status = 'published' AND a.language = 'en')""",
    # A category's page and its few most viewed articles, per language, from the index;
    # the most viewed and the known issues overall likewise, whatever the article count.
    "CREATE INDEX article_category_views ON article (category_id, status, language, views DESC)",
    "CREATE INDEX article_language_views ON article (status, language, views DESC)",
    "CREATE INDEX article_kind_updated ON article (status, kind, language, updated_at DESC)",
    # One number that every change readers can see raises: the public pages' cache
    # (portal/kb/pagecache.py) of every worker compares it before serving a copy. Its
    # one row is made by the first change (an empty schema holds no rows).
    """CREATE TABLE kb_revision (
        id INTEGER PRIMARY KEY,
        value INTEGER NOT NULL DEFAULT 0
    )""",
]
