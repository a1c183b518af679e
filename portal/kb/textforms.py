"""The bigram form of text that the search index holds, and the parsing of queries.

Text is NFKC-normalized and case-folded, so ＳＳＯ is sso and ｷｬﾝｾﾙ is キャンセル; then
hiragana is folded into katakana (ろぐいん is ログイン) and a dash typed after kana for the
long-vowel mark becomes ー (サ-バ is サーバ). Both folds replace one character by one, so
a position in folded text is the same position in the NFKC text (snippets rely on it).
A run of Japanese characters becomes its overlapping two-character tokens plus its last
character alone (so a one-character query finds a character at the end of a run);
other words are kept whole. A Japanese query word becomes the phrase of its bigrams,
which matches it as an exact substring; a two-character word is one token; a
one-character word and a Latin word are prefix queries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# The form of the index this release makes: raised whenever index_form changes, so
# ``portal init`` rebuilds an index made by an earlier release (search.follow_form).
FORM_VERSION = 2

# Letters only: punctuation such as ・ and the spacing sound marks would be separators
# for the FTS5 tokenizer, so they must separate here too.
_CJK = ("\u3005\u3006\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
        "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff")
CJK_LETTERS = _CJK  # for PostgreSQL's copy of index_form (portal.kb.pgforms)
_TOKENS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_HIRAGANA = re.compile(r"^[\u3041-\u309f][\u3041-\u309f\u30fc]*$")
# Kanji, katakana and hiragana chunks inside one Japanese run (for content words).
_SCRIPT_CHUNKS = re.compile(r"[\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
                            r"|[\u30a0-\u30ff]+|[\u3040-\u309f][\u3040-\u309f\u30fc]*")

# Words too common to narrow an English search.
STOPWORDS = frozenset("""
a an and are as at be but by can cannot could do does for from had has have how i if in
into is it its my no not of on or our please so than that the their then there these this
to was we what when where which who why will with would you your
t s d ll re ve m don doesn didn isn aren wasn weren won couldn shouldn wouldn haven hasn
am any been did get got help im just me much need out some still too very want
""".split())

MIN_LATIN_PREFIX = 3  # shorter Latin words match whole tokens only


# Hiragana ぁ-ゖ and the iteration marks ゝゞ, as their katakana.
_KANA_FOLD = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {0x309D: 0x30FD,
                                                                     0x309E: 0x30FE}
# What people type for the long-vowel mark (after NFKC: ｰ is already ー, － is -, ～ is ~).
LONG_VOWEL_PATTERN = ("(?<=[\u3041-\u3096\u30a1-\u30fa\u30fc])[-~\u2010-\u2015\u2212\u2500\u2501"
                      "\u301c\u30a0]")
_LONG_VOWEL = re.compile(LONG_VOWEL_PATTERN)
KANA_FOLD_PAIRS = ("".join(map(chr, _KANA_FOLD)), "".join(map(chr, _KANA_FOLD.values())))


def fold(text: str) -> str:
    """Kana and long-vowel folding of NFKC text, one character for one."""
    return _LONG_VOWEL.sub("\u30fc", text).translate(_KANA_FOLD)


def as_typed(text: str) -> str:
    """NFKC, case-folded, long-vowel marks unified; kana left as typed (a query as
    people read it: the search log keeps this, not the folded form)."""
    return _LONG_VOWEL.sub("\u30fc", unicodedata.normalize("NFKC", text or "").casefold())


def normalize(text: str) -> str:
    """The form both the index and queries are made of: NFKC, case-folded, folded."""
    return as_typed(text).translate(_KANA_FOLD)


def bigrams(run: str) -> list[str]:
    """Overlapping pairs of a Japanese run, then its last character alone."""
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]


def covering_bigrams(word: str) -> list[str]:
    """The fewest bigrams that together hold every character: 二段階認証 → 二段 階認 認証."""
    pairs = [word[i:i + 2] for i in range(0, len(word) - 1, 2)]
    if len(word) % 2:
        pairs.append(word[-2:])
    return pairs


def index_form(text: str) -> str:
    """``text`` as the space-separated tokens stored in the FTS5 index."""
    out: list[str] = []
    for match in _TOKENS.finditer(normalize(text)):
        if match.lastgroup == "cjk":
            out.extend(bigrams(match.group()))
        else:
            out.append(match.group())
    return " ".join(out)


def lexeme(token: str) -> str:
    """One token quoted for ``tsvector``/``tsquery`` text (taken as is, not re-parsed)."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_form(text: str, positions: bool) -> str:
    """``text``'s index form as ``tsvector`` text: each token once, with its positions
    when ``positions`` (a phrase must match in order)."""
    tokens = index_form(text).split()
    if not positions:
        return " ".join(lexeme(t) for t in dict.fromkeys(tokens))
    places: dict[str, list[str]] = {}
    for i, token in enumerate(tokens[:16383], start=1):  # PostgreSQL's position limit
        places.setdefault(token, []).append(str(i))
    return " ".join(f"{lexeme(t)}:{','.join(p[:256])}" for t, p in places.items())


@dataclass(frozen=True)
class Term:
    """One query word: ``text`` normalized; ``content`` false for function words."""

    text: str
    cjk: bool
    prefix: bool
    content: bool
    typed: str = field(default="", compare=False)  # a Japanese word before folding

    def fts(self, phrases: bool = True) -> str:
        """The FTS5 expression matching this word.

        With ``phrases`` false (for an index without positions) a long Japanese word
        becomes the AND of bigrams covering it (ログイン → ログ AND イン), which callers
        confirm with :meth:`found_in`.
        """
        if self.cjk and len(self.text) > 2:
            if phrases:
                return '"' + " ".join(bigrams(self.text)[:-1]) + '"'
            return "(" + " AND ".join(f'"{p}"' for p in covering_bigrams(self.text)) + ")"
        return f'"{self.text}"' + (" *" if self.prefix else "")

    def tsquery(self, phrases: bool = True) -> str:
        """The same expression as :meth:`fts`, as PostgreSQL ``tsquery`` text."""
        if self.cjk and len(self.text) > 2:
            if phrases:
                return "(" + " <-> ".join(map(lexeme, bigrams(self.text)[:-1])) + ")"
            return "(" + " & ".join(map(lexeme, covering_bigrams(self.text))) + ")"
        return lexeme(self.text) + (":*" if self.prefix else "")

    @property
    def needs_check(self) -> bool:
        """True when an index without positions can match this word loosely."""
        return self.cjk and len(self.text) > 2

    def found_in(self, normalized_text: str) -> bool:
        return self.text in normalized_text

    @property
    def pattern(self) -> str:
        """A regular expression finding this word in normalized text (for snippets)."""
        return re.escape(self.text) + (r"\w*" if self.prefix and not self.cjk else "")


_KATAKANA_WORD = re.compile(r"^[\u30a1-\u30fa\u30fc]{3,}$")


def _folded_word(word: str) -> str:
    """A Japanese query word folded; a katakana word loses a final long-vowel mark, so
    サーバー finds サーバ as well as サーバー (and ユーザー, ユーザ)."""
    folded = fold(word)
    if _KATAKANA_WORD.match(folded) and _KATAKANA_WORD.match(word):
        folded = folded.rstrip("\u30fc")
    return folded


def _cjk_terms(run: str) -> list[Term]:
    return [Term(_folded_word(run), True, prefix=len(run) == 1,
                 content=not _HIRAGANA.match(run), typed=run)]


def parse(query: str) -> list[Term]:
    """The words of a query, in order, without repeats.

    Words are split and classed on the text as typed (hiragana words are function words,
    kanji and katakana content words); each word's ``text`` is then folded."""
    terms: list[Term] = []
    for match in _TOKENS.finditer(as_typed(query)):
        word = match.group()
        if match.lastgroup == "cjk":
            terms.extend(_cjk_terms(word))
        else:
            terms.append(Term(word, False, prefix=len(word) >= MIN_LATIN_PREFIX,
                              content=word not in STOPWORDS))
    seen: set[str] = set()
    return [t for t in terms if not (t.text in seen or seen.add(t.text))]


def content_terms(terms: list[Term]) -> list[Term]:
    """Kanji, katakana and Latin words only: ログインできません → ログイン.

    A Japanese word that mixes scripts keeps its kanji and katakana chunks
    (請求書が届かない → 請求書, 届); hiragana and English stop words are dropped.
    """
    out: list[Term] = []
    for term in terms:
        if not term.content:
            continue
        if not term.cjk:
            out.append(term)
            continue
        for chunk in _SCRIPT_CHUNKS.findall(term.typed or term.text):
            if not _HIRAGANA.match(chunk):
                out.append(Term(_folded_word(chunk), True, prefix=len(chunk) == 1,
                                content=True, typed=chunk))
    seen: set[str] = set()
    return [t for t in out if not (t.text in seen or seen.add(t.text))]


@dataclass(frozen=True)
class Words:
    """A query word and what may stand for it: each option is words that must all be
    found (``sign in`` is two). The first ``same`` options are spellings of the word as
    typed (表記ゆれ); the others are synonyms, ranked after them (:mod:`portal.kb.lexicon`).

    It reads like a :class:`Term` to the search: its expressions are the OR of its
    options' own expressions.
    """

    options: tuple[tuple[Term, ...], ...]
    same: int = 1
    content: bool = True

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.options[0])

    @property
    def typed(self) -> str:
        return " ".join(t.typed or t.text for t in self.options[0])

    @property
    def cjk(self) -> bool:
        return all(t.cjk for t in self.options[0])

    @property
    def prefix(self) -> bool:
        return False

    def narrowed(self, synonyms: bool) -> Term | Words:
        """These words without their synonyms (``synonyms`` false), or only the synonyms."""
        options = self.options[self.same:] if synonyms else self.options[:self.same]
        if not synonyms and len(options) == 1 and len(options[0]) == 1:
            return options[0][0]
        return Words(options, same=len(options) if not synonyms else 0, content=self.content)

    def fts(self, phrases: bool = True) -> str:
        return "(" + " OR ".join("(" + " AND ".join(t.fts(phrases) for t in option) + ")"
                                 for option in self.options) + ")"

    def tsquery(self, phrases: bool = True) -> str:
        return "(" + " | ".join("(" + " & ".join(t.tsquery(phrases) for t in option) + ")"
                                for option in self.options) + ")"

    @property
    def needs_check(self) -> bool:
        return any(t.needs_check for option in self.options for t in option)

    def found_in(self, normalized_text: str) -> bool:
        return any(all(t.found_in(normalized_text) if t.needs_check else _has_word(
            t, normalized_text) for t in option) for option in self.options)

    @property
    def pattern(self) -> str:
        words = sorted({t.pattern for option in self.options for t in option}, key=len,
                       reverse=True)
        return "|".join(words)


def _has_word(term: Term, normalized_text: str) -> bool:
    """Whether ``term`` (a short Japanese word or a Latin word) is in the text, as the
    index would find it."""
    if term.cjk:
        return term.text in normalized_text
    tail = r"\w*" if term.prefix else r"(?![^\W_])"
    return re.search(r"(?<![^\W_])" + re.escape(term.text) + tail, normalized_text) is not None
