from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from .health import healthz


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page says. Resolved per request: the
    # static manifest (hashed names) is read when it is there, not at import.
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("stakeholders.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("partnerships.urls")),
    path("", include("deals.urls")),
    path("", include("metrics.urls")),
    path("", include("agreements.urls")),
    path("", include("intake.urls")),
    path("", include("playbooks.urls")),
    path("", include("notifications.urls")),
    path("", include("search.urls")),
    path("", include("analytics.urls")),
    path("", include("dossier.urls")),
    path("", include("api.urls")),
    path("", include("webhooks.urls")),
]
