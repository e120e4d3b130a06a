"""Ticker symbols and the company names written with them.

Symbols come from exchange-tagged parentheses ("(NASDAQ:META)"), Reuters codes
("(GOOGL.O)"), a bare symbol after a name ("Tesla (TSLA)", unless the letters are the
name's initials: an acronym), cashtags ("$META") and
the Benzinga habit of following a company's legal name with its symbol ("Meta
Platforms, Inc. META"). The name written before a symbol becomes an alias, so a later
"Meta reported..." or "メタは..." can be tied back to META when assigning earnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from market_news.extract.text import anchor_spans, char_positions, finditer_in, matches_at

_EXCHANGES = (
    r"NASDAQ(?:GS|GM|CM)?|NYSE(?:\s?ARCA|\s?AMERICAN|\s?MKT)?|AMEX|TSXV?|TSE|TYO|LSE|LON|"
    r"OTC(?:QX|QB|MKTS)?|ASX|HKEX|HKG|XETRA|ETR|FRA|EPA|BIT|SIX|CBOE|BATS|KRX|SGX|NSE|BSE|"
    r"AMS|EBR|ELI|ENXTAM|ENXTPA|ENXTBR|EURONEXT|BME|MCE|STO|HEL|CPH|OSL|VIE|WSE|JSE|TASE|"
    r"SHA|SHE|SSE|SZSE|TWSE|TPE|BMV|BVMF|B3|BOVESPA|BCBA|BVC|NZX|IDX|SET|"
    r"東証(?:プライム)?|東証|JPX|"
    # The Nordic markets are written by city, often after "Nasdaq": "(Nasdaq Stockholm: SAND)",
    # "(Oslo Børs: EQNR)", "(Helsinki: NOKIA)", "(Euronext Oslo: ...)".
    r"(?:NASDAQ\s|EURONEXT\s)?(?:STOCKHOLM|HELSINKI|COPENHAGEN|ICELAND|OSLO)"
    r"(?:\sB(?:Ø|ø|O|o)RS|\sSTOCK\sEXCHANGE)?|"
    # Barron's and others write the word instead of an exchange: "(ticker: ROKU)".
    r"ticker|symbol|stock symbol"
)
_SYMBOL = r"[A-Z0-9]{1,6}(?:[.\-][A-Z]{1,2})?"
# A dual listing repeats the exchange inside the same parentheses: "(NSE: INFY, NYSE: INFY)".
_EXCHANGE_TAG = re.compile(
    r"[(\[]\s?(?:"
    + _EXCHANGES
    + r")\s?:\s?(?P<syms>"
    + _SYMBOL
    + r"(?:\s?[,;]\s?(?:(?:"
    + _EXCHANGES
    + r")\s?:\s?)?"
    + _SYMBOL
    + r"){0,3})\s?[)\]]",
    re.IGNORECASE | re.ASCII,
)
_LISTED_EXCHANGE = re.compile(r"^(?:" + _EXCHANGES + r")\s?:\s?", re.IGNORECASE | re.ASCII)
# An exchange tag is explicit, so a symbol that is also a word ("(NYSE:AI)") still counts;
# only the exchange names themselves are refused.
_EXCHANGE_WORDS = frozenset({"NYSE", "NASDAQ", "OTC", "NSE", "BSE", "TSE", "LSE", "AMEX"})
# Reuters instrument codes: "(GOOGL.O)", "(7203.T)", and the wire's own angle brackets
# "<CMG.N>" (full-width "＜6752.T＞" arrives here as "<6752.T>" after NFKC).
_RIC = re.compile(
    r"(?:\((?P<sym>[A-Z0-9]{1,6})|<(?P<sym2>[A-Z0-9]{1,6}))"
    r"\.(?:OQ|O|N|K|A|P|L|T|TO|PA|DE|AS|HK|SS|SZ|KS|MI|MC|SW|AX)(?(sym)\)|>)",
    re.ASCII,
)
# A Japanese company name followed by its four-digit securities code: "トヨタ自動車(7203)",
# or in angle brackets with a space, as Kabutan writes it: "東京エレクトロン <8035>".
# Literal bracket first (the engine skips ahead to it); the script before is checked after.
_JA_CODE = re.compile(r"\((?P<sym>\d{4})\)|<(?P<sym2>\d{4})>")
_JA_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LATIN_TAIL = re.compile(r"[A-Z][A-Za-z0-9&.\-]{0,20}$", re.ASCII)
_PERIOD_WORD = re.compile(r"(?:F?Q[1-4]|H[12]|FY\d*|CY\d*)$", re.ASCII)
# A bare symbol in parentheses after a name: "Tesla (TSLA)", "Meta Platforms (META)".
_BARE = re.compile(r"\((?<=[A-Za-z.]\s\()(?P<sym>[A-Z]{2,5})\)", re.ASCII)
# A wire dateline before a credit in parentheses: "NEW YORK (AP) -", "TAIPEI, Taiwan (AP) -".
_DATELINE = re.compile(
    r"[A-Z][A-Z.'\-]+(?:\s[A-Z][A-Z.'\-]+){0,3}(?:,\s[A-Z][\w.'\-]*(?:\s[A-Z][\w.'\-]*){0,2})?\s$",
    re.ASCII,
)
_DATELINE_DASH = re.compile(r"\s?[-\u2013\u2014]")
_ACRONYMS = frozenset(
    {
        "AI", "AGI", "GPU", "GPUS", "TPU", "CPU", "LLM", "IPO", "EV", "ETF", "FDA", "FTC",
        "DOJ", "ECB", "SEC", "GDP", "CPI", "API", "PC", "HBM", "USA", "UAE", "EU", "UK",
        "NATO", "OPEC", "IMF", "WHO", "EPS", "CEO", "CFO", "ROI", "ROE", "EBIT", "EBITDA",
        "FCF", "ARR", "MAU", "DAU", "ARPU", "YOY", "QOQ", "ADR", "ADS", "SPAC", "RSU", "LNG",
        "ESG", "SaaS", "IOT", "AR", "VR", "XR", "ML", "NLP", "RAG", "NPU", "ASIC", "FPGA",
    }
)  # fmt: skip
# A broker note's list, symbol first: "* ERIC (Ericsson) - Q3 24: ...". Without the
# name in parentheses, a period right after the dash must say it is a results line
# and its year ("* IBM - Q3 24:"), so "* NOTE - ..." or "* EMEA - Q3 revenue rose" stay
# plain words.
_BULLET_SYMBOL = re.compile(
    r"^[*\u2022\u25aa\u00b7-]\s?(?P<sym>[A-Z]{2,5}(?:\.[A-Z])?)"
    r"(?:\s\((?P<name>[A-Z][\w&'.\- ]{1,40})\)\s?-\s"
    r"|\s?-\s(?=(?:F?Q[1-4]|H[12]|FY)\s?'?\d{2}(?:\d{2})?\b))",
    re.MULTILINE | re.ASCII,
)
# A one-letter symbol in parentheses is read only right after a company's legal name or
# another word that ends one ("Realty Income Corp. (O)", "Ford Motor Co. (F)"), since "(A)"
# elsewhere labels a list item or a plan.
_ONE_LETTER = re.compile(r"\((?P<sym>[A-Z])\)", re.ASCII)
# A listing written out: 'under the symbol "BRML"', "under the ticker symbol BRML".
_UNDER_SYMBOL = re.compile(
    r"(?i:\bunder\s(?:the\s)?(?:(?:ticker|stock|trading)\s)?(?:symbol|ticker))"
    r"\s?:?\s[\"'\u201c\u2018]?(?P<sym>[A-Z]{1,5}(?:\.[A-Z])?)(?![A-Za-z0-9])",
    re.ASCII,
)
_BULLETS = frozenset("*\u2022\u25aa\u00b7-")
# Literal first ("$" then look behind it): the regex engine can then skip ahead fast.
_CASHTAG = re.compile(r"\$(?<![A-Za-z0-9_$]\$)(?P<sym>[A-Z]{1,5}(?:\.[A-Z])?)(?![A-Za-z0-9_$])")
_SUFFIXES = (
    r"Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|plc|PLC|Holdings|"
    r"N\.V|NV|AG|SE|SA|LLC"
)
_NAMED_SYMBOL = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<name>[A-Z][\w&'\-]{0,30}(?:,?\s[A-Z][\w&'\-.]{0,30}){0,4}?),?\s(?:"
    + _SUFFIXES
    + r")\.?,?\s(?P<sym>[A-Z]{1,5})(?![\w(&'\-])",
    re.ASCII,
)
# "Meta Platforms, Inc. META" needs one of these words: the pattern runs only near them.
_SUFFIX_ANCHORS = (
    "Inc", "Corp", "Co", "Ltd", "Limited", "plc", "PLC", "Holdings", "N.V", "NV", "AG", "SE",
    "SA", "LLC",
)  # fmt: skip
_NAME_REACH = 170
_NOT_SYMBOLS = frozenset(
    {
        "CEO", "CFO", "COO", "CTO", "AI", "US", "USA", "UK", "EU", "IPO", "ETF", "EPS", "GAAP",
        "SEC", "FY", "ADR", "GPU", "GPUS", "CPU", "API", "LLM", "AND", "THE", "FOR", "IN", "ON",
        "AT", "TO", "OF", "A", "I", "Q", "II", "III", "IV", "NYSE", "NASDAQ", "OTC", "CEOS",
        "USD", "EUR", "GBP", "JPY", "CAD", "CHF", "AUD", "HKD", "CA", "HK", "C", "AU", "NV",
        "PT", "EST", "VS", "ET", "PM", "AM", "PR", "TV", "IT", "HR", "R", "D", "CO", "INC",
        "CORP", "LTD", "PLC", "LLC", "SA", "AG", "SE", "NEWS", "EV", "EVS", "NEW", "SAN",
        "LOS", "LAS", "HONG", "TOKYO", "LONDON", "PARIS", "BERLIN", "WITH", "ITS", "HAS",
        "WAS", "SAID", "NOT", "ALL", "BUT", "ARE", "ONE", "TWO", "UPDATE", "BREAKING",
    }
)  # fmt: skip
_GENERIC_FIRST_WORDS = frozenset(
    {
        "The", "Advanced", "American", "General", "United", "First", "International",
        "National", "Global", "New", "Bank", "China", "Japan", "Taiwan", "Royal", "Texas",
        "Applied", "Digital", "Micro", "Super", "Western", "Southern", "Northern", "Eastern",
    }
)  # fmt: skip
# Words that end a company's name, not an agency's or a technology's: when the name
# ends so, initials that match the symbol are its ticker ("Delta Air Lines (DAL)",
# "Advanced Micro Devices (AMD)"), unlike "Amazon Web Services (AWS)" or
# "Power Usage Effectiveness (PUE)".
_COMPANY_HEAD = re.compile(
    r"\b(?:Lines|Airlines|Airways|Devices|Machines|Motors|Instruments|Semiconductors?|"
    r"Technologies|Industries|Brands|Foods|Stores|Pharmaceuticals|Therapeutics|Bancorp|"
    r"Laboratories|Petroleum|Chemicals|Manufacturing|Electric|Electronics|Energy|Systems|"
    r"Software|Networks|Communications|Entertainment|Financial|Group|Resources|Materials|"
    r"Enterprises|Logistics|Inc|Corp|Corporation|Co|Ltd|plc|PLC|Holdings)\.?,?\s$",
    re.ASCII,
)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w&'\-.]*,?|&|and|de|of|for)$", re.ASCII)
# Words that end the name of an institution, a body or a site, not of a listed company:
# "Technology Innovation Institute (TII)", "International Business Exchange (IBX)".
_ORG_HEAD = re.compile(
    r"\b(?:Institutes?|Institution|Cent(?:re|er)|Exchange|Council|Agency|Authority|"
    r"Association|University|Foundation|Commission|Committee|Ministry|Department|Bureau|"
    r"Organi[sz]ation|Federation|Board|Administration|Laborator(?:y|ies)|Consortium|"
    r"Alliance|Initiative|Programme|Program|Project|Facilit(?:y|ies)|Society|Forum|"
    r"Academy|Observatory|Office|Service|Fund)\s$",
    re.ASCII,
)
# Words of the same sentence that say a bracketed symbol is a listing: a per-share
# figure, its shares or stock, a ticker ("Dollar General (DG) reported earnings per share"),
# or the company's own results ("General Electric (GE) reported revenue of ..."), which an
# institute or an agency does not publish. Not "estimates" or "forecast": agencies have both.
_LISTED_CUE = re.compile(
    r"\b(?:per share|a share|EPS|shares|stock|ticker|listed|traded|share price|"
    r"earnings|revenues?|sales|profits?|net income|results|analysts?)\b",
    re.IGNORECASE | re.ASCII,
)
_CONNECTORS = frozenset({"&", "and", "de", "of", "for", "the"})
_NAME_STOP = frozenset({"The", "A", "An", "Shares", "Stock", "Both", "While", "As", "But", "And"})
_SUFFIX_WORDS = re.compile(r"^(?:" + _SUFFIXES + r")\.?,?$")
_JA_NAME = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fffA-Za-z・&.\s]{1,30}$")
_JA_SUFFIX = re.compile(r"(?:株式会社|ホールディングス|グループ|社)$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A company named at a position of the text, resolved to its symbol."""

    symbol: str
    start: int


@dataclass(frozen=True, slots=True)
class Companies:
    """The article's symbols (article order) and where each company is named."""

    symbols: tuple[str, ...]
    mentions: tuple[Mention, ...]

    def primary(self) -> str | None:
        return self.symbols[0] if self.symbols else None


def _english_name(before: str) -> str | None:
    """The capitalised words (a company's name) that end right before a symbol."""
    tokens = before.rstrip().split()[-7:]
    name: list[str] = []
    for token in reversed(tokens):
        if token.endswith(":") or not _NAME_TOKEN.match(token):
            break
        name.insert(0, token)
    while name and (name[0] in _NAME_STOP or not name[0][:1].isupper()):
        name.pop(0)
    while name and _SUFFIX_WORDS.match(name[-1]):
        name.pop()
    if not name:
        return None
    cleaned = " ".join(name).strip(" ,.")
    cleaned = re.sub(r"'s$", "", cleaned)
    return cleaned or None


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def _abbreviates(name: str, symbol: str, before: str) -> bool:
    """True when the bracketed letters read as the name's own abbreviation, not a listing:
    the initials of its last words ("Abu Dhabi's Technology Innovation Institute (TII)",
    "Danish Centre for AI Innovation (DCAI)") unless the name ends as a company's does
    ("Delta Air Lines (DAL)"), or any name ending as an institution's or a site's does."""
    if _ORG_HEAD.search(before):
        return True
    if _COMPANY_HEAD.search(before):
        return False
    words = [w for w in name.split() if w not in _CONNECTORS]
    initials = "".join(word[0] for word in words if word[:1].isupper())
    return any(initials[i:] == symbol for i in range(max(0, len(initials) - 6), len(initials)))


def _listed_in_sentence(text: str, match: re.Match[str]) -> bool:
    """True when the sentence holding a bracketed symbol speaks of shares or per-share
    results, which an abbreviated agency, site or product never has."""
    start = max(text.rfind(". ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    stops = [at for at in (text.find(". ", match.end()), text.find("\n", match.end())) if at >= 0]
    end = min(stops) if stops else len(text)
    return _LISTED_CUE.search(text, start, end) is not None


def _japanese_name(before: str) -> str | None:
    match = _JA_NAME.search(before)
    if match is None:
        return None
    name = _JA_SUFFIX.sub("", match.group(0).strip())
    if not re.search(r"[\u30a0-\u30ff\u4e00-\u9fff]", name) or len(name) < 2:
        return None
    return name


def _aliases(name: str, symbol: str) -> set[str]:
    aliases = {name}
    if re.search(r"[\u30a0-\u30ff]", name):
        first = name.split("・", maxsplit=1)[0]
        if len(first) >= 2:
            aliases.add(first)
        return aliases
    words = name.replace(",", "").split()
    while words and _SUFFIX_WORDS.match(words[-1]):
        words.pop()
    if words:
        aliases.add(" ".join(words))
        first = words[0]
        if (len(first) >= 3 or first.isupper()) and first not in _GENERIC_FIRST_WORDS:
            aliases.add(first)
    aliases.discard(symbol)
    return {a for a in aliases if len(a) >= 2}


def _bullet_starts(text: str) -> list[int]:
    """Line starts holding a bullet character: where a `_BULLET_SYMBOL` match can begin."""
    starts = [0] if text[:1] in _BULLETS else []
    return starts + [
        at + 1 for at in char_positions(text, "\n") if text[at + 1 : at + 2] in _BULLETS
    ]


def find_companies(text: str) -> Companies:
    """Symbols in article order plus every position where one of the companies is named."""
    tagged: list[tuple[int, int, str, str | None]] = []  # start, order, symbol, name
    parens, angles, squares = (
        char_positions(text, "("),
        char_positions(text, "<"),
        char_positions(text, "["),
    )
    parens_angles = sorted(parens + angles)
    for match in matches_at(_EXCHANGE_TAG, text, sorted(parens + squares)):
        before = text[max(0, match.start() - 80) : match.start()]
        name = _english_name(before) or _japanese_name(before)
        for order, raw in enumerate(re.split(r"\s?[,;]\s?", match.group("syms"))):
            symbol = _LISTED_EXCHANGE.sub("", raw).upper()
            if symbol not in _EXCHANGE_WORDS:
                tagged.append((match.start(), order, symbol, name))
    for match in matches_at(_RIC, text, parens_angles):
        before = text[max(0, match.start() - 80) : match.start()]
        name = _english_name(before) or _japanese_name(before)
        ric = match.group("sym") or match.group("sym2")
        if ric not in _NOT_SYMBOLS:
            tagged.append((match.start(), 0, ric, name))
    for match in matches_at(_JA_CODE, text, parens_angles):
        start = match.start()
        spaced = start > 0 and text[start - 1] == " "
        at = start - 1 - spaced
        if at < 0:
            continue
        latin_name = (
            not spaced and text[at] in _UPPER and _JA_CHAR.match(text, match.end()) is not None
        )
        if not _JA_CHAR.match(text, at) and not latin_name:
            continue  # "(1234)" after Latin text or a digit is not a securities code
        before = text[max(0, start - 40) : start]
        code = match.group("sym") or match.group("sym2")
        name = _japanese_name(before)
        if latin_name:
            # "KDDI(9433)は...": a Latin name in Japanese copy (the particle after says so)
            latin = _LATIN_TAIL.search(before)
            name = _english_name(latin.group(0)) if latin else None
            if name is None or name.upper() in _NOT_SYMBOLS or _PERIOD_WORD.match(name):
                continue  # "FY(2024)は", "Q3(2025)": a period and its year
        if name is None and (match.group("sym2") or spaced):
            continue  # the spaced or angled form needs a company name before it
        tagged.append((at + 1, 0, code, name))
    for match in _BARE.finditer(text):
        symbol = match.group("sym")
        before = text[max(0, match.start() - 80) : match.start()]
        name = _english_name(before)
        if symbol in _NOT_SYMBOLS or symbol in _ACRONYMS or name is None:
            continue
        if _abbreviates(name, symbol, before) and not _listed_in_sentence(text, match):
            continue  # "Securities and Exchange Commission (SEC)" spells its name out
        if _DATELINE.match(text, text.rfind("\n", 0, match.start()) + 1, match.start()) and (
            _DATELINE_DASH.match(text, match.end())
        ):
            continue  # "TAIPEI, Taiwan (AP) -": the wire service's credit, not a ticker
        tagged.append((match.start(), 0, symbol, name))
    for match in matches_at(_ONE_LETTER, text, parens):
        before = text[max(0, match.start() - 80) : match.start()]
        name = _english_name(before)
        if name is not None and _COMPANY_HEAD.search(before):
            tagged.append((match.start(), 0, match.group("sym"), name))
    if "symbol" in text or "ticker" in text:
        for match in _UNDER_SYMBOL.finditer(text):
            if match.group("sym") not in _NOT_SYMBOLS:
                tagged.append((match.start("sym"), 0, match.group("sym"), None))
    for match in matches_at(_BULLET_SYMBOL, text, _bullet_starts(text)):
        symbol = match.group("sym")
        if symbol not in _NOT_SYMBOLS and symbol not in _ACRONYMS:
            tagged.append((match.start("sym"), 0, symbol, match.group("name")))
    for match in _CASHTAG.finditer(text):
        symbol = match.group("sym")
        if symbol not in _NOT_SYMBOLS:
            tagged.append((match.start(), 0, symbol, None))
    spans = anchor_spans(text, _SUFFIX_ANCHORS, _NAME_REACH, 24)
    for match in finditer_in(_NAMED_SYMBOL, text, spans):
        symbol = match.group("sym")
        if symbol in _NOT_SYMBOLS:
            continue
        name = _english_name(match.group("name") + " Inc")
        tagged.append((match.start("sym"), 0, symbol, name))
    tagged.sort()

    symbols: list[str] = []
    mentions: list[Mention] = []
    aliases: dict[str, str] = {}
    shared: set[str] = set()
    for start, _end, symbol, name in tagged:
        if symbol not in symbols:
            symbols.append(symbol)
        mentions.append(Mention(symbol, start))
        if name:
            for alias in _aliases(name, symbol):
                if aliases.setdefault(alias, symbol) != symbol:
                    shared.add(alias)  # "Dollar" of Dollar General and Dollar Tree
    lower = text.lower()
    for alias, symbol in aliases.items():
        if alias in shared:
            continue
        mentions.extend(_alias_mentions(text, alias, symbol, lower=lower))
    for symbol in symbols:
        if len(symbol) >= 2:
            mentions.extend(_alias_mentions(text, symbol, symbol, case_sensitive=True))
    unique = sorted(set(mentions), key=lambda m: m.start)
    return Companies(tuple(symbols), tuple(unique))


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _alias_mentions(
    text: str, alias: str, symbol: str, *, case_sensitive: bool = False, lower: str | None = None
) -> list[Mention]:
    """Where `alias` is written as a whole word (substring search, no regex per alias:
    an article names a dozen aliases and each regex pass would read the whole text)."""
    japanese = re.search(r"[\u30a0-\u30ff\u4e00-\u9fff]", alias) is not None
    if japanese or case_sensitive:
        haystack, needle = text, alias
    else:
        haystack = lower if lower is not None else text.lower()
        needle = alias.lower()
        if len(haystack) != len(text):
            haystack = text  # offsets must stay those of the text
    found: list[Mention] = []
    at = haystack.find(needle)
    while at >= 0:
        end = at + len(needle)
        if japanese or (
            (at == 0 or (text[at - 1] not in _WORD_CHARS and text[at - 1] != "$"))
            and (end >= len(text) or text[end] not in _WORD_CHARS)
        ):
            found.append(Mention(symbol, at))
        at = haystack.find(needle, at + 1)
    return found
