from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("stakeholders.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("partnerships.urls")),
    path("", include("deals.urls")),
    path("", include("metrics.urls")),
    path("", include("notifications.urls")),
]
