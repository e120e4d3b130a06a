"""Earnings events and AI claims: one alert per report, corrections in its thread."""

from __future__ import annotations

from typing import Any

from market_news.models import EarningsItem
from market_news.store import QueuedAlert, Store
from market_news.store.schema import AIClaimRow, Event
from sqlalchemy import func, select
from store_factories import eps, gpu_claim, revenue

URL_EN = "https://news.example.com/meta-q3"
URL_JA = "https://jp.example.com/meta-kessan"


def _record(store: Store, items: list[EarningsItem], url: str = URL_EN) -> list[QueuedAlert]:
    return store.record_earnings(
        None,
        items,
        article_url=url,
        article_title="Meta beats",
        published="2024-10-30T20:05:00+00:00",
        language="en",
        company="Meta Platforms",
    )


def _payload(store: Store, alert_id: int) -> dict[str, Any]:
    (claimed,) = [a for a in store.claim_pending_alerts(100) if a.id == alert_id]
    return claimed.payload


def _events(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Event)).scalar_one())


def test_a_new_report_queues_one_alert_with_all_its_metrics(store: Store) -> None:
    (alert,) = _record(store, [eps(), revenue()])
    assert alert.kind == "earnings"
    assert alert.alert_key == alert.event_key == "earnings:META:2024:Q3"
    payload = _payload(store, alert.id)
    assert payload["event_key"] == "earnings:META:2024:Q3"
    assert payload["company"] == "Meta Platforms"
    assert payload["article_url"] == URL_EN
    assert payload["published"] == "2024-10-30T20:05:00+00:00"
    assert [m["metric"] for m in payload["metrics"]] == ["eps", "revenue"]
    assert payload["metrics"][0] | {"evidence": None} == {
        "metric": "eps",
        "basis": "adjusted",
        "actual": 6.03,
        "estimate": 5.25,
        "currency": "USD",
        "surprise_pct": 14.86,
        "verdict": "beat",
        "article_url": URL_EN,
        "evidence": None,
    }


def test_two_reports_in_one_article_are_two_events(store: Store) -> None:
    alerts = _record(store, [eps(), eps(1.2, 1.0, ticker="googl")])
    assert sorted(a.event_key or "" for a in alerts) == [
        "earnings:GOOGL:2024:Q3",
        "earnings:META:2024:Q3",
    ]


def test_the_same_report_from_another_article_queues_nothing(store: Store) -> None:
    _record(store, [eps(), revenue()])
    # A translation: same figures, written with rounding noise.
    assert _record(store, [revenue(40.590000001e9), eps(6.0300001)], url=URL_JA) == []
    assert _events(store) == 1
    assert store.alert_counts()["pending"] == 1


def test_a_changed_figure_queues_one_correction_in_the_thread(store: Store) -> None:
    (first,) = _record(store, [eps(), revenue()])
    (correction,) = _record(store, [eps(6.13), revenue()], url=URL_JA)
    assert correction.kind == "correction"
    assert correction.event_key == first.event_key
    assert correction.alert_key != first.alert_key
    store.mark_alert_sent(
        next(a.id for a in store.claim_pending_alerts(1)), channel="C1", ts="1.5", dry_run=False
    )
    (claimed,) = store.claim_pending_alerts(10)
    assert claimed.id == correction.id
    assert claimed.thread_of_alert_key == first.alert_key
    assert claimed.thread_ts == "1.5"
    assert claimed.payload["changes"] == [
        {
            "metric": "eps",
            "basis": "adjusted",
            "field": "actual",
            "old": 6.03,
            "new": 6.13,
            "currency": "USD",
        }
    ]
    assert claimed.payload["article_url"] == URL_JA
    # The event now holds the new figure: repeating it changes nothing more.
    assert _record(store, [eps(6.13)]) == []


def test_a_new_metric_for_a_known_report_is_a_correction(store: Store) -> None:
    _record(store, [eps()])
    (correction,) = _record(store, [revenue()], url=URL_JA)
    payload = _payload_of_pending(store, correction.id)
    assert {(c["metric"], c["field"], c["old"]) for c in payload["changes"]} == {
        ("revenue", "actual", None),
        ("revenue", "estimate", None),
    }


def test_successive_corrections_get_distinct_keys(store: Store) -> None:
    _record(store, [eps()])
    (one,) = _record(store, [eps(6.13)])
    (two,) = _record(store, [eps(6.03)])
    assert one.alert_key != two.alert_key


def test_gaap_and_adjusted_are_different_figures(store: Store) -> None:
    _record(store, [eps(6.03, 5.25, basis="adjusted")])
    (correction,) = _record(store, [eps(5.90, 5.10, basis="gaap")])
    assert correction.kind == "correction"
    # An item without a basis matches the one stored figure it can only mean...
    _record(store, [eps(6.03, 5.25, basis=None), eps(5.90, 5.10, basis=None)])
    assert store.alert_counts()["pending"] == 2


def test_a_figure_without_basis_matches_the_stored_one(store: Store) -> None:
    _record(store, [eps(basis="adjusted")])
    assert _record(store, [eps(basis=None)], url=URL_JA) == []


def test_a_figure_in_another_currency_is_not_a_correction(store: Store) -> None:
    _record(store, [eps()])
    assert _record(store, [eps(910.0, 790.0, currency="JPY")], url=URL_JA) == []


def test_items_without_ticker_use_the_company_or_are_dropped(store: Store) -> None:
    (alert,) = _record(store, [eps(ticker=None)])
    assert alert.event_key == "earnings:~META-PLATFORMS:2024:Q3"
    assert _payload(store, alert.id)["ticker"] is None
    no_company = store.record_earnings(
        None,
        [eps(ticker=None)],
        article_url=URL_EN,
        article_title=None,
        published=None,
        language="en",
        company=None,
    )
    assert no_company == []


def test_unknown_period_and_year_are_na(store: Store) -> None:
    (alert,) = _record(store, [eps(period=None, fiscal_year=None)])
    assert alert.event_key == "earnings:META:na:na"


def test_new_ai_claims_queue_one_alert_for_the_article(store: Store) -> None:
    claims = [gpu_claim(), gpu_claim(), gpu_claim(350_000, subject="Meta cluster")]
    (alert,) = store.record_ai_claims(
        None,
        claims,
        article_url="https://news.example.com/llama?utm_source=x",
        article_title="Llama 4",
        published=None,
        language="en",
        tickers=["META"],
    )
    assert alert.kind == "ai_claims"
    assert alert.alert_key == "ai:https://news.example.com/llama"
    payload = _payload(store, alert.id)
    assert [c["value"] for c in payload["claims"]] == [100_000, 350_000]
    assert payload["tickers"] == ["META"]
    assert payload["event_key"] == alert.alert_key


def test_known_ai_claims_from_another_article_queue_nothing(store: Store) -> None:
    def record(url: str, subject: str, value: float = 100_000) -> list[QueuedAlert]:
        return store.record_ai_claims(
            None,
            [gpu_claim(value, subject=subject)],
            article_url=url,
            article_title=None,
            published=None,
            language="en",
            tickers=[],
        )

    assert len(record("https://a.example.com/1", "Llama 4")) == 1
    assert record("https://b.example.com/2", "  LLAMA   4 ") == []
    (only_new,) = record("https://c.example.com/3", "Llama 4", value=200_000)
    with store.engine.connect() as connection:
        claims = connection.execute(select(func.count()).select_from(AIClaimRow)).scalar_one()
    assert claims == 2
    assert only_new.alert_key == "ai:https://c.example.com/3"


def _payload_of_pending(store: Store, alert_id: int) -> dict[str, Any]:
    """Payload of a pending correction: deliver its parent first so it becomes claimable."""
    for claimed in store.claim_pending_alerts(100):
        if claimed.id == alert_id:
            return claimed.payload
        store.mark_alert_sent(claimed.id, channel="C1", ts="1.0", dry_run=True)
    (claimed,) = [a for a in store.claim_pending_alerts(100) if a.id == alert_id]
    return claimed.payload
