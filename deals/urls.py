from django.urls import path

from . import file_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("deals/export.csv", views.dashboard_export, name="dashboard_export"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/advance/", views.deal_advance, name="deal_advance"),
    path("deals/<int:pk>/history/", views.deal_history, name="deal_history"),
    path("deals/<int:pk>/archive/", views.deal_archive, name="deal_archive"),
    path("deals/<int:pk>/terms/new/", views.term_create, name="term_create"),
    path("deals/<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("deals/<int:pk>/request-decision/", views.request_decision, name="request_decision"),
    path("terms/<int:pk>/", views.term_detail, name="term_detail"),
    path("deals/<int:pk>/documents/", file_views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", file_views.document_download, name="document_download"),
    path("deals/<int:pk>/briefing/", file_views.deal_briefing, name="deal_briefing"),
    path("briefing/<int:pk>/download/", file_views.briefing_download, name="briefing_download"),
]
