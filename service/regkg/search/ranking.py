"""Ranking names against a query: an immutable in-memory :class:`Index` of every name and its search.

Ranking, best first:

1. exact: the whole name equals the query (a preferred label above an alias);
2. prefix: a name, or a word of it, starts with the query;
3. substring: the query occurs inside a name;
4. close misspelling: a name, or a word of it, is close to the query (trigram candidates,
   then a similarity ratio), e.g. ``"taobo"`` finds Taobao.

Names are compared as :func:`regkg.names.normalise` makes them (case-folded, NFKC, without
accents), so ``"Alibaba"``, ``"ALIBABA"`` and ``"阿里巴巴"`` each find the Alibaba group. Substring
search runs over one joined string with ``str.find`` (C speed), misspellings over a trigram index
of distinct names and words; each stage looks at a bounded number of names.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz

from regkg.config import Settings
from regkg.names import normalise

__all__ = ["Entity", "Hit", "Index"]

#: The defaults of the REGKG_SEARCH_* settings (names looked at per stage).
_DEFAULTS: Final = Settings()
_BANDS: Final = {"exact": 0, "exact-alias": 0, "prefix": 1, "word-prefix": 2, "substring": 3, "fuzzy": 4}
_SCORES: Final = {"exact": 1.0, "exact-alias": 0.95, "prefix": 0.8, "word-prefix": 0.7, "substring": 0.5}
_FUZZY_MIN_RATIO: Final = 0.72
_FUZZY_CANDIDATES: Final = 100
_COMMON_TRIGRAM: Final = 3_000
_SEP: Final = "\x00"


def _words(name: str) -> list[str]:
    out: list[str] = []
    word = []
    for c in name:
        if c.isalnum():
            word.append(c)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass
class Entity:
    """What a hit shows: the display label and the types."""

    iri: str
    label: str
    types: tuple[str, ...]
    weight: float = 0.0


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    types: tuple[str, ...]
    score: float
    matched: str
    match: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.iri,
            "label": self.label,
            "types": list(self.types),
            "score": round(self.score, 4),
            "matched": self.matched,
            "match": self.match,
        }


@dataclass
class Index:
    """An immutable snapshot of every name, searchable."""

    data_version: str
    entities: dict[str, Entity] = field(default_factory=dict)
    #: normalised name -> [(entity iri, original name, is preferred label)]
    names: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)
    sorted_names: list[str] = field(default_factory=list)
    #: word -> normalised names containing it
    words: dict[str, list[str]] = field(default_factory=dict)
    sorted_words: list[str] = field(default_factory=list)
    joined: str = ""
    offsets: list[int] = field(default_factory=list)
    #: trigram -> ids into ``fuzzy_terms``
    trigrams: dict[str, list[int]] = field(default_factory=dict)
    fuzzy_terms: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entities)

    # -- building ----------------------------------------------------------
    def add(self, iri: str, name: str, preferred: bool) -> None:
        key = normalise(name)
        if not key:
            return
        self.names.setdefault(key, []).append((iri, name, preferred))

    def finish(self) -> Index:
        self.sorted_names = sorted(self.names)
        words: dict[str, set[str]] = {}
        for key in self.sorted_names:
            for w in _words(key):
                words.setdefault(w, set()).add(key)
        # shortest names first: a bounded stage looks at the closest ones
        self.words = {w: sorted(keys, key=lambda k: (len(k), k)) for w, keys in words.items()}
        self.sorted_words = sorted(self.words)
        parts: list[str] = []
        pos = 0
        for key in self.sorted_names:
            self.offsets.append(pos)
            parts.append(key)
            pos += len(key) + 1
        self.joined = _SEP.join(parts)
        terms = sorted(set(self.sorted_names) | set(self.sorted_words))
        self.fuzzy_terms = terms
        grams: dict[str, list[int]] = defaultdict(list)
        for i, term in enumerate(terms):
            for g in _trigrams(term):
                grams[g].append(i)
        self.trigrams = dict(grams)
        return self

    # -- searching ---------------------------------------------------------
    def search(
        self, query: str, *, types: Iterable[str] = (), limit: int = 10, stage: int = _DEFAULTS.search_stage_names
    ) -> list[Hit]:
        """The best ``limit`` hits; each ranking stage looks at most at ``stage`` names (bounded time)."""
        q = normalise(query)
        if not q:
            return []
        wanted = frozenset(types)
        #: iri -> (score, band, original name, match)
        best: dict[str, tuple[float, int, str, str]] = {}
        per_band = [0] * len(_BANDS)

        def offer(key: str, match: str, score: float) -> None:
            for iri, original, preferred in self.names.get(key, ()):
                ent = self.entities.get(iri)
                if ent is None or (wanted and wanted.isdisjoint(ent.types)):
                    continue
                kind = match
                s = score
                if match == "exact" and not preferred:
                    kind, s = "exact-alias", _SCORES["exact-alias"]
                elif match != "exact" and preferred:
                    s += 0.01
                # shorter names are closer to what was asked for; the graph's actors before documents
                s -= min(len(key), 200) / 100_000
                s += ent.weight
                band = _BANDS[kind]
                old = best.get(iri)
                if old is None:
                    per_band[band] += 1
                elif s > old[0]:
                    per_band[old[1]] -= 1
                    per_band[band] += 1
                else:
                    continue
                best[iri] = (s, band, original, kind)

        def enough(band: int) -> bool:
            """``limit`` hits at least as good as ``band``: a worse stage cannot reach the top."""
            return sum(per_band[: band + 1]) >= limit

        # 1. exact
        offer(q, "exact", _SCORES["exact"])
        # 2. prefix of a whole name, then of a word (at most ``stage`` names each)
        i = bisect.bisect_left(self.sorted_names, q)
        stop = min(len(self.sorted_names), i + stage)
        while i < stop and self.sorted_names[i].startswith(q):
            offer(self.sorted_names[i], "prefix", _SCORES["prefix"])
            i += 1
        if not enough(_BANDS["prefix"]):
            qwords = _words(q)
            if len(qwords) > 1:
                # a name with every word: candidates from the rarest complete word of the query
                rarest = self.words.get(min(qwords[:-1], key=lambda w: len(self.words.get(w, ()))), [])
                # or the names with a word the last query word begins, when those are fewer ("group 7":
                # the names with a word 7... rather than every "Group N Holdings")
                last = self._prefixed(qwords[-1])
                fewer = len(last) < len(rarest) and sum(len(self.words[w]) for w in last) < len(rarest)
                candidates: Iterable[str] = (
                    itertools.chain.from_iterable(self.words[w] for w in last) if fewer else rarest
                )
            else:
                first = qwords[0] if qwords else q
                candidates = itertools.chain.from_iterable(self.words[w] for w in self._prefixed(first))
            offered = 0
            for key in candidates:
                if q in key and (key.startswith(q) or f" {q}" in key or not q[0].isalnum()):
                    offer(key, "word-prefix", _SCORES["word-prefix"])
                    offered += 1
                    if offered >= stage:
                        break
        # 3. substring, over the joined names
        if not enough(_BANDS["word-prefix"]):
            start = 0
            seen = 0
            while seen < stage:
                pos = self.joined.find(q, start)
                if pos < 0:
                    break
                k = bisect.bisect_right(self.offsets, pos) - 1
                key = self.sorted_names[k]
                offer(key, "substring", _SCORES["substring"])
                seen += 1
                start = self.offsets[k] + len(key) + 1
        # 4. close misspellings
        # (a query that names something exactly is not a misspelling)
        if not enough(_BANDS["substring"]) and not per_band[0] and len(q) >= 3:
            offered = 0
            for term, ratio in self._close(q):
                score = 0.2 + 0.2 * ratio
                if term in self.names:
                    offer(term, "fuzzy", score)
                for key in itertools.islice(self.words.get(term, ()), stage // 4):
                    offer(key, "fuzzy", score - 0.01)
                    offered += 1
                if offered >= stage:
                    break
        top = heapq.nsmallest(
            limit, best.items(), key=lambda kv: (-kv[1][0], self.entities[kv[0]].label.casefold(), kv[0])
        )
        return [
            Hit(iri, self.entities[iri].label, self.entities[iri].types, score, original, kind)
            for iri, (score, _band, original, kind) in top
        ]

    def _prefixed(self, prefix: str) -> list[str]:
        """The indexed words that begin with ``prefix``, in order."""
        i = bisect.bisect_left(self.sorted_words, prefix)
        j = bisect.bisect_left(self.sorted_words, prefix + "\U0010ffff", i)
        return self.sorted_words[i:j]

    def _close(self, q: str) -> list[tuple[str, float]]:
        grams = _trigrams(q)
        counts: Counter[int] = Counter()
        postings = sorted((self.trigrams.get(g, []) for g in grams), key=len)
        used = 0
        for posting in postings:
            if len(posting) > _COMMON_TRIGRAM and counts:
                continue
            counts.update(posting)
            used += 1
        need = max(1, used // 3)
        candidates = [i for i, n in counts.most_common(_FUZZY_CANDIDATES) if n >= need]
        out: list[tuple[str, float]] = []
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(q)
        for i in candidates:
            term = self.fuzzy_terms[i]
            if abs(len(term) - len(q)) > max(2, len(q) // 3):
                continue
            # the longest common subsequence bounds difflib's matching blocks from above, so a term
            # rapidfuzz's (C) ratio puts below the bound is below it for difflib too: only the few
            # that pass pay for difflib's ratio, which stays the score (results unchanged)
            if fuzz.ratio(term, q, score_cutoff=_FUZZY_MIN_RATIO * 100 - 1e-6) == 0:
                continue
            matcher.set_seq1(term)
            r = matcher.ratio()
            if r >= _FUZZY_MIN_RATIO:
                out.append((term, r))
        out.sort(key=lambda t: -t[1])
        return out[:50]
