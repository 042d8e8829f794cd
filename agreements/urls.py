from django.urls import path

from . import amendment_views, facts_views, views

urlpatterns = [
    path("renewals/", views.renewals, name="renewals"),
    path(
        "renewals/calendar/replace/",
        views.calendar_address_replace,
        name="calendar_address_replace",
    ),
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

# Amendments (agreements.amendment_views): one object per URL, as the URL walk expects.
urlpatterns += [
    path(
        "agreements/<int:pk>/amendments/new/",
        amendment_views.amendment_create,
        name="amendment_create",
    ),
    path("amendments/<int:pk>/", amendment_views.amendment_detail, name="amendment_detail"),
    path("amendments/<int:pk>/edit/", amendment_views.amendment_edit, name="amendment_edit"),
    path(
        "amendments/<int:pk>/terms/",
        amendment_views.amendment_term_change,
        name="amendment_term_change",
    ),
    path(
        "amendments/<int:pk>/dates/",
        amendment_views.amendment_dates_change,
        name="amendment_dates_change",
    ),
    path(
        "amendments/<int:pk>/obligations/",
        amendment_views.amendment_obligation_change,
        name="amendment_obligation_change",
    ),
    path(
        "amendments/<int:pk>/propose/", amendment_views.amendment_propose, name="amendment_propose"
    ),
    path("amendments/<int:pk>/decide/", amendment_views.amendment_decide, name="amendment_decide"),
    path(
        "amendment-changes/<int:pk>/remove/",
        amendment_views.amendment_change_remove,
        name="amendment_change_remove",
    ),
]
