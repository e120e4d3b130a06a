"""`POST /push`: publishers and WebSub hubs hand over new items, which go to Redis.

This endpoint is not behind the Airflow login (a publisher has no Airflow account); it
is authenticated by the shared secret instead (`MARKET_NEWS_PUSH_SECRET`), sent as is in
`X-Market-News-Secret` or as an HMAC-SHA256 of the body in `X-Hub-Signature-256`.

The checks run cheapest first and nothing is queued unless all pass:
size (413) -> push configured (503) -> secret (401 missing, 403 wrong) -> body (422)
-> Redis (503 when down). Every rejection is logged in one line without the secret.
Only an accepted push touches Redis: the items go to the list and the doorbell rings on
`settings.push_channel` in the same transaction; a rejected one publishes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.concurrency import run_in_threadpool

from market_news.feeds import FeedsFileError, load_feeds_file
from market_news.push import (
    MAX_PUSH_BYTES,
    SECRET_HEADER,
    SIGNATURE_HEADER,
    PushedItem,
    PushError,
    Queued,
    authenticate,
    parse_push,
    publish,
    redis_client,
)
from market_news.settings import Settings

log = logging.getLogger("market_news.push")

FeedName = Annotated[
    str | None, Query(max_length=200, description="the feed a WebSub feed document belongs to")
]


class _TooLarge(Exception):
    pass


def push_router(
    settings: Callable[[], Settings],
    *,
    key: str | None = None,
    max_bytes: int = MAX_PUSH_BYTES,
) -> APIRouter:
    """The router with `POST /push`; `settings` is called per request (nothing at build)."""
    router = APIRouter()

    @router.post(
        "/push",
        status_code=202,
        summary="Accept a pushed item (JSON) or a WebSub feed document; queue it in Redis",
    )
    async def push(request: Request, feed: FeedName = None) -> JSONResponse:
        client = request.client.host if request.client else "?"

        def reject(status: int, reason: str) -> JSONResponse:
            log.warning("push from %s rejected (%d): %s", client, status, reason)
            return JSONResponse({"detail": reason}, status_code=status)

        try:
            body = await _read_capped(request, max_bytes)
        except _TooLarge:
            return reject(413, f"body larger than {max_bytes} bytes")
        current = settings()
        if not current.push_secret:
            return reject(503, "push is not configured (no MARKET_NEWS_PUSH_SECRET)")
        header_secret = request.headers.get(SECRET_HEADER)
        signature = request.headers.get(SIGNATURE_HEADER)
        if header_secret is None and signature is None:
            return reject(401, f"missing {SECRET_HEADER} or {SIGNATURE_HEADER}")
        if not authenticate(
            current.push_secret, body, header_secret=header_secret, signature=signature
        ):
            return reject(403, "wrong secret or signature")
        try:
            feeds = load_feeds_file(current.feeds_file)
            items = parse_push(
                body, request.headers.get("content-type", ""), feed_name=feed, feeds=feeds
            )
        except PushError as exc:
            return reject(422, str(exc))
        except FeedsFileError as exc:
            return reject(503, f"feeds file unusable: {exc}")
        try:
            queued = await run_in_threadpool(_publish, current, items, key or current.push_key)
        except RedisError as exc:
            return reject(503, f"queue unavailable ({exc.__class__.__name__})")
        log.info(
            "push from %s: %d item(s) queued for %s; doorbell %s heard by %d listener(s)",
            client,
            len(items),
            items[0].feed,
            current.push_channel,
            queued.listeners,
        )
        return JSONResponse({"queued": len(items)}, status_code=202)

    return router


def _publish(settings: Settings, items: list[PushedItem], key: str) -> Queued:
    """Blocking Redis call (queue, then ring `settings.push_channel`), off the event loop."""
    client = redis_client(settings)
    try:
        return publish(client, items, key=key, channel=settings.push_channel)
    finally:
        client.close()


async def _read_capped(request: Request, max_bytes: int) -> bytes:
    """The body, refusing more than `max_bytes` before reading it all into memory."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


__all__ = ["push_router"]
