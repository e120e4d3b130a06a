"""Streaming Content-Encoding decoders that never produce more than a chunk at a time.

urllib3 can decode too, but the body cap must count decompressed bytes while they are
produced: a 100 KB gzip bomb expands to 100 MB, and must be cut at the cap with memory
bounded by the cap, not by the bomb.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli  # type: ignore[import-untyped]  # no stubs; a small C API

CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class DecodingError(ValueError):
    """The body cannot be decoded (unsupported or corrupt encoding)."""


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of `data`, each at most about CHUNK bytes."""
        ...

    def finish(self) -> Iterator[bytes]:
        """Whatever is left once the body has ended."""
        ...


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        yield from ()


class _Zlib:
    """gzip (several members allowed) and deflate (zlib-wrapped or raw, as servers vary)."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False
        self._done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._done or not data:
            return
        if not self._started:
            self._started = True
            if not self._gzip:
                self._sniff_raw_deflate(data)
        pending = data
        may_hold_output = False
        while pending or may_hold_output:
            if self._obj.eof:  # one gzip member ended: another may follow, junk is ignored
                if not (self._gzip and pending.startswith(_GZIP_MAGIC)):
                    self._done = True
                    return
                self._obj = zlib.decompressobj(self._wbits)
            try:
                out = self._obj.decompress(pending, CHUNK)
            except zlib.error as exc:
                raise DecodingError(f"corrupt {self._name} body ({exc})") from None
            if out:
                yield out
            # A full output buffer means zlib may hold more even with no input left.
            may_hold_output = len(out) == CHUNK and not self._obj.eof
            pending = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail

    def _sniff_raw_deflate(self, data: bytes) -> None:
        # "deflate" should be zlib-wrapped (RFC 9110), but some servers send raw deflate.
        try:
            zlib.decompressobj(zlib.MAX_WBITS).decompress(data[:64], 1)
        except zlib.error:
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)

    def finish(self) -> Iterator[bytes]:
        # A body cut short is accepted like browsers do; everything decodable was yielded.
        yield from ()

    @property
    def _name(self) -> str:
        return "gzip" if self._gzip else "deflate"


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data or self._obj.is_finished():
            return  # like gzip, bytes after the end of the stream are ignored
        try:
            out = self._obj.process(data, output_buffer_limit=CHUNK)
            # Output can stay pending even once more input would be accepted: drain it
            # (with empty input, as the API requires) until nothing more comes.
            while out:
                yield out
                if self._obj.is_finished() and self._obj.can_accept_more_data():
                    return
                out = self._obj.process(b"", output_buffer_limit=CHUNK)
        except brotli.error as exc:
            raise DecodingError(f"corrupt brotli body ({exc})") from None

    def finish(self) -> Iterator[bytes]:
        yield from ()


def make_decoder(content_encoding: str | None) -> Decoder:
    """The decoder for a Content-Encoding header value (one coding; we only ask for one)."""
    coding = (content_encoding or "").strip().lower()
    if coding in {"", "identity"}:
        return _Identity()
    if coding in {"gzip", "x-gzip"}:
        return _Zlib(gzip=True)
    if coding == "deflate":
        return _Zlib(gzip=False)
    if coding == "br":
        return _Brotli()
    raise DecodingError(f"unsupported Content-Encoding {coding[:40]!r}")


__all__ = ["CHUNK", "Decoder", "DecodingError", "make_decoder"]
