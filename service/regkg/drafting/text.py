"""An article's text: HTML to text, its language, its sentences (with offsets into the text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

__all__ = ["Article", "Sentence", "read_article"]

_BLOCK: Final = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
    "header", "footer", "blockquote", "pre", "dd", "dt", "figcaption", "time",
})  # fmt: skip
_SKIP: Final = frozenset({"script", "style", "noscript", "template", "svg", "nav", "iframe", "head"})

# a few very frequent words per language, enough to tell Latin-script languages apart
_STOPWORDS: Final[dict[str, frozenset[str]]] = {
    "en": frozenset(
        ["the", "of", "and", "to", "in", "for", "is", "has", "was", "that", "with", "by", "on", "its", "from"]
    ),
    "fr": frozenset(
        ["le", "la", "les", "des", "du", "de", "et", "une", "pour", "dans", "est", "a", "au", "aux", "sur", "par"]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "den",
            "dem",
            "des",
            "ist",
            "nicht",
            "mit",
            "von",
            "auf",
            "für",
            "eine",
            "ein",
            "hat",
        ]
    ),
    "it": frozenset(
        ["il", "la", "di", "che", "e", "per", "una", "della", "del", "le", "dei", "ha", "sono", "nel", "alla", "con"]
    ),
    "es": frozenset(["el", "la", "de", "que", "y", "los", "las", "del", "en", "por", "una", "con", "para", "se", "al"]),
    "pt": frozenset(
        [
            "o",
            "a",
            "de",
            "que",
            "e",
            "do",
            "da",
            "os",
            "as",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "no",
            "na",
            "pela",
        ]
    ),
    "tr": frozenset(["ve", "bir", "bu", "için", "ile", "da", "de", "olarak", "olan", "şirket", "tarafından", "ise"]),
}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class Article:
    """The text a draft is read from (plain text, or HTML turned into text), with its language."""

    text: str
    language: str
    title: str
    sentences: list[Sentence]

    def sentence_at(self, offset: int) -> Sentence:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return Sentence(offset, offset, "")


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|p|div|article|h1|title)\b", text[:5000], re.IGNORECASE))


def language_of(text: str) -> str:
    """The article's language: by script for Korean, Japanese and Chinese, else by frequent words."""
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-zÀ-ÿ]", text))
    if hangul > 20 and hangul >= kana:
        return "ko"
    if kana > 10:
        return "ja"
    if han > 30 and han > latin / 3:
        return "zh"
    words = re.findall(r"[a-zà-ÿçğışöü]+", text.lower())
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "en"


_SPLIT: Final = re.compile(r"(?<=[.!?])\s+(?=[\"“'‘(\[A-ZÀ-ÝÇĞİŞÖÜ0-9])|(?<=[。！？])|\n+")


def read_article(raw: str) -> Article:
    """Text (or HTML) -> an :class:`Article`."""
    title = ""
    text = raw
    if _looks_like_html(raw):
        parser = _TextParser()
        parser.feed(raw)
        parser.close()
        text = "".join(parser.parts)
        title = " ".join("".join(parser.title).split())
        text = re.sub(r"[ \t\u00a0]+", " ", text)
        text = re.sub(r"\s*\n\s*", "\n", text).strip()
    text = text.replace("\r\n", "\n")
    sentences: list[Sentence] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        chunk = text[pos : m.start()]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            sentences.append(Sentence(pos + lead, m.start(), chunk.strip()))
        pos = m.end()
    if text[pos:].strip():
        chunk = text[pos:]
        lead = len(chunk) - len(chunk.lstrip())
        sentences.append(Sentence(pos + lead, len(text.rstrip()), chunk.strip()))
    if not title:
        title = next((s.text for s in sentences if len(s.text) > 15), sentences[0].text if sentences else "")
        title = title[:200]
    return Article(text, language_of(text), title, sentences)
