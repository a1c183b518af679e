"""Attachment files on disk: checked, hashed and stored under names we make up.

Threat: a file name is the sender's text. It is kept only as data (path parts, NUL,
CR/LF and control characters removed) and never used as a path; files live outside
``static/`` under random names and are only ever served as downloads.

Threat: a download is opened by a colleague with a double click. Only the kinds of file
people send to support are accepted (documents, images, logs and captures, archives);
everything else — programs, scripts, shortcuts, disk images (``.iso``, ``.img``),
consoles (``.msc``), HTML and SVG, macro-enabled Office files — is refused by name. An
allow-list, because the list of things Windows will run keeps growing.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from portal import settings
from portal.errors import N_, ServiceError

MAX_FILES = 10
CHUNK = 64 * 1024
# What customers and agents send to support. Keep it to formats that open in a viewer,
# not in an interpreter (no .html, .svg, .docm, .xlsm, .rtf).
ALLOWED_EXTENSIONS = frozenset({
    "pdf", "txt", "log", "csv", "tsv", "json", "xml", "yaml", "yml", "md", "ini", "conf",
    "cfg", "eml", "har", "pcap", "pcapng",
    "png", "jpg", "jpeg", "gif", "webp", "heic",
    "zip", "gz", "tgz", "tar", "7z", "bz2", "xz",
    "docx", "xlsx", "pptx", "odt", "ods", "odp",
})
REFUSED_KIND = N_("Files of this kind cannot be attached: %(name)s. Allowed are: %(kinds)s.")


@dataclass
class Upload:
    """A file as it arrived: the sender's name for it and a stream of its bytes."""

    filename: str
    stream: BinaryIO


@dataclass
class Stored:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """The sender's file name, safe to keep and show: last path part, no control chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".") or "attachment"
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:140] + dot + ext[:9]) if dot else name[:150]
    return name


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def upload_dir() -> Path:
    return Path(settings.get("UPLOAD_DIR"))


def path_of(stored_name: str) -> Path:
    """Where a stored file lives (names are ours: hex only, checked anyway)."""
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored name")
    return upload_dir() / stored_name[:2] / stored_name


def allowed(name: str) -> bool:
    """May a file of this (cleaned) name be attached?"""
    return _extension(name) in ALLOWED_EXTENSIONS


def _refused_kind(names: list[str]) -> ServiceError:
    return ServiceError(REFUSED_KIND, "attachments", name=", ".join(names),
                        kinds=", ".join(sorted(ALLOWED_EXTENSIONS)))


def check_names(uploads: list[Upload]) -> ServiceError | None:
    """Why the set of files is refused before reading any of them (None: it is not)."""
    if len(uploads) > MAX_FILES:
        return ServiceError(N_("Attach at most 10 files."), "attachments")
    refused = [name for name in (clean_filename(u.filename) for u in uploads)
               if not allowed(name)]
    return _refused_kind(refused) if refused else None


def store(uploads: list[Upload], already: int = 0) -> list[Stored]:
    """Write each file under a random name, checking the size limits as it streams.

    ``already`` is the size of files the ticket has already. On any refusal every file
    written by this call is removed again and :class:`ServiceError` names the file.
    """
    per_file = settings.get("MAX_UPLOAD_MB", 20) * 1024 * 1024
    per_ticket = settings.get("MAX_TICKET_UPLOAD_MB", 50) * 1024 * 1024
    stored: list[Stored] = []
    total = already
    try:
        for upload in uploads:
            name = clean_filename(upload.filename)
            if not allowed(name):
                raise _refused_kind([name])
            item = _write(upload.stream, name, per_file, per_ticket - total)
            stored.append(item)
            total += item.size
    except BaseException:
        discard(stored)
        raise
    return stored


def _write(stream: BinaryIO, name: str, per_file: int, room: int) -> Stored:
    stored_name = secrets.token_hex(16)
    target = path_of(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > per_file:
                    raise ServiceError(
                        N_("%(name)s is larger than %(mb)d MB, the limit for one file."),
                        "attachments", name=name, mb=per_file // (1024 * 1024))
                if size > room:
                    raise ServiceError(
                        N_("Together the files are larger than %(mb)d MB, the limit for "
                           "one ticket."), "attachments",
                        mb=settings.get("MAX_TICKET_UPLOAD_MB", 50))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Stored(name, stored_name, _content_type(name, target), size, digest.hexdigest())


_IMAGE_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
# Only images whose bytes were checked at upload may be shown inline (as thumbnails).
INLINE_IMAGES = frozenset(_IMAGE_MAGIC)


def _content_type(name: str, path: Path) -> str:
    """The type by the name's extension, but an image only if its bytes say so."""
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("image/"):
        with open(path, "rb") as fh:
            head = fh.read(16)
        magic = _IMAGE_MAGIC.get(guessed)
        if not magic or not head.startswith(magic) or (
                guessed == "image/webp" and head[8:12] != b"WEBP"):
            return "application/octet-stream"  # an SVG or a disguised file: download only
    return guessed


def discard(stored: list[Stored]) -> None:
    """Remove files whose database rows were never committed."""
    for item in stored:
        path_of(item.stored_name).unlink(missing_ok=True)
