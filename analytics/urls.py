from django.urls import path

from . import views

urlpatterns = [
    path("analytics/", views.where_time_goes, name="where_time_goes"),
    path("analytics/deals/", views.deals_behind, name="analytics_deals"),
    path("analytics/intervals.csv", views.intervals_export, name="analytics_intervals_export"),
]
