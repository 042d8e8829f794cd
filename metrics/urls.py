from django.urls import path

from . import exports, views

urlpatterns = [
    path("deals/<int:pk>/metrics/new/", views.metric_create, name="metric_create"),
    path("metrics/<int:metric_id>/", views.metric_detail, name="metric_detail"),
    path("metrics/<int:metric_id>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/<int:metric_id>/check-ins/", views.check_in_create, name="check_in_create"),
    path("check-ins/<int:check_in_id>/edit/", views.check_in_edit, name="check_in_edit"),
    path("check-ins/<int:check_in_id>/delete/", views.check_in_delete, name="check_in_delete"),
    path("deals/<int:pk>/business-case/", views.business_case_edit, name="business_case_edit"),
    path(
        "deals/<int:pk>/business-case/year-row/",
        views.business_case_year_row,
        name="business_case_year_row",
    ),
    path(
        "deals/<int:pk>/business-case/compare/",
        views.business_case_compare,
        name="business_case_compare",
    ),
    path(
        "business-cases/<int:case_id>/sign-off/",
        views.business_case_sign_off,
        name="business_case_sign_off",
    ),
    path(
        "assumptions/<int:assumption_id>/assess/",
        views.assumption_assess,
        name="assumption_assess",
    ),
    path("deals/<int:pk>/journey/", views.journey, name="journey"),
    path("journey/<int:stage_id>/edit/", views.journey_stage_edit, name="journey_stage_edit"),
    path("journey/<int:stage_id>/move/", views.journey_stage_move, name="journey_stage_move"),
    path("journey/<int:stage_id>/delete/", views.journey_stage_delete, name="journey_stage_delete"),
    path("goals/", views.goals, name="goals"),
    path("goals/export.csv", exports.goals_export, name="goals_export"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal_detail"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/export.csv", exports.portfolio_export, name="portfolio_export"),
]
