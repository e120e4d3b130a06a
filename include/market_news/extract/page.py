"""Isolate the article of a web page: its headline, publication time and body text.

A news page carries far more than its story: navigation, "Related"/"Trending" boxes
with other companies' headlines, cookie banners. Any of those could turn into a false
alert, so the body comes from the publisher's own JSON-LD `articleBody` when present,
else from `<article>`/main-content markup after the page chrome is removed.

The page is parsed with lxml directly (libxml2's HTML parser, which recovers from
broken markup and caps nesting depth): BeautifulSoup's tree building alone cost more
than the whole 300-pages-per-second budget. Every walk below is iterative and visits
each element a bounded number of times, so deeply nested junk stays linear.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeAlias

from lxml import etree  # type: ignore[import-untyped]
from lxml import html as lxml_html

from market_news.extract.text import squeeze

_ARTICLE_TYPES = frozenset(
    {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
     "backgroundnewsarticle", "opinionnewsarticle", "report", "techarticle"}
)  # fmt: skip
_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "nav", "aside", "header", "footer",
    "form", "iframe", "button", "select", "input", "textarea", "dialog", "object", "embed",
)  # fmt: skip
_CHROME = re.compile(
    r"(?:^|[-_\s])(?:related|trending|read-?next|recommend\w*|sidebar|side-bar|cookies?|"
    r"consent|gdpr|newsletter|subscribe|subscription|promo\w*|advert\w*|ads?|sponsor\w*|"
    r"social|share|sharing|comments?|breadcrumbs?|popular|most-?read|more-?stories|"
    r"outbrain|taboola|nav|navbar|navigation|menu|banner|modal|popup|paywall|widget|"
    r"footer|masthead|site-header|tags|author-bio|disclaimer)(?:$|[-_\s])",
    re.IGNORECASE,
)
#: The elements `_is_chrome` can say yes to (descendants of the root, document order).
_NAMED = etree.XPath(".//*[@class or @id or @aria-label or @role]")
_CHROME_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "dialog"})
_CHROME_HEADINGS = re.compile(
    r"^\s*(?:(?:related|trending|recommended|popular|sponsored)\b.{0,30}|"
    r"read (?:next|more|also)\b.{0,30}|also read\b.{0,30}|more (?:from|on|news|stories)\b.{0,30}|"
    r"most (?:read|popular)\b.{0,30}|you may also like|see also|latest news|top stories|"
    r"関連記事|おすすめ|人気記事|ランキング|あわせて読みたい)\s*:?\s*$",
    re.IGNORECASE,
)
_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6", "strong", "p", "span", "div")
_BODY_CLASS = re.compile(
    r"article[-_]?body|story[-_]?body|post[-_]?content|entry[-_]?content|article[-_]?content|"
    r"content[-_]?body|article[-_]?text|story[-_]?content",
    re.IGNORECASE,
)
_BLOCKS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article",
     "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "figure", "figcaption", "main",
     "hr", "td", "th"}
)  # fmt: skip
_KEEP_CONTAINERS = frozenset({"html", "body", "main", "article"})
_MIN_LD_BODY = 200
_LD_TYPE = re.compile(r"ld\+json", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_LOCAL = threading.local()
#: Marks a block boundary while text is joined (a private-use character, not in news copy).
_BREAK = "\ue000"
#: What `itertext` walks: element starts and ends, and comments and PIs (for their tails).
_TEXT_EVENTS = ("start", "end", "comment", "pi")

#: An lxml `HtmlElement`; lxml ships no type stubs in this environment.
Element: TypeAlias = Any


@dataclass(frozen=True, slots=True)
class Page:
    """What a web page says about its article."""

    title: str | None
    published: str | None
    body: str


def iso_datetime(raw: str | None) -> str | None:
    """ISO 8601 with an offset; a time without zone is taken as UTC, junk becomes None."""
    if not raw:
        return None
    value = raw.strip()[:40]
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:  # feeds and some pages use RFC 2822 dates ("Wed, 30 Oct 2024 21:05:00 GMT")
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def _parser() -> Any:
    """One parser per thread (lxml parsers keep state between documents)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = lxml_html.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
        )
        # lxml.html picks each element's class in Python (form fields get their own), and
        # every element the walks below touch paid that call: about 150 a page, a tenth of
        # the page's parse time. Every element an HtmlElement, chosen in C: the form
        # classes only add form helpers (value, fields) that nothing here reads.
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml_html.HtmlElement,
                comment=lxml_html.HtmlComment,
                pi=lxml_html.HtmlProcessingInstruction,
                entity=lxml_html.HtmlEntity,
            )
        )
        _LOCAL.parser = parser
    return parser


#: C0 controls other than tab, LF and CR: lxml refuses them ("not XML compatible").
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _blank(data: bytes) -> bool:
    """True when the UTF-8 text is only whitespace (Unicode's, as `str.strip` knows it).

    Past ASCII whitespace, an ASCII byte is visible text; only a page that starts with a
    non-ASCII character needs decoding to tell (a no-break space is whitespace).
    """
    stripped = data.strip()
    if not stripped:
        return True
    if stripped[0] < 0x80:
        return False
    return not stripped.decode("utf-8", errors="replace").strip()


def _parse(markup: str) -> Element | None:
    """The document tree, or None for markup libxml2 cannot make anything of.

    The text is handed over as UTF-8 bytes with the encoding fixed, so a stale
    `<meta charset>` or XML declaration in an already decoded page cannot re-decode it.
    """
    # The controls are single ASCII bytes in UTF-8, so deleting them from the bytes is
    # the same as from the text, and bytes.translate is several times faster than a regex.
    data = _XML_DECLARATION.sub("", markup, count=1).encode("utf-8", errors="replace")
    data = data.translate(None, _CONTROL_BYTES)
    if _blank(data):
        return None
    try:
        root = lxml_html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if isinstance(root, lxml_html.HtmlElement) else None


def _elements(node: Element, *tags: str) -> Iterator[Element]:
    """Descendant elements (comments and processing instructions never included)."""
    for element in node.iter(*tags):
        if isinstance(element.tag, str):
            yield element


def _ld_objects(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every JSON-LD object, flattening lists and @graph (bounded depth)."""
    if depth > 6:
        return []
    if isinstance(data, list):
        return [obj for item in data[:50] for obj in _ld_objects(item, depth + 1)]
    if isinstance(data, dict):
        found = [data]
        graph = data.get("@graph")
        if graph is not None:
            found += _ld_objects(graph, depth + 1)
        return found
    return []


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds)


def _json_ld_article(root: Element) -> dict[str, Any] | None:
    for script in _elements(root, "script"):
        if not _LD_TYPE.search(script.get("type") or ""):
            continue
        try:
            data = json.loads((script.text or "").strip())
        except (ValueError, RecursionError):
            continue
        for obj in _ld_objects(data):
            if _is_article(obj):
                return obj
    return None


def _metas(root: Element) -> dict[str, str]:
    """content of every <meta>, keyed by its property, name or itemprop (first wins)."""
    found: dict[str, str] = {}
    for tag in _elements(root, "meta"):
        content = (tag.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = tag.get(attr)
            if key:
                found.setdefault(key, content)
    return found


def _first(metas: dict[str, str], *names: str) -> str | None:
    return next((metas[name] for name in names if name in metas), None)


def _text_of(node: Element) -> str:
    """Text with line breaks between blocks but none inside a sentence's inline markup.

    One walk gathers every text and tail (what `itertext` yields), with a marker before
    and after each block element; source line breaks inside a paragraph are just
    wrapping, so each piece between markers has its runs of whitespace made one space.
    """
    parts: list[str] = []
    for event, element in etree.iterwalk(node, events=_TEXT_EVENTS):
        if event == "start":
            if element.tag in _BLOCKS:
                parts.append(_BREAK)
            if element.text:
                parts.append(element.text)
        elif element is not node:  # "end", or a comment or processing instruction
            if element.tag in _BLOCKS:
                parts.append(_BREAK)
            if element.tail:
                parts.append(element.tail)
    lines = (squeeze(piece) for piece in "".join(parts).split(_BREAK))
    return "\n".join(line for line in lines if line)


def _flatten_tables(node: Element) -> None:
    """A results table becomes one line per row that names each figure's column:
    "Adjusted EPS: Reported $1.42; Consensus estimate $1.39." Read cell by cell, the
    figures would lose the header saying which one is the estimate."""
    for table in list(node.iter("table"))[:50]:
        rows = [
            [" ".join(cell.text_content().split()) for cell in row if cell.tag in ("td", "th")]
            for row in table.iter("tr")
        ][:200]
        if len(rows) < 2 or not 2 <= len(rows[0]) <= 8 or table.getparent() is None:
            continue
        header = rows[0]
        flat = lxml_html.Element("div")
        for cells in rows[1:]:
            if len(cells) != len(header) or not cells[0]:
                continue
            parts = [
                f"{name} {value}".strip() for name, value in zip(header[1:], cells[1:], strict=True)
            ]
            line = lxml_html.Element("p")
            line.text = f"{cells[0]}: {'; '.join(parts)}."
            flat.append(line)
        flat.tail = table.tail
        table.getparent().replace(table, flat)


def _is_chrome(tag: Element, holders: set[Element]) -> bool:
    if tag.tag in _KEEP_CONTAINERS:
        return False
    role = (tag.get("role") or "").lower()
    names = " ".join(
        value for value in (tag.get("class"), tag.get("id"), tag.get("aria-label")) if value
    )
    chrome = role in _CHROME_ROLES or bool(names and _CHROME.search(names))
    # A wrapper "with-sidebar" may still hold the story: never drop an <article>'s parent.
    return chrome and tag not in holders


def _drop_chrome(root: Element) -> None:
    """Remove page chrome: whole elements by tag, then boxes named or marked as chrome.

    Both steps stay in C but for the few elements that carry a class, id, aria-label or
    role (only those can be chrome): visiting every element from Python cost more than
    parsing the page. A box inside one already removed is left alone.
    """
    # Their tails stay in the page, as `_remove` keeps them.
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    holders = _article_holders(root)
    removed: set[Element] = set()
    for tag in _NAMED(root):  # document order: a box comes before what it holds
        if _is_chrome(tag, holders) and removed.isdisjoint(tag.iterancestors()):
            _remove(tag)
            removed.add(tag)
    _drop_headed_boxes(root, holders)


def _drop_headed_boxes(root: Element, holders: set[Element]) -> None:
    """Remove the boxes a chrome heading introduces ("Related", "Read next", ...)."""
    headings = [
        el
        for el in root.iter(*_HEADING_TAGS)
        if not (el.tag == "div" and len(el))
        and _text_len(el, 40) <= 40
        and _CHROME_HEADINGS.match(el.text_content())
    ]
    for heading in headings:
        if not _attached(heading, root):
            continue  # removed with an earlier box
        container = heading.getparent()
        if container is not None and _only_box(container, heading, holders):
            _remove(container)
        else:
            _drop_following(heading)


def _remove(element: Element) -> None:
    """Detach an element with its subtree; the text after it stays in the page."""
    if element.getparent() is not None:
        element.drop_tree()


def _attached(element: Element, root: Element) -> bool:
    node: Element | None = element
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def _article_holders(root: Element) -> set[Element]:
    """Every element that contains an <article> (computed once: linear)."""
    holders: set[Element] = set()
    for count, article in enumerate(_elements(root, "article")):
        if count >= 200:
            break
        parent = article.getparent()
        while parent is not None and parent not in holders:
            holders.add(parent)
            parent = parent.getparent()
    return holders


def _only_box(container: Element, heading: Element, holders: set[Element]) -> bool:
    """True when the heading's parent is just the box (heading + its list), not the story."""
    if container.tag in _KEEP_CONTAINERS or container in holders:
        return False
    sibling = heading.getnext()
    box_text = len(heading.text_content()) + (
        _text_len(sibling, 5000) if sibling is not None else 0
    )
    return _text_len(container, box_text + 80) <= box_text + 80


def _text_len(tag: Element, cap: int, max_nodes: int = 400) -> int:
    """Length of a tag's text, giving up (returning more than `cap`) past `cap` characters
    or `max_nodes` nodes, so that deeply nested junk markup stays linear."""
    total = 0
    for count, node in enumerate(tag.iter()):
        if count > max_nodes:
            return cap + 1
        total += len((node.text or "").strip())
        if node is not tag:
            total += len((node.tail or "").strip())
        if total > cap:
            return cap + 1
    return total


def _drop_following(heading: Element) -> None:
    """A chrome heading directly in the article: drop it and the list or run of link-only
    blocks that follows it ("Read Next:" then a paragraph holding just a headline link)."""
    siblings = [s for _, s in zip(range(20), heading.itersiblings(), strict=False)]
    _remove(heading)
    for sibling in siblings:
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in {"ul", "ol"} or _is_link_block(sibling):
            _remove(sibling)
        else:
            break


def _is_link_block(tag: Element) -> bool:
    """A short block whose text is (almost) all inside links: a teaser, not prose."""
    text = _text_len(tag, 400)
    if text == 0 or text > 400:
        return False
    links = [a for _, a in zip(range(20), _elements(tag, "a"), strict=False)]
    linked = sum(_text_len(a, 400) for a in links)
    return linked * 10 >= text * 8


def _main_node(root: Element) -> Element | None:
    articles = [a for _, a in zip(range(50), _elements(root, "article"), strict=False)]
    if articles:
        return max(articles, key=lambda a: len(a.text_content()))
    # The first element of each kind, in one pass; the earlier kind wins.
    found: list[Element | None] = [None] * 5
    for el in _elements(root):
        attrs = el.attrib
        checks = (
            attrs.get("itemprop") == "articleBody",
            bool(_BODY_CLASS.search(attrs.get("class") or "")),
            bool(_BODY_CLASS.search(attrs.get("id") or "")),
            el.tag == "main",
            attrs.get("role") == "main",
        )
        for kind, hit in enumerate(checks):
            if hit and found[kind] is None:
                found[kind] = el
        if found[0] is not None:
            break
    for node in found:
        if node is not None:
            return node
    return _densest(root)


def _densest(root: Element) -> Element | None:
    """The element whose own paragraphs hold the most text (the story on a bare page)."""
    best: Element | None = None
    best_len = 0
    for node in _elements(root, "div", "section", "td"):
        length = sum(len(p.text_content()) for p in node if p.tag == "p")
        if length > best_len:
            best, best_len = node, length
    if best is not None:
        return best
    body = root.find("body")
    return body if body is not None else root


def parse_page(html: str) -> Page:
    """Headline, publication time and article text of an HTML page."""
    root = _parse(html)
    if root is None:
        return Page(title=None, published=None, body="")
    ld = _json_ld_article(root)
    title: str | None = None
    published: str | None = None
    body = ""
    if ld is not None:
        headline = ld.get("headline") or ld.get("name")
        title = headline.strip() if isinstance(headline, str) and headline.strip() else None
        date = ld.get("datePublished")
        published = iso_datetime(date) if isinstance(date, str) else None
        article_body = ld.get("articleBody")
        if isinstance(article_body, str) and len(article_body.strip()) >= _MIN_LD_BODY:
            body = _ld_body_text(article_body)
    metas = _metas(root)
    title = title or _first(metas, "og:title", "twitter:title")
    published = published or iso_datetime(
        _first(metas, "article:published_time", "datePublished", "pubdate", "date")
    )
    if not body:
        _drop_chrome(root)
        _flatten_tables(root)
        node = _main_node(root)
        body = _text_of(node) if node is not None else ""
    return Page(title=collapse_title(title) if title else None, published=published, body=body)


_TITLE_SPACE = re.compile(r"\s+")


def collapse_title(title: str) -> str:
    """A headline as written, runs of whitespace made one space: a lone ideographic space
    is part of how a Japanese headline is written and stays, as do full-width signs."""
    spaced = _TITLE_SPACE.sub(lambda m: m.group() if m.group() == "\u3000" else " ", title)
    return spaced.strip()


def _ld_body_text(raw: str) -> str:
    """articleBody is usually plain text, sometimes HTML: read it as such when it is."""
    if "<" in raw and re.search(r"<(?:p|br|div)\b", raw, re.IGNORECASE):
        fragment = _parse(raw)
        return _text_of(fragment) if fragment is not None else ""
    return raw.strip()
