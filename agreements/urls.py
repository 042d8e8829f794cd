from django.urls import path

from . import facts_views, views

urlpatterns = [
    path("renewals/", views.renewals, name="renewals"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/facts/", facts_views.agreement_facts, name="agreement_facts"),
    path(
        "agreements/<int:pk>/facts/dismiss/",
        facts_views.agreement_facts_dismiss,
        name="agreement_facts_dismiss",
    ),
    path("agreements/<int:pk>/decide/", views.agreement_decide, name="agreement_decide"),
    path("agreements/<int:pk>/notice/", views.notice_download, name="notice_download"),
    path("agreements/<int:pk>/obligations/new/", views.obligation_create, name="obligation_create"),
    path("occurrences/<int:pk>/", views.occurrence_detail, name="occurrence_detail"),
    path("occurrences/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("occurrences/<int:pk>/review/", views.evidence_review, name="evidence_review"),
    path("occurrences/<int:pk>/file/", views.evidence_download, name="evidence_download"),
]
