"""Canonical article URLs and content fingerprints: the keys of article-level dedupe.

The same story reaches us under many URLs (tracking parameters, AMP copies, `http` and
`https`, a trailing slash) and, syndicated, under different URLs with the same text. The
store's unique constraints can only catch those if both sides are reduced to one
normal form first; this module is that normal form, kept free of any database code so
it can be tested and reused on its own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only say where a click came from, never which article it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "s_kwcid",
        "ncid",
        "cmpid",
        "ref_src",
        "ref_url",
        "sr_share",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "__twitter_impression",
    }
)
#: Prefixes of whole families of tracking parameters (utm_source, utm_medium, ...).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
#: Query parameters that only select the AMP rendering of the same article.
AMP_PARAMS = frozenset({"amp", "amp_js_v", "usqp"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_WORD = re.compile(r"\w+")
#: Below this many characters of normalised text a fingerprint would match unrelated
#: teasers ("Read more", an empty page), so short texts get none.
MIN_FINGERPRINT_CHARS = 32


def canonical_url(url: str) -> str:
    """One spelling per article URL.

    Lower-cases scheme and host, treats `http` as `https` (publishers serve both), drops
    credentials, default ports, the fragment, tracking and AMP parameters, AMP path and
    subdomain variants and a trailing slash, and sorts what is left of the query so
    parameter order does not matter. Anything that is not an absolute http(s) URL is
    returned stripped but otherwise unchanged, so a feed GUID used as a URL still
    compares equal to itself.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return text
    host = parts.hostname.rstrip(".")  # urlsplit lower-cases hostname already
    if host.startswith("amp."):
        host = host[len("amp.") :]
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = _canonical_query(parts.query)
    return urlunsplit(("https", netloc, _canonical_path(parts.path), query, ""))


def _canonical_path(path: str) -> str:
    path = _PERCENT_ESCAPE.sub(lambda match: match.group(0).upper(), path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if path.startswith("/amp/"):
        path = path[len("/amp") :]
    path = re.sub(r"/amp/?$", "/", path)
    path = re.sub(r"\.amp(\.html?)$", r"\1", path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path


def _canonical_query(query: str) -> str:
    kept = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_noise_param(key, value)
    ]
    return urlencode(sorted(kept))


def _is_noise_param(key: str, value: str) -> bool:
    lowered = key.lower()
    if lowered == "outputtype":  # outputType=amp selects the AMP copy; other values may not
        return value.lower() == "amp"
    return (
        lowered in TRACKING_PARAMS or lowered in AMP_PARAMS or lowered.startswith(TRACKING_PREFIXES)
    )


def normalise_text(text: str) -> str:
    """The text reduced to its words: NFKC, case-folded, punctuation and spacing dropped.

    Two copies of a syndicated story differ in quotes, dashes, full-width digits and
    whitespace far more often than in words; those differences must not defeat dedupe.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def content_fingerprint(text: str) -> str | None:
    """SHA-256 of the normalised text, or None when there is too little text to judge.

    None is stored as NULL, which a unique constraint never treats as a duplicate, so
    articles without a body are deduplicated by URL only.
    """
    normalised = normalise_text(text)
    if len(normalised) < MIN_FINGERPRINT_CHARS:
        return None
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


__all__ = [
    "MIN_FINGERPRINT_CHARS",
    "TRACKING_PARAMS",
    "canonical_url",
    "content_fingerprint",
    "normalise_text",
]
