from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Dossier


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ("deal", "as_of", "status", "requested_by", "requested_at", "size")
    list_filter = ("status",)
    # The file itself is served only through dossier.views.dossier_download.
    exclude = ("file",)
