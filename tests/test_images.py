import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import GifImagePlugin, Image, ImageSequence, PngImagePlugin

from articles.images import clean_upload, crop_box, open_checked
from articles.models import Article
from articles.models import Image as ImageModel
from tests.html import parse_html

from tests.conftest import NO_CORRECTIONS  # noqa: E402

pytestmark = pytest.mark.django_db


def image_file(fmt="JPEG", size=(1200, 800), name="photo.jpg", mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


SECRET = b"secret-marker"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description>" + SECRET + b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)
ICC = b"not-really-a-colour-profile " + SECRET
METADATA_KEYS = {"comment", "exif", "xmp", "icc_profile", "Comment", "XML:com.adobe.xmp"}
COLOURS = ((255, 0, 0), (0, 128, 0), (0, 0, 255), (255, 255, 0))
ANIMATED = {"GIF": ".gif", "WEBP": ".webp", "PNG": ".png"}


def gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker " + SECRET.decode()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    return exif.tobytes()


def png_text():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    return info


def animation(fmt="GIF", frames=3, size=(60, 40), **save):
    """Bytes of an animation whose frames are solid COLOURS, 100 ms, 200 ms, ... long, looping forever."""
    images = [Image.new("RGB", size, COLOURS[i % len(COLOURS)]) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer, fmt, save_all=True, append_images=images[1:], duration=[100 * (i + 1) for i in range(frames)], loop=0, **save
    )
    return buffer.getvalue()


def stored(upload):
    """The bytes clean_upload would store, and Pillow's reading of them."""
    data = clean_upload(upload).read()
    return data, Image.open(io.BytesIO(data))


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


def test_renditions_in_webp_and_original_format(library_image):
    renditions = library_image(size=(2000, 1000)).renditions
    assert (renditions["width"], renditions["height"]) == (2000, 1000)
    assert [w for _, w in renditions["webp"]] == [400, 800, 1600]
    assert [w for _, w in renditions["fallback"]] == [400, 800, 1600]
    assert renditions["webp"][0][0].endswith("-400.webp") and renditions["fallback"][0][0].endswith("-400.jpg")


def test_small_images_are_never_enlarged(library_image):
    image = library_image(size=(600, 300))
    assert [w for _, w in image.renditions["webp"]] == [400, 600]
    assert image.renditions["crops"]["16:9"]["width"] <= 600


def stored_picture(url):
    from django.core.files.storage import default_storage

    with default_storage.open(url.removeprefix(default_storage.base_url)) as handle:
        return Image.open(io.BytesIO(handle.read()))


@pytest.mark.parametrize("ratio, expected", [("16:9", (1200, 675)), ("4:3", (1200, 900)), ("1:1", (1000, 1000))])
def test_fixed_ratio_crops_have_their_ratio(library_image, ratio, expected):
    crop = library_image(size=(2400, 1000)).renditions["crops"][ratio]
    assert (crop["width"], crop["height"]) == expected
    assert stored_picture(crop["url"]).size == expected


@pytest.mark.parametrize(
    "size, ratio, focal, box",
    [
        ((2000, 1000), (1, 1), (0.5, 0.5), (500, 0, 1500, 1000)),
        ((2000, 1000), (1, 1), (0.9, 0.5), (1000, 0, 2000, 1000)),  # pushed against the right edge
        ((2000, 1000), (1, 1), (0.0, 0.5), (0, 0, 1000, 1000)),
        ((1000, 2000), (16, 9), (0.5, 0.1), (0, 0, 1000, 562)),  # a face near the top of a tall picture
        ((1000, 2000), (16, 9), (0.5, 0.5), (0, 719, 1000, 1281)),
        ((1600, 900), (16, 9), (0.2, 0.8), (0, 0, 1600, 900)),  # already the ratio: the whole picture
    ],
)
def test_crops_keep_the_focal_point_as_central_as_the_edges_allow(size, ratio, focal, box):
    assert crop_box(*size, ratio, *focal) == box


def red_dot_picture(size, dot):
    """A white picture with a red square at ``dot`` (fractions): where the focal point should be."""
    picture = Image.new("RGB", size, "white")
    x, y = round(dot[0] * size[0]), round(dot[1] * size[1])
    picture.paste((255, 0, 0), (x - 20, y - 20, x + 20, y + 20))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return SimpleUploadedFile("dot.png", buffer.getvalue())


def test_moving_the_focal_point_in_the_admin_remakes_the_crops_around_it(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    upload = red_dot_picture((3000, 1000), (0.9, 0.5))
    response = staff_client.post("/admin/articles/image/add/", {
        "file": upload, "alt": "A red dot", "caption": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5"})
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    image = ImageModel.objects.get(alt="A red dot")
    square = stored_picture(image.renditions["crops"]["1:1"]["url"]).convert("RGB")
    assert (255, 0, 0) not in {square.getpixel((x, 500)) for x in range(0, 1000, 10)}  # centred: no dot
    webp_before = image.renditions["webp"]
    response = staff_client.post(f"/admin/articles/image/{image.pk}/change/", {
        "alt": "A red dot", "caption": "", "credit": "", "focal_x": "0.9", "focal_y": "0.5"})
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    image.refresh_from_db()
    square = stored_picture(image.renditions["crops"]["1:1"]["url"]).convert("RGB")
    assert (255, 0, 0) in {square.getpixel((x, 500)) for x in range(0, 1000, 10)}
    assert image.renditions["webp"] == webp_before  # free-width copies do not depend on the focal point


def test_image_upload_through_the_library_makes_renditions_and_the_article_shows_them(
    staff_client, client, section, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    response = staff_client.post("/admin/articles/image/add/", {
        "file": image_file("JPEG", (1800, 1200)), "alt": "Harbour at dusk", "caption": "The port of Ningbo.",
        "credit": "Wire photo", "focal_x": "0.5", "focal_y": "0.5"})
    assert response.status_code == 302
    image = ImageModel.objects.get(alt="Harbour at dusk")
    response = staff_client.post("/admin/articles/article/add/", {
        "title": "With a picture", "slug": "with-a-picture", "standfirst": "s", "body": "b", "category": section.pk,
        "byline": "", "language": "en", "status": "published", "publish_at_0": "", "publish_at_1": "",
        "unpublish_at_0": "", "unpublish_at_1": "", "lead_image": image.pk, **NO_CORRECTIONS, "new_tags": "",
    })
    assert response.status_code == 302, parse_html(response.content).find("ul", class_="errorlist")
    article = Article.objects.get(slug="with-a-picture")
    staff_client.logout()
    document = parse_html(client.get(article.get_absolute_url()).content)
    figure = document.find("figure", class_="lead-image")
    webp = figure.find("source", type="image/webp").attrs["srcset"]
    assert [part.split()[-1] for part in webp.split(", ")] == ["400w", "800w", "1600w"]
    img = figure.find("img")
    assert (img.attrs["width"], img.attrs["height"], img.attrs["alt"]) == ("1800", "1200", "Harbour at dusk")
    assert "loading" not in img.attrs  # the lead image is at the top: loaded at once
    assert figure.find("figcaption").text() == "The port of Ningbo. Wire photo"
    og = {m.attrs["property"]: m.attrs["content"] for m in document.find_all("meta") if "property" in m.attrs}
    assert og["og:image"].endswith(image.renditions["crops"]["16:9"]["url"])
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "675")


def test_the_library_refuses_a_bomb_with_a_form_error(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10**10
    response = staff_client.post("/admin/articles/image/add/", {
        "file": image_file("PNG", (20000, 10000), "bomb.png", mode="1"), "alt": "x", "caption": "", "credit": "",
        "focal_x": "0.5", "focal_y": "0.5"})
    assert response.status_code == 200
    errors = parse_html(response.content).find("ul", class_="errorlist")
    assert "decompression bomb" in errors.text()
    assert not ImageModel.objects.exists()


def test_the_library_requires_alt_text(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    response = staff_client.post("/admin/articles/image/add/", {
        "file": image_file(), "alt": "", "caption": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5"})
    assert response.status_code == 200
    assert parse_html(response.content).find("ul", class_="errorlist") is not None
    assert not ImageModel.objects.exists()


@pytest.mark.parametrize(
    "fmt, name, mode, save",
    [
        ("JPEG", "a.jpg", "RGB", lambda: {"comment": SECRET, "exif": gps_exif(), "xmp": XMP, "icc_profile": ICC}),
        ("PNG", "a.png", "RGB", lambda: {"pnginfo": png_text(), "exif": gps_exif(), "icc_profile": ICC}),
        ("WEBP", "a.webp", "RGB", lambda: {"exif": gps_exif(), "xmp": XMP, "icc_profile": ICC}),
        ("GIF", "a.gif", "P", lambda: {"comment": SECRET}),
    ],
    ids=["jpeg", "png", "webp", "gif"],
)
def test_no_metadata_from_the_upload_is_stored(fmt, name, mode, save):
    upload = image_file(fmt, (64, 48), name, mode=mode, **save())
    assert SECRET in upload.read()
    upload.seek(0)
    data, image = stored(upload)
    assert image.format == fmt
    assert SECRET not in data
    assert not METADATA_KEYS & set(image.info)
    assert not image.getexif()


def test_jpeg_comment_and_gps_are_not_stored():
    data, image = stored(image_file("JPEG", (640, 480), "gps.jpg", comment=b"secret", exif=gps_exif()))
    assert b"secret" not in data
    assert "comment" not in image.info and "exif" not in image.info
    assert not image.getexif().get_ifd(0x8825)


def test_bytes_after_a_gifs_trailer_are_not_stored():
    gif = image_file("GIF", (64, 48), "a.gif", mode="P", comment=b"secret").read()
    assert gif.endswith(b"\x3b")
    upload = SimpleUploadedFile("a.gif", gif + b"<script>alert(1)</script>")
    data, image = stored(upload)
    assert b"<script>" not in data and b"alert(1)" not in data
    assert b"secret" not in data and "comment" not in image.info
    assert data.endswith(b"\x3b")


@pytest.mark.parametrize("fmt", ANIMATED)
def test_an_animation_over_the_total_pixel_limit_is_refused(settings, fmt):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000
    upload = SimpleUploadedFile("anim" + ANIMATED[fmt], animation(fmt, frames=6, size=(50, 40)))
    with pytest.raises(ValidationError, match=r"6 frames of 50×40 pixels, 12,000 pixels in all; the limit is 10,000 pixels"):
        open_checked(upload)
    assert open_checked(SimpleUploadedFile("anim" + ANIMATED[fmt], animation(fmt, frames=5, size=(50, 40)))).n_frames == 5


def test_the_total_pixel_limit_is_checked_before_frames_are_decoded(settings, monkeypatch):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000
    upload = SimpleUploadedFile("anim.gif", animation("GIF", frames=6, size=(50, 40)))
    decoded = []
    original = GifImagePlugin.GifImageFile.seek
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "seek", lambda image, frame: decoded.append(frame) or original(image, frame))
    with pytest.raises(ValidationError, match="6 frames"):
        open_checked(upload)
    assert not [frame for frame in decoded if frame > 0]


@pytest.mark.parametrize("fmt", ANIMATED)
def test_an_animation_within_the_limit_keeps_its_frames_durations_and_loop_only(settings, fmt):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000
    save = {"comment": SECRET} if fmt == "GIF" else {"exif": gps_exif()}
    upload = SimpleUploadedFile("anim" + ANIMATED[fmt], animation(fmt, frames=4, size=(50, 40), **save) + b"<script>")
    data, image = stored(upload)
    assert SECRET not in data and b"<script>" not in data
    assert (image.format, image.n_frames, image.info.get("loop")) == (fmt, 4, 0)
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        frame.load()
        assert frame.info["duration"] == 100 * (index + 1)
        assert not METADATA_KEYS & set(frame.info)
        pixel = frame.convert("RGB").getpixel((25, 20))
        assert all(abs(got - want) <= 8 for got, want in zip(pixel, COLOURS[index])), (index, pixel)


def moving_square(fmt):
    """Bytes of a 3-frame animation of a square moving over a transparent background."""
    frames = []
    for i in range(3):
        frame = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
        frame.paste(COLOURS[i % 2] + (255,), (i * 10, 5, i * 10 + 10, 15))
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=[50, 60, 70], disposal=2)
    return buffer.getvalue()


def rendered_frames(data):
    return [frame.convert("RGBA").tobytes() for frame in ImageSequence.Iterator(Image.open(io.BytesIO(data)))]


@pytest.mark.parametrize("fmt", ["GIF", "PNG"])
def test_a_transparent_animation_looks_the_same_after_re_encoding(fmt):
    original = moving_square(fmt)
    data, image = stored(SimpleUploadedFile("square" + ANIMATED[fmt], original))
    assert image.n_frames == 3
    assert rendered_frames(data) == rendered_frames(original)


def test_an_animation_with_a_damaged_frame_is_refused_with_a_form_error():
    noise = [Image.effect_noise((60, 40), 60 + 10 * i).convert("RGB") for i in range(3)]
    buffer = io.BytesIO()
    noise[0].save(buffer, "GIF", save_all=True, append_images=noise[1:], duration=100)
    upload = SimpleUploadedFile("cut.gif", buffer.getvalue()[: buffer.tell() * 3 // 4])
    with pytest.raises(ValidationError, match="cannot be read"):
        clean_upload(upload)
