"""Which words of a query have other spellings or synonyms, and the query words they make.

Three lists of word groups: spellings of one word (``data/variants.txt``: 引越し and
引っ越し, sign in and signin), synonyms shipped with the portal (``data/synonyms.txt``:
解約, 退会, cancel …, Japanese and English in one group) and the synonym groups staff
add at /staff/kb/synonyms (:mod:`portal.kb.synonyms`). A query is cut into pieces: the
longest word of any group found in it (inside a Japanese run too: ろぐいんできません
holds ログイン once kana is folded), and the text between. Each found word becomes a
:class:`~portal.kb.textforms.Words` whose options are its spellings and, when asked,
its synonyms; the text between becomes ordinary query words. Nothing here touches the
index: a change to a list takes effect at the next query.

The lists are read once per process; the staff groups are read again when their
revision number (raised by every change, in the same transaction) has moved, which
each process checks at most once a second (at once in the process that made the
change).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from portal.kb.textforms import (
    _CJK,
    _HIRAGANA,
    _SCRIPT_CHUNKS,
    MIN_LATIN_PREFIX,
    STOPWORDS,
    Term,
    Words,
    _folded_word,
    as_typed,
    fold,
)

DATA = Path(__file__).parent / "data"
CHECK_EVERY = 1.0  # seconds between two looks at the staff groups' revision
MAX_OPTIONS = 16  # spellings and synonyms of one word, at most (bounds the query)
MAX_KEY = 12  # the longest Japanese word looked for inside a run
_TOKENS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")
_HAS_HIRAGANA = re.compile(r"[\u3041-\u309f]")
# Numbers typed for the kanji ones in a few words (2段階認証 is 二段階認証).
_DIGIT_KANJI = re.compile(r"(?<![0-9])2(?=段階|要素|重認証)")


@dataclass(frozen=True)
class Group:
    words: tuple[str, ...]
    synonyms: bool  # else spellings of one word
    function: bool = False  # spellings of a function word (できない): no content word


@dataclass
class Lexicon:
    groups: list[Group]
    # A word's key (its tokens, folded) → the groups holding it.
    keys: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    longest: int = 1  # tokens in the longest key
    _forms: dict[str, set[str]] | None = None
    _options: dict[str, tuple[Term, ...]] = field(default_factory=dict)

    def option(self, word: str) -> tuple[Term, ...]:
        found = self._options.get(word)
        if found is None:
            found = self._options[word] = _option(word)
        return found

    @property
    def forms(self) -> dict[str, set[str]]:
        """One-word entries filed under themselves and every one-deletion form (for
        :func:`portal.kb.slips.correction`)."""
        if self._forms is None:
            from portal.kb.slips import keys

            forms: dict[str, set[str]] = {}
            for key in self.keys:
                word = key[0]
                if len(key) == 1 and (len(word) >= 4 or not word.isascii() and len(word) >= 2):
                    for form in keys(word):
                        forms.setdefault(form, set()).add(word)
            self._forms = forms
        return self._forms

    def __post_init__(self) -> None:
        for number, group in enumerate(self.groups):
            for word in group.words:
                key = word_key(word)
                if key and (len(key) > 1 or not _is_cjk(key[0]) or len(key[0]) >= 2):
                    self.keys.setdefault(key, []).append(number)
                    self.longest = max(self.longest, len(key))


def _is_cjk(token: str) -> bool:
    return re.match(rf"^[{_CJK}]+$", token) is not None


def _strip_mark(token: str) -> str:
    """A katakana word's final long-vowel mark is optional (サーバー is サーバ)."""
    return token.rstrip("\u30fc") if len(token) >= 3 and _KATAKANA.match(token) else token


def word_key(word: str) -> tuple[str, ...]:
    """The form a word is looked up by: its tokens, normalized and kana-folded."""
    text = fold(as_typed(_DIGIT_KANJI.sub("二", word)))
    return tuple(_strip_mark(m.group()) for m in _TOKENS.finditer(text))


def read_groups(path: Path, synonyms: bool) -> list[Group]:
    """Groups of a data file: one a line, words separated by commas; ``~`` before a line
    of spellings marks a function word."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        function = line.startswith("~")
        words = tuple(w.strip() for w in line.lstrip("~").split(",") if w.strip())
        if len(words) > 1:
            groups.append(Group(words, synonyms, function))
    return groups


_shipped: list[Group] | None = None
# Per owner (the app: each test has its own): [lexicon, revision, last checked].
_cache: dict[int, list] = {}


def shipped() -> list[Group]:
    global _shipped
    if _shipped is None:
        _shipped = (read_groups(DATA / "variants.txt", synonyms=False)
                    + read_groups(DATA / "synonyms.txt", synonyms=True))
    return _shipped


def current() -> Lexicon:
    """The lexicon: shipped groups and the staff's, read again when they changed."""
    from portal.kb import synonyms  # the staff's groups (a model: imported late)

    now = time.monotonic()
    key = id(synonyms.owner())
    kept = _cache.get(key)
    if kept is None or now - kept[2] >= CHECK_EVERY:
        revision = synonyms.revision()
        if kept is None or kept[0] is None or revision != kept[1]:
            staff = [Group(words, True) for words in synonyms.staff_groups()]
            if len(_cache) >= 8:
                _cache.clear()
            kept = _cache[key] = [Lexicon(shipped() + staff), revision, now]
        kept[2] = now
    elif kept[0] is None:
        staff = [Group(words, True) for words in synonyms.staff_groups()]
        kept[0], kept[1] = Lexicon(shipped() + staff), synonyms.revision()
    return kept[0]


def forget() -> None:
    """Read the staff groups again at the next query (after a change in this process)."""
    _cache.clear()


# --- cutting a query into pieces -------------------------------------------------------

@dataclass
class Piece:
    tokens: tuple[str, ...]  # folded
    typed: str  # as typed (kana not folded), for the script rules
    cjk: bool
    groups: tuple[int, ...] = ()
    key: tuple[str, ...] = ()


def pieces(query: str, lexicon: Lexicon) -> list[Piece]:
    """The query as words of the lexicon and the text between them, in order."""
    typed = as_typed(_DIGIT_KANJI.sub("二", query))
    tokens = [(m.lastgroup == "cjk", m.group()) for m in _TOKENS.finditer(typed)]
    out: list[Piece] = []
    i = 0
    while i < len(tokens):
        found = _longest_sequence(tokens, i, lexicon)
        if found:
            length, key, rest = found
            cjk = any(c for c, _ in tokens[i:i + length])
            text = " ".join(t for _, t in tokens[i:i + length - 1] + [(True, key[-1])])
            out.append(Piece(key, text, cjk, tuple(lexicon.keys[key]), key))
            if rest:
                tokens[i + length - 1] = (True, rest)
                i += length - 1
            else:
                i += length
            continue
        cjk, token = tokens[i]
        if cjk:
            out.extend(_split_run(token, lexicon))
        else:
            key = (token,)
            out.append(Piece(key, token, False, tuple(lexicon.keys.get(key, ())), key))
        i += 1
    return out


def _longest_sequence(tokens, i, lexicon) -> tuple[int, tuple[str, ...], str] | None:
    """A word of two or more tokens starting at token ``i``: its length in tokens, key,
    and what is left of its last token when that was a Japanese run it began."""
    for length in range(min(lexicon.longest, len(tokens) - i), 1, -1):
        head = tuple(fold(t) if c else t for c, t in tokens[i:i + length - 1])
        if any(c for c, _ in tokens[i:i + length - 1]):
            head = tuple(_strip_mark(t) for t in head)
        last_cjk, last = tokens[i + length - 1]
        if not last_cjk:
            if head + (last,) in lexicon.keys:
                return length, head + (last,), ""
            continue
        folded = fold(last)
        for end in range(len(folded), 1, -1):
            key = head + (_strip_mark(folded[:end]),)
            if key in lexicon.keys:
                return length, key, last[end:]
    return None


def _split_run(typed: str, lexicon: Lexicon) -> list[Piece]:
    """A Japanese run cut at the longest words of the lexicon found in it."""
    folded = fold(typed)
    out: list[Piece] = []
    pos = start = 0
    last_end = -1
    while pos < len(folded):
        length = 0
        for size in range(min(MAX_KEY, len(folded) - pos), 1, -1):
            key = (_strip_mark(folded[pos:pos + size]),)
            if key in lexicon.keys and _fits(typed, folded, pos, size, last_end):
                length = size
                break
        if not length:
            pos += 1
            continue
        if start < pos:
            out.append(Piece((folded[start:pos],), typed[start:pos], True))
        end = pos + length
        if end < len(folded) and folded[end] == "\u30fc" and _KATAKANA.match(folded[pos:end]):
            end += 1  # サーバー: the mark belongs to the word
        key = (_strip_mark(folded[pos:pos + length]),)
        out.append(Piece(key, typed[pos:end], True, tuple(lexicon.keys[key]), key))
        pos = start = last_end = end
    if start < len(folded):
        out.append(Piece((folded[start:],), typed[start:], True))
    return out


def _fits(typed: str, folded: str, pos: int, size: int, last_end: int) -> bool:
    """Whether a word found at ``pos`` is a word there, not part of another one.

    In text typed in hiragana only words of three or more characters count (ろぐいん,
    めーる; not the ろぐ of ころぐ). A katakana word of three characters or fewer must
    begin a katakana stretch (or follow a word found) and end one: ログ in 監査ログ, not
    in ブログ.
    """
    piece = typed[pos:pos + size]
    if _HAS_HIRAGANA.search(piece) and size < 3:
        return False
    if size <= 3 and _KATAKANA.match(folded[pos:pos + size]):
        starts = pos == 0 or pos == last_end or not _KATAKANA.match(typed[pos - 1])
        after = typed[pos + size:pos + size + 1]
        ends = not after or after == "\u30fc" and (
            pos + size + 1 == len(typed) or not _KATAKANA.match(typed[pos + size + 1])
        ) or not _KATAKANA.match(after)
        return starts and ends
    return True


# --- the query words they make ---------------------------------------------------------

def _option(word: str) -> tuple[Term, ...]:
    """A word of a group as query words: whole words (a synonym is not a prefix), but a
    Latin word standing alone also finds its longer forms (cancel → cancellation).
    A phrase keeps its short words (sign in is not sign)."""
    text = fold(as_typed(_DIGIT_KANJI.sub("二", word)))
    tokens = [(m.lastgroup == "cjk", m.group()) for m in _TOKENS.finditer(text)]
    alone = len(tokens) == 1
    return tuple(Term(_strip_mark(token), True, prefix=False, content=True, typed=token) if cjk
                 else Term(token, False, prefix=alone and len(token) >= 4, content=True)
                 for cjk, token in tokens)


def _typed_option(piece: Piece) -> tuple[Term, ...]:
    terms = []
    for token in piece.typed.split(" "):
        if re.match(rf"^[{_CJK}]+$", token):
            terms.append(Term(_folded_word(token), True, prefix=len(token) == 1, content=True,
                              typed=token))
        elif token:
            terms.append(Term(token, False, prefix=len(token) >= MIN_LATIN_PREFIX,
                              content=token not in STOPWORDS))
    return tuple(terms)


def _stems(word: str) -> list[str]:
    """English inflections a word may stand for: invoices → invoice, delayed → delay."""
    out = []
    if len(word) >= 5 and word.endswith("ies"):
        out.append(word[:-3] + "y")
    elif len(word) >= 5 and word.endswith("es") and word[-3] in "sxz":
        out.append(word[:-2])
    elif len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    if len(word) >= 6 and word.endswith("ed"):
        out.append(word[:-2])
        out.append(word[:-1])
    if len(word) >= 7 and word.endswith("ing"):
        out.append(word[:-3])
    return [w for w in out if len(w) >= 4]


def words_of(piece: Piece, lexicon: Lexicon, synonyms: bool) -> Term | Words | None:
    """A piece found in the lexicon as query words: its spellings, and its synonyms
    when ``synonyms``; None for a function word."""
    typed = _typed_option(piece)
    if not typed:
        return None
    groups = [lexicon.groups[n] for n in piece.groups]
    if groups and all(g.function for g in groups):
        return None
    same: list[tuple[Term, ...]] = [typed]
    others: list[tuple[Term, ...]] = []
    seen = {tuple(t.text for t in typed)}
    if not piece.cjk and len(typed) == 1 and not groups:
        for stem in _stems(typed[0].text):
            same.append((Term(stem, False, prefix=True, content=True),))
    for group in sorted(groups, key=lambda g: g.synonyms):
        if group.synonyms and not synonyms:
            continue
        for word in group.words:
            option = lexicon.option(word)
            texts = tuple(t.text for t in option)
            if option and texts not in seen:
                seen.add(texts)
                (others if group.synonyms else same).append(option)
    options = (same + others)[:MAX_OPTIONS]
    if len(options) == 1 and len(options[0]) == 1:
        return options[0][0]
    return Words(tuple(options), same=min(len(same), len(options)))


def content_words(query: str, synonyms: bool, lexicon: Lexicon | None = None) -> list:
    """The content words of a query (as :func:`~portal.kb.textforms.content_terms`), a
    word of the lexicon standing with its spellings (and synonyms when ``synonyms``)."""
    return both_content_words(query, lexicon)[1 if synonyms else 0]


def both_content_words(query: str, lexicon: Lexicon | None = None) -> tuple[list, list]:
    """:func:`content_words` without synonyms and with them, cutting the query once."""
    lexicon = lexicon or current()
    exact: list = []
    wide: list = []
    for piece in pieces(query, lexicon):
        if piece.groups or (not piece.cjk and piece.typed not in STOPWORDS
                            and _stems(piece.typed)):
            for out, synonyms in ((exact, False), (wide, True)):
                word = words_of(piece, lexicon, synonyms)
                if word is not None and word.content:
                    out.append(word)
            continue
        plain: list[Term] = []
        if not piece.cjk:
            if piece.typed not in STOPWORDS:
                plain.append(Term(piece.typed, False,
                                  prefix=len(piece.typed) >= MIN_LATIN_PREFIX, content=True))
        else:
            plain = [Term(_folded_word(chunk), True, prefix=len(chunk) == 1, content=True,
                          typed=chunk)
                     for chunk in _SCRIPT_CHUNKS.findall(piece.typed)
                     if not _HIRAGANA.match(chunk)]
        exact += plain
        wide += plain
    return _once(exact), _once(wide)


def _once(words: list) -> list:
    seen: set[str] = set()
    return [t for t in words if not (t.text in seen or seen.add(t.text))]


def typed_form(query: str) -> str:
    """The query as the words were read (NFKC, case-folded, dashes unified)."""
    return as_typed(_DIGIT_KANJI.sub("二", query))
