"""Image uploads and renditions.

Uploads are checked with Pillow (a renamed non-image, an SVG, a decompression
bomb or an animation with too many pixels in all is refused with a clear
message), re-encoded from their pixels alone (no EXIF location, comment, XMP or
trailing payload leaves the newsroom; animations keep only their frames and
timing), and lead images get resized renditions, made once, in WebP and in
their own format, for srcset.
"""

import io
import warnings
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, ImageSequence

ACCEPTED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
RENDITION_WIDTHS = (400, 800, 1600)
PIXEL_INFO = ("transparency",)


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
            _check_pixels(image, max_pixels)
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


def _check_pixels(image, max_pixels):
    """Refuse an image whose frames hold more pixels in all than the limit, before any frame is decoded.

    A limit on one frame is not enough: 120 frames of 4 megapixels each pass it
    and decode to 480. The frame count comes from the header (`n_frames`).
    """
    width, height = image.size
    if width * height > max_pixels:
        raise ValidationError(f"The image is {width}×{height} pixels; the limit is {_pixels(max_pixels)}.")
    frames = getattr(image, "n_frames", 1)
    if frames * width * height > max_pixels:
        raise ValidationError(
            f"The animation has {frames} frames of {width}×{height} pixels, {_pixels(frames * width * height)} in all; "
            f"the limit is {_pixels(max_pixels)}."
        )


def _pixels(count):
    return f"{round(count / 1_000_000, 1):g} megapixels" if count >= 1_000_000 else f"{count:,} pixels"


def clean_upload(file):
    """A checked copy of an uploaded image holding its pixels and nothing else, as a ContentFile.

    Every format is re-encoded, GIFs and animations too: encoders write back
    what Pillow read into `info` (a JPEG or GIF comment, a colour profile), and
    a byte-for-byte copy keeps whatever follows the image's end (an HTML
    payload, say). Animations keep their frames, durations and loop.
    """
    image = open_checked(file)
    fmt = image.format
    loop = image.info.get("loop")
    frames, durations = _read_frames(image)
    data = _encode(frames[0], fmt) if len(frames) == 1 else _encode_animation(frames, durations, loop, fmt)
    name = PurePosixPath(getattr(file, "name", "image")).stem[:80] + ACCEPTED_FORMATS[fmt]
    return ContentFile(data, name=name)


def _read_frames(image):
    """Every frame's pixels and duration, or ValidationError if one cannot be decoded.

    open_checked decodes the first frame only; a later frame can still be cut
    short or damaged, and that is the uploader's problem to hear about, not a server error.
    """
    try:
        frames, durations = zip(*_frames(image))
    except Exception:
        raise ValidationError(
            "A frame of the image cannot be read (the file is damaged or cut short). Upload a complete JPEG, PNG, WebP or GIF."
        )
    return frames, durations


def _frames(image):
    """Each frame, upright, as a pixel-only copy with its duration.

    The duration is read after the frame is loaded: the WebP reader sets it only then.
    """
    for frame in ImageSequence.Iterator(image):
        frame.load()
        yield _pixels_only(ImageOps.exif_transpose(frame)), frame.info.get("duration", 0)


def _pixels_only(frame):
    """A copy of a frame with its pixels, palette and transparency, and no other `info` from the upload.

    Pillow's encoders write much of `info` back into the file they save, so
    whatever is not part of the picture must not be there to write.
    """
    clean = frame.copy()
    clean.info = {key: frame.info[key] for key in PIXEL_INFO if key in frame.info}
    return clean


def _encode_animation(frames, durations, loop, fmt):
    """An animation in fmt from pixel-only frames: their timing and loop count are all it carries."""
    options = {"save_all": True, "append_images": list(frames[1:]), "duration": list(durations)}
    if loop is not None:
        options["loop"] = loop
    if fmt == "WEBP":
        options.update(quality=82, method=4)
    if fmt == "GIF" and any(_may_be_transparent(frame) for frame in frames):
        options["disposal"] = 2
    out = io.BytesIO()
    frames[0].save(out, fmt, **options)
    return out.getvalue()


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


def _may_be_transparent(frame):
    """True if a frame can hold see-through pixels.

    Pillow hands back each GIF frame already composited, in full. Drawn over
    the previous frame (the GIF default) its transparent pixels would show that
    frame through, so such animations are saved to clear the canvas between frames.
    """
    return frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info


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
