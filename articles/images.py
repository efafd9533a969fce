"""Image uploads and renditions.

Uploads are checked with Pillow (a renamed non-image, an SVG, a decompression
bomb or an animation with too many pixels in all is refused with a clear
message), re-encoded from their pixels alone (no EXIF location, comment, XMP or
trailing payload leaves the newsroom; animations keep only their frames and
timing), and library images get renditions, made once when they are uploaded (never in
a reader's request): resized copies in WebP and in their own format for
srcset, and crops around the image's focal point for fixed ratios.
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


CROP_RATIOS = {"16:9": (16, 9), "4:3": (4, 3), "1:1": (1, 1)}  # what NewsArticle images and social cards ask for
CROP_WIDTH = 1200


def crop_box(width, height, ratio, focal_x=0.5, focal_y=0.5):
    """The largest box of ``ratio`` (w, h) inside a width × height picture, centred on the focal point
    (fractions of the width and height) as far as the picture's edges allow."""
    rw, rh = ratio
    box_w, box_h = (width, round(width * rh / rw)) if width * rh <= height * rw else (round(height * rw / rh), height)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _open_stored(field_file):
    field_file.open("rb")
    try:
        image = Image.open(field_file)
        image.load()
    finally:
        field_file.close()
    return image


def _fallback_format(image):
    """What browsers without WebP get: the upload's own format, PNG for a GIF (renditions are still pictures)."""
    fmt = image.format if image.format in ACCEPTED_FORMATS else "JPEG"
    return "PNG" if fmt == "GIF" else fmt


def _flat(image):
    return image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")


def make_renditions(field_file, focal=(0.5, 0.5)):
    """Resized copies of a stored image, made once when it is uploaded or its focal point moves.

    Free-width copies (capped at the original width) in WebP and in the
    image's own format for ``srcset``, and crops around the focal point for
    fixed ratios (16:9, 4:3, 1:1) at up to 1,200 pixels wide for social cards
    and structured data. Returns what templates need:
    ``{"width", "height", "webp": [[url, w]], "fallback": [[url, w]], "crops": {ratio: {"url", "width", "height"}}}``.
    """
    image = _open_stored(field_file)
    fallback_fmt = _fallback_format(image)
    width, height = image.size
    flat = _flat(image)
    widths = sorted({w for w in RENDITION_WIDTHS if w < width} | {min(width, RENDITION_WIDTHS[-1])})
    stem = PurePosixPath(field_file.name)
    base = f"renditions/{stem.parent}/{stem.stem}"
    result = {"width": width, "height": height, "webp": [], "fallback": [], "crops": {}}
    for w in widths:
        resized = flat.resize((w, round(height * w / width)), Image.LANCZOS)
        for kind, out_fmt in (("webp", "WEBP"), ("fallback", fallback_fmt)):
            result[kind].append([_store(resized, out_fmt, f"{base}-{w}"), w])
    result["crops"] = make_crops(flat, fallback_fmt, base, focal)
    return result


def make_crops(flat, fmt, base, focal):
    crops = {}
    for name, ratio in CROP_RATIOS.items():
        box = crop_box(*flat.size, ratio, *focal)
        cropped = flat.crop(box)
        if cropped.width > CROP_WIDTH:
            cropped = cropped.resize((CROP_WIDTH, round(cropped.height * CROP_WIDTH / cropped.width)), Image.LANCZOS)
        url = _store(cropped, fmt, f"{base}-{name.replace(':', 'x')}")
        crops[name] = {"url": url, "width": cropped.width, "height": cropped.height}
    return crops


def recrop(field_file, renditions, focal):
    """The renditions with their fixed-ratio crops made again around a new focal point."""
    image = _open_stored(field_file)
    stem = PurePosixPath(field_file.name)
    return {**renditions, "crops": make_crops(_flat(image), _fallback_format(image), f"renditions/{stem.parent}/{stem.stem}", focal)}


def _store(image, fmt, name):
    frame = image if fmt != "JPEG" else image.convert("RGB")
    stored = default_storage.save(f"{name}{ACCEPTED_FORMATS[fmt]}", ContentFile(_encode(frame, fmt)))
    return default_storage.url(stored)
