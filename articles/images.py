"""Image uploads and renditions.

Uploads are checked with Pillow (a renamed non-image, an SVG or a decompression
bomb is refused with a clear message), re-encoded without their metadata (no
EXIF location leaves the newsroom), and lead images get resized renditions,
made once, in WebP and in their own format, for srcset.
"""

import io
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

ACCEPTED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
RENDITION_WIDTHS = (400, 800, 1600)


def _limits():
    return settings.NEWSROOM_MAX_IMAGE_BYTES, settings.NEWSROOM_MAX_IMAGE_PIXELS


def open_checked(file):
    """Open an uploaded file with Pillow, or raise ValidationError saying what is wrong with it."""
    max_bytes, max_pixels = _limits()
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"The image is {size / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB.")
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    if b"<svg" in head.lower() or head.lstrip().startswith(b"<?xml"):
        raise ValidationError("SVG images are not accepted (they can carry scripts). Upload a JPEG, PNG, WebP or GIF.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(f"{image.format or 'This'} images are not accepted. Upload a JPEG, PNG, WebP or GIF.")
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    f"The image is {width}×{height} pixels; the limit is {max_pixels / 1_000_000:.0f} megapixels."
                )
            image.verify()
            file.seek(0)
            image = Image.open(file)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image is too large when decompressed (a decompression bomb?) and was refused.")
    except ValidationError:
        raise
    except Exception:
        raise ValidationError("The file is not an image Pillow can read. Upload a JPEG, PNG, WebP or GIF.")
    return image


def clean_upload(file):
    """A checked copy of an uploaded image without EXIF, GPS or other metadata, as a ContentFile."""
    image = open_checked(file)
    fmt = image.format
    if fmt == "GIF":
        file.seek(0)
        data = file.read()  # GIFs carry no EXIF; re-encoding would drop their animation
    else:
        image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant
        data = _encode(image, fmt)
    name = PurePosixPath(getattr(file, "name", "image")).stem[:80] + ACCEPTED_FORMATS[fmt]
    return ContentFile(data, name=name)


def _encode(image, fmt):
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=82, method=4)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, fmt)
    return out.getvalue()


def make_renditions(field_file):
    """Resized copies of a stored image, widest first capped at the original width.

    Returns what the templates need: {"width", "height", "webp": [(url, w)], "fallback": [(url, w)]}.
    """
    field_file.open("rb")
    try:
        image = Image.open(field_file)
        image.load()
    finally:
        field_file.close()
    fmt = image.format if image.format in ACCEPTED_FORMATS else "JPEG"
    width, height = image.size
    widths = sorted({w for w in RENDITION_WIDTHS if w < width} | {min(width, RENDITION_WIDTHS[-1])})
    stem = PurePosixPath(field_file.name)
    base = f"renditions/{stem.parent}/{stem.stem}"
    result = {"width": width, "height": height, "webp": [], "fallback": []}
    for w in widths:
        h = round(height * w / width)
        resized = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").resize((w, h), Image.LANCZOS)
        for kind, out_fmt in (("webp", "WEBP"), ("fallback", fmt if fmt != "GIF" else "PNG")):
            frame = resized if out_fmt != "JPEG" else resized.convert("RGB")
            name = default_storage.save(f"{base}-{w}{ACCEPTED_FORMATS[out_fmt]}", ContentFile(_encode(frame, out_fmt)))
            result[kind].append([default_storage.url(name), w])
    return result


def update_renditions(article):
    """Make (or clear) the lead image's renditions after the image changed."""
    article.lead_image_renditions = make_renditions(article.lead_image) if article.lead_image else {}
    type(article).objects.filter(pk=article.pk).update(lead_image_renditions=article.lead_image_renditions)
