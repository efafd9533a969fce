import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import clean_upload, make_renditions, open_checked
from articles.models import Article
from tests.html import parse_html

from tests.conftest import NO_CORRECTIONS  # noqa: E402

pytestmark = pytest.mark.django_db


def image_file(fmt="JPEG", size=(1200, 800), name="photo.jpg", mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("fmt, name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp"), ("GIF", "a.gif")])
def test_accepted_formats(fmt, name):
    cleaned = clean_upload(image_file(fmt, (300, 200), name, mode="RGB" if fmt != "GIF" else "P"))
    assert Image.open(cleaned).format == fmt


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("fake.jpg", b"this is text, not a photo" * 20), "not an image"),
        (SimpleUploadedFile("logo.jpg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "SVG"),
        (image_file("BMP", (50, 50), "old.bmp"), "BMP images are not accepted"),
        (image_file("PNG", (9000, 5000), "huge.png", mode="1"), "megapixels"),
    ],
    ids=["renamed-text", "svg", "bmp", "too-many-pixels"],
)
def test_refused_uploads_say_why(upload, message):
    with pytest.raises(ValidationError, match=message):
        open_checked(upload)


def test_decompression_bomb_is_refused(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10**10  # let Pillow's own bomb check speak
    with pytest.raises(ValidationError, match="decompression bomb"):
        open_checked(image_file("PNG", (20000, 10000), "bomb.png", mode="1"))


def test_oversized_file_is_refused(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is"):
        open_checked(image_file("PNG", (400, 400), "big.png"))


def test_exif_and_gps_are_stripped():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    upload = image_file("JPEG", (640, 480), "gps.jpg", exif=exif.tobytes())
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(0x8825)
    upload.seek(0)
    cleaned = Image.open(clean_upload(upload))
    assert not cleaned.getexif()
    assert not cleaned.getexif().get_ifd(0x8825)


def test_renditions_in_webp_and_original_format(make_article):
    article = make_article()
    article.lead_image.save("wide.jpg", clean_upload(image_file("JPEG", (2000, 1000))), save=True)
    renditions = make_renditions(article.lead_image)
    assert (renditions["width"], renditions["height"]) == (2000, 1000)
    assert [w for _, w in renditions["webp"]] == [400, 800, 1600]
    assert [w for _, w in renditions["fallback"]] == [400, 800, 1600]
    assert renditions["webp"][0][0].endswith("-400.webp") and renditions["fallback"][0][0].endswith("-400.jpg")


def test_small_images_are_never_enlarged(make_article):
    article = make_article()
    article.lead_image.save("small.png", clean_upload(image_file("PNG", (600, 300), "small.png")), save=True)
    assert [w for _, w in make_renditions(article.lead_image)["webp"]] == [400, 600]


def test_admin_upload_makes_renditions_and_srcset(staff_client, client, section):
    upload = image_file("JPEG", (1800, 1200))
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "With a picture", "slug": "with-a-picture", "standfirst": "s", "body": "b", "category": section.pk,
            "byline": "", "language": "en", "status": "published", "publish_at_0": "", "publish_at_1": "",
            "unpublish_at_0": "", "unpublish_at_1": "", "lead_image": upload, "lead_image_alt": "Harbour at dusk",
            "lead_image_caption": "", "lead_image_credit": "", **NO_CORRECTIONS, "new_tags": "",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="with-a-picture")
    staff_client.logout()
    document = parse_html(client.get(article.get_absolute_url()).content)
    picture = document.find("figure", class_="lead-image").find("picture")
    webp = picture.find("source", type="image/webp").attrs["srcset"]
    assert [part.split()[-1] for part in webp.split(", ")] == ["400w", "800w", "1600w"]
    img = picture.find("img")
    assert (img.attrs["width"], img.attrs["height"], img.attrs["alt"]) == ("1800", "1200", "Harbour at dusk")


def test_admin_refuses_a_bomb_with_a_form_error(staff_client, section, settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10**10
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "Bomb", "slug": "bomb", "standfirst": "s", "body": "b", "category": section.pk, "byline": "",
            "language": "en", "status": "draft", "publish_at_0": "", "publish_at_1": "", "unpublish_at_0": "",
            "unpublish_at_1": "", "lead_image": image_file("PNG", (20000, 10000), "bomb.png", mode="1"),
            "lead_image_alt": "x", "lead_image_caption": "", "lead_image_credit": "", **NO_CORRECTIONS, "new_tags": "",
        },
    )
    assert response.status_code == 200
    errors = parse_html(response.content).find("ul", class_="errorlist")
    assert "decompression bomb" in errors.text()
    assert not Article.objects.filter(slug="bomb").exists()


def test_admin_requires_alt_text_with_an_image(staff_client, section):
    response = staff_client.post(
        "/admin/articles/article/add/",
        {
            "title": "No alt", "slug": "no-alt", "standfirst": "s", "body": "b", "category": section.pk, "byline": "",
            "language": "en", "status": "draft", "publish_at_0": "", "publish_at_1": "", "unpublish_at_0": "",
            "unpublish_at_1": "", "lead_image": image_file(), "lead_image_alt": "", "lead_image_caption": "",
            "lead_image_credit": "", **NO_CORRECTIONS, "new_tags": "",
        },
    )
    assert response.status_code == 200
    assert "Describe the image" in parse_html(response.content).find("ul", class_="errorlist").text()
