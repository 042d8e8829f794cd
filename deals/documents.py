"""Contract documents: accept only real PDF and DOCX files (and, for the contract itself,
plain UTF-8 text), checked by their content."""

from __future__ import annotations

import hashlib
import zipfile

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

DOCX_PARTS = {"[Content_Types].xml", "word/document.xml"}
# A contract as plain text: a 300-page contract is well under 1 MB of text.
TEXT_MAX_BYTES = 2 * 1024 * 1024


def sniff_kind(upload: UploadedFile) -> str | None:
    """'pdf' or 'docx' judged by the bytes, never by the name or the browser's type."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        finally:
            upload.seek(0)
        if names >= DOCX_PARTS:
            return "docx"
    return None


def is_plain_text(upload: UploadedFile) -> bool:
    """UTF-8 text, judged by every byte: it decodes strictly, holds no NUL and no control
    character but tab, line and page breaks. (Call after the size is checked.)"""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" or c == "\x7f" for c in text)


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class ContractDocumentForm(forms.Form):
    file = forms.FileField(label="Contract document (PDF or DOCX, up to 20 MB)")
    # Plain text only where a subclass says so (the contract on the deal page); evidence
    # and notices stay PDF or DOCX.
    accept_text = False

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        limit = settings.CONTRACT_DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; the limit is {limit // 1048576} MB."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        kind = sniff_kind(upload)
        if kind is None and self.accept_text and upload.name.lower().endswith(".txt"):
            if upload.size > TEXT_MAX_BYTES:
                raise forms.ValidationError(
                    f"The text file is {upload.size / 1048576:.1f} MB; the limit for plain "
                    f"text is {TEXT_MAX_BYTES // 1048576} MB."
                )
            if not is_plain_text(upload):
                raise forms.ValidationError("The file ends in .txt but is not plain UTF-8 text.")
            kind = "txt"
        if kind is None:
            raise forms.ValidationError(
                "Only PDF, Word (DOCX) and plain-text documents can be attached."
                if self.accept_text
                else "Only PDF and Word (DOCX) documents can be attached."
            )
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension != kind:
            raise forms.ValidationError(
                f"The file's content is {kind.upper()} but its name ends in .{extension or '(nothing)'}."
            )
        upload.kind = kind
        return upload


class ContractUploadForm(ContractDocumentForm):
    """The deal page's contract upload: a signed contract may also come as plain text."""

    file = forms.FileField(label="Contract document (PDF, DOCX or plain text, up to 20 MB)")
    accept_text = True
