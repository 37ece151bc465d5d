"""The media WhatsApp accepts, by kind, MIME type and size, checked before a file ever reaches Meta.

Meta writes sizes as "5 MB" and "500 KB" without saying whether it means powers of ten or of two.
We read them as decimal (1 MB = 1,000,000 bytes, 1 KB = 1,000 bytes): the stricter reading, so a
file accepted here is accepted under either. The cost is refusing the rare file that sits between
the two readings (e.g. 5,000,001 to 5,242,880 bytes for an image), which is far better than Meta
failing the message later with 131053.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from domain.errors import MediaRejected

KB: Final = 1_000
MB: Final = 1_000_000


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    STICKER = "sticker"


ACCEPTED_MIME_TYPES: Final[Mapping[MediaKind, tuple[str, ...]]] = MappingProxyType(
    {
        MediaKind.IMAGE: ("image/jpeg", "image/png"),
        MediaKind.VIDEO: ("video/mp4", "video/3gpp"),
        MediaKind.AUDIO: ("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"),
        MediaKind.DOCUMENT: (
            "text/plain",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        MediaKind.STICKER: ("image/webp",),
    }
)
"""Meta's supported media table; image/webp is a sticker only, never an image."""

MAX_BYTES: Final[Mapping[MediaKind, int]] = MappingProxyType(
    {
        MediaKind.IMAGE: 5 * MB,
        MediaKind.VIDEO: 16 * MB,
        MediaKind.AUDIO: 16 * MB,
        MediaKind.DOCUMENT: 100 * MB,
        MediaKind.STICKER: 500 * KB,
    }
)
"""Stickers get the animated limit: telling an animated WebP from a static one (100 KB) means decoding
the file, which an upload check does not do, so a static sticker over 100 KB is left for Meta to refuse."""

_KIND_OF_MIME: Final[Mapping[str, MediaKind]] = MappingProxyType(
    {mime: kind for kind, mimes in ACCEPTED_MIME_TYPES.items() for mime in mimes}
)


def check_media(kind: MediaKind, mime_type: str, size: int) -> None:
    """Refuse a file Meta would refuse as `kind`, before it is uploaded or sent."""
    essence = _essence(mime_type)
    accepted = ACCEPTED_MIME_TYPES[kind]
    if essence not in accepted:
        article = "an" if kind[0] in "aeiou" else "a"
        raise MediaRejected(f"{essence} is not {article} {kind} type WhatsApp accepts ({', '.join(accepted)})")
    if size < 1:
        raise MediaRejected(f"the {kind} file is empty ({size} bytes); WhatsApp refuses empty media")
    limit = MAX_BYTES[kind]
    if size > limit:
        unit, name = _unit(limit)
        raise MediaRejected(f"{kind} is {_tenths_up(size, unit)} {name}; WhatsApp allows at most {limit // unit} {name}")


def kind_for_mime(mime_type: str) -> MediaKind:
    """The one kind a MIME type can be sent as, so an upload needs no separate kind from the caller."""
    essence = _essence(mime_type)
    kind = _KIND_OF_MIME.get(essence)
    if kind is None:
        raise MediaRejected(f"{essence} is not a media type WhatsApp accepts ({', '.join(_KIND_OF_MIME)})")
    return kind


def _essence(mime_type: str) -> str:
    """Lower-case type/subtype without parameters; Ogg audio must be OPUS, so another codec is refused."""
    essence, *parameters = mime_type.lower().split(";")
    essence = essence.strip()
    codecs = dict(_parameter(text) for text in parameters).get("codecs", "opus")
    if essence == "audio/ogg" and codecs != "opus":
        raise MediaRejected(
            f"audio/ogg with codecs={codecs} is not accepted; WhatsApp plays Ogg audio only with the OPUS codec"
        )
    return essence


def _parameter(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name.strip(), value.strip().strip('"')


def _unit(limit: int) -> tuple[int, str]:
    return (MB, "MB") if limit % MB == 0 else (KB, "KB")


def _tenths_up(size: int, unit: int) -> str:
    """Rounded up, so a file a byte over the limit never reads as if it were at the limit."""
    tenths = -(-size * 10 // unit)
    return f"{tenths // 10}.{tenths % 10}"

