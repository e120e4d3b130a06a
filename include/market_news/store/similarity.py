"""MinHash signatures and LSH bands: the keys of near-duplicate dedupe.

A syndicated copy with another headline, another URL and a few reworded sentences has
neither the original's URL nor its exact fingerprint, but it shares most of its word
shingles. MinHash (datasketch) estimates that overlap (Jaccard similarity) from a small
signature; LSH banding turns the signature into a few hashes so that the store finds
candidates with an indexed equality lookup instead of comparing against every article.

Banding: 64 permutations in 16 bands of 4 rows. Two texts become candidates when any
band is equal, which happens with probability 1 - (1 - J**4)**16: 0.64 at J = 0.5,
0.89 at J = 0.6, 0.99 at J = 0.7, and 0.01 at J = 0.2 (unrelated stories sharing a
template). A candidate is only a near-duplicate when its estimated J reaches
`NEAR_DUPLICATE_THRESHOLD`. Pure functions; datasketch is imported on first use because
it pulls in numpy, scipy and redis, which processes that never add articles should not pay
(comparing stored signatures needs none of them).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from typing import Any

from market_news.store.canonical import normalise_text

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
#: Fixed so that signatures written by one process compare with those of another.
SEED = 1729
SHINGLE_WORDS = 3
#: Character shingles for text without spaces between words (Japanese, Chinese).
SHINGLE_CHARS = 4
#: Fewer shingles than this and two unrelated teasers could look alike: no signature.
MIN_SHINGLES = 20
#: Estimated Jaccard similarity of word shingles from which an article is a copy.
NEAR_DUPLICATE_THRESHOLD = 0.5
#: Average token length above which the text is taken to be written without spaces.
_UNSPACED_TOKEN_CHARS = 12
_LAYOUT = struct.Struct(f"<{NUM_PERM}I")
#: A MinHash whose permutation parameters every signature reuses; made on first use.
_reference: Any = None


def shingles(text: str) -> set[str]:
    """Overlapping 3-word sequences of the normalised text (4-character ones when unspaced)."""
    words = normalise_text(text).split()
    if not words:
        return set()
    if sum(map(len, words)) / len(words) > _UNSPACED_TOKEN_CHARS:
        joined = "".join(words)
        return {joined[i : i + SHINGLE_CHARS] for i in range(len(joined) - SHINGLE_CHARS + 1)}
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> bytes | None:
    """The text's MinHash as 64 little-endian uint32 (256 bytes); None for short texts.

    datasketch's values are below 2**32 already; storing them as uint32 halves the size.
    """
    pieces = shingles(text)
    if len(pieces) < MIN_SHINGLES:
        return None
    from datasketch import MinHash  # noqa: PLC0415 - heavy import, see module docstring

    global _reference  # noqa: PLW0603 - made once per process, see below
    if _reference is None:
        # The permutations follow from (NUM_PERM, SEED) and the default scheme alone;
        # datasketch recomputes them for every MinHash (~0.4 ms, more than hashing the
        # article's shingles), so they are made once and handed over.
        _reference = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        permutations=_reference.permutations,
        scheme=_reference.scheme,
    )
    minhash.update_batch([piece.encode("utf-8") for piece in sorted(pieces)])
    return _LAYOUT.pack(*(int(value) & 0xFFFFFFFF for value in minhash.hashvalues))


def band_hashes(signature_bytes: bytes) -> list[int]:
    """One signed 64-bit hash per band (band number included, so bands never collide)."""
    _check(signature_bytes)
    hashes = []
    for band in range(BANDS):
        rows = signature_bytes[band * ROWS * 4 : (band + 1) * ROWS * 4]
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        hashes.append(int.from_bytes(digest, "little", signed=True))
    return hashes


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal positions."""
    equal = sum(a == b for a, b in zip(_check(first), _check(second), strict=True))
    return equal / NUM_PERM


def best_match(new: bytes, candidates: Sequence[tuple[int, bytes]]) -> tuple[int, float] | None:
    """The most similar candidate (lowest id on ties) at or above the threshold, else None."""
    scored = [(similarity(new, stored), -article_id) for article_id, stored in candidates]
    if not scored:
        return None
    score, negative_id = max(scored)
    return (-negative_id, score) if score >= NEAR_DUPLICATE_THRESHOLD else None


def _check(signature_bytes: bytes) -> tuple[int, ...]:
    if len(signature_bytes) != _LAYOUT.size:
        raise ValueError(f"a signature is {_LAYOUT.size} bytes, got {len(signature_bytes)}")
    return _LAYOUT.unpack(signature_bytes)


__all__ = [
    "BANDS",
    "NEAR_DUPLICATE_THRESHOLD",
    "NUM_PERM",
    "band_hashes",
    "best_match",
    "shingles",
    "signature",
    "similarity",
]
