from django.urls import path

from . import views

urlpatterns = [
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path("digest/preview/", views.digest_preview, name="digest_preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
