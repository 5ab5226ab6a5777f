"""Regulators, companies and platforms named in an article, found by the graph's names.

Every label, alternative and former label of the graph's authorities, courts, companies
and platforms, in every language, is looked for in the text (longest names first, an
occurrence taken once). Short Latin names must be written capitalised and stand as a word;
CJK names match anywhere. A company the graph lacks is proposed from the words around a
sanction ("the company X", "X Ltd", "X ... was fined"), and its name compared with the
graph's names with rapidfuzz so that a spelling variant is resolved rather than minted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from regkg.drafting.lexicon import COMPANY_INTRO, COMPANY_SUFFIX, Lexicon
from regkg.drafting.text import Article
from regkg.resolver import Catalogue, norm

__all__ = ["Mention", "NameIndex", "new_companies"]

_KINDS: Final = ("Authority", "Court", "Company", "Platform")
_LATIN: Final = re.compile(r"[A-Za-zÀ-ÿ]")
_CJK: Final = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]")


@dataclass(frozen=True)
class Mention:
    iri: str
    name: str
    start: int
    end: int
    kinds: frozenset[str]


def _lower_same_length(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class NameIndex:
    """The names of the graph's authorities, courts, companies and platforms."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        by_name: dict[str, set[str]] = defaultdict(set)
        for iri, labels in catalogue.labels.items():
            kinds = catalogue.types.get(iri, set()) & set(_KINDS)
            if not kinds:
                continue
            for key, values in labels.items():
                if key.split("|")[0].endswith("#comment"):
                    continue
                for v in values:
                    v = " ".join(v.split())
                    if len(v) >= 2 and not v.isdigit():
                        by_name[v].add(iri)
        self.names = sorted(by_name.items(), key=lambda kv: -len(kv[0]))
        self.lowered = [(_lower_same_length(n), n, iris) for n, iris in self.names]
        self.choices = {norm(n): n for n, _ in self.names if _LATIN.search(n)}

    def mentions(self, text: str) -> list[Mention]:
        lowered = _lower_same_length(text)
        taken = bytearray(len(text))
        found: list[Mention] = []
        for low, name, iris in self.lowered:
            cjk = bool(_CJK.search(name))
            strict = not cjk and len(name) < 12
            start = lowered.find(low)
            while start != -1:
                end = start + len(low)
                if not any(taken[start:end]) and self._fits(text, name, start, end, cjk, strict):
                    taken[start:end] = b"\x01" * (end - start)
                    for iri in sorted(iris):
                        kinds = frozenset(self.cat.types.get(iri, set()) & set(_KINDS))
                        found.append(Mention(iri, text[start:end], start, end, kinds))
                start = lowered.find(low, start + 1)
        return sorted(found, key=lambda m: (m.start, m.iri))

    @staticmethod
    def _fits(text: str, name: str, start: int, end: int, cjk: bool, strict: bool) -> bool:
        if cjk:
            return True
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before.isalnum() or after.isalnum():
            return False
        if strict:
            written = text[start:end]
            if len(name) < 5 and re.match(r"\s[A-ZÀ-Ý][a-zà-ÿ]", text[end : end + 3]):
                return False  # "Play" in "Play Store": a word of a longer name the graph lacks
            if name.isupper():
                return written == name
            return written[0].isupper() or written == name
        return True

    def closest(self, name: str) -> str | None:
        """The graph's name closest to ``name`` (token-set ratio 92 or more), if any."""
        hit = process.extractOne(norm(name), list(self.choices), scorer=fuzz.token_set_ratio, score_cutoff=92)
        return self.choices[hit[0]] if hit else None


_NAME: Final = r"[A-ZÀ-Ý][\w&'’.-]*(?:\s(?:[A-ZÀ-Ý][\w&'’.-]*|&|de|do|da|von|van|di))*"
_INTRO_RE: Final = re.compile(rf"\b(?i:{COMPANY_INTRO})\s+(?P<name>{_NAME})")
_SUFFIX_RE: Final = re.compile(rf"(?P<name>{_NAME}\s{COMPANY_SUFFIX})(?!\w)")
_ANY_NAME_RE: Final = re.compile(rf"(?<![.!?]\s)(?<!^)(?P<name>{_NAME})")
#: words that make a capitalised name a place or an institution, not a company
_NOT_COMPANY: Final = frozenset({
    "area", "union", "economic", "european", "commission", "court", "ministry", "ministério", "ministerio",
    "authority", "agency", "government", "council", "parliament", "office", "department", "público", "estado",
    "state", "states", "republic", "tribunal", "cour", "gericht", "kommission", "autorità", "autorité",
})  # fmt: skip


def new_companies(article: Article, known: list[Mention], lexicon: Lexicon) -> list[tuple[str, int, int]]:
    """Names of companies the graph lacks, with where they are: after a word like 'company', before a
    legal form ('Ltd'), or, failing those, a capitalised name in a sentence that says it was sanctioned."""
    text = article.text
    covered = bytearray(len(text))
    for k in known:
        covered[k.start : k.end] = b"\x01" * (k.end - k.start)
    out: list[tuple[str, int, int]] = []

    def add(name: str, start: int) -> None:
        name = name.strip(" .,;:’'")
        words = name.split()
        while words and words[-1].lower() in {"de", "do", "da", "von", "van", "di", "&"}:
            words.pop()
        name = " ".join(words)
        end = start + len(name)
        if len(name) < 3 or any(covered[start:end]) or (name.isupper() and len(name) <= 5):
            return
        if any(w.lower() in _NOT_COMPANY for w in name.split()):
            return
        if name.lower() in {o[0].lower() for o in out}:
            return
        out.append((name, start, end))

    for m in _INTRO_RE.finditer(text):
        if m.group("name")[0].isupper():
            add(m.group("name"), m.start("name"))
    for m in _SUFFIX_RE.finditer(text):
        add(m.group("name"), m.start("name"))
    if not out:
        for s in article.sentences:
            if not lexicon.sanctioned.search(s.text):
                continue
            for m in _ANY_NAME_RE.finditer(s.text):
                name = m.group("name")
                if len(name.split()) >= 2 and m.start() > 0:
                    add(name, s.start + m.start("name"))
    return out
