"""Files citizens and staff upload: checked for what they really are, stored once by content.

A file's type is read from its first bytes and, for images, by decoding it with
Pillow; the name and the browser's declared type are never trusted, so a
script renamed ``photo.jpg`` is refused and a stored file is always served
with the type it really has.
"""
from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import unquote

from PIL import Image

from tracking.actions import InvalidInput

MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a phone photo; the whole request is capped at 10 MB anyway
MAX_SCAN_BYTES = 20 * 1024 * 1024  # a multi-page letter scanned to PDF (batch import from disk)
MAX_IMAGE_PIXELS = 60_000_000  # about 60 megapixels: larger is a decompression bomb, not a photo

# First bytes of the file types we accept, and the type each is served as.
IMAGE_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"II*\x00", "image/tiff", ".tif"),   # scanners often write TIFF
    (b"MM\x00*", "image/tiff", ".tif"),
]
PDF_SIGNATURE = (b"%PDF-", "application/pdf", ".pdf")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/tiff": ".tif",
              "image/webp": ".webp", "application/pdf": ".pdf"}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    stored_path: str  # relative to the upload folder
    content_type: str
    size: int


def sniff_image(data: bytes) -> str | None:
    """The image type of ``data`` if it decodes as an image we accept, else None."""
    kind = None
    for signature, content_type, _ in IMAGE_SIGNATURES:
        if data.startswith(signature):
            kind = content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    if kind is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return None
                image.verify()
    except Exception:  # Pillow raises many kinds for broken or hostile files
        return None
    return kind


def check_photo(data: bytes, filename: str = "") -> str:
    """Accept a citizen's photo; returns its real type.

    Raises:
        InvalidInput: empty, too large, or not a JPEG/PNG/GIF/WebP/TIFF picture.
    """
    if not data:
        raise InvalidInput("上传的照片是空文件")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"照片不能超过{MAX_PHOTO_BYTES // (1024 * 1024)}MB")
    kind = sniff_image(data)
    if kind is None:
        raise InvalidInput(f"“{safe_filename(filename)}”不是有效的图片（支持JPG、PNG、GIF、WebP）")
    return kind


def check_scan(data: bytes, filename: str = "") -> str:
    """Accept a letter's scan: a PDF or an image; returns its real type.

    Raises:
        InvalidInput: empty, too large, or neither a PDF nor a picture.
    """
    if not data:
        raise InvalidInput(f"扫描件“{safe_filename(filename)}”是空文件")
    if len(data) > MAX_SCAN_BYTES:
        raise InvalidInput(f"扫描件不能超过{MAX_SCAN_BYTES // (1024 * 1024)}MB")
    if data.startswith(PDF_SIGNATURE[0]):
        return PDF_SIGNATURE[1]
    kind = sniff_image(data)
    if kind is None:
        raise InvalidInput(f"扫描件“{safe_filename(filename)}”不是PDF或图片文件")
    return kind


def store_file(upload_dir: Path, data: bytes, content_type: str) -> StoredFile:
    """Write ``data`` under its SHA-256 (once: storing it again changes nothing)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = PurePath(digest[:2]) / (digest + EXTENSIONS.get(content_type, ".bin"))
    target = Path(upload_dir) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(target.suffix + f".{os.getpid()}.part")
        temporary.write_bytes(data)
        os.replace(temporary, target)  # atomic: a reader never sees half a file
    return StoredFile(digest, relative.as_posix(), content_type, len(data))


def resolve_stored(upload_dir: Path, stored_path: str) -> Path:
    """The absolute path of a stored file, refusing anything outside the upload folder."""
    root = Path(upload_dir).resolve()
    path = (root / stored_path).resolve()
    if root not in path.parents:
        raise InvalidInput("附件路径无效")
    return path


def safe_filename(name: str | None) -> str:
    """The last part of a client-given file name, shortened, for display and the database.

    Percent-escapes are decoded: some clients (aiohttp, curl scripts) send non-ASCII names that way.
    """
    base = PurePath(unquote(str(name or "")).replace("\\", "/")).name.strip()
    return (base or "附件")[:200]
