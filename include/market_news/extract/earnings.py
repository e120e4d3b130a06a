"""Earnings results compared with analyst estimates, one item per reported metric.

Each money amount of a sentence gets a role from the words around it: an *actual*
(the company's figure), an *estimate* (analysts' consensus), or something to ignore
(a year-earlier figure, guidance, a price target, a share price, a dividend). Actuals
are then paired with the estimates that follow them (or, failing that, precede them),
so the headline "EPS $6.03 Beats $5.25 Estimate, Sales $40.59B Beat $40.29B Estimate"
and the prose "revenue of $39.07 billion, surpassing analyst predictions of $38.31
billion" go through the same code. Sentences are bounded (see `text.py`) and every
pattern here is anchored or uses bounded repetition, so untrusted text cannot make a
regex backtrack catastrophically.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from market_news.extract.numbers import Amount, find_amounts
from market_news.extract.periods import PeriodMention, dateline_month, period_ends
from market_news.extract.text import Sentence, evidence
from market_news.extract.tickers import Companies
from market_news.models import Basis, EarningsItem, Metric, Verdict

Role = Literal["actual", "estimate", "skip"]

_LEAD_CHARS = 120
_TAIL_CHARS = 64
_CLAUSE_SPLIT = re.compile(
    r"[,;、，:：]|\s(?:and|while|but|whereas|as)\s|で、", re.IGNORECASE | re.ASCII
)

_EPS_WORDS = re.compile(
    r"\bEPS\b|earnings per share|per[- ]share (?:earnings|profit|loss|income)|"
    r"(?:profit|loss|earnings|income) per (?:diluted |basic |American depositary )?"
    r"(?:share|ADS|ADR)|1株(?:当たり|あたり)|"
    r"一株(?:当たり|あたり)|1株利益|1株益",
    re.IGNORECASE | re.ASCII,
)
_REVENUE_WORDS = re.compile(
    r"\b(?:revenues?|sales|turnover|top[- ]line)\b|売上高|売上収益|売上|営業収益|収益",
    re.IGNORECASE | re.ASCII,
)
_PER_SHARE_TAIL = re.compile(
    r"^\s?(?:-|\s)?(?:per|a|an|/)\s?(?:diluted\s|basic\s)?(?:share|ADS|ADR)\b",
    re.IGNORECASE | re.ASCII,
)
_TAIL_METRIC = re.compile(
    r"^\s?(?:in|of)\s(?:(?:adjusted|adj\.|non-GAAP|GAAP|quarterly|total|net)\s){0,2}"
    r"(?P<m>revenues?|sales|turnover|EPS|earnings per share)\b",
    re.IGNORECASE | re.ASCII,
)
_TAIL_ESTIMATE = re.compile(
    r"^\s?(?:(?:loss|profit|earnings)\s)?(?:per share\s|a share\s)?(?:that\s|which\s)?"
    # "the C$1.82 average estimate", "the $27.52 billion StreetAccount estimate"
    r"(?:(?:average|mean|median|consensus|LSEG|FactSet|Bloomberg|StreetAccount|Zacks|"
    r"Refinitiv|Visible Alpha|SmartEstimate|QUICK)\s){0,2}"
    # "the €7.12 billion average of analyst estimates"
    r"(?:of\s(?:the\s)?)?"
    r"(?:(?:consensus|analysts?'?|wall street|the street|street)\s?"
    r"(?:(?:polled|surveyed|tracked) by [A-Z][\w&.]{0,15}(?:\s[A-Z][\w&.]{0,15})?\s)?"
    r"(?:had\s(?:been\s)?|were\s|have been\s)?)?"
    # "the 18.15 trillion won LSEG SmartEstimate": the vendor's name is the noun
    r"(?:estimates?|SmartEstimates?|est\b|cons\.|expected|expectations?|consensus|forecasts?|forecasted|"
    r"anticipated|"
    r"predicted|projected|looked for|were looking for|looking for|expecting|had expected|view|"
    r"estimated|modell?ed|"
    r"pencill?ed in|called for|"
    r"予想|推定|見込み)",
    re.IGNORECASE | re.ASCII,
)
_ANALYST_MARK = re.compile(
    r"\b(?:estimates?|estimated|est\b|cons\.|consensus|expectations?|analysts?'?|Street(?:'s)?|"
    r"polled|FactSet|LSEG|Zacks|Refinitiv|Visible Alpha|StreetAccount|SmartEstimate)|"
    r"市場予想|アナリスト|(?<!従来)(?<!会社)(?<!業績)予想|推定|見込み|コンセンサス|予測",
    re.IGNORECASE | re.ASCII,
)
_GUIDANCE_MARK = re.compile(
    r"\b(?:guidance|outlook|guide|guided|guides|sees|projects|expects|anticipates|forecasts|"
    r"targets|plans to|will|next quarter|current quarter|coming quarter)\b|見通し|計画|会社予想|"
    # a company's own forecast and its revision: "業績予想は...下方修正", "従来予想は13兆円"
    r"業績予想|従来予想|修正",
    re.IGNORECASE | re.ASCII,
)
_ESTIMATE_WORD = re.compile(
    r"\b(?:expected|expecting|expect|predictions?|predicted|predicting|forecast(?:ed|ing)?|"
    r"projections?|projected|anticipated|anticipating|view|modell?ed|pencill?ed in|"
    r"called for|looking for)\b",
    re.IGNORECASE | re.ASCII,
)
_SKIP_MARK = re.compile(
    r"\b(?:price target|target|PT|dividends?|payout|buyback|repurchases?|closed|closing|"
    r"close|trading|traded|trade|trades|stock|shares (?:rose|fell|jumped|dropped|gained|"
    r"slid|climbed|surged|sank|were|are|hit)|share price|priced|valued|valuation|market "
    r"(?:cap|capitalization|value)|deal|acquisitions?|acquire|acquired|buy|bought|offer|"
    r"salary|salaries|pay|paid|compensation|fine|settlement|worth|high of|low of|reaching)\b|"
    r"株価|配当|目標株価|年収|給与|買収|稼ぐ|終値",
    re.IGNORECASE | re.ASCII,
)
_PRIOR_LEAD = re.compile(
    r"\b(?:year[- ]ago|year[- ]earlier|a year (?:ago|earlier)|prior[- ]year|previous[- ]year|"
    r"last year's|same (?:quarter|period) (?:a|last) year)\b"
    r"|\b(?:from|up from|down from|compared with|compared to)\s?(?:the\s)?$"
    r"|前年同期(?!比)|前年(?![同比度])|前期(?!比)",
    re.IGNORECASE | re.ASCII,
)
_PRIOR_TAIL = re.compile(
    r"^\s?(?:per share\s|a share\s)?(?:in|during|for|from)?\s?(?:the\s)?(?:a\s)?"
    r"(?:year[- ]ago|year earlier|prior[- ]year|previous[- ]year|same (?:quarter|period) "
    r"(?:a |last )year|last year|a year (?:ago|earlier))",
    re.IGNORECASE | re.ASCII,
)
# "rose 94% from a year earlier to 17.57 trillion won": the year-earlier words are the
# change's baseline, and the figure after "to" is this period's.
_FROM_PRIOR_TO = re.compile(
    r"\bfrom (?:a |the )?(?:year[- ]ago|year[- ]earlier|a year (?:ago|earlier)|prior[- ]year|"
    r"previous[- ]year|last year)(?:\s(?:levels?|period|quarter))?\sto\s?$",
    re.IGNORECASE | re.ASCII,
)
_CHANGED_TO = re.compile(
    r"\b(?:rose|fell|grew|climbed|jumped|dropped|declined|increased|decreased|slipped|"
    r"surged|gained|slid|sank|rising|falling|growing|up|down)\b[^,;]{0,24}\bto\s?$",
    re.IGNORECASE | re.ASCII,
)
# "beating the consensus estimate by 6 cents": the margin, from which the estimate follows.
_MARGIN_LEAD = re.compile(
    r"\b(?P<verb>beat|beats|beating|topped|topping|tops|top|exceeded|exceeding|exceeds|"
    r"surpass(?:ed|ing|es)?|outpaced|missed|missing|misses|miss|trailed|trailing|trails|"
    r"fell short|falling short|came in short|short)\b[^.;$€£¥]{0,60}\bby\s?$",
    re.IGNORECASE | re.ASCII,
)
_MISS_VERB = re.compile(r"^(?:miss|trail|fell|falling|came|short)", re.IGNORECASE)
_LOSS = re.compile(r"\b(?:loss|losses|lost|net loss)\b|赤字|損失", re.IGNORECASE | re.ASCII)
_PROFIT = re.compile(r"\b(?:profit|earnings|income|gain)\b|黒字|利益", re.IGNORECASE | re.ASCII)
_ADJUSTED = re.compile(
    r"\badjusted\b|\badj\b\.?|non-GAAP|\bcore\b|\bunderlying\b|\bcomparable\b|調整後|コア|"
    # "Excluding items, it earned 21 cents a share"
    r"\b(?:excluding|before) (?:certain |special |one-time |one-off |non-recurring )?items\b|"
    r"\bex-items\b|"
    # The UK's names for the adjusted measure, only before the metric word ("the headline
    # figure" is a newspaper's): "headline EPS", "normalised earnings per share".
    r"\b(?:headline|normali[sz]ed|benchmark)\s(?:(?:diluted|basic)\s)?(?:EPS|earnings)\b",
    re.IGNORECASE | re.ASCII,
)
_GAAP = re.compile(r"(?<!non-)(?<!non )\bGAAP\b|\bunadjusted\b", re.IGNORECASE | re.ASCII)
# "earned $2.41 per share on an adjusted basis": the basis written after the figure.
_BASIS_TAIL = re.compile(
    r"^[^.;,$€£¥]{0,24}?\bon an? (?:(?P<adj>adjusted|non-GAAP|underlying|comparable|core)|"
    r"(?P<gaap>GAAP|unadjusted|reported)) basis\b",
    re.IGNORECASE | re.ASCII,
)
# "earned $2.89 per share, excluding items, on revenue of ...": the exclusion set off by a
# comma after the per-share unit is the figure's adjusted basis.
_EXCLUDING_TAIL = re.compile(
    r"^\s?(?:(?:a|per)\s(?:share|ADS)\b)?,?\s(?:excluding|before|ex-)\s?"
    r"(?:(?:certain|special|some|one-time|one-off|non-recurring|exceptional)\s)?"
    r"(?:items|charges|one-offs|exceptionals)\b",
    re.IGNORECASE | re.ASCII,
)
# The verb that links a far subject to its per-share figure: "earnings ... were $2.71 a share".
_COPULA_END = re.compile(
    r"\b(?:was|were|came (?:in )?(?:at|to)|totall?ed|amounted to|stood at)\s?$",
    re.IGNORECASE | re.ASCII,
)
_PROFIT_NOUN = re.compile(r"\b(?:earnings|profit|income)\b", re.IGNORECASE | re.ASCII)
# Japanese writes a loss or a profit after the amount: "12円50銭の赤字", "8円の黒字".
_JA_LOSS_TAIL = re.compile(r"^\s?の?赤字")
_JA_PROFIT_TAIL = re.compile(r"^\s?の?黒字")
# An appositive between commas says what a noun is, not what the figure is: "Current
# remaining performance obligation, a measure of contracted revenue, rose to $26.4 billion".
_APPOSITIVE = re.compile(r",\s(?:a|an|the|which|who|its|their)\s[^,;]{0,80},\s", re.ASCII)
# Figures that are not revenue even when "revenue" is written before them.
_OTHER_METRIC = re.compile(
    r"\b(?:bookings|backlog|billings|orders|(?:remaining )?performance obligations?|c?RPO|"
    r"ARR|annual(?:ized)? recurring revenue|run[- ]rate|net income|net profit|"
    r"operating (?:income|profit)|EBITDA|free cash flow|cash flow|gross (?:profit|margin)|"
    r"GMV|gross merchandise (?:value|volume))\b|受注|受注残|営業利益|純利益|経常利益",
    re.IGNORECASE | re.ASCII,
)
# A business line named after the revenue word: "Revenue in the Intelligent Cloud segment",
# "revenue from its cloud unit", "Revenue in the Infrastructure Solutions Group".
_SEGMENT_AFTER = re.compile(
    r"\s(?:in|from|at|of|for)\s(?:the|its|our|their)\s(?:(?:[\w&'.\-]+\s){1,4}"
    r"(?:[Ss]egments?|[Dd]ivisions?|[Uu]nits?|[Bb]usiness(?:es)?)\b|"
    r"(?:[A-Z][\w&'.\-]*\s){1,4}Group\b)",
    re.ASCII,
)
# "revenue $4.30bn +/- $300m": a midpoint and its spread are guidance, never a result.
_PLUS_MINUS_TAIL = re.compile(
    r"^\s?(?:(?:a|per)\s(?:share|ADS)\b)?,?\s?(?:\+/-|\u00b1|give or take\b|plus or minus\b)",
    re.IGNORECASE | re.ASCII,
)
_PLUS_MINUS_LEAD = re.compile(r"(?:\+/-|\u00b1)\s?$")
# Results tables and broker notes that say once what "A vs B" means: "(reported vs.
# consensus)". There a bare "vs $4.05bn" after a reported figure is the consensus.
_VS_CONSENSUS = re.compile(
    r"\b(?:reported|actuals?|results?)\s(?:figures\s)?vs\.?\s(?:consensus|cons\.|estimates?)",
    re.IGNORECASE | re.ASCII,
)
# A Japanese sentence ending in the company's own expectation: "売上高は8兆円、純利益は
# 3000億円を見込む" lists a plan, every figure of it (the verb closes the list).
_JA_PLAN_TAIL = re.compile(
    r"^[^。]{0,60}?(?:を|と)(?:見込む|見込んでいる|計画する|計画している|想定する)"
)


def _mentions_vs(text: str) -> bool:
    """Cheap pre-test for `_VS_CONSENSUS` (which needs the letters "vs"): four substring
    searches instead of a case-insensitive regex pass over the whole article."""
    return any(spelling in text for spelling in ("vs", "VS", "Vs", "vS"))


_BARE_VS = re.compile(r"\bvs\.?\s?$", re.IGNORECASE | re.ASCII)
_INLINE = re.compile(
    r"\bin[- ]line\b|\bmatch(?:ed|ing|es)?\b|\bmet\b|\bmeeting\b|\bequal(?:led|ing)?\b|一致|並み",
    re.IGNORECASE | re.ASCII,
)
# A result said to equal the estimate without writing the estimate: "$2.63 billion, matching
# Wall Street's average estimate", "29 cents a share ..., exactly what analysts polled by
# FactSet had expected", "in line with the consensus forecast". The estimate is the actual.
_NO_FIGURE = r"[^,;.$\u20ac\u00a3\u00a5\d]"
_MATCHED_TAIL = re.compile(
    r"^\s?(?:(?:a|per)\s(?:share|ADS)\b)?(?:\s(?:in|for)\s(?:the|its)\s"
    + _NO_FIGURE
    + r"{1,40})?,?\s(?:exactly\s|just\s|precisely\s)?"
    r"(?:(?:matching|meeting|in line with|equal to|equall?ing)\s(?P<who>"
    + _NO_FIGURE
    + r"{0,60}?)\b(?P<noun>estimates?|expectations|consensus|forecasts?|projections?)\b"
    r"|(?:what|as)\s(?P<who2>" + _NO_FIGURE + r"{0,60}?)\b(?:had\s|have\s)?"
    r"(?:expected|forecast|projected|estimated|predicted|anticipated|pencil+ed in)\b)",
    re.IGNORECASE,
)
# Who made the matched expectation must be the market's, never the company's own guidance.
_MARKET_WHO = re.compile(
    r"\b(?:analysts?|Wall Street|Street|consensus|polled|surveyed|market|FactSet|LSEG|IBES|"
    r"Refinitiv|Zacks|Bloomberg|Visible Alpha|S&P)\b",
    re.IGNORECASE | re.ASCII,
)
_OWN_WHO = re.compile(r"\b(?:own|company'?s?|its|management|guidance|outlook)\b", re.I)
# An estimate figure written right after the phrase ("matching estimates of $2.63 billion")
# is read as a figure of its own.
_FIGURE_NEXT = re.compile(r"^\s?(?:of|at|for|was|were|,)?\s?[$\u20ac\u00a3\u00a5\d]")


def _matched_estimate(sentence: str, fig: _Figure, next_start: int) -> _Figure | None:
    """The estimate a one-figure "matching the estimate" says there was: the actual itself."""
    tail = sentence[fig.amount.end : min(next_start, fig.amount.end + 160)]
    found = _MATCHED_TAIL.match(tail)
    if found is None or _FIGURE_NEXT.match(tail, found.end()):
        return None
    who = found.group("who") if found.group("who") is not None else found.group("who2")
    if _OWN_WHO.search(who):
        return None
    if found.group("noun") in (None, "expectations") and not _MARKET_WHO.search(who):
        return None
    at = fig.amount.end + found.end()
    return replace(fig, amount=replace(fig.amount, start=at, end=at), role="estimate", lead="")


_METRIC_LIST = re.compile(
    r"\b(?P<m1>revenues?|sales|EPS|earnings per share)\s(?:and|&)\s"
    r"(?P<m2>revenues?|sales|EPS|earnings per share)\b",
    re.IGNORECASE | re.ASCII,
)
_SEGMENT_WORDS = frozenset(
    {
        "cloud", "product", "products", "services", "service", "subscription", "advertising",
        "ad", "segment", "division", "unit", "hardware", "software", "center", "centre",
        "gaming", "automotive", "iphone", "mac", "ipad", "wearables", "streaming", "licensing",
        "membership", "merchandise", "commercial", "consumer", "enterprise", "retail",
        "wholesale", "international", "domestic", "comparable", "same-store", "like-for-like",
        "organic", "platform", "search", "youtube", "aws", "azure", "networking", "compute",
        "memory", "foundry", "pharmaceutical", "device", "devices", "energy", "trading",
    }
)  # fmt: skip
_JA_SEGMENT = re.compile(r"部門の?|事業の?|セグメントの?")
_ON_REVENUE = re.compile(
    r"\s?(?:(?:a|per)\s(?:share|ADS)\s?"
    # "$3.90 a share for the fourth quarter of fiscal 2024, on revenue of $9.23 billion":
    # the period the verb's figures share, but never a comparison's ("in the year-ago ...")
    r"(?:(?:for|in)\s(?:the|its)\s(?!year|prior|previous|same|last)[^$€£¥;,]{1,50})?)?"
    r",?\s?on\s(?:(?:total|net|quarterly)\s)?"
    r"(?:revenues?|sales|turnover)\s(?:of\s)?$",
    re.IGNORECASE | re.ASCII,
)
# "forecast earnings of $1.10 per share and revenue of $5.20 billion": a second metric
# listed after "and" with no verb of its own is governed by the first figure's verb.
_AND_METRIC = re.compile(
    r"\s?(?:(?:a|per)\s(?:share|ADS)\s?)?,?\s?(?:and|&)\s"
    r"(?:(?:adjusted|non-GAAP|total|net|quarterly)\s)?"
    r"(?:revenues?|sales|turnover|EPS|earnings(?: per share)?)\s(?:of\s)?$",
    re.IGNORECASE | re.ASCII,
)
# A preview kept online with the results written on top: "UPDATE: Lululemon reported
# ... Our original preview follows", "Editor's note (4:41 pm): Acme has since reported".
_UPDATE_LEAD = re.compile(
    r"\s?(?:UPDATED?|Updated?|Editor'?s note)\b[^:\n]{0,40}:", re.IGNORECASE | re.ASCII
)
_PREVIEW_WORD = re.compile(r"\bpreview\b|\boriginal (?:story|article)\b", re.IGNORECASE)
_BULLET = re.compile(r"\s?(?:[・•●■▪*\u2013\u2014-]|\(?\d{1,2}[).])\s?")
_FORECAST_HEADER = re.compile(
    r"(?:業績|通期|会社)(?:予想|見通し)|\b(?:outlook|guidance)\b", re.IGNORECASE | re.ASCII
)
# The central figure of a spread of forecasts just given: "the average was", "a median of".
_CENTRAL = re.compile(r"\b(?:average|mean|median|midpoint)\b", re.IGNORECASE | re.ASCII)
# "$2.82 per share and $19.92 billion": the per-share unit of the first figure belongs
# to it, the join still makes one list under one verb.
_JOINER = re.compile(
    r"^\s?(?:(?:a|per)\s(?:share|ADS)\s?)?(?:,|;)?\s?(?:and|&|or)?\s?$", re.IGNORECASE
)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
_PREVIEW = re.compile(
    r"\b(?:will report|when it reports|when the company reports|is (?:scheduled|set|due|"
    r"expected) to (?:report|post|release)|ahead of (?:its|the) (?:earnings|results|report)|"
    r"reports? (?:next|later|after)|due to report|will post|will release)\b|発表予定|発表を控え",
    re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True, slots=True)
class _Figure:
    amount: Amount
    role: Role
    metric: Metric | None
    basis: Basis | None
    sign: int  # -1 loss, +1 profit, 0 unsaid
    lead: str


# A closed bracket is an aside ("Deere & Co (NYSE: DE)", "(in line, consensus)"): its
# colon or comma breaks no clause around it.
_CLOSED_BRACKET = re.compile(r"\([^()]{0,60}\)")


def _clause(lead: str) -> str:
    """The part of the lead after the last clause break: the words that govern a figure."""
    if ")" in lead:
        lead = _CLOSED_BRACKET.sub(" ", lead)
    parts = _CLAUSE_SPLIT.split(lead)
    return parts[-1] if parts else lead


def _metric(lead: str, tail: str, amount: Amount) -> Metric | None:
    if _PER_SHARE_TAIL.match(tail):
        return "eps"
    tail_metric = _TAIL_METRIC.match(tail)
    if tail_metric:
        word = tail_metric.group("m").lower()
        return "eps" if word.startswith(("eps", "earn")) else "revenue"
    lead = _APPOSITIVE.sub(" ", lead)
    eps_spans = [m.span() for m in _EPS_WORDS.finditer(lead)]
    eps = [end for _start, end in eps_spans]
    revenue = [m.end() for m in _REVENUE_WORDS.finditer(lead)]
    # "1株当たり四半期純利益" is a per-share figure: the profit word inside it is its noun
    other = [
        m.end()
        for m in _OTHER_METRIC.finditer(lead)
        if not eps_spans or not any(start <= m.start() <= end + 6 for start, end in eps_spans)
    ]
    if other and other[-1] >= max(eps[-1:] + revenue[-1:] + [0]) and not amount.cents:
        return None  # "bookings rose to €2.6 billion", "net income of $24.11 billion"
    if eps and (not revenue or eps[-1] >= revenue[-1]):
        return "eps"
    if revenue:
        return "revenue"
    if amount.cents and (_PROFIT.search(lead) or _LOSS.search(lead)):
        return "eps"
    return None


def _segment(lead: str) -> bool:
    """True when the revenue named last in the lead is a business line's ("cloud revenue",
    "data center revenue", "クラウド部門の売上高"): the company's total is the item, and a
    segment figure would otherwise overwrite it."""
    lead = _APPOSITIVE.sub(" ", lead)
    matches = list(_REVENUE_WORDS.finditer(lead))
    if not matches:
        return False
    if _SEGMENT_AFTER.match(lead, matches[-1].end()):
        return True
    start = matches[-1].start()
    if _JA_SEGMENT.search(lead[max(0, start - 8) : start]):
        return True
    words = lead[max(0, start - 40) : start].split()
    return bool(words) and words[-1].lower().strip("-") in _SEGMENT_WORDS


# A key-value row ("Adjusted EPS .... $1.62    FactSet consensus: $1.58"): the label with
# its colon names the figure after it, never the one before.
_LABEL_ESTIMATE_LEAD = re.compile(
    r"\b(?:consensus|estimates?|est\.?|forecasts?|expectations?|expected)\s?:\s?$",
    re.IGNORECASE | re.ASCII,
)
_TAIL_LABEL = re.compile(
    r"^\s?(?:[A-Z][\w&.']*\s){0,3}(?:consensus|estimates?|est\.?|forecasts?|expected)\s?:",
    re.IGNORECASE | re.ASCII,
)


def _role(clause: str, lead: str, tail: str, amount: Amount, vs_consensus: bool = False) -> Role:
    if amount.high is not None:
        return "skip"  # a range is guidance or a forecast, never a reported figure
    if _PLUS_MINUS_TAIL.match(tail) or _PLUS_MINUS_LEAD.search(clause):
        return "skip"
    if _JA_PLAN_TAIL.match(tail):
        return "skip"
    if _LABEL_ESTIMATE_LEAD.search(lead):
        return "estimate"  # a box row's cell: "FactSet consensus: $1.58", "Estimate: 4.88B"
    if _TAIL_ESTIMATE.match(tail) and not _TAIL_LABEL.match(tail):
        return "estimate"
    if _PRIOR_LEAD.search(clause) and not _FROM_PRIOR_TO.search(clause):
        return "skip"
    if _PRIOR_TAIL.match(tail) and not _CHANGED_TO.search(clause):
        return "skip"  # "$4.88 a year earlier"; but "fell 8% to $12.35 billion from a year
        # earlier" names this year's figure, the change being from a year earlier
    if _SKIP_MARK.search(clause):
        return "skip"
    if _ANALYST_MARK.search(clause) or _in_consensus_brackets(lead):
        return "estimate"
    if _GUIDANCE_MARK.search(clause) or _GUIDANCE_MARK.search(lead[-60:]):
        return "skip"
    if _ESTIMATE_WORD.search(clause):
        return "estimate"
    if vs_consensus and _BARE_VS.search(clause):
        return "estimate"
    return "actual"


def _in_consensus_brackets(lead: str) -> bool:
    """True for a figure inside brackets opened right after an analyst word: "市場予想の平均
    (QUICKコンセンサス、8900億円)", "the consensus (LSEG, $4.1 billion)"."""
    opened = lead.rfind("(")
    if opened < 0 or lead.rfind(")") > opened:
        return False
    return _ANALYST_MARK.search(lead, max(0, opened - 30)) is not None


def _basis(lead: str, tail: str) -> Basis | None:
    tail = tail.split(";", 1)[0]  # "revenue $4.17bn vs $4.05bn; non-GAAP EPS ..."
    written_after = _BASIS_TAIL.match(tail)
    if written_after:
        return "adjusted" if written_after.group("adj") else "gaap"
    if ("xcluding" in tail or "efore" in tail or "ex-" in tail) and _EXCLUDING_TAIL.match(tail):
        return "adjusted"
    text = lead[-80:] + " " + tail[:24]
    if _ADJUSTED.search(text):
        return "adjusted"
    if _GAAP.search(text):
        return "gaap"
    # The basis word goes with the metric word, which a relative clause can push far from
    # the figure: "Core earnings per share, which strip out amortisation, ..., fell to".
    named = [m.start() for m in _EPS_WORDS.finditer(lead)]
    if named:
        before = lead[max(0, named[-1] - 24) : named[-1]]
        if _ADJUSTED.search(before):
            return "adjusted"
        if _GAAP.search(before):
            return "gaap"
    elif _PER_SHARE_TAIL.match(tail) and _COPULA_END.search(lead):
        # "adjusted earnings for its fiscal fourth quarter, the three months to Sept. 30,
        # were $2.71 per share": the subject's basis word, however far the verb pushed it.
        subjects = list(_PROFIT_NOUN.finditer(lead))
        if subjects:
            before = lead[max(0, subjects[-1].start() - 24) : subjects[-1].start()]
            if _ADJUSTED.search(before):
                return "adjusted"
            if _GAAP.search(before):
                return "gaap"
    return None


def _figures(sentence: str, vs_consensus: bool = False) -> list[_Figure]:
    figures: list[_Figure] = []
    prev_end = 0
    for amount in find_amounts(sentence):
        lead = sentence[max(prev_end, amount.start - _LEAD_CHARS) : amount.start]
        tail = sentence[amount.end : amount.end + _TAIL_CHARS]
        clause = _clause(lead)
        sign = 0
        if amount.negative or _JA_LOSS_TAIL.match(tail):
            sign = -1
        elif _JA_PROFIT_TAIL.match(tail):
            sign = 1
        elif _LOSS.search(clause):
            sign = -1
        elif _PROFIT.search(clause):
            sign = 1
        metric = _metric(lead, tail, amount)
        role = _role(clause, lead, tail, amount, vs_consensus)
        if metric == "revenue" and _segment(lead):
            role = "skip"
        elif _SEGMENT_AFTER.match(" " + tail.lstrip(" ,")):
            role = "skip"  # "analysts had expected 7.0 billion francs from the diagnostics unit"
        if figures and (
            _JOINER.match(lead)
            or _ON_REVENUE.match(lead)
            or ((" and " in lead or "&" in lead) and _AND_METRIC.match(lead))
        ):
            # "estimates of $10.94 billion and 41 cents"; "expect it to earn $2.94 a share
            # on sales of $2.41 billion": one verb governs both figures
            role = figures[-1].role
        elif (
            role == "actual"
            and figures
            and _analysts_range(figures[-1])
            and _CENTRAL.search(clause)
        ):
            role = "estimate"  # "forecasts ran from $1.25bn to $1.30bn; the mean was $1.27bn"
        margin = _MARGIN_LEAD.search(lead)
        actuals = [f for f in figures if f.role == "actual" and f.metric is not None]
        if margin and actuals:
            figures.append(_implied_estimate(actuals[-1], amount, margin.group("verb"), lead))
            prev_end = amount.end
            continue
        figures.append(
            _Figure(
                amount=amount,
                role=role,
                metric=metric,
                basis=_basis(lead, tail),
                sign=sign,
                lead=lead,
            )
        )
        prev_end = amount.end
    return _respectively(sentence, _with_matched_estimates(sentence, figures))


def _with_matched_estimates(sentence: str, figures: list[_Figure]) -> list[_Figure]:
    """Each actual followed by "matching the estimate" (and no figure of its own) gets
    that estimate beside it; other figures are left as they are."""
    if not any(word in sentence for word in _MATCH_WORDS):
        return figures
    out: list[_Figure] = []
    for index, fig in enumerate(figures):
        out.append(fig)
        if fig.role != "actual" or fig.metric is None:
            continue
        nxt = figures[index + 1].amount.start if index + 1 < len(figures) else len(sentence)
        if index + 1 < len(figures) and figures[index + 1].role == "estimate":
            continue
        implied = _matched_estimate(sentence, fig, nxt)
        if implied is not None:
            out.append(implied)
    return out


_MATCH_WORDS = ("match", "line with", "meet", "equal", "xpected", "forecast", "anticipated")


def _implied_estimate(actual: _Figure, margin: Amount, verb: str, lead: str) -> _Figure:
    """The estimate a margin implies: beating by 6 cents means it was 6 cents lower."""
    signed = -float(actual.amount.value) if actual.sign < 0 else float(actual.amount.value)
    delta = float(margin.value)
    value = signed + delta if _MISS_VERB.match(verb) else signed - delta
    implied = Amount(
        start=margin.start,
        end=margin.end,
        value=Decimal(str(round(abs(value), 6))),
        currency=margin.currency or actual.amount.currency,
    )
    return _Figure(
        amount=implied,
        role="estimate",
        metric=actual.metric,
        basis=None,
        sign=-1 if value < 0 else 1,
        lead=lead,
    )


def _respectively(sentence: str, figures: list[_Figure]) -> list[_Figure]:
    """ "revenue and EPS of $11.19 billion and $1.20 ..., respectively": the listed metrics
    go to the actuals in the order written."""
    if len(figures) < 2 or not _RESPECTIVELY.search(sentence):
        return figures
    listed = _METRIC_LIST.search(sentence)
    if listed is None:
        return figures
    metrics = [_metric_word(listed.group("m1")), _metric_word(listed.group("m2"))]
    actuals = [
        i for i, f in enumerate(figures) if f.role == "actual" and f.amount.start > listed.end()
    ]
    if len(actuals) < 2 or actuals[1] != actuals[0] + 1:
        return figures
    updated = list(figures)
    for index, metric in zip(actuals[:2], metrics, strict=True):
        updated[index] = replace(updated[index], metric=metric)
    return updated


def _metric_word(word: str) -> Metric:
    return "eps" if word.lower().startswith(("eps", "earn")) else "revenue"


def _compatible(actual: _Figure, estimate: _Figure) -> bool:
    return actual.metric is None or estimate.metric is None or actual.metric == estimate.metric


def _pairs(figures: list[_Figure]) -> list[tuple[_Figure, _Figure]]:
    """Actuals with their estimates: forward runs first, then an estimate written before."""
    pairs: list[tuple[_Figure, _Figure]] = []
    pending: list[_Figure] = []
    estimates: list[_Figure] = []
    used: set[int] = set()

    def flush() -> None:
        if not pending or not estimates:
            return
        if len(pending) == len(estimates):
            matched = list(zip(pending, estimates, strict=True))
        else:
            matched = []
            for est in estimates:
                options = [a for a in pending if _compatible(a, est)] or pending
                matched.append((options[-1], est))
        for act, est in matched:
            if _compatible(act, est) and id(act) not in used:
                pairs.append((act, est))
                used.add(id(act))
                used.add(id(est))
        pending.clear()
        estimates.clear()

    for fig in figures:
        if fig.role == "actual":
            flush()  # pairs any run of actuals followed by estimates before this one
            pending.append(fig)
        elif fig.role == "estimate" and pending:
            estimates.append(fig)
    flush()
    # An estimate written before its actual ("Against estimates of $1.05, X posted $1.10").
    for index, fig in enumerate(figures):
        if fig.role != "actual" or id(fig) in used:
            continue
        for prior in reversed(figures[:index]):
            if prior.role == "actual":
                break
            if prior.role == "estimate" and id(prior) not in used:
                if fig.metric is not None and _compatible(fig, prior):
                    pairs.append((fig, prior))
                    used.add(id(fig))
                    used.add(id(prior))
                break
    pairs.sort(key=lambda pair: pair[0].amount.start)
    return pairs


@dataclass(frozen=True, slots=True)
class Context:
    """What the earnings rules need to know about the whole article."""

    text: str
    sentences: list[Sentence]
    companies: Companies
    periods: list[PeriodMention]
    year: int | None
    currency: str | None


def default_currency(sentences: list[Sentence]) -> str | None:
    """The article's most frequent written currency (for '81 cents' and bare estimates)."""
    counts = Counter(
        a.currency for sentence in sentences for a in find_amounts(sentence.text) if a.currency
    )
    crowns = [c for c, _ in counts.most_common() if c in _CROWN_CURRENCIES]
    if crowns and any(
        _BARE_CROWNS.search(s.text) for s in sentences if "kron" in s.text or "crowns" in s.text
    ):
        return crowns[0]  # "3.04 crowns" after "Swedish crowns": the country named once
    return counts.most_common(1)[0][0] if counts else None


_CROWN_CURRENCIES = frozenset({"SEK", "NOK", "DKK", "CZK", "ISK"})
_BARE_CROWNS = re.compile(
    r"\d\s(?:(?:b|m)illion\s)?(?:crowns|kroner|kronur)\b", re.IGNORECASE | re.ASCII
)


def _signed(fig: _Figure, other: _Figure | None) -> float:
    value = float(fig.amount.value)
    sign = fig.sign or (other.sign if other is not None and other.sign < 0 else 0)
    return -value if sign < 0 else value


def _period_for(
    ctx: Context,
    sentence: Sentence,
    pos: int,
    region: tuple[int, int],
    owner: str | None = None,
) -> PeriodMention | None:
    absolute = sentence.start + pos
    pair_end = sentence.start + region[1]
    inside = [
        m
        for m in ctx.periods
        if sentence.start <= m.start < sentence.end
        # a period after the pair that a forecast goes with ("... 市場予想 262.10円
        # (2)通期の連結業績予想") heads what follows, not this figure
        and not (
            m.start >= pair_end
            and _GUIDANCE_MARK.search(ctx.text, m.start, min(sentence.end, m.end + 16))
        )
    ]
    in_region = [m for m in inside if region[0] <= m.start - sentence.start < region[1]]
    candidates = in_region or inside
    if candidates:
        return min(candidates, key=lambda m: abs(m.start - absolute))
    para_start = _paragraph_start(ctx, sentence)
    before = [m for m in ctx.periods if para_start <= m.start < sentence.start]
    if before:
        return before[-1]
    # Not said near the figure: the period the article opens with (headline or lede),
    # or one said later ("The results cover the third quarter"), unless that one
    # belongs to guidance ("raised its full-year outlook").
    earlier = [m for m in ctx.periods if m.start < sentence.start]
    if earlier and owner is not None and not _names(ctx, earlier[0].start, owner):
        # Two companies in one story: the opening period is the other company's; take
        # the latest one written where this company is named ("Qorvo ... in its fiscal
        # 2025 third quarter"), unless it belongs to guidance.
        own = [
            m
            for m in earlier
            if _names(ctx, m.start, owner)
            and not _GUIDANCE_MARK.search(ctx.text[max(0, m.start - 40) : m.end + 40])
        ]
        if own:
            return own[-1]
    # "raises annual forecast" in a headline: a period that heads a forecast is not the
    # one the results cover
    opening = [m for m in earlier if not _FORECAST_AFTER.match(ctx.text, m.end)]
    if opening:
        return opening[0]
    if earlier:
        return earlier[0]
    later = [
        m
        for m in ctx.periods
        if not _GUIDANCE_MARK.search(ctx.text[max(0, m.start - 40) : m.end + 40])
    ]
    return later[0] if later else None


# A period word that qualifies a forecast: "annual forecast", "full-year earnings outlook".
_FORECAST_AFTER = re.compile(
    r"\s(?:[\w-]+\s){0,2}?(?:forecasts?|outlook|guidance|targets?|goals?)\b",
    re.IGNORECASE | re.ASCII,
)


def _year_for(ctx: Context, mention: PeriodMention | None, sentence: Sentence) -> int | None:
    if mention is not None and mention.year is not None:
        return mention.year
    if mention is not None:
        same = [m.year for m in ctx.periods if m.period == mention.period and m.year is not None]
        if same:
            return same[0]
    if mention is not None:
        closed, ended = _ended_fiscal_year(ctx, mention)
        if ended is not None:
            return ended
        if closed and _named_fiscal_year(ctx.text):
            return _named_fiscal_year(ctx.text)  # the date was ambiguous, the name is not
    years = re.findall(r"(?<![\d,.$€£¥#兆億万])(20\d\d)(?!\d|%|[,.]\d|[兆億万円])", sentence.text)
    if years:
        return int(years[0])
    if mention is None:
        # No period is written anywhere ("reported quarterly earnings"): a dateline's year
        # says when the story ran, not which fiscal year the figures belong to.
        return None
    # The period came without a year: a fiscal year the article names elsewhere ("The
    # quarter was the third of Marvell's fiscal 2025") outranks the dateline's year.
    return _named_fiscal_year(ctx.text) or ctx.year


# Months after a period's calendar end by which its results are out; a year-start fiscal
# year ("2024年度", April to March) ends three months later, and filing takes up to three.
_REPORT_LAG_MONTHS = 9


def _unstale(ctx: Context, mention: PeriodMention | None, year: int | None) -> int | None:
    """A quarter or half whose results would have been out long before the story's date
    is a prior-year comparison ("and 2.10 euros in the third quarter of 2024" in an October
    2025 story) or a stray year ("in line with 2024's $47.7 billion"): the reported one is
    the latest such period ended by that date."""
    if year is None or mention is None or mention.period[0] not in "QH":
        return year
    dated = dateline_month(ctx.text)
    if dated is None:
        return year
    quarter = int(mention.period[1]) * (1 if mention.period[0] == "Q" else 2)  # H2 ends as Q4
    if dated <= year * 12 + quarter * 3 + _REPORT_LAG_MONTHS:
        return year
    date_year, date_month = divmod(dated - 1, 12)
    return date_year if date_month + 1 > quarter * 3 else date_year - 1


#: How far before "quarter ended <date>" the period it closes may be named.
_ENDED_REACH = 80


def _ended_fiscal_year(ctx: Context, mention: PeriodMention) -> tuple[bool, int | None]:
    """The fiscal year of a quarter or half whose closing date is written after it
    ("FOURTH QUARTER RESULTS FOR QUARTER ENDED OCT 31, 2024" is fiscal 2024): a fiscal
    year is named for the calendar year it ends in, found by counting the quarters left.
    A year ending in January or February is left alone: retailers name it for the year
    before ("fiscal 2024" closed on Feb. 1, 2025) while others name it for the year after.
    Returns whether a closing date was written for the period, and the year it gives.
    """
    if mention.period[0] not in "QH":
        return False, None
    for offset, month, year in period_ends(ctx.text):
        named = [
            m
            for m in ctx.periods
            if offset - _ENDED_REACH <= m.start <= offset and m.period[0] in "QH"
        ]
        if not named or named[-1].period != mention.period:
            continue
        quarter = int(mention.period[1]) * (1 if mention.period[0] == "Q" else 2)
        end = year * 12 + month - 1 + (4 - quarter) * 3  # months counted from year 0
        end_year, end_month = divmod(end, 12)
        return True, None if end_month + 1 in (1, 2) else end_year
    return False, None


_FISCAL_YEAR = re.compile(r"\bfiscal (?:year )?(20\d\d)(?!\d)", re.IGNORECASE | re.ASCII)


@functools.lru_cache(maxsize=4)  # asked once per item of the same article
def _named_fiscal_year(text: str) -> int | None:
    """The first "fiscal 2025" of the article that is not part of guidance."""
    if "iscal" not in text:
        return None
    for match in _FISCAL_YEAR.finditer(text):
        around = text[max(0, match.start() - 40) : match.end() + 40]
        if not _GUIDANCE_MARK.search(around) and not _FORECAST_VERB.search(around):
            return int(match.group(1))
    return None


# "For fiscal 2026 Cisco forecast revenue of ...": the past-tense verb before a metric is
# the company's guidance (the noun "forecast" of analysts is followed by "of", never a metric).
_FORECAST_VERB = re.compile(
    r"\b(?:forecast|projected|guided)\s(?:(?:full-year|annual|adjusted|total|net)\s)?"
    r"(?:revenue|sales|earnings|EPS|profit|income)\b",
    re.IGNORECASE | re.ASCII,
)


def _owner(ctx: Context, sentence: Sentence, region_start: int, pos: int) -> str | None:
    start = sentence.start + region_start
    absolute = sentence.start + pos
    in_region = [m for m in ctx.companies.mentions if start <= m.start < absolute]
    if in_region:
        return in_region[0].symbol
    inside = [m for m in ctx.companies.mentions if sentence.start <= m.start < sentence.end]
    if inside:
        return inside[0].symbol
    para_start = _paragraph_start(ctx, sentence)
    before = [m for m in ctx.companies.mentions if para_start <= m.start < sentence.start]
    if before:
        return before[-1].symbol
    return ctx.companies.primary()


def _names(ctx: Context, pos: int, symbol: str) -> bool:
    """True when the paragraph (line) around `pos` names the company `symbol`."""
    start = ctx.text.rfind("\n", 0, pos) + 1
    end = ctx.text.find("\n", pos)
    end = len(ctx.text) if end < 0 else end
    return any(m.symbol == symbol and start <= m.start < end for m in ctx.companies.mentions)


def _paragraph_start(ctx: Context, sentence: Sentence) -> int:
    """Offset where the sentence's paragraph (line) begins."""
    return ctx.text.rfind("\n", 0, sentence.start) + 1


def verdict(actual: float, estimate: float, surprise: float, between: str) -> Verdict:
    """Beat, miss or inline ("in line with" counts only for a surprise under 1%)."""
    if actual == estimate or (_INLINE.search(between) and abs(surprise) < 1.0):
        return "inline"
    return "beat" if actual > estimate else "miss"


def plausible(metric: Metric, actual: float, estimate: float) -> bool:
    """False for pairs no real result has (a misread figure): sizes and ratios bounded."""
    if metric == "eps":
        return abs(actual) < 100_000 and abs(estimate) < 100_000
    if not 100_000 <= abs(actual) < 1e15 or not 100_000 <= abs(estimate) < 1e15:
        return False  # no company's quarterly revenue is below this or above a quadrillion
    ratio = abs(actual) / abs(estimate)
    return 0.5 <= ratio <= 2.0


def find_earnings(ctx: Context) -> list[EarningsItem]:
    """Every (actual, estimate) pair of the article as an item, duplicates folded.

    Wire copy often gives the estimate in the next sentence ("... 78 cents per share.
    Analysts had expected 63 cents."): an actual left unpaired is offered to the
    estimates that open the following sentence with figures, across at most one
    sentence without any.
    """
    items: list[EarningsItem] = []
    seen: set[tuple[object, ...]] = set()
    leftover: list[_Figure] = []
    previous: Sentence | None = None
    vs_consensus = _mentions_vs(ctx.text) and _VS_CONSENSUS.search(ctx.text) is not None
    bridged = False
    forecast_list = False
    updated_preview = _is_updated_preview(ctx.text)
    update_actuals: list[tuple[Sentence, _Figure]] = []
    preview_estimates: list[_Figure] = []
    early: list[tuple[Sentence, _Figure]] = []  # estimates written before any result
    unpaired: list[tuple[Sentence, _Figure]] = []
    carried: set[int] = set()
    for sentence in ctx.sentences:
        bulleted = _BULLET.match(sentence.text) is not None
        if forecast_list and bulleted:
            leftover, previous = [], None
            continue  # a line of the company's forecast, even when a consensus is beside it
        figures = _figures(sentence.text, vs_consensus)
        forecast_list = _opens_forecast_list(sentence.text, figures)
        if not figures and not bridged and leftover and not _PREVIEW.search(sentence.text):
            # "...a loss of 18 cents per share. The results missed Wall Street
            # expectations. The average estimate ... was for a loss of 14 cents": one
            # sentence without figures between an actual and its estimate keeps the carry.
            bridged = True
            continue
        bridged = False
        if not figures or _PREVIEW.search(sentence.text):
            leftover, previous = [], None
            continue
        found: list[EarningsItem | None] = []
        pairs = _pairs(figures)
        used = {id(f) for pair in pairs for f in pair}
        if leftover and previous is not None:
            for act, est in _carried(leftover, figures, used):
                moved = replace(
                    est,
                    amount=replace(est.amount, start=len(previous.text), end=len(previous.text)),
                )
                carried.add(id(act))
                carried.add(id(est))
                item = _item(ctx, previous, act, moved, 0)
                if item is not None:
                    joined = evidence(f"{previous.text} {sentence.text}")
                    found.append(replace(item, evidence=joined))
        region_start = 0
        for act, est in pairs:
            found.append(_item(ctx, sentence, act, est, region_start))
            region_start = max(act.amount.end, est.amount.end)
        for item in found:
            if item is None:
                continue
            key = (
                item.ticker,
                item.period,
                item.fiscal_year,
                item.metric,
                item.actual,
                item.estimate,
            )
            if key in seen:
                continue
            seen.add(key)
            items.append(item)
        leftover = [
            f for f in figures if f.role == "actual" and f.metric is not None and id(f) not in used
        ]
        unpaired += [(sentence, f) for f in leftover]
        if not any(f.role == "actual" and f.metric is not None for f in figures):
            early += _early_estimates(sentence, figures, used)
        previous = sentence
        if updated_preview:
            if _UPDATE_LEAD.match(ctx.text, _paragraph_start(ctx, sentence)):
                update_actuals += [(sentence, f) for f in leftover]
            else:
                preview_estimates += [
                    f for f in figures if f.role == "estimate" and id(f) not in used
                ]
    if update_actuals:
        items += _update_items(ctx, update_actuals, preview_estimates, seen)
    if early and unpaired:
        early = [(s, f) for s, f in early if id(f) not in carried]
        unpaired = [(s, f) for s, f in unpaired if id(f) not in carried]
        items += _estimate_first_items(ctx, early, unpaired, seen)
    return items


# A forecast still ahead of the results ("analysts expect", "is expected to earn") is a
# preview's; the estimate a results story opens with is written in the past tense.
_AHEAD = re.compile(
    r"\b(?:expect|expects|are expecting|is expecting|will|would|should|next)\b",
    re.IGNORECASE | re.ASCII,
)


def _early_estimates(
    sentence: Sentence, figures: list[_Figure], used: set[int]
) -> list[tuple[Sentence, _Figure]]:
    """Unpaired estimates of a sentence that reports nothing itself ("Going into the
    report, analysts had expected Deere to earn $3.90 a share"), kept for results written
    paragraphs later; none from a sentence that looks ahead."""
    estimates = [
        f for f in figures if f.role == "estimate" and f.metric is not None and id(f) not in used
    ]
    if not estimates or _AHEAD.search(sentence.text):
        return []
    return [(sentence, f) for f in estimates]


def _estimate_first_items(
    ctx: Context,
    early: list[tuple[Sentence, _Figure]],
    unpaired: list[tuple[Sentence, _Figure]],
    seen: set[tuple[object, ...]],
) -> list[EarningsItem]:
    """Estimates stated before the results paired with the first later result of the same
    metric and company that nothing else paired, when the two are of one size (a ratio
    under 2, one sign): "Analysts had expected $3.90 a share. ... The company posted
    $4.55 per share"."""
    items: list[EarningsItem] = []
    taken: set[int] = set()
    for est_sentence, est in early:
        est_owner = _owner(ctx, est_sentence, 0, est.amount.start)
        for sentence, act in unpaired:
            if sentence.start <= est_sentence.start or id(act) in taken:
                continue
            if act.metric != est.metric or not _same_size(act, est):
                continue
            if act.basis and est.basis and act.basis != est.basis:
                continue  # a GAAP figure is not what a non-GAAP consensus forecast
            if _owner(ctx, sentence, 0, act.amount.start) != est_owner:
                continue
            moved = replace(
                est, amount=replace(est.amount, start=len(sentence.text), end=len(sentence.text))
            )
            item = _item(ctx, sentence, act, moved, 0)
            if item is None:
                continue
            taken.add(id(act))
            key = (
                item.ticker, item.period, item.fiscal_year, item.metric, item.actual,
                item.estimate,
            )  # fmt: skip
            if key not in seen:
                seen.add(key)
                joined = evidence(f"{est_sentence.text} ... {sentence.text}")
                items.append(replace(item, evidence=joined))
            break
    return items


def _same_size(act: _Figure, est: _Figure) -> bool:
    """True when two figures could be a result and its forecast: same sign, within 2x."""
    actual, estimate = _signed(act, None), _signed(est, act if est.sign == 0 else None)
    if estimate == 0 or (actual < 0) != (estimate < 0):
        return False
    return 0.5 <= actual / estimate <= 2.0


def _is_updated_preview(text: str) -> bool:
    """True for a preview whose results were added on top (see `_UPDATE_LEAD`)."""
    if not ("review" in text or "riginal" in text):
        return False  # cheap pre-tests: both words are rare, the preview's the rarer
    if not ("UPDATE" in text or "Update" in text or "ditor" in text):
        return False
    return _PREVIEW_WORD.search(text) is not None and any(
        _UPDATE_LEAD.match(line) for line in text.splitlines()
    )


def _update_items(
    ctx: Context,
    actuals: list[tuple[Sentence, _Figure]],
    estimates: list[_Figure],
    seen: set[tuple[object, ...]],
) -> list[EarningsItem]:
    """The update's reported figures against the consensus its preview gave for the same
    metric (the first one written: the preview's later figures are history or guidance)."""
    items: list[EarningsItem] = []
    taken: set[int] = set()
    for sentence, act in actuals:
        est = next((e for e in estimates if id(e) not in taken and e.metric == act.metric), None)
        if est is None:
            continue
        taken.add(id(est))
        moved = replace(
            est, amount=replace(est.amount, start=len(sentence.text), end=len(sentence.text))
        )
        item = _item(ctx, sentence, act, moved, 0)
        if item is None:
            continue
        key = (item.ticker, item.period, item.fiscal_year, item.metric, item.actual, item.estimate)
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def _analysts_range(fig: _Figure) -> bool:
    """True for the spread of analysts' forecasts ("estimates ranged from $1.25 billion to
    $1.30 billion"): not an estimate itself, but the consensus written next still is."""
    return fig.amount.high is not None and _ANALYST_MARK.search(fig.lead[-90:]) is not None


def _opens_forecast_list(text: str, figures: list[_Figure]) -> bool:
    """True when the words after the sentence's last figure head a list of the company's
    own forecast ("(2)通期の連結業績予想", "Outlook for fiscal 2026:"): the bulleted lines
    under it are guidance, not results."""
    if not ("予想" in text or "見通し" in text or "utlook" in text or "uidance" in text):
        return False  # cheap pre-test: most sentences head no list
    tail = text[figures[-1].amount.end :] if figures else text
    return _FORECAST_HEADER.search(tail) is not None


def _carried(
    leftover: list[_Figure], figures: list[_Figure], used: set[int]
) -> list[tuple[_Figure, _Figure]]:
    """Estimates of a sentence that has no reported figure of its own before them, paired
    with the previous sentence's unpaired actuals of the same metric (last one first)."""
    pairs: list[tuple[_Figure, _Figure]] = []
    taken: set[int] = set()
    for fig in figures:
        if fig.role == "actual":
            break  # this sentence reports figures of its own: its estimates are theirs
        if fig.role == "skip" and _analysts_range(fig):
            continue  # "estimates ranged from X to Y, and the consensus was Z": Z is the one
        if fig.role == "skip" and (fig.amount.high is not None or _GUIDANCE_MARK.search(fig.lead)):
            break  # "raised its plan from X to Y, above the consensus of Z": Z is the plan's
        if fig.role != "estimate" or id(fig) in used:
            continue
        options = [a for a in leftover if id(a) not in taken and _compatible(a, fig)]
        if fig.metric is None and len(options) > 1:
            options = options[-1:]
        if options:
            chosen = options[-1] if fig.metric is None else options[0]
            pairs.append((chosen, fig))
            taken.add(id(chosen))
    return pairs


def _item(
    ctx: Context, sentence: Sentence, act: _Figure, est: _Figure, region_start: int
) -> EarningsItem | None:
    metric = act.metric or est.metric
    if metric is None:
        return None
    if act.amount.currency and est.amount.currency and act.amount.currency != est.amount.currency:
        return None
    currency = act.amount.currency or est.amount.currency or ctx.currency or "USD"
    actual = _signed(act, None)
    estimate = _signed(est, act if est.sign == 0 else None)
    if estimate == 0 or not plausible(metric, actual, estimate):
        return None
    surprise = round((actual - estimate) / abs(estimate) * 100, 2)
    lo = min(act.amount.end, est.amount.end)
    hi = max(act.amount.start, est.amount.start)
    between = sentence.text[lo:hi]
    owner = _owner(ctx, sentence, region_start, act.amount.start)
    region = (region_start, est.amount.end)
    mention = _period_for(ctx, sentence, act.amount.start, region, owner)
    # Basis is a per-share notion (interface: adjusted vs GAAP EPS); "underlying revenue"
    # is still the revenue item.
    basis = (act.basis or est.basis) if metric == "eps" else None
    return EarningsItem(
        ticker=owner,
        period=mention.period if mention else None,
        fiscal_year=_unstale(ctx, mention, _year_for(ctx, mention, sentence)),
        metric=metric,
        basis=basis,
        actual=_round(actual),
        estimate=_round(estimate),
        currency=currency,
        surprise_pct=surprise,
        verdict=verdict(actual, estimate, surprise, between),
        evidence=evidence(sentence.text),
    )


def _round(value: float) -> float:
    """Drop float noise from decimal arithmetic (0.81, not 0.8100000000000001)."""
    return round(value, 6)
