"""shapes/: a table of crafted bad instances and the violation each must raise, covering every
NodeShape of shapes/*.ttl and every shapes/*-violation.rq check; the shipped data conforms.

All cases are validated together, with the ontology and a small valid context (a regulator, a
company, a source, ...), in one pyshacl run; each case's focus node has its own IRI, so each
case checks that its own violation (message, path, shape) is reported for its own node."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from regkg import loading, resources, vocab
from regkg.loading import RdfParseError
from regkg.validation import ValidationReport, Violation, validate_files, validate_quads

T = f"{vocab.ID}test/"
RKS = "https://w3id.org/regkg/shapes#"

PREFIXES = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in vocab.PREFIXES.items()) + (
    f"@prefix t: <{T}> .\n@prefix rks: <{RKS}> .\n"
)

# A valid neighbourhood the bad instances point into.
CONTEXT = """
t:jur a rk:Jurisdiction ; rdfs:label "Testland"@en ; skos:notation "TL" .
t:reg a rk:Regulator ; rdfs:label "Test regulator"@en ; rk:jurisdiction t:jur .
t:pub a rk:Publisher ; rdfs:label "Test publisher"@en .
t:src a rk:Source , schema:NewsArticle ; dct:title "A test report"@en ; schema:publisher t:pub ;
    dct:date "2021-01-01"^^xsd:date ; schema:url <https://example.org/report> .
t:co a rk:Company ; rdfs:label "Test company"@en ; rk:jurisdiction t:jur .
t:pf a rk:Platform ; rdfs:label "Test platform"@en ; rk:operatedBy t:co .
t:law a rk:Law ; rdfs:label "Test law"@en ; rk:jurisdiction t:jur .
t:probe a rk:Probe ; rdfs:label "Test probe"@en ; rk:regulator t:reg ; rk:target t:co ;
    rk:concern concern:antitrust ; rk:dateOpened "2020-01-01"^^xsd:date ; prov:wasDerivedFrom t:src ;
    rk:resultedIn t:fine .
t:act a rk:Decision ; rdfs:label "Test decision"@en ; rk:regulator t:reg ; rk:target t:co ;
    rk:platform t:pf ; rk:concern concern:antitrust ; rk:legalBasis t:law ; rk:followsProbe t:probe ;
    rk:dateDecided "2021-01-01"^^xsd:date ; rk:status rk:Concluded ; prov:wasDerivedFrom t:src ;
    rk:outcome t:fine .
t:fine a rk:Fine ; rdfs:label "Test fine"@en ; rk:penalisedEntity t:co ; prov:wasDerivedFrom t:src ;
    rk:amount t:amount .
t:amount a schema:MonetaryAmount ; schema:value "1000"^^xsd:decimal ; schema:currency "EUR" ;
    rk:convertedAmount t:amount-usd .
t:amount-usd a schema:MonetaryAmount ; schema:value "1100"^^xsd:decimal ; schema:currency "USD" ;
    rk:exchangeRate t:rate .
t:rate a rk:ExchangeRate ; rk:rate "1.1"^^xsd:decimal ; rk:fromCurrency "EUR" ; rk:toCurrency "USD" ;
    dct:date "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .
t:camp a rk:Campaign ; rdfs:label "Test campaign"@en ; rk:regulator t:reg ; rk:concern concern:content ;
    rk:dateOpened "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .
t:rule a rk:Rule ; rdfs:label "Test rule"@en ; rk:regulator t:reg ; rk:jurisdiction t:jur ;
    rk:concern concern:privacy ; rk:dateAnnounced "2021-01-01"^^xsd:date ; rk:ruleStage "draft" ;
    prov:wasDerivedFrom t:src .
t:init a rk:Initiative ; rdfs:label "Test initiative"@en ; rk:participant t:co ;
    rk:dateAnnounced "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .
t:review a rk:JudicialReview ; rdfs:label "Test review"@en ; rk:regulator t:reg ; rk:target t:co ;
    rk:concern concern:antitrust ; rk:dateDecided "2022-01-01"^^xsd:date ; rk:reviews t:act ;
    prov:wasDerivedFrom t:src .
"""

# An action's required parts, for cases that break one other thing.
ACTION_OK = (
    'rdfs:label "Bad action"@en ; rk:regulator t:reg ; rk:target t:co ; rk:concern concern:antitrust ; '
    'rk:dateDecided "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src'
)
# An action's required parts without a date, for cases that set their own dates.
ACTION_DATELESS = (
    'rdfs:label "Dated action"@en ; rk:regulator t:reg ; rk:target t:co ; rk:concern concern:antitrust ; '
    "prov:wasDerivedFrom t:src"
)
SOURCE_OK = 'dct:title "T"@en ; schema:publisher t:pub ; dct:date "2021-01-01"^^xsd:date'
RATE_OK = 'rk:rate "1.1"^^xsd:decimal ; rk:fromCurrency "EUR" ; rk:toCurrency "USD" ; prov:wasDerivedFrom t:src'


@dataclass(frozen=True)
class Case:
    name: str
    covers: str  # the NodeShape (rks: local name) or the *-violation.rq file the case exercises
    turtle: str
    message: str  # a substring of the expected message
    path: str | None = None  # a substring of the expected result path; None: a node-level result
    shape: str | None = None  # the reported shape (rks: local name or shapes/x.rq); default: covers
    node: str | None = None  # the focus node, when it is not t:<name> (ontology terms are rk:<name>)
    severity: str = "Violation"  # the expected result severity (a few shapes only warn)

    @property
    def focus(self) -> str:
        return self.node or T + self.name

    @property
    def reported_shape(self) -> str:
        s = self.shape or self.covers
        return s if s.endswith(".rq") else RKS + s


RK = vocab.RK
CASES = [
    # ---------------------------------------------------------------- ontology style
    Case("ontology-no-version", "OntologyHeaderShape", 't:ontology-no-version a owl:Ontology ; rdfs:label "x"@en ; '
         'rdfs:comment "x"@en .', "the ontology needs one owl:versionIRI", "owl#versionIRI"),
    Case("ontology-no-label", "OntologyHeaderShape", 't:ontology-no-label a owl:Ontology ; '
         'owl:versionIRI <https://example.org/1> ; owl:versionInfo "1" .', "the ontology needs an rdfs:label",
         "rdf-schema#label"),
    Case("term-unlabelled", "TermShape", "rk:TermUnlabelled a owl:Class ; rdfs:comment \"x\"@en ; "
         "rdfs:isDefinedBy <https://w3id.org/regkg/ontology> .", "needs an English rdfs:label", "rdf-schema#label",
         node=RK + "TermUnlabelled"),
    Case("term-uncommented", "TermShape", "rk:termUncommented a owl:DatatypeProperty ; rdfs:label \"x\"@en ; "
         "rdfs:isDefinedBy <https://w3id.org/regkg/ontology> .", "needs an English rdfs:comment",
         "rdf-schema#comment", node=RK + "termUncommented"),
    Case("term-undefined", "TermShape", 'rk:TermUndefined a owl:Class ; rdfs:label "x"@en ; rdfs:comment "x"@en .',
         "rdfs:isDefinedBy <https://w3id.org/regkg/ontology>", "isDefinedBy", node=RK + "TermUndefined"),
    Case("class-lower", "ClassNameShape", 'rk:classLower a owl:Class .', "UpperCamelCase", node=RK + "classLower"),
    Case("PropertyUpper", "PropertyNameShape", "rk:PropertyUpper a owl:DatatypeProperty .", "lowerCamelCase",
         node=RK + "PropertyUpper"),
    Case("noRange", "PropertyDocumentedRangeShape", "rk:noRange a owl:ObjectProperty .", "needs an rdfs:range",
         node=RK + "noRange"),
    # ---------------------------------------------------------------- agents
    Case("authority-no-jurisdiction", "AuthorityShape", 't:authority-no-jurisdiction a rk:Regulator ; '
         'rdfs:label "R"@en .', "an authority needs its rk:jurisdiction", "#jurisdiction"),
    Case("authority-two-parents", "AuthorityShape", 't:authority-two-parents a rk:Regulator ; rdfs:label "R"@en ; '
         "rk:jurisdiction t:jur ; rk:parentAuthority t:reg , t:authority-no-jurisdiction .",
         "rk:parentAuthority must be one rk:Authority", "#parentAuthority"),
    Case("authority-plain-label", "AuthorityShape", 't:authority-plain-label a rk:Regulator ; rdfs:label "R" ; '
         "rk:jurisdiction t:jur .", "carries a language tag", "rdf-schema#label", "LabelsAreLangStrings"),
    Case("company-zh-only", "CompanyShape", 't:company-zh-only a rk:Company ; rdfs:label "公司"@zh .',
         "needs an English rdfs:label", "rdf-schema#label", "EnglishLabel"),
    Case("company-subsidiary-of-platform", "CompanyShape", 't:company-subsidiary-of-platform a rk:Company ; '
         'rdfs:label "C"@en ; rk:subsidiaryOf t:pf .', "rk:subsidiaryOf must point to a rk:Company", "#subsidiaryOf"),
    Case("company-minority-stake-in-platform", "CompanyShape", 't:company-minority-stake-in-platform a rk:Company ; '
         'rdfs:label "C"@en ; rk:minorityStakeIn t:pf .', "rk:minorityStakeIn must point to a rk:Company",
         "#minorityStakeIn"),
    Case("company-operates-company", "CompanyShape", 't:company-operates-company a rk:Company ; rdfs:label "C"@en ; '
         "rk:operates t:co .", "rk:operates must point to a rk:Platform", "#operates"),
    Case("company-bad-jurisdiction", "CompanyShape", 't:company-bad-jurisdiction a rk:Company ; rdfs:label "C"@en ; '
         "rk:jurisdiction t:co .", "rk:jurisdiction must point to a rk:Jurisdiction", "#jurisdiction",
         "JurisdictionLink"),
    Case("company-bad-source", "CompanyShape", 't:company-bad-source a rk:Company ; rdfs:label "C"@en ; '
         "prov:wasDerivedFrom t:co .", "prov:wasDerivedFrom must point to a rk:Source", "wasDerivedFrom",
         "SourcesAreSources"),
    Case("company-control-and-stake", "CompanyShape", 't:company-control-and-stake a rk:Company ; rdfs:label "C"@en ; '
         "rk:subsidiaryOf t:co ; rk:minorityStakeIn t:co .", "both a subsidiary of and hold a minority stake"),
    Case("company-cycle", "CompanyShape", 't:company-cycle a rk:Company ; rdfs:label "C"@en . '
         't:company-cycle-2 a rk:Company ; rdfs:label "C2"@en ; rk:subsidiaryOf t:company-cycle . '
         "t:company-cycle rk:subsidiaryOf t:company-cycle-2 .", "must not form a cycle"),
    Case("publisher-unlabelled", "PublisherShape", "t:publisher-unlabelled a rk:Publisher .",
         "needs an English rdfs:label", "rdf-schema#label", "EnglishLabel"),
    Case("organisation-unlabelled", "OrganizationShape", "t:organisation-unlabelled a org:Organization .",
         "needs an English rdfs:label", "rdf-schema#label", "EnglishLabel"),
    Case("platform-no-operator", "PlatformShape", 't:platform-no-operator a rk:Platform ; rdfs:label "P"@en .',
         "a platform needs its operator", "#operatedBy"),
    Case("platform-sector-not-concept", "PlatformShape", 't:platform-sector-not-concept a rk:Platform ; '
         'rdfs:label "P"@en ; rk:operatedBy t:co ; rk:sector t:co .', "rk:sector must be a concept", "#sector"),
    Case("jurisdiction-bad-code", "JurisdictionShape", 't:jurisdiction-bad-code a rk:Jurisdiction ; '
         'rdfs:label "J"@en ; skos:notation "usa" .', "ISO 3166-1 alpha-2", "#notation"),
    Case("law-no-jurisdiction", "LawShape", 't:law-no-jurisdiction a rk:Law ; rdfs:label "L"@en .',
         "a law needs its rk:jurisdiction", "#jurisdiction"),
    # ---------------------------------------------------------------- actions
    Case("action-no-regulator", "EnforcementActionShape", 't:action-no-regulator a rk:Decision ; rdfs:label "A"@en ; '
         'rk:target t:co ; rk:concern concern:antitrust ; rk:dateDecided "2021-01-01"^^xsd:date ; '
         "prov:wasDerivedFrom t:src .", "an action needs its regulator", "#regulator"),
    Case("action-regulator-is-company", "EnforcementActionShape", f"t:action-regulator-is-company a rk:Decision ; "
         f"{ACTION_OK} ; rk:regulator t:co .", "an action needs its regulator", "#regulator"),
    Case("action-no-target", "EnforcementActionShape", 't:action-no-target a rk:Decision ; rdfs:label "A"@en ; '
         'rk:regulator t:reg ; rk:concern concern:antitrust ; rk:dateDecided "2021-01-01"^^xsd:date ; '
         "prov:wasDerivedFrom t:src .", "at least one target", "#target"),
    Case("action-no-concern", "EnforcementActionShape", 't:action-no-concern a rk:Decision ; rdfs:label "A"@en ; '
         'rk:regulator t:reg ; rk:target t:co ; rk:dateDecided "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "at least one rk:concern", "#concern"),
    Case("action-no-date", "EnforcementActionShape", 't:action-no-date a rk:Decision ; rdfs:label "A"@en ; '
         "rk:regulator t:reg ; rk:target t:co ; rk:concern concern:antitrust ; prov:wasDerivedFrom t:src .",
         "an action needs a date"),
    Case("action-no-source", "EnforcementActionShape", 't:action-no-source a rk:Decision ; rdfs:label "A"@en ; '
         'rk:regulator t:reg ; rk:target t:co ; rk:concern concern:antitrust ; rk:dateDecided "2021-01-01"^^xsd:date .',
         "cites no source", "wasDerivedFrom", "HasSource"),
    Case("action-string-date", "EnforcementActionShape", 't:action-string-date a rk:Decision ; rdfs:label "A"@en ; '
         'rk:regulator t:reg ; rk:target t:co ; rk:concern concern:antitrust ; rk:dateDecided "2021-01-01" ; '
         "prov:wasDerivedFrom t:src .", "rk:dateDecided is one xsd:date", "#dateDecided"),
    Case("action-ill-typed-date", "EnforcementActionShape", f"t:action-ill-typed-date a rk:Decision ; {ACTION_OK} ; "
         'rk:dateAnnounced "2021-13-45"^^xsd:date .', "rk:dateAnnounced is one xsd:date", "#dateAnnounced"),
    Case("action-two-opened", "EnforcementActionShape", f"t:action-two-opened a rk:Probe ; {ACTION_OK} ; "
         'rk:dateOpened "2020-01-01"^^xsd:date , "2020-02-01"^^xsd:date .', "rk:dateOpened is one xsd:date",
         "#dateOpened"),
    Case("action-two-announced", "EnforcementActionShape", f"t:action-two-announced a rk:Decision ; {ACTION_OK} ; "
         'rk:dateAnnounced "2020-01-01"^^xsd:date , "2020-02-01"^^xsd:date .', "rk:dateAnnounced is one xsd:date",
         "#dateAnnounced"),
    Case("action-two-ended", "EnforcementActionShape", f"t:action-two-ended a rk:Probe ; {ACTION_OK} ; "
         'rk:dateEnded "2020-01-01"^^xsd:date , "2020-02-01"^^xsd:date .', "rk:dateEnded is one xsd:date",
         "#dateEnded"),
    Case("action-two-statuses", "EnforcementActionShape", f"t:action-two-statuses a rk:Decision ; {ACTION_OK} ; "
         "rk:status rk:Open , rk:Concluded .", "rk:status is one rk:ActionStatus", "#status"),
    Case("action-platform-is-company", "EnforcementActionShape", f"t:action-platform-is-company a rk:Decision ; "
         f"{ACTION_OK} ; rk:platform t:co .", "rk:platform must point to a rk:Platform", "#platform"),
    Case("action-basis-not-law", "EnforcementActionShape", f"t:action-basis-not-law a rk:Decision ; {ACTION_OK} ; "
         "rk:legalBasis t:co .", "rk:legalBasis must point to a rk:Law", "#legalBasis"),
    Case("action-outcome-not-penalty", "EnforcementActionShape", f"t:action-outcome-not-penalty a rk:Decision ; "
         f"{ACTION_OK} ; rk:outcome t:co .", "rk:outcome must point to a rk:Penalty", "#outcome"),
    Case("action-campaign-not-campaign", "EnforcementActionShape", f"t:action-campaign-not-campaign a rk:Decision ; "
         f"{ACTION_OK} ; rk:partOfCampaign t:co .", "rk:partOfCampaign must point to a rk:Campaign",
         "#partOfCampaign"),
    Case("action-follows-decision", "EnforcementActionShape", f"t:action-follows-decision a rk:Decision ; "
         f"{ACTION_OK} ; rk:followsProbe t:act .", "rk:followsProbe must point to a rk:Probe", "#followsProbe"),
    Case("probe-resulted-in-company", "ProbeShape", f"t:probe-resulted-in-company a rk:Probe ; {ACTION_OK} ; "
         "rk:resultedIn t:co .", "rk:resultedIn must point to a rk:Penalty", "#resultedIn"),
    Case("review-reviews-nothing", "JudicialReviewShape", f"t:review-reviews-nothing a rk:JudicialReview ; "
         f"{ACTION_OK} .", "a judicial review needs rk:reviews", "#reviews"),
    Case("penalty-orphan", "PenaltyShape", 't:penalty-orphan a rk:RectificationOrder ; rdfs:label "O"@en ; '
         "prov:wasDerivedFrom t:src .", "must be the rk:outcome of an action", "#outcome"),
    Case("penalty-no-source", "PenaltyShape", 't:penalty-no-source a rk:AccountBan ; rdfs:label "B"@en . '
         "t:act rk:outcome t:penalty-no-source .", "cites no source", "wasDerivedFrom", "HasSource"),
    Case("penalty-on-platform", "PenaltyShape", 't:penalty-on-platform a rk:AppRemoval ; rdfs:label "R"@en ; '
         "prov:wasDerivedFrom t:src ; rk:penalisedEntity t:pf . t:act rk:outcome t:penalty-on-platform .",
         "rk:penalisedEntity must point to a company or organisation", "#penalisedEntity"),
    Case("penalty-platform-is-company", "PenaltyShape", 't:penalty-platform-is-company a rk:ServiceSuspension ; '
         'rdfs:label "S"@en ; prov:wasDerivedFrom t:src ; rk:platform t:co . '
         "t:act rk:outcome t:penalty-platform-is-company .", "rk:platform must point to a rk:Platform", "#platform"),
    Case("fine-amount-not-amount", "FineShape", 't:fine-amount-not-amount a rk:Fine ; rdfs:label "F"@en ; '
         "prov:wasDerivedFrom t:src ; rk:amount t:co . t:act rk:outcome t:fine-amount-not-amount .",
         "rk:amount must be a schema:MonetaryAmount", "#amount"),
    Case("amount-negative", "MonetaryAmountShape", 't:amount-negative a schema:MonetaryAmount ; '
         'schema:value "-5"^^xsd:decimal ; schema:currency "EUR" .', "non-negative xsd:decimal", "schema.org/value"),
    Case("amount-string-value", "MonetaryAmountShape", 't:amount-string-value a schema:MonetaryAmount ; '
         'schema:value "5 million" ; schema:currency "EUR" .', "non-negative xsd:decimal", "schema.org/value"),
    Case("amount-yuan", "MonetaryAmountShape", 't:amount-yuan a schema:MonetaryAmount ; '
         'schema:value "5"^^xsd:decimal ; schema:currency "yuan" .', "ISO 4217", "schema.org/currency"),
    Case("amount-no-currency", "MonetaryAmountShape", 't:amount-no-currency a schema:MonetaryAmount ; '
         'schema:value "5"^^xsd:decimal .', "ISO 4217", "schema.org/currency"),
    Case("amount-converted-to-company", "MonetaryAmountShape",
         't:amount-converted-to-company a schema:MonetaryAmount ; schema:value "5"^^xsd:decimal ; '
         'schema:currency "EUR" ; rk:convertedAmount t:co .',
         "rk:convertedAmount must be a schema:MonetaryAmount", "#convertedAmount"),
    Case("amount-rate-not-rate", "MonetaryAmountShape", 't:amount-rate-not-rate a schema:MonetaryAmount ; '
         'schema:value "5"^^xsd:decimal ; schema:currency "USD" ; rk:exchangeRate t:co .', "rk:exchangeRate",
         "#exchangeRate"),
    Case("rate-zero", "ExchangeRateShape", 't:rate-zero a rk:ExchangeRate ; rk:rate "0"^^xsd:decimal ; '
         'rk:fromCurrency "EUR" ; rk:toCurrency "USD" ; dct:date "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "positive xsd:decimal rk:rate", "#rate"),
    Case("rate-bad-from", "ExchangeRateShape", 't:rate-bad-from a rk:ExchangeRate ; rk:rate "1.1"^^xsd:decimal ; '
         'rk:fromCurrency "euro" ; rk:toCurrency "USD" ; dct:date "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "rk:fromCurrency, an ISO 4217 code", "#fromCurrency"),
    Case("rate-no-to", "ExchangeRateShape", 't:rate-no-to a rk:ExchangeRate ; rk:rate "1.1"^^xsd:decimal ; '
         'rk:fromCurrency "EUR" ; dct:date "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "rk:toCurrency, an ISO 4217 code", "#toCurrency"),
    Case("rate-undated", "ExchangeRateShape", f"t:rate-undated a rk:ExchangeRate ; {RATE_OK} .",
         "the dct:date it applies to", "terms/date"),
    Case("rate-unsourced", "ExchangeRateShape", 't:rate-unsourced a rk:ExchangeRate ; rk:rate "1.1"^^xsd:decimal ; '
         'rk:fromCurrency "EUR" ; rk:toCurrency "USD" ; dct:date "2021-01-01"^^xsd:date .', "cites no source",
         "wasDerivedFrom", "HasSource"),
    # ---------------------------------------------------------------- groupings and measures
    Case("campaign-no-regulator", "CampaignShape", 't:campaign-no-regulator a rk:Campaign ; rdfs:label "C"@en ; '
         'rk:concern concern:content ; rk:dateOpened "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "a campaign needs its regulator", "#regulator"),
    Case("campaign-no-concern", "CampaignShape", 't:campaign-no-concern a rk:Campaign ; rdfs:label "C"@en ; '
         'rk:regulator t:reg ; rk:dateOpened "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "a campaign needs at least one rk:concern", "#concern"),
    Case("campaign-undated", "CampaignShape", 't:campaign-undated a rk:Campaign ; rdfs:label "C"@en ; '
         "rk:regulator t:reg ; rk:concern concern:content ; prov:wasDerivedFrom t:src .",
         "a campaign needs one rk:dateOpened", "#dateOpened"),
    Case("rule-bad-stage", "RuleShape", 't:rule-bad-stage a rk:Rule ; rdfs:label "R"@en ; rk:regulator t:reg ; '
         'rk:jurisdiction t:jur ; rk:concern concern:privacy ; rk:dateAnnounced "2021-01-01"^^xsd:date ; '
         'rk:ruleStage "proposed" ; prov:wasDerivedFrom t:src .', "rk:ruleStage is one of", "#ruleStage"),
    Case("rule-no-jurisdiction", "RuleShape", 't:rule-no-jurisdiction a rk:Rule ; rdfs:label "R"@en ; '
         'rk:regulator t:reg ; rk:concern concern:privacy ; rk:dateAnnounced "2021-01-01"^^xsd:date ; '
         "prov:wasDerivedFrom t:src .", "a rule needs its rk:jurisdiction", "#jurisdiction"),
    Case("rule-no-regulator", "RuleShape", 't:rule-no-regulator a rk:Rule ; rdfs:label "R"@en ; '
         'rk:jurisdiction t:jur ; rk:concern concern:privacy ; rk:dateAnnounced "2021-01-01"^^xsd:date ; '
         "prov:wasDerivedFrom t:src .", "the authority that issued it", "#regulator"),
    Case("rule-undated", "RuleShape", 't:rule-undated a rk:Rule ; rdfs:label "R"@en ; rk:regulator t:reg ; '
         "rk:jurisdiction t:jur ; rk:concern concern:privacy ; prov:wasDerivedFrom t:src .",
         "a rule needs one rk:dateAnnounced", "#dateAnnounced"),
    Case("initiative-no-participant", "InitiativeShape", 't:initiative-no-participant a rk:Initiative ; '
         'rdfs:label "I"@en ; rk:dateAnnounced "2021-01-01"^^xsd:date ; prov:wasDerivedFrom t:src .',
         "at least one rk:participant", "#participant"),
    Case("initiative-undated", "InitiativeShape", 't:initiative-undated a rk:Initiative ; rdfs:label "I"@en ; '
         "rk:participant t:co ; prov:wasDerivedFrom t:src .", "an initiative needs one rk:dateAnnounced",
         "#dateAnnounced"),
    # ---------------------------------------------------------------- sources
    Case("source-literal-url", "SourceShape", f't:source-literal-url a rk:Source ; {SOURCE_OK} ; '
         'schema:url "https://example.org/x" .', "exactly one schema:url, an http(s) IRI", "schema.org/url"),
    Case("source-ftp-url", "SourceShape", f"t:source-ftp-url a rk:Source ; {SOURCE_OK} ; "
         "schema:url <ftp://example.org/x> .", "exactly one schema:url, an http(s) IRI", "schema.org/url"),
    Case("source-untitled", "SourceShape", 't:source-untitled a rk:Source ; schema:publisher t:pub ; '
         'dct:date "2021-01-01"^^xsd:date ; schema:url <https://example.org/u> .', "a source needs its dct:title",
         "terms/title"),
    Case("source-publisher-not-publisher", "SourceShape", 't:source-publisher-not-publisher a rk:Source ; '
         'dct:title "T"@en ; schema:publisher t:co ; dct:date "2021-01-01"^^xsd:date ; '
         "schema:url <https://example.org/p> .", "a rk:Publisher", "schema.org/publisher"),
    Case("source-undated", "SourceShape", 't:source-undated a rk:Source , rk:ReferencePage ; dct:title "T"@en ; '
         "schema:publisher t:pub ; schema:url <https://example.org/d> .", "a source needs its publication date"),
    Case("source-accessed-string", "SourceShape", 't:source-accessed-string a rk:ReferencePage ; dct:title "T"@en ; '
         'schema:publisher t:pub ; schema:url <https://example.org/s> ; rk:accessed "yesterday" .',
         "rk:accessed is one xsd:date", "#accessed"),
    Case("article-undated", "DatedSourceShape", 't:article-undated a rk:Source , schema:NewsArticle ; '
         'dct:title "T"@en ; schema:publisher t:pub ; schema:url <https://example.org/n> ; '
         'rk:accessed "2021-01-01"^^xsd:date .', "a news article or press release needs its publication date",
         "terms/date"),
    # ---------------------------------------------------------------- concepts
    Case("concept-two-english-labels", "ConceptShape", 't:concept-two-english-labels a skos:Concept ; '
         'skos:prefLabel "one"@en , "two"@en ; skos:inScheme <https://w3id.org/regkg/concern/> .',
         "exactly one English skos:prefLabel", "prefLabel"),
    Case("concept-no-scheme", "ConceptShape", 't:concept-no-scheme a skos:Concept ; skos:prefLabel "c"@en .',
         "must be in a skos:ConceptScheme", "inScheme"),
    # ---------------------------------------------------------------- time order (issue 13)
    Case("follows-probe-too-early", "FollowsProbeTimeOrderShape", f"t:follows-probe-too-early a rk:Decision ; "
         f"{ACTION_DATELESS} ; rk:dateDecided \"2019-06-01\"^^xsd:date ; rk:followsProbe t:probe .",
         "dated before the probe it follows"),
    Case("review-too-early", "ReviewTimeOrderShape", f"t:review-too-early a rk:JudicialReview ; {ACTION_DATELESS} ; "
         'rk:dateDecided "2020-06-01"^^xsd:date ; rk:reviews t:act .', "dated before the action it reviews"),
    Case("finalises-too-early", "FinalisesTimeOrderShape", f"t:finalises-too-early a rk:Decision ; {ACTION_DATELESS} ; "
         'rk:dateDecided "2020-06-01"^^xsd:date ; rk:finalises t:finalises-too-early-provisional . '
         f"t:finalises-too-early-provisional a rk:Decision ; {ACTION_OK} ; rk:status rk:Superseded .",
         "dated before the provisional decision it finalises"),
    # ---------------------------------------------------------------- provisional, superseded and amended (issue 13)
    Case("provisional-not-superseded", "StandingStatusShape", f"t:provisional-not-superseded a rk:Decision ; "
         f"{ACTION_OK} ; rk:status rk:Concluded . t:provisional-not-superseded-final a rk:Decision ; {ACTION_OK} ; "
         "rk:finalises t:provisional-not-superseded .", "has status rk:Superseded"),
    Case("fine-superseded-by-order", "SupersededPenaltyShape", 't:fine-superseded-by-order a rk:Fine ; '
         'rdfs:label "F"@en ; prov:wasDerivedFrom t:src ; rk:supersededBy t:fine-superseded-by-order-new . '
         't:fine-superseded-by-order-new a rk:RectificationOrder ; rdfs:label "O"@en ; prov:wasDerivedFrom t:src . '
         "t:act rk:outcome t:fine-superseded-by-order , t:fine-superseded-by-order-new .",
         "a fine can only be superseded by a fine"),
    Case("fine-superseded-by-earlier", "SupersededPenaltyShape", 't:fine-superseded-by-earlier a rk:Fine ; '
         'rdfs:label "F"@en ; prov:wasDerivedFrom t:src ; rk:supersededBy t:fine-superseded-by-earlier-old . '
         't:fine-superseded-by-earlier-old a rk:Fine ; rdfs:label "F"@en ; prov:wasDerivedFrom t:src . '
         "t:act rk:outcome t:fine-superseded-by-earlier . t:fine-superseded-by-earlier-action a rk:Decision ; "
         f'{ACTION_DATELESS} ; rk:dateDecided "2019-01-01"^^xsd:date ; rk:outcome t:fine-superseded-by-earlier-old .',
         "superseded by a penalty of an earlier action"),
    Case("fine-superseded-twice", "SupersededPenaltyShape", 't:fine-superseded-twice a rk:Fine ; rdfs:label "F"@en ; '
         "prov:wasDerivedFrom t:src ; rk:supersededBy t:fine , t:fine-superseded-twice . "
         "t:act rk:outcome t:fine-superseded-twice .", "rk:supersededBy points to the one rk:Penalty", "#supersededBy"),
    Case("reduced-fine-unlinked", "ReducedFineLinkShape",
         f"t:reduced-fine-unlinked a rk:JudicialReview ; {ACTION_OK} ; rk:status rk:Reduced ; rk:reviews t:act ; "
         "rk:outcome t:reduced-fine-unlinked-fine . "
         't:reduced-fine-unlinked-fine a rk:Fine ; rdfs:label "Reduced fine"@en ; prov:wasDerivedFrom t:src ; '
         "rk:penalisedEntity t:co ; rk:amount t:reduced-fine-unlinked-eur . t:reduced-fine-unlinked-eur a "
         'schema:MonetaryAmount ; schema:value "500"^^xsd:decimal ; schema:currency "EUR" . '
         "t:fine rk:penalisedEntity t:co .", "is not rk:supersededBy the court's", severity="Warning"),
    Case("amount-amended-other-currency", "AmendedAmountShape",
         't:amount-amended-other-currency a schema:MonetaryAmount ; schema:value "5"^^xsd:decimal ; '
         'schema:currency "EUR" ; rk:amendedBy t:amount-amended-other-currency-new . '
         't:amount-amended-other-currency-new a schema:MonetaryAmount ; schema:value "6"^^xsd:decimal ; '
         'schema:currency "USD" .', "amended by another amount of the same fine, in the same currency"),
    Case("amount-amended-in-a-cycle", "AmendedAmountShape", 't:amount-amended-in-a-cycle a schema:MonetaryAmount ; '
         'schema:value "5"^^xsd:decimal ; schema:currency "EUR" ; rk:amendedBy t:amount-amended-in-a-cycle .',
         "rk:amendedBy must not form a cycle"),
    # ---------------------------------------------------------------- joint liability (issue 13)
    Case("joint-liability-not-target", "JointLiabilityShape", 't:joint-liability-not-target a rk:JointLiability ; '
         'rdfs:label "J"@en ; rk:liableEntity t:joint-liability-not-target-parent . '
         't:joint-liability-not-target-parent a rk:Company ; rdfs:label "Unnamed parent"@en . '
         "t:fine rk:jointLiability t:joint-liability-not-target .", "must also be a rk:target of the action"),
    Case("joint-liability-too-large", "JointLiabilityShape", 't:joint-liability-too-large a rk:JointLiability ; '
         'rdfs:label "J"@en ; rk:liableEntity t:co ; rk:liableAmount t:joint-liability-too-large-eur . '
         't:joint-liability-too-large-eur a schema:MonetaryAmount ; schema:value "5000"^^xsd:decimal ; '
         'schema:currency "EUR" . t:fine rk:jointLiability t:joint-liability-too-large .',
         "exceeds the fine's amount in that currency"),
    Case("joint-liability-nobody", "JointLiabilityShape", 't:joint-liability-nobody a rk:JointLiability ; '
         'rdfs:label "J"@en . t:fine rk:jointLiability t:joint-liability-nobody .', "needs one rk:liableEntity",
         "#liableEntity"),
    Case("joint-liability-orphan", "JointLiabilityShape", 't:joint-liability-orphan a rk:JointLiability ; '
         'rdfs:label "J"@en ; rk:liableEntity t:co .', "belongs to one fine", "jointLiability"),
    # ---------------------------------------------------------------- succession and syndication (issue 13)
    Case("succession-cycle", "CompanyShape", 't:succession-cycle a rk:Company ; rdfs:label "Old name"@en ; '
         'rk:succeededBy t:succession-cycle-new . t:succession-cycle-new a rk:Company ; rdfs:label "New name"@en ; '
         "rk:subsidiaryOf t:succession-cycle .", "succession (rk:succeededBy) and control"),
    Case("succession-undated-string", "CompanyShape", 't:succession-undated-string a rk:Company ; '
         'rdfs:label "Merged company"@en ; rk:succeededBy t:co ; rk:successionDate "October 2023" .',
         "rk:successionDate is one xsd:date", "#successionDate"),
    Case("copy-host-mismatch", "SyndicatedCopyShape", f"t:copy-host-mismatch a rk:Source , rk:SyndicatedCopy ; "
         f'{SOURCE_OK} ; schema:url <https://copies.example.net/story> ; rk:copyHost "example.org" .',
         "is not the host of the copy's schema:url"),
    Case("copy-no-host", "SyndicatedCopyShape", f"t:copy-no-host a rk:Source , rk:SyndicatedCopy ; {SOURCE_OK} ; "
         "schema:url <https://copies.example.net/other> .", "needs one rk:copyHost", "#copyHost"),
    # ---------------------------------------------------------------- whole-graph checks
    Case("typo-term", "shapes/unknown-term-violation.rq", f"t:typo-term a rk:Decision ; {ACTION_OK} ; "
         'rk:dateDecidd "2021-01-01"^^xsd:date .', "which the regkg ontology does not define"),
]  # fmt: skip


def parse_turtle(turtle: str, graph: str) -> list[ox.Quad]:
    g = ox.NamedNode(graph)
    return [
        ox.Quad(q.subject, q.predicate, q.object, g) for q in ox.parse(PREFIXES + turtle, format=ox.RdfFormat.TURTLE)
    ]


def ontology_quads() -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for f in loading.ontology_files():
        quads.extend(loading.parse_file(f.path, f.graph))
    return quads


@pytest.fixture(scope="module")
def context_report() -> ValidationReport:
    return validate_quads(ontology_quads() + parse_turtle(CONTEXT, vocab.DATA_GRAPH_PREFIX + "test/context"))


@pytest.fixture(scope="module")
def cases_report() -> ValidationReport:
    quads = ontology_quads() + parse_turtle(CONTEXT, vocab.DATA_GRAPH_PREFIX + "test/context")
    for c in CASES:
        quads.extend(parse_turtle(c.turtle, vocab.DATA_GRAPH_PREFIX + "test/" + c.name))
    return validate_quads(quads)


def shape_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for p in sorted(resources.shapes_dir().glob("*.ttl")):
        g.parse(p, format="turtle")
    return g


# ------------------------------------------------------------------ the table covers every check


def test_every_node_shape_has_a_case() -> None:
    node_shapes = {str(s)[len(RKS) :] for s in shape_graph().subjects(rdflib.RDF.type, SH.NodeShape)}
    assert node_shapes, "no NodeShape found in shapes/"
    uncovered = node_shapes - {c.covers for c in CASES}
    assert not uncovered, f"NodeShapes with no crafted bad instance in CASES: {sorted(uncovered)}"


def test_every_violation_query_has_a_case() -> None:
    checks = {f"shapes/{p.stem}.rq" for p in resources.shapes_dir().glob("*-violation.rq")}
    assert checks
    assert not checks - {c.covers for c in CASES}


def test_case_names_are_unique_and_shapes_exist() -> None:
    assert len({c.name for c in CASES}) == len(CASES)
    g = shape_graph()
    for c in CASES:
        if not c.reported_shape.endswith(".rq"):
            assert (rdflib.URIRef(c.reported_shape), None, None) in g, f"{c.name}: no shape {c.reported_shape}"


def test_the_context_conforms(context_report: ValidationReport) -> None:
    assert context_report.conforms, [(v.focus, v.message) for v in context_report.violations]


# ------------------------------------------------------------------ each bad instance, its violation


def describe(vs: list[Violation]) -> str:
    return "\n".join(f"  {v.shape} {v.path}: {v.message}" for v in vs) or "  (none)"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_instance_raises_its_violation(cases_report: ValidationReport, case: Case) -> None:
    mine = [v for v in cases_report.violations if v.focus == case.focus]
    matching = [
        v
        for v in mine
        if case.message in v.message
        and v.shape == case.reported_shape
        and (v.path is None if case.path is None else (v.path is not None and case.path in v.path))
        and v.severity == case.severity
    ]
    assert matching, (
        f"{case.name}: expected {case.reported_shape} path~{case.path!r} message~{case.message!r}; got\n"
        + describe(mine)
    )


def test_no_violation_falls_on_the_valid_context(cases_report: ValidationReport) -> None:
    context_nodes = {
        str(q.subject.value)
        for q in parse_turtle(CONTEXT, vocab.DATA_GRAPH_PREFIX + "x")
        if isinstance(q.subject, ox.NamedNode)
    }
    wrong = [v for v in cases_report.violations if v.focus in context_nodes]
    assert not wrong, describe(wrong)


# ------------------------------------------------------------------ through validate_files


def test_shipped_data_conforms() -> None:
    report = validate_files()
    assert report.conforms, "\n".join(f"{v.focus}: {v.message} ({v.shape})" for v in report.violations[:50])
    assert report.checked_triples > 1000


BAD_FILE = """
act:test-bad-file a rk:Decision ;
    rdfs:label "CAC acts against Alibaba (test)"@en ;
    rk:regulator o:cyberspace-administration-of-china ;
    rk:target o:alibaba-group ;
    rk:concern concern:content ;
    prov:wasDerivedFrom src:2021-07-21-ap-china-fines-tech-giants ;
    rk:outcome pen:test-bad-file-fine .
pen:test-bad-file-fine a rk:Fine ; rdfs:label "Test fine"@en ;
    prov:wasDerivedFrom src:2021-07-21-ap-china-fines-tech-giants ; rk:amount amt:test-bad-file .
amt:test-bad-file a schema:MonetaryAmount ; schema:value "-1"^^xsd:decimal ; schema:currency "RMB!" .
"""
FILE_PREFIXES = PREFIXES + "".join(
    f"@prefix {p}: <{vocab.ID}{path}/> .\n"
    for p, path in {"act": "action", "pen": "penalty", "amt": "amount", "o": "org", "src": "source"}.items()
)


def test_validate_files_reports_only_the_given_file_against_shipped_context(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(FILE_PREFIXES + BAD_FILE, encoding="utf-8")
    report = validate_files([bad])
    assert not report.conforms
    by_focus = report.by_focus()
    action = vocab.ID + "action/test-bad-file"
    amount = vocab.ID + "amount/test-bad-file"
    assert set(by_focus) == {action, amount}, "only the resources of the given file are reported"
    assert any("an action needs a date" in v.message for v in by_focus[action])
    assert {v.path for v in by_focus[amount]} >= {vocab.SCHEMA + "value", vocab.SCHEMA + "currency"}
    assert all(v.source_file == str(bad) for vs in by_focus.values() for v in vs)


def test_validate_files_accepts_a_good_file_that_refers_to_shipped_entities(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    fixed = BAD_FILE.replace('"-1"^^xsd:decimal', '"1"^^xsd:decimal').replace('"RMB!"', '"CNY"')
    fixed = fixed.replace(
        "rk:concern concern:content ;", 'rk:concern concern:content ; rk:dateDecided "2021-01-01"^^xsd:date ;'
    )
    good.write_text(FILE_PREFIXES + fixed, encoding="utf-8")
    report = validate_files([good])
    assert report.conforms, [(v.focus, v.message) for v in report.violations]


def test_validate_files_raises_a_parse_error_with_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(FILE_PREFIXES + '\nact:x a rk:Decision ;\n    rdfs:label "unterminated .\n', encoding="utf-8")
    with pytest.raises(RdfParseError) as info:
        validate_files([broken])
    assert info.value.path == broken
    assert info.value.line is not None and info.value.line > FILE_PREFIXES.count("\n")
    assert info.value.column is not None


BLANK_AMOUNT = """
act:test-blank-amount a rk:Decision ;
    rdfs:label "CAC fines Tencent (test)"@en ;
    rk:regulator o:cyberspace-administration-of-china ;
    rk:target o:tencent ;
    rk:concern concern:content ;
    rk:dateDecided "2021-08-01"^^xsd:date ;
    rk:outcome pen:test-blank-amount-fine ;
    prov:wasDerivedFrom src:2021-07-21-ap-china-fines-tech-giants .
pen:test-blank-amount-fine a rk:Fine ; rdfs:label "Test fine"@en ;
    prov:wasDerivedFrom src:2021-07-21-ap-china-fines-tech-giants ;
    rk:amount [ a schema:MonetaryAmount ; schema:value "-5"^^xsd:decimal ; schema:currency "yuan" ] .
"""


def test_validate_files_reports_a_bad_blank_node_under_the_resource_that_holds_it(tmp_path: Path) -> None:
    """An inline (blank-node) amount of a given file is reported with the fine that links to it,
    not dropped because a blank node is none of the file's named resources."""
    f = tmp_path / "blank.ttl"
    f.write_text(FILE_PREFIXES + BLANK_AMOUNT, encoding="utf-8")
    report = validate_files([f])
    assert not report.conforms
    fine = vocab.ID + "penalty/test-blank-amount-fine"
    violations = report.by_focus()[fine]
    paths = {v.path for v in violations}
    assert f"{vocab.RK}amount/{vocab.SCHEMA}value" in paths
    assert f"{vocab.RK}amount/{vocab.SCHEMA}currency" in paths
    assert all(v.source_file == str(f) and v.shape == RKS + "MonetaryAmountShape" for v in violations)


def test_validate_files_reports_a_typo_inside_a_blank_node(tmp_path: Path) -> None:
    """The *-violation.rq checks too report a blank node under the IRI that links to it."""
    f = tmp_path / "typo.ttl"
    typo = BLANK_AMOUNT.replace("test-blank-amount", "test-blank-typo").replace(
        'schema:value "-5"^^xsd:decimal ; schema:currency "yuan"',
        'schema:value "5"^^xsd:decimal ; schema:currency "CNY" ; rk:valueNote "typo"',
    )
    f.write_text(FILE_PREFIXES + typo, encoding="utf-8")
    report = validate_files([f])
    fine = vocab.ID + "penalty/test-blank-typo-fine"
    violations = report.by_focus().get(fine, [])
    assert any(v.shape == "shapes/unknown-term-violation.rq" and "valueNote" in v.message for v in violations), (
        report.violations
    )
    assert not report.conforms
