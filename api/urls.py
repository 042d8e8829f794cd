from django.urls import include, path

from . import views
from .service import api
from .service import urlpatterns as api_patterns

urlpatterns = [
    path("api/v1/", include((api_patterns(), "api"), namespace=api.urls_namespace)),
    path("settings/api-keys/", views.key_list, name="api_key_list"),
    path("settings/api-keys/<int:pk>/revoke/", views.key_revoke, name="api_key_revoke"),
]
