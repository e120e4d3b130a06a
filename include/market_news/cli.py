"""The `market-news` command: `extract` one article, `run` one full pass."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from market_news import __version__

EXIT_OK = 0
EXIT_USAGE = 2

log = logging.getLogger("market_news.cli")


def _configure_logging(verbose: bool) -> None:
    """Progress lines on standard error; third-party chatter only when asked."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    if not verbose:
        for noisy in ("urllib3", "slack_sdk", "alembic", "sqlalchemy"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _cmd_extract(args: argparse.Namespace) -> int:
    from market_news.extract import UnreadableInputError, extract_file  # noqa: PLC0415

    try:
        extraction = extract_file(args.file)
    except UnreadableInputError as exc:
        print(f"market-news extract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    json.dump(extraction.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from market_news.feeds import FeedsFileError  # noqa: PLC0415
    from market_news.pipeline import load_feeds, run_pass  # noqa: PLC0415
    from market_news.settings import load_settings  # noqa: PLC0415

    settings = load_settings()
    try:
        feeds = load_feeds(settings)
    except FeedsFileError as exc:
        print(f"market-news run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    mode = "dry run (no SLACK_BOT_TOKEN)" if settings.dry_run else settings.slack_channel
    log.info(
        "pass over %d feeds, store %s, Slack: %s",
        len(feeds),
        _safe_url(settings.database_url),
        mode,
    )
    try:
        summary = run_pass(settings, feeds=feeds)
    except Exception as exc:
        return _store_failed(exc, settings.database_url)
    print(json.dumps(summary.to_dict()), flush=True)
    return EXIT_OK


#: `market-news run` could not finish: the store failed (database down, disk full...).
EXIT_STORE_FAILED = 1


def _store_failed(exc: Exception, database_url: str) -> int:
    """One line naming the store (password hidden), exit 1; anything else is re-raised.

    What the pass committed before the failure stays; the next pass picks up the rest.
    """
    from market_news.errors import is_store_failure, store_failure_line  # noqa: PLC0415

    if not is_store_failure(exc):
        raise exc
    print(f"market-news run: {store_failure_line(exc, database_url)}", file=sys.stderr)
    return EXIT_STORE_FAILED


def _cmd_prune(args: argparse.Namespace) -> int:
    from market_news.maintenance import parse_age, prune  # noqa: PLC0415
    from market_news.pipeline import open_store  # noqa: PLC0415
    from market_news.settings import load_settings  # noqa: PLC0415
    from market_news.store import StoreUnavailableError  # noqa: PLC0415

    try:
        age = parse_age(args.older_than)
    except ValueError as exc:
        print(f"market-news prune: --older-than: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = open_store(load_settings())
        try:
            report = prune(store, age, label=args.older_than.strip())
        finally:
            store.close()
    except StoreUnavailableError as exc:
        print(f"market-news prune: {exc}", file=sys.stderr)
        return EXIT_STORE_FAILED
    print(json.dumps(report.to_dict()), flush=True)
    return EXIT_OK


def _cmd_reprocess(args: argparse.Namespace) -> int:
    from market_news.maintenance import ReplaySummary, reprocess  # noqa: PLC0415
    from market_news.pipeline import open_store  # noqa: PLC0415
    from market_news.settings import load_settings  # noqa: PLC0415
    from market_news.store import StoreUnavailableError  # noqa: PLC0415

    summary = ReplaySummary(apply=args.apply)
    try:
        store = open_store(load_settings())
        try:
            for replay in reprocess(store, summary, limit=args.limit):
                print(json.dumps(replay.to_dict(), ensure_ascii=False), flush=True)
        finally:
            store.close()
    except StoreUnavailableError as exc:
        print(f"market-news reprocess: {exc}", file=sys.stderr)
        return EXIT_STORE_FAILED
    print(json.dumps(summary.to_dict()), flush=True)
    return EXIT_OK


def _safe_url(url: str) -> str:
    """The store URL without its password, for the progress line."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="market-news",
        description="Earnings and AI-infrastructure alerts from news feeds to Slack.",
    )
    parser.add_argument("--version", action="version", version=f"market-news {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="extract one article and print JSON")
    extract.add_argument("file", help="an .html/.htm page, a text file, or - for stdin")
    extract.set_defaults(handler=_cmd_extract)

    run = commands.add_parser("run", help="one full pass: poll, extract, dedupe, alert")
    run.set_defaults(handler=_cmd_run)

    prune = commands.add_parser(
        "prune", help="drop raw bodies, signatures and finished entries older than an age"
    )
    prune.add_argument(
        "--older-than", required=True, metavar="AGE", help="e.g. 90d, 12h, 4w (s, m, h, d, w)"
    )
    prune.set_defaults(handler=_cmd_prune)

    reprocess = commands.add_parser(
        "reprocess", help="re-extract stored articles with the current parser, report changes"
    )
    reprocess.add_argument(
        "--apply",
        action="store_true",
        help="store the new extractions and record real changes (corrections, new events)",
    )
    reprocess.add_argument("--limit", type=int, default=None, help="articles to examine at most")
    reprocess.set_defaults(handler=_cmd_reprocess)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    handler = args.handler
    code: int = handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
