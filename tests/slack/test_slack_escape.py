"""Article text must never mention anyone or form links once it is in a message."""

from __future__ import annotations

import re

import pytest
from market_news.slack.escape import ELLIPSIS, ZERO_WIDTH_JOINER, escape_mrkdwn, truncate

# Anything Slack would parse as a mention or a link: `<` starts every one of them.
SLACK_SPECIAL = re.compile(r"<[!@#]|<https?:|<mailto:")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<!channel> buy now", "&lt;!channel&gt; buy now"),
        ("<!here>", "&lt;!here&gt;"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("ping <@U123> and <#C999>", "ping &lt;@U123&gt; and &lt;#C999&gt;"),
        ("<https://evil.example|click here>", "&lt;https://evil.example|click here&gt;"),
        ("AT&T beat", "AT&amp;T beat"),
        ("already &amp; escaped", "already &amp;amp; escaped"),
        ("plain text", "plain text"),
    ],
)
def test_escape_mrkdwn_turns_control_sequences_into_text(raw: str, expected: str) -> None:
    assert escape_mrkdwn(raw) == expected
    assert not SLACK_SPECIAL.search(escape_mrkdwn(raw))


@pytest.mark.parametrize("word", ["@here", "@channel", "@everyone", "@HERE", "@Channel"])
def test_bare_broadcast_words_are_broken_with_a_joiner(word: str) -> None:
    escaped = escape_mrkdwn(f"hey {word}, results are out")
    assert word not in escaped
    assert f"@{ZERO_WIDTH_JOINER}{word[1:]}" in escaped


def test_ordinary_at_signs_are_left_alone() -> None:
    assert escape_mrkdwn("mail ir@meta.com @herebefore") == "mail ir@meta.com @herebefore"


def test_control_characters_are_dropped() -> None:
    assert escape_mrkdwn("red\x1b[31m alert\x00\tok\n") == "red[31m alert\tok\n"


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("abc", 3) == "abc"


def test_truncate_marks_the_cut() -> None:
    cut = truncate("a" * 50, 10)
    assert len(cut) == 10
    assert cut.endswith(ELLIPSIS)


@pytest.mark.parametrize("limit", range(2, 30))
def test_truncate_never_cuts_an_entity_in_half(limit: int) -> None:
    escaped = escape_mrkdwn("R&D <b> & M&A " * 5)
    cut = truncate(escaped, limit)
    assert len(cut) <= limit
    body = cut.removesuffix(ELLIPSIS)
    # every `&` that survives starts a whole entity
    for match in re.finditer("&", body):
        assert re.match(r"&(amp|lt|gt);", body[match.start() :]), (limit, cut)


def test_truncate_rejects_a_zero_limit() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        truncate("abc", 0)
