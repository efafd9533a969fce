"""Where uploaded files go."""

import uuid
from pathlib import PurePosixPath

from django.utils import timezone


def upload_path(instance, filename):
    """A name that cannot collide or climb out of MEDIA_ROOT: a UUID plus a known extension."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in {".jpg", ".jpeg", ".png", ".webp", ".gif"}:
        suffix = ".bin"
    folder = instance._meta.model_name
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"
