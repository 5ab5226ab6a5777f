"""Words that tell what an article reports, in the languages regulators publish in.

Patterns are lower-case regular expressions matched against lower-cased sentences.
Each list is small on purpose: a sentence that matches none leaves its field unsure.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["CONCERN_WORDS", "KIND_WORDS", "Lexicon", "compiled"]

#: kind -> words of a sentence reporting it, most specific kinds first
KIND_WORDS: Final[dict[str, list[str]]] = {
    "fine": [
        r"\bfine[sd]?\b",
        r"\bpenalt(?:y|ies)\b",
        r"\bto pay\b",
        r"\bmonetary penalty",
        r"\bamende",
        r"\bsanction",
        r"\bmulta",
        r"\bsanzion",
        r"geldbu(?:ß|ss)e",
        r"bu(?:ß|ss)geld",
        r"\bstrafe\b",
        r"strafzahlung",
        r"\bbusse\b",
        r"para cezası",
        r"\bceza",
        r"罚款",
        r"被罚",
        r"处罚",
        r"罰款",
        r"處罰",
        r"과징금",
        r"벌금",
        r"課徴金",
        r"制裁金",
        r"罰金",
        r"punid",
        r"multad",
        r"\bmulto",
        r"\bmultó",
        r"\bsanç",
        r"\bpenalidade",
    ],
    "order": [
        r"\bordered\b",
        r"\bcease[- ]and[- ]desist",
        r"\binjonction",
        r"\bordonn",
        r"排除措置命令",
        r"責令",
        r"责令",
        r"시정명령",
        r"\banordnung",
        r"orden de cesación",
        r"\bdirected\b",
    ],
    "ban": [
        r"\bban(?:s|ned)?\b",
        r"\bblock(?:s|ed)?\b",
        r"\binterdi",
        r"\bverbot",
        r"\byasak",
        r"封禁",
        r"禁止",
        r"차단",
    ],
    "commitments": [r"\bcommitments\b", r"\bengagements\b", r"verpflichtungszusagen", r"\btaahhüt", r"承诺"],
    "settlement": [
        r"\bsettle(?:d|ment)\b",
        r"\bagreed to pay\b",
        r"\bvergleich",
        r"\buzlaşma",
        r"和解",
        r"\bacuerdo\b",
    ],
    "court-ruling": [
        r"\bcourt (?:ruled|found|held|upheld|annulled|dismissed)",
        r"\bjudgment\b",
        r"\bruled\b",
        r"\burteil",
        r"\bsentenza\b",
        r"\bsentencia\b",
        r"\barrêt\b",
        r"法院判决",
        r"판결",
        r"判決",
    ],
    "probe": [
        r"\bprobe\b",
        r"\binvestigat",
        r"\binquiry\b",
        r"\benquête",
        r"\bistruttoria",
        r"\bermittl",
        r"\bverfahren\b",
        r"\bsoruşturma",
        r"\bincoa",
        r"\binvestigación",
        r"\binvestigação",
        r"立案调查",
        r"立案調查",
        r"조사",
        r"審査",
    ],
}

#: a probe is only the kind when the sentence says it was opened
OPENING: Final[list[str]] = [
    r"\bopen(?:s|ed|ing)?\b", r"\blaunch", r"\bstart", r"\bbegan\b", r"\binitiat", r"\bouvr", r"\bouvert",
    r"\bavvi", r"\beingeleitet", r"\beinleit", r"açıl", r"başlat", r"\bincoa", r"\babr(?:e|ió|iu)", r"立案",
    r"착수", r"開始",
]  # fmt: skip

#: an amount stated as a bound is not the amount
BOUND: Final[list[str]] = [
    r"\b(?:over|more than|nearly|almost|about|around|approximately|roughly|up to|at least|some)\s*$",
    r"\b(?:oltre|più di|circa|fino a|quasi)\s*(?:\w+\s)?$",
    r"\b(?:plus de|près de|environ|jusqu'à|jusqu’à)\s*$",
    r"\b(?:über|mehr als|rund|knapp|fast|bis zu|etwa)\s*$",
    r"\b(?:más de|cerca de|hasta|casi|unos)\s*$",
    r"\b(?:mais de|cerca de|até|quase)\s*$",
    r"\b(?:yaklaşık|en az)\s*$",
    r"(?:약|최대)\s*$",
    r"(?:超过|约|逾|近|最高)\s*$",
    r"(?:約|最大)\s*$",
]
BOUND_AFTER: Final[list[str]] = [r"^\s*(?:여|이상|余|多|以上|超)", r"^\s*(?:or more|plus)\b"]

#: an amount that is one of several, per unit, per day, or a base of a percentage
PARTIAL: Final[list[str]] = [
    r"\b(?:each|apiece|per day|a day|per infringement|per violation|per user)\b", r"\bcada\b", r"\bambas\b",
    r"\bduas multas\b", r"\bdois\b", r"\bpor infração\b", r"\bpar jour\b", r"\bchacune?\b", r"\bal giorno\b",
    r"\bciascun", r"\bjeweils\b", r"\bpro tag\b", r"\bgünlük\b", r"\bher biri", r"各处", r"各處", r"每日", r"각각",
    r"일일", r"\btwo fines\b", r"\bpor día\b",
]  # fmt: skip
#: words that make an amount the base of something else (revenue, turnover) rather than a fine
NOT_A_FINE: Final[list[str]] = [
    r"\b(?:revenue|turnover|sales|profit|market value|valuation|raised|worth)\b", r"chiffre d'affaires", r"\bumsatz",
    r"\bfatturato", r"\bfacturación", r"\bfaturamento", r"\bciro", r"销售额", r"營業額", r"매출", r"수익", r"売上",
    r"保证金", r"保證金",
]  # fmt: skip

TODAY: Final[list[str]] = [
    r"\btoday\b", r"\baujourd'hui\b", r"\baujourd’hui\b", r"\bheute\b", r"\boggi\b", r"\bhoy\b", r"\bhoje\b",
    r"\bbugün\b", r"本日", r"今日", r"今天", r"오늘",
]  # fmt: skip
YESTERDAY: Final[list[str]] = [
    r"\byesterday\b", r"\bhier\b", r"\bgestern\b", r"\bgestrigen\b", r"\bieri\b", r"\bayer\b", r"\bontem\b",
    r"\bdün\b", r"昨日", r"昨天", r"어제",
]  # fmt: skip
DECIDED_LABEL: Final[list[str]] = [r"^\s*decided\s*:", r"^\s*decision date\s*:"]
ANNOUNCED: Final[list[str]] = [
    r"\bannounc", r"\bsaid\b", r"\bstated\b", r"\bpublished\b", r"\bpublicou\b", r"\bannonc", r"\bmitteilte",
    r"\bmitgeteilt", r"\bcomunicat", r"\bpubblicat", r"\bpublicó", r"\baçıkladı", r"公布", r"发布", r"発表",
    r"公表", r"밝혔", r"발표", r"따르면",
]  # fmt: skip
#: lines that date the page rather than the action
DATELINE: Final[list[str]] = [
    r"^\s*date\s*:", r"posted on", r"^\s*published\s*:", r"송고시간", r"기사출고", r"来源[:：]",
    r"\d{4}-\d{2}-\d{2}[ t]\d{2}:\d{2}",
    r"^\s*\[.*\d{2}-\d{2}-\d{4}\]\s*$", r"마이나비|マイナビ", r"^\s*(?:令和|平成)\d+年\d+月\d+日\s*$",
    r"^\s*\w+ \d{1,2},? \d{4}\s*$", r"^\s*\d{1,2} \w+,? \d{4}\s*$", r"^\s*\d{4}-\d{2}-\d{2}\s*$",
    r"^\s*\d{4}年\d{1,2}月\d{1,2}日",
]  # fmt: skip

#: concern slug -> words (the SKOS scheme's labels are read from the graph; these add the
#: other languages' words the scheme has no alternative labels for)
CONCERN_WORDS: Final[dict[str, list[str]]] = {
    "antitrust": [
        r"\bantitrust",
        r"\bcompetition law",
        r"\bdominan",
        r"\bmonopol",
        r"\bcartel",
        r"\bconcurrence\b",
        r"\bconcorrenza\b",
        r"\bcompetencia\b",
        r"\bconcorrência\b",
        r"\bwettbewerb",
        r"\bkartell",
        r"\brekabet",
        r"position dominante",
        r"posizione dominante",
        r"posición de dominio",
        r"beherrschende",
        r"hâkim durum",
        r"垄断",
        r"壟斷",
        r"支配地位",
        r"独占禁止法",
        r"公正取引",
        r"시장지배",
        r"공정거래",
        r"competition act",
        r"\bcompetition\b",
        r"anticompetitive",
        r"self-preferenc",
    ],
    "privacy": [
        r"\bprivacy\b",
        r"personal (?:data|information)",
        r"\bgdpr\b",
        r"\brgpd\b",
        r"\blgpd\b",
        r"\bcookies?\b",
        r"données personnelles",
        r"dati personali",
        r"datos personales",
        r"dados pessoais",
        r"datenschutz",
        r"kişisel veri",
        r"个人信息",
        r"個人信息",
        r"개인정보",
        r"個人情報",
        r"location data",
        r"proteção de dados",
        r"protection des données",
        r"data protection",
    ],
    "data-security": [
        r"data security",
        r"cybersecurity",
        r"数据安全",
        r"網絡安全",
        r"网络安全",
        r"數據安全",
        r"데이터 보안",
    ],
    "consumer-protection": [
        r"\bmislead",
        r"\bconsumer law",
        r"consumer protection",
        r"\bconsommat",
        r"\bconsumator",
        r"\bverbraucher",
        r"\btüketici",
        r"消费者",
        r"소비자",
        r"消費者",
        r"\bconsumidor",
    ],
    "child-safety": [r"\bchild(?:ren)?\b.{0,20}safety", r"\bminors\b", r"未成年", r"아동", r"\bmineurs\b"],
    "content": [r"\bdisinformation\b", r"\billegal content\b", r"\bhate speech\b", r"\bcontent moderation\b"],
    "labour": [r"\bworkers?'? rights\b", r"\bgig workers\b", r"骑手", r"\blabou?r law\b"],
    "tax": [r"\btax (?:evasion|avoidance|authority)\b", r"\bback taxes\b", r"税务"],
    "financial-listing": [r"\blisting\b", r"\bipo\b", r"上市", r"securities regulator"],
}

#: words that introduce a company's name ("the company X", "a microempresa X")
COMPANY_INTRO: Final = (
    r"(?:company|firm|operator|empresa|microempresa|companhia|société|entreprise|unternehmen|konzern|azienda|"
    r"società|şirket(?:i)?|startup|start-up|app|platform)"
)
COMPANY_SUFFIX: Final = (
    r"(?:Inc\.?|Ltd\.?|LLC|GmbH|S\.A\.|SA|S\.p\.A\.|S\.r\.l\.|B\.V\.|N\.V\.|PLC|plc|AG|SE|Pty Ltd|Ltda\.?)"
)
#: a fine verb near a new name ("X — punida com", "X was fined")
SANCTIONED: Final[list[str]] = [
    r"\bfined\b", r"\bpenali[sz]ed\b", r"\bpunid", r"\bmultad", r"\bsanctionn", r"\bsanzionat", r"\bsancionad",
    r"\bverurteilt", r"\bcezalandır", r"\bbestraft", r"\bpunished\b",
]  # fmt: skip


class Lexicon:
    """The lists above, compiled once."""

    def __init__(self) -> None:
        self.kinds = {k: compiled(v) for k, v in KIND_WORDS.items()}
        self.opening = compiled(OPENING)
        self.bound = compiled(BOUND)
        self.bound_after = compiled(BOUND_AFTER)
        self.partial = compiled(PARTIAL)
        self.not_a_fine = compiled(NOT_A_FINE)
        self.today = compiled(TODAY)
        self.yesterday = compiled(YESTERDAY)
        self.decided_label = compiled(DECIDED_LABEL)
        self.announced = compiled(ANNOUNCED)
        self.dateline = compiled(DATELINE)
        self.concerns = {k: compiled(v) for k, v in CONCERN_WORDS.items()}
        self.sanctioned = compiled(SANCTIONED)


def compiled(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.MULTILINE)
