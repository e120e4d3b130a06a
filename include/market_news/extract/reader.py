"""Reading article files and decoding their bytes.

Pages and text files arrive in whatever encoding their publisher chose. UTF-8 is tried
first (it is almost always right and never silently wrong); HTML then trusts its own
charset declaration; then Shift_JIS/EUC-JP when the result reads as Japanese (kana),
then cp1252 for Western copy, and `charset_normalizer` only for what none of those
can decode (its guesses on short Western text are poor: "€" came out as cp775).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from charset_normalizer import from_bytes

#: Files larger than this are not articles; reading them whole would only waste memory.
MAX_FILE_BYTES = 20 * 1024 * 1024

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s{0,3}=\s{0,3}["']?\s{0,3}([A-Za-z0-9_\-:.]{1,40})""",
    re.IGNORECASE,
)


class UnreadableInputError(ValueError):
    """The article file is missing or cannot be read; the message is one line for humans."""


def decode_bytes(data: bytes, *, html: bool) -> str:
    """Text of `data`: UTF-8, else the page's declared charset, else detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"), errors="replace")
            except LookupError:
                pass
    for encoding in ("cp932", "euc_jp"):
        japanese = _strict(data, encoding)
        if japanese is not None and _looks_japanese(japanese):
            return japanese
    western = _strict(data, "cp1252")
    if western is not None:
        return western
    best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding, errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_japanese(text: str) -> bool:
    """Kana among the non-ASCII characters: a Shift_JIS reading of Western bytes has none."""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    kana = sum(1 for ch in non_ascii if "\u3040" <= ch <= "\u30ff")
    return bool(non_ascii) and kana >= 2 and kana * 10 >= len(non_ascii)


def read_input(path: Path | str) -> tuple[str, bool]:
    """(decoded text, is_html) of a file; '-' reads standard input as text."""
    if str(path) == "-":
        try:
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise UnreadableInputError(f"cannot read standard input: {exc}") from exc
        return decode_bytes(data[:MAX_FILE_BYTES], html=False), False
    file = Path(path)
    is_html = file.suffix.lower() in {".html", ".htm"}
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise UnreadableInputError(f"{file}: no such file") from exc
    except IsADirectoryError as exc:
        raise UnreadableInputError(f"{file}: is a directory, not an article file") from exc
    except PermissionError as exc:
        raise UnreadableInputError(f"{file}: permission denied") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableInputError(f"{file}: cannot read ({reason})") from exc
    return decode_bytes(data[:MAX_FILE_BYTES], html=is_html), is_html
