"""Turn an article (plain text or an HTML page) into an `Extraction`.

The rules are split by job: `page` isolates a page's article, `numbers` reads amounts,
`tickers` and `periods` find who and when, `earnings` and `ai_claims` find the facts,
`language` tells Japanese from English. `evaluate` measures them on the fixtures.
"""

from market_news.extract.core import PARSER_VERSION, extract_file, extract_html, extract_text
from market_news.extract.reader import UnreadableInputError

__all__ = [
    "PARSER_VERSION",
    "UnreadableInputError",
    "extract_file",
    "extract_html",
    "extract_text",
]
