from django.urls import path

from . import views

urlpatterns = [
    path("playbooks/", views.playbook_list, name="playbook_list"),
    path("playbooks/reports/", views.playbook_reports, name="playbook_reports"),
    path("playbooks/<int:pk>/", views.playbook_detail, name="playbook_detail"),
    path("playbooks/<int:pk>/reviewed/", views.playbook_reviewed, name="playbook_reviewed"),
    path("playbook-positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("terms/<int:pk>/playbook/", views.term_position_edit, name="term_position_edit"),
    path(
        "terms/<int:pk>/playbook/approve/",
        views.term_position_approve,
        name="term_position_approve",
    ),
    path("terms/<int:pk>/playbook/walk-away/", views.term_walk_away, name="term_walk_away"),
    path("deals/<int:pk>/playbook/adopt/", views.deal_playbook_adopt, name="deal_playbook_adopt"),
]
