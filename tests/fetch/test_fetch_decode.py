"""The streaming decoders: any chunking gives the same bytes, and output stays chunk-sized."""

from __future__ import annotations

import gzip
import zlib

import brotli  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from market_news.fetch.decode import CHUNK, DecodingError, make_decoder

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "identity": bytes,
}


def _decode(encoding: str, data: bytes, cuts: list[int]) -> list[bytes]:
    decoder = make_decoder(encoding)
    pieces: list[bytes] = []
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        pieces.extend(decoder.feed(data[start:cut]))
        start = max(start, cut)
    pieces.extend(decoder.finish())
    return pieces


@settings(max_examples=60, deadline=None, database=None)
@given(
    encoding=st.sampled_from(sorted(ENCODERS)),
    payload=st.binary(max_size=5000) | st.just(b"ab" * 100_000),
    cuts=st.lists(st.integers(min_value=0, max_value=6000), max_size=8),
)
def test_any_chunking_decodes_to_the_payload(
    encoding: str, payload: bytes, cuts: list[int]
) -> None:
    encoded = ENCODERS[encoding](payload)
    cuts = [min(cut, len(encoded)) for cut in cuts]
    assert b"".join(_decode(encoding, encoded, cuts)) == payload


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_bomb_comes_out_in_small_pieces(encoding: str) -> None:
    payload = b"\0" * (20 * 1024 * 1024)
    encoded = ENCODERS[encoding](payload)
    decoder = make_decoder(encoding)
    total = 0
    for piece in decoder.feed(encoded):
        assert len(piece) <= 2 * CHUNK
        total += len(piece)
        if total > 1024 * 1024:
            break  # the client stops here; nothing more is produced
    assert total > 1024 * 1024


def test_unknown_and_stacked_encodings_are_refused() -> None:
    for value in ("zstd", "compress", "gzip, br"):
        with pytest.raises(DecodingError, match="unsupported"):
            make_decoder(value)


def test_trailing_junk_after_gzip_is_ignored() -> None:
    data = gzip.compress(b"feed") + b"\n\x00junk"
    assert b"".join(_decode("gzip", data, [])) == b"feed"


def test_bytes_after_a_finished_brotli_stream_are_ignored() -> None:
    cut = len(brotli.compress(b"feed"))
    data = brotli.compress(b"feed") + b"junk"
    assert b"".join(_decode("br", data, [cut])) == b"feed"
