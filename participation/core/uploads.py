"""Uploaded images: checked by content, size-limited, re-encoded without metadata."""

from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
# Decompression bombs: refuse images with more pixels than this before decoding them.
MAX_PIXELS = 40_000_000


class UploadError(ValueError):
    """The file cannot be used; ``str(error)`` is a translated message for the person."""


def upload_folder(subfolder: str) -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / subfolder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_image(
    upload: FileStorage, subfolder: str, max_bytes: int, max_side: int, prefix: str = ""
) -> str:
    """Check ``upload`` is a PNG, JPEG or WebP image and store a clean copy.

    The copy is decoded and encoded again, which drops EXIF (with any GPS position)
    and anything hidden after the image data. Returns the stored file name.
    """
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(
            _("The file is larger than %(size)d kB. Choose a smaller one.", size=max_bytes // 1024)
        )
    if not data:
        raise UploadError(_("The file is empty."))
    try:
        with Image.open(BytesIO(data)) as probe:
            image_format = probe.format
            if image_format not in ALLOWED_FORMATS:
                raise UploadError(_("Upload a PNG, JPEG or WebP image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadError(_("The image has too many pixels."))
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            mode = "RGB" if image_format == "JPEG" else "RGBA"
            # A fresh image carries pixels only: no EXIF, GPS, comments or trailing data.
            clean = Image.new(mode, image.size)
            clean.paste(image.convert(mode))
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadError(_("This file is not an image we can read.")) from error
    extension = ALLOWED_FORMATS[image_format]
    name = f"{prefix}{secrets.token_hex(8)}.{extension}"
    clean.save(upload_folder(subfolder) / name, format=image_format)
    return name


def remove_file(subfolder: str, name: str | None) -> None:
    if name:
        (upload_folder(subfolder) / Path(name).name).unlink(missing_ok=True)


def thumbnail(subfolder: str, name: str, side: int) -> str:
    """A smaller JPEG or PNG copy of a stored image, for lists; returns its file name."""
    folder = upload_folder(subfolder)
    stem, extension = name.rsplit(".", 1)
    thumb_name = f"{stem}-thumb.{extension}"
    with Image.open(folder / name) as image:
        image.thumbnail((side, side))
        image.save(folder / thumb_name, format=image.format or "PNG")
    return thumb_name
