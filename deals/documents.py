"""Contract documents: accept only real PDF and DOCX files, checked by their content."""

from __future__ import annotations

import hashlib
import zipfile

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

DOCX_PARTS = {"[Content_Types].xml", "word/document.xml"}


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


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class ContractDocumentForm(forms.Form):
    file = forms.FileField(label="Contract document (PDF or DOCX, up to 20 MB)")

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
        if kind is None:
            raise forms.ValidationError("Only PDF and Word (DOCX) documents can be attached.")
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension != kind:
            raise forms.ValidationError(
                f"The file's content is {kind.upper()} but its name ends in .{extension or '(nothing)'}."
            )
        upload.kind = kind
        return upload
