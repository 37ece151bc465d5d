import pytest

from domain.errors import MediaRejected
from domain.media import MediaKind, check_media, kind_for_mime

DOCUMENT_TYPES = [
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
]

ACCEPTED = (
    [(MediaKind.IMAGE, mime) for mime in ("image/jpeg", "image/png")]
    + [(MediaKind.VIDEO, mime) for mime in ("video/mp4", "video/3gpp")]
    + [(MediaKind.AUDIO, mime) for mime in ("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg")]
    + [(MediaKind.DOCUMENT, mime) for mime in DOCUMENT_TYPES]
    + [(MediaKind.STICKER, "image/webp")]
)


@pytest.mark.parametrize(("kind", "mime_type"), ACCEPTED)
def test_accepts_every_type_meta_lists_for_its_kind(kind: MediaKind, mime_type: str) -> None:
    check_media(kind, mime_type, 1)


@pytest.mark.parametrize(("kind", "mime_type"), ACCEPTED)
def test_each_accepted_type_maps_to_its_one_kind(kind: MediaKind, mime_type: str) -> None:
    assert kind_for_mime(mime_type) is kind


def test_webp_is_a_sticker_and_never_an_image() -> None:
    with pytest.raises(MediaRejected, match=r"^image/webp is not an image type WhatsApp accepts \(image/jpeg, image/png\)$"):
        check_media(MediaKind.IMAGE, "image/webp", 1)


@pytest.mark.parametrize(
    ("kind", "mime_type", "message"),
    [
        (MediaKind.IMAGE, "image/gif", "image/gif is not an image type WhatsApp accepts (image/jpeg, image/png)"),
        (MediaKind.VIDEO, "video/quicktime", "video/quicktime is not a video type WhatsApp accepts (video/mp4, video/3gpp)"),
        (MediaKind.AUDIO, "audio/wav", "audio/wav is not an audio type WhatsApp accepts (audio/aac, audio/amr, audio/mpeg"),
        (MediaKind.DOCUMENT, "application/zip", "application/zip is not a document type WhatsApp accepts (text/plain, application/pdf"),
        (MediaKind.STICKER, "image/png", "image/png is not a sticker type WhatsApp accepts (image/webp)"),
        (MediaKind.VIDEO, "audio/mp4", "audio/mp4 is not a video type"),
    ],
)
def test_refuses_a_type_outside_its_kind_and_lists_the_accepted_ones(kind: MediaKind, mime_type: str, message: str) -> None:
    with pytest.raises(MediaRejected) as refusal:
        check_media(kind, mime_type, 1)

    assert str(refusal.value).startswith(message)


@pytest.mark.parametrize("mime_type", ["IMAGE/JPEG", " image/jpeg ", "image/jpeg; charset=binary", "Image/Png;q=1"])
def test_mime_case_whitespace_and_parameters_are_normalised(mime_type: str) -> None:
    check_media(MediaKind.IMAGE, mime_type, 1)
    assert kind_for_mime(mime_type) is MediaKind.IMAGE


@pytest.mark.parametrize("mime_type", ["audio/ogg", "audio/ogg; codecs=opus", 'audio/ogg;codecs="opus"', "AUDIO/OGG; CODECS=OPUS"])
def test_ogg_audio_is_accepted_as_opus(mime_type: str) -> None:
    check_media(MediaKind.AUDIO, mime_type, 1)
    assert kind_for_mime(mime_type) is MediaKind.AUDIO


def test_ogg_audio_in_another_codec_is_refused() -> None:
    with pytest.raises(MediaRejected, match=r"^audio/ogg with codecs=vorbis is not accepted; WhatsApp plays Ogg audio only with the OPUS codec$"):
        check_media(MediaKind.AUDIO, "audio/ogg; codecs=vorbis", 1)


# Meta's "MB" and "KB" are read as decimal, the stricter reading (see domain.media).
@pytest.mark.parametrize(
    ("kind", "mime_type", "limit", "over_message"),
    [
        (MediaKind.IMAGE, "image/jpeg", 5_000_000, "image is 5.1 MB; WhatsApp allows at most 5 MB"),
        (MediaKind.VIDEO, "video/mp4", 16_000_000, "video is 16.1 MB; WhatsApp allows at most 16 MB"),
        (MediaKind.AUDIO, "audio/mpeg", 16_000_000, "audio is 16.1 MB; WhatsApp allows at most 16 MB"),
        (MediaKind.DOCUMENT, "application/pdf", 100_000_000, "document is 100.1 MB; WhatsApp allows at most 100 MB"),
        (MediaKind.STICKER, "image/webp", 500_000, "sticker is 500.1 KB; WhatsApp allows at most 500 KB"),
    ],
)
def test_size_is_accepted_at_the_limit_and_refused_a_byte_over(
    kind: MediaKind, mime_type: str, limit: int, over_message: str
) -> None:
    check_media(kind, mime_type, limit)

    with pytest.raises(MediaRejected) as refusal:
        check_media(kind, mime_type, limit + 1)

    assert str(refusal.value) == over_message


def test_size_is_reported_to_a_tenth_in_the_limits_unit() -> None:
    with pytest.raises(MediaRejected, match=r"^video is 17\.2 MB; WhatsApp allows at most 16 MB$"):
        check_media(MediaKind.VIDEO, "video/mp4", 17_200_000)


def test_a_static_sticker_over_100_kb_is_left_for_meta_because_animation_is_unknown_at_upload() -> None:
    check_media(MediaKind.STICKER, "image/webp", 400_000)


@pytest.mark.parametrize("size", [0, -1])
def test_an_empty_file_is_refused(size: int) -> None:
    with pytest.raises(MediaRejected, match=rf"^the document file is empty \({size} bytes\); WhatsApp refuses empty media$"):
        check_media(MediaKind.DOCUMENT, "application/pdf", size)


def test_a_wrong_type_is_reported_before_the_size() -> None:
    with pytest.raises(MediaRejected, match=r"^image/gif is not an image type"):
        check_media(MediaKind.IMAGE, "image/gif", 50_000_000)


@pytest.mark.parametrize("mime_type", ["application/zip", "image/gif", "", "video/quicktime; codecs=avc1"])
def test_kind_for_an_unknown_type_is_refused_with_the_accepted_list(mime_type: str) -> None:
    with pytest.raises(MediaRejected) as refusal:
        kind_for_mime(mime_type)

    assert "is not a media type WhatsApp accepts (image/jpeg, image/png, video/mp4" in str(refusal.value)
    assert "image/webp)" in str(refusal.value)
