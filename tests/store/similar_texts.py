"""Article texts for the near-duplicate tests: an original, its reworded syndicated copy,
another story about the same company, and a templated report about another company."""

from __future__ import annotations

from datetime import UTC, datetime

from market_news.models import FeedEntry
from store_factories import FEED

ORIGINAL = (
    "Meta Platforms reported third-quarter revenue of $40.59 billion on Wednesday, beating "
    "analyst estimates of $40.29 billion, as advertisers kept spending on Facebook and "
    "Instagram despite a cooling economy. Adjusted earnings came to $6.03 per share, ahead "
    "of the $5.25 per share analysts had expected. Chief executive Mark Zuckerberg told "
    "analysts that the company is training its next model, Llama 4, on a cluster of more "
    "than 100,000 H100 GPUs, which he described as bigger than anything he had seen "
    "reported by rivals. The first versions of the model are due early next year. Chief "
    "financial officer Susan Li said capital expenditure would rise significantly next "
    "year as the company builds more data centres for artificial intelligence. The stock "
    "fell three percent in after-hours trading as investors weighed the spending plans."
)

#: The same story republished: another headline line, a few words changed, a footer added.
REWORDED_COPY = (
    "Ad engine carries Meta past estimates. "
    "Meta Platforms reported third-quarter revenue of $40.59 billion on Wednesday, topping "
    "analyst estimates of $40.29 billion, as advertisers kept spending on Facebook and "
    "Instagram despite a slowing economy. Adjusted earnings came to $6.03 per share, ahead "
    "of the $5.25 per share analysts had expected. Chief executive Mark Zuckerberg told "
    "analysts that the company is training its next model, Llama 4, on a cluster of more "
    "than 100,000 H100 GPUs, which he called bigger than anything he had seen "
    "reported by rivals. The first versions of the model are due early next year. Chief "
    "financial officer Susan Li said capital expenditure would rise significantly next "
    "year as the company builds more data centres for artificial intelligence. Shares "
    "fell three percent in after-hours trading as investors weighed the spending plans. "
    "This story was first published by Markets Wire and is republished with permission."
)

#: Same company, same week, same vocabulary, a different story.
OTHER_META_STORY = (
    "Meta Platforms is in talks to buy a stake in a European eyewear maker as it expands "
    "its smart-glasses business, according to people familiar with the matter. The "
    "company sold more glasses in the third quarter than in the previous two years "
    "combined, Mark Zuckerberg said on Wednesday. Analysts expect the market for "
    "camera-equipped glasses to grow quickly as artificial intelligence assistants "
    "improve, and rivals including Google and Apple are preparing their own devices. "
    "A spokesperson for Meta declined to comment on the talks, which could still fall "
    "apart. Shares of the eyewear maker rose six percent in Paris trading on the report."
)

#: Another company's report written from the same wire template as ORIGINAL's opening.
TEMPLATED_OTHER_COMPANY = (
    "Northwind Traders reported third-quarter revenue of $4.12 billion on Thursday, "
    "missing analyst estimates of $4.30 billion, as shoppers cut back on discretionary "
    "purchases at its stores. Adjusted earnings came to 81 cents per share, below the "
    "92 cents per share analysts had expected. Chief executive Dana Whitfield told "
    "analysts that comparable sales fell 2.1 percent and that the company would close "
    "underperforming stores in the Midwest. The retailer cut its full-year guidance. "
    "The stock fell eight percent in premarket trading."
)

JAPANESE_ORIGINAL = (
    "メタ・プラットフォームズが30日発表した2024年7〜9月期決算は、売上高が405億9000万ドルと"
    "市場予想の402億9000万ドルを上回った。調整後の1株利益は6.03ドルで、予想の5.25ドルを上回った。"
    "ザッカーバーグCEOは次世代モデルのLlama4を10万台以上のH100で訓練していると述べた。"
    "来年の設備投資は大幅に増える見通しだという。"
)
JAPANESE_COPY = JAPANESE_ORIGINAL.replace("述べた", "語った").replace("見通しだという", "見込みだ")


TICKERED = ORIGINAL.replace("Meta Platforms reported", "Meta Platforms (NASDAQ:META) reported")
COPY_WITH_NEW_EPS = REWORDED_COPY.replace(
    "Meta Platforms reported", "Meta Platforms (NASDAQ:META) reported"
).replace("$6.03", "$6.10")


def full_entry(guid: str, text: str) -> FeedEntry:
    """An entry whose feed carries the whole story, so processing needs no fetch."""
    return FeedEntry(
        feed_name=FEED.name,
        guid=guid,
        link=f"https://{guid}.example.com/story",
        title="Meta beats",
        summary="Meta reports.",
        content_html=f"<article><h1>Meta beats</h1><p>{text}</p></article>",
        published=datetime(2024, 10, 30, 20, 5, tzinfo=UTC),
        language="en",
    )
