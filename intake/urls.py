from django.urls import path

from . import views

urlpatterns = [
    path("intake/", views.request_start, name="intake_start"),
    path("intake/new/<int:type_id>/", views.request_new, name="intake_new"),
    path("intake/preview/<int:version_id>/", views.form_preview, name="intake_preview"),
    path("deals/<int:pk>/intake/", views.answers_edit, name="intake_answers_edit"),
]
