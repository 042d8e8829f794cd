"""A contract file (PDF, DOCX or plain text) to its text, or a sentence saying why not."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path


class UnreadableDocument(ValueError):
    """The file cannot be read as a contract; the message says why, for a person."""


MAX_BYTES = 20 * 1024 * 1024  # as contract documents (CONTRACT_DOCUMENT_MAX_MB)
# A DOCX is a zip: a small file may inflate to gigabytes. A real contract's text is
# well under this; its declared size is checked before anything is inflated.
MAX_TEXT_BYTES = 50 * 1024 * 1024

_PARAGRAPH_END = re.compile(r"</w:p>|<w:br/>|<w:cr/>")
_TAB = re.compile(r"<w:tab/>")
_TAG = re.compile(r"<[^>]+>")


def text_of(path: Path, max_bytes: int = MAX_BYTES, max_text_bytes: int = MAX_TEXT_BYTES) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableDocument(
            f"The file is {size / 1048576:.1f} MB; the limit is {max_bytes // 1048576} MB."
        )
    data = path.read_bytes()
    if data.startswith(b"%PDF-"):
        return _pdf_text(path)
    if data.startswith(b"PK\x03\x04"):
        return _docx_text(path, max_text_bytes)
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("This is neither a PDF, a Word (DOCX) document nor text.")
    return data.decode("utf-8", "replace")


def _docx_text(path: Path, max_text_bytes: int) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > max_text_bytes:
                raise UnreadableDocument(
                    f"The document's text is {info.file_size / 1048576:.0f} MB unpacked; "
                    f"the limit is {max_text_bytes // 1048576} MB."
                )
            # zipfile reads no more than the declared size, so this is bounded.
            xml = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError) as error:
        raise UnreadableDocument("This is not a Word (DOCX) document.") from error
    xml = _TAB.sub(" ", _PARAGRAPH_END.sub("\n\n", xml))
    return html.unescape(_TAG.sub("", xml))


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader  # optional: only PDFs need it
        from pypdf.errors import PdfReadError
    except ImportError as error:  # pragma: no cover
        raise UnreadableDocument("Reading PDF files needs the pypdf package.") from error
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableDocument("The PDF is password-protected: attach an unlocked copy.")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        # pypdf raises several kinds on a broken file; each means the same to a person.
        raise UnreadableDocument("The PDF is damaged and cannot be read.") from error
    if not text.strip():
        raise UnreadableDocument("The PDF has no text (a scan?): attach a text PDF or DOCX.")
    return text
