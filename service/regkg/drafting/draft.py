"""One proposed enforcement action from one article: every field with its evidence, or unsure.

The rule throughout: a field the text does not settle stays empty and is listed in
``unsure`` with the reason. A wrong amount in a knowledge graph is worse than a missing one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Final
from urllib.parse import urlsplit

from regkg.drafting.amounts import DOLLAR, Amount, find_amounts
from regkg.drafting.dates import FoundDate, find_dates, url_date
from regkg.drafting.entities import Mention, NameIndex, new_companies
from regkg.drafting.lexicon import Lexicon
from regkg.drafting.model import Draft, EntityField, Evidence
from regkg.drafting.text import Article, Sentence, read_article
from regkg.resolver import Catalogue, slugify

__all__ = ["Draft", "Drafter", "EntityField", "Evidence"]

#: jurisdiction slug -> its currency (for a bare "$" and for choosing between an amount and its conversion)
_CURRENCY_OF: Final = {
    "us": "USD", "au": "AUD", "ca": "CAD", "nz": "NZD", "sg": "SGD", "hk": "HKD", "eu": "EUR", "fr": "EUR",
    "de": "EUR", "it": "EUR", "es": "EUR", "nl": "EUR", "ie": "EUR", "be": "EUR", "at": "EUR", "pt": "EUR",
    "gr": "EUR", "lu": "EUR", "cn": "CNY", "in": "INR", "kr": "KRW", "jp": "JPY", "tr": "TRY", "br": "BRL",
    "gb": "GBP", "uk": "GBP", "ru": "RUB", "pl": "PLN", "se": "SEK", "no": "NOK", "hu": "HUF", "cz": "CZK",
    "id": "IDR", "mx": "MXN", "za": "ZAR", "ng": "NGN", "ke": "KES", "pk": "PKR", "tw": "TWD", "vn": "VND",
    "ph": "PHP", "my": "MYR", "ar": "ARS", "cl": "CLP", "co": "COP", "pe": "PEN", "sa": "SAR", "ae": "AED",
    "eg": "EGP", "ro": "RON", "bd": "BDT", "lk": "LKR",
}  # fmt: skip
_DOLLAR_COUNTRIES: Final = {"us", "au", "ca", "nz", "sg", "hk", "tw", "mx"}
_KIND_ORDER: Final = ("fine", "order", "ban", "commitments", "settlement", "court-ruling", "probe")


class Drafter:
    """Drafts actions against one catalogue (build it once: reading the graph's names takes a second)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.index = NameIndex(catalogue)
        self.lex = Lexicon()
        self.concern_labels: dict[str, list[str]] = {}
        for slug, iri in catalogue.concerns.items():
            labels = [v for vs in catalogue.labels.get(iri, {}).values() for v in vs]
            self.concern_labels[slug] = labels

    # ------------------------------------------------------------------ the whole draft
    def draft(self, raw: str, url: str | None = None) -> Draft:
        article = read_article(raw)
        d = Draft(language=article.language, text=article.text)
        mentions = self.index.mentions(article.text)
        d.kind = self._kind(article, d)
        self._regulator(article, mentions, d)
        self._targets(article, mentions, d)
        self._platforms(article, mentions, d)
        self._concerns(article, d)
        published = self._source(article, url, d)
        self._dates(article, published, d)
        self._amount(article, d)
        return d

    # ------------------------------------------------------------------ kind
    def _kind_of(self, s: Sentence) -> str | None:
        for kind in _KIND_ORDER:
            if self.lex.kinds[kind].search(s.text):
                if kind == "probe" and not self.lex.opening.search(s.text):
                    continue
                return kind
        return None

    def _kind(self, article: Article, d: Draft) -> str | None:
        for s in article.sentences:
            kind = self._kind_of(s)
            if kind:
                m = self.lex.kinds[kind].search(s.text)
                assert m is not None
                d.evidence["kind"] = Evidence(s.text, s.start + m.start(), s.start + m.end())
                return kind
        d.doubt("kind", "no sentence says what was done (a fine, an order, a probe opened, ...)")
        return None

    def _action_sentences(self, article: Article) -> list[Sentence]:
        return [s for s in article.sentences if self._kind_of(s)]

    # ------------------------------------------------------------------ who
    def _field(self, article: Article, m: Mention) -> EntityField:
        s = article.sentence_at(m.start)
        label = self.cat.english_label(m.iri) or m.name
        return EntityField(m.iri, label, False, Evidence(s.text, m.start, m.end))

    def _regulator(self, article: Article, mentions: list[Mention], d: Draft) -> None:
        found = [m for m in mentions if m.kinds & {"Authority", "Court"}]
        if not found:
            d.doubt("regulator", "no regulator or court of the graph is named in the text")
            return
        action_starts = {s.start for s in self._action_sentences(article)}
        named = self._jurisdictions_named(article)
        score: dict[str, tuple[int, int, int, int]] = {}
        for m in found:
            in_action = int(article.sentence_at(m.start).start in action_starts)
            home = int(self.cat.jurisdictions.get(m.iri) in named)
            count, acted, first = score.get(m.iri, (0, 0, 0, -m.start))[1:]
            score[m.iri] = (home, count + 1, acted + in_action, first)
        best = max(score, key=lambda i: (score[i][0], score[i][2] > 0, score[i][1], score[i][3]))
        first_mention = next(m for m in found if m.iri == best)
        d.regulator = self._field(article, first_mention)
        if len(score) > 1:
            self._doubt_other_authorities(found, best, d)

    @staticmethod
    def _doubt_other_authorities(found: list[Mention], best: str, d: Draft) -> None:
        """Another authority counts as named only where a name of its own stands in the text. One written
        only in a name it shares with the chosen one ("ANPD": Brazil's and Peru's) is no rival when a
        name only the chosen one bears settles it ("Autoridade Nacional de Proteção de Dados ( ANPD )");
        without such a name, the shared one is the doubt."""
        iris_at: dict[tuple[int, int], set[str]] = {}
        for m in found:
            iris_at.setdefault((m.start, m.end), set()).add(m.iri)
        chosen = {span for span, iris in iris_at.items() if best in iris}
        named = sorted({i for span, iris in iris_at.items() if span not in chosen for i in iris} - {best})
        if named:
            d.doubt("regulator", f"other authorities are named too ({', '.join(named)}); check which one acted")
        elif not any(iris == {best} for iris in iris_at.values()):
            shared = ", ".join(sorted({i for span in chosen for i in iris_at[span]} - {best}))
            name = next(m.name for m in found if m.iri == best)
            d.doubt("regulator", f"'{name}' names several authorities ({shared}); check which one acted")

    def _jurisdictions_named(self, article: Article) -> set[str]:
        """Jurisdictions whose name (any language) the text contains ("Australia's", "Australian")."""
        lowered = article.text.lower()
        named = set()
        for jur in set(self.cat.jurisdictions.values()):
            names = [v for vs in self.cat.labels.get(jur, {}).values() for v in vs if len(v) >= 4]
            if any(n.lower() in lowered for n in names):
                named.add(jur)
        return named

    def _targets(self, article: Article, mentions: list[Mention], d: Draft) -> None:
        action = {s.start for s in self._action_sentences(article)}
        regulator = d.regulator.iri if d.regulator else None
        spans: dict[tuple[int, int], set[str]] = {}
        for m in mentions:
            spans.setdefault((m.start, m.end), set()).update(m.kinds)
        companies: dict[str, list[Mention]] = {}
        shared: dict[str, list[Mention]] = {}  # named by a name that is a platform's too
        for m in mentions:
            if "Company" not in m.kinds or m.kinds & {"Authority", "Court"} or m.iri == regulator:
                continue
            if article.sentence_at(m.start).start not in action:
                continue
            bucket = shared if "Platform" in spans[(m.start, m.end)] else companies
            bucket.setdefault(m.iri, []).append(m)
        if not companies:
            self._new_target(article, mentions, d)
            if d.targets:
                return
            companies = shared
        ranked = sorted(companies.items(), key=lambda kv: (-len(kv[1]), kv[1][0].start))
        d.targets = [self._field(article, ms[0]) for _, ms in ranked]
        if not d.targets:
            d.doubt("targets", "no company named in a sentence about the action")

    def _new_target(self, article: Article, mentions: list[Mention], d: Draft) -> None:
        for name, start, end in new_companies(article, mentions, self.lex):
            s = article.sentence_at(start)
            close = self.index.closest(name)
            if close:
                iris = sorted(i for i in self.cat.names.get(close.casefold(), set()) if self.cat.is_a(i, "Company"))
                if len(iris) == 1:
                    label = self.cat.english_label(iris[0]) or close
                    d.targets.append(EntityField(iris[0], label, False, Evidence(s.text, start, end)))
                    d.doubt("targets", f"{name!r} read as {label!r}, the closest name in the graph")
                    return
            slug = slugify(name)
            if not slug:
                continue
            iri = f"https://w3id.org/regkg/id/org/{slug}"
            d.targets.append(EntityField(iri, name, True, Evidence(s.text, start, end)))
            d.doubt("targets", f"{name!r} is not in the graph: proposed as a new company; check its name")
            return

    def _platforms(self, article: Article, mentions: list[Mention], d: Draft) -> None:
        seen: set[str] = set()
        for m in mentions:
            if "Platform" in m.kinds and m.iri not in seen:
                seen.add(m.iri)
                d.platforms.append(self._field(article, m))

    # ------------------------------------------------------------------ what about
    def _concerns(self, article: Article, d: Draft) -> None:
        counts: dict[str, tuple[int, int, int]] = {}
        lowered = article.text.lower()
        for slug, iri in sorted(self.cat.concerns.items()):
            hits: list[tuple[int, int]] = []
            for label in self.concern_labels.get(slug, []):
                if len(label) >= 2:
                    hits += [(m.start(), m.end()) for m in re.finditer(re.escape(label.lower()), lowered)]
            pattern = self.lex.concerns.get(slug)
            if pattern:
                hits += [(m.start(), m.end()) for m in pattern.finditer(article.text)]
            if hits:
                first = min(hits)
                counts[iri] = (len(hits), first[0], first[1])
        if not counts:
            d.doubt("concern", "no concern of the scheme (antitrust, privacy, ...) is named")
            return
        top = max(c[0] for c in counts.values())
        for iri, (n, start, end) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[1][1])):
            if n * 3 >= top:
                d.concern.append(iri)
                key = "concern" if "concern" not in d.evidence else f"concern:{iri.rsplit('/', 1)[-1]}"
                d.evidence[key] = Evidence(article.sentence_at(start).text, start, end)

    # ------------------------------------------------------------------ source and dates
    def _source(self, article: Article, url: str | None, d: Draft) -> date | None:
        published: date | None = None
        for s in article.sentences[:6]:
            if self.lex.dateline.search(s.text):
                dates = find_dates(s.text, article.language)
                if dates:
                    published = dates[0].value
                    f = dates[0]
                    d.evidence["source_date"] = Evidence(s.text, s.start + f.start, s.start + f.end)
                    break
        if published is None and url:
            published = url_date(url)
        host = urlsplit(url).hostname if url else None
        publisher = host.removeprefix("www.") if host else None
        d.source = {
            "url": url,
            "publisher": publisher,
            "title": article.title or None,
            "date": published.isoformat() if published else None,
        }
        if not url:
            d.doubt("source", "no address given (--url): the source needs its URL")
        if published is None:
            d.doubt("source", "the text gives no publication date (no dateline, none in the address)")
        return published

    def _dates(self, article: Article, published: date | None, d: Draft) -> None:
        datelines = {s.start for s in article.sentences[:6] if self.lex.dateline.search(s.text)}

        def put(which: str, f: FoundDate | None, s: Sentence, value: date, note: str | None = None) -> None:
            setattr(d, which, value.isoformat())
            start, end = (s.start + f.start, s.start + f.end) if f else (s.start, s.end)
            d.evidence[which] = Evidence(s.text, start, end)
            if note:
                d.doubt(which, note)

        for s in article.sentences:
            if s.start in datelines:
                continue
            if self.lex.decided_label.search(s.text):
                found = find_dates(s.text, article.language, published)
                if found:
                    put("date_decided", found[0], s, found[0].value)
                    return
            kind = self._kind_of(s)
            if not kind:
                continue
            found = [f for f in find_dates(s.text, article.language, published)]
            if found and kind != "probe" and self.lex.opening.search(s.text) and len(found) == 1:
                found = []  # the date a probe was opened, in a sentence about the decision
            if found:
                which = "date_announced" if self.lex.announced.search(s.text) else "date_decided"
                note = "day and month from the text, year from the dateline" if found[0].partial else None
                put(which, found[0], s, found[0].value, note)
                return
            if published and self.lex.today.search(s.text):
                put("date_announced", None, s, published, "'today' read as the page's date")
                return
            if published and self.lex.yesterday.search(s.text):
                put("date_announced", None, s, published - timedelta(days=1), "'yesterday' read from the page's date")
                return
        body = [
            (s, f)
            for s in article.sentences
            if s.start not in datelines
            for f in find_dates(s.text, article.language)
            if not f.partial
        ]
        if len({f.value for _, f in body}) == 1:
            s, f = body[0]
            put("date_announced", f, s, f.value, "the only date in the text, not in a sentence about the action")
            return
        d.doubt("date_decided", "the text does not say on which day the action was decided or announced")

    # ------------------------------------------------------------------ amount
    def _jurisdiction(self, d: Draft) -> str | None:
        if not d.regulator:
            return None
        jur = self.cat.jurisdictions.get(d.regulator.iri)
        return jur.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] if jur else None

    def _amount(self, article: Article, d: Draft) -> None:
        if d.kind == "probe":
            d.doubt("amount", "the text reports a probe opened: amounts in it are about other decisions")
            return
        text = article.text
        candidates = find_amounts(text, article.language)
        if not candidates:
            if d.kind == "fine":
                d.doubt("amount", "no amount is stated")
            return
        jur = self._jurisdiction(d)
        home = _CURRENCY_OF.get(jur or "")
        usable: list[Amount] = []
        reasons: list[str] = []
        for a in candidates:
            s = article.sentence_at(a.start)
            before = text[max(s.start, a.start - 40) : a.start]
            after = text[a.end : min(s.end, a.end + 45)]
            if not self.lex.kinds["fine"].search(s.text):
                continue
            if self.lex.not_a_fine.search(text[max(s.start, a.start - 12) : a.start]) or re.match(
                r"\s?\d+(\.\d+)?%", after
            ):
                continue
            if self.lex.partial.search(before[-30:]) or self.lex.partial.search(after):
                reasons.append(f"{a.text!r} is one of several amounts (each, per day, per infringement)")
                continue
            if self.lex.bound.search(before) or self.lex.bound_after.search(after):
                reasons.append(f"{a.text!r} is stated as a bound ('over', 'about'), not as the amount")
                continue
            usable.append(a)
        if not usable:
            reason = "; ".join(dict.fromkeys(reasons)) or "no amount is stated in a sentence about a fine"
            d.doubt("amount", reason)
            return
        main = usable[0]
        # an amount and its conversion, "€4.34bn (£3.8bn)", "$42.7 million (A$60 million)": the regulator's currency
        pair = [
            a
            for a in candidates
            if a is not main and 0 <= a.start - main.end <= 3 and "(" in text[main.end : a.start + 1]
        ]
        if pair and home and main.currency != home and pair[0].currency == home:
            main = pair[0]
        # a rounded figure first ("2249억원"), the exact one later ("2249억3000만원"): the exact one
        for a in usable:
            if a.currency == main.currency and a.digits > main.digits and _rounds_to(a.value, main.value, main.digits):
                main = a
                break
        currency = main.currency
        if currency == DOLLAR:
            if jur in _DOLLAR_COUNTRIES and home:
                currency = home
                d.doubt("amount", f"'$' read as {home}, the currency of the regulator's jurisdiction")
            else:
                d.doubt("amount", f"{main.text!r}: which dollar is not said")
                return
        s = article.sentence_at(main.start)
        d.amount = {
            "value": _value_text(main),
            "currency": currency,
            "evidence": s.text,
            "span": [main.start, main.end],
            "as_written": main.text,
        }
        d.evidence["amount"] = Evidence(s.text, main.start, main.end)


def _rounds_to(precise: Decimal, coarse: Decimal, digits: int) -> bool:
    if precise == coarse or precise <= 0:
        return False
    exponent = precise.adjusted() - digits + 1
    quantum = Decimal(1).scaleb(exponent)
    return precise.quantize(quantum, rounding="ROUND_HALF_UP") == coarse.quantize(quantum, rounding="ROUND_HALF_UP")


def _value_text(a: Amount) -> str:
    """The amount in full units as text: scaled figures as whole numbers, others as written."""
    value = a.value
    scaled = bool(re.search(r"[^\d\s.,'\u00a0\u202f$€£¥₹₩₺]", re.sub(r"^[A-Z]{1,3}\$|^Rs\.?|^R\$", "", a.text)))
    if value == value.to_integral_value() and (scaled or value.as_tuple().exponent == 0):
        return str(int(value))
    return format(value, "f") if not scaled else format(value.normalize(), "f")
