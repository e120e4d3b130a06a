"""Which Slack channel an alert goes to: a YAML rules file, first match wins.

A desk wants its tickers, its kind of news, only big surprises, or only one language,
in its own channel. Rules are tried in file order and the first whose every condition
holds decides the channel; an alert no rule matches goes to the default channel
(`MARKET_NEWS_SLACK_CHANNEL`). First match, not all matches: an alert is one outbox row
with one `ts`, which is what makes it exactly-once, and an ordered list reads like a
firewall: put the narrow rules first and a catch-all last. Corrections are never routed
here: they go to the thread of the message they correct, wherever that is.

```yaml
routes:
  - name: big-tech-earnings        # optional, shown in logs
    channel: "#earnings-megacaps"
    match:
      kind: earnings               # earnings | ai_claims, or a list of both
      tickers: [AAPL, MSFT, NVDA]  # any of these tickers
      min_abs_surprise_pct: 5      # |surprise| of at least one metric (earnings only)
      language: [en]               # the article's language
```

See docs/routing.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The alert kinds a rule can name (corrections follow their parent instead).
ROUTABLE_KINDS = ("earnings", "ai_claims")
_RULE_KEYS = {"name", "channel", "match"}
_MATCH_KEYS = {"kind", "tickers", "min_abs_surprise_pct", "language"}


class RoutesFileError(ValueError):
    """The rules file is missing or wrong; the message is one line naming file and place."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One routing rule; an empty condition matches everything."""

    name: str
    channel: str
    kinds: frozenset[str] = frozenset()
    tickers: frozenset[str] = frozenset()
    min_abs_surprise_pct: float | None = None
    languages: frozenset[str] = frozenset()

    def matches(self, kind: str, payload: Mapping[str, Any]) -> bool:
        """True when every condition of this rule holds for the alert."""
        if self.kinds and kind not in self.kinds:
            return False
        if self.tickers and not self.tickers & alert_tickers(payload):
            return False
        if self.languages and _language(payload) not in self.languages:
            return False
        if self.min_abs_surprise_pct is not None:
            surprise = max_abs_surprise(payload)
            if surprise is None or surprise < self.min_abs_surprise_pct:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Router:
    """The rules of a file (maybe none) and the channel for what they leave unmatched."""

    default_channel: str
    rules: tuple[Rule, ...] = ()

    def route(self, kind: str, payload: Mapping[str, Any]) -> tuple[str, str | None]:
        """`(channel, rule name)` for a top-level alert; the rule name is None for default."""
        for rule in self.rules:
            if rule.matches(kind, payload):
                return rule.channel, rule.name
        return self.default_channel, None

    def channel_for(self, kind: str, payload: Mapping[str, Any]) -> str:
        """The channel a top-level alert of `kind` with `payload` goes to."""
        return self.route(kind, payload)[0]

    @property
    def channels(self) -> list[str]:
        """Every channel the rules can send to, default first, no repeats."""
        seen = [self.default_channel]
        for rule in self.rules:
            if rule.channel not in seen:
                seen.append(rule.channel)
        return seen


def alert_tickers(payload: Mapping[str, Any]) -> frozenset[str]:
    """The tickers an alert is about (earnings: `ticker`; AI claims: `tickers`)."""
    found = [payload.get("ticker"), *(payload.get("tickers") or [])]
    return frozenset(str(t).strip().upper() for t in found if isinstance(t, str) and t.strip())


def max_abs_surprise(payload: Mapping[str, Any]) -> float | None:
    """The largest absolute surprise % among an earnings alert's metrics, if any."""
    values: list[float] = []
    for metric in payload.get("metrics") or []:
        value = metric.get("surprise_pct") if isinstance(metric, Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            values.append(abs(float(value)))
    return max(values) if values else None


def _language(payload: Mapping[str, Any]) -> str:
    return str(payload.get("language") or "").strip().lower()


# -- the file ---------------------------------------------------------------------------


def load_router(routes_file: Path | None, default_channel: str) -> Router:
    """The router for the settings: the file's rules, or none when no file is set."""
    if routes_file is None:
        return Router(default_channel)
    return Router(default_channel, load_rules(routes_file))


def load_rules(path: Path) -> tuple[Rule, ...]:
    """The rules in `path`, checked; raises `RoutesFileError` on the first problem."""
    data = _read_yaml(path)
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise RoutesFileError(f"{path}: expected a mapping with a 'routes' list")
    unknown = sorted(str(key) for key in data if key != "routes")
    if unknown:
        raise RoutesFileError(f"{path}: unknown top-level key {unknown[0]!r} (only 'routes')")
    items = data.get("routes") or []
    if not isinstance(items, list):
        raise RoutesFileError(f"{path}: 'routes' must be a list of rules")
    return tuple(_rule(path, number, item) for number, item in enumerate(items, start=1))


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RoutesFileError(f"{path}: routes file not found") from None
    except UnicodeDecodeError:
        raise RoutesFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise RoutesFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise RoutesFileError(f"{path}: invalid YAML{where}") from None


def _rule(path: Path, number: int, item: object) -> Rule:
    where = f"{path}: route #{number}"
    if not isinstance(item, Mapping):
        raise RoutesFileError(f"{where}: expected a mapping with 'channel' and 'match'")
    unknown = sorted(str(key) for key in item if key not in _RULE_KEYS)
    if unknown:
        raise RoutesFileError(f"{where}: unknown key {unknown[0]!r}")
    channel = item.get("channel")
    if not isinstance(channel, str) or not channel.strip():
        raise RoutesFileError(f"{where}: 'channel' must be a channel name or ID")
    name = item.get("name", f"route-{number}")
    if not isinstance(name, str | int):
        raise RoutesFileError(f"{where}: 'name' must be text")
    match = item.get("match") or {}
    if not isinstance(match, Mapping):
        raise RoutesFileError(f"{where}: 'match' must be a mapping")
    unknown = sorted(str(key) for key in match if key not in _MATCH_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_MATCH_KEYS))
        raise RoutesFileError(f"{where}: unknown match key {unknown[0]!r} (one of {allowed})")
    kinds = _words(where, "kind", match.get("kind"), lower=True)
    bad = sorted(kinds - set(ROUTABLE_KINDS))
    if bad:
        raise RoutesFileError(
            f"{where}: unknown kind {bad[0]!r} (one of {', '.join(ROUTABLE_KINDS)})"
        )
    return Rule(
        name=str(name),
        channel=channel.strip(),
        kinds=kinds,
        tickers=_words(where, "tickers", match.get("tickers"), lower=False),
        min_abs_surprise_pct=_surprise(where, match.get("min_abs_surprise_pct")),
        languages=_words(where, "language", match.get("language"), lower=True),
    )


def _words(where: str, key: str, value: object, *, lower: bool) -> frozenset[str]:
    """A text or a list of texts, normalised (tickers upper case, the rest lower case)."""
    if value is None:
        return frozenset()
    items: Sequence[object] = [value] if isinstance(value, str) else value  # type: ignore[assignment]
    if not isinstance(items, list | tuple) or not items:
        raise RoutesFileError(f"{where}: '{key}' must be a word or a non-empty list of words")
    words: set[str] = set()
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise RoutesFileError(f"{where}: '{key}' entries must be non-empty text")
        word = item.strip()
        words.add(word.lower() if lower else word.upper())
    return frozenset(words)


def _surprise(where: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RoutesFileError(f"{where}: 'min_abs_surprise_pct' must be a number >= 0")
    return float(value)


__all__ = [
    "ROUTABLE_KINDS",
    "Router",
    "RoutesFileError",
    "Rule",
    "alert_tickers",
    "load_router",
    "load_rules",
    "max_abs_surprise",
]
