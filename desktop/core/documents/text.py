"""Plain text in any common encoding: byte-order marks, UTF-8, then charset-normalizer's best guess."""

from __future__ import annotations

import codecs

from desktop.core import errors

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

ENCODINGS: tuple[str, ...] = (
    "utf-8",
    "cp1252",
    "latin-1",
    "iso-8859-15",
    "cp1251",
    "koi8-r",
    "cp1256",
    "iso-8859-6",
    "cp1253",
    "cp1250",
    "iso-8859-2",
    "cp1255",
    "cp1254",
    "shift_jis",
    "euc-jp",
    "gb18030",
    "big5",
    "euc-kr",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "mac-roman",
    "cp437",
)
"""The encodings offered by "Reopen with encoding...": any name Python's codecs know is accepted too."""

_PREFERRED = ("cp1252", "cp1251", "cp1256", "iso8859_15")
_BINARY_MAGIC = (b"\x89PNG", b"\x7fELF", b"GIF8", b"\xff\xd8\xff", b"MZ", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf")


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode an article's bytes.

    A byte-order mark decides (and is dropped); else UTF-8 when the bytes are valid UTF-8; else the
    encoding charset-normalizer finds most likely. ``encoding`` forces one.

    Args:
        data: the file's bytes.
        name: the file's name, for messages.
        encoding: decode with this encoding instead of detecting one.

    Returns:
        The text and the name of the encoding used.

    Raises:
        DocumentError: the bytes are not text (NUL bytes, a known binary signature, or no encoding fits).
    """
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise errors.DocumentError(f"{encoding!r} is not an encoding Python knows") from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise errors.DocumentError(
                f"{name} is not {encoding} text (undecodable byte at offset {exc.start}); try another encoding"
            ) from None
        return _checked(text.removeprefix("\ufeff"), name), codec
    for bom, candidate in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(candidate), name), candidate
            except UnicodeDecodeError as exc:
                raise errors.DocumentError(
                    f"{name} is not {candidate.upper()} text as its byte-order mark says "
                    f"(undecodable bytes at offset {exc.start + len(bom)})"
                ) from None
    if data.startswith(_BINARY_MAGIC):
        raise errors.DocumentError(f"{name} looks like a binary file, not an article (a picture or program)")
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    return _detect(data, name)


def _detect(data: bytes, name: str) -> tuple[str, str]:
    import charset_normalizer  # imported here: UTF-8 articles never pay for it

    results = charset_normalizer.from_bytes(data[: 4 * 1024 * 1024])
    best = results.best()
    if best is None or (b"\x00" in data and not best.encoding.startswith("utf_16") and "32" not in best.encoding):
        raise errors.DocumentError(
            f"{name} looks like a binary file, not an article (it contains bytes no text encoding explains)"
        )
    chosen = best.encoding
    # Short Western texts fit several code pages equally well (charset-normalizer then picks cp775 or
    # cp1257 for French); among the near-best, prefer the code page such texts are nearly always in.
    near = [match for match in results if match.chaos <= best.chaos + 0.1]
    for preferred in _PREFERRED:
        if any(preferred in match.could_be_from_charset for match in near):
            chosen = preferred
            break
    codec = codecs.lookup(chosen).name
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise errors.DocumentError(
            f"{name} looks like {codec} text but has an undecodable byte at offset {exc.start}; "
            "use Reopen with encoding... or save it as UTF-8"
        ) from None
    return _checked(text, name), codec


def _checked(text: str, name: str) -> str:
    if "\x00" in text:
        raise errors.DocumentError(f"{name} looks like a binary file, not an article (it contains NUL bytes)")
    return text
