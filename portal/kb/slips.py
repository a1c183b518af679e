"""Slips: a word one edit away from a word the knowledge base uses (ログイソ → ログイン,
任証 → 認証, invocie → invoice), for "Did you mean …".

The words are those of published titles (kanji and katakana stretches, Latin words, and
every two-kanji piece of a longer kanji word, so 認証 is known from 二段階認証) and
those of the synonym lists. ``kb_word`` counts the titles holding each word;
``kb_word_key`` files each word under itself and every form of it with one character
left out. Two words are one edit apart (a character changed, added, left out, or two
swapped) only if they share such a form, so the candidates for a typed word are one
indexed lookup of its own forms (len + 1 of them), checked exactly afterwards. The
tables are kept in step with the index, in the same transaction, and rebuilt with it.
"""

from __future__ import annotations

import re
from collections import Counter

from portal.db import db, execute_planned, is_postgres
from portal.kb.textforms import _CJK, _SCRIPT_CHUNKS, STOPWORDS, as_typed, fold

MAX_WORD = 20  # longer words are not keyed (and not corrected)
MAX_CANDIDATES = 60
_TOKENS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_KANJI = re.compile(r"^[\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_HIRAGANA = re.compile(r"^[\u3041-\u309f\u30fc]+$")
# Characters a reader mistakes for each other (ソ for ン, シ for ツ): a change between
# them is a likelier slip than any other (kana folded: hiragana is katakana here).
_LOOKALIKES = [set(group) for group in (
    "ソン", "シツ", "ノメ", "ワウ", "クケ", "ヌス", "ヲテ", "ロ口", "カ力", "エ工", "ニ二",
    "ト卜", "タ夕", "ハ八", "ー一", "ドト", "ブプフ", "ジシ", "ズス", "ゲケ",
    "ダタ", "ガカ", "バパハ", "ビピヒ", "ボポホ", "ベペヘ", "ヂチ", "ヅツ", "ゴコ", "ザサ",
    "ゼセ", "ゾソ", "ギキ", "グク", "デテ")]


def title_words(title: str) -> set[str]:
    """The words of a title that slips are corrected to."""
    words: set[str] = set()
    for match in _TOKENS.finditer(as_typed(title)):
        token = match.group()
        if match.lastgroup == "word":
            if len(token) >= 3 and token not in STOPWORDS and not token.isdigit():
                words.add(token)
            continue
        for chunk in _SCRIPT_CHUNKS.findall(token):
            if _HIRAGANA.match(chunk):
                continue
            word = fold(chunk)
            if len(word) >= 3 and re.match(r"^[\u30a1-\u30fa\u30fc]+$", word):
                word = word.rstrip("\u30fc")
            if len(word) >= 2:
                words.add(word)
            if _KANJI.match(word) and len(word) >= 3:
                words.update(word[i:i + 2] for i in range(len(word) - 1))
    return {w for w in words if len(w) <= MAX_WORD}


def keys(word: str) -> set[str]:
    """The word and every form of it with one character left out."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))} - {""}


def add_title(title: str) -> None:
    """Count a newly indexed title's words (inside the transaction that indexes it)."""
    for word in title_words(title):
        cursor = db.execute_sql("UPDATE kb_word SET articles = articles + 1 WHERE word = ?",
                                (word,))
        if cursor.rowcount == 0:
            db.execute_sql("INSERT INTO kb_word (word, articles) VALUES (?, 1)", (word,))
            _add_keys([word])


def remove_title(title: str) -> None:
    """Uncount a title taken out of the index. A word no title holds any more stays
    filed under its keys with a count of 0, which lookups skip."""
    for word in title_words(title):
        db.execute_sql("UPDATE kb_word SET articles = articles - 1 WHERE word = ?", (word,))


def _add_keys(words) -> None:
    rows = [(key, word) for word in words for key in keys(word)]
    if not rows:
        return
    if is_postgres():
        sql = "INSERT INTO kb_word_key (word_key, word) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    else:
        sql = "INSERT OR IGNORE INTO kb_word_key (word_key, word) VALUES (?, ?)"
    db.cursor().executemany(sql, rows)


def clear() -> None:
    """Forget every title (the index is being rebuilt from nothing)."""
    db.execute_sql("DELETE FROM kb_word")
    db.execute_sql("DELETE FROM kb_word_key")


def add_titles(titles) -> None:
    """Count many titles at once (a full rebuild)."""
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(title_words(title))
    if not counts:
        return
    sql = ("INSERT INTO kb_word (word, articles) VALUES (%s, %s)" if is_postgres()
           else "INSERT INTO kb_word (word, articles) VALUES (?, ?)")
    db.cursor().executemany(sql, list(counts.items()))
    _add_keys(counts)


def one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one character changed, added, left out, or two
    neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _lookalike(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(diff) == 1 and any(set(diff[0]) <= group for group in _LOOKALIKES)


def correction(word: str, known: dict[str, set[str]] | None = None) -> str | None:
    """The likeliest word one edit away from ``word`` (folded), or None.

    ``known`` maps forms to words of the synonym lists (kept in memory). Among the
    candidates a lookalike change wins, then the word more titles hold.
    """
    if not 2 <= len(word) <= MAX_WORD or (len(word) < 4 and word.isascii()):
        return None
    forms = sorted(keys(word))
    # On PostgreSQL one array parameter: the statement's text is the same for every
    # word, so it is prepared once.
    keyed, params = (("= ANY(?)", (forms,)) if is_postgres()
                     else (f"IN ({','.join('?' * len(forms))})", tuple(forms)))
    sql = ("SELECT w.word, w.articles FROM kb_word_key k JOIN kb_word w ON w.word = k.word"  # noqa: S608
           f" WHERE k.word_key {keyed} AND w.articles > 0"
           f" ORDER BY w.articles DESC LIMIT {MAX_CANDIDATES}")
    found = {w: n for w, n in execute_planned(sql, params).fetchall()}
    for form in forms:
        for candidate in (known or {}).get(form, ()):
            found.setdefault(candidate, 1)
    close = [(w, n) for w, n in found.items() if one_edit(word, w)
             and (word.isascii() == w.isascii())]
    if not close:
        return None
    return max(close, key=lambda wn: (_lookalike(word, wn[0]), wn[1], -abs(len(wn[0]) -
                                                                       len(word))))[0]
