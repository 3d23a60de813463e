"""Uploaded files are never served as something a browser runs (OWASP ASVS V12.5): typed by
their bytes, HTML/SVG/script only as downloads of bytes, always nosniff and sandboxed."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from qiaolian.core.downloads import FILE_CSP, OCTET_STREAM, decide_content_type, sniff_content_type

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00", "video/quicktime"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (HTML, OCTET_STREAM),
        (SVG, OCTET_STREAM),
        (b'<?xml version="1.0"?><svg/>', OCTET_STREAM),
        (b"alert(1)", OCTET_STREAM),
        (b"PK\x03\x04", OCTET_STREAM),
        (b"", OCTET_STREAM),
    ],
)
def test_the_type_comes_from_the_bytes(head, expected):
    assert sniff_content_type(head) == expected


def test_a_claim_or_a_name_that_a_browser_would_run_makes_it_bytes():
    assert decide_content_type("image/png", claimed="text/html") == OCTET_STREAM
    assert decide_content_type("image/png", filename="x.svg") == OCTET_STREAM
    assert decide_content_type("image/png", filename="x.html") == OCTET_STREAM
    assert decide_content_type("image/png", filename="x.js") == OCTET_STREAM
    assert decide_content_type("image/png", claimed="image/png", filename="photo.png") == "image/png"
    # a harmless wrong claim does not make HTML an image
    assert decide_content_type(OCTET_STREAM, claimed="image/jpeg", filename="photo.jpg") == OCTET_STREAM


def assert_download_of_bytes(response):
    assert response.status_code == 200
    assert response["Content-Type"] == OCTET_STREAM
    assert not response["Content-Type"].startswith("text/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP


@pytest.fixture
def activity_records(jinshan):
    from qiaolian.activities.tests.matrix import records

    return records(jinshan, jinshan.zhujing, "朱泾", jinshan.user("admin"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.jpg", HTML), ("page.html", HTML), ("logo.svg", SVG), ("page.html", png_bytes()), ("x.xml", SVG)],
)
def test_an_activity_attachment_of_html_is_a_download_of_bytes(client, jinshan, activity_records, name, content):
    from qiaolian.activities import services

    attachment = services.attachment_add(
        actor=jinshan.user("admin"),
        activity=activity_records["activity"],
        file=SimpleUploadedFile(name, content, "text/html"),
    )
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("activities:attachment_file", args=[attachment.pk]))
    assert_download_of_bytes(response)
    assert b"".join(response.streaming_content) == content


@pytest.mark.django_db
def test_a_pdf_attachment_keeps_its_type_but_is_still_a_download(client, jinshan, activity_records):
    client.force_login(jinshan.user("zhujing"))
    response = client.get(reverse("activities:attachment_file", args=[activity_records["attachment"].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_case_attachment_named_jpg_holding_html_is_a_download_of_bytes(client, jinshan):
    from qiaolian.casework import services
    from qiaolian.casework.tests.matrix import records

    case = records(jinshan, jinshan.zhujing, "朱泾", jinshan.user("admin"))["case"]
    attachment = services.attachment_add(
        actor=jinshan.user("admin"), case=case, file=SimpleUploadedFile("photo.jpg", HTML, "image/jpeg")
    )
    client.force_login(jinshan.user("admin"))
    assert_download_of_bytes(client.get(reverse("casework:attachment_file", args=[attachment.pk])))


@pytest.mark.django_db
def test_a_photo_is_shown_in_place_only_while_its_bytes_are_an_image(client, jinshan, activity_records):
    photo = activity_records["photo"]
    client.force_login(jinshan.user("zhujing"))
    url = reverse("activities:photo_file", args=[photo.pk])
    shown = client.get(url)
    assert shown["Content-Type"] in ("image/jpeg", "image/png", "image/webp")
    assert shown["Content-Disposition"] == "inline"
    assert shown["X-Content-Type-Options"] == "nosniff" and shown["Content-Security-Policy"] == FILE_CSP
    # the stored file replaced by HTML (a tampered store, or a polyglot that slipped through)
    storage, name = photo.image.storage, photo.image.name
    storage.delete(name)
    storage.save(name, ContentFile(HTML))
    assert_download_of_bytes(client.get(url))


@pytest.mark.parametrize(
    ("name", "content"), [("photo.jpg", HTML), ("logo.svg", SVG), ("photo.png", b"\x89PNG\r\n\x1a\n" + HTML)]
)
def test_image_fields_refuse_html_or_svg_disguised_as_images(name, content):
    from qiaolian.activities.forms import PhotoForm

    form = PhotoForm(data={}, files={"image": SimpleUploadedFile(name, content, "image/jpeg")})
    assert not form.is_valid()
    assert "image" in form.errors
