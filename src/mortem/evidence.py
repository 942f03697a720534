"""Evidence beside a postmortem: screenshots, graphs and log excerpts in `<folder>/<id>/`.

Files are checked by their content, not their name, because a name is only a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .errors import Problem, UsageError

IMAGE_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
TEXT_SUFFIXES = {".txt", ".log", ".csv", ".json", ".md", ".yaml", ".yml"}


@dataclass(frozen=True)
class Kind:
    mime: str
    suffix: str


def sniff(data: bytes, name: str) -> Kind:
    """What a file really is: an image we render, or UTF-8 text; anything else is refused."""
    for magic, mime, suffix in IMAGE_MAGIC:
        if data.startswith(magic):
            return Kind(mime, suffix)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Kind("image/webp", ".webp")
    suffix = Path(name).suffix.lower()
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if suffix in TEXT_SUFFIXES:
                return Kind("text/plain; charset=utf-8", suffix)
            return Kind("text/plain; charset=utf-8", ".txt")
    raise UsageError(f"{name}: only images (PNG, JPEG, GIF, WebP) and UTF-8 text can be attached")


# An image bigger than this is not a screenshot or a graph, and decoding it to check it
# would take memory a request should not (a tiny PNG can hold a 20,000 x 20,000 image).
MAX_SIDE = 20_000
MAX_PIXELS = 40_000_000
# mime -> (Pillow's name of the format, ours)
FORMATS = {
    "image/png": ("PNG", "PNG"),
    "image/jpeg": ("JPEG", "JPEG"),
    "image/gif": ("GIF", "GIF"),
    "image/webp": ("WEBP", "WebP"),
}


def check_image(data: bytes, kind: Kind, name: str) -> None:
    """Refuse what only starts like an image: it must open as the format its first bytes
    claim, pass the format's own checks, have sane dimensions, and decode.

    The first bytes alone let through a file that is `GIF89a` followed by a web page,
    which a browser that guesses types (or a download) would treat as HTML.
    """
    import io

    from PIL import Image

    if kind.mime not in FORMATS:
        raise UsageError(f"{name}: only PNG, JPEG, GIF and WebP images can be attached")
    fmt, label = FORMATS[kind.mime]
    too_large = f"at most {MAX_SIDE:,} pixels a side and {MAX_PIXELS // 1_000_000} million in all"
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise UsageError(f"{name}: a {width} x {height} image has no pixels")
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise UsageError(f"{name}: a {width} x {height} image is too large: {too_large}")
            image.verify()  # checksums and chunk structure (PNG); a no-op for some formats
        # verify() leaves the image unusable: open it again to decode the pixels.
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            image.load()
    except UsageError:
        raise
    except Image.DecompressionBombError:
        raise UsageError(f"{name}: the image is too large: {too_large}") from None
    except Exception as exc:
        # Pillow's decoders report broken input as many exception types (OSError,
        # SyntaxError, EOFError, ValueError, struct.error...): all mean "not this image".
        reason = str(exc).split(" <_io.")[0] or type(exc).__name__
        raise UsageError(
            f"{name}: not a valid {label} image, though it starts like one ({reason}): "
            "upload the image file itself"
        ) from None


def safe_name(name: str, suffix: str) -> str:
    """A file name that is safe on every platform and in a URL."""
    stem = Path(name).stem.lower()
    stem = re.sub(r"[^a-z0-9._-]+", "-", stem).strip(".-_") or "evidence"
    return f"{stem[:80]}{suffix}"


def unique_path(folder: Path, name: str, data: bytes) -> Path:
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    n = 2
    while candidate.exists() and candidate.read_bytes() != data:
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# The other two ways Markdown names a file: a reference definition (`[graph]: path`) and
# raw HTML (`<img src="path">`, `<a href="path">`).
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")
HTML_SRC = re.compile(
    r"<(?:img|a|source|video)\b[^>]*?\s(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.I
)
FENCE = re.compile(r"^(```|~~~)")


def local_links(body: str) -> list[tuple[int, str]]:
    """(body line, target) of relative links outside code blocks."""
    found: list[tuple[int, str]] = []
    in_code = False
    for number, line in enumerate(body.splitlines(), start=0):
        if FENCE.match(line.lstrip()):
            in_code = not in_code
            continue
        if in_code:
            continue
        targets = [m.group(1) for m in LINK.finditer(line)]
        targets += [m.group(1) for m in HTML_SRC.finditer(line)]
        reference = REFERENCE.match(line)
        if reference:
            targets.append(reference.group(1))
        for target in targets:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/")):
                continue
            found.append((number, unquote(target.split("#")[0])))
    return found


def missing_links(body: str, body_line: int, base: Path, display: str) -> list[Problem]:
    problems = []
    for offset, target in local_links(body):
        if target and not (base / target).exists():
            problems.append(
                Problem(display, body_line + offset, "body", f"link to missing file {target}")
            )
    return problems
