from django.urls import path

from . import views

urlpatterns = [
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
    path("digest/preview/", views.digest_preview, name="digest_preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
