"""Claims about AI compute and infrastructure: GPU counts, compute multiples, capex,
data-centre power and model sizes.

Each kind has its own narrow pattern plus a context test, because the same number
shapes mean other things elsewhere: "$405 billion model" is a misprinted model size,
not spending, and "$400,000 per year" is a salary. Money counts as capex only next to
an investment word in an AI/data-centre context.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from market_news.extract.numbers import find_amounts, scale_value, word_number
from market_news.extract.text import Sentence, anchor_spans, evidence, finditer_in
from market_news.models import AIClaim, ClaimKind, Qualifier

_QUALIFIERS_BEFORE: list[tuple[Qualifier, re.Pattern[str]]] = [
    (
        "more than",
        re.compile(
            r"(?:\b(?:more than|over|greater than|bigger than|larger than|in excess of|"
            r"upwards of|north of|exceeding|exceed|exceeds|top|tops|topping|surpass|surpassing|"
            r"above|beyond)|超|超える)\s?(?:a\s|an\s)?$",
            re.IGNORECASE | re.ASCII,
        ),
    ),
    (
        "at least",
        re.compile(
            r"(?:\b(?:at least|no fewer than|no less than|a minimum of|minimum of)|少なくとも)\s?$",
            re.IGNORECASE | re.ASCII,
        ),
    ),
    (
        "up to",
        re.compile(
            r"(?:\b(?:up to|as many as|as much as|a maximum of|maximum of)|最大で?)\s?$",
            re.IGNORECASE | re.ASCII,
        ),
    ),
    (
        "almost",
        re.compile(
            r"(?:\b(?:almost|nearly|close to|just under|just shy of|approaching)|ほぼ)\s?$",
            re.IGNORECASE | re.ASCII,
        ),
    ),
    (
        "about",
        re.compile(
            r"(?:\b(?:about|around|approximately|roughly|some|an estimated|circa|approx\.?)"
            r"|~|約|およそ)\s?$",
            re.IGNORECASE | re.ASCII,
        ),
    ),
]
_QUALIFIERS_AFTER: list[tuple[Qualifier, re.Pattern[str]]] = [
    (
        "more than",
        re.compile(
            r"^(?:\s?(?:or more|plus)\b|\+|-plus\b|\s?以上|\s?超|\s?強|\s?を(?:超え|上回))",
            re.ASCII,
        ),
    ),
    ("almost", re.compile(r"^\s?(?:近く|弱)")),
    ("about", re.compile(r"^\s?(?:程度|前後|ほど)")),
]

_COUNT = (
    r"(?P<num>\d{1,3}(?:,\d{3}){1,4}|\d{1,9}(?:\.\d{1,3})?"
    # a spelled count needs its scale word: "one million TPUs", "half a million chips"
    r"|(?:half a|a|one|two|three|four|five|ten)(?=\s(?:million|thousand)\b))"
    r"(?:\s?(?P<scale>million|thousand|万|千))?"
    # the thousands under a 万: "2万5,000基" is 25,000
    r"(?P<rest>(?<=万)(?:\d,\d{3}|\d{1,4}))?"
)
_CHIP = (
    r"(?P<chip>GB\d{3}|[BHAL]\d{2,3}[A-Z]?|MI\d{3}[A-Z]?|TPU\s?v\d{1,2}[a-z]?|Trainium\s?\d?|"
    r"Gaudi\s?\d|Blackwell|Hopper|Maia\s?\d{3}|Ascend\s?\d{3}[A-Z]?|TPU|"
    # any other maker's model code before a chip noun, as written: "Kunlun P800 chips"
    r"(?:[A-Z][a-z]{2,12}\s)?(?!(?:GB|MI|[BHAL])\d)[A-Z]{1,3}\d{2,4}[A-Z]?"
    r"(?=\s(?:chips?|GPUs?|accelerators?|processors?)\b))"
)
_GENERIC_GPU = (
    r"(?P<generic>GPUs?|graphics processing units?|graphics processors?|accelerators?|"
    r"AI chips?|chips?)"
)
_VENDOR_GAP = (
    r"(?:(?:of\s)?(?:the\s)?(?:its\s)?(?:[A-Z][\w.&'\-]{0,20}\s|[\u30a0-\u30ffー・]{1,12}社?の?\s?"
    r"|(?:data[- ]?cent(?:er|re)|high-end|advanced|flagship|additional|new|more)\s"
    r"|[(\[][A-Za-z\s]{0,12}:\s?[A-Z0-9.]{1,6}[)\]]\s?(?:の\s?)?)){0,4}?"
)
_GPU = re.compile(
    r"(?<![A-Za-z0-9_.,$])" + _COUNT + r"(?P<counter>\s?(?:台|基|個|枚))?(?P<post>\s?(?:以上|超))?"
    r"(?:\s?の)?\s?(?:" + _VENDOR_GAP + r")"
    r"(?:" + _CHIP + r"(?P<plural>s|-equivalents?|\sequivalents?)?(?:\s?GPUs?)?(?![A-Za-z0-9_])"
    r"|" + _GENERIC_GPU + r"(?![A-Za-z0-9_]))",
    re.ASCII,
)
# Japanese copy often names the chip first: "GPU「B200」を約4000基導入".
_GPU_JA = re.compile(
    r"(?:" + _CHIP + r"|(?P<generic>GPU))」?\s?(?:を|が|の(?:総数|台数|搭載数|数)は)?\s?"
    # "を計4,608基": 計 (in all) is a total, no qualifier
    r"(?:計|合計|総計)?(?P<qual>約|およそ|最大|少なくとも)?"
    r"(?P<num>\d{1,3}(?:,\d{3}){1,4}|\d{1,9}(?:\.\d{1,3})?)\s?(?P<scale>万|千)?"
    r"(?P<rest>(?<=万)(?:\d,\d{3}|\d{1,4}))?\s?(?:基|台|個|枚)"
    r"(?P<post>を超え|を上回|超|以上)?",
)
_JA_QUALIFIERS: dict[str, Qualifier] = {
    "約": "about", "およそ": "about", "最大": "up to", "少なくとも": "at least",
}  # fmt: skip
# "パラメータ数は3900億": the count after the word.
_PARAMS_JA = re.compile(
    r"パラメー?タ(?:ー)?数?\s?(?:は|が|を)?\s?(?P<qual>約|およそ|最大)?"
    r"(?P<num>\d{1,6}(?:\.\d{1,3})?)\s?(?P<scale>兆|億|万)"
)
_AI_CONTEXT = re.compile(
    r"\bAI\b|artificial[- ]intelligence|\bGPUs?\b|data[- ]cent(?:er|re)s?|datacenters?|"
    r"\bcompute\b|computing|infrastructure|\bcluster|supercomputer|training|\bmodels?\b|"
    r"人工知能|データセンター|生成AI|計算",
    re.IGNORECASE | re.ASCII,
)
_MULTIPLE = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<num>\d{1,4}(?:\.\d{1,2})?|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|fifteen|twenty|thirty|forty|fifty|a hundred|one hundred|hundred)"
    r"(?:\s?(?:times|x|×)|-fold|\s?倍)(?![A-Za-z0-9_])",
    re.IGNORECASE | re.ASCII,
)
_COMPUTE = re.compile(
    r"\bcompute\b|\bcomputing\b|computational|computation|\bFLOPs?\b|計算",
    re.IGNORECASE | re.ASCII,
)
_CAPEX_STRONG = re.compile(
    r"capital expenditures?|capital spending|capital investments?|\bcap-?ex\b|設備投資|"
    # a project's whole cost: "総事業費は約1,800億円", "総投資額は2000億円"
    r"総事業費|総投資額|"
    # a project's whole cost in an AI-infrastructure story: "puts the total investment at"
    r"\b(?:total|overall) investment\b",
    re.IGNORECASE | re.ASCII,
)
_CAPEX_WEAK = re.compile(
    r"\binvest(?:s|ed|ing|ment|ments)?\b|\bspend(?:s|ing)?\b|\bspent\b|\bpour(?:s|ed|ing)?\b"
    r"|\bcommit(?:s|ted|ment)?\b|\bbudget|\bto be deployed\b|投資|投じ|支出",
    re.IGNORECASE | re.ASCII,
)
_INFRA = re.compile(
    r"data[- ]cent(?:er|re)s?|datacenters?|\bAI\b|artificial[- ]intelligence|infrastructure|"
    r"\bGPUs?\b|\bservers?\b|\bcompute\b|computing|\bchips?\b|データセンター|人工知能|インフラ",
    re.IGNORECASE | re.ASCII,
)
# What building a system cost: "Gefion's original build, financed by ..., cost DKK 700 million".
_BUILD_COST = re.compile(
    r"\b(?:build|build-?out|construction|expansion)\b[^.;]{0,90}?\bcost(?:s|ing)?\b",
    re.IGNORECASE | re.ASCII,
)
# What a named system or site will cost, as an estimate of its price: "put the cost of
# Halcyon at about $1.1 billion", "estimated the total cost of the campus at", "pegged
# the price tag for the cluster at", "Halcyon will cost about $1.1 billion".
_COST_AT = re.compile(
    r"\b(?:put|puts|putting|estimated?|estimates|estimating|pegged|pegs|pegging|set|sets|"
    r"placed|places)\s(?:the\s)?(?:total\s|overall\s|full\s|expected\s|final\s)?"
    r"(?:cost|price tag|bill)\s(?:of|for)\b[^.;$€£¥]{1,60}?\bat\b"
    r"|\b(?:will|would|is expected to|is set to|is to)\scost\b"
    # "Equinix expects DA12x to cost about $1.6 billion to build"
    r"|\b(?:expects?|expected|estimates?|projects?)\s[^.;$\u20ac\u00a3\u00a5]{1,40}?\sto\scost\b",
    re.IGNORECASE | re.ASCII,
)
# "the build" is the build-out in an article about one: "put the cost of the build at".
_BUILD_OUT = re.compile(
    r"\bbuild(?:s|ing)?[- ]?out\b|\bbuild-?outs?\b|\bthe build\b", re.IGNORECASE | re.ASCII
)
# The figure a revised plan replaced: "raised its capex forecast to $85 billion from $75
# billion", "from $75 billion previously", "its earlier plan of $75 billion" (only the new
# figure is a claim).
_SUPERSEDED_LEAD = re.compile(
    r"(?:\bfrom|\b(?:previous(?:ly)?|prior|earlier|old|original|initial)\s(?:forecast|"
    r"guidance|guide|plan|outlook|target|view|budget|estimate)\s(?:of|for)|\bprevious(?:ly)?)"
    r"\s(?:about\s|around\s|roughly\s|approximately\s|some\s|nearly\s)?$",
    re.IGNORECASE | re.ASCII,
)
_SUPERSEDED_TAIL = re.compile(r",?\s?\(?previously\b", re.IGNORECASE | re.ASCII)
# Money raised to build a site or project is what the build-out is financed with: "raised
# $15 billion in debt and equity for the Stargate project", "secured a $2.3 billion
# construction loan for the campus", "lined up $7bn of financing to build the data center".
_FINANCED_BUILD = re.compile(
    r"\b(?:raised|raising|raises|secured|securing|secures|obtained|arranged|closed|"
    r"lined up)\b[^;]{0,50}?\b(?:debt|equity|financing|funding|loans?|credit)\b"
    r"[^;]{0,40}?\b(?:for|to (?:build|fund|finance))\b[^;]{0,30}?\b(?:project|campus|site|"
    r"data[- ]?cent(?:er|re)s?|facility|facilities|cluster|supercomputer|build-?out|"
    r"construction)\b",
    re.IGNORECASE | re.ASCII,
)
_NOT_CAPEX_TAIL = re.compile(
    r"^\s?-?\s?(?:parameters?|param|model|per share|a share|per year|a year|annually|"
    r"salary|in revenue|in sales|パラメータ)",
    re.IGNORECASE | re.ASCII,
)
_NOT_CAPEX_LEAD = re.compile(
    r"\b(?:revenue|sales|earnings|EPS|income|profit|salary|earn|earning|earns|pay|paid|"
    r"valuation|valued|values|market value|market cap|price(?!\stag)|deal|acquisition|acquire|buy|"
    r"purchase|a year earlier|year-ago|up from|down from|backlog|bookings|orders|"
    r"remaining performance obligations?|RPO)\b[^,;]{0,30}$|売上|利益|株価|年収|買収|受注",
    re.IGNORECASE | re.ASCII,
)
_POWER = re.compile(
    r"(?<![\w.,])(?:(?P<lo>\d{1,5}(?:\.\d{1,3})?)\s?(?:to|-|~)\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3}){1,2}|\d{1,6}(?:\.\d{1,3})?|one|two|three|four|five|ten|a)"
    r"\s?-?\s?(?P<unit>gigawatts?|GW|megawatts?|MW|ギガワット|メガワット)(?![A-Za-z0-9_])",
    re.IGNORECASE | re.ASCII,
)
_POWER_CONTEXT = re.compile(
    r"data[- ]cent(?:er|re)s?|datacenters?|campus|cluster|facility|facilities|site|capacity|"
    r"power|supercomputer|\bAI\b|データセンター|電力|受電|容量|"
    # "An initial phase of 100MW is expected to go live": a build-out's stage
    r"\b(?:initial|first|second|next) phase\b",
    re.IGNORECASE | re.ASCII,
)
# Megawatts of heat, not of electricity: "units rated at 2.5MW of heat rejection",
# "a cooling capacity of 40MW" (datacenter_power is an electric capacity).
_THERMAL_TAIL = re.compile(
    r"\s?(?:of\s)?(?:heat|cooling|thermal|refrigeration|chilled[- ]water)\b",
    re.IGNORECASE | re.ASCII,
)
_THERMAL_LEAD = re.compile(
    r"\b(?:cooling|thermal|heat[- ]rejection|chiller)\s(?:capacity\s|load\s|rating\s)?"
    r"(?:of\s)?(?:up to\s|about\s)?$",
    re.IGNORECASE | re.ASCII,
)
_PARAMS = re.compile(
    r"(?<![A-Za-z0-9_.,$€£¥])(?P<num>\d{1,3}(?:,\d{3}){1,4}|\d{1,6}(?:\.\d{1,3})?)\s?-?\s?"
    r"(?P<scale>trillion|billion|million|T|B|M|兆|億|万)?\s?-?\s?"
    r"(?:(?P<which>total|active|activated|trainable)\s)?"
    r"(?P<word>parameters?|params?|パラメータ|パラメーター)(?![A-Za-z0-9_])",
    re.IGNORECASE | re.ASCII,
)
_SUBJECT = re.compile(
    r"\b(?:Llama|LLaMA|GPT|Gemini|Claude|Grok|Mistral|Mixtral|Qwen|DeepSeek|Gemma|Nemotron|"
    r"PaLM|Falcon|Olmo|Colossus|Stargate)"
    # the version, spaced or not ("Qwen2.5"); a tier may carry its own ("Mistral Large 2")
    # or a size alone as the version: "Falcon 180B", "Nemotron 70B"
    r"(?:(?:[\s-]|(?=\d))(?:\d{1,4}(?:\.\d)?[BT](?![A-Za-z0-9_])|"
    r"\d{1,2}(?:\.\d{1,2})?[a-z]?|[A-Z]\d{0,2}|"
    r"(?:Ultra|Pro|Opus|Sonnet|Haiku|Turbo|Flash|Max|Large|Medium|Small|Mini|Nano)"
    r"(?:\s\d{1,2}(?:\.\d{1,2})?(?![A-Za-z0-9_]))?)(?![A-Za-z0-9_.]\d)"
    # a size after the version: "Llama 3.1 405B", "Qwen2.5-72B"
    r"(?:[\s-]\d{1,4}(?:\.\d)?[BM](?![A-Za-z0-9_]))?"
    # a release's code name after its version: "Llama 4 Behemoth", "Gemini 2.5 Pro"
    r"(?:\s(?!(?:The|This|That|And|But|Is|Was|Will|Models?|AI|In|On|At|For|With|From)\b)"
    r"[A-Z][a-z]{2,15})?)?(?![A-Za-z0-9_])"
    r"|\bProject\s[A-Z][a-z]{2,20}\b",
    re.ASCII,
)
# A bare family name before "models" is a product line, not the subject of a figure.
_FAMILY_ONLY = re.compile(r"^[A-Za-z]+\s?$")
_FAMILY_AFTER = re.compile(r"^\s(?:family\s)?models\b", re.ASCII)
# A name written right before "model": "Microsoft's Phi-4 model", "its Nova Premier model".
_NAMED_MODEL = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z]{1,15}(?:-\d{1,2}(?:\.\d{1,2})?|\s[A-Z][a-z]{2,15}|"
    r"\s\d{1,2}(?:\.\d{1,2})?)?)\s(?:AI\s|language\s|foundation\s)?model\b",
    re.ASCII,
)
_MODEL_STOP = frozenset(
    {"The", "This", "That", "Its", "Our", "Their", "New", "Each", "One", "Any", "AI", "A",
     "Language", "Large", "Foundation", "Business", "Open", "Frontier", "Reasoning"}
)  # fmt: skip
# A name after "of"/"than" next to a figure is the baseline it is compared with.
_BASELINE_BEFORE = re.compile(r"\b(?:of|than|versus|vs\.?|over|from)\s$", re.ASCII)
# "the first phase of Colossus 2": a part of the named system, not a baseline.
_PART_OF = re.compile(
    r"\b(?:phase|stage|part|portion|expansion|build-?out|construction)\sof\s$", re.ASCII
)
_NAMED_SITE = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z0-9]{2,20})\s(?:AI\s)?(?:supercomputer|supercluster|cluster|campus|"
    # "site" only when a place follows ("the Fairwater site in Wisconsin"): a name
    # before a bare "site" is as often the town ("xAI's Memphis site")
    r"data cent(?:er|re)|superpods?|pods?|site(?=\s(?:in|at|near)\s[A-Z]))\b",
    re.ASCII,
)
# A site whose proper name ends with its kind: "OCI Supercluster", "Fugaku Supercomputer".
_PROPER_SITE = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z0-9]{1,20}\s(?:Supercluster|Supercomputer|SuperPOD|Cluster))\b",
    re.ASCII,
)
# A Latin-script name in Japanese corner brackets: 「ABCI 3.0」, 「Sarashina2」.
_BRACKETED_NAME = re.compile(r"「(?P<name>[A-Za-z][A-Za-z0-9 .\-]{1,30})」")
# "the figure as an adjective of the name": "Meta's 405-billion-parameter Llama 3.1".
_ADJECTIVE_FIGURE = re.compile(r"^[^\s]*-[^\s]*\s$")
# A clause that refers back to a model or system named earlier in the sentence: "training
# Llama 3, its next open model, and that the largest version has more than 400 billion".
_BACK_REFERENCE = re.compile(
    r"\b(?:the|its|that)\s(?:\w+\s)?(?:version|variant|model|cluster|system)\b", re.ASCII
)
_SITE_STOP = frozenset(
    {"The", "This", "That", "Its", "Our", "Their", "New", "Largest", "Each", "One", "Any",
     "Every", "GPU", "Nvidia", "NVIDIA", "Meta", "Microsoft", "Google", "Amazon", "Oracle",
     "Texas", "Ohio", "Louisiana", "Arizona", "Virginia", "Georgia", "Iowa", "Wisconsin"}
)  # fmt: skip


_ANAPHORA = re.compile(
    r"^(?:It|Its|This|That|These|Those|They|(?:The|Each|Every) (?:new )?(?:cluster|model|system|"
    r"supercomputer|campus|project|facility|site|pod|data cent(?:er|re))s?)\b|^同",
    re.ASCII,
)


_JAPANESE = re.compile(r"[\u3040-\u30ff]")
# An organisation as the topic of a Japanese sentence: "ソフトバンクグループ全体では", "同社は".
_JA_ORG_TOPIC = re.compile(
    r"(?:グループ|社|ホールディングス|全体|政府|\(\d{3}[0-9A-Z]\))(?:全体)?(?:では|は|が|も)"
)
#: How many sentences back a Japanese sentence without a subject may take one from.
_JA_TOPIC_REACH = 4

_CLAUSE_BREAK = re.compile(
    r";|,\s(?:and|while|but|whereas|although)\s|、(?:また|一方)", re.IGNORECASE | re.ASCII
)


_DIGIT = re.compile(r"\d")
_SPELLED_FIGURE_WORDS = (
    "times", "fold", "watt", "gw", "mw", "million", "倍", "ワット", "doubl", "tripl", "quadrupl",
)  # fmt: skip


def _may_claim(sentence: str) -> bool:
    """Every claim has a figure: digits, or a spelled multiple, power or count ("ten
    times", "a gigawatt", "one million TPUs"). Most prose sentences fail this cheap test
    and skip every rule."""
    if _DIGIT.search(sentence):
        return True
    lower = sentence.lower()
    return any(word in lower for word in _SPELLED_FIGURE_WORDS)


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: ClaimKind
    value: Decimal
    unit: str
    qualifier: Qualifier | None
    start: int


def _qualifier(sentence: str, start: int, end: int) -> Qualifier | None:
    before = sentence[max(0, start - 24) : start]
    after = sentence[end : end + 12]
    for name, pattern in _QUALIFIERS_AFTER:
        if pattern.match(after):
            return name
    for name, pattern in _QUALIFIERS_BEFORE:
        if pattern.search(before):
            return name
    return None


def _number(raw: str, scale: str | None = None) -> Decimal | None:
    spelled = word_number(raw)
    if spelled is not None:
        return Decimal(spelled) * (scale_value("1", scale) or Decimal(1))
    return scale_value(raw, scale)


# What a chip model names when a rack, server or system word follows it: the machines it
# is built into ("600 GB200 NVL72 racks", "1,000 H100 servers"), each holding many chips.
_RACK_TAIL = re.compile(
    r"\s?(?:NVL\d{1,3}s?\b|(?:NVL\d{1,3}\s)?(?:racks?|servers?|systems?|nodes?|pods?|"
    r"superpods?|cabinets?|trays?|boxes)\b)",
    re.IGNORECASE | re.ASCII,
)
# Generation bought or built to supply power, not a data center's capacity: "a 325-megawatt
# solar farm", "2 gigawatts of renewable capacity", "power purchase agreements covering 2GW".
_GENERATION_TAIL = re.compile(
    # a place may stand between: "325 MW Texas solar deal"
    r"\s?(?:of\s)?(?-i:[A-Z][a-z]+\s){0,2}(?:(?:new|contracted|clean|carbon-free|additional)\s)?"
    r"(?:solar|wind|renewables?|hydro(?:electric|power)?|geothermal|offshore|onshore|"
    r"photovoltaic|PV|gas-fired|nuclear power plant)\b",
    re.IGNORECASE | re.ASCII,
)
_GENERATION_LEAD = re.compile(
    r"\b(?:power purchase agreements?|PPAs?|solar (?:farm|park|project)s?|wind (?:farm|park|"
    r"project)s?)\b[^.;]{0,40}$",
    re.IGNORECASE | re.ASCII,
)


def _gpu_hits(sentence: str) -> list[_Hit]:
    hits: list[_Hit] = []
    matches = list(_GPU.finditer(sentence))
    # "Project Rainier - the Trainium2 cluster ... - is expected to top out at well beyond
    # half a million chips": a generic count takes the one chip model its sentence names
    # when no other count of the sentence is that model's.
    sole_chip: str | None = None
    if any(m.group("generic") for m in matches) and not any(m.group("chip") for m in matches):
        named = {m.group("chip") for m in _CHIP_NAME.finditer(sentence)}
        sole_chip = named.pop() if len(named) == 1 else None
    for match in matches:
        raw = match.group("num")
        if raw.lower() == "half a":
            value = scale_value("0.5", match.group("scale"))
        else:
            value = _number(raw, match.group("scale"))
            value = _plus_rest(value, match.group("rest"))
        if value is None or value < 50:
            continue
        if match.group("chip") and _RACK_TAIL.match(sentence, match.end()):
            continue  # "600 GB200 NVL72 racks": a count of racks or servers, not of chips
        chip = match.group("chip") or (sole_chip if match.group("generic") else None)
        if chip:
            unit = re.sub(r"\s+", " ", chip)
            unit = (
                "TPU v" + unit.split("v", 1)[1] if unit.startswith("TPU") and "v" in unit else unit
            )
        else:
            if not _AI_CONTEXT.search(sentence):
                continue
            unit = "GPU"
        qualifier = _qualifier(sentence, match.start("num"), match.end("num"))
        if match.group("post"):
            qualifier = "more than"
        hits.append(_Hit("gpu_count", value, unit, qualifier, match.start()))
    if not hits and ("基" in sentence or "台" in sentence or "個" in sentence):
        for match in _GPU_JA.finditer(sentence):
            value = _plus_rest(
                _number(match.group("num"), match.group("scale")), match.group("rest")
            )
            if value is None or value < 50:
                continue
            unit = match.group("chip") or _only_chip(sentence[: match.start()]) or "GPU"
            qual = _JA_QUALIFIERS.get(match.group("qual") or "")
            if match.group("post"):
                qual = "more than"
            hits.append(_Hit("gpu_count", value, unit, qual, match.start()))
    return hits


_CHIP_NAME = re.compile(_CHIP, re.ASCII)


def _plus_rest(value: Decimal | None, rest: str | None) -> Decimal | None:
    """A count with the figure written under its 万: "2万5,000" is 20,000 + 5,000."""
    if value is None or not rest:
        return value
    return value + Decimal(rest.replace(",", ""))


def _only_chip(before: str) -> str | None:
    """The chip a Japanese sentence names before a count of "GPUs" ("「B200」を搭載した...
    GPUの総数は1万基"): the count is of that chip when it is the only one named."""
    names = {m.group("chip") for m in _CHIP_NAME.finditer(before)}
    return names.pop() if len(names) == 1 else None


# A multiple written as a verb on the compute itself: "tripling our compute capacity",
# "will double its computing power" ("doubles every year" names no compute: not read).
_VERB_MULTIPLE = re.compile(
    r"\b(?P<verb>doubl|tripl|quadrupl)(?:e|es|ed|ing)\s(?:(?:our|its|their|the|his|her)\s)?"
    r"(?:(?:total|overall|AI|available|installed|own)\s)?(?:compute|computing)\b"
    r"(?!\s(?:team|staff|engineers|group|unit|division|business|budget|costs?|spending)\b)",
    re.IGNORECASE | re.ASCII,
)
_VERB_FACTOR = {"doubl": Decimal(2), "tripl": Decimal(3), "quadrupl": Decimal(4)}


def _multiple_hits(sentence: str) -> list[_Hit]:
    if not _COMPUTE.search(sentence):
        return []
    hits: list[_Hit] = []
    if "ripl" in sentence or "oubl" in sentence or "rupl" in sentence:  # cheap pre-test
        for match in _VERB_MULTIPLE.finditer(sentence):
            factor = _VERB_FACTOR[match.group("verb").lower()]
            hits.append(_Hit("compute_multiple", factor, "x", None, match.start()))
    for match in _MULTIPLE.finditer(sentence):
        value = _number(match.group("num"))
        if value is None or value < 2 or value > 10_000:
            continue
        qualifier = _qualifier(sentence, match.start(), match.end())
        hits.append(_Hit("compute_multiple", value, "x", qualifier, match.start()))
    return hits


# A system's proper name given as an appositive of its kind: "Denmark's national AI
# supercomputer, Gefion, is getting...", "a new cluster called Horizon". Later mentions of
# the name ("Gefion's hall", "The Gefion expansion") are then subjects too.
_INTRODUCED_NAME = re.compile(
    r"\b(?:supercomputer|supercluster|cluster|system|campus|data cent(?:er|re))"
    r"(?:,\s(?P<name>[A-Z][A-Za-z0-9\-]{2,20}),|\s(?:called|named|dubbed)\s"
    r"(?P<name2>[A-Z][A-Za-z0-9\-]{2,20})\b)",
    re.ASCII,
)
_INTRODUCING_KINDS = ("supercomputer", "supercluster", "cluster", "system", "campus", "data cent")
# A definite reference to a system named before: "..., which operates the system, said".
_DEFINITE_SYSTEM = re.compile(
    r"\bthe\s(?:system|cluster|supercomputer|supercluster|machine)\b", re.ASCII
)


# A model's versioned name given with an appositive that says it is a model, before or
# after it: "released Meridian-3, a mixture-of-experts language model with ...", "its
# smaller sibling, Meridian-3 Mini, has ...", "the new model, Orca-2, was trained ...".
# The version digit keeps a company ("Nvidia, a chipmaker whose model ...") out.
_MODEL_NAME = r"[A-Z][A-Za-z]{1,15}[- ]?\d{1,2}(?:\.\d{1,2})?(?:\s[A-Z][a-z]{2,10})?"
_INTRODUCED_MODEL = re.compile(
    r"(?P<name>" + _MODEL_NAME + r"),\s(?:a|an)\s(?:(?!(?:whose|that|which|of|and)\s)"
    r"[\w-]{1,24}\s){0,5}?(?:model|LLM|sibling|version|variant)\b"
    r"|\b(?:model|LLM|sibling|version|variant),\s(?P<name2>" + _MODEL_NAME + r"),",
    re.ASCII,
)
_MODEL_KINDS = ("model", "LLM", "sibling", "version", "variant")
#: Reach of `_INTRODUCED_MODEL` around its kind word: a name, ", a", five words; the name.
_MODEL_REACH_BEFORE = 180
_MODEL_REACH_AFTER = 40
# A facility's name in Japanese corner brackets: 「苫小牧AIデータセンター」.
_BRACKETED_JA_SITE = re.compile(
    r"「(?P<name>[^「」。、]{1,20}?(?:データセンター|スーパーコンピューター|スパコン|クラスター|"
    r"キャンパス))」"
)


# A site's proper name followed by an appositive saying what it is: "for Halcyon, a
# training cluster it is building in Texas", "the Rhône AI Campus, a 1.4-gigawatt complex
# for training", "Aurora, an exascale supercomputer at Argonne". The kind must end the
# appositive's noun phrase ("Aurore Data, a data-centre developer" is a company).
_APPOSED_SITE = re.compile(
    r"(?<![^\W\d_])(?P<name>[A-Z][^\W_]{1,20}(?:[ \-](?:[A-Z][^\W_]{0,20}|\d{1,3})){0,3}),"
    r"\s(?:a|an)\s(?P<words>(?:(?!(?:whose|that|which|of|and|where|with|who)\s)[\w.\-]{1,24}\s)"
    r"{0,4}?)(?P<kind>supercomputer|supercluster|cluster|campus|data[- ]cent(?:er|re)|complex|"
    r"facility|site)"
    r"(?=[,.;)]|\s(?:for|in|at|near|on|that|which|it|with|being|under|built|planned|to|"
    r"where|outside|south|north|east|west)\b)",
)
_APPOSED_KINDS = ("cluster", "supercomputer", "campus", "data", "complex", "facility", "site")
# "complex", "facility" and "site" name an AI site only with a word that says so.
_GENERAL_KINDS = frozenset({"complex", "facility", "site"})
_AI_SITE_WORD = re.compile(
    r"\bAI\b|artificial|training|inference|compute|computing|GPU|gigawatt|megawatt|GW\b|"
    r"MW\b|data|hyperscale|supercomputing",
    re.IGNORECASE,
)
# A Latin-script name in corner brackets right after (or before) its kind:
# "スーパーコンピュータ「ASUKA-1」", "「Sakura-2」というクラスター".
_JA_KIND = r"(?:スーパーコンピューター?|スパコン|クラスター?|データセンター|計算基盤|AI基盤)"
_JA_KIND_NAME = re.compile(
    _JA_KIND + r"の?「(?P<name>[A-Za-z][A-Za-z0-9 .\-]{1,30})」"
    r"|「(?P<name2>[A-Za-z][A-Za-z0-9 .\-]{1,30})」(?:という|と呼ぶ|と名付けた)?" + _JA_KIND
)


def _apposed_sites(text: str) -> set[str]:
    """Names given a site kind by apposition (see `_APPOSED_SITE`), searched only near the
    kind words; a leading "The" of a sentence is not part of the name."""
    spans = anchor_spans(text, _APPOSED_KINDS, 120, 20)
    names: set[str] = set()
    for match in finditer_in(_APPOSED_SITE, text, spans) if spans else ():
        if match.group("kind") in _GENERAL_KINDS and not _AI_SITE_WORD.search(match.group("words")):
            continue
        name = match.group("name")
        names.add(name[4:] if name.startswith("The ") else name)
    return names


def introduced_names(text: str) -> tuple[str, ...]:
    """Names the article gives a cluster, supercomputer or model by apposition (see
    above), and facility names it puts in Japanese corner brackets."""
    names: set[str] = set()
    if any(kind in text for kind in _INTRODUCING_KINDS):
        # substring tests: the pattern has no literal start to skip ahead to
        names.update(m.group("name") or m.group("name2") for m in _INTRODUCED_NAME.finditer(text))
    # only near a kind word: the name-first branch would otherwise try every capital letter
    spans = anchor_spans(text, _MODEL_KINDS, _MODEL_REACH_BEFORE, _MODEL_REACH_AFTER)
    if spans:
        names.update(
            m.group("name") or m.group("name2") for m in finditer_in(_INTRODUCED_MODEL, text, spans)
        )
    names.update(_apposed_sites(text))
    if "「" in text:
        names.update(m.group("name") for m in _BRACKETED_JA_SITE.finditer(text))
        names.update(m.group("name") or m.group("name2") for m in _JA_KIND_NAME.finditer(text))
    return tuple(
        sorted(n for n in names if n.split()[0] not in _SITE_STOP and not _CHIP_NAME.fullmatch(n))
    )


def _names_learned(sentence: str, learned: tuple[str, ...]) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for name in learned:
        for match in re.finditer(
            r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", sentence
        ):
            found.append((match.start(), match.end(), name))
    return found


def _named_system(sentence: str, learned: tuple[str, ...] = ()) -> bool:
    """True when the sentence names an AI system or site ("Colossus 2", "Stargate"): that
    name is context enough for a power figure or a spending word."""
    return _SUBJECT.search(sentence) is not None or bool(_names_learned(sentence, learned))


def _capex_hits(
    sentence: str,
    ai_article: Callable[[], bool],
    learned: tuple[str, ...] = (),
    continued: Callable[[], bool] = lambda: False,
) -> list[_Hit]:
    strong = [m.start() for m in _CAPEX_STRONG.finditer(sentence)]
    weak = [m.start() for m in _CAPEX_WEAK.finditer(sentence)]
    if "cost" in sentence:  # cheap pre-test: most sentences never say what a build cost
        weak += [m.end() for m in _BUILD_COST.finditer(sentence)]
        weak += [m.end() for m in _COST_AT.finditer(sentence)]
    elif "price tag" in sentence:
        weak += [m.end() for m in _COST_AT.finditer(sentence)]
    if (  # cheap pre-test, as above: the verbs _FINANCED_BUILD needs
        "rais" in sentence
        or "secur" in sentence
        or "obtained" in sentence
        or "arranged" in sentence
        or "closed" in sentence
        or "lined up" in sentence
    ):
        weak += [m.start() for m in _FINANCED_BUILD.finditer(sentence)]
    if weak and not (
        _INFRA.search(sentence) is not None
        or _named_system(sentence, learned)
        # "expects to spend about $3 billion building out the first phase": a build-out
        # in an article about AI infrastructure is that infrastructure's
        or (_BUILD_OUT.search(sentence) is not None and ai_article())
        # a Japanese sentence going on about the data centre named before it
        or continued()
    ):
        weak = []
    # `ai_article` searches the whole article: asked only for a sentence with a strong cue.
    cues = strong if strong and ai_article() else []
    cues = cues + weak
    if not cues:
        return []
    hits: list[_Hit] = []
    for amount in find_amounts(sentence):
        if amount.currency is None or amount.upper < 1_000_000:
            continue
        if _NOT_CAPEX_TAIL.match(sentence[amount.end : amount.end + 24]):
            continue
        lead = sentence[max(0, amount.start - 60) : amount.start]
        if _NOT_CAPEX_LEAD.search(lead):
            continue
        if _SUPERSEDED_LEAD.search(lead) or _SUPERSEDED_TAIL.match(
            sentence, amount.end, amount.end + 30
        ):
            continue
        if not any(-90 <= amount.start - cue <= 90 for cue in cues):
            continue
        if amount.high is not None:
            qualifier: Qualifier | None = "up to"
        else:
            qualifier = _qualifier(sentence, amount.start, amount.end)
        hits.append(_Hit("capex", amount.upper, amount.currency, qualifier, amount.start))
    return hits


def _power_hits(sentence: str, learned: tuple[str, ...] = ()) -> list[_Hit]:
    if not _POWER_CONTEXT.search(sentence) and not _named_system(sentence, learned):
        return []
    hits: list[_Hit] = []
    for match in _POWER.finditer(sentence):
        value = _number(match.group("num"))
        if value is None or value <= 0:
            continue
        if _THERMAL_TAIL.match(sentence, match.end()) or _THERMAL_LEAD.search(
            sentence, max(0, match.start() - 40), match.start()
        ):
            continue
        if _GENERATION_TAIL.match(sentence, match.end()) or _GENERATION_LEAD.search(
            sentence, max(0, match.start() - 60), match.start()
        ):
            continue  # a solar farm's or a power purchase agreement's output is bought power
        unit = match.group("unit").lower()
        if unit.startswith(("g", "ギ")):
            value *= 1000
        if match.group("lo"):
            qualifier: Qualifier | None = "up to"
        else:
            qualifier = _qualifier(sentence, match.start("num"), match.end())
        hits.append(_Hit("datacenter_power", value, "MW", qualifier, match.start()))
    return hits


def _parameter_hits(sentence: str) -> list[_Hit]:
    hits: list[_Hit] = []
    # A mixture-of-experts model's size is its total: the share active for each token
    # ("37 billion active parameters") is not a second size, nor is "48 billion are active".
    matches = [
        match
        for match in _PARAMS.finditer(sentence)
        if (match.group("which") or "").lower() not in ("active", "activated")
    ]
    if "パラメ" in sentence:
        matches += list(_PARAMS_JA.finditer(sentence))
    for match in matches:
        scale = match.group("scale")
        if scale is not None and scale in "TBM":
            scale = {"T": "trillion", "B": "billion", "M": "million"}[scale]
        value = _number(match.group("num"), scale)
        if value is None or value < 1_000_000:
            continue
        qualifier = _qualifier(sentence, match.start("num"), match.end())
        if "qual" in match.groupdict() and match.group("qual"):
            qualifier = _JA_QUALIFIERS.get(match.group("qual"), qualifier)
        hits.append(_Hit("model_parameters", value, "parameters", qualifier, match.start()))
    return hits


def _subjects(text: str, learned: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    found = [
        (m.start(), m.end(), m.group(0))
        for m in _SUBJECT.finditer(text)
        if not (_FAMILY_ONLY.match(m.group(0)) and _FAMILY_AFTER.match(text[m.end() :]))
    ]
    found += [
        hit
        for hit in _names_learned(text, learned)
        if not any(s <= hit[0] < e for s, e, _ in found)
    ]
    for match in _BRACKETED_NAME.finditer(text):
        if not _CHIP_NAME.fullmatch(match.group("name")):
            found.append((match.start("name"), match.end("name"), match.group("name")))
    for pattern, stop in (
        (_PROPER_SITE, _SITE_STOP),
        (_NAMED_SITE, _SITE_STOP),
        (_NAMED_MODEL, _MODEL_STOP),
    ):
        for match in pattern.finditer(text):
            start, end = match.span("name")
            name = match.group("name")
            inside = any(s <= start < e or s < end <= e for s, e, _ in found)
            if _CHIP_NAME.fullmatch(name.split()[0]):
                continue  # "the Trainium2 cluster" names the chip, not the system
            if name.split()[0] not in stop and not inside:
                found.append((start, end, name))
    longest: dict[int, str] = {}
    for start, _end, name in found:  # "Meridian-3 Mini" over the "Meridian-3" inside it
        if len(name) > len(longest.get(start, "")):
            longest[start] = name
    return sorted(longest.items())


def _ja_topic(
    sentences: list[Sentence], index: int, pos: int, learned: tuple[str, ...]
) -> str | None:
    """Japanese drops a subject the previous sentences gave: "総投資額は約6,500億円" after
    naming the data centre is that centre's, until an organisation is the sentence's own
    topic ("ソフトバンクグループ全体では", "さくらインターネット(3778)も", "同社は")."""
    if index == 0 or _JA_ORG_TOPIC.search(sentences[index].text, 0, pos):
        return None
    for back in range(index - 1, max(-1, index - 1 - _JA_TOPIC_REACH), -1):
        previous = _subjects(sentences[back].text, learned)
        if previous:
            return previous[-1][1]
    return None


def _continues_ja_topic(sentences: list[Sentence], index: int, learned: tuple[str, ...]) -> bool:
    """True for a Japanese sentence without a name of its own that goes on about a system
    named shortly before it (asked only when a spending word needs that context)."""
    text = sentences[index].text
    return bool(
        learned
        and _JAPANESE.search(text)
        and not _subjects(text, learned)
        and _ja_topic(sentences, index, len(text), learned)
    )


def _clause_span(text: str, pos: int) -> tuple[int, int]:
    """The clause around `pos` ("..., and the company's capex..." starts a new one)."""
    lo, hi = 0, len(text)
    for match in _CLAUSE_BREAK.finditer(text):
        if match.end() <= pos:
            lo = match.end()
        elif match.start() >= pos:
            hi = match.start()
            break
    return lo, hi


def _subject(
    sentences: list[Sentence], index: int, pos: int, learned: tuple[str, ...] = ()
) -> str | None:
    """The model or cluster named nearest before the figure, else after it, within the
    figure's clause (", and the company's capex..." is not about the pod named before);
    else in the previous sentence when this one starts by referring back ("It will
    double...", "Each campus..."): a sentence with a subject of its own ("AWS will
    spend...") is not about the model named before it. A figure written as the name's
    adjective ("a 405-billion-parameter Llama 3.1") is that name's; a clause referring back
    ("..., and the largest version has...") takes the name from earlier in the sentence."""
    sentence = sentences[index]
    lo, hi = _clause_span(sentence.text, pos)
    every = _subjects(sentence.text, learned)
    names = [(start, name) for start, name in every if lo <= start < hi]
    adjective = [
        n for start, n in names if start > pos and _ADJECTIVE_FIGURE.match(sentence.text[pos:start])
    ]
    if adjective:
        return adjective[0]
    before = [name for start, name in names if start < pos]
    if before:
        return before[-1]
    after = [
        name
        for start, name in names
        if not _BASELINE_BEFORE.search(sentence.text[max(0, start - 10) : start])
        or _PART_OF.search(sentence.text[max(0, start - 16) : start])
    ]
    if after:
        return after[0]
    earlier = [name for start, name in every if start < lo]
    if earlier and _BACK_REFERENCE.search(sentence.text, lo, pos):
        return earlier[-1]
    if earlier and every[0][0] == 0 and _COORDINATED_VERB.match(sentence.text, lo):
        # "Vela 3 will be trained ..., and will have about 1.2 trillion parameters": a
        # verb with no subject of its own shares the one the sentence opens with
        return every[0][1]
    if not every and _JAPANESE.search(sentence.text):
        return _ja_topic(sentences, index, pos, learned)
    if index > 0 and (
        _ANAPHORA.match(sentence.text)
        # "The operator (DCAI), which runs the system, said it will add 1,152 B200 GPUs"
        or (not every and _DEFINITE_SYSTEM.search(sentence.text, 0, pos))
    ):
        previous = _subjects(sentences[index - 1].text, learned)
        if previous:
            return previous[-1][1]
    if not every and learned and _DEFINITE_SITE.search(sentence.text, 0, hi):
        return _one_recent_name(sentences, index, learned)
    return None


# A clause that starts with its verb, after ", and": its subject is the sentence's.
_COORDINATED_VERB = re.compile(
    r"(?:will|would|is|was|has|had|can|could|should|may|uses|used|runs|ran)\b", re.ASCII
)


# A definite reference to the thing a story is about: "the racks hold 43,200 GPUs", "the
# site is designed for 100 megawatts", "the cost of the build".
_DEFINITE_SITE = re.compile(
    r"\bthe\s(?:site|racks|build|campus|facility|cluster|project|data cent(?:er|re))\b",
    re.ASCII,
)
#: How many sentences back the one name of `_one_recent_name` may have been written.
_SITE_REACH = 3


def _one_recent_name(sentences: list[Sentence], index: int, learned: tuple[str, ...]) -> str | None:
    """The one learned name written in the few sentences before: "for Tellus, a new AI
    cluster ... In all, the racks hold 43,200 GPUs". Two names leave it unsaid."""
    recent = " ".join(s.text for s in sentences[max(0, index - _SITE_REACH) : index])
    found = [name for name in learned if name in recent]
    return found[0] if len(found) == 1 else None


def find_claims(sentences: list[Sentence], full_text: str) -> list[AIClaim]:
    """All claims in article order; the same (kind, value, unit) stated twice is one claim,
    completed with the qualifier or subject that a later statement adds."""
    # Most articles never need it (no sentence with a strong capex cue): asked lazily, once.
    ai_article = functools.cache(lambda: _INFRA.search(full_text[:200_000]) is not None)
    claims: list[AIClaim] = []
    learned = introduced_names(full_text)
    index_of: dict[tuple[str, float, str], int] = {}
    for index, sentence in enumerate(sentences):
        text = sentence.text
        if not _may_claim(text):
            continue
        hits = (
            _gpu_hits(text)
            + _multiple_hits(text)
            + _capex_hits(
                text,
                ai_article,
                learned,
                functools.partial(_continues_ja_topic, sentences, index, learned),
            )
            + _power_hits(text, learned)
            + _parameter_hits(text)
        )
        for hit in sorted(hits, key=lambda h: h.start):
            claim = AIClaim(
                kind=hit.kind,
                value=float(hit.value),
                unit=hit.unit,
                qualifier=hit.qualifier,
                subject=_subject(sentences, index, hit.start, learned),
                evidence=evidence(text),
            )
            key = (claim.kind, claim.value, claim.unit)
            if key in index_of:
                old = claims[index_of[key]]
                claims[index_of[key]] = replace(
                    old,
                    qualifier=old.qualifier or claim.qualifier,
                    subject=old.subject or claim.subject,
                )
                continue
            index_of[key] = len(claims)
            claims.append(claim)
    return _fold_generic_gpus(claims)


def _same_bound(named: AIClaim, generic: AIClaim) -> bool:
    """ "more than 10,000 B200s" and "about 10,000 GPUs" are two statements, not one."""
    return (
        named.qualifier is None or generic.qualifier is None or named.qualifier == generic.qualifier
    )


def _fold_generic_gpus(claims: list[AIClaim]) -> list[AIClaim]:
    """ "100,000 GPUs" in a headline and "100,000 H100s" in the body are one fact: the
    generic count folds into the named chip's (lending it a subject it lacks)."""
    named = {
        (c.value, i) for i, c in enumerate(claims) if c.kind == "gpu_count" and c.unit != "GPU"
    }
    folded = list(claims)
    drop: set[int] = set()
    for index, claim in enumerate(claims):
        if claim.kind != "gpu_count" or claim.unit != "GPU":
            continue
        target = next(
            (
                i
                for value, i in sorted(named, key=lambda p: p[1])
                if value == claim.value and _same_bound(claims[i], claim)
            ),
            None,
        )
        if target is None:
            continue
        drop.add(index)
        folded[target] = replace(
            folded[target],
            qualifier=folded[target].qualifier or claim.qualifier,
            subject=folded[target].subject or claim.subject,
        )
    return [claim for i, claim in enumerate(folded) if i not in drop]
